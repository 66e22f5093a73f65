//! The Rust client (`campaign-client`) against the real service: what it sends is what the
//! service accepts, what the service answers it reads, and its errors, tags and idempotent
//! retries behave as the contract says.

use std::borrow::Cow;

use campaign_client::{CampaignFilter, Client, ClientError, Idempotent, Locales, RetryPolicy};
use campaign_domain::paging::PageRequest;
use campaign_domain::values::{CampaignId, DomainName, HttpUrl, Locale};
use campaign_http_types::ErrorType;
use campaign_http_types::campaign_input::{CampaignPatch, NewCampaign};
use campaign_http_types::market::{MarketPatch, NewMarket};
use campaign_http_types::promoter::{NewPromoter, PrivacyUrl, PromoterPatch};

use crate::helpers::{TestApp, complete, market_doc, presale_campaign};

fn client(app: &TestApp, token: String) -> Client {
    Client::new(&app.url(""))
        .unwrap()
        .with_token(token)
        .with_retry(RetryPolicy::none())
}

fn new_promoter(name: &str) -> NewPromoter<'static> {
    NewPromoter {
        name: Cow::Owned(name.to_owned()),
        privacy_urls: vec![PrivacyUrl {
            locale: Cow::Owned(Locale::parse("en-US").unwrap()),
            url: Cow::Owned(HttpUrl::parse("https://promo.example.test/privacy").unwrap()),
            is_default: true,
        }],
    }
}

#[tokio::test]
async fn a_promoter_goes_through_its_life_with_the_client() {
    let app = TestApp::spawn().await;
    let client = client(&app, app.supreme_token());
    let promoters = client.promoters();

    let created = promoters
        .create(&new_promoter("Live Nation"), None)
        .await
        .unwrap();
    assert_eq!(created.value.name, "Live Nation");
    assert_eq!(created.etag.version(), Some(created.value.version));

    let read = promoters.get(&created.value.id).await.unwrap();
    assert_eq!(read, created);

    let rename = PromoterPatch {
        name: Some("LN".into()),
        ..PromoterPatch::default()
    };
    let renamed = promoters
        .update(&created.value.id, &rename, Some(&created.etag))
        .await
        .unwrap();
    assert_eq!(renamed.value.name, "LN");
    assert_eq!(renamed.value.privacy_urls, created.value.privacy_urls);
    assert_ne!(renamed.etag, created.etag);

    // A change based on the first read is refused, not applied over the rename.
    let stale = promoters
        .update(&created.value.id, &rename, Some(&created.etag))
        .await
        .unwrap_err();
    assert_eq!(stale.error_type(), Some(ErrorType::VersionConflict));

    let page = promoters.list(PageRequest::default()).await.unwrap();
    assert_eq!(page.pagination.total, 1);
    assert_eq!(page.promoters[0].name, "LN");

    promoters.delete(&created.value.id).await.unwrap();
    let gone = promoters.get(&created.value.id).await.unwrap_err();
    assert_eq!(gone.error_type(), Some(ErrorType::PromoterNotFound));
    app.shut_down().await;
}

#[tokio::test]
async fn a_retried_create_with_the_same_key_makes_one_promoter() {
    let app = TestApp::spawn().await;
    let client = client(&app, app.supreme_token());
    let key = Idempotent::key("create-live-nation-1");
    let first = client
        .promoters()
        .create(&new_promoter("Live Nation"), Some(key.clone()))
        .await
        .unwrap();
    let again = client
        .promoters()
        .create(&new_promoter("Live Nation"), Some(key.clone()))
        .await
        .unwrap();
    assert_eq!(again.value.id, first.value.id, "the first answer, replayed");
    let reused = client
        .promoters()
        .create(&new_promoter("Another"), Some(key))
        .await
        .unwrap_err();
    assert_eq!(reused.error_type(), Some(ErrorType::IdempotencyKeyReused));
    let page = client
        .promoters()
        .list(PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.pagination.total, 1);
    app.shut_down().await;
}

#[tokio::test]
async fn the_service_refusals_arrive_typed_with_their_details() {
    let app = TestApp::spawn().await;
    let user = client(&app, app.user_token("user-1", &[]));
    let refused = user
        .promoters()
        .list(PageRequest::default())
        .await
        .unwrap_err();
    assert_eq!(refused.error_type(), Some(ErrorType::SupremeUserRequired));

    let admin = client(&app, app.supreme_token());
    let blank = admin
        .promoters()
        .create(&new_promoter("   "), None)
        .await
        .unwrap_err();
    match blank {
        ClientError::Api { status, error, .. } => {
            assert_eq!(status, 400);
            assert_eq!(error.kind, ErrorType::ValidationError);
            assert_eq!(error.details.unwrap()[0].field, "name");
        }
        other => panic!("{other:?}"),
    }
    let anonymous = Client::new(&app.url(""))
        .unwrap()
        .with_retry(RetryPolicy::none());
    let id = campaign_domain::values::PromoterId::parse("65a1b2c3d4e5f60718293a4b").unwrap();
    assert_eq!(
        anonymous
            .promoters()
            .get(&id)
            .await
            .unwrap_err()
            .error_type(),
        Some(ErrorType::Unauthenticated)
    );
    app.shut_down().await;
}

