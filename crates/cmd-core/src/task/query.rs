//! `task list`: from flags to a `tasks.get_all_ex` body, and from columns to `only_fields`
//! and cell values. Pure functions; no I/O.

use serde_json::{Map, Value, json};

pub use crate::chart::fmt_f64;
use crate::error::CliError;

/// A column of `task list`.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// A plain task field: header, JSON key, server field(s) to ask for.
    Field(FieldCol),
    /// `metric:Title/Series` — the last reported value (and min/max in JSON). Titles may
    /// contain '/' (`train/loss/total`), so the path is kept whole and matched per task.
    Metric { path: String },
    /// `param:Section/name` — a hyperparameter value.
    Param { section: String, name: String },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldCol {
    pub key: &'static str,
    pub header: &'static str,
    pub only_fields: &'static [&'static str],
}

/// Every plain column `--columns` accepts (key first, then aliases by header).
pub const FIELDS: &[FieldCol] = &[
    FieldCol {
        key: "id",
        header: "id",
        only_fields: &["id"],
    },
    FieldCol {
        key: "name",
        header: "name",
        only_fields: &["name"],
    },
    FieldCol {
        key: "project",
        header: "project",
        only_fields: &["project.name"],
    },
    FieldCol {
        key: "status",
        header: "status",
        only_fields: &["status"],
    },
    FieldCol {
        key: "type",
        header: "type",
        only_fields: &["type"],
    },
    FieldCol {
        key: "user",
        header: "user",
        only_fields: &["user.name"],
    },
    FieldCol {
        key: "created",
        header: "created",
        only_fields: &["created"],
    },
    FieldCol {
        key: "started",
        header: "started",
        only_fields: &["started"],
    },
    FieldCol {
        key: "completed",
        header: "completed",
        only_fields: &["completed"],
    },
    FieldCol {
        key: "last_update",
        header: "updated",
        only_fields: &["last_update"],
    },
    FieldCol {
        key: "last_iteration",
        header: "iteration",
        only_fields: &["last_iteration"],
    },
    FieldCol {
        key: "tags",
        header: "tags",
        only_fields: &["tags"],
    },
    FieldCol {
        key: "parent",
        header: "parent",
        only_fields: &["parent"],
    },
    FieldCol {
        key: "queue",
        header: "queue",
        only_fields: &["execution.queue"],
    },
    FieldCol {
        key: "comment",
        header: "comment",
        only_fields: &["comment"],
    },
    FieldCol {
        key: "status_message",
        header: "status message",
        only_fields: &["status_message"],
    },
];

pub const DEFAULT_COLUMNS: &[&str] = &[
    "id",
    "name",
    "project",
    "status",
    "type",
    "user",
    "last_update",
];

/// Parse `--columns` (empty = the defaults).
pub fn parse_columns(specs: &[String]) -> Result<Vec<Column>, CliError> {
    let specs: Vec<String> = if specs.is_empty() {
        DEFAULT_COLUMNS.iter().map(|s| s.to_string()).collect()
    } else {
        specs
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    specs.iter().map(|s| parse_column(s)).collect()
}

fn parse_column(spec: &str) -> Result<Column, CliError> {
    if let Some(rest) = spec.strip_prefix("metric:") {
        if split_pair(rest).is_none() {
            return Err(CliError::usage(format!("bad column '{spec}'"))
                .with_hint("write metric:Title/Series, e.g. metric:loss/train"));
        }
        return Ok(Column::Metric {
            path: rest.to_string(),
        });
    }
    if let Some(rest) = spec.strip_prefix("param:") {
        let (section, name) = split_pair(rest).ok_or_else(|| {
            CliError::usage(format!("bad column '{spec}'"))
                .with_hint("write param:Section/name, e.g. param:Args/lr")
        })?;
        return Ok(Column::Param { section, name });
    }
    let lower = spec.to_lowercase();
    FIELDS
        .iter()
        .find(|f| f.key == lower || f.header == lower)
        .map(|f| Column::Field(*f))
        .ok_or_else(|| {
            let known: Vec<&str> = FIELDS.iter().map(|f| f.key).collect();
            CliError::usage(format!("unknown column '{spec}'")).with_hint(format!(
                "use one of {}, metric:Title/Series or param:Section/name",
                known.join(", ")
            ))
        })
}

/// `Title/Series`: split at the first '/'. Series may itself contain '/'.
fn split_pair(s: &str) -> Option<(String, String)> {
    let (a, b) = s.split_once('/')?;
    if a.is_empty() || b.is_empty() {
        return None;
    }
    Some((a.to_string(), b.to_string()))
}

impl Column {
    pub fn header(&self) -> String {
        match self {
            Column::Field(f) => f.header.to_string(),
            Column::Metric { path } => path.clone(),
            Column::Param { section, name } => format!("{section}/{name}"),
        }
    }
}

/// The projection to ask the server for: only what the columns show (plus `id`).
pub fn only_fields(columns: &[Column]) -> Vec<String> {
    let mut fields = vec!["id".to_string()];
    for c in columns {
        let wanted: Vec<String> = match c {
            Column::Field(f) => f.only_fields.iter().map(|s| s.to_string()).collect(),
            // The server keys last_metrics by md5(title)/md5(series).
            Column::Metric { path } => metric_splits(path)
                .map(|(title, series)| {
                    format!("last_metrics.{}.{}", md5_hex(title), md5_hex(series))
                })
                .collect(),
            Column::Param { section, .. } => vec![format!("hyperparams.{section}")],
        };
        for w in wanted {
            if !fields.contains(&w) {
                fields.push(w);
            }
        }
    }
    fields
}

pub fn md5_hex(s: &str) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(s.as_bytes()))
}

