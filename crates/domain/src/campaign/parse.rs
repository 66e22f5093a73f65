//! Reading a client's campaign document into a [`Campaign`], reporting every failing field.
//!
//! Creates parse the body as a whole; updates are JSON merge patches (RFC 7396) applied to the
//! stored campaign's wire form and then parsed the same way, so a create and an update can never
//! disagree on a rule. Read-only fields a client sends are dropped before anything is read.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::*;
use crate::error::ValidationErrors;
use crate::reader::{ObjectReader, wire_precision};
use crate::status::{Status, StatusChange};
use crate::values::InvalidValue;

/// Wire paths the service owns; a client's values for them are ignored.
pub const READ_ONLY_FIELDS: [&str; 8] = [
    "id",
    "version",
    "statusHistory",
    "date.created",
    "date.updated",
    "date.opened",
    "date.closed",
    "date.inactivated",
];

const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 500;
const LONG_TEXT_MAX: usize = 100_000;
use crate::limits::{LIST_MAX, check_free_form};

/// What a document asks for the access password.
#[derive(Clone, PartialEq, Eq)]
pub enum PasswordChange {
    /// Leave it as it is (the document did not mention it).
    Keep,
    /// Set this new plain-text password (the caller hashes it).
    Set(Password),
    /// Remove the password (`"password": null`).
    Clear,
}

impl fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Keep => f.write_str("Keep"),
            Self::Set(_) => f.write_str("Set(..)"),
            Self::Clear => f.write_str("Clear"),
        }
    }
}

/// A parsed client document: the campaign as it would be stored (service-owned fields carried
/// over), the status the client asked for, and what to do with the password.
#[derive(Debug, Clone)]
pub struct CampaignInput {
    /// The campaign with the client's fields applied; `status` is still the current one.
    pub campaign: Campaign,
    /// The status named in the document, when it differs from the current one.
    pub requested_status: Option<Status>,
    /// Password instruction.
    pub password: PasswordChange,
}

impl CampaignInput {
    /// Parses the body of a create. The new campaign gets `id`, version 0, created/updated =
    /// `now`, and status DRAFT; `requested_status` carries a different status the body named.
    ///
    /// A DRAFT needs only a name, the artist's id and the site domain; every failing field is
    /// reported at once, by its wire path.
    ///
    /// ```
    /// use campaign_domain::Status;
    /// use campaign_domain::campaign::{CampaignInput, PasswordChange};
    /// use campaign_domain::chrono::{TimeZone as _, Utc};
    /// use campaign_domain::serde_json::json;
    /// use campaign_domain::values::CampaignId;
    ///
    /// let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    /// let id = CampaignId::parse("65a1b2c3d4e5f60718293a4b").unwrap();
    /// let body = json!({
    ///     "name": "Spring Tour Presale",
    ///     "artist": {"id": "K8vZ917Gku7"},
    ///     "domain": {"site": "springtour.example.com"},
    ///     "status": "PREVIEW",
    ///     "password": "s3cret-Pa55word",
    ///     "version": 41 // read-only: ignored
    /// });
    ///
    /// let input = CampaignInput::parse_new(&body, id.clone(), now).unwrap();
    /// let campaign = &input.campaign;
    /// assert_eq!(campaign.id, id);
    /// assert_eq!(campaign.status, Status::Draft); // a create starts as DRAFT ...
    /// assert_eq!(input.requested_status, Some(Status::Preview)); // ... the caller transitions
    /// assert_eq!(campaign.version, 0);
    /// assert_eq!(campaign.date.created, now);
    /// assert_eq!(campaign.domain.site.as_ref().unwrap().as_str(), "springtour.example.com");
    /// assert!(matches!(input.password, PasswordChange::Set(_))); // the caller hashes it
    ///
    /// // Every failing field, by wire path.
    /// let bad = json!({"artist": {"id": "no spaces allowed"}, "domain": {"site": "not a host"}});
    /// let errors = CampaignInput::parse_new(&bad, id, now).unwrap_err();
    /// assert!(errors.contains("name"));
    /// assert!(errors.contains("artist.id"));
    /// assert!(errors.contains("domain.site"));
    /// ```
    pub fn parse_new(
        body: &Value,
        id: CampaignId,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut body = body.clone();
        if !body.is_object() {
            return Err(ValidationErrors::single("body", "must be a JSON object"));
        }
        strip_read_only(&mut body);
        let now = wire_precision(now);
        let base = Base {
            id,
            status: Status::Draft,
            status_history: Vec::new(),
            version: 0,
            created: now,
            opened: None,
            closed: None,
            inactivated: None,
            password: None,
        };
        parse_document(&body, base, now)
    }

