//! `dataset add|remove|sync`: changing an open version's file list (files hashed here,
//! uploaded later by `upload` or `close`).

use super::*;

/// One local file to add: where it is, where it goes in the dataset.
pub(super) struct Local {
    path: PathBuf,
    rel: String,
}

pub(super) fn rel_join(folder: Option<&str>, rel: &str) -> String {
    match folder
        .map(|f| f.trim_matches('/'))
        .filter(|f| !f.is_empty() && *f != ".")
    {
        Some(f) => format!("{f}/{rel}"),
        None => rel.to_string(),
    }
}

/// The files under `root` (following links to files, not to folders), as dataset paths.
pub(super) fn walk(
    root: &Path,
    base: &Path,
    folder: Option<&str>,
    wildcards: &[String],
    recursive: bool,
    out: &mut Vec<Local>,
) -> anyhow::Result<()> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let rd = std::fs::read_dir(&dir)
            .map_err(|e| CliError::not_found(format!("cannot read {}: {e}", dir.display())))?;
        for entry in rd {
            let entry = entry?;
            let p = entry.path();
            let ft = entry.file_type()?;
            if ft.is_dir() {
                if recursive {
                    stack.push(p);
                }
                continue;
            }
            if !std::fs::metadata(&p).is_ok_and(|m| m.is_file()) {
                continue;
            }
            let rel_local = p.strip_prefix(base).unwrap_or(&p);
            let Some(rel) = rel_local.to_str() else {
                return Err(
                    CliError::usage(format!("{} is not a UTF-8 file name", p.display())).into(),
                );
            };
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !wildcards.is_empty()
                && !wildcards.iter().any(|w| {
                    if w.contains('/') {
                        fnmatch(rel, w)
                    } else {
                        fnmatch(name, w)
                    }
                })
            {
                continue;
            }
            out.push(Local {
                path: p.clone(),
                rel: rel_join(folder, rel),
            });
        }
    }
    Ok(())
}

