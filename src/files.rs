//! File-server transfers: streaming multipart upload and resumable, verified download,
//! with the SDK's cache layout so a file fetched by either is reused by the other.
//! It never prints; progress goes to an indicatif bar the caller asks for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{AUTHORIZATION, CONTENT_RANGE, RANGE};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::api::classify_transport;
use crate::error::CliError;

/// Chunk size of file reads for uploads (big enough to keep syscalls off the profile).
const READ_CHUNK: usize = 1024 * 1024;
/// Write batching of downloads.
const WRITE_BUFFER: usize = 1024 * 1024;
/// Attempts of one download, resuming each time from what is already on disk.
const DOWNLOAD_ATTEMPTS: u32 = 6;

/// The SDK's cache root: `CLEARML_CACHE_DIR`, else `~/.clearml/cache`.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CLEARML_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".clearml").join("cache")
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

/// `path` percent-encoded for a URL, keeping `/` and the characters the SDK keeps.
pub fn quote_path(path: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    utf8_percent_encode(path, KEEP).to_string()
}

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
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(what.to_string());
    bar
}

/// What an upload produced.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub url: String,
    pub size: u64,
    pub sha256: String,
}

/// Upload `local` to the file server as `object_path` (multipart, field name = path, as the
/// SDK does), streaming from disk while hashing. Returns the URL the object is served at.
pub async fn upload(
    http: &reqwest::Client,
    files_host: &str,
    object_path: &str,
    local: &Path,
    bearer: Option<&str>,
    progress: bool,
) -> anyhow::Result<Uploaded> {
    let file = tokio::fs::File::open(local)
        .await
        .map_err(|e| CliError::not_found(format!("cannot read {}: {e}", local.display())))?;
    let size = file.metadata().await?.len();
    let bar = progress_bar(progress, Some(size), "upload");
    // Reading and hashing run on a thread of their own; the body streams what it sends.
    let (rx, reader) = spawn_reader(file.into_std().await);
    let stream = {
        let bar = bar.clone();
        futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|chunk| (chunk, rx))
        })
        .map(move |chunk| {
            if let Ok(bytes) = &chunk {
                bar.inc(bytes.len() as u64);
            }
            chunk
        })
    };
    let field = object_path.trim_start_matches('/').to_string();
    let part =
        reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
            .file_name(field.clone())
            .mime_str("application/octet-stream")?;
    let form = reqwest::multipart::Form::new().part(field.clone(), part);
    let root = format!("{}/", files_host.trim_end_matches('/'));
    let mut req = http.post(&root).multipart(form);
    if let Some(b) = bearer {
        req = req.header(AUTHORIZATION, format!("Bearer {b}"));
    }
    let resp = req
        .send()
        .await
        .map_err(|e| crate::api::into_anyhow(classify_transport(&root, &e)))?;
    bar.finish_and_clear();
    let status = resp.status();
    if !status.is_success() {
        let text = resp.text().await.unwrap_or_default();
        let err = match status.as_u16() {
            401 | 403 => CliError::auth(format!(
                "the file server refused the upload (HTTP {status})"
            )),
            _ => CliError::failure(format!(
                "upload to {root} failed (HTTP {status}): {}",
                text.chars().take(200).collect::<String>()
            )),
        };
        return Err(err.into());
    }
    let hasher = tokio::task::spawn_blocking(move || reader.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the upload reader panicked"))??;
    let sha256 = hex::encode(hasher.finalize());
    Ok(Uploaded {
        url: format!(
            "{}/{}",
            files_host.trim_end_matches('/'),
            quote_path(&field)
        ),
        size,
        sha256,
    })
}

/// What a download must match (when known).
#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub size: Option<u64>,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Downloaded {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// Bytes that were already on disk from an earlier, interrupted attempt.
    pub resumed_from: u64,
}

