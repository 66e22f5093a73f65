//! Query-string values shared by several use cases (paging, required text), turned into domain
//! values with every bad value reported under its parameter name.

use campaign_domain::ValidationErrors;
use campaign_domain::paging::{DEFAULT_PAGE_SIZE, PageRequest};

/// Parses an integer parameter, recording a failure under `field`.
fn integer(e: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Option<i64> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    match raw.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            e.add(field, "must be an integer");
            None
        }
    }
}

/// `page` and `pageSize` as a page request (SPEC §4: zero-based page, size 1-100, default 10),
/// failures recorded in `e`. Blank values count as absent.
pub(crate) fn page_request(
    e: &mut ValidationErrors,
    page: Option<&str>,
    page_size: Option<&str>,
) -> PageRequest {
    page_request_sized(e, page, page_size, DEFAULT_PAGE_SIZE)
}

/// [`page_request`] with another default page size: the one paging parser of every list.
pub(crate) fn page_request_sized(
    e: &mut ValidationErrors,
    page: Option<&str>,
    page_size: Option<&str>,
    default_size: u32,
) -> PageRequest {
    let page = integer(e, "page", page);
    let page_size = integer(e, "pageSize", page_size).or(Some(i64::from(default_size)));
    match PageRequest::new(page, page_size) {
        Ok(p) => p,
        Err(errors) => {
            e.extend_prefixed("", errors);
            PageRequest::default()
        }
    }
}

/// A whole-number parameter (`version`); blank is absent, anything else is reported on `field`.
pub(crate) fn whole_number(
    e: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
) -> Option<i64> {
    integer(e, field, raw)
}

/// An optional free-text parameter, trimmed; empty means absent; longer than `max` characters
/// is recorded in `e`.
pub(crate) fn text(
    e: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    let t = raw.map(str::trim).filter(|t| !t.is_empty())?;
    if t.chars().count() > max {
        e.add(field, format!("must be at most {max} characters"));
        return None;
    }
    Some(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_reports_bad_values() {
        let mut e = ValidationErrors::new();
        let p = page_request(&mut e, None, Some(" "));
        assert!(e.is_empty());
        assert_eq!((p.page(), p.page_size()), (0, 10));
        page_request(&mut e, Some("x"), Some("101"));
        assert!(e.contains("page") && e.contains("pageSize"));
    }

    #[test]
    fn blank_is_absent_on_every_list() {
        let mut e = ValidationErrors::new();
        let p = page_request_sized(&mut e, Some(""), Some(" "), 100);
        assert!(e.is_empty());
        assert_eq!((p.page(), p.page_size()), (0, 100));
        let p = page_request_sized(&mut e, Some("2"), Some("5"), 100);
        assert_eq!((p.page(), p.page_size()), (2, 5));
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let mut e = ValidationErrors::new();
        assert_eq!(text(&mut e, "q", Some("  a b "), 5), Some("a b".to_owned()));
        assert_eq!(text(&mut e, "q", Some("   "), 5), None);
        assert!(e.is_empty());
        assert_eq!(text(&mut e, "q", Some("abcdef"), 5), None);
        assert!(e.contains("q"));
    }
}