#[tokio::test]
async fn markets_are_created_changed_copied_and_deleted_with_the_client() {
    let app = TestApp::spawn().await;
    let client = client(&app, app.supreme_token());
    let source = app.create_campaign(&presale_campaign("Spring Tour")).await;
    let source = CampaignId::parse(source["id"].as_str().unwrap()).unwrap();
    let target = app.create_campaign(&presale_campaign("Autumn Tour")).await;
    let target = CampaignId::parse(target["id"].as_str().unwrap()).unwrap();
    let markets = client.markets(&source);

    let body: NewMarket<'_> = serde_json::from_value(market_doc("NYC", &["E1", "E2"])).unwrap();
    let created = markets.create(&body, None).await.unwrap();
    assert_eq!(created.value.name, "NYC");
    assert_eq!(created.value.campaign_id.as_ref(), &source);

    let patch: MarketPatch<'_> =
        serde_json::from_value(serde_json::json!({"city": "Brooklyn", "population": null}))
            .unwrap();
    let changed = markets
        .update(&created.value.id, &patch, Some(&created.etag))
        .await
        .unwrap();
    assert_eq!(changed.value.city, "Brooklyn");
    assert_eq!(changed.value.population, None, "null removes the field");
    let stale = markets
        .update(&created.value.id, &patch, Some(&created.etag))
        .await
        .unwrap_err();
    assert_eq!(stale.error_type(), Some(ErrorType::VersionConflict));

    let copied = client
        .markets(&target)
        .clone_from(&source, None)
        .await
        .unwrap();
    assert_eq!(copied.cloned.len(), 1);
    assert!(copied.skipped.is_empty());
    assert_eq!(client.markets(&target).list().await.unwrap().len(), 1);

    markets.delete(&created.value.id).await.unwrap();
    assert!(markets.list().await.unwrap().is_empty());
    let gone = markets.get(&created.value.id).await.unwrap_err();
    assert_eq!(gone.error_type(), Some(ErrorType::MarketNotFound));
    app.shut_down().await;
}

#[tokio::test]
async fn a_campaign_is_created_read_changed_and_listed_with_the_client() {
    let app = TestApp::spawn().await;
    let client = client(&app, app.supreme_token());
    let campaigns = client.campaigns();

    let mut body = complete("Spring Tour");
    body["status"] = serde_json::json!("PREVIEW");
    let new: NewCampaign<'_> = serde_json::from_value(body).unwrap();
    let created = campaigns.create(&new, None).await.unwrap();
    assert_eq!(created.value.name, "Spring Tour");
    let id = created.value.id.clone().into_owned();

    let read = campaigns.get(&id, Locales::One("fr-FR")).await.unwrap();
    assert_eq!(read.etag, created.etag);
    assert_eq!(
        read.value
            .content
            .keys()
            .map(|l| l.as_str())
            .collect::<Vec<_>>(),
        ["fr-FR"],
        "one locale asked, one answered"
    );
    let all = campaigns.get(&id, Locales::All).await.unwrap();
    assert_eq!(all.value.content.len(), 2);

    let patch: CampaignPatch<'_> =
        serde_json::from_value(serde_json::json!({"tour": {"name": "Spring Tour 2030"}})).unwrap();
    let changed = campaigns
        .update(&id, &patch, Some(&created.etag))
        .await
        .unwrap();
    assert_eq!(changed.value.tour.name.as_deref(), Some("Spring Tour 2030"));
    let stale = campaigns
        .update(&id, &patch, Some(&created.etag))
        .await
        .unwrap_err();
    assert_eq!(stale.error_type(), Some(ErrorType::VersionConflict));

    let history = campaigns.status(&id).await.unwrap();
    assert_eq!(history.status, campaign_domain::status::Status::Preview);
    assert_eq!(
        history.status_history.last().map(|c| c.status),
        Some(campaign_domain::status::Status::Preview)
    );

    let preview = changed.value.domain.preview.clone().unwrap().into_owned();
    let public = campaigns
        .by_domain(&preview, Locales::Default, None)
        .await
        .unwrap();
    assert_eq!(public.name, "Spring Tour");

    let page = campaigns
        .list(&CampaignFilter {
            statuses: vec!["PREVIEW".to_owned()],
            ..CampaignFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(page.pagination.total, 1);
    assert_eq!(page.campaigns[0].id.as_ref(), &id);

    let summary = campaigns.refresh().await.unwrap();
    assert_eq!(summary.opened + summary.closed + summary.inactivated, 0);

    let unknown = DomainName::parse("nobody.example.test").unwrap();
    let missing = campaigns
        .by_domain(&unknown, Locales::Default, None)
        .await
        .unwrap_err();
    assert_eq!(missing.error_type(), Some(ErrorType::CampaignNotFound));
    app.shut_down().await;
}
