//! The one reader of query-string values. Each route's query DTO hands its raw values to a
//! [`QueryReader`], which turns them into the typed values the use cases take (`PageRequest`,
//! ids, statuses, dates, bounded text) and reports every bad value under its parameter name in a
//! single `VALIDATION_ERROR`. A value that is absent or blank (white space only) counts as
//! absent on every route (SPEC §4). What a use case checks beyond one value (how many ids, a
//! range's order, a search text once normalised) stays in the use case.

use campaign_domain::chrono::{DateTime, Utc};
use campaign_domain::paging::{DEFAULT_PAGE_SIZE, PageRequest};
use campaign_domain::values::{InvalidValue, parse_instant};
use campaign_domain::{DomainError, ValidationErrors};
use serde::Deserialize;

use crate::error::ApiError;

/// `?page=&pageSize=`: the query of the lists that take nothing else.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageQuery {
    page: Option<String>,
    page_size: Option<String>,
}

impl PageQuery {
    /// The page asked for (default size [`DEFAULT_PAGE_SIZE`]).
    pub(crate) fn read(&self) -> Result<PageRequest, ApiError> {
        let mut r = QueryReader::new();
        let page = r.page(self.page.as_deref(), self.page_size.as_deref());
        r.finish(page)
    }
}

/// `?q=&page=&pageSize=`: the query of the searches (artists, venues, contacts).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchQuery {
    q: Option<String>,
    page: Option<String>,
    page_size: Option<String>,
}

impl SearchQuery {
    /// The text (trimmed, at most `max` characters; blank is absent) and the page asked for.
    pub(crate) fn read(&self, max: usize) -> Result<(Option<String>, PageRequest), ApiError> {
        let mut r = QueryReader::new();
        let q = r.text("q", self.q.as_deref(), max);
        let page = r.page(self.page.as_deref(), self.page_size.as_deref());
        r.finish((q, page))
    }
}

/// Collects the typed values of one query string and the failures met on the way.
#[derive(Debug, Default)]
pub(crate) struct QueryReader {
    errors: ValidationErrors,
}

/// The value, unless it is absent or blank.
fn present(raw: Option<&str>) -> Option<&str> {
    raw.filter(|r| !r.trim().is_empty())
}

impl QueryReader {
    /// An empty reader.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// An optional value read by the domain's own `parse`; blank is absent.
    pub(crate) fn value<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        self.errors.check(field, present(raw), parse)
    }

    /// A value the route cannot do without, trimmed: absent or blank is reported as required.
    pub(crate) fn required<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Option<T> {
        let Some(raw) = present(raw) else {
            self.errors.add(field, "is required");
            return None;
        };
        self.value(field, Some(raw.trim()), parse)
    }

    /// A comma-separated list, each entry trimmed and read by `parse`; empty entries are
    /// skipped, and a value repeated is kept once (first position).
    pub(crate) fn list<T: PartialEq>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl Fn(&str) -> Result<T, InvalidValue>,
    ) -> Vec<T> {
        let mut items = Vec::new();
        for part in raw.unwrap_or_default().split(',').map(str::trim) {
            if let Some(item) = self.value(field, Some(part), &parse)
                && !items.contains(&item)
            {
                items.push(item);
            }
        }
        items
    }

    /// A whole number ≥ 0 (such as `version`); blank is absent.
    pub(crate) fn whole_number(&mut self, field: &str, raw: Option<&str>) -> Option<u64> {
        let raw = present(raw)?.trim();
        match raw.parse::<i64>() {
            Ok(n) => u64::try_from(n).ok().or_else(|| {
                self.errors.add(field, "must not be negative");
                None
            }),
            Err(_) => {
                self.errors.add(field, "must be an integer");
                None
            }
        }
    }

    /// Free text, trimmed, at most `max` characters; blank is absent.
    pub(crate) fn text(&mut self, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
        let text = present(raw)?.trim();
        if text.chars().count() > max {
            self.errors
                .add(field, format!("must be at most {max} characters"));
            return None;
        }
        Some(text.to_owned())
    }

    /// An RFC 3339 date-time, trimmed; blank is absent.
    pub(crate) fn instant(&mut self, field: &str, raw: Option<&str>) -> Option<DateTime<Utc>> {
        self.value(field, present(raw).map(str::trim), parse_instant)
    }

    /// `page` and `pageSize` (SPEC §4: zero-based page, size 1–100, default
    /// [`DEFAULT_PAGE_SIZE`]): the one paging reader of every list.
    pub(crate) fn page(&mut self, page: Option<&str>, page_size: Option<&str>) -> PageRequest {
        self.page_sized(page, page_size, DEFAULT_PAGE_SIZE)
    }

    /// [`page`](Self::page) with another default page size.
    pub(crate) fn page_sized(
        &mut self,
        page: Option<&str>,
        page_size: Option<&str>,
        default_size: u32,
    ) -> PageRequest {
        let page = self.integer("page", page);
        let page_size = self
            .integer("pageSize", page_size)
            .or(Some(i64::from(default_size)));
        match PageRequest::new(page, page_size) {
            Ok(p) => p,
            Err(errors) => {
                self.errors.extend_prefixed("", errors);
                PageRequest::default()
            }
        }
    }

    /// A signed integer; the range is the caller's to check.
    fn integer(&mut self, field: &str, raw: Option<&str>) -> Option<i64> {
        let raw = present(raw)?.trim();
        raw.parse::<i64>()
            .map_err(|_| self.errors.add(field, "must be an integer"))
            .ok()
    }

    /// `value` when every value read was good, else one `VALIDATION_ERROR` naming each bad one.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, ApiError> {
        self.errors
            .into_result(value)
            .map_err(|e| ApiError::Domain(DomainError::Validation(e)))
    }

    /// [`finish`](Self::finish) for a value built from a [`required`](Self::required) read of
    /// `field`: `required` reports every miss, so once `finish` passes the value is there (the
    /// `is required` answer below only restates that).
    pub(crate) fn finish_required<T>(self, field: &str, value: Option<T>) -> Result<T, ApiError> {
        self.finish(value)?
            .ok_or_else(|| ApiError::invalid(field, "is required"))
    }
}

