//! Read views of a campaign: locale selection (SPEC §7.5), the resolved FAQ layout, and the
//! public view the fan site gets when it reads a campaign by domain (SPEC §5).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::*;
use crate::reader::wire_time;

/// Which locales of `content` a read returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocaleSelection {
    /// Every locale (`showAllLocales=true`).
    All,
    /// One locale: the requested one when the campaign has content for it, else the default
    /// locale (`None` asks for the default directly).
    One(Option<Locale>),
}

impl Campaign {
    /// The locale whose content answers a request for `requested`: the exact locale when it has
    /// content, else a locale of the same language (`en` for `en-US`, or the reverse), else the
    /// default locale, else none.
    pub fn resolve_locale(&self, requested: Option<&Locale>) -> Option<&Locale> {
        if let Some(req) = requested {
            if let Some((l, _)) = self.content.get_key_value(req) {
                return Some(l);
            }
            let default = self.default_locale();
            let same_language = self
                .content
                .keys()
                .filter(|l| l.language() == req.language())
                // Prefer the default locale when it shares the language.
                .max_by_key(|l| Some(*l) == default);
            if let Some(l) = same_language {
                return Some(l);
            }
        }
        self.default_locale()
            .filter(|d| self.content.contains_key(*d))
    }

    /// A copy whose `content` holds only what `selection` asks for. A campaign without locales
    /// (a DRAFT) keeps its content as it is.
    pub fn localized(&self, selection: &LocaleSelection) -> Campaign {
        self.clone().into_localized(selection)
    }

    /// [`localized`](Self::localized) without the copy, for a campaign the caller owns.
    pub fn into_localized(mut self, selection: &LocaleSelection) -> Campaign {
        if let LocaleSelection::One(requested) = selection
            && !self.locales.is_empty()
        {
            let chosen = self.resolve_locale(requested.as_ref()).cloned();
            self.content.retain(|l, _| Some(l) == chosen.as_ref());
        }
        self
    }

    /// The FAQ layout of the pages for `locale`: each placed id resolved to its entry in that
    /// locale, falling back to the default locale; ids found in neither are left out.
    pub fn faq_layout(&self, locale: Option<&Locale>) -> FaqLayout {
        let primary = locale.and_then(|l| self.content.get(l));
        let fallback = self.default_locale().and_then(|l| self.content.get(l));
        let resolve = |ids: &[FaqId]| -> Vec<FaqEntry> {
            ids.iter()
                .filter_map(|id| {
                    let faq = primary
                        .and_then(|c| c.faqs.get(id))
                        .or_else(|| fallback.and_then(|c| c.faqs.get(id)))?;
                    Some(FaqEntry {
                        id: id.clone(),
                        question: faq.question.clone(),
                        answer: faq.answer.clone(),
                    })
                })
                .collect()
        };
        FaqLayout {
            landing: LandingFaqs {
                open: resolve(&self.faqs.landing.open),
                closed: resolve(&self.faqs.landing.closed),
            },
            confirmation: ConfirmationFaqs {
                open: resolve(&self.faqs.confirmation.open),
                closed: resolve(&self.faqs.confirmation.closed),
                active_presale: resolve(&self.faqs.confirmation.active_presale),
            },
        }
    }

    /// What the fan site may see: no contacts, password, internal options, history, links
    /// between campaigns or bookkeeping versions.
    pub fn public_view(&self) -> PublicCampaign<'_> {
        PublicCampaign {
            id: &self.id,
            kind: self.kind,
            status: self.status,
            name: &self.name,
            identifier: self.identifier.as_deref(),
            artist: &self.artist,
            domain: &self.domain,
            tour: &self.tour,
            options: PublicOptions {
                use_generic_branding: self.options.use_generic_branding,
                show_access_code: self.options.show_access_code,
            },
            reference_timezone: self.reference_timezone.as_ref(),
            date: PublicDates {
                open: self.date.open,
                opened: self.date.opened,
                close: self.date.close,
                closed: self.date.closed,
                presale_window_start: self.date.presale_window_start,
                presale_window_end: self.date.presale_window_end,
            },
            style: &self.style,
            image: &self.image,
            share: &self.share,
            content: &self.content,
            faqs: &self.faqs,
            preferences: &self.preferences,
            locales: &self.locales,
            event_ids: &self.event_ids,
            category_id: self.category_id.as_ref(),
            trackers: &self.trackers,
        }
    }
}

