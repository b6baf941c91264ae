//! `export`: what a sync would read, as one `.tar.zst` for sites with no network path
//! between the servers; `import` reads it back as a [`Source`] for the same engine.
//!
//! Members: `events/<task id>.jsonl` (one event a line), `files/<n>` (file-server
//! objects), `snapshot.json` (projects, tasks, models, queues, the source's file server,
//! and which member holds which file URL), and last `manifest.json`: the sha256 and size
//! of every other member, checked on import before anything is copied. The archive is
//! written under a temporary name and renamed when complete.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::source::Source;
use super::unpack::{FORMAT, Limits, MANIFEST, Manifest, Member, damaged, refused, shown, unpack};
use super::{Counts, Endpoint};
use crate::SyncError;

const SNAPSHOT: &str = "snapshot.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Snapshot {
    format: u32,
    origin: String,
    files_host: String,
    exported_at: String,
    projects: Vec<Value>,
    tasks: Vec<Value>,
    models: Vec<Value>,
    queues: Vec<Value>,
    /// File URL on the source -> member holding its bytes.
    files: BTreeMap<String, String>,
    /// Task id -> events on the source when exported.
    event_totals: BTreeMap<String, u64>,
}

/// What to export.
pub struct ExportOptions {
    pub projects: Vec<String>,
    pub since: Option<Duration>,
    pub with_files: bool,
}

/// The archive writer: a tar stream through zstd into a temporary file.
struct Writer {
    tar: tar::Builder<zstd::Encoder<'static, std::fs::File>>,
    manifest: Manifest,
    mtime: u64,
}

impl Writer {
    fn append_bytes(&mut self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut header = self.header(bytes.len() as u64);
        self.tar.append_data(&mut header, name, bytes)?;
        self.manifest.members.insert(
            name.to_string(),
            Member {
                sha256: hex::encode(Sha256::digest(bytes)),
                size: bytes.len() as u64,
            },
        );
        Ok(())
    }

    fn append_file(&mut self, name: &str, path: &Path, sha256: String) -> anyhow::Result<u64> {
        let mut file = std::fs::File::open(path)?;
        let size = file.metadata()?.len();
        let mut header = self.header(size);
        self.tar.append_data(&mut header, name, &mut file)?;
        self.manifest
            .members
            .insert(name.to_string(), Member { sha256, size });
        Ok(size)
    }

    fn header(&self, size: u64) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(self.mtime);
        header
    }
}

/// Export what `opts` selects on `src` into `out` (written as `<out>.part`, renamed when
/// complete). `progress` sees the counts now and then.
pub async fn export(
    end: &Endpoint,
    opts: &ExportOptions,
    out: &Path,
    progress: &dyn Fn(&Counts, Duration),
) -> anyhow::Result<Counts> {
    let started = Instant::now();
    let src = super::ApiSource { end };
    let gathered = super::engine::gather(&src, &opts.projects, opts.since).await?;
    let part = clearml_api::files::partial_path(out);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&part)
        .map_err(|e| SyncError::failed(format!("cannot write {}: {e}", part.display())))?;
    let result = write_archive(&src, opts, gathered, file, progress, started).await;
    match result {
        Ok(counts) => {
            std::fs::rename(&part, out).with_context(|| {
                format!("cannot rename {} to {}", part.display(), out.display())
            })?;
            Ok(counts)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&part);
            Err(e)
        }
    }
}

