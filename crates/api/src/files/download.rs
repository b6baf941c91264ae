//! Downloads: resumable (a partial file and its validator), verified by size and sha256.

use super::*;

/// What a download must match (when known).
#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub size: Option<u64>,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Downloaded {
    pub size: u64,
    pub sha256: String,
    /// Bytes that were already on disk from an earlier, interrupted attempt.
    pub resumed_from: u64,
}

/// Free bytes on the filesystem holding `path` (or its nearest existing ancestor).
pub fn free_bytes(path: &Path) -> Option<(PathBuf, u64)> {
    let mut p = path.to_path_buf();
    while !p.exists() {
        p = p.parent()?.to_path_buf();
    }
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some((p, st.f_bavail as u64 * st.f_frsize as u64))
}

/// The temporary name a download is written under until it is complete and verified.
pub fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// Where the validator (ETag or Last-Modified) of the response a `.part` file came from is
/// kept, so a later run resumes only when the server still has the same file.
pub fn validator_path(part: &Path) -> PathBuf {
    let mut name = part.file_name().unwrap_or_default().to_os_string();
    name.push(".validator");
    part.with_file_name(name)
}

/// The validator of a response: its ETag, else its Last-Modified (both usable in If-Range).
fn validator_of(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(ETAG)
        .or_else(|| headers.get(LAST_MODIFIED))
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A resumed download whose sha256 did not match: the kept prefix came from another file.
#[derive(Debug)]
struct ResumedMismatch;

impl std::fmt::Display for ResumedMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the resumed download does not match the model's sha256")
    }
}

impl std::error::Error for ResumedMismatch {}

async fn remove_partial(part: &Path) {
    tokio::fs::remove_file(part).await.ok();
    tokio::fs::remove_file(validator_path(part)).await.ok();
}

/// Download `url` to `dest`: into `<dest>.part`, resuming with `Range` after a cut
/// connection (also across runs), then size and sha256 checks, then a rename, so `dest`
/// only ever holds a complete, verified file.
///
/// A `.part` from an earlier run is resumed only when something can prove it belongs to
/// the same file: the server's validator (sent as `If-Range`, so a changed file comes back
/// whole) or the model's sha256 (checked at the end; on a mismatch the download starts
/// over once from byte 0). Otherwise it is discarded: splicing an old upload's prefix onto
/// a new one would go unnoticed.
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
            .map_err(|e| ClientError::failed(format!("cannot create {}: {e}", dir.display())))?;
    }
    let part = partial_path(dest);
    let result = match download_into(http, url, dest, &part, bearer, expect, progress).await {
        Err(e) if e.is::<ResumedMismatch>() => {
            tracing::info!("{e}; downloading again from the start");
            remove_partial(&part).await;
            download_into(http, url, dest, &part, bearer, expect, progress).await
        }
        other => other,
    };
    if result.is_err() && tokio::fs::metadata(&part).await.is_ok_and(|m| m.len() == 0) {
        // Nothing worth keeping for the next try.
        remove_partial(&part).await;
    }
    result
}

async fn download_into(
    http: &reqwest::Client,
    url: &str,
    dest: &Path,
    part: &Path,
    bearer: Option<&str>,
    expect: &Expect,
    progress: bool,
) -> anyhow::Result<Downloaded> {
    let mut partial = PartialDownload::open(part, expect, progress).await?;
    let resumed_from = partial.have;
    let fetched = partial.fetch(http, url, bearer, expect.size).await;
    partial.bar.finish_and_clear();
    let fetched = fetched?;
    partial
        .finish(url, dest, expect, fetched, resumed_from)
        .await
}

/// What the transfer learned about the file besides its bytes.
struct Fetched {
    /// The size the server announced (or the bytes received, once complete).
    total: Option<u64>,
    /// An HTML answer where a file was expected: files_server points at the web app.
    got_html: bool,
}

/// What to do with one answer to a (range) request.
enum Answer {
    /// Write the body to this file (the part file, appended to or started over).
    Write(std::fs::File),
    /// Nothing to write; ask again (after `restart`, or a transient server error).
    Retry(Option<anyhow::Error>),
    /// The part file already holds the whole file.
    Complete,
}

