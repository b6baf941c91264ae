//! The console tab's search (the lines of the whole log that contain a text, any case)
//! and its full download, both read through `events.download_task_log`.

use super::Ctx;
use crate::envelope::{ApiError, take_raw};
use maud::{Markup, html};
use serde_json::{Value, json};

/// Matching lines a search shows at most (the first ones).
const MAX_MATCHES: usize = 10_000;

/// The whole log, oldest first, one console message a line (a message's own line breaks
/// kept).
pub fn whole_log(ctx: &Ctx, task: &str) -> Result<String, ApiError> {
    let mut reply = ctx.api(
        "events.download_task_log",
        json!({"task": task, "line_type": "json"}),
    );
    let raw = take_raw(&mut reply).map(|r| r.text);
    let raw = match raw {
        Some(text) => text,
        None => return reply.map(|_| String::new()),
    };
    let mut text = String::new();
    for line in raw.lines() {
        let Ok(ev) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let msg = ev["msg"].as_str().unwrap_or("");
        text.push_str(msg);
        if !msg.ends_with('\n') {
            text.push('\n');
        }
    }
    Ok(text)
}

/// The lines of `text` that contain `needle` (ignoring case), at most `MAX_MATCHES`, and
/// how many matched in all.
fn matching<'a>(text: &'a str, needle: &str) -> (Vec<&'a str>, usize) {
    let needle = needle.to_lowercase();
    let mut shown = Vec::new();
    let mut count = 0;
    for line in text.lines().filter(|l| l.to_lowercase().contains(&needle)) {
        count += 1;
        if shown.len() < MAX_MATCHES {
            shown.push(line);
        }
    }
    (shown, count)
}

pub fn search_form(base: &str, value: &str) -> Markup {
    html! {
        form.filters.logsearch method="get" action={ (base) "/output/log" } {
            input type="search" name="search" placeholder="Search the whole log" value=(value);
            button type="submit" { "Search" }
        }
    }
}

/// The console tab for a search: the matching lines of the whole log.
pub fn search_body(ctx: &Ctx, task: &str, base: &str, needle: &str) -> Result<Markup, ApiError> {
    let text = whole_log(ctx, task)?;
    let (lines, count) = matching(&text, needle);
    Ok(html! {
        (search_form(base, needle))
        div.pager {
            span.muted #matches {
                (count) " lines contain “" (needle) "”"
                @if count > lines.len() { " (the first " (lines.len()) " shown)" }
            }
            a href={ (base) "/output/log" } { "Whole console" }
        }
        pre.log #log data-follow="0" { (lines.join("\n")) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_ignores_case_and_counts_all() {
        let text = "Epoch 1 Verlust\nepoch 2 Ошибка\nnothing\nEPOCH 3 ОШИБКА";
        assert_eq!(matching(text, "epoch").1, 3);
        assert_eq!(
            matching(text, "ошибка").0,
            ["epoch 2 Ошибка", "EPOCH 3 ОШИБКА"]
        );
        assert_eq!(matching(text, "zzz"), (vec![], 0));
    }
}
