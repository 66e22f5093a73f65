//! Contacts (SPEC §7.8): a contact as the service answers it (`GET /contacts`,
//! `GET /campaigns/{id}/contacts`) and as a client sends it (`POST /campaigns/{id}/contacts`
//! takes an array of [`NewContact`]).

use std::borrow::Cow;

use campaign_domain::contact as domain;
use campaign_domain::values::{ContactId, EmailAddress};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Array, ArrayBuilder, SchemaType, Type};

use crate::paging::Pagination;
use crate::values;

/// Longest keyword, in bytes (which is characters for ASCII text).
pub const KEYWORD_MAX: usize = 100;

/// A contact as the service answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "id": "65a1b2c3d4e5f60718293a50",
    "name": "Ana Smith",
    "email": "ana.smith@example.com",
    "role": "manager",
    "keywords": ["label", "nyc"]
})))]
pub struct Contact<'a> {
    /// Set by the service.
    #[schema(value_type = values::ObjectId)]
    pub id: Cow<'a, ContactId>,
    /// Full name, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Cow<'a, str>,
    /// E-mail address.
    #[schema(value_type = values::EmailAddress)]
    pub email: Cow<'a, EmailAddress>,
    /// Role (`manager`, `label`, ...), at most 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 100, nullable = false)]
    pub role: Option<Cow<'a, str>>,
    /// Search keywords: trimmed, each once, sorted.
    #[schema(schema_with = keywords)]
    pub keywords: Cow<'a, [String]>,
}

/// `data` of `GET /contacts`: one page of contacts by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ContactPage<'a> {
    /// The contacts of this page.
    pub contacts: Vec<Contact<'a>>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// A contact as a client sends it (one item of the array `POST /campaigns/{id}/contacts`
/// takes, at most 100): without an id it is new, with one it replaces that contact. `null` is
/// the same as leaving a field out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "name": "Ana Smith",
    "email": "ana.smith@example.com",
    "role": "manager",
    "keywords": ["label", "nyc"]
})))]
pub struct NewContact<'a> {
    /// The contact to replace; left out for a new contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<values::ObjectId>)]
    pub id: Option<Cow<'a, ContactId>>,
    /// Full name, 1-200 characters, not blank.
    #[schema(value_type = String, min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: Cow<'a, str>,
    /// E-mail address (white space around it is trimmed).
    #[schema(value_type = values::EmailAddress)]
    pub email: Cow<'a, EmailAddress>,
    /// Role, at most 100 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub role: Option<Cow<'a, str>>,
    /// Search keywords, each not blank and at most 100 bytes; they are trimmed, de-duplicated
    /// and sorted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = keywords_input)]
    pub keywords: Option<Cow<'a, [String]>>,
}

/// The keywords of a contact as answered.
fn keywords() -> Array {
    ArrayBuilder::new()
        .items(values::text(KEYWORD_MAX).build())
        .description(Some("Search keywords: trimmed, each once, sorted."))
        .build()
}

/// The keywords of a contact as sent: `null` is the same as none.
fn keywords_input() -> Array {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(values::text(KEYWORD_MAX).build())
        .description(Some(
            "Search keywords, each not blank and at most 100 bytes; trimmed, de-duplicated and \
             sorted by the service.",
        ))
        .build()
}

impl<'a> From<&'a domain::Contact> for Contact<'a> {
    fn from(contact: &'a domain::Contact) -> Self {
        Self {
            id: Cow::Borrowed(&contact.id),
            name: Cow::Borrowed(&contact.name),
            email: Cow::Borrowed(&contact.email),
            role: contact.role.as_deref().map(Cow::Borrowed),
            keywords: Cow::Borrowed(&contact.keywords),
        }
    }
}

impl From<Contact<'_>> for domain::Contact {
    fn from(contact: Contact<'_>) -> Self {
        Self {
            id: contact.id.into_owned(),
            name: contact.name.into_owned(),
            email: contact.email.into_owned(),
            role: contact.role.map(Cow::into_owned),
            keywords: contact.keywords.into_owned(),
        }
    }
}

