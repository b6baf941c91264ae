//! Administration of a stopped server's data dir (`clearml server rehost --data-dir`):
//! the data dir's lock is taken first, so a running `serve` on it is never changed
//! behind its back.

use super::instance::lock_data_dir;
pub use super::store::rewrite_prefix;
use super::store::{REHOST_KINDS, Store, StoreError};
use crate::error::ServeError;
use std::path::Path;

/// One kind of link in one project, as `rehost_data_dir` found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCount {
    pub kind: &'static str,
    pub project_id: String,
    pub project: String,
    pub links: usize,
}

/// Refuse a folder that is not a `serve` data dir before anything is made in it.
fn is_data_dir(data_dir: &Path) -> anyhow::Result<()> {
    if !data_dir.join("clearml.sqlite").is_file() {
        return Err(ServeError::usage(format!(
            "{} is not a 'clearml server serve' data dir (no clearml.sqlite in it)",
            data_dir.display()
        ))
        .into());
    }
    Ok(())
}

/// The database of a `serve` data dir, which must exist (a typo makes no new one).
fn open_existing(data_dir: &Path) -> anyhow::Result<Store> {
    is_data_dir(data_dir)?;
    let db = data_dir.join("clearml.sqlite");
    Store::open(&db).map_err(|e| match e {
        e @ StoreError::NewerSchema { .. } => {
            anyhow::Error::from(ServeError::failure(e.to_string()))
        }
        e => anyhow::anyhow!("cannot open {}: {e}", db.display()),
    })
}

/// Move every stored link under `from` to `to` (or, with `dry_run`, only count them),
/// in one transaction: all or nothing, whenever it is interrupted.
pub fn rehost_data_dir(
    data_dir: &Path,
    from: &str,
    to: &str,
    dry_run: bool,
) -> anyhow::Result<Vec<LinkCount>> {
    is_data_dir(data_dir)?;
    let _lock = lock_data_dir(data_dir)?;
    let mut store = open_existing(data_dir)?;
    let counts = if dry_run {
        store.rehost_links(from, to, false)?
    } else {
        store.tx(|s| s.rehost_links(from, to, true))?
    };
    let names = store.project_names()?;
    let mut rows: Vec<LinkCount> = counts
        .into_iter()
        .map(|((kind, project_id), links)| LinkCount {
            kind,
            project: names.get(&project_id).cloned().unwrap_or_default(),
            project_id,
            links,
        })
        .collect();
    // By kind (in KINDS order), then by project name.
    let rank = |k: &str| {
        REHOST_KINDS
            .iter()
            .position(|x| *x == k)
            .unwrap_or(usize::MAX)
    };
    rows.sort_by(|a, b| (rank(a.kind), &a.project).cmp(&(rank(b.kind), &b.project)));
    Ok(rows)
}

/// One task's share of a data dir (or, with an empty `task_id`, the files no task owns).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskUsage {
    pub task_id: String,
    pub task: String,
    pub project_id: String,
    pub project: String,
    pub files: u64,
    pub file_bytes: u64,
    pub events: u64,
    pub event_bytes: u64,
}

/// What a `serve` data dir holds, per task and in total.
#[derive(Debug, Clone, Default)]
pub struct DataDirUsage {
    pub tasks: Vec<TaskUsage>,
    /// The database with its WAL and shared-memory files.
    pub database_bytes: u64,
    /// Everything under `files/`.
    pub files_bytes: u64,
    /// The rest of the data dir (credentials, logs, temp files).
    pub other_bytes: u64,
    /// The space the data dir takes on disk (allocated blocks, as `du` counts them).
    pub disk_bytes: u64,
    /// Folders that could not be read (not counted in any total).
    pub unreadable: u64,
}

/// What a walk of a folder found.
#[derive(Default)]
struct Walked {
    /// Every regular file (symlinks are not followed): (path, apparent bytes, allocated bytes).
    files: Vec<(std::path::PathBuf, u64, u64)>,
    /// The blocks of the folders themselves (`du` counts them too).
    folder_bytes: u64,
    /// Folders that could not be read.
    unreadable: u64,
}

fn walk(dir: &Path, out: &mut Walked) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    for entry in std::fs::read_dir(dir)? {
        // A file a running server renames or deletes meanwhile (an upload's temp file)
        // is simply not counted.
        let Ok(entry) = entry else { continue };
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            out.folder_bytes += meta.blocks() * 512;
            if walk(&entry.path(), out).is_err() {
                out.unreadable += 1;
            }
        } else {
            out.files
                .push((entry.path(), meta.len(), meta.blocks() * 512));
        }
    }
    Ok(())
}

