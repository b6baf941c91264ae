//! The event links of the stack's Elasticsearch (`server rehost --stack`): debug image URLs
//! (`url` of `events-training_debug_image-*`) and the image links inside plots
//! (`source_urls` and `plot_str` of `events-plot-*`), rewritten in place with one
//! `_update_by_query` over `events-*` and a Painless script, counted first with a search.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::docker::Engine;
use super::es::{SHORT, es_ok};

/// What `_update_by_query` may take (every event of a big server).
const LONG: Duration = Duration::from_secs(6 * 3600);
const INDICES: &str = "events-*";

/// The events whose links start with `from` (the whole link, or followed by `/`). Plot
/// links are matched through `source_urls`, which the server fills with the image links it
/// finds in a plot (dynamically mapped: its `keyword` sub-field).
pub fn links_query(from: &str) -> Value {
    let under = format!("{from}/");
    json!({"bool": {"minimum_should_match": 1, "should": [
        {"term": {"url": from}},
        {"prefix": {"url": under}},
        {"term": {"source_urls.keyword": from}},
        {"prefix": {"source_urls.keyword": under}},
    ]}})
}

/// The Painless script that moves the links of one event. A plot stored compressed
/// (`plot_data`, zlib: the server compresses plots of 100,000 characters and more) cannot
/// be rewritten by a script, so it is left whole (a noop, counted apart).
pub const SCRIPT: &str = "\
String f = params.from; String t = params.to; String fs = f + '/'; boolean changed = false;
if (ctx._source.containsKey('plot_data')) { ctx.op = 'noop'; } else {
  def u = ctx._source.url;
  if (u instanceof String && (u.equals(f) || u.startsWith(fs))) { ctx._source.url = t + u.substring(f.length()); changed = true; }
  def s = ctx._source.source_urls;
  if (s instanceof List) { for (int i = 0; i < s.size(); i++) { def x = s.get(i);
    if (x instanceof String && (x.equals(f) || x.startsWith(fs))) { s.set(i, t + x.substring(f.length())); changed = true; } } }
  def p = ctx._source.plot_str;
  if (p instanceof String && p.contains(fs)) { ctx._source.plot_str = p.replace(fs, t + '/'); changed = true; }
  if (!changed) { ctx.op = 'noop'; }
}";

/// The `_update_by_query` body.
pub fn update_body(from: &str, to: &str) -> Value {
    json!({
        "query": links_query(from),
        "script": {"lang": "painless", "source": SCRIPT, "params": {"from": from, "to": to}},
    })
}

/// (kind, task id) -> events with links under `from`; kind is `debug_image` or `plot`.
pub async fn count_links(
    engine: &Engine,
    id: &str,
    from: &str,
) -> anyhow::Result<BTreeMap<(String, String), usize>> {
    let body = json!({
        "size": 0,
        "query": links_query(from),
        "aggs": {"kind": {"terms": {"field": "type", "size": 20},
            "aggs": {"task": {"terms": {"field": "task", "size": 65536}}}}},
    });
    let v = es_ok(
        engine,
        id,
        "POST",
        &format!("/{INDICES}/_search?ignore_unavailable=true&allow_no_indices=true"),
        Some(&body),
        SHORT * 10,
    )
    .await?;
    let mut counts = BTreeMap::new();
    for kind in v["aggregations"]["kind"]["buckets"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = match kind["key"].as_str().unwrap_or("") {
            "training_debug_image" => "debug_image",
            "plot" => "plot",
            other => other,
        }
        .to_string();
        for task in kind["task"]["buckets"].as_array().into_iter().flatten() {
            let (Some(t), Some(n)) = (task["key"].as_str(), task["doc_count"].as_u64()) else {
                continue;
            };
            *counts.entry((name.clone(), t.to_string())).or_default() += n as usize;
        }
    }
    Ok(counts)
}

/// Rewrite the links; returns (events updated, events left: compressed plots).
pub async fn rehost(engine: &Engine, id: &str, from: &str, to: &str) -> anyhow::Result<(u64, u64)> {
    let v = es_ok(
        engine,
        id,
        "POST",
        &format!(
            "/{INDICES}/_update_by_query?conflicts=proceed&refresh=true&wait_for_completion=true&ignore_unavailable=true&allow_no_indices=true"
        ),
        Some(&update_body(from, to)),
        LONG,
    )
    .await?;
    if let Some(first) = v["failures"].as_array().and_then(|f| f.first()) {
        anyhow::bail!(
            "Elasticsearch could not rewrite every event ({} failure(s)), e.g. {}",
            v["failures"].as_array().map_or(0, Vec::len),
            first["cause"]["reason"]
                .as_str()
                .unwrap_or(&first.to_string())
        );
    }
    Ok((
        v["updated"].as_u64().unwrap_or(0),
        v["noops"].as_u64().unwrap_or(0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_takes_the_whole_link_or_a_path_under_it() {
        let q = links_query("http://h:8081");
        let s = q.to_string();
        assert!(s.contains(r#"{"term":{"url":"http://h:8081"}}"#), "{s}");
        assert!(s.contains(r#"{"prefix":{"url":"http://h:8081/"}}"#), "{s}");
        assert!(
            s.contains(r#""prefix":{"source_urls.keyword":"http://h:8081/"}"#),
            "{s}"
        );
        let b = update_body("http://h:8081", "https://f.example.com/Übung");
        assert_eq!(b["script"]["params"]["to"], "https://f.example.com/Übung");
        assert_eq!(b["script"]["lang"], "painless");
    }
}