impl<'a> From<&'a domain::Contact> for NewContact<'a> {
    /// The contact as a client sends it back to replace it.
    fn from(contact: &'a domain::Contact) -> Self {
        Self {
            id: Some(Cow::Borrowed(&contact.id)),
            name: Cow::Borrowed(&contact.name),
            email: Cow::Borrowed(&contact.email),
            role: contact.role.as_deref().map(Cow::Borrowed),
            keywords: Some(Cow::Borrowed(&contact.keywords)),
        }
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::serde_json::{self, Value, json};
    use utoipa::PartialSchema as _;

    use super::*;

    fn contacts() -> Vec<domain::Contact> {
        let inputs = domain::ContactInput::parse_list(&json!([
            {"name": "Ana Smith", "email": " Ana@Example.COM ", "role": "manager",
             "keywords": [" nyc", "label", "nyc"]},
            {"name": "Bo", "email": "bo@example.com"},
        ]))
        .unwrap();
        inputs
            .into_iter()
            .zip(["65a1b2c3d4e5f60718293a50", "65a1b2c3d4e5f60718293a51"])
            .map(|(input, id)| input.into_contact(ContactId::parse(id).unwrap()))
            .collect()
    }

    #[test]
    fn the_answer_is_the_domains_wire_form_and_reads_back() {
        let contacts = contacts();
        for contact in &contacts {
            let answer = Contact::from(contact);
            assert_eq!(
                serde_json::to_value(&answer).unwrap(),
                serde_json::to_value(contact).unwrap()
            );
            let wire = serde_json::to_string(&answer).unwrap();
            let read: Contact<'_> = serde_json::from_str(&wire).unwrap();
            assert_eq!(&domain::Contact::from(read), contact);
        }
        assert_eq!(contacts[0].keywords, ["label", "nyc"]);
    }

    #[test]
    fn what_a_client_sends_the_domain_reads() {
        let contacts = contacts();
        let body: Vec<NewContact<'_>> = contacts.iter().map(NewContact::from).collect();
        let read = domain::ContactInput::parse_list(&serde_json::to_value(&body).unwrap()).unwrap();
        let back: Vec<domain::Contact> = read
            .into_iter()
            .map(|input| {
                let id = input.id.clone().unwrap();
                input.into_contact(id)
            })
            .collect();
        assert_eq!(back, contacts);
        let new = NewContact {
            id: None,
            name: "Cy".into(),
            email: Cow::Owned(EmailAddress::parse("cy@example.com").unwrap()),
            role: None,
            keywords: None,
        };
        let wire = serde_json::to_value([&new]).unwrap();
        assert_eq!(wire, json!([{"name": "Cy", "email": "cy@example.com"}]));
        assert_eq!(domain::ContactInput::parse_list(&wire).unwrap()[0].id, None);
    }

    #[test]
    fn the_examples_are_what_the_service_answers_and_reads() {
        let example = |schema: utoipa::openapi::RefOr<utoipa::openapi::Schema>| -> Value {
            serde_json::to_value(schema).unwrap()["examples"][0].clone()
        };
        let answer = example(Contact::schema());
        let contact =
            domain::Contact::from(serde_json::from_value::<Contact<'_>>(answer.clone()).unwrap());
        assert_eq!(serde_json::to_value(&contact).unwrap(), answer);
        let sent = example(NewContact::schema());
        serde_json::from_value::<NewContact<'_>>(sent.clone()).unwrap();
        domain::ContactInput::parse_list(&json!([sent])).unwrap();
        let schema = serde_json::to_value(NewContact::schema()).unwrap();
        assert_eq!(schema["required"], json!(["name", "email"]));
        assert_eq!(
            schema["properties"]["keywords"]["items"]["maxLength"],
            KEYWORD_MAX
        );
    }
}
