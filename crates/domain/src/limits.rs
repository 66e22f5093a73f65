//! The bounds every request is held to (SPEC §4.1), the same in every store: how many entries a
//! list may hold, how deep a free-form JSON object may nest, and which keys it may use. Free-form
//! objects (`landing`, `confirmation`, a preference's `initial_value`) are stored as they are,
//! so keys that a document database reads as operators (`$…`) or paths (`a.b`) are refused
//! here rather than left for one store to reject and another to accept.

use serde_json::Value;

use crate::error::ValidationErrors;

/// Most entries of an id list in a request: a market's `event.ids`, `event.category_ids` and
/// `promoterIds`; a campaign's `eventIds`, `contacts` and `linkedCampaignIds`.
pub const LIST_MAX: usize = 100;

/// Deepest nesting of a free-form JSON object (the object itself is level 1).
pub const FREE_FORM_DEPTH_MAX: usize = 32;

/// Records under `path` every way `value`, a free-form JSON value, breaks the bounds: nesting
/// deeper than [`FREE_FORM_DEPTH_MAX`] levels of objects and arrays, or an object key that is
/// empty, starts with `$` or contains `.`. Each bad key is reported at its own path.
///
/// ```
/// use campaign_domain::ValidationErrors;
/// use campaign_domain::limits::check_free_form;
/// use campaign_domain::serde_json::json;
///
/// let mut e = ValidationErrors::new();
/// check_free_form(&json!({"hero": {"title": "Hi", "$where": 1, "a.b": 2}}), "landing", &mut e);
/// let fields: Vec<_> = e.fields().iter().map(|f| f.field.as_str()).collect();
/// assert_eq!(fields, ["landing.hero.$where", "landing.hero.a.b"]);
/// ```
pub fn check_free_form(value: &Value, path: &str, errors: &mut ValidationErrors) {
    // An explicit stack instead of recursion: the depth of a hostile document must not decide
    // the depth of our call stack.
    let mut stack: Vec<(&Value, String, usize)> = vec![(value, path.to_owned(), 1)];
    let mut too_deep_reported = false;
    while let Some((value, path, depth)) = stack.pop() {
        let children: Vec<(&Value, String)> = match value {
            Value::Object(map) => {
                let mut keys: Vec<(&Value, String)> = Vec::with_capacity(map.len());
                for (key, child) in map {
                    let child_path = format!("{path}.{key}");
                    if key.is_empty() || key.starts_with('$') || key.contains('.') {
                        errors.add(
                            child_path.clone(),
                            "keys must be non-empty and must neither start with '$' nor contain '.'",
                        );
                    }
                    keys.push((child, child_path));
                }
                keys
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, child)| (child, format!("{path}[{i}]")))
                .collect(),
            _ => continue,
        };
        if depth > FREE_FORM_DEPTH_MAX {
            if !too_deep_reported {
                errors.add(
                    path,
                    format!("must not nest more than {FREE_FORM_DEPTH_MAX} levels deep"),
                );
                too_deep_reported = true;
            }
            continue;
        }
        // Reversed, so entries are reported in document order.
        for (child, child_path) in children.into_iter().rev() {
            stack.push((child, child_path, depth + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn nested(levels: usize) -> Value {
        let mut v = json!("leaf");
        for _ in 0..levels {
            v = json!({ "k": v });
        }
        v
    }

    fn fields(value: &Value) -> Vec<String> {
        let mut e = ValidationErrors::new();
        check_free_form(value, "landing", &mut e);
        e.fields().iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn depth_is_bounded_at_32_levels() {
        assert!(fields(&nested(FREE_FORM_DEPTH_MAX)).is_empty());
        let too_deep = fields(&nested(FREE_FORM_DEPTH_MAX + 1));
        assert_eq!(too_deep.len(), 1, "{too_deep:?}");
        assert!(too_deep[0].starts_with("landing.k"));
        // Arrays count as levels too.
        let mut v = json!(1);
        for _ in 0..=FREE_FORM_DEPTH_MAX {
            v = json!([v]);
        }
        assert_eq!(fields(&v).len(), 1);
        // A hostile depth (serde_json's parser stops at 128) is reported once.
        assert_eq!(fields(&nested(120)).len(), 1);
    }

    #[test]
    fn operator_and_path_keys_are_refused_wherever_they_are() {
        let v =
            json!({"ok": [{"$gt": 1}], "x": {"y.z": 1, "": 2}, "fine_key-1": {"a": "$not a key"}});
        // Sorted: key order follows serde_json's map (sorted, or insertion order when a crate
        // of the build turns `preserve_order` on).
        let mut found = fields(&v);
        found.sort();
        assert_eq!(found, ["landing.ok[0].$gt", "landing.x.", "landing.x.y.z"]);
    }

    #[test]
    fn scalars_and_clean_objects_pass() {
        assert!(fields(&json!(null)).is_empty());
        assert!(fields(&json!("text with $ and .")).is_empty());
        assert!(fields(&json!({"title": "A.B", "items": [1, 2, {"k": "v"}]})).is_empty());
    }
}
