//! Tag listings shared by `organization.get_tags`, `projects.get_project_tags` and
//! `reports.get_tags`: distinct tags of the documents a filter selects, sorted.

use super::super::super::envelope::ApiError;
use super::super::super::query;
use super::super::super::store::{Coll, SqlFilter, Store};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The request's `filter: {tags, system_tags}` as list filters (the get_all semantics:
/// `-tag` excludes, `__$any`/`__$all` operators).
pub fn tags_filter(body: &Value) -> SqlFilter {
    let mut f = SqlFilter::default();
    for field in ["tags", "system_tags"] {
        if let Some(vals) = body
            .pointer(&format!("/filter/{field}"))
            .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
        {
            query::add_list_filter(&mut f, field, vals);
        }
    }
    f
}

/// The distinct tags (and with `include_system` the system tags) of the documents that
/// pass `filter`, sorted, as the real server's tag endpoints answer them.
pub fn distinct_tags(
    store: &Store,
    coll: Coll,
    filter: &SqlFilter,
    include_system: bool,
) -> Result<(BTreeSet<String>, BTreeSet<String>), ApiError> {
    let mut tags = BTreeSet::new();
    let mut system = BTreeSet::new();
    for d in store.select_all(coll, filter)? {
        let strings = |v: &Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        };
        tags.extend(strings(&d["tags"]));
        if include_system {
            system.extend(strings(&d["system_tags"]));
        }
    }
    Ok((tags, system))
}

/// `{"tags": [...]}` plus `system_tags` when asked for.
pub fn tags_answer(
    tags: BTreeSet<String>,
    system: BTreeSet<String>,
    include_system: bool,
) -> Value {
    let mut out = json!({"tags": tags});
    if include_system {
        out["system_tags"] = json!(system);
    }
    out
}
