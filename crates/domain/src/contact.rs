//! Campaign contacts (SPEC §7.8): people to reach about a campaign, searchable by name, e-mail
//! and keyword.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ValidationErrors;
use crate::reader::ObjectReader;
use crate::values::{ContactId, EmailAddress};

/// A contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Id.
    pub id: ContactId,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: EmailAddress,
    /// Role (e.g. `manager`, `label`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Search keywords.
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// A contact as a client sends it: without an id it is new, with one it replaces that contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactInput {
    /// The id to update, if any.
    pub id: Option<ContactId>,
    /// Full name.
    pub name: String,
    /// E-mail address.
    pub email: EmailAddress,
    /// Role.
    pub role: Option<String>,
    /// Keywords (trimmed, de-duplicated, non-empty).
    pub keywords: Vec<String>,
}

impl ContactInput {
    /// Parses the body of `POST /campaigns/{id}/contacts`: an array of contacts (at most 100).
    pub fn parse_list(body: &Value) -> Result<Vec<ContactInput>, ValidationErrors> {
        let Some(items) = body.as_array() else {
            return Err(ValidationErrors::single(
                "body",
                "must be an array of contacts",
            ));
        };
        let mut e = ValidationErrors::new();
        if items.len() > 100 {
            e.add("body", "must hold at most 100 contacts");
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("[{i}]");
            let c = ObjectReader::new(Some(item), &path, &mut e);
            let id = c.parsed("id", &mut e, ContactId::parse);
            let name = c.required_text("name", 200, &mut e);
            let email = c.required("email", &mut e, EmailAddress::parse);
            let role = c.text("role", 100, &mut e);
            let mut keywords: Vec<String> =
                c.array("keywords", &mut e, |v, path, e| match v.as_str() {
                    Some(s) if !s.trim().is_empty() && s.len() <= 100 => Some(s.trim().to_owned()),
                    _ => {
                        e.add(path, "must be a non-empty string of at most 100 characters");
                        None
                    }
                });
            keywords.sort();
            keywords.dedup();
            if let (Some(name), Some(email)) = (name, email) {
                out.push(ContactInput {
                    id,
                    name,
                    email,
                    role,
                    keywords,
                });
            }
        }
        e.into_result(out)
    }

    /// The contact this input describes, under `id`.
    pub fn into_contact(self, id: ContactId) -> Contact {
        Contact {
            id,
            name: self.name,
            email: self.email,
            role: self.role,
            keywords: self.keywords,
        }
    }
}

impl Contact {
    /// Whether `needle` (already lower-cased) occurs in the name, e-mail or a keyword.
    pub fn matches(&self, needle: &str) -> bool {
        self.name.to_lowercase().contains(needle)
            || self.email.as_str().to_lowercase().contains(needle)
            || self
                .keywords
                .iter()
                .any(|k| k.to_lowercase().contains(needle))
    }
}
