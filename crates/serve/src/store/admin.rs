//! Whole-database administration: moving stored file links from one file server prefix
//! to another (`clearml server rehost` on a stopped `serve` data dir: model URIs, task
//! artifact URIs, debug image URLs and the links inside plots, in one transaction), and
//! what uses the space (`clearml server usage`).

use super::Store;
use super::documents::Coll;
use super::error::StoreResult;
use rusqlite::params;
use serde_json::Value;
use std::collections::BTreeMap;

/// What a link lives in (the `kind` of a count).
pub const KINDS: [&str; 4] = ["model", "artifact", "debug_image", "plot"];

/// Links found (and, unless a dry run, rewritten): per (kind, project id).
pub type RehostCounts = BTreeMap<(&'static str, String), usize>;

/// `text` with a leading `from` replaced by `to`, when `from` is the whole text or is
/// followed by `/` (so `http://h:8081` never matches `http://h:80811/x`).
pub fn rewrite_prefix(text: &str, from: &str, to: &str) -> Option<String> {
    let rest = text.strip_prefix(from)?;
    (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
        .then(|| format!("{to}{rest}"))
}

/// Every `from/` inside `text` (a plot's JSON, which quotes image links) made `to/`.
pub fn rewrite_embedded(text: &str, from: &str, to: &str) -> Option<String> {
    let needle = format!("{from}/");
    text.contains(&needle)
        .then(|| text.replace(&needle, &format!("{to}/")))
}

/// A task's artifact links rewritten in place; how many changed.
fn rewrite_artifacts(task: &mut Value, from: &str, to: &str) -> usize {
    let mut n = 0;
    let artifacts = match task.pointer_mut("/execution/artifacts") {
        Some(Value::Array(a)) => a.iter_mut().collect::<Vec<_>>(),
        Some(Value::Object(o)) => o.values_mut().collect(),
        _ => return 0,
    };
    for a in artifacts {
        if let Some(Value::String(uri)) = a.get_mut("uri")
            && let Some(new) = rewrite_prefix(uri, from, to)
        {
            *uri = new;
            n += 1;
        }
    }
    n
}

impl Store {
    /// Count the links under `from` per kind and project; with `apply`, rewrite them to
    /// `to`. Callers run it in one transaction (`Store::tx`), so it is all or nothing.
    pub fn rehost_links(&self, from: &str, to: &str, apply: bool) -> StoreResult<RehostCounts> {
        let mut counts = RehostCounts::new();
        let mut add = |kind: &'static str, project: &str, n: usize| {
            if n > 0 {
                *counts.entry((kind, project.to_string())).or_default() += n;
            }
        };
        // Models: `uri`.
        for mut doc in self.docs_containing(Coll::Models, from)? {
            let project = doc["project"].as_str().unwrap_or("").to_string();
            if let Some(Value::String(uri)) = doc.get_mut("uri")
                && let Some(new) = rewrite_prefix(uri, from, to)
            {
                *uri = new;
                add("model", &project, 1);
                if apply {
                    self.put(Coll::Models, &doc)?;
                }
            }
        }
        // Tasks: `execution.artifacts[].uri`.
        let mut task_project: BTreeMap<String, String> = BTreeMap::new();
        for mut doc in self.docs_containing(Coll::Tasks, from)? {
            let project = doc["project"].as_str().unwrap_or("").to_string();
            let n = rewrite_artifacts(&mut doc, from, to);
            add("artifact", &project, n);
            if apply && n > 0 {
                self.put(Coll::Tasks, &doc)?;
            }
        }
        // Events: a debug image's `url`, the links inside a plot's `plot_str`.
        let rows: Vec<(i64, String, String, String)> = {
            let mut stmt = self.conn.prepare(
                "SELECT rid, task, type, doc FROM events \
                 WHERE type IN ('training_debug_image', 'plot') AND instr(doc, ?1) > 0",
            )?;
            stmt.query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?
        };
        for (rid, task, kind, text) in rows {
            let mut doc: Value = serde_json::from_str(&text)?;
            let (field, kind): (&str, &'static str) = if kind == "plot" {
                ("plot_str", "plot")
            } else {
                ("url", "debug_image")
            };
            let changed = match doc.get_mut(field) {
                Some(Value::String(s)) => {
                    let new = if kind == "plot" {
                        rewrite_embedded(s, from, to)
                    } else {
                        rewrite_prefix(s, from, to)
                    };
                    new.map(|n| *s = n).is_some()
                }
                _ => false,
            };
            if !changed {
                continue;
            }
            if !task_project.contains_key(&task) {
                let p = self
                    .get(Coll::Tasks, &task)?
                    .and_then(|t| t["project"].as_str().map(str::to_string))
                    .unwrap_or_default();
                task_project.insert(task.clone(), p);
            }
            add(kind, &task_project[&task], 1);
            if apply {
                self.conn.execute(
                    "UPDATE events SET doc = ?2 WHERE rid = ?1",
                    params![rid, doc.to_string()],
                )?;
            }
        }
        Ok(counts)
    }

    /// The documents of `coll` whose JSON text holds `needle` anywhere.
    fn docs_containing(&self, coll: Coll, needle: &str) -> StoreResult<Vec<Value>> {
        let sql = format!(
            "SELECT doc FROM {} WHERE instr(doc, ?1) > 0 ORDER BY rid",
            coll.table()
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let texts: Vec<String> = stmt
            .query_map([needle], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        texts.iter().map(|t| Ok(serde_json::from_str(t)?)).collect()
    }

    /// Project id → name, for reports.
    pub fn project_names(&self) -> StoreResult<BTreeMap<String, String>> {
        let mut stmt = self.conn.prepare("SELECT id, name FROM projects")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (id, n.unwrap_or_default()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_only_at_a_path_boundary() {
        let (f, t) = ("http://h:8081", "https://files.example.com");
        assert_eq!(
            rewrite_prefix("http://h:8081/p/a.bin", f, t).as_deref(),
            Some("https://files.example.com/p/a.bin")
        );
        assert_eq!(rewrite_prefix("http://h:80811/p", f, t), None);
        assert_eq!(rewrite_prefix("s3://b/http://h:8081/x", f, t), None);
        assert_eq!(
            rewrite_embedded(r#"{"source": "http://h:8081/i.png"}"#, f, t).as_deref(),
            Some(r#"{"source": "https://files.example.com/i.png"}"#)
        );
        assert_eq!(rewrite_embedded("http://h:80811/x", f, t), None);
    }
}

/// One task's events as `clearml server usage` counts them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventUsage {
    pub events: u64,
    /// The stored JSON of its events (what the database holds for them, before SQLite's
    /// own page overhead).
    pub bytes: u64,
}

impl Store {
    /// Events per task: count and stored bytes.
    pub fn event_usage(&self) -> StoreResult<BTreeMap<String, EventUsage>> {
        let mut stmt = self.conn.prepare(
            "SELECT task, count(*), sum(length(CAST(doc AS BLOB))) FROM events GROUP BY task",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    EventUsage {
                        events: r.get::<_, i64>(1)? as u64,
                        bytes: r.get::<_, Option<i64>>(2)?.unwrap_or(0) as u64,
                    },
                ))
            })?
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        Ok(rows)
    }

    /// Every task: id → (name, project id).
    pub fn task_names(&self) -> StoreResult<BTreeMap<String, (String, String)>> {
        let mut stmt = self.conn.prepare("SELECT id, name, project FROM tasks")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    (
                        r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    ),
                ))
            })?
            .collect::<Result<BTreeMap<_, _>, _>>()?;
        Ok(rows)
    }
}