/// The filters of `task list` after names were resolved to ids.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub project_ids: Vec<String>,
    pub recursive: bool,
    pub status: Vec<String>,
    pub types: Vec<String>,
    pub tags: Vec<String>,
    pub user_ids: Vec<String>,
    pub name_regex: Option<String>,
    pub search: Option<String>,
    pub archived: bool,
    /// ISO 8601 bounds on `created`.
    pub since: Option<String>,
    pub until: Option<String>,
    /// ISO 8601 upper bound on `last_update` (`--older-than`).
    pub updated_before: Option<String>,
    pub order_by: Vec<String>,
}

/// The request body for `tasks.get_all_ex` (paging fields are added by the pager).
pub fn list_body(f: &Filters, only: &[String]) -> Value {
    let mut m = Map::new();
    m.insert("only_fields".into(), json!(only));
    if !f.project_ids.is_empty() {
        m.insert("project".into(), json!(f.project_ids));
        if f.recursive {
            m.insert("include_subprojects".into(), json!(true));
        }
    }
    for (key, values) in [
        ("status", &f.status),
        ("type", &f.types),
        ("tags", &f.tags),
        ("user", &f.user_ids),
    ] {
        if !values.is_empty() {
            m.insert(key.into(), json!(values));
        }
    }
    if let Some(n) = &f.name_regex {
        m.insert("name".into(), json!(n));
    }
    if let Some(s) = &f.search {
        m.insert("search_text".into(), json!(s));
    }
    let archived = if f.archived { "archived" } else { "-archived" };
    m.insert("system_tags".into(), json!([archived]));
    if f.since.is_some() || f.until.is_some() {
        m.insert("created".into(), json!([f.since, f.until]));
    }
    if let Some(before) = &f.updated_before {
        // A date range on the real server's `last_update` (one of its datetime fields).
        m.insert("last_update".into(), json!([null, before]));
    }
    let order = if f.order_by.is_empty() {
        vec!["-last_update".to_string()]
    } else {
        f.order_by.clone()
    };
    m.insert("order_by".into(), json!(order));
    Value::Object(m)
}