/// The `.part` file of a download: the bytes it holds, their running sha256, and the
/// validator (ETag / Last-Modified) that proves which version of the file they are from.
struct PartialDownload {
    path: PathBuf,
    have: u64,
    hasher: Sha256,
    validator: Option<String>,
    bar: indicatif::ProgressBar,
}

impl PartialDownload {
    /// The part file left by an earlier run, kept only when it can be proven to belong to
    /// this file (a stored validator, or the model's sha256 checked at the end).
    async fn open(part: &Path, expect: &Expect, progress: bool) -> anyhow::Result<Self> {
        let validator = tokio::fs::read_to_string(validator_path(part))
            .await
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        let mut partial = PartialDownload {
            path: part.to_path_buf(),
            have: 0,
            hasher: Sha256::new(),
            validator,
            bar: progress_bar(progress, expect.size, "download"),
        };
        let kept = tokio::fs::metadata(part)
            .await
            .map(|m| m.len())
            .unwrap_or(0);
        if kept > 0 && partial.validator.is_none() && expect.sha256.is_none() {
            tracing::info!(
                "{} cannot be proven to belong to this file (no validator, no sha256): starting over",
                part.display()
            );
            remove_partial(part).await;
        } else if kept > 0 {
            partial.have = hash_prefix(part, &mut partial.hasher).await?;
        }
        partial.bar.set_position(partial.have);
        Ok(partial)
    }

    /// Drop what is kept: the next request asks for the whole file.
    async fn restart(&mut self) {
        remove_partial(&self.path).await;
        self.have = 0;
        self.hasher = Sha256::new();
        self.validator = None;
        self.bar.set_position(0);
    }

    fn request(
        &self,
        http: &reqwest::Client,
        url: &str,
        bearer: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let mut req = http.get(url);
        if let Some(b) = bearer {
            req = req.header(AUTHORIZATION, format!("Bearer {b}"));
        }
        if self.have > 0 {
            req = req.header(RANGE, format!("bytes={}-", self.have));
            if let Some(v) = &self.validator {
                req = req.header(IF_RANGE, v.as_str());
            }
        }
        req
    }

