//! Reading a call's request: the path, the query string and the body's JSON.

use super::super::endpoints;
use super::super::envelope::ApiError;
use super::super::limits;
use axum::http::{HeaderMap, header};
use serde_json::{Map, Value, json};

/// Split a request path into (endpoint name, requested version) as the real server's
/// path pattern does: an optional leading `/`, an optional `v<version>/`, `service.action`
/// (each a letter or `_` then at least one word character), an optional trailing `/`.
/// `None` = an invalid path (400).
pub fn parse_path(path: &str) -> Option<(String, Option<String>)> {
    let p = path.strip_prefix('/').unwrap_or(path);
    let p = p.strip_suffix('/').unwrap_or(p);
    let (version, rest) = match p.split_once('/') {
        Some((v, rest)) => {
            let v = v.strip_prefix('v')?;
            endpoints::parse_version(v)?;
            (Some(v.to_string()), rest)
        }
        None => (None, p),
    };
    let (service, action) = rest.split_once('.')?;
    let ident = |s: &str| {
        s.chars().count() >= 2
            && s.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    (ident(service) && ident(action)).then(|| (format!("{service}.{action}"), version))
}

/// Query-string value conversion as the real server does: digits become numbers,
/// true/false become booleans.
fn qs_value(s: &str) -> Value {
    if let Ok(i) = s.parse::<i64>() {
        return json!(i);
    }
    if let Ok(f) = s.parse::<f64>()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return json!(f);
    }
    match s {
        "true" | "True" | "TRUE" => json!(true),
        "false" | "False" | "FALSE" => json!(false),
        _ => json!(s),
    }
}

/// Merge `a=1&b[]=x&b[]=y&c.d=2` into the body. Dotted keys deeper than
/// `MAX_QUERY_DEPTH` levels, or more than `MAX_QUERY_FIELDS` fields, are refused (400)
/// before anything is built from them.
pub fn merge_query(body: &mut Map<String, Value>, query: &str) -> Result<(), ApiError> {
    let mut lists: Map<String, Value> = Map::new();
    for (n, (k, v)) in url::form_urlencoded::parse(query.as_bytes()).enumerate() {
        if n >= limits::MAX_QUERY_FIELDS {
            return Err(ApiError::validation(format!(
                "more than {} query-string fields; send them in the JSON body",
                limits::MAX_QUERY_FIELDS
            )));
        }
        let (key, force_list) = match k.strip_suffix("[]") {
            Some(base) => (base.to_string(), true),
            None => (k.to_string(), false),
        };
        if key.split('.').nth(limits::MAX_QUERY_DEPTH).is_some() {
            let shown: String = key.chars().take(40).collect();
            return Err(ApiError::validation(format!(
                "query-string field {shown:?}... is nested deeper than {} levels",
                limits::MAX_QUERY_DEPTH
            )));
        }
        let value = qs_value(&v);
        match lists.get_mut(&key) {
            Some(Value::Array(a)) => a.push(value),
            Some(existing) => {
                let prev = existing.take();
                *existing = json!([prev, value]);
            }
            None => {
                lists.insert(key, if force_list { json!([value]) } else { value });
            }
        }
    }
    for (key, value) in lists {
        let parts: Vec<&str> = key.split('.').collect();
        let mut cur = &mut *body;
        for (i, p) in parts.iter().enumerate() {
            if i == parts.len() - 1 {
                cur.insert(p.to_string(), value);
                break;
            }
            let next = cur.entry(p.to_string()).or_insert_with(|| json!({}));
            if !next.is_object() {
                *next = json!({});
            }
            cur = next.as_object_mut().expect("object");
        }
    }
    Ok(())
}