/// `--since/--until`: RFC 3339, a date (YYYY-MM-DD), or a duration meaning "that long ago".
pub fn parse_time_bound(s: &str, now: chrono::DateTime<chrono::Utc>) -> Result<String, CliError> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(format!("{d}T00:00:00Z"));
    }
    if let Ok(ago) = crate::parse_duration("", s) {
        let t = now - chrono::Duration::from_std(ago).unwrap_or_default();
        return Ok(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    Err(CliError::usage(format!("cannot read the time '{s}'"))
        .with_hint("use 2026-11-27, 2026-11-27T10:00:00Z, or a duration like 2d or 12h"))
}

/// `--sort FIELD` / `-FIELD`: column keys map to server fields.
pub fn order_by(sort: Option<&str>) -> Result<Vec<String>, CliError> {
    let Some(sort) = sort else {
        return Ok(vec![]);
    };
    let (desc, field) = match sort.strip_prefix('-') {
        Some(f) => (true, f),
        None => (false, sort),
    };
    let server_field = match parse_column(field)? {
        Column::Field(f) => match f.key {
            "project" => "project".to_string(),
            "user" => "user".to_string(),
            "queue" => "execution.queue".to_string(),
            k => k.to_string(),
        },
        // The server sorts by one field: the split with the longest title.
        Column::Metric { path } => {
            let (title, series) = metric_splits(&path).next().unwrap_or((&path, ""));
            format!("last_metrics.{}.{}.value", md5_hex(title), md5_hex(series))
        }
        Column::Param { section, name } => format!("hyperparams.{section}.{name}.value"),
    };
    Ok(vec![if desc {
        format!("-{server_field}")
    } else {
        server_field
    }])
}

/// A joined reference (`{"id", "name"}` from `_ex`) or a bare id string.
pub fn ref_name(v: &Value) -> String {
    match v {
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .or_else(|| o.get("id").and_then(Value::as_str))
            .unwrap_or("")
            .to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

pub fn ref_id(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Every way to cut `a/b/c` into a title and a series, the longest title first.
pub fn metric_splits(path: &str) -> impl Iterator<Item = (&str, &str)> {
    path.rmatch_indices('/')
        .map(|(i, _)| (&path[..i], &path[i + 1..]))
        .filter(|(t, s)| !t.is_empty() && !s.is_empty())
}

/// The last_metrics entry named by `title/series` where the title itself may contain '/':
/// the split with the longest title that the task has.
pub fn metric_entry_by_path<'a>(task: &'a Value, path: &str) -> Option<&'a Value> {
    metric_splits(path).find_map(|(title, series)| metric_entry(task, title, series))
}

/// `--plot` spec against the metric names known from the tasks: a whole title, or the
/// longest known title followed by `/series`; unknown names split at the first '/'.
pub fn resolve_plot_metric<'a>(known_titles: &[&str], spec: &'a str) -> (&'a str, Option<&'a str>) {
    if known_titles.contains(&spec) {
        return (spec, None);
    }
    if let Some((title, series)) = metric_splits(spec).find(|(t, _)| known_titles.contains(t)) {
        return (title, Some(series));
    }
    match spec.split_once('/') {
        Some((t, s)) => (t, Some(s)),
        None => (spec, None),
    }
}

/// The last_metrics entry for a title/series, found by hash or by its own names.
pub fn metric_entry<'a>(task: &'a Value, title: &str, series: &str) -> Option<&'a Value> {
    let lm = task.get("last_metrics")?;
    if let Some(e) = lm.get(md5_hex(title)).and_then(|m| m.get(md5_hex(series))) {
        return Some(e);
    }
    lm.as_object()?.values().find_map(|variants| {
        variants.as_object()?.values().find(|e| {
            e.get("metric").and_then(Value::as_str) == Some(title)
                && e.get("variant").and_then(Value::as_str) == Some(series)
        })
    })
}

pub fn param_value(task: &Value, section: &str, name: &str) -> Option<String> {
    let v = task
        .get("hyperparams")?
        .get(section)?
        .get(name)?
        .get("value")?;
    Some(match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// A number as people read it: integers without ".0", others with up to 6 significant
/// decimals.
pub fn fmt_number(v: &Value) -> String {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(f) = n.as_f64() {
                fmt_f64(f)
            } else {
                n.to_string()
            }
        }
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A server timestamp shortened for a table: `2026-11-27 01:08:04`.
pub fn fmt_time(v: &Value) -> String {
    let Some(s) = v.as_str() else {
        return String::new();
    };
    match chrono::DateTime::parse_from_rfc3339(s) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            // 'Z': the time is UTC whatever the local zone, and says so.
            .format("%Y-%m-%d %H:%M:%SZ")
            .to_string(),
        Err(_) => s.to_string(),
    }
}

/// The table cell and the JSON value of one column for one task. Without `text` the cell
/// is left empty (`--json` prints no table, so its dates are never formatted).
pub fn cell(task: &Value, col: &Column, text: bool) -> (String, Value) {
    match col {
        Column::Field(f) => {
            // Borrowed: a page of 500 tasks would copy each one's project and user objects.
            let raw = match f.key {
                "queue" => task.pointer("/execution/queue"),
                k => task.get(k),
            }
            .unwrap_or(&Value::Null);
            match f.key {
                "project" | "user" => {
                    let name = ref_name(raw);
                    if raw.is_null() {
                        (name, Value::Null)
                    } else if text {
                        (name.clone(), Value::String(name))
                    } else {
                        (String::new(), Value::String(name))
                    }
                }
                "queue" | "parent" => {
                    let id = ref_id(raw);
                    (id.clone().unwrap_or_default(), json!(id))
                }
                "created" | "started" | "completed" | "last_update" => (
                    if text { fmt_time(raw) } else { String::new() },
                    raw.clone(),
                ),
                "tags" => {
                    let tags: Vec<String> = raw
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|t| t.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    (tags.join(","), json!(tags))
                }
                _ if !text => (String::new(), raw.clone()),
                _ => (fmt_number(raw), raw.clone()),
            }
        }
        Column::Metric { path } => match metric_entry_by_path(task, path) {
            Some(e) => {
                let value = e.get("value").cloned().unwrap_or(Value::Null);
                (
                    fmt_number(&value),
                    json!({
                        "last": value,
                        "min": e.get("min_value"),
                        "max": e.get("max_value"),
                    }),
                )
            }
            None => (String::new(), Value::Null),
        },
        Column::Param { section, name } => match param_value(task, section, name) {
            Some(v) => (v.clone(), json!(v)),
            None => (String::new(), Value::Null),
        },
    }
}

/// `--name REGEX` checked here, before the server answers with its own error: one line
/// naming the pattern and the problem ("--name '[': unclosed character class").
pub fn check_name_regex(pattern: &str) -> Result<(), CliError> {
    regex::Regex::new(pattern).map(|_| ()).map_err(|e| {
        let text = e.to_string();
        let why = text
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("error:"))
            .map(str::trim)
            .unwrap_or_else(|| text.lines().last().unwrap_or("invalid"));
        CliError::usage(format!("--name '{pattern}': {why}"))
            .with_hint("--name is a regular expression; escape special characters with '\\'")
    })
}