/// The task a stored file belongs to: the SDK uploads under `<project>/<task name>.<task
/// id>/…`, so a path component that is, or ends with `.`, a known task id names it.
fn owner<'a>(
    rel: &Path,
    tasks: &'a std::collections::BTreeMap<String, (String, String)>,
) -> Option<&'a str> {
    rel.components().find_map(|c| {
        let c = c.as_os_str().to_str()?;
        let id = c.rsplit('.').next()?;
        (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| tasks.get_key_value(id).map(|(k, _)| k.as_str()))
            .flatten()
    })
}

/// What a server knows of its tasks, for [`usage_of_dir`]: task id → (name, project id),
/// project id → name, and task id → (events, event bytes).
#[derive(Debug, Clone, Default)]
pub struct Owners {
    pub tasks: std::collections::BTreeMap<String, (String, String)>,
    pub projects: std::collections::BTreeMap<String, String>,
    pub events: std::collections::BTreeMap<String, (u64, u64)>,
}

/// Where a server's data dir's space went: the files under `files_dir` by the task they
/// belong to, the events per task as `owners` has them, and the totals of the whole
/// `data_dir` (the files for which `is_database` holds count as the database). Reads only.
pub fn usage_of_dir(
    data_dir: &Path,
    files_dir: &Path,
    is_database: &dyn Fn(&Path) -> bool,
    owners: &Owners,
) -> anyhow::Result<DataDirUsage> {
    let mut usage = DataDirUsage::default();
    let mut per_task: std::collections::BTreeMap<String, TaskUsage> = Default::default();
    let entry = |id: &str| -> TaskUsage {
        let (name, project_id) = owners.tasks.get(id).cloned().unwrap_or_default();
        TaskUsage {
            task_id: id.to_string(),
            task: name,
            project: owners
                .projects
                .get(&project_id)
                .cloned()
                .unwrap_or_default(),
            project_id,
            ..Default::default()
        }
    };
    for (id, (events, bytes)) in &owners.events {
        let row = per_task.entry(id.clone()).or_insert_with(|| entry(id));
        row.events += events;
        row.event_bytes += bytes;
    }
    let mut found = Walked::default();
    walk(data_dir, &mut found)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", data_dir.display()))?;
    usage.unreadable = found.unreadable;
    // The folder itself too, as `du -s` counts it.
    usage.disk_bytes = found.folder_bytes
        + std::fs::metadata(data_dir).map_or(0, |m| {
            use std::os::unix::fs::MetadataExt;
            m.blocks() * 512
        });
    for (path, bytes, disk) in found.files {
        usage.disk_bytes += disk;
        if let Ok(rel) = path.strip_prefix(files_dir) {
            usage.files_bytes += bytes;
            let id = owner(rel, &owners.tasks).unwrap_or("").to_string();
            let row = per_task.entry(id.clone()).or_insert_with(|| entry(&id));
            row.files += 1;
            row.file_bytes += bytes;
        } else if is_database(&path) {
            usage.database_bytes += bytes;
        } else {
            usage.other_bytes += bytes;
        }
    }
    usage.tasks = per_task.into_values().collect();
    Ok(usage)
}

/// Where a `serve` data dir's space went: files by the task they belong to (walking
/// `files/`), events per task (the database), totals. Reads only; `serve` may be running.
pub fn usage_data_dir(data_dir: &Path) -> anyhow::Result<DataDirUsage> {
    is_data_dir(data_dir)?;
    let db = data_dir.join("clearml.sqlite");
    let store = match Store::open_reader(&db) {
        Ok(s) => s,
        Err(_) => open_existing(data_dir)?,
    };
    let owners = Owners {
        tasks: store.task_names()?,
        projects: store.project_names()?,
        events: store
            .event_usage()?
            .into_iter()
            .map(|(id, e)| (id, (e.events, e.bytes)))
            .collect(),
    };
    drop(store);
    let db_name = db
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let is_database = |path: &Path| {
        path.parent() == Some(data_dir)
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&db_name))
    };
    usage_of_dir(data_dir, &data_dir.join("files"), &is_database, &owners)
}

impl TaskUsage {
    /// Files and events together.
    pub fn total_bytes(&self) -> u64 {
        self.file_bytes + self.event_bytes
    }
}
