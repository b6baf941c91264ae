//! File-server transfers: streaming multipart upload and resumable, verified download,
//! with the SDK's cache layout so a file fetched by either is reused by the other.
//! It never prints; progress goes to an indicatif bar the caller asks for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{AUTHORIZATION, CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::ClientError;
use crate::classify_transport;

/// Chunk size of file reads for uploads (big enough to keep syscalls off the profile).
const READ_CHUNK: usize = 1024 * 1024;
/// Downloads gather chunks smaller than this before writing; larger ones go straight out.
const WRITE_BUFFER: usize = 64 * 1024;
/// Attempts of one download, resuming each time from what is already on disk.
const DOWNLOAD_ATTEMPTS: u32 = 6;

/// The SDK's cache root: `CLEARML_CACHE_DIR`, else the config's
/// `sdk.storage.cache.default_base_dir` (`configured`, `~` expanded), else `~/.clearml/cache`.
pub fn cache_dir(configured: Option<&str>) -> PathBuf {
    if let Some(d) = std::env::var_os("CLEARML_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let home = clearml_config::home_dir();
    match configured.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => clearml_config::resolve::expand_user(d, &home),
        None => home.join(".clearml").join("cache"),
    }
}

/// Where the SDK's `StorageManager.get_local_copy(url)` keeps a download:
/// `<cache>/storage_manager/global/<md5(url)>.<last path segment>`.
pub fn cache_path(cache_root: &Path, url: &str) -> PathBuf {
    use md5::Md5;
    let hash = hex::encode(Md5::digest(url.as_bytes()));
    let last = url.rsplit('/').next().unwrap_or_default();
    cache_root
        .join("storage_manager")
        .join("global")
        .join(format!("{hash}.{last}"))
}

pub use clearml_wire::quote_path;

/// A progress bar on stderr, or a hidden one when not on a terminal.
pub fn progress_bar(show: bool, total: Option<u64>, what: &str) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => indicatif::ProgressBar::new(t),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

mod download;
#[cfg(test)]
mod tests;
mod upload;

pub use download::{Downloaded, Expect, download, free_bytes, partial_path, validator_path};
pub use upload::{Uploaded, delete, upload};

/// Feed an existing partial file into the hasher; returns its length.
async fn hash_prefix(path: &Path, hasher: &mut Sha256) -> anyhow::Result<u64> {
    let mut f = tokio::fs::File::open(path).await?;
    let mut buf = vec![0u8; READ_CHUNK];
    let mut n = 0u64;
    loop {
        let r = f.read(&mut buf).await?;
        if r == 0 {
            break;
        }
        hasher.update(&buf[..r]);
        n += r as u64;
    }
    Ok(n)
}

/// sha256 of a whole file, hex.
pub async fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut h = Sha256::new();
    hash_prefix(path, &mut h).await?;
    Ok(hex::encode(h.finalize()))
}
