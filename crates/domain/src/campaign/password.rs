//! A campaign access password in plain text, as a client sends it: held only for the request
//! that carried it (to hash a new one, or to check one against the stored hash), and never
//! printed: its `Debug` shows `***`, and it has no `Display` and no `Serialize`.

use std::fmt;

use serde::Deserialize;

/// A plain-text campaign password. Compare it only through the application's hasher; read the
/// text with [`expose`](Self::expose) exactly where it is hashed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps the text a client sent.
    pub fn new(plain: impl Into<String>) -> Self {
        Self(plain.into())
    }

    /// The plain text, for hashing or verifying; never for logs or answers.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Password {
    fn from(plain: &str) -> Self {
        Self::new(plain)
    }
}

impl From<String> for Password {
    fn from(plain: String) -> Self {
        Self(plain)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::new("hunter2");
        assert_eq!(format!("{password:?}"), "***");
        assert_eq!(format!("{:?}", Some(password.clone())), "Some(***)");
        assert_eq!(format!("{password:#?}"), "***");
        assert_eq!(password.expose(), "hunter2");
    }

    #[test]
    fn it_reads_from_a_query_string_value() {
        let password: Password = serde_json::from_str("\"s3cret\"").unwrap();
        assert_eq!(password, Password::from("s3cret"));
    }
}
