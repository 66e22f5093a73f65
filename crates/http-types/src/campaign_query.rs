//! The answers of the campaign queries of internal services: `GET /campaigns/ids` and
//! `GET /campaigns/categoryIds` (`GET /campaigns/eventIds` answers
//! [`EventIds`](crate::event::EventIds), `GET /campaigns/events` a
//! [`CampaignPage`](crate::campaign::CampaignPage)).

use std::borrow::Cow;

use campaign_domain::values::{CampaignId, CategoryId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::values;

/// `data` of `GET /campaigns/ids?categoryIds=`: the ids of the campaigns with one of those
/// category ids, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({"campaignIds": ["65a1b2c3d4e5f60718293a4b", "65a1b2c3d4e5f60718293a4c"]})))]
pub struct CampaignIds<'a> {
    /// Campaign ids, sorted.
    #[schema(value_type = Vec<values::ObjectId>)]
    pub campaign_ids: Cow<'a, [CampaignId]>,
}

/// `data` of `GET /campaigns/categoryIds`: the category ids of the campaigns whose presale
/// window overlaps the range, sorted, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(examples(json!({"categoryIds": ["KZFzniwnSyZfZ7v7nJ"]})))]
pub struct CategoryIds<'a> {
    /// Category ids, sorted, each once.
    #[schema(value_type = Vec<values::CategoryId>)]
    pub category_ids: Cow<'a, [CategoryId]>,
}

impl<'a> From<&'a [CampaignId]> for CampaignIds<'a> {
    fn from(ids: &'a [CampaignId]) -> Self {
        Self {
            campaign_ids: Cow::Borrowed(ids),
        }
    }
}

impl<'a> From<&'a [CategoryId]> for CategoryIds<'a> {
    fn from(ids: &'a [CategoryId]) -> Self {
        Self {
            category_ids: Cow::Borrowed(ids),
        }
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::serde_json::{self, json};

    use super::*;

    #[test]
    fn the_id_lists_have_the_wire_shape_and_read_back() {
        let ids = [CampaignId::parse("65a1b2c3d4e5f60718293a4b").unwrap()];
        let answer = CampaignIds::from(&ids[..]);
        let wire = serde_json::to_string(&answer).unwrap();
        assert_eq!(wire, r#"{"campaignIds":["65a1b2c3d4e5f60718293a4b"]}"#);
        assert_eq!(
            serde_json::from_str::<CampaignIds<'static>>(&wire).unwrap(),
            answer
        );
        let categories = [CategoryId::parse("c1").unwrap()];
        assert_eq!(
            serde_json::to_value(CategoryIds::from(&categories[..])).unwrap(),
            json!({"categoryIds": ["c1"]})
        );
    }
}
