//! `dataset upload|close|publish`: storing pending files chunk by chunk, then finishing.

use super::create::{report_content, report_struct};
use super::*;

pub async fn upload_cmd(ds: &Ds<'_>, a: DatasetUploadArgs) -> anyhow::Result<()> {
    let mut o = open(ds, &a.id).await?;
    let chunks = upload(ds, &mut o, a.chunk_size, a.parallel).await?;
    report(ds, &o, 0, 0, 0, chunks, "in_progress");
    Ok(())
}

/// Each pending local file must still be what was hashed (its size, at least).
fn check_unchanged(pending: &[FileEntry]) -> anyhow::Result<()> {
    for f in pending {
        let lp = f.local_path.as_deref().unwrap_or("");
        let size = std::fs::metadata(lp).map(|m| m.len()).map_err(|_| {
            CliError::not_found(format!("{lp} (added as {:?}) is gone", f.relative_path))
                .with_hint("add it again, or remove it from the dataset")
        })?;
        if Some(size) != f.size {
            return Err(CliError::failure(format!(
                "{lp} changed since it was added (size {size}, was {})",
                f.size.unwrap_or(0)
            ))
            .with_hint("run 'clearml dataset add' (or sync) again to pick up the new content")
            .into());
        }
    }
    Ok(())
}

/// The files grouped into chunks of about `limit` bytes of input, in order.
fn group_into_chunks(pending: Vec<FileEntry>, limit: u64) -> Vec<Vec<FileEntry>> {
    let mut groups: Vec<Vec<FileEntry>> = vec![];
    let mut cur: Vec<FileEntry> = vec![];
    let mut cur_size = 0u64;
    for f in pending {
        let s = f.size.unwrap_or(0);
        if !cur.is_empty() && cur_size + s > limit {
            groups.push(std::mem::take(&mut cur));
            cur_size = 0;
        }
        cur_size += s;
        cur.push(f);
    }
    if !cur.is_empty() {
        groups.push(cur);
    }
    groups
}

/// Write the chunk archive of `group` at `zip_path`; the SDK's preview text of it.
fn archive_chunk(zip_path: &Path, group: &[FileEntry]) -> anyhow::Result<String> {
    let mut w = super::super::zip::Writer::create(zip_path, ZIP_LEVEL)?;
    let mut preview = String::new();
    for f in group {
        let src = PathBuf::from(f.local_path.clone().unwrap_or_default());
        let rel = &f.relative_path;
        w.add_file(rel, &src)
            .map_err(|e| CliError::failure(format!("cannot archive {}: {e}", src.display())))?;
        if preview.len() < 32 * 1024 {
            let size = std::fs::metadata(&src).map(|m| m.len()).unwrap_or(0);
            preview.push_str(&format!("{rel} - {size} bytes\n"));
        }
    }
    w.finish()?;
    Ok(preview)
}

/// What every chunk's upload shares: the open version (locked while it is changed and
/// saved), where archives are made, the objects' prefix and the file server's token.
struct ChunkUpload<'a, 'd> {
    ds: &'a Ds<'d>,
    id: String,
    shared: Arc<Mutex<Open>>,
    dir: PathBuf,
    prefix: String,
    bearer: String,
    bar: indicatif::ProgressBar,
}

