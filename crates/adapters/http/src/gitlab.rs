//! The artist-extension config store: one JSON file per artist, `artists/<artistId>.json`, in a
//! GitLab project, written through the repository files API (v4):
//! `PUT {base}/api/v4/projects/{project}/repository/files/{path}` (update) and `POST` (create),
//! with the `PRIVATE-TOKEN` header and the body `{branch, content, commit_message}`; project and
//! path are URL-encoded as one segment each (`group%2Fproject`, `artists%2FK8vZ917G7x0.json`).
//!
//! A write updates first; when the file does not exist (404, or GitLab's 400 "A file with this
//! name doesn't exist") it creates it; when a create finds it exists after all (another replica
//! won the race: 400 "... already exists") it updates once more.
//!
//! The file lists the artist's active campaigns (those that are not INACTIVE), by id:
//! `{"artistId", "campaigns": [{"id", "name", "status", "domain": {"site", "preview"},
//! "date": {"open", "opened", "close", "closed", "presaleWindowStart", "presaleWindowEnd"}}]}`.

use std::sync::Arc;

use async_trait::async_trait;
use campaign_domain::campaign::{Campaign, Domains};
use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::serde_json;
use campaign_domain::status::Status;
use campaign_ports::{ArtistExtensionFile, ArtistExtensionStore, IntegrationError};
use reqwest::{Method, StatusCode};
use serde::Serialize;

use crate::outbound::{Answer, Outbound};
use crate::settings::{BaseUrl, HttpSettings, Secret};
use crate::trace::TraceContext;

/// Where the artist-extension files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitLabSettings {
    /// `CAMPAIGN_GITLAB_URL`, e.g. `https://gitlab.example.com`.
    pub base_url: BaseUrl,
    /// `CAMPAIGN_GITLAB_TOKEN`: a token with `api` (or `write_repository`) scope.
    pub token: Secret,
    /// `CAMPAIGN_GITLAB_PROJECT`: the numeric id or the plain path (`group/project`) of the
    /// project.
    pub project: String,
    /// `CAMPAIGN_GITLAB_BRANCH`: the branch committed to.
    pub branch: String,
    /// Timeouts and retries.
    pub http: HttpSettings,
}

/// Writes artist-extension files through the GitLab API.
#[derive(Clone)]
pub struct GitLabArtistStore {
    out: Outbound,
    base: BaseUrl,
    token: Secret,
    project: String,
    branch: String,
}

impl std::fmt::Debug for GitLabArtistStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitLabArtistStore")
            .field("base", &self.base.to_string())
            .field("project", &self.project)
            .field("branch", &self.branch)
            .finish_non_exhaustive()
    }
}

/// What a commit call ended in.
enum Commit {
    Done,
    /// Update of a file that does not exist.
    Missing,
    /// Create of a file that exists.
    Exists,
}

impl GitLabArtistStore {
    /// A store for `settings`, with `traceparent` headers from `trace`.
    ///
    /// # Errors
    /// `Permanent` when the HTTP client cannot be built.
    pub fn new(
        settings: &GitLabSettings,
        trace: Arc<dyn TraceContext>,
    ) -> Result<Self, IntegrationError> {
        Ok(Self {
            out: Outbound::new("gitlab", &settings.http, settings.token.clone(), trace)?,
            base: settings.base_url.clone(),
            token: settings.token.clone(),
            project: settings.project.clone(),
            branch: settings.branch.clone(),
        })
    }

