//! A campaign's content endpoints (SPEC §7.1, §7.8): the FAQ layout of a locale
//! (`GET /campaigns/{id}/faqs`), its terms (`/terms`) and the campaign's contacts (`/contacts`),
//! with the bodies that replace them. A locale's FAQ map, answered and sent alike, is
//! [`FaqsById`](crate::campaign::FaqsById).

use std::borrow::Cow;

use campaign_domain::campaign as domain;
use campaign_domain::contact as domain_contact;
use campaign_domain::serde_json::json;
use campaign_domain::values::FaqId;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::contact::{Contact, NewContact};
use crate::values;

/// One FAQ entry resolved for a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FaqEntry<'a> {
    /// FAQ id.
    #[schema(value_type = values::FaqId)]
    pub id: Cow<'a, FaqId>,
    /// The question.
    #[schema(value_type = String, min_length = 1, max_length = 500, pattern = "\\S")]
    pub question: Cow<'a, str>,
    /// The answer.
    #[schema(value_type = String, min_length = 1, max_length = 100_000, pattern = "\\S")]
    pub answer: Cow<'a, str>,
}

/// The landing page's FAQs, by campaign state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LandingFaqs<'a> {
    /// While OPEN.
    pub open: Vec<FaqEntry<'a>>,
    /// While CLOSED.
    pub closed: Vec<FaqEntry<'a>>,
}

/// The confirmation page's FAQs, by campaign state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmationFaqs<'a> {
    /// While OPEN.
    pub open: Vec<FaqEntry<'a>>,
    /// While CLOSED.
    pub closed: Vec<FaqEntry<'a>>,
    /// During a presale.
    pub active_presale: Vec<FaqEntry<'a>>,
}

/// `data` of `GET /campaigns/{id}/faqs?locale=`: each placed FAQ id resolved to its entry in the
/// locale, else in the default locale; ids found in neither are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "landing": {
        "open": [{
            "id": "0b5e2f8e-4c1a-4f5e-9a43-2d7c8b1e6f00",
            "question": "How do I register?",
            "answer": "Sign up before the presale."
        }],
        "closed": []
    },
    "confirmation": {"open": [], "closed": [], "activePresale": []}
})))]
pub struct FaqLayout<'a> {
    /// Landing page.
    pub landing: LandingFaqs<'a>,
    /// Confirmation page.
    pub confirmation: ConfirmationFaqs<'a>,
}

/// `data` of `GET /campaigns/{id}/terms?locale=` and `POST /campaigns/{id}/terms?locale=`: the
/// locale's terms, `null` when it has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"terms": "Terms and conditions"})))]
pub struct Terms<'a> {
    /// The terms, at most 100,000 characters; `null` when the locale has none.
    #[schema(value_type = Option<String>, max_length = 100_000, required = true)]
    pub terms: Option<Cow<'a, str>>,
}

/// The body of `POST /campaigns/{id}/terms?locale=`: the locale's new terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({"terms": "Terms and conditions"})))]
pub struct NewTerms<'a> {
    /// The terms, 1-100,000 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 100_000, pattern = "\\S")]
    pub terms: Cow<'a, str>,
}

/// `data` of `GET /campaigns/{id}/contacts` and `POST /campaigns/{id}/contacts`: the campaign's
/// contacts, in its order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct CampaignContacts<'a>(pub Vec<Contact<'a>>);

/// The body of `POST /campaigns/{id}/contacts`: at most 100 contacts, which become the
/// campaign's contacts in this order; one without an id is new, one with an id replaces that
/// contact (which this campaign must already link, unless the caller is supreme).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NewContacts<'a>(pub Vec<NewContact<'a>>);

/// Most contacts a `POST /campaigns/{id}/contacts` may send.
pub const MAX_CONTACTS: usize = 100;

impl PartialSchema for NewContacts<'_> {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new()
            .items(Ref::from_schema_name(NewContact::name()))
            .max_items(Some(MAX_CONTACTS))
            .description(Some(
                "At most 100 contacts, which become the campaign's contacts in this order; one \
                 without an id is new, one with an id replaces that contact (which this \
                 campaign must already link, unless the caller is supreme).",
            ))
            .examples([json!([
                {"name": "Ana Smith", "email": "ana.smith@example.com", "role": "manager"},
                {"id": "65a1b2c3d4e5f60718293a50", "name": "Bo Lee", "email": "bo@example.com"}
            ])])
            .into()
    }
}

