//! Paging of list answers (SPEC §4): zero-based pages of 1-100 items.

use campaign_domain::paging as domain;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a page is in the whole list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Zero-based page number.
    pub page: u32,
    /// Items per page (1-100).
    #[schema(minimum = 1, maximum = 100)]
    pub page_size: u32,
    /// Items across all pages.
    pub total: u64,
}

impl From<domain::Pagination> for Pagination {
    fn from(p: domain::Pagination) -> Self {
        Self {
            page: p.page,
            page_size: p.page_size,
            total: p.total,
        }
    }
}
