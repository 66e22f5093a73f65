//! Creates a promoter, renames it with `If-Match`, and shows a conflict when a stale tag is
//! used. Run it against a local service in dev mode:
//!
//! ```text
//! cargo run -p campaign-api &                      # dev mode prints a supreme token
//! CAMPAIGN_URL=http://127.0.0.1:8080 CAMPAIGN_TOKEN=<token> \
//!     cargo run -p campaign-client --example promoters
//! ```
#![allow(clippy::print_stdout, reason = "an example prints what it does")]

use campaign_client::{Client, ClientError};
use campaign_domain::values::{HttpUrl, Locale};
use campaign_http_types::ErrorType;
use campaign_http_types::promoter::{NewPromoter, PrivacyUrl, PromoterPatch};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("CAMPAIGN_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let token = std::env::var("CAMPAIGN_TOKEN").map_err(|_| "set CAMPAIGN_TOKEN")?;
    let client = Client::new(&url)?.with_token(token);

    let created = client
        .promoters()
        .create(
            &NewPromoter {
                name: "Example Promotions".into(),
                privacy_urls: vec![PrivacyUrl {
                    locale: std::borrow::Cow::Owned(Locale::parse("en-US")?),
                    url: std::borrow::Cow::Owned(HttpUrl::parse("https://example.com/privacy")?),
                    is_default: true,
                }],
            },
            None,
        )
        .await?;
    println!("created {} at {}", created.value.id, created.etag);

    let rename = PromoterPatch {
        name: Some("Example Presents".into()),
        ..PromoterPatch::default()
    };
    let renamed = client
        .promoters()
        .update(&created.value.id, &rename, Some(&created.etag))
        .await?;
    println!("renamed to {:?} at {}", renamed.value.name, renamed.etag);

    // The first tag is stale now: the service refuses instead of overwriting.
    match client
        .promoters()
        .update(&created.value.id, &rename, Some(&created.etag))
        .await
    {
        Err(ClientError::Api { error, .. }) if error.kind == ErrorType::VersionConflict => {
            println!("stale tag refused: {}", error.message);
        }
        other => println!("unexpected: {other:?}"),
    }
    client.promoters().delete(&created.value.id).await?;
    Ok(())
}
