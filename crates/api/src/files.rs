//! File-server transfers: streaming multipart upload and resumable, verified download,
//! with the SDK's cache layout so a file fetched by either is reused by the other.
//! It never prints; progress goes to an indicatif bar the caller asks for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{AUTHORIZATION, CONTENT_RANGE, ETAG, IF_RANGE, LAST_MODIFIED, RANGE};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::classify_transport;
use clearml_error::CliError;

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

/// What an upload produced.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub url: String,
    pub size: u64,
    pub sha256: String,
}

/// Upload `local` to the file server as `object_path` (multipart, field name = path, as the
/// SDK does), streaming from disk while hashing. Returns the URL the object is served at.
///
/// There is no limit on the total time (a large file on a slow link takes what it takes),
/// only on silence: `stall` without a byte moving (or, once all is sent, without an answer)
/// fails the upload.
pub async fn upload(
    http: &reqwest::Client,
    files_host: &str,
    object_path: &str,
    local: &Path,
    bearer: Option<&str>,
    progress: bool,
    stall: Duration,
) -> anyhow::Result<Uploaded> {
    let file = tokio::fs::File::open(local)
        .await
        .map_err(|e| CliError::not_found(format!("cannot read {}: {e}", local.display())))?;
    let size = file.metadata().await?.len();
    let bar = progress_bar(progress, Some(size), "upload");
    let watch = Progress::new();
    // Reading and hashing run on a thread of their own; the body streams what it sends.
    let (rx, reader) = spawn_reader(file.into_std().await, size);
    let stream = {
        let bar = bar.clone();
        let watch = watch.clone();
        futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|chunk| (chunk, rx))
        })
        // Pieces of 64 KiB: the socket takes the body in these, so progress is seen
        // often enough on a slow link not to look like a stall.
        .flat_map(|chunk| futures_util::stream::iter(split_chunk(chunk)))
        .map(move |chunk| {
            if let Ok(bytes) = &chunk {
                bar.inc(bytes.len() as u64);
                watch.touch();
            }
            chunk
        })
    };
    let field = object_path.trim_start_matches('/').to_string();
    check_field_name(&field)?;
    let part =
        reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
            .file_name(field.clone())
            .mime_str("application/octet-stream")?;
    // The raw UTF-8 name inside quotes, as curl and the SDK send it. reqwest's default would
    // send `name*=utf-8''...` with `:` and `(` left bare, which the real file server cuts at
    // the first of them (a path with a space, colon or parenthesis was stored truncated).
    let form = reqwest::multipart::Form::new()
        .percent_encode_noop()
        .part(field.clone(), part);
    let root = format!("{}/", files_host.trim_end_matches('/'));
    let mut req = http.post(&root).multipart(form);
    if let Some(b) = bearer {
        req = req.header(AUTHORIZATION, format!("Bearer {b}"));
    }
    let sent = tokio::select! {
        sent = req.send() => sent,
        () = watch.stalled(stall) => {
            bar.finish_and_clear();
            return Err(CliError::unreachable(format!(
                "the upload to {root} stalled: nothing moved for {}",
                humantime::format_duration(stall)
            ))
            .with_hint("the file server or the network is stuck; try again, or raise --request-timeout")
            .into());
        }
    };
    let resp = match sent {
        Ok(resp) => resp,
        Err(e) => {
            bar.finish_and_clear();
            // The file, not the network, may be what stopped the upload.
            // (finish_reader's CliError is the file's fault; anything else is the stop
            // this very error caused.)
            match finish_reader(reader, local).await {
                Err(local_fault) if local_fault.is::<CliError>() => return Err(local_fault),
                _ => return Err(crate::into_anyhow(classify_transport(&root, &e))),
            }
        }
    };
    bar.finish_and_clear();
    let status = resp.status();
    let html = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let text = resp.text().await.unwrap_or_default();
    // Decide by status first: the real file server labels every answer (its JSON list of
    // stored paths, its 401 page) as text/html.
    match upload_answer(status.as_u16(), html, &text, &field, &root) {
        Ok(()) => {}
        Err(UploadRefused::Stored(paths)) => {
            // Stored, but under another name: remove what the server made of it.
            for p in &paths {
                let _ = delete(http, files_host, p, bearer).await;
            }
            return Err(CliError::failure(format!(
                "the file server stored the upload as {paths:?}, not as {field:?}; removed it"
            ))
            .with_hint("the file server does not keep this path; rename the file or project (no quotes, colons or parentheses) and try again")
            .into());
        }
        Err(UploadRefused::Error(e)) => return Err(e.into()),
    }
    let hasher = finish_reader(reader, local).await?;
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

