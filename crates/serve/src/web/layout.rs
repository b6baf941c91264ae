//! The page shell (navigation, inline CSS and script) and the small formatting helpers
//! every page uses. Everything is in the binary: the UI works offline.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

const CSS: &str = concat!(
    include_str!("assets/web.css"),
    include_str!("assets/samples.css")
);
/// The page's one script: the UI's, then the debug samples viewer's, then the one that
/// keeps hidden chart series in the URL.
const JS: &str = concat!(
    include_str!("assets/web.js"),
    include_str!("assets/samples.js"),
    include_str!("assets/legend_url.js")
);

/// The CSP source of the page's one inline script (`sha256-<base64>`): the only script
/// a page may run.
pub fn script_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use base64::Engine;
        use sha2::Digest;
        let digest = sha2::Sha256::digest(JS.as_bytes());
        format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(digest)
        )
    })
}

/// Which navigation entry is the current one.
#[derive(Clone, Copy, PartialEq)]
pub enum Nav {
    Projects,
    Models,
    Datasets,
    Pipelines,
    Workers,
    None,
}

/// A whole page: head, navigation bar, `body`.
pub fn page(title: &str, nav: Nav, body: Markup) -> Markup {
    let item = |href: &str, label: &str, this: Nav| {
        html! { a href=(href) class=[(nav == this).then_some("on")] { (label) } }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                // No favicon request (it would be one more round trip and a 404).
                link rel="icon" href="data:,";
                title { (title) " · ClearML" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header.top {
                    a.brand href="/projects" { "ClearML" }
                    nav {
                        (item("/projects", "Projects", Nav::Projects))
                        (item("/models", "Models", Nav::Models))
                        (item("/datasets", "Datasets", Nav::Datasets))
                        (item("/pipelines", "Pipelines", Nav::Pipelines))
                        (item("/workers-and-queues", "Workers & queues", Nav::Workers))
                    }
                    @if nav != Nav::None {
                        form.logout method="post" action="/logout" { button { "Log out" } }
                    }
                }
                main { (body) }
                script { (PreEscaped(JS)) }
            }
        }
    }
}

/// A value for a URL's query string or path segment (percent-encoded).
pub fn url_part(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A string field, or "".
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The id of a reference that may be expanded (`{"id", "name"}`) or a bare id.
pub fn ref_id(v: &Value) -> &str {
    v.get("id")
        .and_then(Value::as_str)
        .or(v.as_str())
        .unwrap_or("")
}

/// The name of an expanded reference, else its id.
pub fn ref_name(v: &Value) -> &str {
    v.get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| ref_id(v))
}

fn parse_time(v: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

/// A server timestamp as `2026-11-27 01:08:04 UTC`, or "" (saying UTC: a reader
/// elsewhere would take it for local time).
pub fn time(v: &Value) -> String {
    parse_time(v)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// How long a task ran: started to completed, or to now while it runs.
pub fn duration(task: &Value) -> String {
    let Some(start) = parse_time(&task["started"]) else {
        return String::new();
    };
    let end = match task["status"].as_str() {
        Some("in_progress") => chrono::Utc::now(),
        _ => match parse_time(&task["completed"]).or_else(|| parse_time(&task["last_update"])) {
            Some(e) => e,
            None => return String::new(),
        },
    };
    human_secs((end - start).num_seconds().max(0))
}

/// `45s`, `3m 12s`, `2h 05m`, `3d 4h`.
pub fn human_secs(s: i64) -> String {
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s if s < 86400 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        s => format!("{}d {}h", s / 86400, s % 86400 / 3600),
    }
}

/// A number as the tables show it.
pub fn number(v: &Value) -> String {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(|i| i.to_string())
            .unwrap_or_else(|| n.as_f64().map(clearml_chart::fmt_f64).unwrap_or_default()),
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Bytes as `1.5 MB`.
pub fn size(bytes: u64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u < units.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// A status as a coloured label.
pub fn status(st: &str) -> Markup {
    html! { span class={ "st st-" (st) } { (st.replace('_', " ")) } }
}

/// Tags as small labels.
pub fn tags(v: &Value) -> Markup {
    html! {
        @for t in v.as_array().into_iter().flatten().filter_map(Value::as_str) {
            span.tag { (t) }
        }
    }
}

/// A URI, as a download link to `href` when a browser can open it; other URIs (s3://,
/// file://) are shown as text.
pub fn uri_link(uri: &str, href: &str) -> Markup {
    let web = href.starts_with("http://") || href.starts_with("https://");
    html! {
        @if web { a href=(href) download { (uri) } } @else { code { (uri) } }
    }
}

/// The path of a task's page (its project's, or `*` for none).
pub fn task_href(task: &Value) -> String {
    let project = ref_id(&task["project"]);
    let project = if project.is_empty() { "*" } else { project };
    format!(
        "/projects/{}/experiments/{}",
        url_part(project),
        url_part(s(task, "id"))
    )
}

/// A key/value table of the fields that are set.
pub fn facts(rows: &[(&str, Markup)]) -> Markup {
    html! {
        table.facts {
            @for (k, v) in rows {
                tr { th { (k) } td { (v) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations_and_sizes_read_well() {
        assert_eq!(human_secs(5), "5s");
        assert_eq!(human_secs(192), "3m 12s");
        assert_eq!(human_secs(7500), "2h 05m");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1_500_000), "1.5 MB");
        let t = json!({"status": "completed", "started": "2026-01-01T00:00:00+00:00",
                       "completed": "2026-01-01T00:01:30+00:00"});
        assert_eq!(duration(&t), "1m 30s");
    }

    #[test]
    fn text_is_escaped_in_every_helper() {
        let m = html! { (tags(&json!(["<b>x</b>"]))) (status("<i>")) (uri_link("s3://<x>", "s3://<x>")) };
        let out = m.into_string();
        assert!(
            !out.contains("<b>") && !out.contains("<i>") && !out.contains("<x>"),
            "{out}"
        );
        assert_eq!(url_part("a b/ü"), "a%20b%2F%C3%BC");
    }
}