    /// Up to [`DOWNLOAD_ATTEMPTS`] requests, each resuming where the last one was cut.
    async fn fetch(
        &mut self,
        http: &reqwest::Client,
        url: &str,
        bearer: Option<&str>,
        size: Option<u64>,
    ) -> anyhow::Result<Fetched> {
        let mut fetched = Fetched {
            total: size,
            got_html: false,
        };
        let mut last_err: Option<anyhow::Error> = None;
        for attempt in 0..DOWNLOAD_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 << attempt.min(4))).await;
            }
            if fetched.total.is_some_and(|t| self.have >= t) {
                break;
            }
            let resp = match self.request(http, url, bearer).send().await {
                Ok(r) => r,
                Err(e) => {
                    last_err = Some(crate::into_anyhow(classify_transport(url, &e)));
                    continue;
                }
            };
            let file = match self.answer(&resp, url, &mut fetched).await? {
                Answer::Write(file) => file,
                Answer::Retry(err) => {
                    if err.is_some() {
                        last_err = err;
                    }
                    continue;
                }
                Answer::Complete => break,
            };
            if let Some(t) = fetched.total {
                self.bar.set_length(t);
            }
            match self.receive(resp, file).await? {
                None if fetched.total.is_none_or(|t| self.have >= t) => {
                    fetched.total = Some(self.have);
                    last_err = None;
                    break;
                }
                None => {
                    last_err = Some(
                        ClientError::failed(format!(
                            "{url}: connection closed early at {} bytes",
                            self.have
                        ))
                        .into(),
                    );
                }
                Some(e) => {
                    tracing::info!(
                        "download cut at {} bytes: {}; resuming",
                        self.have,
                        crate::redact_urls(&e.to_string())
                    );
                    last_err = Some(crate::into_anyhow(classify_transport(url, &e)));
                }
            }
        }
        match last_err {
            None => Ok(fetched),
            Some(e) if self.have == 0 => Err(e),
            Some(e) => Err(e.context(format!(
                "download of {url} incomplete after {DOWNLOAD_ATTEMPTS} attempts ({} bytes kept in {} for the next try)",
                self.have,
                self.path.display()
            ))),
        }
    }

    /// Sort one answer: a continuation, the whole file again, nothing more, or a failure.
    async fn answer(
        &mut self,
        resp: &reqwest::Response,
        url: &str,
        fetched: &mut Fetched,
    ) -> anyhow::Result<Answer> {
        let status = resp.status().as_u16();
        Ok(match status {
            206 if self.have > 0 => {
                let same_file =
                    self.validator.is_none() || validator_of(resp.headers()) == self.validator;
                if content_range_start(resp.headers()) != Some(self.have) || !same_file {
                    // Not the continuation of what we have: start over.
                    self.restart().await;
                    return Ok(Answer::Retry(None));
                }
                if let Some(t) = content_range_total(resp.headers()) {
                    fetched.total = Some(t);
                }
                Answer::Write(std::fs::OpenOptions::new().append(true).open(&self.path)?)
            }
            200 => {
                // The server ignored the range, the file changed (If-Range), or there was
                // no range: start over, remembering what identifies this version.
                self.restart().await;
                if let Some(len) = resp.content_length() {
                    fetched.total = Some(len);
                }
                self.validator = validator_of(resp.headers());
                fetched.got_html = resp
                    .headers()
                    .get(reqwest::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("text/html"));
                if let Some(v) = &self.validator {
                    tokio::fs::write(validator_path(&self.path), v).await?;
                }
                Answer::Write(std::fs::File::create(&self.path)?)
            }
            416 if self.have > 0 => {
                // Nothing past what we have: either complete, or the file changed.
                if fetched.total.is_none_or(|t| t == self.have) {
                    fetched.total = Some(self.have);
                    return Ok(Answer::Complete);
                }
                self.restart().await;
                Answer::Retry(None)
            }
            401 | 403 => {
                return Err(ClientError::auth(format!(
                    "the file server refused {url} (HTTP {status})"
                ))
                .into());
            }
            404 => {
                return Err(ClientError::not_found(format!(
                    "{url} is not on the server (HTTP 404)"
                ))
                .into());
            }
            429 | 500 | 502 | 503 | 504 => Answer::Retry(Some(
                ClientError::failed(format!("{url}: HTTP {status}")).into(),
            )),
            s => {
                return Err(ClientError::failed(format!("cannot download {url}: HTTP {s}")).into());
            }
        })
    }

    /// The body into `file`; the transport error that cut it, if one did.
    async fn receive(
        &mut self,
        resp: reqwest::Response,
        file: std::fs::File,
    ) -> anyhow::Result<Option<reqwest::Error>> {
        // Writing and hashing run on a thread of their own, so this loop only moves bytes
        // off the socket.
        let sink = Sink::spawn(file, std::mem::take(&mut self.hasher));
        let mut stream = resp.bytes_stream();
        let mut cut = None;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => {
                    self.have += bytes.len() as u64;
                    self.bar.set_position(self.have);
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
        // No fsync: the rename in `finish` is what guarantees that an interrupted run
        // (Ctrl-C, cut connection) never leaves a partial file under the final name; like
        // curl and the SDK we leave durability against power loss to the filesystem.
        self.hasher = sink.finish().await.map_err(|e| {
            ClientError::failed(format!("cannot write {}: {e}", self.path.display()))
        })?;
        Ok(cut)
    }

    /// Size and sha256 checks, then the rename to `dest`.
    async fn finish(
        self,
        url: &str,
        dest: &Path,
        expect: &Expect,
        fetched: Fetched,
        resumed_from: u64,
    ) -> anyhow::Result<Downloaded> {
        let (part, have) = (self.path, self.have);
        let sha256 = hex::encode(self.hasher.finalize());
        if let Some(want) = expect.size.or(fetched.total)
            && want != have
        {
            remove_partial(&part).await;
            if fetched.got_html {
                return Err(ClientError::failed(format!(
                    "{url}: the files host answered with an HTML page, not the file"
                ))
                .with_hint(
                    "is files_server the web app? it must point at the file server (port 8081)",
                )
                .into());
            }
            return Err(ClientError::failed(format!(
                "{url}: got {have} bytes, expected {want}; removed the partial file"
            ))
            .with_hint("run the command again to download from scratch")
            .into());
        }
        if let Some(want) = &expect.sha256
            && !want.eq_ignore_ascii_case(&sha256)
        {
            if resumed_from > 0 {
                return Err(ResumedMismatch.into());
            }
            remove_partial(&part).await;
            return Err(ClientError::failed(format!(
                "{url}: sha256 {sha256} does not match the model's {want}; removed the download"
            ))
            .with_hint("run the command again to download from scratch; if it fails again, the file on the server is not the one the model was published with")
            .into());
        }
        if have == 0 && tokio::fs::metadata(&part).await.is_err() {
            // An empty file: no byte ever arrived to create the part file.
            tokio::fs::write(&part, b"").await?;
        }
        tokio::fs::remove_file(validator_path(&part)).await.ok();
        tokio::fs::rename(&part, dest).await.map_err(|e| {
            ClientError::failed(format!(
                "cannot move the download to {}: {e}",
                dest.display()
            ))
        })?;
        Ok(Downloaded {
            size: have,
            sha256,
            resumed_from,
        })
    }
}