/// Why an upload answer is not a success.
enum UploadRefused {
    /// A 200 whose list of stored paths does not hold the path sent.
    Stored(Vec<String>),
    Error(CliError),
}

/// Judge the file server's answer to an upload of `field`: a 2xx whose body parses as the
/// list of stored paths and holds `field` is a success; anything else names what came back.
fn upload_answer(
    status: u16,
    html: bool,
    body: &str,
    field: &str,
    root: &str,
) -> Result<(), UploadRefused> {
    let snippet = || -> String {
        let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
        one_line.chars().take(200).collect()
    };
    match status {
        200..=299 => match serde_json::from_str::<Vec<String>>(body.trim()) {
            Ok(paths) if paths.iter().any(|p| p == field) => Ok(()),
            Ok(paths) if !paths.is_empty() => Err(UploadRefused::Stored(paths)),
            Ok(_) => Err(UploadRefused::Error(CliError::failure(format!(
                "{root}: the file server stored nothing (it answered an empty list)"
            )))),
            Err(_) if html => Err(UploadRefused::Error(
                CliError::failure(format!(
                    "{root}: the files host answered the upload with an HTML page, not the file server's list of stored paths"
                ))
                .with_hint("is files_server the web app? it must point at the file server (port 8081)"),
            )),
            Err(_) => Err(UploadRefused::Error(CliError::failure(format!(
                "{root}: unexpected answer to the upload (HTTP {status}): {}",
                snippet()
            )))),
        },
        401 | 403 => Err(UploadRefused::Error(
            CliError::auth(format!(
                "the file server refused the upload (HTTP {status}{})",
                if html && body.contains('<') {
                    String::new()
                } else {
                    format!(": {}", snippet())
                }
            ))
            .with_hint("check the credentials in clearml.conf (clearml config check)"),
        )),
        _ => Err(UploadRefused::Error(CliError::failure(format!(
            "upload to {root} failed (HTTP {status}): {}",
            snippet()
        )))),
    }
}

/// A multipart field name holds the object path inside quotes: a quote or a line break
/// cannot be sent there unchanged, so such a path is refused before anything is sent.
fn check_field_name(field: &str) -> Result<(), CliError> {
    if field.chars().any(|c| c == '"' || c.is_control()) {
        return Err(CliError::usage(format!(
            "cannot upload as {field:?}: the path holds a quote or a control character"
        ))
        .with_hint("rename the file (or the project/task) without quotes or line breaks"));
    }
    Ok(())
}