    async fn commit(
        &self,
        method: Method,
        path: &str,
        body: &CommitBody<'_>,
    ) -> Result<Commit, IntegrationError> {
        let operation = if method == Method::PUT {
            "updateFile"
        } else {
            "createFile"
        };
        let url = self.base.endpoint(&[
            "api",
            "v4",
            "projects",
            &self.project,
            "repository",
            "files",
            path,
        ]);
        let answer = self
            .out
            .send(operation, |client| {
                client
                    .request(method.clone(), url.clone())
                    .header("PRIVATE-TOKEN", self.token.expose())
                    .json(body)
            })
            .await?;
        match answer.status {
            StatusCode::OK | StatusCode::CREATED => Ok(Commit::Done),
            StatusCode::NOT_FOUND if method == Method::PUT && !project_missing(&answer) => {
                Ok(Commit::Missing)
            }
            StatusCode::BAD_REQUEST if says(&answer, &["doesn't exist", "does not exist"]) => {
                Ok(Commit::Missing)
            }
            StatusCode::BAD_REQUEST if says(&answer, &["already exists"]) => Ok(Commit::Exists),
            _ => Err(self.out.refused(operation, &answer)),
        }
    }
}

/// Whether GitLab's error `message` contains one of `needles`.
fn says(answer: &Answer, needles: &[&str]) -> bool {
    let text = String::from_utf8_lossy(&answer.body).to_lowercase();
    needles.iter().any(|n| text.contains(n))
}

/// A 404 about the project, not the file (`{"message": "404 Project Not Found"}`): creating
/// the file will not help.
fn project_missing(answer: &Answer) -> bool {
    says(answer, &["project not found"])
}

#[async_trait]
impl ArtistExtensionStore for GitLabArtistStore {
    async fn write(&self, file: &ArtistExtensionFile) -> Result<(), IntegrationError> {
        let path = format!("artists/{}.json", file.artist_id);
        let content = file_content(file)
            .map_err(|e| self.out.permanent("write", &format!("cannot encode: {e}")))?;
        let body = CommitBody {
            branch: &self.branch,
            content: &content,
            commit_message: &format!(
                "Update artist {}: {} active campaign(s)",
                file.artist_id,
                file.campaigns.len()
            ),
        };
        match self.commit(Method::PUT, &path, &body).await? {
            Commit::Done => return Ok(()),
            Commit::Missing | Commit::Exists => {}
        }
        match self.commit(Method::POST, &path, &body).await? {
            Commit::Done => return Ok(()),
            Commit::Missing | Commit::Exists => {}
        }
        match self.commit(Method::PUT, &path, &body).await? {
            Commit::Done => Ok(()),
            Commit::Missing | Commit::Exists => Err(self.out.permanent(
                "write",
                "the file neither exists for an update nor is free for a create",
            )),
        }
    }
}

#[derive(Serialize)]
struct CommitBody<'a> {
    branch: &'a str,
    content: &'a str,
    commit_message: &'a str,
}

/// The file's JSON: pretty, campaigns ordered by id, a final newline.
pub fn file_content(file: &ArtistExtensionFile) -> Result<String, serde_json::Error> {
    let mut campaigns: Vec<Entry<'_>> = file.campaigns.iter().map(Entry::of).collect();
    campaigns.sort_by(|a, b| a.id.cmp(b.id));
    let mut text = serde_json::to_string_pretty(&Content {
        artist_id: file.artist_id.as_str(),
        campaigns,
    })?;
    text.push('\n');
    Ok(text)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Content<'a> {
    artist_id: &'a str,
    campaigns: Vec<Entry<'a>>,
}

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    name: &'a str,
    status: Status,
    domain: &'a Domains,
    date: Dates,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dates {
    #[serde(skip_serializing_if = "Option::is_none")]
    open: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opened: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    close: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    closed: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    presale_window_start: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    presale_window_end: Option<DateTime<Utc>>,
}

impl<'a> Entry<'a> {
    fn of(c: &'a Campaign) -> Self {
        Self {
            id: c.id.as_str(),
            name: &c.name,
            status: c.status,
            domain: &c.domain,
            date: Dates {
                open: c.date.open,
                opened: c.date.opened,
                close: c.date.close,
                closed: c.date.closed,
                presale_window_start: c.date.presale_window_start,
                presale_window_end: c.date.presale_window_end,
            },
        }
    }
}
