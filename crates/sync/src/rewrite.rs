//! Pure rewriting: source ids to target ids inside text and JSON, file URLs from one
//! file server to the other, events into what `events.add_batch` takes, and the status
//! calls that bring a target task to its source's status.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

/// System tag a copy carries: the id of the object it was copied from. It lets a run
/// whose state file was lost (or not yet written after a crash) find earlier copies
/// instead of making second ones, and a copy back to the origin find the original.
pub const SYNC_TAG_PREFIX: &str = "clearml-sync:";

pub fn sync_tag(source_id: &str) -> String {
    format!("{SYNC_TAG_PREFIX}{source_id}")
}

/// The source id in a list of system tags (the object this one was copied from).
pub fn origin_of(system_tags: &Value) -> Option<&str> {
    system_tags
        .as_array()?
        .iter()
        .filter_map(Value::as_str)
        .find_map(|t| t.strip_prefix(SYNC_TAG_PREFIX))
}

/// `tags` without any sync tag, plus ours for `source_id`.
pub fn tags_with_origin(system_tags: &Value, source_id: &str) -> Value {
    let mut tags: Vec<Value> = system_tags
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| !t.as_str().is_some_and(|s| s.starts_with(SYNC_TAG_PREFIX)))
        .cloned()
        .collect();
    tags.push(Value::String(sync_tag(source_id)));
    Value::Array(tags)
}

fn id_token() -> &'static regex::Regex {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"\b[0-9a-f]{32}\b").expect("regex"))
}

/// `text` with every source id the map knows replaced by its target id. Only whole
/// 32-hex tokens that are in the map change, so other hex strings are left alone.
pub fn rewrite_ids(text: &str, ids: &HashMap<String, String>) -> String {
    id_token()
        .replace_all(text, |c: &regex::Captures| {
            ids.get(&c[0]).cloned().unwrap_or_else(|| c[0].to_string())
        })
        .into_owned()
}

/// [`rewrite_ids`] on every string inside `value` (keys are left as they are).
pub fn rewrite_ids_in(value: &mut Value, ids: &HashMap<String, String>) {
    match value {
        Value::String(s) if id_token().is_match(s) => *s = rewrite_ids(s, ids),
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_ids_in(v, ids)),
        Value::Object(m) => m.values_mut().for_each(|v| rewrite_ids_in(v, ids)),
        _ => {}
    }
}