/// Delete an object from the file server (`DELETE /<path>`); used to take back an upload
/// that a failed command no longer needs.
pub async fn delete(
    http: &reqwest::Client,
    files_host: &str,
    object_path: &str,
    bearer: Option<&str>,
) -> anyhow::Result<()> {
    let url = format!(
        "{}/{}",
        files_host.trim_end_matches('/'),
        quote_path(object_path.trim_start_matches('/'))
    );
    let mut req = http.delete(&url);
    if let Some(b) = bearer {
        req = req.header(AUTHORIZATION, format!("Bearer {b}"));
    }
    let resp = req
        .send()
        .await
        .map_err(|e| crate::into_anyhow(classify_transport(&url, &e)))?;
    match resp.status().as_u16() {
        200..=299 | 404 => Ok(()),
        s => Err(CliError::failure(format!("cannot delete {url}: HTTP {s}")).into()),
    }
}

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
            .map_err(|e| CliError::failure(format!("cannot create {}: {e}", dir.display())))?;
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
                        CliError::failure(format!(
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
            429 | 500 | 502 | 503 | 504 => Answer::Retry(Some(
                CliError::failure(format!("{url}: HTTP {status}")).into(),
            )),
            s => return Err(CliError::failure(format!("cannot download {url}: HTTP {s}")).into()),
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
        self.hasher = sink
            .finish()
            .await
            .map_err(|e| CliError::failure(format!("cannot write {}: {e}", self.path.display())))?;
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
                return Err(CliError::failure(format!(
                    "{url}: the files host answered with an HTML page, not the file"
                ))
                .with_hint(
                    "is files_server the web app? it must point at the file server (port 8081)",
                )
                .into());
            }
            return Err(CliError::failure(format!(
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
            return Err(CliError::failure(format!(
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
            CliError::failure(format!(
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

type Chunk = std::io::Result<bytes::Bytes>;

/// Pieces of an upload chunk the body hands to the socket one at a time.
const SEND_PIECE: usize = 64 * 1024;

fn split_chunk(chunk: Chunk) -> Vec<Chunk> {
    match chunk {
        Ok(mut bytes) => {
            let mut pieces = Vec::with_capacity(bytes.len().div_ceil(SEND_PIECE));
            while bytes.len() > SEND_PIECE {
                pieces.push(Ok(bytes.split_to(SEND_PIECE)));
            }
            pieces.push(Ok(bytes));
            pieces
        }
        Err(e) => vec![Err(e)],
    }
}

/// When an upload last moved a byte, for its stall timeout.
#[derive(Clone)]
struct Progress {
    start: std::time::Instant,
    last_ms: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            start: std::time::Instant::now(),
            last_ms: Default::default(),
        }
    }

    fn touch(&self) {
        let now = self.start.elapsed().as_millis() as u64;
        self.last_ms
            .store(now, std::sync::atomic::Ordering::Relaxed);
    }

    /// Resolves once nothing has moved for `limit`.
    async fn stalled(&self, limit: Duration) {
        let tick = (limit / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
        loop {
            tokio::time::sleep(tick).await;
            let last =
                Duration::from_millis(self.last_ms.load(std::sync::atomic::Ordering::Relaxed));
            if self.start.elapsed().saturating_sub(last) >= limit {
                return;
            }
        }
    }
}

/// The reader stopped because the upload did (the request failed or was dropped).
const STOPPED: std::io::ErrorKind = std::io::ErrorKind::BrokenPipe;

/// The reader's hash, or the local file's fault as a one-line error naming it (exit 1).
async fn finish_reader(
    reader: std::thread::JoinHandle<std::io::Result<Sha256>>,
    local: &Path,
) -> anyhow::Result<Sha256> {
    let joined = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || reader.join()),
    )
    .await
    .map_err(|_| anyhow::anyhow!("reading {} did not stop", local.display()))??
    .map_err(|_| anyhow::anyhow!("the upload reader panicked"))?;
    match joined {
        Ok(hasher) => Ok(hasher),
        Err(e) if e.kind() == STOPPED => Err(e.into()),
        Err(e) => Err(CliError::failure(format!("cannot upload {}: {e}", local.display()))
            .with_hint("upload a file nothing is writing to (copy it first if it is still being written)")
            .into()),
    }
}

/// Read a file of `size` bytes in large chunks on a thread of its own, hashing as it goes;
/// the chunks come out of the channel, the hash out of the thread when the whole file was
/// read. A file that shrinks or grows meanwhile is an error (the request announced `size`).
fn spawn_reader(
    mut file: std::fs::File,
    size: u64,
) -> (
    tokio::sync::mpsc::Receiver<Chunk>,
    std::thread::JoinHandle<std::io::Result<Sha256>>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(4);
    let handle = std::thread::spawn(move || {
        use std::io::Read;
        let mut hasher = Sha256::new();
        let mut read = 0u64;
        let fail = |e: std::io::Error| {
            let _ = tx.blocking_send(Err(std::io::Error::new(e.kind(), e.to_string())));
            Err(e)
        };
        loop {
            let mut buf = bytes::BytesMut::zeroed(READ_CHUNK);
            let n = match file.read(&mut buf) {
                Ok(0) if read == size => return Ok(hasher),
                Ok(0) => {
                    return fail(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!("the file shrank during the upload (from {size} to {read} bytes)"),
                    ));
                }
                Ok(n) if read + n as u64 > size => {
                    return fail(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("the file grew during the upload (past {size} bytes)"),
                    ));
                }
                Ok(n) => n,
                Err(e) => return fail(e),
            };
            read += n as u64;
            buf.truncate(n);
            hasher.update(&buf);
            if tx.blocking_send(Ok(buf.freeze())).is_err() {
                return Err(std::io::Error::new(STOPPED, "the upload stopped"));
            }
        }
    });
    (rx, handle)
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
    fn upload_answers_are_judged_by_status_and_body_not_content_type() {
        let root = "http://f/";
        let field = "p/t.1/models/a b(c):d ü.bin";
        // The real server's success: 200, text/html, a JSON list (non-ASCII escaped).
        let ok = r#"["p/t.1/models/a b(c):d \u00fc.bin"]"#;
        assert!(upload_answer(200, true, ok, field, root).is_ok());
        // Stored under a cut name.
        match upload_answer(200, true, r#"["p/t.1/models/a b(c)"]"#, field, root) {
            Err(UploadRefused::Stored(p)) => assert_eq!(p, ["p/t.1/models/a b(c)"]),
            _ => panic!("a cut name must be reported"),
        }
        // The web app's page.
        match upload_answer(200, true, "<!doctype html><html>", field, root) {
            Err(UploadRefused::Error(e)) => assert!(e.to_string().contains("HTML page"), "{e}"),
            _ => panic!("an HTML page is no success"),
        }
        // The real 401 is HTML too: still an auth refusal (exit 4).
        match upload_answer(401, true, "<!doctype html><title>401</title>", field, root) {
            Err(UploadRefused::Error(e)) => assert_eq!(e.exit, clearml_error::Exit::AuthRefused),
            _ => panic!("401 must be an auth error"),
        }
    }

    /// A file server that stores names the way the real one does when it meets a bare `:`
    /// in an RFC 2231 name (it cuts there): it records every request and answers the
    /// upload with the list it stored. Only a mock can reproduce that server bug (serve
    /// deliberately does not copy it).
    async fn cutting_file_server() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut req = Vec::new();
                let mut buf = [0u8; 4096];
                // Read the head, then the body by its Content-Length.
                loop {
                    let n = s.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    req.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&req).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len: usize = text[..end]
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        if req.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let text = String::from_utf8_lossy(&req).to_string();
                log.lock().unwrap().push(text.clone());
                // A quoted name is stored whole; an RFC 2231 one is cut at its first ':'.
                let stored = match text.split("name=\"").nth(1) {
                    Some(rest) => rest.split('"').next().unwrap_or("").to_string(),
                    None => "x/a b(c)".to_string(),
                };
                let body = format!("[{}]", serde_json::to_string(&stored).unwrap());
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                s.write_all(head.as_bytes()).await.unwrap();
                s.write_all(body.as_bytes()).await.unwrap();
            }
        });
        (url, seen)
    }

    #[tokio::test]
    async fn upload_sends_the_raw_name_in_quotes_and_checks_the_stored_path() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("w.bin");
        std::fs::write(&local, b"weights").unwrap();
        let (url, seen) = cutting_file_server().await;
        let http = reqwest::Client::new();
        let path = "p/selftest 16:03:10.abc/models/a b(c):d ü.bin";
        let up = upload(
            &http,
            &url,
            path,
            &local,
            Some("tok"),
            false,
            Duration::from_secs(30),
        )
        .await
        .unwrap();
        assert!(
            up.url.ends_with("a%20b%28c%29%3Ad%20%C3%BC.bin"),
            "{}",
            up.url
        );
        let req = seen.lock().unwrap()[0].clone();
        assert!(
            req.contains(&format!("Content-Disposition: form-data; name=\"{path}\"")),
            "{req}"
        );
        assert!(!req.contains("name*="), "{req}");
        // A path the client cannot send unchanged is refused before anything is sent.
        let err = upload(
            &http,
            &url,
            "p/a\"b.bin",
            &local,
            None,
            false,
            Duration::from_secs(30),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("quote"), "{err}");
        assert_eq!(seen.lock().unwrap().len(), 1);
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

    /// What the test file server saw of one request: its Range and If-Range headers.
    type Seen = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

    /// Serves `body` to any number of requests, honouring `Range: bytes=N-` and, when the
    /// file has an `etag`, `If-Range` (a different validator gets the whole file, 200).
    async fn range_server(body: Vec<u8>, etag: Option<&'static str>) -> (String, Seen) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/p/m.bin", listener.local_addr().unwrap());
        let seen: Seen = Default::default();
        let log = seen.clone();
        tokio::spawn(async move {
            loop {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut req = Vec::new();
                let mut buf = [0u8; 2048];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = s.read(&mut buf).await.unwrap();
                    req.extend_from_slice(&buf[..n]);
                }
                let text = String::from_utf8_lossy(&req).to_string();
                let header = |name: &str| {
                    text.lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
                        })
                        .unwrap_or_default()
                };
                let (range, if_range) = (header("range"), header("if-range"));
                log.lock().unwrap().push((range.clone(), if_range.clone()));
                let mut from: usize = range
                    .trim_start_matches("bytes=")
                    .trim_end_matches('-')
                    .parse()
                    .unwrap_or(0);
                if !if_range.is_empty() && Some(if_range.as_str()) != etag {
                    from = 0;
                }
                let tag = etag.map(|e| format!("ETag: {e}\r\n")).unwrap_or_default();
                let head = if from > 0 {
                    format!(
                        "HTTP/1.1 206 Partial\r\n{tag}Content-Length: {}\r\nContent-Range: bytes {from}-{}/{}\r\nConnection: close\r\n\r\n",
                        body.len() - from,
                        body.len() - 1,
                        body.len()
                    )
                } else {
                    format!(
                        "HTTP/1.1 200 OK\r\n{tag}Content-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                };
                s.write_all(head.as_bytes()).await.unwrap();
                s.write_all(&body[from..]).await.unwrap();
            }
        });
        (url, seen)
    }

    fn pattern(len: u32) -> Vec<u8> {
        (0..len).map(|i| (i % 241) as u8).collect()
    }

    fn verified(body: &[u8]) -> Expect {
        Expect {
            size: Some(body.len() as u64),
            sha256: Some(hex::encode(Sha256::digest(body))),
        }
    }

    /// A plain download with no token and no progress: what every test below needs.
    async fn fetch(url: &str, dest: &Path, expect: &Expect) -> anyhow::Result<Downloaded> {
        download(&reqwest::Client::new(), url, dest, None, expect, false).await
    }

    #[tokio::test]
    async fn a_partial_file_from_an_earlier_run_is_resumed_and_verified() {
        let body = pattern(200_000);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        std::fs::write(partial_path(&dest), &body[..70_000]).unwrap();
        let (url, seen) = range_server(body.clone(), None).await;
        let got = fetch(&url, &dest, &verified(&body)).await.unwrap();
        assert_eq!(seen.lock().unwrap()[0].0, "bytes=70000-");
        assert_eq!(got.resumed_from, 70_000);
        assert_eq!(std::fs::read(&dest).unwrap(), body);
        assert!(!partial_path(&dest).exists());
    }

    #[tokio::test]
    async fn a_stale_part_without_validator_or_sha256_is_not_resumed() {
        let body = pattern(200_000);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        std::fs::write(partial_path(&dest), vec![0u8; 100_000]).unwrap();
        let (url, seen) = range_server(body.clone(), None).await;
        let got = fetch(&url, &dest, &Expect::default()).await.unwrap();
        assert_eq!(*seen.lock().unwrap(), [(String::new(), String::new())]);
        assert_eq!(got.resumed_from, 0);
        assert_eq!(std::fs::read(&dest).unwrap(), body);
    }

    #[tokio::test]
    async fn a_part_of_a_changed_file_is_refetched_whole_through_if_range() {
        let body = pattern(200_000);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        let part = partial_path(&dest);
        std::fs::write(&part, vec![0u8; 100_000]).unwrap();
        std::fs::write(validator_path(&part), "\"old\"").unwrap();
        let (url, seen) = range_server(body.clone(), Some("\"new\"")).await;
        fetch(&url, &dest, &Expect::default()).await.unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            [("bytes=100000-".to_string(), "\"old\"".to_string())]
        );
        assert_eq!(std::fs::read(&dest).unwrap(), body);
        assert!(!validator_path(&part).exists());
    }

    #[tokio::test]
    async fn a_cut_download_keeps_its_validator_and_resumes_with_it() {
        let body = pattern(200_000);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        let part = partial_path(&dest);
        std::fs::write(&part, &body[..50_000]).unwrap();
        std::fs::write(validator_path(&part), "\"v1\"").unwrap();
        let (url, seen) = range_server(body.clone(), Some("\"v1\"")).await;
        let got = fetch(&url, &dest, &Expect::default()).await.unwrap();
        assert_eq!(got.resumed_from, 50_000);
        assert_eq!(seen.lock().unwrap()[0].1, "\"v1\"");
        assert_eq!(std::fs::read(&dest).unwrap(), body);
    }

    #[tokio::test]
    async fn a_resumed_download_with_the_wrong_sha256_starts_over_once() {
        let body = pattern(200_000);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        std::fs::write(partial_path(&dest), vec![0u8; 100_000]).unwrap();
        let (url, seen) = range_server(body.clone(), None).await;
        fetch(&url, &dest, &verified(&body)).await.unwrap();
        let ranges: Vec<String> = seen.lock().unwrap().iter().map(|s| s.0.clone()).collect();
        assert_eq!(ranges, ["bytes=100000-", ""]);
        assert_eq!(std::fs::read(&dest).unwrap(), body);
    }

    #[tokio::test]
    async fn an_empty_file_downloads_and_a_failure_leaves_no_empty_part() {
        let dir = tempfile::tempdir().unwrap();
        let (url, _) = range_server(Vec::new(), None).await;
        let dest = dir.path().join("empty.bin");
        fetch(&url, &dest, &verified(&[])).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"");
        let dest = dir.path().join("no-size.bin");
        fetch(&url, &dest, &Expect::default()).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"");

        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dest = dir.path().join("c.bin");
        let url = format!("http://127.0.0.1:{port}/x.bin");
        fetch(&url, &dest, &Expect::default()).await.unwrap_err();
        assert!(!partial_path(&dest).exists());
        assert!(!dest.exists());
    }

    #[tokio::test]
    async fn a_wrong_size_leaves_nothing_under_the_final_name() {
        let body = vec![7u8; 1000];
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("m.bin");
        let (url, _) = range_server(body, None).await;
        let expect = Expect {
            size: Some(999),
            sha256: None,
        };
        let err = fetch(&url, &dest, &expect).await.unwrap_err();
        assert!(err.to_string().contains("expected 999"), "{err}");
        assert!(!dest.exists());
        assert!(!partial_path(&dest).exists());
    }

    /// A file server that reads the request slowly: `first` bytes, then a signal, then
    /// (once told to go on) the rest, answering 200. Never reads when `first` is 0.
    async fn slow_sink(
        first: usize,
    ) -> (
        String,
        tokio::sync::oneshot::Receiver<()>,
        tokio::sync::oneshot::Sender<()>,
    ) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (read_tx, read_rx) = tokio::sync::oneshot::channel();
        let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            if first == 0 {
                let _ = go_rx.await;
                return;
            }
            let mut buf = vec![0u8; first];
            s.read_exact(&mut buf).await.unwrap();
            let _ = read_tx.send(());
            let _ = go_rx.await;
            let mut buf = [0u8; 65536];
            while s.read(&mut buf).await.is_ok_and(|n| n > 0) {}
            let _ = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .await;
        });
        (url, read_rx, go_tx)
    }

    #[tokio::test]
    async fn a_file_that_shrinks_during_upload_is_named_as_the_cause() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("весы.bin");
        std::fs::write(&local, vec![5u8; 32 << 20]).unwrap();
        let (url, read, go) = slow_sink(65536).await;
        let http = reqwest::Client::new();
        let up = upload(
            &http,
            &url,
            "p/m.bin",
            &local,
            None,
            false,
            Duration::from_secs(20),
        );
        let truncate = async {
            read.await.unwrap();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&local)
                .unwrap()
                .set_len(1 << 20)
                .unwrap();
            go.send(()).unwrap();
        };
        let (result, ()) = tokio::join!(up, truncate);
        let err = result.unwrap_err();
        let line = clearml_error::one_line(&err);
        assert_eq!(crate::exit_of(&err), clearml_error::Exit::Failure, "{line}");
        assert!(
            line.contains("весы.bin") && line.contains("shrank"),
            "{line}"
        );
        assert!(!line.contains("cannot reach"), "{line}");
    }

    #[tokio::test]
    async fn a_stalled_upload_fails_after_the_stall_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("m.bin");
        std::fs::write(&local, vec![5u8; 64 << 20]).unwrap();
        let (url, _read, _go) = slow_sink(0).await;
        let started = std::time::Instant::now();
        let err = upload(
            &reqwest::Client::new(),
            &url,
            "p/m.bin",
            &local,
            None,
            false,
            Duration::from_millis(800),
        )
        .await
        .unwrap_err();
        let line = clearml_error::one_line(&err);
        assert!(started.elapsed() < Duration::from_secs(10), "{line}");
        assert_eq!(
            crate::exit_of(&err),
            clearml_error::Exit::Unreachable,
            "{line}"
        );
        assert!(line.contains("stalled"), "{line}");
    }
}