    /// Applies `patch` (a JSON merge patch) to `existing` and parses the result. Read-only fields
    /// in the patch are ignored; `updated` becomes `now`.
    ///
    /// The patched document is read by the same rules as a create, so a create and an update
    /// never disagree. The status is not changed here: a status the patch names comes back as
    /// `requested_status`, for the caller to check and apply as a transition.
    ///
    /// ```
    /// use campaign_domain::Status;
    /// use campaign_domain::campaign::{CampaignInput, PasswordChange};
    /// use campaign_domain::chrono::{Duration, TimeZone as _, Utc};
    /// use campaign_domain::serde_json::json;
    /// use campaign_domain::values::CampaignId;
    ///
    /// let created = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    /// let id = CampaignId::parse("65a1b2c3d4e5f60718293a4b").unwrap();
    /// let body = json!({
    ///     "name": "Spring Tour Presale",
    ///     "artist": {"id": "K8vZ917Gku7"},
    ///     "domain": {"site": "springtour.example.com", "preview": "preview.example.com"},
    ///     "tour": {"name": "Spring Tour 2026"}
    /// });
    /// let stored = CampaignInput::parse_new(&body, id, created).unwrap().campaign;
    ///
    /// // RFC 7396: members replace, `null` removes, absent members stay as they are.
    /// let later = created + Duration::hours(1);
    /// let patch = json!({
    ///     "name": "Spring Tour Presale (extra dates)",
    ///     "domain": {"preview": null},
    ///     "status": "OPEN",
    ///     "id": "ffffffffffffffffffffffff" // read-only: ignored
    /// });
    /// let input = CampaignInput::parse_update(&stored, &patch, later).unwrap();
    /// let updated = &input.campaign;
    /// assert_eq!(updated.name, "Spring Tour Presale (extra dates)");
    /// assert_eq!(updated.tour.name.as_deref(), Some("Spring Tour 2026"));
    /// assert!(updated.domain.preview.is_none());
    /// assert_eq!(updated.id, stored.id);
    /// assert_eq!(updated.date.updated, later);
    /// assert_eq!(updated.status, Status::Draft);
    /// assert_eq!(input.requested_status, Some(Status::Open));
    /// assert!(matches!(input.password, PasswordChange::Keep));
    ///
    /// // A patch that breaks a rule is refused with the field's path.
    /// let refused = CampaignInput::parse_update(&stored, &json!({"name": null}), later);
    /// assert!(refused.unwrap_err().contains("name"));
    /// ```
    pub fn parse_update(
        existing: &Campaign,
        patch: &Value,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        if !patch.is_object() {
            return Err(ValidationErrors::single("body", "must be a JSON object"));
        }
        let now = wire_precision(now);
        let mut patch = patch.clone();
        strip_read_only(&mut patch);
        // Serialising our own types to a JSON value cannot fail (string keys, no non-finite
        // floats in a parsed campaign); fall back to an empty document just in case.
        let mut doc = serde_json::to_value(existing).unwrap_or_else(|_| Value::Object(Map::new()));
        merge_patch(&mut doc, &patch);
        let requested = patch.get("status").cloned();
        if let Some(obj) = doc.as_object_mut() {
            // The status only changes through a transition: read the request from the patch.
            obj.remove("status");
            if let Some(status) = requested {
                obj.insert("status".to_owned(), status);
            }
            match patch.get("password") {
                Some(p) => {
                    obj.insert("password".to_owned(), p.clone());
                }
                None => {
                    obj.remove("password");
                }
            }
        }
        let base = Base {
            id: existing.id.clone(),
            status: existing.status,
            status_history: existing.status_history.clone(),
            version: existing.version,
            created: existing.date.created,
            opened: existing.date.opened,
            closed: existing.date.closed,
            inactivated: existing.date.inactivated,
            password: existing.password.clone(),
        };
        parse_document(&doc, base, now)
    }
}