impl ChunkUpload<'_, '_> {
    /// Archive, upload and register one chunk, then save the state pointing at it.
    async fn store(&self, group: Vec<FileEntry>, name: String) -> anyhow::Result<()> {
        let (ds, id) = (self.ds, &self.id);
        let zip_path = self.dir.join(format!("{name}.zip"));
        let preview = {
            let (zp, group) = (zip_path.clone(), group.clone());
            tokio::task::spawn_blocking(move || archive_chunk(&zp, &group)).await??
        };
        let object = format!("{}/artifacts/{name}/dataset.{id}.{name}.zip", self.prefix);
        let up = files::upload(
            ds.client.http(),
            &ds.files_host,
            &object,
            &zip_path,
            Some(&self.bearer),
            false,
            ds.client.request_timeout(),
        )
        .await?;
        let art = json!({
            "key": name,
            "type": "custom",
            "mode": "output",
            "uri": up.url,
            "content_size": up.size,
            "hash": up.sha256,
            "timestamp": now_secs(),
            "type_data": {"preview": preview, "content_type": "application/zip"},
        });
        // Register the chunk, then the state that points at it: a kill between the two
        // leaves an unreferenced chunk, which the next run drops.
        let mut g = self.shared.lock().await;
        ds.client
            .call(
                "tasks.add_or_update_artifacts",
                &json!({"task": id, "artifacts": [art.clone()], "force": true}),
            )
            .await?;
        upsert_artifact(&mut g.task, art);
        let in_chunk: HashSet<&str> = group.iter().map(|f| f.relative_path.as_str()).collect();
        for f in g.state.dataset_file_entries.iter_mut() {
            if in_chunk.contains(f.relative_path.as_str())
                && f.parent_dataset_id.as_deref() == Some(id.as_str())
                && f.local_path.is_some()
            {
                f.artifact_name = Some(name.clone());
                f.local_path = None;
            }
        }
        save(ds, &mut g).await?;
        drop(g);
        tokio::fs::remove_file(&zip_path).await.ok();
        self.bar.inc(group.iter().filter_map(|f| f.size).sum());
        Ok(())
    }
}

/// Store the pending files in chunks; returns how many chunks were uploaded.
pub(super) async fn upload(
    ds: &Ds<'_>,
    o: &mut Open,
    chunk_mib: u64,
    parallel: usize,
) -> anyhow::Result<u64> {
    let id = o.id();
    drop_orphan_chunks(ds, o).await?;
    let mut pending: Vec<FileEntry> = o.state.pending().into_iter().cloned().collect();
    pending.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
    if pending.is_empty() {
        ds.ctx.out.info("nothing to upload");
        return Ok(0);
    }
    check_unchanged(&pending)?;
    let groups = group_into_chunks(pending, chunk_mib * 1024 * 1024);
    let next = chunk_artifacts(&o.task)
        .iter()
        .filter_map(|a| state::chunk_index(a["key"].as_str()?))
        .max()
        .map(|m| m + 1)
        .unwrap_or(0);
    let names: Vec<String> = (0..groups.len() as u64)
        .map(|i| state::chunk_name(next + i))
        .collect();
    let total: u64 = groups.iter().flatten().filter_map(|f| f.size).sum();
    ds.ctx.out.info(format!(
        "uploading {} files ({}) in {} chunk(s) to {}",
        groups.iter().map(Vec::len).sum::<usize>(),
        clearml_cmd_core::human_bytes(total),
        groups.len(),
        ds.files_host
    ));
    let prefix = object_prefix(&o.task);
    let empty = Open {
        task: Value::Null,
        state: State::default(),
        parent_entries: HashMap::new(),
        counters: BTreeMap::new(),
    };
    let up = ChunkUpload {
        ds,
        dir: scratch(ds, &id),
        id,
        shared: Arc::new(Mutex::new(std::mem::replace(o, empty))),
        prefix,
        bearer: ds.client.bearer().await.map_err(crate::api::into_anyhow)?,
        bar: files::progress_bar(ds.ctx.out.progress, Some(total), "upload"),
    };
    tokio::fs::create_dir_all(&up.dir).await?;
    let results: Vec<anyhow::Result<()>> =
        futures_util::stream::iter(groups.into_iter().zip(names))
            .map(|(group, name)| up.store(group, name))
            .buffer_unordered(parallel)
            .collect()
            .await;
    up.bar.finish_and_clear();
    let shared = up.shared;
    *o = Arc::try_unwrap(shared)
        .map_err(|_| anyhow::anyhow!("upload tasks still running"))?
        .into_inner();
    let mut done = 0u64;
    for r in results {
        r?;
        done += 1;
    }
    ds.ctx.out.info(format!("{done} chunk(s) uploaded"));
    Ok(done)
}