/// Python's `json.dumps` writes `NaN`, `Infinity` and `-Infinity` (e.g. a NaN loss); the
/// real server (Python) reads them. Turn those bare tokens (outside strings) into `null`.
fn non_finite_to_null(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        let token = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|t| rest.starts_with(t));
        match token {
            Some(t) => {
                out.push_str("null");
                rest = &rest[t.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// How a request body is read, from its Content-Type (as the real server does).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BodyKind {
    /// `application/json-lines`: a batch, one JSON object per line.
    JsonLines,
    /// A form (`application/x-www-form-urlencoded`, curl `-d`'s default): its fields are
    /// merged like query-string fields; the text is not read as JSON.
    Form,
    /// Anything else (`application/json`, `text/plain`, none): one JSON document.
    Json,
}

impl BodyKind {
    pub fn of(headers: &HeaderMap) -> Self {
        let mime = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        match mime.as_str() {
            "application/json-lines" => BodyKind::JsonLines,
            "application/x-www-form-urlencoded" => BodyKind::Form,
            _ => BodyKind::Json,
        }
    }
}

/// The real server's answer to a body that is not JSON (the HTTP framework's own text).
fn malformed_body() -> ApiError {
    ApiError::new(
        400,
        0,
        "The browser (or proxy) sent a request that this server could not understand.",
    )
}

/// Parse a request body: a JSON object, JSON lines (a batch) or form fields. The text is
/// scanned first (`limits::scan_json`): nesting deeper than `MAX_DEPTH` is a 400 and a body
/// whose parsed form would take over `max_expanded` bytes a 413, both before any value is
/// built. As from the real server: malformed JSON is 400/0; an empty body, `null`, `[]`,
/// `0`, `false` or `""` count as `{}`; any other non-object is 500 `Data should be a dict`.
pub fn parse_body(
    bytes: &[u8],
    kind: BodyKind,
    max_expanded: usize,
) -> Result<(Value, Option<Vec<Value>>), ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|_| malformed_body())?;
    if kind == BodyKind::Form {
        let mut body = Map::new();
        merge_query(&mut body, text)?;
        return Ok((Value::Object(body), None));
    }
    limits::scan_json(text.as_bytes(), max_expanded)?;
    let sanitized;
    let text = if text.contains("NaN") || text.contains("Infinity") {
        sanitized = non_finite_to_null(text);
        sanitized.as_str()
    } else {
        text
    };
    if kind == BodyKind::JsonLines {
        let mut items = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(v @ Value::Object(_)) => items.push(v),
                Ok(other) => {
                    return Err(ApiError::new(
                        400,
                        0,
                        format!(
                            "json lines must contain objects, found: {} (batch item #{i})",
                            json_type(&other)
                        ),
                    ));
                }
                Err(e) => {
                    return Err(ApiError::new(
                        400,
                        0,
                        format!("Failed to decode JSON object: {e} in batch item #{i}"),
                    ));
                }
            }
        }
        return Ok((json!({}), Some(items)));
    }
    if text.trim().is_empty() {
        return Ok((json!({}), None));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => Ok((v, None)),
        Ok(Value::Null | Value::Bool(false)) => Ok((json!({}), None)),
        Ok(Value::Array(a)) if a.is_empty() => Ok((json!({}), None)),
        Ok(Value::String(t)) if t.is_empty() => Ok((json!({}), None)),
        Ok(Value::Number(n)) if n.as_f64() == Some(0.0) => Ok((json!({}), None)),
        Ok(_) => Err(ApiError::new(500, 0, "Data should be a dict")),
        Err(_) => Err(malformed_body()),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_non_finite_numbers_become_null() {
        let text = r#"{"value": NaN, "a": -Infinity, "msg": "NaN \" Infinity", "b": Infinity}"#;
        let v: Value = serde_json::from_str(&non_finite_to_null(text)).unwrap();
        assert_eq!(
            v,
            json!({"value": null, "a": null, "msg": "NaN \" Infinity", "b": null})
        );
    }

    #[test]
    fn paths_with_and_without_version() {
        assert_eq!(
            parse_path("/tasks.get_all"),
            Some(("tasks.get_all".into(), None))
        );
        assert_eq!(
            parse_path("/v2.23/tasks.get_all/"),
            Some(("tasks.get_all".into(), Some("2.23".into())))
        );
        assert_eq!(parse_path("/nothing"), None);
        assert_eq!(parse_path("/a/b.c"), None);
        assert_eq!(
            parse_path("v999/debug.ping"),
            Some(("debug.ping".into(), Some("999".into())))
        );
        // The real server's pattern: a version has two digits at least; one trailing `/`.
        for bad in [
            "/",
            "",
            "/vabc/debug.ping",
            "/v2/debug.ping",
            "/debug.ping//",
            "/x.y",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }

    fn kind(ct: &str) -> BodyKind {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, ct.parse().unwrap());
        BodyKind::of(&h)
    }

    #[test]
    fn bodies_are_read_by_content_type_as_the_real_server_does() {
        assert_eq!(kind("application/json-lines"), BodyKind::JsonLines);
        assert_eq!(
            kind("Application/X-WWW-Form-Urlencoded; charset=x"),
            BodyKind::Form
        );
        assert_eq!(kind("text/plain"), BodyKind::Json);
        assert_eq!(BodyKind::of(&HeaderMap::new()), BodyKind::Json);
        let parse = |text: &str, k| parse_body(text.as_bytes(), k, 1 << 20);
        // A JSON body sent as a form is not read as JSON: its text is a field name.
        let (v, _) = parse(r#"{"task": "x"}"#, BodyKind::Form).unwrap();
        assert!(v.get("task").is_none(), "{v}");
        let (v, _) = parse("task=abc&n=2", BodyKind::Form).unwrap();
        assert_eq!(v, json!({"task": "abc", "n": 2}));
        // Malformed JSON: 400/0; a list or a number: 500 `Data should be a dict`; falsy: {}.
        let e = parse(r#"{"task": "x""#, BodyKind::Json).unwrap_err();
        assert_eq!((e.code, e.subcode), (400, 0));
        for not_dict in ["[1,2]", "5", "\"s\"", "true"] {
            let e = parse(not_dict, BodyKind::Json).unwrap_err();
            assert_eq!(
                (e.code, e.msg.as_str()),
                (500, "Data should be a dict"),
                "{not_dict}"
            );
        }
        for empty in ["", "null", "[]", "0", "false", "\"\""] {
            assert_eq!(
                parse(empty, BodyKind::Json).unwrap(),
                (json!({}), None),
                "{empty}"
            );
        }
        // JSON lines only with their own type; each line an object.
        let (_, lines) = parse("{\"a\": 1}\n\n{\"b\": NaN}\n", BodyKind::JsonLines).unwrap();
        assert_eq!(lines.unwrap(), vec![json!({"a": 1}), json!({"b": null})]);
        assert_eq!(
            parse("{\"a\": 1}\n[1]", BodyKind::JsonLines)
                .unwrap_err()
                .code,
            400
        );
        assert_eq!(
            parse("{\"a\": 1}\n{", BodyKind::JsonLines)
                .unwrap_err()
                .code,
            400
        );
        assert_eq!(
            parse("{\"a\": 1}\n{\"b\": 2}", BodyKind::Json)
                .unwrap_err()
                .code,
            400
        );
    }

    #[test]
    fn query_string_merges_typed_lists_and_dotted_keys() {
        let mut m = Map::new();
        merge_query(
            &mut m,
            "status=completed&page_size=10&only_fields[]=name&x.y=true&t=a&t=b",
        )
        .unwrap();
        assert_eq!(
            Value::Object(m),
            json!({"status": "completed", "page_size": 10, "only_fields": ["name"], "x": {"y": true}, "t": ["a", "b"]})
        );
    }
}
