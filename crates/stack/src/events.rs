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

/// Events with links under `from` of one kind and task: all of them, and those stored
/// compressed (`plot_data`), which the script leaves as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkEvents {
    pub events: usize,
    pub compressed: usize,
}

/// (kind, task id) -> events with links under `from`; kind is `debug_image` or `plot`.
pub async fn count_links(
    engine: &Engine,
    id: &str,
    from: &str,
) -> anyhow::Result<BTreeMap<(String, String), LinkEvents>> {
    let body = json!({
        "size": 0,
        "query": links_query(from),
        "aggs": {"kind": {"terms": {"field": "type", "size": 20},
            "aggs": {"task": {"terms": {"field": "task", "size": 65536},
                "aggs": {"compressed": {"filter": {"exists": {"field": "plot_data"}}}}}}}},
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
            let c = counts
                .entry((name.clone(), t.to_string()))
                .or_insert_with(LinkEvents::default);
            c.events += n as usize;
            c.compressed += task["compressed"]["doc_count"].as_u64().unwrap_or(0) as usize;
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

/// One events index as `_cat/indices` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSize {
    pub index: String,
    pub docs: u64,
    /// Its store on disk (`store.size`, in bytes).
    pub bytes: u64,
}

/// A number `_cat/indices` answers as a string (or, from some versions, a number).
fn cat_number(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .unwrap_or(0)
}

/// The events indices, their documents and their bytes on disk.
pub async fn indices(engine: &Engine, id: &str) -> anyhow::Result<Vec<IndexSize>> {
    let v = es_ok(
        engine,
        id,
        "GET",
        &format!("/_cat/indices/{INDICES}?format=json&bytes=b&h=index,docs.count,store.size"),
        None,
        SHORT,
    )
    .await?;
    let mut out: Vec<IndexSize> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            Some(IndexSize {
                index: i["index"].as_str()?.to_string(),
                docs: cat_number(&i["docs.count"]),
                bytes: cat_number(&i["store.size"]),
            })
        })
        .collect();
    out.sort_by(|a, b| a.index.cmp(&b.index));
    Ok(out)
}

/// Buckets per page of the task aggregation.
const PAGE: usize = 1000;

/// Documents per task in one index (`""`: events without a task), paged through a
/// composite aggregation (no `search.max_buckets` limit on a server with many tasks).
async fn per_task(engine: &Engine, id: &str, index: &str) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    let mut after: Option<Value> = None;
    loop {
        let mut composite = json!({"size": PAGE, "sources": [
            {"task": {"terms": {"field": "task", "missing_bucket": true}}}]});
        if let Some(a) = after.take() {
            composite["after"] = a;
        }
        let body = json!({"size": 0, "aggs": {"tasks": {"composite": composite}}});
        let v = es_ok(
            engine,
            id,
            "POST",
            &format!("/{index}/_search"),
            Some(&body),
            SHORT * 10,
        )
        .await?;
        let agg = &v["aggregations"]["tasks"];
        let buckets = agg["buckets"].as_array().cloned().unwrap_or_default();
        for b in &buckets {
            let task = b["key"]["task"].as_str().unwrap_or("").to_string();
            *counts.entry(task).or_default() += b["doc_count"].as_u64().unwrap_or(0);
        }
        match &agg["after_key"] {
            Value::Object(_) if buckets.len() >= PAGE => after = Some(agg["after_key"].clone()),
            _ => break,
        }
    }
    Ok(counts)
}

/// Events per task in the stack's Elasticsearch: task id → (events, bytes). An index's
/// bytes on disk are shared out among its tasks by their number of events (Elasticsearch
/// does not measure single documents).
pub async fn usage(
    engine: &Engine,
    id: &str,
) -> anyhow::Result<(Vec<IndexSize>, BTreeMap<String, (u64, u64)>)> {
    let indices = indices(engine, id).await?;
    let mut tasks: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for ix in indices.iter().filter(|i| i.docs > 0) {
        for (task, n) in per_task(engine, id, &ix.index).await? {
            let e = tasks.entry(task).or_default();
            e.0 += n;
            e.1 += share(ix.bytes, n, ix.docs);
        }
    }
    Ok((indices, tasks))
}

/// `bytes × part / whole`, rounded down, without overflow.
fn share(bytes: u64, part: u64, whole: u64) -> u64 {
    if whole == 0 {
        return 0;
    }
    (u128::from(bytes) * u128::from(part.min(whole)) / u128::from(whole)) as u64
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

    #[test]
    fn index_bytes_are_shared_by_events() {
        assert_eq!(share(1000, 1, 4), 250);
        assert_eq!(share(u64::MAX, 3, 3), u64::MAX);
        assert_eq!(share(10, 1, 0), 0);
        assert_eq!(cat_number(&json!("42")), 42);
        assert_eq!(cat_number(&json!(7)), 7);
        assert_eq!(cat_number(&json!(null)), 0);
    }
}
