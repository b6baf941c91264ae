//! The key a cached pipeline step is found by (`runtime.pipeline_job_hash`), computed the
//! way the SDK's `ClearmlJob` computes it, so that a step cached by an SDK
//! `PipelineController` is reused by `clearml pipeline run` and the other way round.
//!
//! What the SDK hashes (clearml 2.1.12, API ≥ 2.13): the md5 of the seed `1337` followed by
//! Python's `json.dumps(repr, sort_keys=True)` (default separators `", "` / `": "`, and
//! `ensure_ascii`) of
//! - `script`: the task's script fields its data model knows (`binary` defaulting to
//!   `python`), without `None`s and without `requirements`; a repository without a commit or tag gives no hash (no caching);
//! - `hyper_params`: the flat `Section/name → value` parameters, with the step's overrides
//!   laid over them; without overrides a legacy `Args` parameter keeps its bare name;
//! - `configs`: configuration name → value;
//! - `docker`: the container fields other than the image, only when there are any.

use std::fmt::Write as _;

use md5::{Digest, Md5};
use serde_json::{Map, Value};

/// The Script fields the SDK's data model has (`tasks.Script`), the only ones it hashes.
const SCRIPT_FIELDS: &[&str] = &[
    "binary",
    "repository",
    "tag",
    "branch",
    "version_num",
    "entry_point",
    "working_dir",
    "diff",
];

/// The SDK's seed, prepended to the JSON text before hashing.
const SEED: &str = "1337";

/// The job hash of `base` (a task with `script`, `hyperparams`, `configuration` and
/// `container`) run with `overrides` (`Section/name` → value), or `None` where the SDK
/// declines to cache (a repository pinned to neither a commit nor a tag).
pub fn job_hash(base: &Value, overrides: &[(String, String)]) -> Option<String> {
    let script = script_fields(&base["script"]);
    let repository = script.get("repository").and_then(Value::as_str);
    let pinned = ["version_num", "tag"].iter().any(|k| {
        script
            .get(*k)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    });
    if repository.is_some_and(|r| !r.is_empty()) && !pinned {
        return None;
    }
    let mut repr = Map::new();
    repr.insert("script".into(), Value::Object(script));
    repr.insert(
        "hyper_params".into(),
        Value::Object(hyper_params(&base["hyperparams"], overrides)),
    );
    repr.insert(
        "configs".into(),
        Value::Object(configs(&base["configuration"])),
    );
    let docker = docker(&base["container"]);
    if !docker.is_empty() {
        repr.insert("docker".into(), Value::Object(docker));
    }
    let text = format!("{SEED}{}", python_json(&Value::Object(repr)));
    Some(hex::encode(Md5::digest(text.as_bytes())))
}

/// The script as the SDK's data model holds it: a missing `binary` is its default
/// `python` (an explicit null stays absent), other missing or null fields are left out.
fn script_fields(script: &Value) -> Map<String, Value> {
    SCRIPT_FIELDS
        .iter()
        .filter_map(|k| match script.get(*k) {
            None if *k == "binary" => Some(((*k).to_string(), Value::from("python"))),
            None | Some(Value::Null) => None,
            Some(v) => Some(((*k).to_string(), v.clone())),
        })
        .collect()
}

/// `get_parameters()` of the base with the overrides laid over, as the SDK builds it: with
/// overrides the flat names are always `Section/name`; without, a `legacy` parameter of
/// `Args` keeps its bare name (the SDK's backwards-compatible reading).
fn hyper_params(sections: &Value, overrides: &[(String, String)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (section, items) in sections.as_object().into_iter().flatten() {
        for (name, item) in items.as_object().into_iter().flatten() {
            let legacy = section == "Args" && item["type"].as_str() == Some("legacy");
            let key = if legacy && overrides.is_empty() {
                name.clone()
            } else {
                format!("{section}/{name}")
            };
            out.insert(key, item.get("value").cloned().unwrap_or(Value::Null));
        }
    }
    for (k, v) in overrides {
        out.insert(k.clone(), Value::String(v.clone()));
    }
    out
}

fn configs(configuration: &Value) -> Map<String, Value> {
    configuration
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.get("value").cloned().unwrap_or(Value::Null)))
        .collect()
}

