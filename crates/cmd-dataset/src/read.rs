//! `dataset list|show|get|verify|diff`: reading versions, made by the SDK or by us.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use futures_util::StreamExt;
use serde_json::Value;

use super::json::{self, ChangeCounts, Chunk, DatasetRow, FileRow};
use super::state::{self, State};
use super::{Ds, chunk_artifacts, is_final, project_of, version_of};
use crate::cli::{DatasetListArgs, DatasetRef};
use crate::error::CliError;
use crate::files;
use crate::output::{Format, Listing};
use clearml_cmd_core::human_bytes;
use clearml_cmd_core::task::query::fmt_time;

fn str_list(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

fn runtime_u64(t: &Value, key: &str) -> Option<u64> {
    let v = &t["runtime"][key];
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

pub fn row_of(t: &Value) -> DatasetRow {
    DatasetRow {
        id: t["id"].as_str().unwrap_or("").to_string(),
        name: t["name"].as_str().unwrap_or("").to_string(),
        project: project_of(t),
        version: version_of(t).map(str::to_string),
        status: t["status"].as_str().unwrap_or("").to_string(),
        tags: str_list(&t["tags"]),
        file_count: match (
            runtime_u64(t, "ds_file_count"),
            runtime_u64(t, "ds_link_count"),
        ) {
            (None, None) => None,
            (f, l) => Some(f.unwrap_or(0) + l.unwrap_or(0)),
        },
        total_size: runtime_u64(t, "ds_total_size"),
        created: t["created"].clone(),
        last_update: t["last_update"].clone(),
    }
}

pub async fn list(ds: &Ds<'_>, a: DatasetListArgs) -> anyhow::Result<()> {
    if let Some(regex) = &a.name {
        clearml_cmd_core::task::query::check_name_regex(regex)?;
    }
    let statuses: &[&str] = &["completed", "published", "closed", "stopped"];
    let found = ds
        .versions(
            a.project.as_deref(),
            a.name.as_deref(),
            (!a.include_drafts).then_some(statuses),
        )
        .await?;
    let mut chosen: Vec<&Value> = if a.all_versions {
        found.iter().collect()
    } else {
        let mut by_name: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
        for t in &found {
            by_name
                .entry((
                    t["project"]["name"].as_str().unwrap_or("").to_string(),
                    t["name"].as_str().unwrap_or("").to_string(),
                ))
                .or_default()
                .push(t.clone());
        }
        let latest: Vec<String> = by_name
            .values()
            .filter_map(|v| super::latest_version(v))
            .filter_map(|t| t["id"].as_str().map(str::to_string))
            .collect();
        found
            .iter()
            .filter(|t| latest.iter().any(|id| t["id"].as_str() == Some(id)))
            .collect()
    };
    chosen.sort_by(|x, y| {
        (project_of(x), x["name"].as_str().unwrap_or(""))
            .cmp(&(project_of(y), y["name"].as_str().unwrap_or("")))
            .then_with(|| {
                state::version_cmp(version_of(y).unwrap_or(""), version_of(x).unwrap_or(""))
            })
    });
    let mut listing = Listing::new([
        "ID", "PROJECT", "NAME", "VERSION", "STATUS", "FILES", "SIZE", "UPDATED",
    ]);
    for t in chosen {
        let r = row_of(t);
        listing.push(
            vec![
                r.id.clone(),
                r.project.clone(),
                r.name.clone(),
                r.version.clone().unwrap_or_default(),
                r.status.clone(),
                r.file_count.map(|n| n.to_string()).unwrap_or_default(),
                r.total_size.map(human_bytes).unwrap_or_default(),
                fmt_time(&r.last_update),
            ],
            json::to_value(&r),
        );
    }
    ds.ctx.out.listing(&listing);
    Ok(())
}

/// The states of `ids`, fetched concurrently.
async fn states_of(ds: &Ds<'_>, ids: &[String]) -> anyhow::Result<HashMap<String, (Value, State)>> {
    let got: Vec<anyhow::Result<(String, (Value, State))>> =
        futures_util::stream::iter(ids.iter().cloned())
            .map(|id| async move {
                let t = ds.dataset_by_id(&id).await?;
                let s = ds.state_of(&t).await?;
                Ok((id, (t, s)))
            })
            .buffer_unordered(8)
            .collect()
            .await;
    got.into_iter().collect()
}

fn file_rows(s: &State) -> Vec<FileRow> {
    let mut rows: Vec<FileRow> = s
        .dataset_file_entries
        .iter()
        .map(|f| FileRow {
            path: f.relative_path.clone(),
            size: f.size,
            sha256: f.hash.clone(),
            version_id: f.parent_dataset_id.clone(),
            chunk: f.artifact_name.clone(),
            link: None,
        })
        .chain(s.dataset_link_entries.iter().map(|l| FileRow {
            path: l.relative_path.clone(),
            size: l.size,
            sha256: l.hash.clone(),
            version_id: l.parent_dataset_id.clone(),
            chunk: None,
            link: l.link.clone(),
        }))
        .collect();
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    rows
}

pub async fn show(ds: &Ds<'_>, which: &DatasetRef, files: bool) -> anyhow::Result<()> {
    let t = ds.resolve(which, false).await?;
    let s = ds.state_of(&t).await?;
    let parents = s.parents();
    let pstates = states_of(ds, &parents).await?;
    let plist: Vec<&State> = parents
        .iter()
        .filter_map(|p| pstates.get(p).map(|x| &x.1))
        .collect();
    let ch = s.changes_against(&plist);
    let mut row = row_of(&t);
    if row.file_count.is_none() || !is_final(&t) {
        row.file_count = Some(
            s.file_count
                .max((s.dataset_file_entries.len() + s.dataset_link_entries.len()) as u64),
        );
        row.total_size = Some(
            s.dataset_file_entries
                .iter()
                .filter_map(|f| f.size)
                .sum::<u64>()
                + s.dataset_link_entries
                    .iter()
                    .filter_map(|l| l.size)
                    .sum::<u64>(),
        );
    }
    let shape = json::DatasetShow {
        row,
        description: t["comment"].clone(),
        parents: parents.clone(),
        changes: ChangeCounts {
            added: ch.added.len() as u64,
            modified: ch.modified.len() as u64,
            removed: ch.removed.len() as u64,
            size_change: ch.added_size as i64 + ch.modified_size - ch.removed_size as i64,
        },
        chunks: chunk_artifacts(&t)
            .into_iter()
            .map(|a| Chunk {
                name: a["key"].as_str().unwrap_or("").to_string(),
                url: a["uri"].clone(),
                size: a["content_size"].clone(),
                sha256: a["hash"].clone(),
            })
            .collect(),
        pending: s.pending().len() as u64,
        files: files.then(|| file_rows(&s)),
    };
    if ds.ctx.out.format == Format::Json {
        ds.ctx.out.json(&json::to_value(&shape));
        return Ok(());
    }
    let parents_text = parents
        .iter()
        .map(|p| match pstates.get(p) {
            Some((pt, _)) => format!(
                "{p} ({} {})",
                pt["name"].as_str().unwrap_or(""),
                version_of(pt).unwrap_or("")
            ),
            None => p.clone(),
        })
        .collect::<Vec<_>>();
    print_show(&shape, &parents_text, ds.ctx.out.color);
    Ok(())
}

/// `show` as text: one line per field, then the file table with `--files`.
fn print_show(shape: &json::DatasetShow, parents: &[String], color: bool) {
    let r = &shape.row;
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<12} {v}\n"));
    line("id", r.id.clone());
    line("name", r.name.clone());
    line("project", r.project.clone());
    line("version", r.version.clone().unwrap_or_default());
    line("status", r.status.clone());
    if !r.tags.is_empty() {
        line("tags", r.tags.join(", "));
    }
    if let Some(d) = shape.description.as_str().filter(|d| !d.is_empty()) {
        line("description", crate::output::escape_control(d));
    }
    line(
        "parents",
        if parents.is_empty() {
            "-".into()
        } else {
            parents.join(", ")
        },
    );
    line(
        "files",
        format!(
            "{} ({})",
            r.file_count.unwrap_or(0),
            human_bytes(r.total_size.unwrap_or(0))
        ),
    );
    line(
        "changes",
        format!(
            "{} added, {} modified, {} removed",
            shape.changes.added, shape.changes.modified, shape.changes.removed
        ),
    );
    line(
        "chunks",
        format!(
            "{} ({})",
            shape.chunks.len(),
            human_bytes(shape.chunks.iter().filter_map(|c| c.size.as_u64()).sum())
        ),
    );
    if shape.pending > 0 {
        line(
            "pending",
            format!("{} files not uploaded yet", shape.pending),
        );
    }
    line("updated", fmt_time(&r.last_update));
    print!("{out}");
    if let Some(rows) = &shape.files {
        println!();
        let mut l = Listing::new(["PATH", "SIZE", "SHA256", "VERSION"]);
        for f in rows {
            l.push(
                vec![
                    crate::output::escape_control(&f.path),
                    f.size.map(|n| n.to_string()).unwrap_or_default(),
                    f.sha256.clone().unwrap_or_default(),
                    f.version_id.clone().unwrap_or_default(),
                ],
                Value::Null,
            );
        }
        println!("{}", l.to_table(color));
    }
}

pub async fn diff(ds: &Ds<'_>, a: &str, b: &str, project: Option<&str>) -> anyhow::Result<()> {
    let ta = ds.resolve_spec(a, project, None, false).await?;
    let tb = ds.resolve_spec(b, project, None, false).await?;
    let (sa, sb) = tokio::try_join!(ds.state_of(&ta), ds.state_of(&tb))?;
    let c = state::diff_maps(&sa.entries_map(), &sb.entries_map());
    let shape = json::DatasetDiff {
        from: sa.id.clone(),
        to: sb.id.clone(),
        added: c.added.clone(),
        removed: c.removed.clone(),
        changed: c.modified.clone(),
    };
    match ds.ctx.out.format {
        Format::Json => ds.ctx.out.json(&json::to_value(&shape)),
        _ => {
            let mut l = Listing::new(["CHANGE", "PATH"]);
            for (what, paths) in [
                ("added", &c.added),
                ("removed", &c.removed),
                ("changed", &c.modified),
            ] {
                for p in paths {
                    l.push(
                        vec![what.to_string(), crate::output::escape_control(p)],
                        Value::Null,
                    );
                }
            }
            ds.ctx.out.listing(&l);
            ds.ctx.out.info(format!(
                "{} added, {} removed, {} changed",
                c.added.len(),
                c.removed.len(),
                c.modified.len()
            ));
        }
    }
    Ok(())
}

pub async fn verify(ds: &Ds<'_>, which: &DatasetRef, dir: &Path) -> anyhow::Result<()> {
    let t = ds.resolve(which, false).await?;
    let s = ds.state_of(&t).await?;
    if !dir.is_dir() {
        return Err(CliError::not_found(format!("{} is not a folder", dir.display())).into());
    }
    let entries: Vec<(String, u64, Option<String>)> = s
        .dataset_file_entries
        .iter()
        .map(|f| (f.relative_path.clone(), f.size.unwrap_or(0), f.hash.clone()))
        .collect();
    let n = entries.len() as u64;
    let dir_buf = dir.to_path_buf();
    let checked: Vec<(String, Option<bool>)> = futures_util::stream::iter(entries)
        .map(|(rel, size, hash)| {
            let dir = dir_buf.clone();
            async move {
                let Some(path) = super::zip::safe_join(&dir, &rel) else {
                    return (rel, None);
                };
                let ok = match tokio::fs::metadata(&path).await {
                    Err(_) => None,
                    Ok(m) if m.len() != size => Some(false),
                    Ok(_) => match &hash {
                        None => Some(true),
                        Some(h) => match files::sha256_file(&path).await {
                            Ok(got) => Some(got.eq_ignore_ascii_case(h)),
                            Err(_) => None,
                        },
                    },
                };
                (rel, ok)
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let mut missing: Vec<String> = checked
        .iter()
        .filter(|(_, ok)| ok.is_none())
        .map(|(p, _)| p.clone())
        .collect();
    let mut mismatched: Vec<String> = checked
        .iter()
        .filter(|(_, ok)| *ok == Some(false))
        .map(|(p, _)| p.clone())
        .collect();
    missing.sort();
    mismatched.sort();
    let ok = missing.is_empty() && mismatched.is_empty();
    let shape = json::DatasetVerify {
        id: s.id.clone(),
        dir: dir.display().to_string(),
        files: n,
        ok,
        missing: missing.clone(),
        mismatched: mismatched.clone(),
    };
    if ds.ctx.out.format == Format::Json {
        ds.ctx.out.json(&json::to_value(&shape));
    } else {
        for p in &missing {
            println!("missing   {}", crate::output::escape_control(p));
        }
        for p in &mismatched {
            println!("differs   {}", crate::output::escape_control(p));
        }
    }
    if ok {
        ds.ctx.out.info(format!(
            "{n} files match dataset {} (size and sha256)",
            s.id
        ));
        Ok(())
    } else {
        Err(CliError::failure(format!(
            "{} of {n} files missing, {} differ from dataset {}",
            missing.len(),
            mismatched.len(),
            s.id
        ))
        .into())
    }
}
