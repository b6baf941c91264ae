//! `/datasets`: the SDK's datasets (tasks tagged `dataset` in hidden `<project>/.datasets/<name>`
//! projects) by project and name; a dataset's versions
//! (`/datasets/simple/<project id>/experiments`, the real web app's URL); one version
//! (`/datasets/simple/<project id>/experiments/<task id>`, the URL the SDK logs): its facts,
//! the lineage graph from its parents, the file table (path, size, sha256, version) from its
//! `state` artifact, and a link to each chunk.

use std::collections::{BTreeMap, HashMap};

use super::layout::{self, Nav, ref_id, ref_name, s, url_part};
use super::{AppState, Ctx, render};
use crate::envelope::ApiError;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};
use serde_json::{Value, json};
use std::sync::Arc;

/// Files listed on a version's page (the rest is counted).
const MAX_FILES: usize = 5000;
/// The largest state read for a page.
const MAX_STATE: u64 = 64 << 20;

const FIELDS: &[&str] = &[
    "id",
    "name",
    "status",
    "project.name",
    "runtime",
    "created",
    "last_update",
    "tags",
    "comment",
    "execution.artifacts",
];

fn visible_project(hidden: &str) -> &str {
    match hidden.find("/.datasets/") {
        Some(i) => &hidden[..i],
        None => hidden,
    }
}

fn version(t: &Value) -> &str {
    t["runtime"]["version"].as_str().unwrap_or("")
}

fn runtime_u64(t: &Value, key: &str) -> Option<u64> {
    let v = &t["runtime"][key];
    v.as_u64()
        .or_else(|| v.as_str().and_then(|x| x.parse().ok()))
}

/// Numeric parts compared as numbers (`1.0.10` after `1.0.9`).
fn version_key(v: &str) -> Vec<(u64, String)> {
    v.split(['.', '-', '+'])
        .map(|p| (p.parse().unwrap_or(0), p.to_string()))
        .collect()
}