impl ToSchema for NewContacts<'_> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("NewContacts")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((NewContact::name().into(), NewContact::schema()));
        NewContact::schemas(schemas);
    }
}

impl<'a> From<&'a domain::FaqEntry> for FaqEntry<'a> {
    fn from(entry: &'a domain::FaqEntry) -> Self {
        Self {
            id: Cow::Borrowed(&entry.id),
            question: Cow::Borrowed(&entry.question),
            answer: Cow::Borrowed(&entry.answer),
        }
    }
}

/// Resolved entries as answered.
fn entries(entries: &[domain::FaqEntry]) -> Vec<FaqEntry<'_>> {
    entries.iter().map(FaqEntry::from).collect()
}

impl<'a> From<&'a domain::FaqLayout> for FaqLayout<'a> {
    fn from(layout: &'a domain::FaqLayout) -> Self {
        Self {
            landing: LandingFaqs {
                open: entries(&layout.landing.open),
                closed: entries(&layout.landing.closed),
            },
            confirmation: ConfirmationFaqs {
                open: entries(&layout.confirmation.open),
                closed: entries(&layout.confirmation.closed),
                active_presale: entries(&layout.confirmation.active_presale),
            },
        }
    }
}

impl<'a> From<&'a [domain_contact::Contact]> for CampaignContacts<'a> {
    fn from(contacts: &'a [domain_contact::Contact]) -> Self {
        Self(contacts.iter().map(Contact::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::contact::ContactInput;
    use campaign_domain::serde_json;
    use campaign_domain::values::{ContactId, EmailAddress, Locale};

    use super::*;
    use crate::campaign::tests::{FAQ, full};

    #[test]
    fn the_layout_is_the_domains() {
        let campaign = full();
        for locale in [None, Some(Locale::parse("fr").unwrap())] {
            let layout = campaign.faq_layout(locale.as_ref());
            assert_eq!(
                serde_json::to_string(&FaqLayout::from(&layout)).unwrap(),
                serde_json::to_string(&layout).unwrap()
            );
        }
        let wire = serde_json::to_value(FaqLayout::from(&campaign.faq_layout(None))).unwrap();
        assert_eq!(wire["confirmation"]["activePresale"][0]["id"], FAQ);
        let example = serde_json::to_value(FaqLayout::schema()).unwrap()["examples"][0].clone();
        let read: FaqLayout<'static> = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(serde_json::to_value(read).unwrap(), example);
    }

    #[test]
    fn terms_answer_null_when_missing_and_the_body_is_what_the_domain_reads() {
        assert_eq!(
            serde_json::to_value(Terms::default()).unwrap(),
            json!({"terms": null})
        );
        let schema = serde_json::to_value(Terms::schema()).unwrap();
        assert_eq!(schema["required"], json!(["terms"]));
        let body = NewTerms {
            terms: "T&C".into(),
        };
        assert_eq!(
            domain::parse_terms(&serde_json::to_value(&body).unwrap()).unwrap(),
            "T&C"
        );
        let example = serde_json::to_value(NewTerms::schema()).unwrap()["examples"][0].clone();
        domain::parse_terms(&example).unwrap();
    }

    #[test]
    fn contacts_travel_as_a_bare_array() {
        let contact = domain_contact::Contact {
            id: ContactId::parse("65a1b2c3d4e5f60718293a50").unwrap(),
            name: "Ana".to_owned(),
            email: EmailAddress::parse("ana@example.com").unwrap(),
            role: None,
            keywords: vec!["vip".to_owned()],
        };
        let contacts = [contact];
        let answer = CampaignContacts::from(&contacts[..]);
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            serde_json::to_value(&contacts).unwrap()
        );
        let body = NewContacts(vec![NewContact::from(&contacts[0])]);
        let read = ContactInput::parse_list(&serde_json::to_value(&body).unwrap()).unwrap();
        assert_eq!(read[0].id.as_ref(), Some(&contacts[0].id));
        let schema = serde_json::to_value(NewContacts::schema()).unwrap();
        assert_eq!(schema["maxItems"], 100);
        ContactInput::parse_list(&schema["examples"][0]).unwrap();
    }
}
