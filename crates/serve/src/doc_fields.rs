//! Which `only_fields` paths name a field of a task or model document. The real server
//! resolves a projection against its document classes and answers an unknown name with
//! 400/14 `Cannot resolve field "<part>"`; this table describes the same documents.
//! Below a map (hyperparams, last_metrics, metadata, ...) any key is valid, as is any
//! path below a reference (project, models.*.model) in the `_ex` endpoints, which
//! dereference it; in `get_all` a reference is a plain id, so nothing lies below it.

use super::envelope::ApiError;
use super::store::Coll;

/// What a document field is, as far as a projection path is concerned.
#[derive(Clone, Copy)]
enum Kind {
    /// A scalar or a list of scalars: nothing below.
    Leaf,
    /// An id of another document.
    Ref,
    /// A free-form dict: any key below.
    Map,
    /// A document with known fields (a list of them resolves the same way).
    Doc(&'static [(&'static str, Kind)]),
}

use Kind::{Doc, Leaf, Map, Ref};

const OUTPUT: &[(&str, Kind)] = &[("destination", Leaf), ("error", Leaf), ("result", Leaf)];

const EXECUTION: &[(&str, Kind)] = &[
    ("test_split", Leaf),
    ("parameters", Map),
    ("model_desc", Map),
    ("model_labels", Map),
    ("framework", Leaf),
    ("artifacts", Map),
    ("queue", Ref),
];

const SCRIPT: &[(&str, Kind)] = &[
    ("binary", Leaf),
    ("repository", Leaf),
    ("tag", Leaf),
    ("branch", Leaf),
    ("version_num", Leaf),
    ("entry_point", Leaf),
    ("working_dir", Leaf),
    ("requirements", Map),
    ("diff", Leaf),
];

const MODEL_ITEM: &[(&str, Kind)] = &[("name", Leaf), ("model", Ref), ("updated", Leaf)];

const TASK_MODELS: &[(&str, Kind)] = &[("input", Doc(MODEL_ITEM)), ("output", Doc(MODEL_ITEM))];

const TASK: &[(&str, Kind)] = &[
    ("id", Leaf),
    ("company", Ref),
    ("user", Ref),
    ("name", Leaf),
    ("type", Leaf),
    ("status", Leaf),
    ("status_reason", Leaf),
    ("status_message", Leaf),
    ("status_changed", Leaf),
    ("comment", Leaf),
    ("report", Leaf),
    ("report_assets", Leaf),
    ("created", Leaf),
    ("started", Leaf),
    ("completed", Leaf),
    ("published", Leaf),
    ("active_duration", Leaf),
    ("parent", Ref),
    ("project", Ref),
    ("output", Doc(OUTPUT)),
    ("execution", Doc(EXECUTION)),
    ("tags", Leaf),
    ("system_tags", Leaf),
    ("script", Doc(SCRIPT)),
    ("last_worker", Leaf),
    ("last_worker_report", Leaf),
    ("last_update", Leaf),
    ("last_change", Leaf),
    ("last_changed_by", Leaf),
    ("last_iteration", Leaf),
    ("last_metrics", Map),
    ("unique_metrics", Leaf),
    ("metric_stats", Map),
    ("company_origin", Leaf),
    ("duration", Leaf),
    ("hyperparams", Map),
    ("configuration", Map),
    ("runtime", Map),
    ("models", Doc(TASK_MODELS)),
    ("container", Map),
    ("enqueue_status", Leaf),
];

const MODEL: &[(&str, Kind)] = &[
    ("id", Leaf),
    ("company", Ref),
    ("user", Ref),
    ("name", Leaf),
    ("parent", Ref),
    ("project", Ref),
    ("created", Leaf),
    ("task", Ref),
    ("comment", Leaf),
    ("tags", Leaf),
    ("system_tags", Leaf),
    ("uri", Leaf),
    ("framework", Leaf),
    ("design", Map),
    ("labels", Map),
    ("ready", Leaf),
    ("last_update", Leaf),
    ("last_change", Leaf),
    ("last_changed_by", Leaf),
    ("ui_cache", Map),
    ("company_origin", Leaf),
    ("metadata", Map),
    ("last_iteration", Leaf),
    ("last_metrics", Map),
    ("unique_metrics", Leaf),
];

fn lookup_error(part: &str) -> ApiError {
    ApiError::new(
        400,
        14,
        format!(
            "Lookup error (probably an invalid field name or unsupported nested field): err=Cannot resolve field \"{part}\""
        ),
    )
}