/// The disk side of a download: one thread appends the chunks to the file, another feeds
/// them to the hasher. Apart, hashing (the bulk of the CPU time) overlaps the writes instead
/// of adding to them; a chunk is shared between both (`Bytes` is reference-counted).
struct Sink {
    to_file: tokio::sync::mpsc::Sender<bytes::Bytes>,
    to_hash: tokio::sync::mpsc::Sender<bytes::Bytes>,
    writer: std::thread::JoinHandle<std::io::Result<()>>,
    hasher: std::thread::JoinHandle<Sha256>,
}

impl Sink {
    fn spawn(file: std::fs::File, mut hasher: Sha256) -> Sink {
        let (to_file, mut chunks) = tokio::sync::mpsc::channel::<bytes::Bytes>(8);
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            // Chunks off the socket are mostly larger than the buffer and go straight to
            // write(2); the buffer only gathers small ones.
            let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, file);
            while let Some(chunk) = chunks.blocking_recv() {
                out.write_all(&chunk)?;
            }
            out.flush()
        });
        let (to_hash, mut chunks) = tokio::sync::mpsc::channel::<bytes::Bytes>(8);
        let hasher = std::thread::spawn(move || {
            while let Some(chunk) = chunks.blocking_recv() {
                hasher.update(&chunk);
            }
            hasher
        });
        Sink {
            to_file,
            to_hash,
            writer,
            hasher,
        }
    }

    /// False when the writer has stopped (a disk error, reported by `finish`).
    async fn send(&self, chunk: bytes::Bytes) -> bool {
        self.to_hash.send(chunk.clone()).await.is_ok() && self.to_file.send(chunk).await.is_ok()
    }

    async fn finish(self) -> std::io::Result<Sha256> {
        drop(self.to_file);
        drop(self.to_hash);
        let (writer, hasher) = (self.writer, self.hasher);
        tokio::task::spawn_blocking(move || {
            let written = writer
                .join()
                .map_err(|_| std::io::Error::other("the download writer panicked"))?;
            let hash = hasher
                .join()
                .map_err(|_| std::io::Error::other("the download hasher panicked"))?;
            written.map(|()| hash)
        })
        .await
        .map_err(std::io::Error::other)?
    }
}

/// `Content-Range: bytes START-b/TOTAL` -> START.
fn content_range_start(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    let v = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    let range = v.trim().strip_prefix("bytes")?.trim();
    range.split('-').next()?.trim().parse().ok()
}

/// `Content-Range: bytes a-b/TOTAL` -> TOTAL.
fn content_range_total(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    let v = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    v.rsplit('/').next()?.trim().parse().ok()
}
