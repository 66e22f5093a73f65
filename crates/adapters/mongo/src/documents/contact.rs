//! The `contacts` document: the contact's wire shape, its id as `_id`. Contacts have no
//! version (they are written with their campaign, ADR 0015).

use bson::oid::ObjectId;
use campaign_domain::contact::Contact;
use campaign_domain::values::{ContactId, EmailAddress};
use serde::{Deserialize, Serialize};

use super::{InvalidDocument, object_id, resource_id};

/// A stored contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ContactDocument {
    #[serde(rename = "_id")]
    id: ObjectId,
    name: String,
    email: EmailAddress,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

impl From<&Contact> for ContactDocument {
    fn from(contact: &Contact) -> Self {
        let Contact {
            id,
            name,
            email,
            role,
            keywords,
        } = contact;
        Self {
            id: object_id(id),
            name: name.clone(),
            email: email.clone(),
            role: role.clone(),
            keywords: keywords.clone(),
        }
    }
}

impl TryFrom<ContactDocument> for Contact {
    type Error = InvalidDocument;

    fn try_from(doc: ContactDocument) -> Result<Self, Self::Error> {
        Ok(Self {
            id: resource_id(doc.id, ContactId::parse)?,
            name: doc.name,
            email: doc.email,
            role: doc.role,
            keywords: doc.keywords,
        })
    }
}
