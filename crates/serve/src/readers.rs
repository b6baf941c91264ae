//! Read-only SQLite connections for the listing endpoints, so the pages of one `get_all`
//! (which clients fetch concurrently) are served side by side instead of queueing on the
//! one writer connection. WAL lets these readers run while the writer commits; each reader
//! sees every write committed before its query started, so a client reads its own writes.

use super::envelope::ApiError;
use super::store::Store;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// Calls that only read the database. A reader connection is opened read-only, so one of
/// these that tried to write would fail loudly rather than race the writer.
const READ_ONLY: &[&str] = &[
    "tasks.get_all",
    "tasks.get_all_ex",
    "models.get_all",
    "models.get_all_ex",
    "projects.get_all",
    "projects.get_all_ex",
    "queues.get_all",
    "queues.get_all_ex",
    "events.scalar_metrics_iter_histogram",
    "events.multi_task_scalar_metrics_iter_histogram",
    "events.get_task_log",
    "events.get_task_plots",
    "events.debug_images",
];

/// Idle reader connections, opened on demand. Their number stays bounded by the requests
/// served at once (`AppState::db_slots` for API calls, `web_slots` for pages).
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Readers {
    pub fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn checkout(&self) -> Result<Reader<'_>, ApiError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let store = match idle {
            Some(s) => s,
            None => Store::open_reader(&self.path).map_err(ApiError::internal)?,
        };
        Ok(Reader {
            pool: self,
            store: Some(store),
        })
    }
}

/// The connection one call uses: the shared writer, or a reader of its own.
pub enum StoreGuard<'a> {
    Writer(MutexGuard<'a, Store>),
    Reader(Reader<'a>),
}

/// A read-only connection of its own, for work that never writes (the web UI's pages).
pub fn reader(readers: &Readers) -> Result<StoreGuard<'_>, ApiError> {
    Ok(StoreGuard::Reader(readers.checkout()?))
}

/// The connection for `endpoint`: a reader for the read-only listings, else the writer.
pub fn store_for<'a>(
    writer: &'a Mutex<Store>,
    readers: &'a Readers,
    endpoint: &str,
) -> Result<StoreGuard<'a>, ApiError> {
    if READ_ONLY.contains(&endpoint) {
        return Ok(StoreGuard::Reader(readers.checkout()?));
    }
    Ok(StoreGuard::Writer(
        writer.lock().unwrap_or_else(|p| p.into_inner()),
    ))
}

pub struct Reader<'a> {
    pool: &'a Readers,
    store: Option<Store>,
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(s) = self.store.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(s);
        }
    }
}

impl Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        match self {
            StoreGuard::Writer(g) => g,
            StoreGuard::Reader(r) => r.store.as_ref().expect("a reader holds its store"),
        }
    }
}

impl DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        match self {
            StoreGuard::Writer(g) => g,
            StoreGuard::Reader(r) => r.store.as_mut().expect("a reader holds its store"),
        }
    }
}
