//! The order of a paged listing's matches, kept between its pages.
//!
//! A client reading every page of a long listing (`task list --all`, the SDK's
//! `query_tasks`) sends the same query with `page` 1, 2, ... 20: each page made SQLite walk
//! the index past every earlier match again (`OFFSET`), so the pages of 10,000 tasks cost
//! ten times the first one, and a page past the end (how a client learns it is done) cost
//! as much as the last. Past the first page, the row ids of all matches are read once, in
//! order, and later pages of the same query take their slice of that list.
//!
//! Any call through the writer connection that changed a row starts a new generation,
//! and a list is only used in the generation it was read in, so a page never misses a
//! write that was answered before it was asked for. At most [`MAX_LISTS`] lists of at most
//! [`MAX_IDS`] ids are kept, each for [`TTL`] at most: memory stays bounded and small.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Lists kept at once (the listings being paged through right now).
pub const MAX_LISTS: usize = 8;
/// Longest list kept (8 bytes an id: 1.6 MiB); a longer one is read for its page only.
pub const MAX_IDS: usize = 200_000;
/// How long a list is used at most, write or no write.
pub const TTL: Duration = Duration::from_secs(30);
/// Queries with longer text or parameters (long id lists) are not kept.
const MAX_KEY: usize = 4096;

type Cell = Arc<OnceLock<Option<Arc<Vec<i64>>>>>;

/// Shared by the reader connections; the writer's users call [`ListingCache::written`].
#[derive(Default)]
pub struct ListingCache {
    generation: AtomicU64,
    lists: Mutex<HashMap<String, (u64, Instant, Cell)>>,
}

impl ListingCache {
    /// Something may have been written: lists read before are no longer used.
    pub fn written(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    #[cfg(test)]
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The ids of every match of the query `key`, read by `read` once per generation (a
    /// second page asking while the first reads waits for it rather than reading too).
    /// `None` when the query is not kept or `read` failed: the caller pages in SQL.
    pub(super) fn ids(
        &self,
        key: String,
        read: impl FnOnce() -> Option<Vec<i64>>,
    ) -> Option<Arc<Vec<i64>>> {
        if key.len() > MAX_KEY {
            return None;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let cell = {
            let mut lists = self.lists.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            lists.retain(|_, (g, at, _)| *g == generation && now.duration_since(*at) < TTL);
            if !lists.contains_key(&key) && lists.len() >= MAX_LISTS {
                let oldest = lists
                    .iter()
                    .min_by_key(|(_, (_, at, _))| *at)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    lists.remove(&k);
                }
            }
            lists
                .entry(key)
                .or_insert_with(|| (generation, now, Cell::default()))
                .2
                .clone()
        };
        cell.get_or_init(|| read().filter(|ids| ids.len() <= MAX_IDS).map(Arc::new))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_read_once_per_generation_and_bounded() {
        let cache = ListingCache::default();
        let reads = std::cell::Cell::new(0);
        let read = |n: i64| {
            reads.set(reads.get() + 1);
            Some((0..n).collect::<Vec<i64>>())
        };
        assert_eq!(cache.ids("q".into(), || read(3)).unwrap().len(), 3);
        assert_eq!(cache.ids("q".into(), || read(5)).unwrap().len(), 3);
        assert_eq!(reads.get(), 1);
        cache.written();
        assert_eq!(cache.ids("q".into(), || read(5)).unwrap().len(), 5);
        assert_eq!(reads.get(), 2);
        // Too long a list or a failed read is not kept: the caller pages in SQL.
        assert!(
            cache
                .ids("big".into(), || read(MAX_IDS as i64 + 1))
                .is_none()
        );
        assert!(cache.ids("failed".into(), || None).is_none());
        assert!(cache.ids("x".repeat(MAX_KEY + 1), || read(1)).is_none());
        for i in 0..3 * MAX_LISTS {
            cache.ids(format!("q{i}"), || read(1));
        }
        assert!(cache.lists.lock().unwrap().len() <= MAX_LISTS);
    }
}