#[cfg(test)]
mod tests {
    use campaign_domain::status::Status;
    use campaign_domain::values::CategoryId;

    use super::*;

    fn failed_fields<T: std::fmt::Debug>(result: Result<T, ApiError>) -> Vec<String> {
        match result {
            Err(ApiError::Domain(DomainError::Validation(e))) => {
                e.fields().iter().map(|f| f.field.clone()).collect()
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn paging_defaults_treats_blank_as_absent_and_reports_both_bad_values() {
        let mut r = QueryReader::new();
        let p = r.page(None, Some(" "));
        assert_eq!((p.page(), p.page_size()), (0, 10));
        let p = r.page_sized(Some(""), Some(" "), 100);
        assert_eq!((p.page(), p.page_size()), (0, 100));
        let p = r.page(Some(" 2 "), Some("5"));
        assert_eq!((p.page(), p.page_size()), (2, 5));
        assert!(r.finish(()).is_ok());

        let mut r = QueryReader::new();
        r.page(Some("x"), Some("101"));
        assert_eq!(failed_fields(r.finish(())), ["page", "pageSize"]);
        let mut r = QueryReader::new();
        r.page(Some("-1"), Some("0"));
        assert_eq!(failed_fields(r.finish(())), ["page", "pageSize"]);
    }

    #[test]
    fn text_is_trimmed_bounded_and_blank_is_absent() {
        let mut r = QueryReader::new();
        assert_eq!(r.text("q", Some("  a b "), 3).as_deref(), Some("a b"));
        assert_eq!(r.text("q", Some("   "), 3), None);
        assert_eq!(r.text("q", None, 3), None);
        assert!(r.finish(()).is_ok());
        let mut r = QueryReader::new();
        assert_eq!(r.text("q", Some("abcd"), 3), None);
        r.page(Some("x"), None);
        assert_eq!(failed_fields(r.finish(())), ["q", "page"]);
    }

    #[test]
    fn whole_numbers_refuse_signs_and_words() {
        let mut r = QueryReader::new();
        assert_eq!(r.whole_number("version", Some(" 3")), Some(3));
        assert_eq!(r.whole_number("version", Some("")), None);
        assert!(r.finish(()).is_ok());
        for bad in ["-1", "x", "1.5"] {
            let mut r = QueryReader::new();
            assert_eq!(r.whole_number("version", Some(bad)), None);
            assert_eq!(failed_fields(r.finish(())), ["version"], "{bad}");
        }
    }

    #[test]
    fn lists_skip_empty_entries_keep_each_value_once_and_report_bad_ones() {
        let mut r = QueryReader::new();
        let ids = r.list("categoryIds", Some(" a, ,b,a,"), CategoryId::parse);
        let names: Vec<&str> = ids.iter().map(CategoryId::as_str).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(r.finish(()).is_ok());
        let mut r = QueryReader::new();
        r.list("categoryIds", Some("a,b c"), CategoryId::parse);
        assert_eq!(failed_fields(r.finish(())), ["categoryIds"]);
    }

    #[test]
    fn required_values_name_what_is_missing_and_every_bad_value_is_reported() {
        let mut r = QueryReader::new();
        assert_eq!(
            r.value("status", Some("open"), str::parse::<Status>),
            Some(Status::Open)
        );
        assert_eq!(r.value("status", Some(" "), str::parse::<Status>), None);
        assert!(r.finish(()).is_ok());
        let mut r = QueryReader::new();
        let padded = r.required("categoryId", Some(" c1 "), CategoryId::parse);
        assert_eq!(padded.as_ref().map(CategoryId::as_str), Some("c1"));
        assert!(r.finish(()).is_ok());
        let mut r = QueryReader::new();
        assert_eq!(r.required("eventId", Some("  "), CategoryId::parse), None);
        assert_eq!(r.value("status", Some("shut"), str::parse::<Status>), None);
        assert_eq!(r.instant("until", Some("yesterday")), None);
        assert_eq!(failed_fields(r.finish(())), ["eventId", "status", "until"]);
    }

    #[test]
    fn instants_are_rfc_3339() {
        let mut r = QueryReader::new();
        let at = r.instant("until", Some(" 2030-01-01T00:00:00Z "));
        assert_eq!(
            at.map(|t| t.to_rfc3339()).as_deref(),
            Some("2030-01-01T00:00:00+00:00")
        );
        assert!(r.finish(()).is_ok());
    }
}