/// The temporary name a download is written under until it is complete and verified.
pub fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// Download `url` to `dest`: into `<dest>.part`, resuming with `Range` after a cut
/// connection (also across runs), then size and sha256 checks, then a rename, so `dest`
/// only ever holds a complete, verified file.
pub async fn download(
    http: &reqwest::Client,
    url: &str,
    dest: &Path,
    bearer: Option<&str>,
    expect: &Expect,
    progress: bool,
) -> anyhow::Result<Downloaded> {
    if let Some(dir) = dest.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| CliError::failure(format!("cannot create {}: {e}", dir.display())))?;
    }
    let part = partial_path(dest);
    let resumed_from = tokio::fs::metadata(&part)
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    let mut hasher = Sha256::new();
    let mut have = 0u64;
    if resumed_from > 0 {
        have = hash_prefix(&part, &mut hasher).await?;
    }
    let bar = progress_bar(progress, expect.size, "download");
    bar.set_position(have);
    let mut total: Option<u64> = expect.size;
    let mut last_err: Option<anyhow::Error> = None;
    for attempt in 0..DOWNLOAD_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 << attempt.min(4))).await;
        }
        if total.is_some_and(|t| have >= t) {
            break;
        }
        let mut req = http.get(url);
        if let Some(b) = bearer {
            req = req.header(AUTHORIZATION, format!("Bearer {b}"));
        }
        if have > 0 {
            req = req.header(RANGE, format!("bytes={have}-"));
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                last_err = Some(crate::api::into_anyhow(classify_transport(url, &e)));
                continue;
            }
        };
        let status = resp.status().as_u16();
        let file = match status {
            206 if have > 0 => {
                if let Some(t) = content_range_total(resp.headers()) {
                    total = Some(t);
                }
                std::fs::OpenOptions::new().append(true).open(&part)?
            }
            200 => {
                // The server ignored the range (or there was none): start over.
                have = 0;
                hasher = Sha256::new();
                bar.set_position(0);
                if let Some(len) = resp.content_length() {
                    total = Some(len);
                }
                std::fs::File::create(&part)?
            }
            416 if have > 0 => {
                // Nothing past what we have: either complete, or the file changed.
                if total.is_none_or(|t| t == have) {
                    total = Some(have);
                    break;
                }
                tokio::fs::remove_file(&part).await.ok();
                have = 0;
                hasher = Sha256::new();
                continue;
            }
            401 | 403 => {
                return Err(CliError::auth(format!(
                    "the file server refused {url} (HTTP {status})"
                ))
                .into());
            }
            404 => {
                return Err(
                    CliError::not_found(format!("{url} is not on the server (HTTP 404)")).into(),
                );
            }
            s if matches!(s, 429 | 500 | 502 | 503 | 504) => {
                last_err = Some(CliError::failure(format!("{url}: HTTP {s}")).into());
                continue;
            }
            s => return Err(CliError::failure(format!("cannot download {url}: HTTP {s}")).into()),
        };
        if let Some(t) = total {
            bar.set_length(t);
        }
        // Writing and hashing run on a thread of their own, so this loop only moves bytes
        // off the socket.
        let sink = Sink::spawn(file, std::mem::take(&mut hasher));
        let mut stream = resp.bytes_stream();
        let mut cut = None;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => {
                    have += bytes.len() as u64;
                    bar.set_position(have);
                    if !sink.send(bytes).await {
                        break;
                    }
                }
                Err(e) => {
                    cut = Some(e);
                    break;
                }
            }
        }
        // No fsync: the rename below is what guarantees that an interrupted run (Ctrl-C, cut
        // connection) never leaves a partial file under the final name; like curl and the
        // SDK we leave durability against power loss to the filesystem.
        hasher = sink
            .finish()
            .await
            .map_err(|e| CliError::failure(format!("cannot write {}: {e}", part.display())))?;
        match cut {
            None if total.is_none_or(|t| have >= t) => {
                total = Some(have);
                last_err = None;
                break;
            }
            None => {
                last_err = Some(
                    CliError::failure(format!("{url}: connection closed early at {have} bytes"))
                        .into(),
                );
            }
            Some(e) => {
                tracing::info!("download cut at {have} bytes: {e}; resuming");
                last_err = Some(crate::api::into_anyhow(classify_transport(url, &e)));
            }
        }
    }
    bar.finish_and_clear();
    if let Some(e) = last_err {
        return Err(e.context(format!(
            "download of {url} incomplete after {DOWNLOAD_ATTEMPTS} attempts ({have} bytes kept in {} for the next try)",
            part.display()
        )));
    }
    let sha256 = hex::encode(hasher.finalize());
    if let Some(want) = expect.size.or(total)
        && want != have
    {
        tokio::fs::remove_file(&part).await.ok();
        return Err(CliError::failure(format!(
            "{url}: got {have} bytes, expected {want}; removed the partial file"
        ))
        .into());
    }
    if let Some(want) = &expect.sha256
        && !want.eq_ignore_ascii_case(&sha256)
    {
        tokio::fs::remove_file(&part).await.ok();
        return Err(CliError::failure(format!(
            "{url}: sha256 {sha256} does not match the model's {want}; removed the download"
        ))
        .into());
    }
    tokio::fs::rename(&part, dest).await.map_err(|e| {
        CliError::failure(format!(
            "cannot move the download to {}: {e}",
            dest.display()
        ))
    })?;
    Ok(Downloaded {
        path: dest.to_path_buf(),
        size: have,
        sha256,
        resumed_from,
    })
}

type Chunk = std::io::Result<bytes::Bytes>;

/// Read a file in large chunks on a thread of its own, hashing as it goes; the chunks come
/// out of the channel, the hash out of the thread when the whole file was read.
fn spawn_reader(
    mut file: std::fs::File,
) -> (
    tokio::sync::mpsc::Receiver<Chunk>,
    std::thread::JoinHandle<std::io::Result<Sha256>>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(4);
    let handle = std::thread::spawn(move || {
        use std::io::Read;
        let mut hasher = Sha256::new();
        loop {
            let mut buf = bytes::BytesMut::zeroed(READ_CHUNK);
            let n = match file.read(&mut buf) {
                Ok(0) => return Ok(hasher),
                Ok(n) => n,
                Err(e) => {
                    let kind = e.kind();
                    let _ = tx.blocking_send(Err(std::io::Error::new(kind, e.to_string())));
                    return Err(e);
                }
            };
            buf.truncate(n);
            hasher.update(&buf);
            if tx.blocking_send(Ok(buf.freeze())).is_err() {
                return Err(std::io::Error::other("the upload stopped"));
            }
        }
    });
    (rx, handle)
}