async fn write_archive(
    src: &super::ApiSource<'_>,
    opts: &ExportOptions,
    gathered: super::engine::Gathered,
    file: std::fs::File,
    progress: &dyn Fn(&Counts, Duration),
    started: Instant,
) -> anyhow::Result<Counts> {
    let encoder = zstd::Encoder::new(file, 3)?;
    let mut w = Writer {
        tar: tar::Builder::new(encoder),
        manifest: Manifest {
            format: FORMAT,
            ..Manifest::default()
        },
        mtime: chrono::Utc::now().timestamp().max(0) as u64,
    };
    let mut counts = Counts {
        tasks_total: gathered.tasks.len() as u64,
        ..Counts::default()
    };
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut event_totals = BTreeMap::new();
    let tmp = std::env::temp_dir().join(format!(
        "clearml-export-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let mut last = Instant::now();
    let result: anyhow::Result<()> = async {
        let mut files_out = FilesOut {
            src,
            with_files: opts.with_files,
            tmp: &tmp,
            files: &mut files,
        };
        for m in &gathered.models {
            files_out
                .add(m["uri"].as_str().unwrap_or_default(), &mut w, &mut counts)
                .await?;
            counts.models_copied += 1;
        }
        for t in &gathered.tasks {
            let id = t["id"].as_str().unwrap_or_default();
            for a in t["execution"]["artifacts"].as_array().into_iter().flatten() {
                files_out
                    .add(a["uri"].as_str().unwrap_or_default(), &mut w, &mut counts)
                    .await?;
            }
            let n = files_out.add_events(id, &mut w, &mut counts).await?;
            event_totals.insert(id.to_string(), n);
            counts.events += n;
            counts.tasks_copied += 1;
            if last.elapsed() >= Duration::from_secs(1) {
                progress(&counts, started.elapsed());
                last = Instant::now();
            }
        }
        Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&tmp);
    result?;
    let snapshot = Snapshot {
        format: FORMAT,
        origin: src.origin().to_string(),
        files_host: src.files_host().to_string(),
        exported_at: chrono::Utc::now().to_rfc3339(),
        projects: gathered.projects,
        tasks: gathered.tasks,
        models: gathered.models,
        queues: gathered.queues,
        files,
        event_totals,
    };
    w.append_bytes(SNAPSHOT, &serde_json::to_vec(&snapshot)?)?;
    let manifest = serde_json::to_vec_pretty(&w.manifest)?;
    let mut header = w.header(manifest.len() as u64);
    w.tar
        .append_data(&mut header, MANIFEST, manifest.as_slice())?;
    let encoder = w.tar.into_inner()?;
    let file = encoder.finish()?;
    file.sync_all()?;
    progress(&counts, started.elapsed());
    Ok(counts)
}

/// Files of the source's file server going into the archive, each once.
struct FilesOut<'a> {
    src: &'a super::ApiSource<'a>,
    with_files: bool,
    tmp: &'a Path,
    files: &'a mut BTreeMap<String, String>,
}

impl FilesOut<'_> {
    /// Task `id`'s events as `events/<id>.jsonl` (and the files they link); returns how many.
    async fn add_events(
        &mut self,
        id: &str,
        w: &mut Writer,
        counts: &mut Counts,
    ) -> anyhow::Result<u64> {
        // Page by page into a file of its own: memory does not grow with the events.
        std::fs::create_dir_all(self.tmp)?;
        let local = self.tmp.join("events.jsonl");
        let mut lines = std::io::BufWriter::new(std::fs::File::create(&local)?);
        let mut cursor = super::events::Cursor::new();
        let mut n = 0u64;
        loop {
            let page = self.src.next_events(id, &mut cursor).await?;
            if page.is_empty() {
                break;
            }
            for ev in &page {
                if let Some(url) = ev["url"].as_str() {
                    self.add(url, w, counts).await?;
                }
                serde_json::to_writer(&mut lines, ev)?;
                lines.write_all(b"\n")?;
            }
            n += page.len() as u64;
        }
        lines.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        let sha = clearml_api::files::sha256_file(&local).await?;
        w.append_file(&format!("events/{id}.jsonl"), &local, sha)?;
        let _ = std::fs::remove_file(&local);
        Ok(n)
    }

    async fn add(&mut self, url: &str, w: &mut Writer, counts: &mut Counts) -> anyhow::Result<()> {
        let wanted = self.with_files
            && super::rewrite::file_path(url, self.src.files_host()).is_some()
            && !self.files.contains_key(url);
        if !wanted {
            return Ok(());
        }
        let name = format!("files/{}", self.files.len() + 1);
        let local = self.tmp.join(self.files.len().to_string());
        self.src.fetch_file(url, &local).await?;
        let sha = clearml_api::files::sha256_file(&local).await?;
        counts.bytes += w.append_file(&name, &local, sha)?;
        counts.files += 1;
        let _ = std::fs::remove_file(&local);
        self.files.insert(url.to_string(), name);
        Ok(())
    }
}

/// An unpacked, verified archive: a [`Source`] for the copy engine. The unpacked files
/// are removed when it is dropped.
pub struct ArchiveSource {
    dir: PathBuf,
    snapshot: Snapshot,
    manifest: Manifest,
}