/// One resolved FAQ entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaqEntry {
    /// FAQ id.
    pub id: FaqId,
    /// The question.
    pub question: String,
    /// The answer.
    pub answer: String,
}

/// Resolved landing-page FAQs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LandingFaqs {
    /// While OPEN.
    pub open: Vec<FaqEntry>,
    /// While CLOSED.
    pub closed: Vec<FaqEntry>,
}

/// Resolved confirmation-page FAQs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmationFaqs {
    /// While OPEN.
    pub open: Vec<FaqEntry>,
    /// While CLOSED.
    pub closed: Vec<FaqEntry>,
    /// During a presale.
    pub active_presale: Vec<FaqEntry>,
}

/// The FAQ layout of a campaign's pages for one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FaqLayout {
    /// Landing page.
    pub landing: LandingFaqs,
    /// Confirmation page.
    pub confirmation: ConfirmationFaqs,
}

/// Public feature switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicOptions {
    /// Use the generic branding.
    pub use_generic_branding: bool,
    /// Show the access code.
    pub show_access_code: bool,
}

/// Public schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicDates {
    /// Scheduled opening.
    #[serde(with = "wire_time::option", skip_serializing_if = "Option::is_none")]
    pub open: Option<DateTime<Utc>>,
    /// Actual opening.
    #[serde(with = "wire_time::option", skip_serializing_if = "Option::is_none")]
    pub opened: Option<DateTime<Utc>>,
    /// Scheduled closing.
    #[serde(with = "wire_time::option", skip_serializing_if = "Option::is_none")]
    pub close: Option<DateTime<Utc>>,
    /// Actual closing.
    #[serde(with = "wire_time::option", skip_serializing_if = "Option::is_none")]
    pub closed: Option<DateTime<Utc>>,
    /// Presale window start.
    #[serde(with = "wire_time::option", skip_serializing_if = "Option::is_none")]
    pub presale_window_start: Option<DateTime<Utc>>,
    /// Presale window end.
    #[serde(with = "wire_time::option", skip_serializing_if = "Option::is_none")]
    pub presale_window_end: Option<DateTime<Utc>>,
}

/// The public view of a campaign, borrowed from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicCampaign<'a> {
    /// Id.
    pub id: &'a CampaignId,
    /// Kind.
    #[serde(rename = "type")]
    pub kind: CampaignType,
    /// Status.
    pub status: Status,
    /// Name.
    pub name: &'a str,
    /// Identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<&'a str>,
    /// Artist.
    pub artist: &'a Artist,
    /// Domains.
    pub domain: &'a Domains,
    /// Tour.
    pub tour: &'a Tour,
    /// Public switches.
    pub options: PublicOptions,
    /// Reference time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_timezone: Option<&'a TimeZone>,
    /// Public schedule.
    pub date: PublicDates,
    /// Colours.
    pub style: &'a Style,
    /// Images.
    pub image: &'a Images,
    /// Social links.
    pub share: &'a Share,
    /// Localised content.
    pub content: &'a BTreeMap<Locale, LocaleContent>,
    /// FAQ placement.
    pub faqs: &'a FaqPlacement,
    /// Form preferences.
    pub preferences: &'a [Preference],
    /// Locales.
    pub locales: &'a [LocaleSetting],
    /// Directly covered events.
    pub event_ids: &'a [EventId],
    /// Category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<&'a CategoryId>,
    /// Trackers.
    pub trackers: &'a [Tracker],
}