fn versions_of(ctx: &Ctx, project: Option<&str>) -> Result<Vec<Value>, ApiError> {
    let mut body = json!({
        "system_tags": ["dataset"], "type": ["data_processing"], "search_hidden": true,
        "only_fields": FIELDS, "order_by": ["-last_update"], "page": 0, "page_size": 2000,
    });
    if let Some(p) = project {
        body["project"] = json!([p]);
    }
    Ok(ctx.api("tasks.get_all_ex", body)?["tasks"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

fn version_href(t: &Value) -> String {
    format!(
        "/datasets/simple/{}/experiments/{}",
        url_part(ref_id(&t["project"])),
        url_part(s(t, "id"))
    )
}

fn files_cell(t: &Value) -> String {
    match runtime_u64(t, "ds_file_count") {
        Some(n) => (n + runtime_u64(t, "ds_link_count").unwrap_or(0)).to_string(),
        None => String::new(),
    }
}

fn size_cell(t: &Value) -> String {
    runtime_u64(t, "ds_total_size")
        .map(layout::size)
        .unwrap_or_default()
}

pub async fn list(State(state): State<Arc<AppState>>) -> Response {
    render(state, listing).await
}

fn listing(ctx: &Ctx) -> Result<Markup, ApiError> {
    let all = versions_of(ctx, None)?;
    // (user project, name) -> versions, newest update first.
    let mut by: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    for t in &all {
        let hidden = ref_name(&t["project"]);
        by.entry((
            visible_project(hidden).to_string(),
            s(t, "name").to_string(),
        ))
        .or_default()
        .push(t);
    }
    let body = html! {
        h1 { "Datasets" }
        @if by.is_empty() {
            p.muted { "No datasets. Make one with 'clearml dataset create' or the SDK's Dataset.create()." }
        } @else {
            table.grid #datasets {
                thead { tr { th { "Project" } th { "Dataset" } th { "Latest version" } th { "Versions" } th { "Status" } th { "Files" } th { "Size" } th { "Updated" } } }
                tbody {
                    @for ((project, name), vs) in &by {
                        @let latest = vs.iter().max_by(|a, b| version_key(version(a)).cmp(&version_key(version(b)))).copied().unwrap_or(vs[0]);
                        tr {
                            td { (project) }
                            td { a href={ "/datasets/simple/" (url_part(ref_id(&latest["project"]))) "/experiments" } { (name) } }
                            td { a href=(version_href(latest)) { (version(latest)) } }
                            td { (vs.len()) }
                            td { (layout::status(s(latest, "status"))) }
                            td { (files_cell(latest)) }
                            td { (size_cell(latest)) }
                            td { (layout::time(&latest["last_update"])) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page("Datasets", Nav::Datasets, body))
}

pub async fn versions(State(state): State<Arc<AppState>>, Path(project): Path<String>) -> Response {
    render(state, move |ctx| versions_page(ctx, &project)).await
}

fn versions_page(ctx: &Ctx, project: &str) -> Result<Markup, ApiError> {
    let mut vs = versions_of(ctx, Some(project))?;
    vs.sort_by_key(|t| std::cmp::Reverse(version_key(version(t))));
    let doc = super::experiments::project_doc(ctx, project)?;
    let hidden = s(&doc, "name");
    let name = hidden.rsplit('/').next().unwrap_or(hidden);
    let body = html! {
        div.crumbs { a href="/datasets" { "Datasets" } " / " (visible_project(hidden)) " / " }
        h1 { (name) }
        table.grid #versions {
            thead { tr { th { "Version" } th { "Status" } th { "Files" } th { "Size" } th { "Created" } th { "Tags" } } }
            tbody {
                @for t in &vs {
                    tr {
                        td { a href=(version_href(t)) { (version(t)) } }
                        td { (layout::status(s(t, "status"))) }
                        td { (files_cell(t)) }
                        td { (size_cell(t)) }
                        td { (layout::time(&t["created"])) }
                        td { (layout::tags(&t["tags"])) }
                    }
                }
            }
        }
    };
    Ok(layout::page(name, Nav::Datasets, body))
}

pub async fn version_page(
    State(state): State<Arc<AppState>>,
    Path((_project, task)): Path<(String, String)>,
) -> Response {
    render(state, move |ctx| version_view(ctx, &task)).await
}

pub async fn version_tab(
    State(state): State<Arc<AppState>>,
    Path((_project, task, _tab)): Path<(String, String, String)>,
) -> Response {
    render(state, move |ctx| version_view(ctx, &task)).await
}

/// A file on this server's file server, read (at most `MAX_STATE` bytes).
fn own_file(ctx: &Ctx, uri: &str) -> Option<Vec<u8>> {
    let base = ctx.files_url();
    let rest = uri.strip_prefix(base).filter(|_| !base.is_empty())?;
    let root = &ctx.state.files_dir;
    let path = crate::decoding::resolve(root, rest)
        .filter(|p| p.is_file())
        .or_else(|| crate::decoding::resolve(root, &crate::decoding::decoded_path(rest)))?;
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_STATE {
        return None;
    }
    std::fs::read(path).ok()
}

fn artifact<'a>(t: &'a Value, key: &str) -> Option<&'a Value> {
    t["execution"]["artifacts"]
        .as_array()?
        .iter()
        .find(|a| a["key"].as_str() == Some(key))
}

fn chunk_index(key: &str) -> Option<u64> {
    if key == "data" {
        return Some(0);
    }
    key.strip_prefix("data_")?.parse().ok()
}

/// A version's task and its state (read from this server's file server; null when not).
fn version_and_state(ctx: &Ctx, id: &str) -> Result<(Value, Value), ApiError> {
    let data = ctx.api(
        "tasks.get_all_ex",
        json!({"id": [id], "only_fields": FIELDS, "search_hidden": true}),
    )?;
    let t = data["tasks"]
        .get(0)
        .cloned()
        .ok_or_else(|| ApiError::invalid_task(id))?;
    let state: Value = artifact(&t, "state")
        .and_then(|a| a["uri"].as_str())
        .and_then(|u| own_file(ctx, u))
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    Ok((t, state))
}

/// Every version the graph names, by id, for names and versions in the lineage.
fn graph_versions(
    ctx: &Ctx,
    graph: &BTreeMap<String, Vec<String>>,
) -> Result<HashMap<String, Value>, ApiError> {
    let mut ids: Vec<String> = graph.keys().cloned().collect();
    for ps in graph.values() {
        for p in ps {
            if !ids.contains(p) {
                ids.push(p.clone());
            }
        }
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(ctx.api(
        "tasks.get_all_ex",
        json!({"id": ids, "only_fields": ["id", "name", "runtime", "project.name", "status"], "search_hidden": true}),
    )?["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| Some((x["id"].as_str()?.to_string(), x.clone())))
        .collect())
}

/// The version's own chunk artifacts, each linked to its file.
fn chunks_table(ctx: &Ctx, t: &Value) -> Markup {
    let mut chunks: Vec<&Value> = t["execution"]["artifacts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["key"].as_str().and_then(chunk_index).is_some())
        .collect();
    chunks.sort_by_key(|a| a["key"].as_str().and_then(chunk_index));
    html! {
        @if chunks.is_empty() { p.muted { "No chunk of its own (all files come from its parents)." } }
        @else {
            table.grid #chunks {
                thead { tr { th { "Chunk" } th { "Size" } th { "sha256" } } }
                tbody { @for c in &chunks {
                    @let uri = s(c, "uri");
                    @let (href, _) = ctx.file_link(uri);
                    tr {
                        td { (layout::uri_link(s(c, "key"), &href)) }
                        td { (c["content_size"].as_u64().map(layout::size).unwrap_or_default()) }
                        td { code { (s(c, "hash")) } }
                    }
                } }
            }
        }
    }
}

/// The file table (the first MAX_FILES), each file with the version it is stored in.
fn files_table(files: &[&Value], id: &str, label: &dyn Fn(&str) -> String) -> Markup {
    html! {
        table.grid #files {
            thead { tr { th { "Path" } th { "Size" } th { "sha256" } th { "Stored in" } } }
            tbody { @for f in files.iter().take(MAX_FILES) {
                @let from = s(f, "parent_dataset_id");
                tr {
                    td { (s(f, "relative_path")) }
                    td { (f["size"].as_u64().map(|n| n.to_string()).unwrap_or_default()) }
                    td { code { (s(f, "hash")) } }
                    td { @if from == id { "this version" } @else { (label(from)) } }
                }
            } }
        }
        @if files.len() > MAX_FILES { p.muted { "… and " (files.len() - MAX_FILES) " more files ('clearml dataset show --files' lists all)." } }
    }
}

fn version_view(ctx: &Ctx, id: &str) -> Result<Markup, ApiError> {
    let (t, state) = version_and_state(ctx, id)?;
    let graph: BTreeMap<String, Vec<String>> =
        serde_json::from_value(state["dependency_graph"].clone()).unwrap_or_default();
    let parents = graph.get(id).cloned().unwrap_or_default();
    let known = graph_versions(ctx, &graph)?;
    let label = |v: &str| -> String {
        match known.get(v) {
            Some(x) => format!("{} {}", s(x, "name"), version(x)),
            None => v.chars().take(8).collect(),
        }
    };
    let mut files: Vec<&Value> = state["dataset_file_entries"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            state["dataset_link_entries"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .collect();
    files.sort_by(|a, b| s(a, "relative_path").cmp(s(b, "relative_path")));
    let hidden = ref_name(&t["project"]);
    let facts = [
        ("ID", html! { code { (s(&t, "id")) } }),
        ("Project", html! { (visible_project(hidden)) }),
        ("Version", html! { (version(&t)) }),
        ("Status", layout::status(s(&t, "status"))),
        (
            "Files",
            html! { (files.len()) " (" (layout::size(files.iter().filter_map(|f| f["size"].as_u64()).sum())) ")" },
        ),
        (
            "Parents",
            html! { @for (i, p) in parents.iter().enumerate() {
                @if i > 0 { ", " }
                @match known.get(p) {
                    Some(x) => a href=(version_href(x)) { (label(p)) },
                    None => code { (p) },
                }
            } },
        ),
        ("Created", html! { (layout::time(&t["created"])) }),
        ("Tags", layout::tags(&t["tags"])),
        ("Description", html! { (s(&t, "comment")) }),
    ];
    let facts: Vec<_> = facts.into_iter().filter(|(_, v)| !v.0.is_empty()).collect();
    let body = html! {
        div.crumbs {
            a href="/datasets" { "Datasets" } " / "
            a href={ "/datasets/simple/" (url_part(ref_id(&t["project"]))) "/experiments" } { (s(&t, "name")) } " / "
        }
        h1 { (s(&t, "name")) " " (version(&t)) }
        (layout::facts(&facts))
        h2 { "Lineage" }
        (lineage(&graph, id, &known))
        h2 { "Chunks" }
        (chunks_table(ctx, &t))
        h2 { "Files" }
        @if state.is_null() { p.muted { "The version's state is not readable on this server." } }
        (files_table(&files, id, &label))
    };
    Ok(layout::page(s(&t, "name"), Nav::Datasets, body))
}

/// The version graph as an SVG: one row per version (ancestors first), an edge from each
/// parent to its child.
fn lineage(
    graph: &BTreeMap<String, Vec<String>>,
    id: &str,
    known: &HashMap<String, Value>,
) -> Markup {
    // Ancestors first: a version after all of its parents.
    // Each version is visited once (a hostile graph may have cycles), depth bounded.
    let mut order: Vec<String> = Vec::new();
    let mut visited: std::collections::HashSet<String> = std::collections::HashSet::new();
    fn visit(
        v: &str,
        g: &BTreeMap<String, Vec<String>>,
        order: &mut Vec<String>,
        visited: &mut std::collections::HashSet<String>,
        depth: usize,
    ) {
        if depth > 200 || !visited.insert(v.to_string()) {
            return;
        }
        for p in g.get(v).into_iter().flatten() {
            visit(p, g, order, visited, depth + 1);
        }
        order.push(v.to_string());
    }
    visit(id, graph, &mut order, &mut visited, 0);
    let row = |i: usize| 20 + i as i64 * 44;
    let pos: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, v)| (v.as_str(), i))
        .collect();
    let height = row(order.len()) as usize;
    html! {
        svg #lineage width="520" height=(height) viewBox={ "0 0 520 " (height) } {
            @for (i, v) in order.iter().enumerate() {
                @for p in graph.get(v).into_iter().flatten() {
                    @if let Some(&j) = pos.get(p.as_str()) {
                        path.edge d={ "M 40 " (row(j) + 14) " C 10 " (row(j) + 30) ", 10 " (row(i) - 16) ", 40 " (row(i)) } fill="none" stroke="currentColor" {}
                    }
                }
                g.node {
                    circle cx="40" cy=(row(i)) r="7" fill=(if v == id { "#2a7ae2" } else { "#888" }) {}
                    text x="58" y=(row(i) + 5) {
                        @match known.get(v) {
                            Some(x) => { (s(x, "name")) " " (version(x)) " · " (s(x, "status")) },
                            None => { (v) },
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cyclic_or_deep_graph_draws_each_version_once() {
        let mut g = BTreeMap::new();
        g.insert("a".to_string(), vec!["b".to_string(), "c".to_string()]);
        g.insert("b".to_string(), vec!["a".to_string(), "c".to_string()]);
        g.insert("c".to_string(), vec!["b".to_string(), "a".to_string()]);
        let out = lineage(&g, "a", &HashMap::new()).into_string();
        assert_eq!(out.matches("class=\"node\"").count(), 3, "{out}");
        // A long chain with many parents each: linear, not exponential.
        let mut g = BTreeMap::new();
        for i in 0..3000 {
            g.insert(
                format!("v{i}"),
                vec![format!("v{}", i + 1), format!("v{}", i + 2)],
            );
        }
        let out = lineage(&g, "v0", &HashMap::new()).into_string();
        assert!(
            out.matches("class=\"node\"").count() <= 202,
            "depth bounded"
        );
        assert_eq!(
            version_key("1.0.10").cmp(&version_key("1.0.9")),
            std::cmp::Ordering::Greater
        );
    }
}