/// The disk side of a download: a thread that appends chunks to the file through a large
/// buffer and feeds them to the hasher.
struct Sink {
    tx: tokio::sync::mpsc::Sender<bytes::Bytes>,
    handle: std::thread::JoinHandle<std::io::Result<Sha256>>,
}

impl Sink {
    fn spawn(file: std::fs::File, mut hasher: Sha256) -> Sink {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<bytes::Bytes>(8);
        let handle = std::thread::spawn(move || {
            use std::io::Write;
            let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, file);
            while let Some(chunk) = rx.blocking_recv() {
                out.write_all(&chunk)?;
                hasher.update(&chunk);
            }
            out.flush()?;
            Ok(hasher)
        });
        Sink { tx, handle }
    }

    /// False when the writer has stopped (a disk error, reported by `finish`).
    async fn send(&self, chunk: bytes::Bytes) -> bool {
        self.tx.send(chunk).await.is_ok()
    }

    async fn finish(self) -> std::io::Result<Sha256> {
        drop(self.tx);
        let handle = self.handle;
        tokio::task::spawn_blocking(move || handle.join())
            .await
            .map_err(std::io::Error::other)?
            .map_err(|_| std::io::Error::other("the download writer panicked"))?
    }
}

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

/// `Content-Range: bytes a-b/TOTAL` -> TOTAL.
fn content_range_total(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    let v = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    v.rsplit('/').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_layout_matches_the_sdk() {
        let url =
            "http://127.0.0.1:8081/Demo/t1-demo.660ef06f17194eabbe7ac8391f0d1955/models/model.bin";
        let p = cache_path(Path::new("/c"), url);
        let hash = hex::encode(md5::Md5::digest(url.as_bytes()));
        assert_eq!(
            p,
            PathBuf::from(format!("/c/storage_manager/global/{hash}.model.bin"))
        );
    }

    #[test]
    fn paths_are_quoted_like_urls() {
        assert_eq!(
            quote_path("my project/run 1.abc/models/m.pt"),
            "my%20project/run%201.abc/models/m.pt"
        );
        assert_eq!(
            partial_path(Path::new("/a/b.bin")),
            PathBuf::from("/a/b.bin.part")
        );
    }

    /// Serves `body` once, honouring a `Range: bytes=N-` header; returns the URL and the
    /// Range header it saw.
    async fn range_server(body: Vec<u8>) -> (String, tokio::task::JoinHandle<String>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/p/m.bin", listener.local_addr().unwrap());
        let handle = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 2048];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).await.unwrap();
                req.extend_from_slice(&buf[..n]);
            }
            let text = String::from_utf8_lossy(&req).to_lowercase();
            let range = text
                .lines()
                .find_map(|l| l.strip_prefix("range: bytes=").map(str::to_string))
                .unwrap_or_default();
            let from: usize = range.trim_end_matches('-').parse().unwrap_or(0);
            let head = if from > 0 {
                format!(
                    "HTTP/1.1 206 Partial\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{}\r\nConnection: close\r\n\r\n",
                    body.len() - from,
                    body.len() - 1,
                    body.len()
                )
            } else {
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
            };
            s.write_all(head.as_bytes()).await.unwrap();
            s.write_all(&body[from..]).await.unwrap();
            range
        });
        (url, handle)
    }

    #[tokio::test]
    async fn a_partial_file_from_an_earlier_run_is_resumed_and_verified() {
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 241) as u8).collect();
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        std::fs::write(partial_path(&dest), &body[..70_000]).unwrap();
        let (url, seen) = range_server(body.clone()).await;
        let expect = Expect {
            size: Some(body.len() as u64),
            sha256: Some(hex::encode(Sha256::digest(&body))),
        };
        let got = download(&reqwest::Client::new(), &url, &dest, None, &expect, false)
            .await
            .unwrap();
        assert_eq!(seen.await.unwrap(), "70000-");
        assert_eq!(got.resumed_from, 70_000);
        assert_eq!(std::fs::read(&dest).unwrap(), body);
        assert!(!partial_path(&dest).exists());
    }

    #[tokio::test]
    async fn a_wrong_size_leaves_nothing_under_the_final_name() {
        let body = vec![7u8; 1000];
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        let (url, _) = range_server(body).await;
        let expect = Expect {
            size: Some(999),
            sha256: None,
        };
        let err = download(&reqwest::Client::new(), &url, &dest, None, &expect, false)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("expected 999"), "{err}");
        assert!(!dest.exists());
        assert!(!partial_path(&dest).exists());
    }
}