/// Applies an RFC 7396 JSON merge patch: objects merge recursively, `null` removes, anything
/// else replaces.
///
/// ```
/// use campaign_domain::campaign::merge_patch;
/// use campaign_domain::serde_json::json;
///
/// let mut doc = json!({"name": "Spring", "tour": {"name": "2026"}, "eventIds": ["a", "b"]});
/// merge_patch(&mut doc, &json!({"tour": null, "eventIds": ["c"], "identifier": "spring"}));
/// assert_eq!(doc, json!({"name": "Spring", "eventIds": ["c"], "identifier": "spring"}));
/// ```
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target_map) = target {
        for (key, value) in patch_map {
            if value.is_null() {
                target_map.remove(key);
            } else {
                merge_patch(target_map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

fn strip_read_only(doc: &mut Value) {
    for path in READ_ONLY_FIELDS {
        let mut node = &mut *doc;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            let Some(obj) = node.as_object_mut() else {
                break;
            };
            if parts.peek().is_none() {
                obj.remove(part);
                break;
            }
            match obj.get_mut(part) {
                Some(next) => node = next,
                None => break,
            }
        }
    }
}

/// Service-owned values carried into the parsed campaign.
struct Base {
    id: CampaignId,
    status: Status,
    status_history: Vec<StatusChange>,
    version: u64,
    created: DateTime<Utc>,
    opened: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
    inactivated: Option<DateTime<Utc>>,
    password: Option<PasswordHash>,
}

fn parse_document(
    doc: &Value,
    base: Base,
    now: DateTime<Utc>,
) -> Result<CampaignInput, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let root = ObjectReader::new(Some(doc), "", &mut e);

    let kind = root
        .parsed("type", &mut e, CampaignType::parse)
        .unwrap_or_default();
    let requested_status = root
        .parsed("status", &mut e, |s| s.parse::<Status>())
        .filter(|s| *s != base.status);
    let name = root.required_text("name", NAME_MAX, &mut e);
    let identifier = root.text("identifier", NAME_MAX, &mut e);
    let artist = parse_artist(&root, &mut e);
    let domain = parse_domains(&root, &mut e);
    if base.status == Status::Inactive {
        // An archived campaign holds no domain (SPEC §7.4): its site is free for others.
        for (field, held) in [
            ("domain.site", domain.site.is_some()),
            ("domain.preview", domain.preview.is_some()),
        ] {
            if held {
                e.add(
                    field,
                    "must not be set: an INACTIVE campaign holds no domain",
                );
            }
        }
    } else if domain.site.is_none() && !e.contains("domain.site") {
        // Every campaign but an archived one holds its site domain.
        e.add("domain.site", "is required");
    }
    let tour = Tour {
        name: root.object("tour", &mut e).text("name", NAME_MAX, &mut e),
    };
    let options = parse_options(&root, &mut e);
    let reference_timezone = root.parsed("referenceTimezone", &mut e, TimeZone::parse);
    let date = parse_dates(&root, &base, now, &mut e);
    let style = parse_style(&root, &mut e);
    let image = parse_images(&root, &mut e);
    let share = parse_share(&root, &mut e);
    let content = parse_content(&root, &mut e);
    let faqs = parse_faq_placement(&root, &mut e);
    let preferences = parse_preferences(&root, &mut e);
    let locales = parse_locales(&root, &mut e);
    let contacts = bounded(&root, "contacts", &mut e, ContactId::parse);
    let event_ids = bounded(&root, "eventIds", &mut e, EventId::parse);
    let category_id = root.parsed("categoryId", &mut e, CategoryId::parse);
    let linked_campaign_ids = bounded(&root, "linkedCampaignIds", &mut e, CampaignId::parse);
    if linked_campaign_ids.contains(&base.id) {
        e.add("linkedCampaignIds", "a campaign cannot be linked to itself");
    }
    let password = parse_password(&root, &mut e);
    let trackers = root.array("trackers", &mut e, |v, path, e| {
        let t = ObjectReader::new(Some(v), path, e);
        // Both are read (and reported) before either ends the entry.
        let kind = t.required_text("type", NAME_MAX, e);
        let id = t.required_text("id", TEXT_MAX, e);
        Some(Tracker {
            kind: kind?,
            id: id?,
        })
    });
    let schema = SchemaInfo {
        version: root.object("schema", &mut e).u64("version", &mut e),
    };

    let (Some(name), Some(artist)) = (name, artist) else {
        // Both failures were recorded above.
        return Err(e);
    };
    let campaign = Campaign {
        id: base.id,
        kind,
        status: base.status,
        name,
        identifier,
        artist,
        domain,
        tour,
        options,
        reference_timezone,
        date,
        style,
        image,
        share,
        content,
        faqs,
        preferences,
        locales,
        contacts,
        event_ids,
        category_id,
        linked_campaign_ids,
        password: base.password,
        trackers,
        schema,
        status_history: base.status_history,
        version: base.version,
    };
    let input = CampaignInput {
        campaign,
        requested_status,
        password,
    };
    e.into_result(input)
}

fn bounded<T: PartialEq>(
    root: &ObjectReader<'_>,
    key: &str,
    e: &mut ValidationErrors,
    parse: impl Fn(&str) -> Result<T, InvalidValue>,
) -> Vec<T> {
    let mut items = root.string_array(key, e, parse);
    if items.len() > LIST_MAX {
        e.add(
            root.path_of(key),
            format!("must have at most {LIST_MAX} entries"),
        );
    }
    // Duplicates carry no meaning in these id lists: keep the first of each.
    let mut unique = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    unique
}

fn parse_artist(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> Option<Artist> {
    if !root.has("artist") {
        e.add("artist.id", "is required");
        return None;
    }
    let a = root.object("artist", e);
    let id = a.required("id", e, ArtistId::parse);
    // Every field is read (and reported) before a missing id ends the artist.
    let name = a.text("name", NAME_MAX, e);
    let discovery_id = a.text("discovery_id", NAME_MAX, e);
    let image_url = a.parsed("image_url", e, HttpUrl::parse);
    let adp_url = a.parsed("adpUrl", e, HttpUrl::parse);
    let fanclub_name = a.text("fanclubName", NAME_MAX, e);
    Some(Artist {
        id: id?,
        name,
        discovery_id,
        image_url,
        adp_url,
        fanclub_name,
    })
}

fn parse_domains(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> Domains {
    let d = root.object("domain", e);
    let domains = Domains {
        site: d.parsed("site", e, DomainName::parse),
        preview: d.parsed("preview", e, DomainName::parse),
    };
    if domains.site.is_some() && domains.site == domains.preview {
        e.add("domain.preview", "must differ from domain.site");
    }
    domains
}

fn parse_options(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> CampaignOptions {
    let o = root.object("options", e);
    CampaignOptions {
        use_generic_branding: o.bool("useGenericBranding", e).unwrap_or(false),
        show_access_code: o.bool("showAccessCode", e).unwrap_or(false),
        automated_reminders: o.bool("automatedReminders", e).unwrap_or(false),
    }
}

fn parse_dates(
    root: &ObjectReader<'_>,
    base: &Base,
    now: DateTime<Utc>,
    e: &mut ValidationErrors,
) -> CampaignDates {
    let d = root.object("date", e);
    let reminders = d.array("sendReminderEmails", e, |v, path, e| match v {
        Value::String(s) => e.check(path, Some(s), crate::reader::parse_date),
        _ => {
            e.add(path, "must be an RFC 3339 date-time");
            None
        }
    });
    CampaignDates {
        created: base.created,
        updated: now,
        open: d.date("open", e),
        opened: base.opened,
        close: d.date("close", e),
        closed: base.closed,
        inactivated: base.inactivated,
        presale_window_start: d.date("presaleWindowStart", e),
        presale_window_end: d.date("presaleWindowEnd", e),
        send_reminder_emails: reminders,
    }
}

fn parse_style(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> Style {
    let s = root.object("style", e);
    let theme = s.object("theme", e);
    let border = s.object("border", e);
    let background = s.object("pageBackground", e);
    let text = s.object("text", e);
    Style {
        theme: ThemeColors {
            primary: theme.parsed("primary", e, CssColor::parse),
            mix70: theme.parsed("mix70", e, CssColor::parse),
            mix40: theme.parsed("mix40", e, CssColor::parse),
            mix20: theme.parsed("mix20", e, CssColor::parse),
        },
        border: PrimaryColor {
            primary: border.parsed("primary", e, CssColor::parse),
        },
        page_background: PrimaryColor {
            primary: background.parsed("primary", e, CssColor::parse),
        },
        text: TextColors {
            primary: text.parsed("primary", e, CssColor::parse),
            secondary: text.parsed("secondary", e, CssColor::parse),
        },
    }
}

fn link(parent: &ObjectReader<'_>, key: &str, e: &mut ValidationErrors) -> Link {
    Link {
        url: parent.object(key, e).parsed("url", e, HttpUrl::parse),
    }
}

fn parse_images(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> Images {
    let i = root.object("image", e);
    Images {
        main: link(&i, "main", e),
        mobile: link(&i, "mobile", e),
        secondary: link(&i, "secondary", e),
    }
}

fn parse_share(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> Share {
    let s = root.object("share", e);
    Share {
        x: s.parsed("x", e, HttpUrl::parse),
        instagram: s.parsed("instagram", e, HttpUrl::parse),
        facebook: s.parsed("facebook", e, HttpUrl::parse),
        youtube: s.parsed("youtube", e, HttpUrl::parse),
        tiktok: s.parsed("tiktok", e, HttpUrl::parse),
        artist: link(&s, "artist", e),
    }
}

/// Parses a locale's FAQ map `{"<uuid>": {question, answer}}` found at `path`.
pub(crate) fn parse_faq_map(
    value: Option<&Value>,
    path: &str,
    e: &mut ValidationErrors,
) -> BTreeMap<FaqId, Faq> {
    let faqs = ObjectReader::new(value, path, e);
    let mut out = BTreeMap::new();
    for (key, value) in faqs.entries() {
        let entry_path = faqs.path_of(key);
        let id = e.check(entry_path.clone(), Some(key), FaqId::parse);
        let f = ObjectReader::new(Some(value), &entry_path, e);
        let question = f.required_text("question", TEXT_MAX, e);
        let answer = f.required_text("answer", LONG_TEXT_MAX, e);
        if let (Some(id), Some(question), Some(answer)) = (id, question, answer) {
            // Two spellings of one UUID would silently replace each other.
            match out.entry(id) {
                Entry::Occupied(o) => e.add(
                    entry_path,
                    format!("is the same FAQ id as another key ({})", o.key()),
                ),
                Entry::Vacant(v) => {
                    v.insert(Faq { question, answer });
                }
            }
        }
    }
    out
}

fn free_form(parent: &ObjectReader<'_>, key: &str, e: &mut ValidationErrors) -> Map<String, Value> {
    match parent.raw(key) {
        None => Map::new(),
        Some(v @ Value::Object(m)) => {
            check_free_form(v, &parent.path_of(key), e);
            m.clone()
        }
        Some(_) => {
            e.add(parent.path_of(key), "must be an object");
            Map::new()
        }
    }
}

fn parse_content(
    root: &ObjectReader<'_>,
    e: &mut ValidationErrors,
) -> BTreeMap<Locale, LocaleContent> {
    let c = root.object("content", e);
    let mut out = BTreeMap::new();
    for (key, value) in c.entries() {
        let path = c.path_of(key);
        let locale = e.check(path.clone(), Some(key), Locale::parse);
        let l = ObjectReader::new(Some(value), &path, e);
        let email = l.object("email", e);
        let content = LocaleContent {
            faqs: parse_faq_map(l.raw("faqs"), &l.path_of("faqs"), e),
            terms: l.text("terms", LONG_TEXT_MAX, e),
            landing: free_form(&l, "landing", e),
            confirmation: free_form(&l, "confirmation", e),
            email: EmailContent {
                subject: email.text("subject", TEXT_MAX, e),
                template: email.text("template", NAME_MAX, e),
                from: email.text("from", TEXT_MAX, e),
            },
        };
        if let Some(locale) = locale {
            // `en-us` and `en-US` are one locale: a second spelling would silently replace
            // the first one's content.
            match out.entry(locale) {
                Entry::Occupied(o) => e.add(
                    path,
                    format!("is the same locale as another key ({})", o.key()),
                ),
                Entry::Vacant(v) => {
                    v.insert(content);
                }
            }
        }
    }
    out
}

fn parse_faq_placement(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> FaqPlacement {
    let f = root.object("faqs", e);
    let landing = f.object("landing", e);
    let confirmation = f.object("confirmation", e);
    FaqPlacement {
        landing: LandingPlacement {
            open: landing.string_array("open", e, FaqId::parse),
            closed: landing.string_array("closed", e, FaqId::parse),
        },
        confirmation: ConfirmationPlacement {
            open: confirmation.string_array("open", e, FaqId::parse),
            closed: confirmation.string_array("closed", e, FaqId::parse),
            active_presale: confirmation.string_array("activePresale", e, FaqId::parse),
        },
    }
}

fn parse_preferences(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> Vec<Preference> {
    let mut seen = HashSet::new();
    root.array("preferences", e, |v, path, e| {
        let p = ObjectReader::new(Some(v), path, e);
        let id = p.required_text("id", NAME_MAX, e);
        if let Some(id) = &id
            && !seen.insert(id.clone())
        {
            e.add(p.path_of("id"), "is used by another preference");
        }
        let kind = p.required_text("type", NAME_MAX, e);
        let is_optional = p.bool("is_optional", e).unwrap_or(false);
        let additional = p.object("additional", e);
        let initial_value = additional.raw("initial_value").cloned();
        if let Some(v) = &initial_value {
            check_free_form(v, &additional.path_of("initial_value"), e);
        }
        let labels = p.object("label", e);
        let mut label = BTreeMap::new();
        for (key, value) in labels.entries() {
            let lpath = labels.path_of(key);
            let locale = e.check(lpath.clone(), Some(key), Locale::parse);
            let text = match value {
                Value::String(s) => Some(s.clone()),
                _ => {
                    e.add(lpath.clone(), "must be a string");
                    None
                }
            };
            if let (Some(l), Some(t)) = (locale, text) {
                match label.entry(l) {
                    Entry::Occupied(o) => e.add(
                        lpath,
                        format!("is the same locale as another key ({})", o.key()),
                    ),
                    Entry::Vacant(v) => {
                        v.insert(t);
                    }
                }
            }
        }
        Some(Preference {
            id: id?,
            kind: kind?,
            is_optional,
            additional: PreferenceExtras { initial_value },
            label,
        })
    })
}

fn parse_locales(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> Vec<LocaleSetting> {
    let mut seen = HashSet::new();
    let locales = root.array("locales", e, |v, path, e| {
        let l = ObjectReader::new(Some(v), path, e);
        let id = l.required("id", e, Locale::parse);
        let is_default = l.bool("is_default", e).unwrap_or(false);
        // Checked here, where `path` still carries the entry's own index (an invalid entry
        // before it is left out of the list).
        if let Some(id) = &id
            && !seen.insert(id.clone())
        {
            e.add(l.path_of("id"), "is listed twice");
        }
        Some(LocaleSetting {
            id: id?,
            is_default,
        })
    });
    if !locales.is_empty() {
        let defaults = locales.iter().filter(|l| l.is_default).count();
        if defaults != 1 {
            e.add(
                "locales",
                format!("exactly one locale must be the default (found {defaults})"),
            );
        }
    }
    locales
}

fn parse_password(root: &ObjectReader<'_>, e: &mut ValidationErrors) -> PasswordChange {
    match root.raw("password") {
        None if root.is_present() && root_has_null(root, "password") => PasswordChange::Clear,
        None => PasswordChange::Keep,
        Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= 128 => {
            PasswordChange::Set(Password::new(s.as_str()))
        }
        Some(_) => {
            e.add(
                "password",
                "must be a string of 1-128 characters, or null to remove it",
            );
            PasswordChange::Keep
        }
    }
}

fn root_has_null(root: &ObjectReader<'_>, key: &str) -> bool {
    root.entries().any(|(k, v)| k == key && v.is_null())
}

/// Parses one locale's FAQ map as a client sends it: `{"<uuid>": {"question", "answer"}}`.
pub fn parse_faqs(body: &Value) -> Result<BTreeMap<FaqId, Faq>, ValidationErrors> {
    if !body.is_object() {
        return Err(ValidationErrors::single(
            "body",
            "must be an object of FAQ entries keyed by UUID",
        ));
    }
    let mut e = ValidationErrors::new();
    let faqs = parse_faq_map(Some(body), "", &mut e);
    e.into_result(faqs)
}

/// Parses a terms document as a client sends it: `{"terms": "<text>"}`.
pub fn parse_terms(body: &Value) -> Result<String, ValidationErrors> {
    if !body.is_object() {
        return Err(ValidationErrors::single(
            "body",
            "must be an object with a terms field",
        ));
    }
    let mut e = ValidationErrors::new();
    let root = ObjectReader::new(Some(body), "", &mut e);
    let terms = root.required_text("terms", LONG_TEXT_MAX, &mut e);
    match terms {
        Some(t) if e.is_empty() => Ok(t),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn merge_patch_follows_the_examples_of_rfc_7396() {
        // RFC 7396, Appendix A.
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (
                json!({"a": "b", "b": "c"}),
                json!({"a": null}),
                json!({"b": "c"}),
            ),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "c"}), json!({"a": ["b"]}), json!({"a": ["b"]})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (
                json!({"a": [{"b": "c"}]}),
                json!({"a": [1]}),
                json!({"a": [1]}),
            ),
            (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
            (json!({"a": "b"}), json!(["c"]), json!(["c"])),
            (json!({"a": "foo"}), json!(null), json!(null)),
            (json!({"a": "foo"}), json!("bar"), json!("bar")),
            (
                json!({"e": null}),
                json!({"a": 1}),
                json!({"e": null, "a": 1}),
            ),
            (
                json!([1, 2]),
                json!({"a": "b", "c": null}),
                json!({"a": "b"}),
            ),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (target, patch, expected) in cases {
            let mut doc = target.clone();
            merge_patch(&mut doc, &patch);
            assert_eq!(doc, expected, "{target} + {patch}");
        }
    }

    #[test]
    fn strip_read_only_removes_exactly_the_service_owned_paths() {
        let mut doc = json!({
            "id": "x", "version": 3, "statusHistory": [], "name": "kept",
            "date": {"created": 1, "updated": 2, "opened": 3, "closed": 4, "inactivated": 5,
                     "open": "kept", "close": "kept"}
        });
        strip_read_only(&mut doc);
        assert_eq!(
            doc,
            json!({"name": "kept", "date": {"open": "kept", "close": "kept"}})
        );
        // A `date` that is not an object is left for the parser to report.
        let mut odd = json!({"date": "today", "id": 1});
        strip_read_only(&mut odd);
        assert_eq!(odd, json!({"date": "today"}));
    }

    #[test]
    fn a_locale_faq_map_parses_alone() {
        let id = "0b6f1c1e-2f4e-4c1a-9a57-3f2a1d9e8c01";
        let faqs =
            parse_faqs(&json!({id.to_uppercase(): {"question": "Q", "answer": "A"}})).unwrap();
        let faq = &faqs[&FaqId::parse(id).unwrap()];
        assert_eq!((faq.question.as_str(), faq.answer.as_str()), ("Q", "A"));
        assert!(parse_faqs(&json!({})).unwrap().is_empty());
        let e = parse_faqs(&json!({"nope": {"question": "Q", "answer": "A"}, id: {"question": 1}}))
            .unwrap_err();
        let mut fields: Vec<_> = e.fields().iter().map(|f| f.field.clone()).collect();
        fields.sort();
        assert_eq!(
            fields,
            [&format!("{id}.answer"), &format!("{id}.question"), "nope"]
        );
        assert_eq!(
            parse_faqs(&json!([])).unwrap_err().fields()[0].field,
            "body"
        );
    }

    #[test]
    fn terms_are_required_text() {
        assert_eq!(parse_terms(&json!({"terms": "T&C"})).unwrap(), "T&C");
        for bad in [json!({}), json!({"terms": " "}), json!({"terms": 5})] {
            assert_eq!(
                parse_terms(&bad).unwrap_err().fields()[0].field,
                "terms",
                "{bad}"
            );
        }
        assert_eq!(
            parse_terms(&json!("x")).unwrap_err().fields()[0].field,
            "body"
        );
    }

    #[test]
    fn password_change_debug_hides_the_password() {
        let debug = format!("{:?}", PasswordChange::Set("hunter2".into()));
        assert_eq!(debug, "Set(..)");
        assert!(!debug.contains("hunter2"));
    }
}
