//! Uploads: a multipart body streamed from disk while hashing, and the file server's answer judged.

use super::*;

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
        .map_err(|e| ClientError::not_found(format!("cannot read {}: {e}", local.display())))?;
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
            return Err(ClientError::unreachable(format!(
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
            // (finish_reader's ClientError is the file's fault; anything else is the stop
            // this very error caused.)
            match finish_reader(reader, local).await {
                Err(local_fault) if local_fault.is::<ClientError>() => return Err(local_fault),
                _ => return Err(crate::into_anyhow(classify_transport(&root, &e))),
            }
        }
    };
    bar.finish_and_clear();
    judge_answer(http, files_host, bearer, resp, &field, &root).await?;
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

/// The file server's answer to the upload of `field`: success, or the error (a copy
/// stored under another name is removed first).
async fn judge_answer(
    http: &reqwest::Client,
    files_host: &str,
    bearer: Option<&str>,
    resp: reqwest::Response,
    field: &str,
    root: &str,
) -> anyhow::Result<()> {
    let status = resp.status();
    let html = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let text = resp.text().await.unwrap_or_default();
    // Decide by status first: the real file server labels every answer (its JSON list of
    // stored paths, its 401 page) as text/html.
    match upload_answer(status.as_u16(), html, &text, field, root) {
        Ok(()) => Ok(()),
        Err(UploadRefused::Stored(paths)) => {
            // Stored, but under another name: remove what the server made of it.
            for p in &paths {
                let _ = delete(http, files_host, p, bearer).await;
            }
            Err(ClientError::failed(format!(
                "the file server stored the upload as {paths:?}, not as {field:?}; removed it"
            ))
            .with_hint("the file server does not keep this path; rename the file or project (no quotes, colons or parentheses) and try again")
            .into())
        }
        Err(UploadRefused::Error(e)) => Err(e.into()),
    }
}

/// Why an upload answer is not a success.
pub(super) enum UploadRefused {
    /// A 200 whose list of stored paths does not hold the path sent.
    Stored(Vec<String>),
    Error(ClientError),
}

/// Judge the file server's answer to an upload of `field`: a 2xx whose body parses as the
/// list of stored paths and holds `field` is a success; anything else names what came back.
pub(super) fn upload_answer(
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
            Ok(_) => Err(UploadRefused::Error(ClientError::failed(format!(
                "{root}: the file server stored nothing (it answered an empty list)"
            )))),
            Err(_) if html => Err(UploadRefused::Error(
                ClientError::failed(format!(
                    "{root}: the files host answered the upload with an HTML page, not the file server's list of stored paths"
                ))
                .with_hint("is files_server the web app? it must point at the file server (port 8081)"),
            )),
            Err(_) => Err(UploadRefused::Error(ClientError::failed(format!(
                "{root}: unexpected answer to the upload (HTTP {status}): {}",
                snippet()
            )))),
        },
        401 | 403 => Err(UploadRefused::Error(
            ClientError::auth(format!(
                "the file server refused the upload (HTTP {status}{})",
                if html && body.contains('<') {
                    String::new()
                } else {
                    format!(": {}", snippet())
                }
            ))
            .with_hint("check the credentials in clearml.conf (clearml config check)"),
        )),
        _ => Err(UploadRefused::Error(ClientError::failed(format!(
            "upload to {root} failed (HTTP {status}): {}",
            snippet()
        )))),
    }
}

/// A multipart field name holds the object path inside quotes: a quote or a line break
/// cannot be sent there unchanged, so such a path is refused before anything is sent.
fn check_field_name(field: &str) -> Result<(), ClientError> {
    if field.chars().any(|c| c == '"' || c.is_control()) {
        return Err(ClientError::bad_input(format!(
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
        s => Err(ClientError::failed(format!("cannot delete {url}: HTTP {s}")).into()),
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
        Err(e) => Err(ClientError::failed(format!("cannot upload {}: {e}", local.display()))
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