impl Drop for ArchiveSource {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl ArchiveSource {
    /// Unpack `archive` into a temporary folder, checking every member against the
    /// manifest (name, type, size, sha256) before the snapshot is trusted.
    pub fn open(archive: &Path) -> anyhow::Result<ArchiveSource> {
        let file = std::fs::File::open(archive)
            .map_err(|e| SyncError::missing(format!("cannot read {}: {e}", archive.display())))?;
        Self::read(archive, file, Limits::default())
    }

    /// [`ArchiveSource::open`] on any seekable reader (`archive` names it in messages),
    /// within `limits`.
    pub fn read<R: Read + Seek>(
        archive: &Path,
        input: R,
        limits: Limits,
    ) -> anyhow::Result<ArchiveSource> {
        let dir = std::env::temp_dir().join(format!(
            "clearml-import-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir(&dir).map_err(|e| {
            SyncError::failed(format!("cannot create {}: {e}", dir.display()))
                .with_hint("set TMPDIR to a writable folder")
        })?;
        // From here on `source` owns `dir`: dropping it on any error removes the folder.
        let mut source = ArchiveSource {
            dir,
            snapshot: Snapshot::default(),
            manifest: Manifest::default(),
        };
        source.manifest = unpack(archive, input, &source.dir, limits)?;
        let text = std::fs::File::open(source.dir.join(SNAPSHOT))
            .map_err(|_| damaged(archive, format!("no {SNAPSHOT}")))?;
        source.snapshot = serde_json::from_reader(std::io::BufReader::new(text))
            .map_err(|e| damaged(archive, format!("{SNAPSHOT}: {e}")))?;
        check_snapshot(archive, &source.snapshot, &source.manifest)?;
        Ok(source)
    }

    /// The member holding a task's events, when the archive has one.
    fn events_member(&self, task: &str) -> Option<String> {
        let name = format!("events/{task}.jsonl");
        (is_id(task) && self.manifest.members.contains_key(&name)).then_some(name)
    }
}

/// An object id as servers make them (the real server: 32 hex digits): letters, digits,
/// `-` and `_`, so `events/<id>.jsonl` is always a member name, never a path elsewhere.
fn is_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the snapshot points at stays inside the archive: ids are ids, and every file
/// URL maps to a `files/` member the manifest lists.
fn check_snapshot(archive: &Path, s: &Snapshot, m: &Manifest) -> anyhow::Result<()> {
    let kinds = [
        ("project", &s.projects),
        ("task", &s.tasks),
        ("model", &s.models),
        ("queue", &s.queues),
    ];
    for (kind, objects) in kinds {
        for o in objects.iter() {
            if !o["id"].as_str().is_some_and(is_id) {
                let id = match &o["id"] {
                    Value::String(id) => id.clone(),
                    other => other.to_string(),
                };
                return Err(refused(
                    archive,
                    format!("{kind} id {} is not an id", shown(&id)),
                ));
            }
        }
    }
    if let Some(id) = s.event_totals.keys().find(|id| !is_id(id)) {
        return Err(refused(
            archive,
            format!("task id {} is not an id", shown(id)),
        ));
    }
    for (url, member) in &s.files {
        if !member.starts_with("files/") || !m.members.contains_key(member) {
            return Err(refused(
                archive,
                format!(
                    "{SNAPSHOT} maps {} to {}, not a files/ member in the manifest",
                    shown(url),
                    shown(member)
                ),
            ));
        }
    }
    Ok(())
}

impl Source for ArchiveSource {
    fn origin(&self) -> &str {
        &self.snapshot.origin
    }

    fn files_host(&self) -> &str {
        &self.snapshot.files_host
    }

    async fn projects(&self) -> anyhow::Result<Vec<Value>> {
        Ok(self.snapshot.projects.clone())
    }

    async fn tasks(&self, project_ids: &[String]) -> anyhow::Result<Vec<Value>> {
        Ok(self
            .snapshot
            .tasks
            .iter()
            .filter(|t| {
                project_ids
                    .iter()
                    .any(|p| t["project"].as_str() == Some(p.as_str()))
            })
            .cloned()
            .collect())
    }