pub(super) fn collect(
    paths: &[PathBuf],
    folder: Option<&str>,
    wildcards: &[String],
    recursive: bool,
) -> anyhow::Result<Vec<Local>> {
    let mut out = Vec::new();
    for p in paths {
        let abs = std::path::absolute(p)?;
        let meta = std::fs::metadata(&abs)
            .map_err(|_| CliError::not_found(format!("{} does not exist", p.display())))?;
        if meta.is_file() {
            let name = abs.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                CliError::usage(format!("{} is not a UTF-8 file name", p.display()))
            })?;
            out.push(Local {
                rel: rel_join(folder, name),
                path: abs,
            });
        } else {
            walk(&abs, &abs, folder, wildcards, recursive, &mut out)?;
        }
    }
    for l in &out {
        if !super::super::zip::safe_name(&l.rel) {
            return Err(CliError::usage(format!(
                "{:?} is not a valid path inside a dataset",
                l.rel
            ))
            .into());
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out.dedup_by(|a, b| a.rel == b.rel);
    Ok(out)
}

/// sha256 and size of each file, 4 at a time.
pub(super) async fn hash_all(
    ds: &Ds<'_>,
    locals: Vec<Local>,
) -> anyhow::Result<Vec<(Local, String, u64)>> {
    let bar = files::progress_bar(ds.ctx.out.progress, Some(locals.len() as u64), "hashing");
    let results: Vec<anyhow::Result<(Local, String, u64)>> = futures_util::stream::iter(locals)
        .map(|l| {
            let bar = bar.clone();
            async move {
                let size = tokio::fs::metadata(&l.path).await?.len();
                let h = files::sha256_file(&l.path).await.map_err(|e| {
                    CliError::failure(format!("cannot read {}: {e}", l.path.display()))
                })?;
                bar.inc(1);
                Ok((l, h, size))
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    bar.finish_and_clear();
    results.into_iter().collect()
}

/// Merge hashed local files into the state (the SDK's rules); returns (added, modified).
pub(super) fn merge(o: &mut Open, hashed: Vec<(Local, String, u64)>) -> (u64, u64) {
    let id = o.id();
    let mut index: HashMap<String, usize> = o
        .state
        .dataset_file_entries
        .iter()
        .enumerate()
        .map(|(i, f)| (f.relative_path.clone(), i))
        .collect();
    let (mut added, mut modified) = (0, 0);
    for (l, hash, size) in hashed {
        let entry = FileEntry {
            relative_path: l.rel.clone(),
            hash: Some(hash.clone()),
            parent_dataset_id: Some(id.clone()),
            size: Some(size),
            artifact_name: None,
            local_path: Some(l.path.to_string_lossy().to_string()),
        };
        match index.get(&l.rel) {
            None => {
                // A link with the same content stays a link.
                if let Some(li) = o
                    .state
                    .dataset_link_entries
                    .iter()
                    .position(|x| x.relative_path == l.rel)
                {
                    if o.state.dataset_link_entries[li].hash.as_deref() == Some(hash.as_str()) {
                        continue;
                    }
                    o.state.dataset_link_entries.remove(li);
                    modified += 1;
                } else {
                    added += 1;
                }
                index.insert(l.rel.clone(), o.state.dataset_file_entries.len());
                o.state.dataset_file_entries.push(entry);
            }
            Some(&i) => {
                let cur = &o.state.dataset_file_entries[i];
                if cur.hash.as_deref() != Some(hash.as_str()) {
                    o.state.dataset_file_entries[i] = entry;
                    modified += 1;
                } else if cur.parent_dataset_id.as_deref() == Some(id.as_str())
                    && cur.local_path.is_some()
                {
                    // Not uploaded yet: the newest local copy is the one to upload.
                    o.state.dataset_file_entries[i] = entry;
                }
            }
        }
    }
    *o.counters.entry("files added".into()).or_default() += added;
    *o.counters.entry("files modified".into()).or_default() += modified;
    (added, modified)
}

pub async fn add(ds: &Ds<'_>, a: DatasetAddArgs) -> anyhow::Result<()> {
    let mut o = open(ds, &a.id).await?;
    let locals = collect(
        &a.paths,
        a.dataset_folder.as_deref(),
        &a.wildcard,
        !a.non_recursive,
    )?;
    let n = locals.len();
    let hashed = hash_all(ds, locals).await?;
    let (added, modified) = merge(&mut o, hashed);
    save(ds, &mut o).await?;
    ds.ctx.out.info(format!(
        "{n} files looked at: {added} added, {modified} modified, {} waiting for upload",
        o.state.pending().len()
    ));
    report(ds, &o, added, modified, 0, 0, "in_progress");
    Ok(())
}

pub async fn remove(ds: &Ds<'_>, a: DatasetRemoveArgs) -> anyhow::Result<()> {
    let mut o = open(ds, &a.id).await?;
    let recursive = !a.non_recursive;
    let pats: Vec<String> = a
        .paths
        .iter()
        .map(|p| p.trim_start_matches('/').to_string())
        .collect();
    let hit = |path: &str| pats.iter().any(|w| matches_wildcard(path, w, recursive));
    let before = o.state.dataset_file_entries.len() + o.state.dataset_link_entries.len();
    o.state
        .dataset_file_entries
        .retain(|f| !hit(&f.relative_path));
    o.state.dataset_link_entries.retain(|l| {
        !hit(&l.relative_path)
            && !l
                .link
                .as_deref()
                .is_some_and(|x| pats.iter().any(|p| p == x))
    });
    let removed =
        (before - o.state.dataset_file_entries.len() - o.state.dataset_link_entries.len()) as u64;
    if removed == 0 {
        return Err(CliError::not_found(format!(
            "no file of dataset {} matches {}",
            o.id(),
            pats.join(", ")
        ))
        .with_hint("paths are relative to the dataset root; see 'clearml dataset show --files'")
        .into());
    }
    *o.counters.entry("files removed".into()).or_default() += removed;
    save(ds, &mut o).await?;
    ds.ctx.out.info(format!("{removed} files removed"));
    report(ds, &o, 0, 0, removed, 0, "in_progress");
    Ok(())
}

pub async fn sync(ds: &Ds<'_>, a: DatasetSyncArgs) -> anyhow::Result<()> {
    if !a.dir.is_dir() {
        return Err(CliError::not_found(format!("{} is not a folder", a.dir.display())).into());
    }
    let mut o = open(ds, &a.id).await?;
    let folder = a
        .dataset_folder
        .as_deref()
        .map(|f| f.trim_matches('/'))
        .filter(|f| !f.is_empty() && *f != ".");
    let prefix = folder.map(|f| format!("{f}/")).unwrap_or_default();
    let locals = collect(std::slice::from_ref(&a.dir), folder, &[], true)?;
    let present: HashSet<String> = locals.iter().map(|l| l.rel.clone()).collect();
    let before = o.state.dataset_file_entries.len() + o.state.dataset_link_entries.len();
    let keep = |p: &str| !p.starts_with(&prefix) || present.contains(p);
    o.state
        .dataset_file_entries
        .retain(|f| keep(&f.relative_path));
    o.state
        .dataset_link_entries
        .retain(|l| keep(&l.relative_path));
    let removed =
        (before - o.state.dataset_file_entries.len() - o.state.dataset_link_entries.len()) as u64;
    *o.counters.entry("files removed".into()).or_default() += removed;
    let hashed = hash_all(ds, locals).await?;
    let (added, modified) = merge(&mut o, hashed);
    save(ds, &mut o).await?;
    ds.ctx.out.info(format!(
        "synced with {}: {added} added, {modified} modified, {removed} removed, {} waiting for upload",
        a.dir.display(),
        o.state.pending().len()
    ));
    report(ds, &o, added, modified, removed, 0, "in_progress");
    Ok(())
}