/// The object path of `url` on the file server at `files_host` (percent-decoded, as
/// uploads name it), or None when the URL is elsewhere.
pub fn file_path(url: &str, files_host: &str) -> Option<String> {
    let host = files_host.trim_end_matches('/');
    if host.is_empty() {
        return None;
    }
    let rest = url.strip_prefix(host)?.strip_prefix('/')?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    if rest.is_empty() {
        return None;
    }
    Some(
        percent_encoding::percent_decode_str(rest)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// Where `path` is served on the file server at `files_host`.
pub fn file_url(files_host: &str, path: &str) -> String {
    format!(
        "{}/{}",
        files_host.trim_end_matches('/'),
        clearml_api::files::quote_path(path)
    )
}

/// The fields of an event `events.add_batch` takes (the server adds the rest).
const EVENT_FIELDS: &[&str] = &[
    "timestamp",
    "type",
    "iter",
    "metric",
    "variant",
    "value",
    "values",
    "x_axis_label",
    "key",
    "url",
    "plot_str",
    "skip_validation",
    "level",
    "worker",
    "msg",
];

/// A source event as the target's `add_batch` takes it, for target task `task`.
pub fn event_for(ev: &Value, task: &str) -> Value {
    let mut out = Map::new();
    for k in EVENT_FIELDS {
        if let Some(v) = ev.get(*k).filter(|v| !v.is_null()) {
            out.insert(k.to_string(), v.clone());
        }
    }
    out.insert("task".into(), Value::String(task.to_string()));
    Value::Object(out)
}

/// What tells two events apart, the task aside: type, series, iteration, time and
/// content. Counting keys on both sides finds what the target still lacks.
pub fn event_key(ev: &Value) -> String {
    use md5::Digest;
    let s = |k: &str| ev.get(k).map(|v| v.to_string()).unwrap_or_default();
    let content = ["value", "values", "msg", "plot_str", "url", "key"]
        .iter()
        .map(|k| s(k))
        .collect::<Vec<_>>()
        .join("\u{1}");
    let timestamp = ev
        .get("timestamp")
        .and_then(Value::as_f64)
        .map(|t| (t as i64).to_string())
        .unwrap_or_default();
    format!(
        "{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
        s("type"),
        s("metric"),
        s("variant"),
        s("iter"),
        timestamp,
        hex::encode(md5::Md5::digest(content.as_bytes()))
    )
}

/// [`event_key`] as a 16-byte digest: what is kept per event the target already holds.
pub fn event_digest(ev: &Value) -> [u8; 16] {
    use md5::Digest;
    md5::Md5::digest(event_key(ev).as_bytes()).into()
}

/// The events of `source` the target lacks (`target` as the target lists them), in the
/// source's order; a key twice on the source and once on the target is copied once.
pub fn missing_events<'a>(source: &'a [Value], target: &[Value]) -> Vec<&'a Value> {
    let mut have: HashMap<String, usize> = HashMap::new();
    for ev in target {
        *have.entry(event_key(ev)).or_default() += 1;
    }
    source
        .iter()
        .filter(|ev| match have.get_mut(&event_key(ev)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

/// The status calls (each with `force`) that take a target task from `from` to `to`, and
/// a note when `to` cannot be reproduced.
pub fn status_calls(from: &str, to: &str) -> (Vec<&'static str>, Option<String>) {
    if from == to {
        return (vec![], None);
    }
    let ran = !matches!(from, "created" | "queued");
    let start = if ran { vec![] } else { vec!["tasks.started"] };
    let with = |mut calls: Vec<&'static str>, last: &[&'static str]| {
        calls.extend_from_slice(last);
        (calls, None)
    };
    match to {
        "in_progress" => (vec!["tasks.started"], None),
        "completed" => with(start, &["tasks.completed"]),
        "stopped" => with(start, &["tasks.stopped"]),
        "failed" => with(start, &["tasks.failed"]),
        "closed" => with(start, &["tasks.close"]),
        "published" => {
            let mut calls = start;
            if from != "completed" {
                calls.push("tasks.completed");
            }
            calls.push("tasks.publish");
            (calls, None)
        }
        "queued" => (
            vec![],
            Some("a queued task is copied as a draft (not enqueued on the target)".into()),
        ),
        other => (
            vec![],
            Some(format!(
                "status '{other}' cannot be set on the target from '{from}'"
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn ids_are_rewritten_only_when_known_and_whole() {
        let a = "a".repeat(32);
        let b = "b".repeat(32);
        let ids = map(&[(&a, &b)]);
        let dag =
            json!({"step": {"job_id": a, "parents": [], "note": format!("x{a}")}}).to_string();
        let out = rewrite_ids(&dag, &ids);
        assert!(out.contains(&format!("\"job_id\":\"{b}\"")), "{out}");
        assert!(
            out.contains(&format!("x{a}")),
            "a longer token changed: {out}"
        );
        let other = "c".repeat(32);
        assert_eq!(rewrite_ids(&other, &ids), other);
        let mut v = json!({"Args": {"data": {"value": a}}, a.clone(): 1});
        rewrite_ids_in(&mut v, &ids);
        assert_eq!(v["Args"]["data"]["value"], b);
        assert!(v.get(&a).is_some(), "keys are not rewritten");
    }

    #[test]
    fn file_paths_are_found_only_under_the_files_host() {
        let host = "http://127.0.0.1:8081/";
        assert_eq!(
            file_path(
                "http://127.0.0.1:8081/P%20x/t.1/artifacts/a/%C3%BC.bin",
                host
            )
            .as_deref(),
            Some("P x/t.1/artifacts/a/ü.bin")
        );
        assert_eq!(file_path("http://127.0.0.1:80810/x", host), None);
        assert_eq!(file_path("s3://bucket/x", host), None);
        assert_eq!(file_path("http://127.0.0.1:8081/", host), None);
        assert_eq!(file_path("http://x/y", ""), None);
        assert_eq!(
            file_url("http://b:8081", "P x/ü.bin"),
            "http://b:8081/P%20x/%C3%BC.bin"
        );
    }

    #[test]
    fn sync_tags_replace_older_ones() {
        let tags = json!(["pipeline", "clearml-sync:old"]);
        assert_eq!(origin_of(&tags), Some("old"));
        assert_eq!(
            tags_with_origin(&tags, "new"),
            json!(["pipeline", "clearml-sync:new"])
        );
        assert_eq!(origin_of(&json!(["x"])), None);
    }

    #[test]
    fn events_keep_their_fields_and_only_missing_ones_are_copied() {
        let ev = json!({"type": "training_stats_scalar", "task": "src", "metric": "loss",
            "variant": "train", "iter": 3, "value": 0.5, "timestamp": 1700000000123.0,
            "@timestamp": "x", "company_id": "c", "worker": "w"});
        let out = event_for(&ev, "dst");
        assert_eq!(out["task"], "dst");
        assert_eq!(out["iter"], 3);
        assert!(out.get("@timestamp").is_none() && out.get("company_id").is_none());
        let mut later = ev.clone();
        later["iter"] = json!(4);
        let source = vec![ev.clone(), later.clone(), ev.clone()];
        let target = vec![event_for(&ev, "dst")];
        let missing = missing_events(&source, &target);
        assert_eq!(missing.len(), 2, "{missing:?}");
        assert_eq!(missing[0]["iter"], 4);
        assert!(missing_events(&source, &[ev.clone(), later, ev]).is_empty());
    }

    #[test]
    fn status_calls_go_through_started() {
        assert_eq!(
            status_calls("created", "completed").0,
            ["tasks.started", "tasks.completed"]
        );
        assert_eq!(
            status_calls("created", "published").0,
            ["tasks.started", "tasks.completed", "tasks.publish"]
        );
        assert_eq!(
            status_calls("in_progress", "completed").0,
            ["tasks.completed"]
        );
        assert_eq!(status_calls("created", "in_progress").0, ["tasks.started"]);
        assert_eq!(status_calls("stopped", "in_progress").0, ["tasks.started"]);
        assert!(status_calls("completed", "completed").0.is_empty());
        let (calls, note) = status_calls("created", "queued");
        assert!(calls.is_empty() && note.is_some());
    }
}