/// Chunk artifacts of this version that its state does not reference: what an upload cut
/// off between storing a chunk and saving the state left. Their files go too.
pub(super) async fn drop_orphan_chunks(ds: &Ds<'_>, o: &mut Open) -> anyhow::Result<()> {
    let used = o.state.own_chunks();
    let orphans: Vec<(String, String)> = chunk_artifacts(&o.task)
        .iter()
        .filter_map(|a| {
            Some((
                a["key"].as_str()?.to_string(),
                a["uri"].as_str().unwrap_or("").to_string(),
            ))
        })
        .filter(|(k, _)| !used.contains(k))
        .collect();
    if orphans.is_empty() {
        return Ok(());
    }
    let bearer = ds.client.bearer().await.map_err(crate::api::into_anyhow)?;
    for (key, uri) in &orphans {
        if let Some(object) = object_of(&ds.files_host, uri) {
            files::delete(ds.client.http(), &ds.files_host, &object, Some(&bearer)).await?;
        }
        ds.client
            .call(
                "tasks.delete_artifacts",
                &json!({"task": o.id(), "artifacts": [{"key": key, "mode": "output"}], "force": true}),
            )
            .await?;
    }
    if let Some(list) = o.task["execution"]["artifacts"].as_array_mut() {
        list.retain(|a| !orphans.iter().any(|(k, _)| a["key"].as_str() == Some(k)));
    }
    ds.ctx.out.info(format!(
        "dropped {} chunk(s) an interrupted upload left unrecorded: {}",
        orphans.len(),
        orphans
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(())
}

/// The object path of a URL on the files server (decoded), or `None` elsewhere.
pub(super) fn object_of(files_host: &str, url: &str) -> Option<String> {
    let rest = url.strip_prefix(files_host)?.strip_prefix('/')?;
    Some(
        percent_encoding::percent_decode_str(rest)
            .decode_utf8_lossy()
            .to_string(),
    )
}

// ------------------------------------------------------------------ close, publish

pub async fn close(ds: &Ds<'_>, a: DatasetCloseArgs) -> anyhow::Result<()> {
    let mut o = open(ds, &a.id).await?;
    let chunks = upload(ds, &mut o, a.chunk_size, 2).await?;
    // How many chunks each version has (the SDK reads this to split a copy into parts).
    let mut lookup = BTreeMap::new();
    for v in o.state.dependency_graph.keys() {
        let n = if *v == o.id() {
            chunk_artifacts(&o.task).len() as u64
        } else {
            chunk_artifacts(&ds.dataset_by_id(v).await?).len() as u64
        };
        lookup.insert(v.clone(), n);
    }
    o.state.dependency_chunk_lookup = Some(lookup);
    save(ds, &mut o).await?;
    report_struct(ds, &o).await?;
    report_content(ds, &o).await?;
    ds.client
        .call("tasks.completed", &json!({"task": o.id(), "force": true}))
        .await?;
    ds.ctx.out.info(format!(
        "closed dataset {} ({} files, {} B)",
        o.id(),
        o.state.file_count,
        o.state.total_size
    ));
    report(ds, &o, 0, 0, 0, chunks, "completed");
    if ds.ctx.out.format != Format::Json {
        println!("{}", o.id());
    }
    Ok(())
}

pub async fn publish(ds: &Ds<'_>, id: &DatasetId) -> anyhow::Result<()> {
    let id = target_id(ds, id)?;
    let t = ds.dataset_by_id(&id).await?;
    match t["status"].as_str().unwrap_or("") {
        "published" => {
            ds.ctx.out.info("already published");
        }
        "completed" | "closed" | "stopped" => {
            ds.client
                .call("tasks.publish", &json!({"task": id, "force": true}))
                .await?;
            ds.ctx.out.info(format!("published dataset {id}"));
        }
        s => {
            return Err(CliError::usage(format!(
                "dataset {id} is {s}: close it before publishing"
            ))
            .with_hint(format!("clearml dataset close --id {id}"))
            .into());
        }
    }
    if ds.ctx.out.format == Format::Json {
        ds.ctx.out.json(&json!({"id": id, "status": "published"}));
    } else {
        println!("{id}");
    }
    Ok(())
}
