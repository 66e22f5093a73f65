//! The GitLab artist-extension store against stubs of the v4 repository files API.

use std::sync::Arc;
use std::time::Duration;

use campaign_adapter_http::{BaseUrl, CurrentSpan, GitLabArtistStore, GitLabSettings, Secret};
use campaign_domain::campaign::Campaign;
use campaign_domain::serde_json::{Value, json};
use campaign_domain::status::Status;
use campaign_domain::values::ArtistId;
use campaign_ports::testing::fixtures;
use campaign_ports::{ArtistExtensionFile, ArtistExtensionStore};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{assert_permanent, assert_transient, closed_port_url, quick};

const TOKEN: &str = "glpat-s3cr3t";
/// `group/campaign-config` and `artists/K8vZ917G7x0.json`, each encoded as one segment.
const FILE_PATH: &str =
    "/api/v4/projects/group%2Fcampaign-config/repository/files/artists%2FK8vZ917G7x0.json";

fn store(base: &str) -> GitLabArtistStore {
    GitLabArtistStore::new(
        &GitLabSettings {
            base_url: BaseUrl::parse(base).unwrap(),
            token: Secret::new(TOKEN),
            project: "group/campaign-config".to_owned(),
            branch: "main".to_owned(),
            http: quick(),
        },
        Arc::new(CurrentSpan),
    )
    .unwrap()
}

fn open_campaign(name: &str) -> Campaign {
    let mut campaign = fixtures::campaign(name);
    campaign.status = Status::Open;
    campaign.date.opened = Some(fixtures::at_hours(1));
    campaign.date.close = Some(fixtures::at_hours(48));
    campaign
}

fn file() -> ArtistExtensionFile {
    ArtistExtensionFile {
        artist_id: ArtistId::parse("K8vZ917G7x0").unwrap(),
        campaigns: vec![
            open_campaign("Spring Tour"),
            fixtures::campaign("Next Tour"),
        ],
    }
}

/// GitLab's answer to a successful create or update.
fn committed(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"file_path": "artists/K8vZ917G7x0.json", "branch": "main"}))
}

fn on(verb: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(FILE_PATH))
        .and(header("PRIVATE-TOKEN", TOKEN))
}

#[tokio::test]
async fn an_existing_file_is_updated_with_the_active_campaigns() {
    let server = MockServer::start().await;
    on("PUT")
        .respond_with(committed(200))
        .expect(1)
        .mount(&server)
        .await;
    on("POST")
        .respond_with(committed(201))
        .expect(0)
        .mount(&server)
        .await;
    let file = file();
    store(&server.uri()).write(&file).await.unwrap();

    let requests = server.received_requests().await.unwrap();
    let body: Value = requests[0].body_json().unwrap();
    assert_eq!(body["branch"], "main");
    assert_eq!(
        body["commit_message"],
        "Update artist K8vZ917G7x0: 2 active campaign(s)"
    );
    let content: Value =
        campaign_domain::serde_json::from_str(body["content"].as_str().unwrap()).unwrap();
    assert_eq!(content["artistId"], "K8vZ917G7x0");
    let campaigns = content["campaigns"].as_array().unwrap();
    assert_eq!(campaigns.len(), 2);
    let open = campaigns
        .iter()
        .find(|c| c["name"] == "Spring Tour")
        .unwrap();
    let expected = &file.campaigns[0];
    assert_eq!(open["id"], expected.id.as_str());
    assert_eq!(open["status"], "OPEN");
    assert_eq!(
        open["domain"]["site"],
        expected.domain.site.as_ref().unwrap().as_str()
    );
    assert_eq!(open["date"]["opened"], "2026-01-01T01:00:00Z");
    assert_eq!(open["date"]["close"], "2026-01-03T00:00:00Z");
    // Ordered by id, so the same campaigns always give the same file.
    assert!(campaigns[0]["id"].as_str() < campaigns[1]["id"].as_str());
}

#[tokio::test]
async fn a_missing_file_is_created_after_a_404_of_the_update() {
    let server = MockServer::start().await;
    on("PUT")
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"message": "404 File Not Found"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    on("POST")
        .respond_with(committed(201))
        .expect(1)
        .mount(&server)
        .await;
    store(&server.uri()).write(&file()).await.unwrap();
}

#[tokio::test]
async fn a_missing_file_is_created_after_gitlabs_400_of_the_update() {
    let server = MockServer::start().await;
    on("PUT")
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "A file with this name doesn't exist"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    on("POST")
        .respond_with(committed(201))
        .expect(1)
        .mount(&server)
        .await;
    store(&server.uri()).write(&file()).await.unwrap();
}

#[tokio::test]
async fn a_create_that_loses_a_race_updates_again() {
    let server = MockServer::start().await;
    on("PUT")
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "A file with this name doesn't exist"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    on("POST")
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "A file with this name already exists"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    on("PUT")
        .respond_with(committed(200))
        .expect(1)
        .mount(&server)
        .await;
    store(&server.uri()).write(&file()).await.unwrap();
}

#[tokio::test]
async fn an_unknown_project_is_permanent_and_nothing_is_created() {
    let server = MockServer::start().await;
    on("PUT")
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"message": "404 Project Not Found"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    on("POST")
        .respond_with(committed(201))
        .expect(0)
        .mount(&server)
        .await;
    let error = store(&server.uri()).write(&file()).await.unwrap_err();
    assert_permanent(&error, "404", TOKEN);
}

#[tokio::test]
async fn a_refused_token_is_permanent_and_never_shown() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"message": "401 Unauthorized"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = store(&server.uri()).write(&file()).await.unwrap_err();
    assert_permanent(&error, "401", TOKEN);
}

#[tokio::test]
async fn a_429_is_retried_and_the_next_answer_used() {
    let server = MockServer::start().await;
    on("PUT")
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"message": "Retry later"}))
                .insert_header("Retry-After", "0"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    on("PUT")
        .respond_with(committed(200))
        .expect(1)
        .mount(&server)
        .await;
    store(&server.uri()).write(&file()).await.unwrap();
}

#[tokio::test]
async fn a_lasting_5xx_is_transient_after_the_retries() {
    let server = MockServer::start().await;
    on("PUT")
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .expect(3)
        .mount(&server)
        .await;
    let error = store(&server.uri()).write(&file()).await.unwrap_err();
    assert_transient(&error, "502", TOKEN);
}

#[tokio::test]
async fn a_timeout_is_transient() {
    let server = MockServer::start().await;
    on("PUT")
        .respond_with(committed(200).set_delay(Duration::from_secs(3)))
        .expect(3)
        .mount(&server)
        .await;
    let error = store(&server.uri()).write(&file()).await.unwrap_err();
    assert_transient(&error, "timed out", TOKEN);
}

#[tokio::test]
async fn a_connection_failure_is_transient() {
    let error = store(&closed_port_url()).write(&file()).await.unwrap_err();
    assert_transient(&error, "could not connect", TOKEN);
}

#[tokio::test]
async fn an_unexpected_answer_is_permanent() {
    let server = MockServer::start().await;
    on("PUT")
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"message": "You can only create or edit files when you are on a branch"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let error = store(&server.uri()).write(&file()).await.unwrap_err();
    assert_permanent(&error, "on a branch", TOKEN);
}
