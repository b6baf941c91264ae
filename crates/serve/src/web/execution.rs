//! An experiment's Execution section (what ran it: entry point, repository, branch and
//! commit, the uncommitted diff, the installed packages, the container) and the Info
//! rows that need a look-up (its queue and parent task by name).

use super::Ctx;
use super::layout::{self, s};
use maud::{Markup, html};
use serde_json::{Value, json};

/// Diff and package text shown at most (characters): a huge diff stays a page.
const TEXT_LIMIT: usize = 200_000;

/// `text` cut to `TEXT_LIMIT` characters, saying how much was left out.
fn bounded(text: &str) -> (String, Option<usize>) {
    match text.char_indices().nth(TEXT_LIMIT) {
        None => (text.to_string(), None),
        Some((at, _)) => (text[..at].to_string(), Some(text[at..].chars().count())),
    }
}

fn pre_block(id: &str, title: &str, text: &str, none: &str) -> Markup {
    let (shown, cut) = bounded(text);
    html! {
        h3 { (title) }
        @if text.trim().is_empty() {
            p.muted { (none) }
        } @else {
            pre.json id=(id) { (shown) }
            @if let Some(n) = cut { p.muted { (n) " more characters not shown." } }
        }
    }
}

/// The installed packages as the SDK stores them: `script.requirements.pip` (text, one
/// requirement a line), else a list of lines.
fn packages(t: &Value) -> String {
    let pip = &t["script"]["requirements"]["pip"];
    match pip {
        Value::String(text) => text.clone(),
        Value::Array(lines) => lines
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The Execution section of the overview.
pub fn section(t: &Value) -> Markup {
    let script = &t["script"];
    let text = |k: &str| html! { (s(script, k)) };
    let rows = [
        ("Repository", text("repository")),
        ("Branch", text("branch")),
        ("Commit", html! { code { (s(script, "version_num")) } }),
        ("Tag", text("tag")),
        ("Working directory", text("working_dir")),
        ("Entry point", text("entry_point")),
        ("Binary", text("binary")),
        ("Container image", html! { (s(&t["container"], "image")) }),
        (
            "Container arguments",
            html! { (s(&t["container"], "arguments")) },
        ),
    ];
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|(_, v)| !v.0.is_empty() && v.0 != "<code></code>")
        .collect();
    html! {
        h2 #execution { "Execution" }
        @if rows.is_empty() { p.muted { "No source information recorded." } }
        @else { table.facts.execution { @for (k, v) in &rows { tr { th { (k) } td { (v) } } } } }
        (pre_block("diff", "Uncommitted changes", s(script, "diff"), "No uncommitted changes."))
        (pre_block("packages", "Installed packages", &packages(t), "No packages recorded."))
        @let setup = s(&t["container"], "setup_shell_script");
        @if !setup.trim().is_empty() {
            (pre_block("setup", "Container setup script", setup, ""))
        }
    }
}

/// Info rows for the task's queue (get_all_ex joins it as `{id, name}`) and its parent
/// (looked up by one query, only when the task has one); a parent that is gone shows its
/// id.
pub fn links(ctx: &Ctx, t: &Value) -> Vec<(&'static str, Markup)> {
    let mut rows = Vec::new();
    let name = layout::ref_name(&t["execution"]["queue"]);
    if !name.is_empty() {
        rows.push(("Queue", html! { (name) }));
    }
    let parent = layout::ref_id(&t["parent"]);
    if !parent.is_empty() {
        let found = ctx
            .api(
                "tasks.get_all_ex",
                json!({"id": [parent], "search_hidden": true,
                       "only_fields": ["id", "name", "project"]}),
            )
            .ok()
            .and_then(|r| r["tasks"].get(0).cloned());
        rows.push((
            "Parent",
            match found {
                Some(p) => html! { a href=(layout::task_href(&p)) { (s(&p, "name")) } },
                None => html! { code { (parent) } },
            },
        ));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_from_text_or_lines_and_long_text_cut() {
        let t = json!({"script": {"requirements": {"pip": "numpy==2.0\nclearml"}}});
        assert_eq!(packages(&t), "numpy==2.0\nclearml");
        let t = json!({"script": {"requirements": {"pip": ["a", "b"]}}});
        assert_eq!(packages(&t), "a\nb");
        assert_eq!(packages(&json!({})), "");
        let long = "ä".repeat(TEXT_LIMIT + 3);
        let (shown, cut) = bounded(&long);
        assert_eq!((shown.chars().count(), cut), (TEXT_LIMIT, Some(3)));
    }
}