    async fn models(&self, project_ids: &[String], ids: &[String]) -> anyhow::Result<Vec<Value>> {
        Ok(self
            .snapshot
            .models
            .iter()
            .filter(|m| {
                let in_project = project_ids
                    .iter()
                    .any(|p| m["project"].as_str() == Some(p.as_str()));
                in_project || ids.iter().any(|i| m["id"].as_str() == Some(i.as_str()))
            })
            .cloned()
            .collect())
    }

    async fn queues(&self) -> anyhow::Result<Vec<Value>> {
        Ok(self.snapshot.queues.clone())
    }

    async fn event_total(&self, task: &str) -> anyhow::Result<u64> {
        Ok(self.snapshot.event_totals.get(task).copied().unwrap_or(0))
    }

    async fn events(&self, task: &str) -> anyhow::Result<Vec<Value>> {
        let Some(member) = self.events_member(task) else {
            return Ok(Vec::new());
        };
        let text = std::fs::read_to_string(self.dir.join(member))?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(Into::into))
            .collect()
    }

    async fn fetch_file(&self, url: &str, dest: &Path) -> anyhow::Result<u64> {
        let member = self.snapshot.files.get(url).ok_or_else(|| {
            SyncError::missing(format!("{url} is not in the archive")).with_hint(
                "it was exported with --metadata-only, or is not on the source's file server",
            )
        })?;
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        Ok(std::fs::copy(self.dir.join(member), dest)?)
    }

    async fn file_size(&self, url: &str) -> Option<u64> {
        let member = self.snapshot.files.get(url)?;
        self.manifest.members.get(member).map(|m| m.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_test_archive(path: &Path, tamper: bool) {
        let file = std::fs::File::create(path).unwrap();
        let mut w = Writer {
            tar: tar::Builder::new(zstd::Encoder::new(file, 1).unwrap()),
            manifest: Manifest {
                format: FORMAT,
                ..Manifest::default()
            },
            mtime: 0,
        };
        let snapshot = Snapshot {
            format: FORMAT,
            origin: "http://a".into(),
            files_host: "http://a:8081".into(),
            exported_at: String::new(),
            projects: vec![serde_json::json!({"id": "p", "name": "Проект"})],
            tasks: vec![],
            models: vec![],
            queues: vec![],
            files: BTreeMap::from([("http://a:8081/x".to_string(), "files/1".to_string())]),
            event_totals: BTreeMap::new(),
        };
        w.append_bytes("files/1", b"payload").unwrap();
        w.append_bytes(SNAPSHOT, &serde_json::to_vec(&snapshot).unwrap())
            .unwrap();
        if tamper {
            w.manifest.members.get_mut("files/1").unwrap().sha256 = "0".repeat(64);
        }
        let manifest = serde_json::to_vec(&w.manifest).unwrap();
        let mut header = w.header(manifest.len() as u64);
        w.tar
            .append_data(&mut header, MANIFEST, manifest.as_slice())
            .unwrap();
        w.tar.into_inner().unwrap().finish().unwrap();
    }

    #[tokio::test]
    async fn an_archive_reads_back_and_a_changed_member_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.tar.zst");
        write_test_archive(&good, false);
        let src = ArchiveSource::open(&good).unwrap();
        assert_eq!(src.origin(), "http://a");
        assert_eq!(src.projects().await.unwrap()[0]["name"], "Проект");
        let copy = dir.path().join("copy");
        assert_eq!(src.fetch_file("http://a:8081/x", &copy).await.unwrap(), 7);
        assert_eq!(std::fs::read(&copy).unwrap(), b"payload");
        assert_eq!(src.file_size("http://a:8081/x").await, Some(7));
        let unpacked = src.dir.clone();
        drop(src);
        assert!(!unpacked.exists(), "the unpacked files were left behind");

        let bad = dir.path().join("bad.tar.zst");
        write_test_archive(&bad, true);
        let err = ArchiveSource::open(&bad).err().unwrap();
        assert!(one_line_has(&err, "files/1"), "{err:#}");

        let cut = dir.path().join("cut.tar.zst");
        let bytes = std::fs::read(&good).unwrap();
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        assert!(ArchiveSource::open(&cut).is_err());
    }

    fn one_line_has(err: &anyhow::Error, text: &str) -> bool {
        clearml_error::one_line(err).contains(text)
    }
}