fn docker(container: &Value) -> Map<String, Value> {
    let mut fields = container.as_object().cloned().unwrap_or_default();
    fields.remove("image");
    fields
}

/// `json.dumps(value, sort_keys=True)` exactly as CPython writes it.
pub fn python_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (_, Some(u), _) => out.push_str(&u.to_string()),
            (_, _, Some(f)) => out.push_str(&python_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // Python sorts by code point, which for UTF-8 strings is byte order.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(out, k);
                out.push_str(": ");
                write_value(out, &map[k]);
            }
            out.push('}');
        }
    }
}

/// A string as `ensure_ascii` writes it: printable ASCII as is, the five short escapes,
/// everything else as `\uXXXX` (UTF-16 surrogate pairs beyond the BMP).
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr` of a float: the shortest digits that read back, positional for
/// exponents from -4 to 15, else `d.ddde+XX`.
fn python_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // `{:e}` gives the shortest round-trip digits: "1.5e16", "-2e-5".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let positional = format!("{f}");
        if positional.contains('.') {
            positional
        } else {
            format!("{positional}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_json_matches_cpython_output() {
        // Strings produced by CPython 3.11's json.dumps(v, sort_keys=True).
        let v =
            json!({"b": [1, 2.5, null, true], "a": {"я": "Grüße 数据 😀", "q": "\"\\\n\u{7f}"}});
        assert_eq!(
            python_json(&v),
            r#"{"a": {"q": "\"\\\n\u007f", "\u044f": "Gr\u00fc\u00dfe \u6570\u636e \ud83d\ude00"}, "b": [1, 2.5, null, true]}"#
        );
        assert_eq!(python_float(1e16), "1e+16");
        assert_eq!(python_float(1.5e-5), "1.5e-05");
        assert_eq!(python_float(0.0001), "0.0001");
        assert_eq!(python_float(3.0), "3.0");
        assert_eq!(python_float(123456789012345.6), "123456789012345.6");
    }

    #[test]
    fn an_unpinned_repository_is_not_cached_and_requirements_do_not_count() {
        let base =
            json!({"script": {"repository": "https://git.example/r.git", "entry_point": "t.py"}});
        assert_eq!(job_hash(&base, &[]), None);
        let pinned = json!({"script": {"repository": "r", "version_num": "abc", "requirements": {"pip": "x"}}});
        let other_reqs = json!({"script": {"repository": "r", "version_num": "abc", "requirements": {"pip": "y"}}});
        assert_eq!(job_hash(&pinned, &[]), job_hash(&other_reqs, &[]));
        assert!(job_hash(&pinned, &[]).is_some());
        let n = |v: &str| vec![("Args/n".to_string(), v.to_string())];
        assert_ne!(job_hash(&pinned, &n("1")), job_hash(&pinned, &n("2")));
    }

    #[test]
    fn the_hash_is_the_sdks_for_the_same_task() {
        // The text and hash CPython's SDK computed for such a task (clearml 2.1.12,
        // hashing.hash_dict): md5("1337" + json.dumps(repr, sort_keys=True)).
        let base = json!({
            "script": {"entry_point": "noop.py", "diff": "print('noop')"},
            "hyperparams": {"Args": {"tag": {"section": "Args", "name": "tag", "value": "train"}}},
            "configuration": {},
        });
        let text = r#"{"configs": {}, "hyper_params": {"Args/n": "Gr\u00fc\u00dfe", "Args/tag": "train"}, "script": {"binary": "python", "diff": "print('noop')", "entry_point": "noop.py"}}"#;
        let expected = hex::encode(Md5::digest(format!("1337{text}").as_bytes()));
        let overrides = [("Args/n".to_string(), "Grüße".to_string())];
        assert_eq!(job_hash(&base, &overrides), Some(expected));
    }
}
