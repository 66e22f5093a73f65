//! Connection settings: the URI and database from `CAMPAIGN_MONGODB_URI` /
//! `CAMPAIGN_MONGODB_DATABASE`, and the pool sizes and timeouts the service uses.

use std::time::Duration;

use mongodb::options::ClientOptions;

/// How to reach MongoDB and how the client's pool behaves.
///
/// Pool: the driver keeps one pool per server. `max_pool_size` bounds concurrent operations per
/// server (requests beyond it wait for a connection); `min_pool_size` keeps connections warm
/// so the first requests after a quiet period do not pay for new connections (the driver opens
/// at most two at a time, ECOSYSTEM.md). Timeouts are short so that an outage answers 503
/// quickly instead of holding requests: `server_selection_timeout` bounds how long an
/// operation waits for a usable server, `connect_timeout` how long one connection attempt
/// takes. Options given in the URI (`maxPoolSize=`, ...) win over these defaults.
#[derive(Clone, PartialEq, Eq)]
pub struct MongoSettings {
    /// `mongodb://` or `mongodb+srv://` URI; may carry credentials.
    pub uri: String,
    /// Database name.
    pub database: String,
    /// Most connections per server (default 50).
    pub max_pool_size: u32,
    /// Connections kept open per server (default 2).
    pub min_pool_size: u32,
    /// Longest wait for a usable server (default 3 s).
    pub server_selection_timeout: Duration,
    /// Longest connection attempt (default 3 s).
    pub connect_timeout: Duration,
}

impl MongoSettings {
    /// Settings for `uri` and `database` with the default pool and timeouts.
    pub fn new(uri: impl Into<String>, database: impl Into<String>) -> Self {
        Self {
            uri: uri.into(),
            database: database.into(),
            max_pool_size: 50,
            min_pool_size: 2,
            server_selection_timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(3),
        }
    }

    /// Whether `name` follows MongoDB's rules for database names: 1–63 bytes, none of
    /// `/\. "$` or NUL.
    pub fn valid_database_name(name: &str) -> bool {
        valid_database_name(name)
    }

    /// Applies the defaults that the URI did not set.
    pub(crate) fn apply(&self, options: &mut ClientOptions) {
        options
            .app_name
            .get_or_insert_with(|| "campaign-service".to_owned());
        options.max_pool_size.get_or_insert(self.max_pool_size);
        options.min_pool_size.get_or_insert(self.min_pool_size);
        options
            .server_selection_timeout
            .get_or_insert(self.server_selection_timeout);
        options.connect_timeout.get_or_insert(self.connect_timeout);
    }
}

impl std::fmt::Debug for MongoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MongoSettings")
            .field("uri", &without_credentials(&self.uri))
            .field("database", &self.database)
            .field("max_pool_size", &self.max_pool_size)
            .field("min_pool_size", &self.min_pool_size)
            .field("server_selection_timeout", &self.server_selection_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

/// `uri` with any `user:password@` replaced by `***@`.
pub(crate) fn without_credentials(uri: &str) -> String {
    match (uri.find("://"), uri.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}***{}", &uri[..scheme_end + 3], &uri[at..])
        }
        _ => uri.to_owned(),
    }
}

/// A parse error message that cannot leak the URI's password.
pub(crate) fn redacted(uri: &str, error: &mongodb::error::Error) -> String {
    let message = error.to_string();
    let password = uri
        .find("://")
        .and_then(|start| {
            let rest = &uri[start + 3..];
            let at = rest.rfind('@')?;
            let user_info = &rest[..at];
            user_info.split_once(':').map(|(_, p)| p.to_owned())
        })
        .filter(|p| !p.is_empty());
    let message = match password {
        Some(p) => message.replace(&p, "***"),
        None => message,
    };
    format!("{message} (uri: {})", without_credentials(uri))
}

/// MongoDB's rules for database names: not empty, under 64 bytes, none of `/\. "$` or NUL.
pub(crate) fn valid_database_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 64
        && !name
            .chars()
            .any(|c| matches!(c, '/' | '\\' | '.' | ' ' | '"' | '$' | '\0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show() {
        let s = MongoSettings::new("mongodb://app:s3cret@db.example:27017/x", "campaigns");
        let printed = format!("{s:?}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(
            printed.contains("mongodb://***@db.example:27017/x"),
            "{printed}"
        );
        assert_eq!(
            without_credentials("mongodb://127.0.0.1:27017"),
            "mongodb://127.0.0.1:27017"
        );
    }

    #[test]
    fn database_names_follow_mongodb_rules() {
        assert!(valid_database_name("campaigns"));
        assert!(valid_database_name("campaign_test_0a1b"));
        for bad in ["", "a.b", "a b", "a/b", "a$b", &"x".repeat(64)] {
            assert!(!valid_database_name(bad), "{bad:?}");
        }
    }
}