/// Check one projection path (`-` = exclusion) of a document of `coll`; `ex` = the
/// endpoint dereferences references. Collections without a table accept every path.
pub fn check_path(coll: Coll, path: &str, ex: bool) -> Result<(), ApiError> {
    let fields = match coll {
        Coll::Tasks => TASK,
        Coll::Models => MODEL,
        _ => return Ok(()),
    };
    let mut kind = Doc(fields);
    for part in path.strip_prefix('-').unwrap_or(path).split('.') {
        kind = match kind {
            Map => return Ok(()),
            Ref if ex => return Ok(()),
            Leaf | Ref => return Err(lookup_error(part)),
            Doc(fields) => match fields.iter().find(|(name, _)| *name == part) {
                Some((_, k)) => *k,
                None => return Err(lookup_error(part)),
            },
        };
    }
    Ok(())
}

/// Check every `only_fields` path of a request body.
pub fn check_only_fields(coll: Coll, body: &serde_json::Value, ex: bool) -> Result<(), ApiError> {
    for path in super::query::only_fields(body) {
        check_path(coll, &path, ex)?;
    }
    Ok(())
}

/// Check every `order_by` field of a request body: the real server hands them to the
/// database layer, which resolves them like a projection (400/14 for an unknown one).
/// `@text_score` and `$`-prefixed items are not document fields and are left alone.
pub fn check_order_by(coll: Coll, body: &serde_json::Value, ex: bool) -> Result<(), ApiError> {
    let Some(items) = body.get("order_by") else {
        return Ok(());
    };
    let items = match items {
        serde_json::Value::Array(a) => a.as_slice(),
        one => std::slice::from_ref(one),
    };
    for field in items.iter().filter_map(serde_json::Value::as_str) {
        let field = field.strip_prefix('+').unwrap_or(field);
        // A name with a NUL is refused as such by `query::build_order`.
        if field.is_empty()
            || field.starts_with('@')
            || field.starts_with('$')
            || field.contains('\0')
        {
            continue;
        }
        check_path(coll, field, ex)?;
    }
    Ok(())
}

/// Check the fields an `_any_`/`_all_` pattern search names: the real server resolves them
/// against the document (400/14 for an unknown one) unless a part starts with `_`, which
/// it passes to the database unchecked. Date searches skip fields that are not dates.
pub fn check_query_fields(coll: Coll, body: &serde_json::Value) -> Result<(), ApiError> {
    for key in ["_any_", "_all_"] {
        let Some(spec) = body.get(key) else { continue };
        let spec = super::query::multi_field_spec(key, spec)?;
        if !matches!(spec.cond, super::query::MultiCond::Pattern(_)) {
            continue;
        }
        for field in spec.fields.iter().filter(|f| !f.contains("._")) {
            check_path(coll, field, false)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subcode(coll: Coll, path: &str, ex: bool) -> Option<(u32, String)> {
        check_path(coll, path, ex).err().map(|e| (e.subcode, e.msg))
    }

    #[test]
    fn unknown_names_are_lookup_errors_naming_the_part() {
        let (sub, msg) = subcode(Coll::Tasks, "no_such_field", false).unwrap();
        assert_eq!(sub, 14);
        assert!(
            msg.ends_with("Cannot resolve field \"no_such_field\""),
            "{msg}"
        );
        // The pre-2.13 field is gone from the document.
        let (_, msg) = subcode(Coll::Tasks, "execution.model", true).unwrap();
        assert!(msg.ends_with("Cannot resolve field \"model\""), "{msg}");
        let (_, msg) = subcode(Coll::Models, "-nope", false).unwrap();
        assert!(msg.ends_with("\"nope\""), "{msg}");
    }

    #[test]
    fn references_resolve_below_only_where_they_are_dereferenced() {
        let (_, msg) = subcode(Coll::Tasks, "models.output.model.name", false).unwrap();
        assert!(msg.ends_with("Cannot resolve field \"name\""), "{msg}");
        assert!(subcode(Coll::Tasks, "models.output.model.name", true).is_none());
        assert!(subcode(Coll::Tasks, "project.name", true).is_none());
        assert!(subcode(Coll::Tasks, "name.x", true).is_some());
    }

    #[test]
    fn maps_and_known_paths_are_accepted() {
        for p in [
            "id",
            "models",
            "execution.artifacts",
            "hyperparams.Args.lr",
            "last_metrics.abc.def.value",
            "script.requirements.pip",
            "-execution.parameters",
            "runtime",
        ] {
            assert!(subcode(Coll::Tasks, p, false).is_none(), "{p}");
        }
        assert!(subcode(Coll::Models, "metadata.some key", false).is_none());
        assert!(subcode(Coll::Queues, "anything.at.all", false).is_none());
    }
}