/// Flatten a JSON document into `key,value` rows (the CSV form of `show` commands).
pub fn flat_listing(v: &Value) -> crate::output::Listing {
    fn walk(prefix: &str, v: &Value, l: &mut crate::output::Listing) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, x, l);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(&format!("{prefix}.{i}"), x, l);
                }
            }
            Value::Null => l.push(vec![prefix.to_string(), String::new()], Value::Null),
            Value::String(s) => l.push(vec![prefix.to_string(), s.clone()], Value::Null),
            other => l.push(vec![prefix.to_string(), other.to_string()], Value::Null),
        }
    }
    let mut l = crate::output::Listing::new(["key", "value"]);
    walk("", v, &mut l);
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_paths_with_slashes_in_the_title() {
        let splits: Vec<_> = metric_splits("train/loss/total").collect();
        assert_eq!(splits, [("train/loss", "total"), ("train", "loss/total")]);
        let task = json!({"last_metrics": {"h1": {"h2": {"metric": "train/loss", "variant": "total", "value": 0.25}}}});
        assert_eq!(
            metric_entry_by_path(&task, "train/loss/total").unwrap()["value"],
            0.25
        );
        assert!(metric_entry_by_path(&task, "train/loss").is_none());
        let cols = parse_columns(&["metric:train/loss/total".into()]).unwrap();
        let fields = only_fields(&cols);
        assert_eq!(fields.len(), 3, "{fields:?}");
        assert_eq!(cols[0].header(), "train/loss/total");
        let known = ["train/loss", "eval"];
        assert_eq!(
            resolve_plot_metric(&known, "train/loss/total"),
            ("train/loss", Some("total"))
        );
        assert_eq!(
            resolve_plot_metric(&known, "train/loss"),
            ("train/loss", None)
        );
        assert_eq!(
            resolve_plot_metric(&known, "eval/acc"),
            ("eval", Some("acc"))
        );
        assert_eq!(resolve_plot_metric(&[], "a/b/c"), ("a", Some("b/c")));
    }

    #[test]
    fn default_columns_and_projection() {
        let cols = parse_columns(&[]).unwrap();
        assert_eq!(cols.len(), DEFAULT_COLUMNS.len());
        assert_eq!(
            only_fields(&cols),
            [
                "id",
                "name",
                "project.name",
                "status",
                "type",
                "user.name",
                "last_update"
            ]
        );
    }

    #[test]
    fn metric_and_param_columns_ask_for_narrow_fields() {
        let cols = parse_columns(&[
            "name".into(),
            "metric:loss/total".into(),
            "param:Args/lr".into(),
        ])
        .unwrap();
        assert_eq!(
            only_fields(&cols),
            [
                "id",
                "name",
                "last_metrics.81513effdf5790b79549208838404407.fbb44b4487415b134bce9c790a27fe5e",
                "hyperparams.Args"
            ]
        );
        assert_eq!(cols[1].header(), "loss/total");
        assert!(parse_columns(&["metric:loss".into()]).is_err());
        let err = parse_columns(&["colour".into()]).unwrap_err();
        assert_eq!(err.exit, crate::error::Exit::Usage);
        assert!(err.to_string().contains("unknown column 'colour'"));
    }

    #[test]
    fn body_carries_every_filter() {
        let f = Filters {
            project_ids: vec!["p1".into()],
            recursive: true,
            status: vec!["completed".into()],
            types: vec!["training".into()],
            tags: vec!["a".into(), "-b".into()],
            user_ids: vec!["u1".into()],
            name_regex: Some("^x".into()),
            search: Some("foo".into()),
            archived: false,
            since: Some("2026-01-01T00:00:00Z".into()),
            until: None,
            updated_before: Some("2026-02-01T00:00:00Z".into()),
            order_by: vec![],
        };
        let body = list_body(&f, &["id".into()]);
        assert_eq!(
            body,
            json!({
                "only_fields": ["id"], "project": ["p1"], "include_subprojects": true,
                "status": ["completed"], "type": ["training"], "tags": ["a", "-b"],
                "user": ["u1"], "name": "^x", "search_text": "foo",
                "system_tags": ["-archived"], "created": ["2026-01-01T00:00:00Z", null],
                "last_update": [null, "2026-02-01T00:00:00Z"],
                "order_by": ["-last_update"]
            })
        );
        let body = list_body(
            &Filters {
                archived: true,
                ..Default::default()
            },
            &[],
        );
        assert_eq!(body["system_tags"], json!(["archived"]));
        assert!(body.get("project").is_none());
    }

    #[test]
    fn sort_maps_columns_to_server_fields() {
        assert_eq!(order_by(Some("-created")).unwrap(), ["-created"]);
        assert_eq!(order_by(Some("updated")).unwrap(), ["last_update"]);
        assert_eq!(
            order_by(Some("-metric:loss/total")).unwrap(),
            [
                "-last_metrics.81513effdf5790b79549208838404407.fbb44b4487415b134bce9c790a27fe5e.value"
            ]
        );
        assert!(order_by(None).unwrap().is_empty());
    }

    #[test]
    fn time_bounds() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(parse_time_bound("2d", now).unwrap(), "2026-11-25T12:00:00Z");
        assert_eq!(
            parse_time_bound("2026-11-01", now).unwrap(),
            "2026-11-01T00:00:00Z"
        );
        assert_eq!(
            parse_time_bound("2026-11-01T10:00:00+01:00", now).unwrap(),
            "2026-11-01T09:00:00Z"
        );
        assert!(parse_time_bound("yesterday-ish", now).is_err());
    }

    #[test]
    fn cells_from_a_real_shaped_task() {
        let task = json!({
            "id": "6aab", "name": "curl-task", "status": "created", "type": "training",
            "created": "2026-11-27T01:07:48.872000+00:00",
            "project": {"id": "4c15", "name": "CurlProj"},
            "user": {"id": "__tests__", "name": "Default User"},
            "last_metrics": {"81513effdf5790b79549208838404407": {"61b3a8faa9c1091806675c230a9abe64":
                {"metric": "loss", "variant": "train", "value": 8, "min_value": 8, "max_value": 10}}},
            "hyperparams": {"Args": {"lr": {"section": "Args", "name": "lr", "value": "0.001"}}}
        });
        let cols = parse_columns(&[
            "name".into(),
            "project".into(),
            "user".into(),
            "created".into(),
            "metric:loss/train".into(),
            "param:Args/lr".into(),
            "param:Args/missing".into(),
        ])
        .unwrap();
        let (row, json) = super::super::rows::row_json(&task, &cols);
        assert_eq!(
            row,
            [
                "curl-task",
                "CurlProj",
                "Default User",
                "2026-11-27 01:07:48Z",
                "8",
                "0.001",
                ""
            ]
        );
        assert_eq!(
            json["metrics"]["loss/train"],
            json!({"last": 8, "min": 8, "max": 10})
        );
        assert_eq!(json["params"]["Args/lr"], "0.001");
        assert_eq!(json["params"]["Args/missing"], Value::Null);
        assert_eq!(json["project"], "CurlProj");
    }

    #[test]
    fn numbers_and_ids() {
        use crate::api::lookup::{exact_regex, looks_like_id};
        assert_eq!(fmt_f64(0.1 + 0.2), "0.3");
        assert_eq!(fmt_f64(2.0), "2");
        assert_eq!(fmt_f64(1.5e-7), "1.5000e-7");
        assert_eq!(exact_regex("a.b (1)"), r"^a\.b \(1\)$");
        let e = check_name_regex("[").unwrap_err();
        assert_eq!(e.message, "--name '[': unclosed character class");
        assert!(check_name_regex("^res.*").is_ok());
        assert!(looks_like_id("660ef06f17194eabbe7ac8391f0d1955"));
        assert!(!looks_like_id("my-task"));
    }
}
