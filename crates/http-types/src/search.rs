//! Artist and venue search through the ticketing platform's Discovery API (`GET /artists`,
//! `GET /venues`): the summaries as the service answers (and caches) them.

use std::borrow::Cow;

use campaign_domain::search as domain;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::paging::Pagination;

/// An artist found by a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({
    "id": "K8vZ9171oZ7",
    "name": "Artist",
    "imageUrl": "https://s1.ticketm.net/dam/a/1.jpg",
    "url": "https://www.ticketmaster.com/artist/1"
})))]
pub struct ArtistSummary<'a> {
    /// Discovery attraction id.
    #[schema(value_type = String)]
    pub id: Cow<'a, str>,
    /// Name.
    #[schema(value_type = String)]
    pub name: Cow<'a, str>,
    /// Best image, as the Discovery API gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable = false)]
    pub image_url: Option<Cow<'a, str>>,
    /// Artist page, as the Discovery API gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable = false)]
    pub url: Option<Cow<'a, str>>,
}

/// A venue found by a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(examples(json!({
    "id": "KovZpZA7AAEA",
    "name": "Madison Square Garden",
    "city": "New York",
    "state": "New York",
    "country": "US"
})))]
pub struct VenueSummary<'a> {
    /// Discovery venue id.
    #[schema(value_type = String)]
    pub id: Cow<'a, str>,
    /// Name.
    #[schema(value_type = String)]
    pub name: Cow<'a, str>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable = false)]
    pub city: Option<Cow<'a, str>>,
    /// State or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable = false)]
    pub state: Option<Cow<'a, str>>,
    /// Country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, nullable = false)]
    pub country: Option<Cow<'a, str>>,
}

/// `data` of `GET /artists`: one page of artists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArtistPage<'a> {
    /// The artists of this page.
    pub artists: Vec<ArtistSummary<'a>>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// `data` of `GET /venues`: one page of venues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VenuePage<'a> {
    /// The venues of this page.
    pub venues: Vec<VenueSummary<'a>>,
    /// Where this page is.
    pub pagination: Pagination,
}

impl<'a> From<&'a domain::ArtistSummary> for ArtistSummary<'a> {
    fn from(artist: &'a domain::ArtistSummary) -> Self {
        Self {
            id: Cow::Borrowed(&artist.id),
            name: Cow::Borrowed(&artist.name),
            image_url: artist.image_url.as_deref().map(Cow::Borrowed),
            url: artist.url.as_deref().map(Cow::Borrowed),
        }
    }
}

impl From<ArtistSummary<'_>> for domain::ArtistSummary {
    fn from(artist: ArtistSummary<'_>) -> Self {
        Self {
            id: artist.id.into_owned(),
            name: artist.name.into_owned(),
            image_url: artist.image_url.map(Cow::into_owned),
            url: artist.url.map(Cow::into_owned),
        }
    }
}

impl<'a> From<&'a domain::VenueSummary> for VenueSummary<'a> {
    fn from(venue: &'a domain::VenueSummary) -> Self {
        Self {
            id: Cow::Borrowed(&venue.id),
            name: Cow::Borrowed(&venue.name),
            city: venue.city.as_deref().map(Cow::Borrowed),
            state: venue.state.as_deref().map(Cow::Borrowed),
            country: venue.country.as_deref().map(Cow::Borrowed),
        }
    }
}

impl From<VenueSummary<'_>> for domain::VenueSummary {
    fn from(venue: VenueSummary<'_>) -> Self {
        Self {
            id: venue.id.into_owned(),
            name: venue.name.into_owned(),
            city: venue.city.map(Cow::into_owned),
            state: venue.state.map(Cow::into_owned),
            country: venue.country.map(Cow::into_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::serde_json;

    use super::*;

    #[test]
    fn the_answers_are_the_domains_wire_form_and_read_back() {
        for artist in [
            domain::ArtistSummary {
                id: "K8vZ9171oZ7".to_owned(),
                name: "Artist".to_owned(),
                image_url: Some("https://img.example/a.jpg".to_owned()),
                url: Some("https://tm.example/a".to_owned()),
            },
            domain::ArtistSummary {
                id: "K8vZ9171oZ8".to_owned(),
                name: "Other".to_owned(),
                image_url: None,
                url: None,
            },
        ] {
            let answer = ArtistSummary::from(&artist);
            assert_eq!(
                serde_json::to_value(&answer).unwrap(),
                serde_json::to_value(&artist).unwrap()
            );
            let wire = serde_json::to_string(&answer).unwrap();
            let read: ArtistSummary<'_> = serde_json::from_str(&wire).unwrap();
            assert_eq!(domain::ArtistSummary::from(read), artist);
        }
        for venue in [
            domain::VenueSummary {
                id: "KovZpZA7AAEA".to_owned(),
                name: "MSG".to_owned(),
                city: Some("New York".to_owned()),
                state: Some("NY".to_owned()),
                country: Some("US".to_owned()),
            },
            domain::VenueSummary {
                id: "KovZpZA7AAEB".to_owned(),
                name: "Hall".to_owned(),
                city: None,
                state: None,
                country: None,
            },
        ] {
            let answer = VenueSummary::from(&venue);
            assert_eq!(
                serde_json::to_value(&answer).unwrap(),
                serde_json::to_value(&venue).unwrap()
            );
            let wire = serde_json::to_string(&answer).unwrap();
            let read: VenueSummary<'_> = serde_json::from_str(&wire).unwrap();
            assert_eq!(domain::VenueSummary::from(read), venue);
        }
    }
}
