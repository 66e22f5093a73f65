//! Paging and sorting of list queries (SPEC §4: zero-based `page`, `pageSize` 1..=100,
//! default 10).

use serde::Serialize;

use crate::error::ValidationErrors;

/// Default page size.
pub const DEFAULT_PAGE_SIZE: u32 = 10;
/// Largest page size a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 100;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    page_size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 0,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// Accepts `page` ≥ 0 (≤ 1,000,000) and `page_size` in 1..=100; defaults 0 and 10.
    pub fn new(page: Option<i64>, page_size: Option<i64>) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let page = match page {
            None => 0,
            Some(p) if (0..=1_000_000).contains(&p) => p as u32,
            Some(_) => {
                e.add("page", "must be between 0 and 1000000");
                0
            }
        };
        let page_size = match page_size {
            None => DEFAULT_PAGE_SIZE,
            Some(s) if (1..=i64::from(MAX_PAGE_SIZE)).contains(&s) => s as u32,
            Some(_) => {
                e.add("pageSize", format!("must be between 1 and {MAX_PAGE_SIZE}"));
                DEFAULT_PAGE_SIZE
            }
        };
        e.into_result(Self { page, page_size })
    }

    /// Zero-based page number.
    pub fn page(self) -> u32 {
        self.page
    }

    /// Items per page.
    pub fn page_size(self) -> u32 {
        self.page_size
    }

    /// How many items come before this page.
    pub fn offset(self) -> u64 {
        u64::from(self.page) * u64::from(self.page_size)
    }
}

/// Page information of a list result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Zero-based page number.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
    /// Items across all pages.
    pub total: u64,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where this page sits.
    pub pagination: Pagination,
}

impl<T> Page<T> {
    /// Cuts `request`'s page out of the complete, already ordered `all`.
    pub fn from_all(all: Vec<T>, request: PageRequest) -> Self {
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(usize::try_from(request.offset()).unwrap_or(usize::MAX))
            .take(request.page_size() as usize)
            .collect();
        Self {
            items,
            pagination: Pagination {
                page: request.page(),
                page_size: request.page_size(),
                total,
            },
        }
    }

    /// Maps the items, keeping the page information.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            pagination: self.pagination,
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortDirection {
    /// Smallest first.
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

impl SortDirection {
    /// Parses `asc`/`desc` (also `1`/`-1`, `ascending`/`descending`).
    pub fn parse(raw: &str) -> Result<Self, crate::values::InvalidValue> {
        match raw.to_ascii_lowercase().as_str() {
            "asc" | "ascending" | "1" => Ok(Self::Ascending),
            "desc" | "descending" | "-1" => Ok(Self::Descending),
            _ => Err(crate::values::InvalidValue::new(
                "sortDirection must be asc or desc",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_request_defaults_and_bounds() {
        let d = PageRequest::new(None, None).unwrap();
        assert_eq!((d.page(), d.page_size()), (0, 10));
        assert_eq!(PageRequest::new(Some(2), Some(100)).unwrap().offset(), 200);
        let err = PageRequest::new(Some(-1), Some(101)).unwrap_err();
        assert!(err.contains("page") && err.contains("pageSize"));
        assert!(PageRequest::new(None, Some(0)).is_err());
    }

    #[test]
    fn from_all_cuts_pages_and_counts_total() {
        let p = Page::from_all(
            (0..25).collect(),
            PageRequest::new(Some(2), Some(10)).unwrap(),
        );
        assert_eq!(p.items, (20..25).collect::<Vec<_>>());
        assert_eq!(
            p.pagination,
            Pagination {
                page: 2,
                page_size: 10,
                total: 25
            }
        );
        let beyond = Page::from_all(
            (0..5).collect::<Vec<i32>>(),
            PageRequest::new(Some(9), None).unwrap(),
        );
        assert!(beyond.items.is_empty());
        assert_eq!(beyond.pagination.total, 5);
    }
}
