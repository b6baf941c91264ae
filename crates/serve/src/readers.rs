//! Read-only SQLite connections for the listing endpoints, so the pages of one `get_all`
//! (which clients fetch concurrently) are served side by side instead of queueing on the
//! one writer connection. WAL lets these readers run while the writer commits; each reader
//! sees every write committed before its query started, so a client reads its own writes.

use super::envelope::ApiError;
use super::store::{ListingCache, Store};
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

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
    /// The order of the listings being paged through, shared by the readers; every use
    /// of the writer starts a new generation of it.
    listing: Arc<ListingCache>,
}

impl Readers {
    pub fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
            listing: Arc::default(),
        }
    }

    fn checkout(&self) -> Result<Reader<'_>, ApiError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let store = match idle {
            Some(s) => s,
            None => Store::open_reader(&self.path)
                .map_err(ApiError::internal)?
                .with_listing_cache(self.listing.clone()),
        };
        Ok(Reader {
            pool: self,
            store: Some(store),
        })
    }
}

/// The connection one call uses: the shared writer, or a reader of its own.
pub enum StoreGuard<'a> {
    /// The writer, the listing order its writes make stale, and the writer's count of
    /// changed rows when the call took it.
    Writer(MutexGuard<'a, Store>, &'a ListingCache, u64),
    Reader(Reader<'a>),
}

impl Drop for StoreGuard<'_> {
    /// The call is done (its writes committed) but its answer not yet sent: listings read
    /// from here on see them. A call that changed no row (a login with the server's own
    /// key, a lookup through the writer) leaves the listings being paged through in use:
    /// `task list --all` logs in first, and starting a new generation then made its second
    /// page read the whole list again while its later pages waited.
    fn drop(&mut self) {
        if let StoreGuard::Writer(store, listing, before) = self
            && store.total_changes() != *before
        {
            listing.written();
        }
    }
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
    let store = writer.lock().unwrap_or_else(|p| p.into_inner());
    let before = store.total_changes();
    Ok(StoreGuard::Writer(store, &readers.listing, before))
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
            StoreGuard::Writer(g, ..) => g,
            StoreGuard::Reader(r) => r.store.as_ref().expect("a reader holds its store"),
        }
    }
}

impl DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        match self {
            StoreGuard::Writer(g, ..) => g,
            StoreGuard::Reader(r) => r.store.as_mut().expect("a reader holds its store"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Coll;
    use serde_json::json;

    /// Pages past the first come from the listing order the readers share; a write
    /// through the writer, answered before the next page is asked for, is in that page.
    #[test]
    fn later_pages_are_the_sql_pages_and_see_every_write_answered_before_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pages.sqlite");
        let writer = Mutex::new(Store::open(&path).unwrap());
        let readers = Readers::new(path);
        let task = |i: usize| {
            json!({"id": format!("t{i:04}"), "name": format!("Задача-{i}-über-任务"), "project": "p1",
                   "system_tags": if i.is_multiple_of(7) { json!(["archived"]) } else { json!([]) },
                   "last_update": format!("2026-12-06T10:{:02}:{:02}+00:00", i / 60 % 60, i % 60)})
        };
        {
            let w = store_for(&writer, &readers, "tasks.create").unwrap();
            for i in 0..1200 {
                w.put(Coll::Tasks, &task(i)).unwrap();
            }
        }
        let body =
            json!({"project": ["p1"], "system_tags": ["-archived"], "order_by": ["-last_update"]});
        let filter = crate::query::build_filter(&body, true).unwrap();
        let order = crate::query::build_order(&body).unwrap();
        let keys = ["id".to_string(), "name".to_string()];
        let page = |store: &Store, n: usize| {
            store
                .select_keys(
                    Coll::Tasks,
                    &filter,
                    &order,
                    Some(100),
                    n * 100,
                    Some(&keys),
                )
                .unwrap()
        };
        let sql_page = |n: usize| page(&writer.lock().unwrap(), n);
        let reader = store_for(&writer, &readers, "tasks.get_all_ex").unwrap();
        for n in [1, 5, 10, 11, 12] {
            assert_eq!(page(&reader, n), sql_page(n), "page {n}");
        }
        assert_eq!(page(&reader, 10).len(), 28, "1,028 not archived");
        assert!(page(&reader, 11).is_empty());
        drop(reader);
        // The newest task goes first: every later page shifts by one.
        {
            let w = store_for(&writer, &readers, "tasks.create").unwrap();
            let mut newest = task(5000);
            newest["last_update"] = json!("2026-12-06T23:00:00+00:00");
            w.put(Coll::Tasks, &newest).unwrap();
        }
        let reader = store_for(&writer, &readers, "tasks.get_all_ex").unwrap();
        for n in [1, 10] {
            assert_eq!(page(&reader, n), sql_page(n), "page {n} after a write");
        }
        assert_eq!(page(&reader, 10).len(), 29);
    }

    /// Only a call that changed rows starts a new generation of the listing order: a
    /// login through the writer that writes nothing keeps the list being paged through.
    #[test]
    fn a_writer_call_that_changes_nothing_keeps_the_listing_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("generations.sqlite");
        let writer = Mutex::new(Store::open(&path).unwrap());
        let readers = Readers::new(path);
        let generation = || readers.listing.generation();
        let start = generation();
        {
            let w = store_for(&writer, &readers, "auth.login").unwrap();
            assert!(w.get(Coll::Tasks, "нет-такой").unwrap().is_none());
        }
        assert_eq!(generation(), start, "a read through the writer");
        {
            let w = store_for(&writer, &readers, "tasks.create").unwrap();
            w.put(
                Coll::Tasks,
                &json!({"id": "t1", "name": "Übung 任务", "project": "p1"}),
            )
            .unwrap();
        }
        assert_eq!(generation(), start + 1, "a write");
        {
            let w = store_for(&writer, &readers, "tasks.delete").unwrap();
            assert!(!w.delete(Coll::Tasks, "no such id").unwrap());
        }
        assert_eq!(generation(), start + 1, "a statement that matched no row");
    }
}
