//! The file server port: multipart `POST /` (field name = object path), `GET /<path>` with
//! `Range`, `DELETE /<path>`, `POST /delete_many`, `GET /` = "OK". Bearer token (or the
//! `clearml_token_basic` cookie) required, as on the real file server.
//! Uploads stream to a temp file that is renamed into place once complete, so a file is
//! never visible half-written and memory use does not grow with the file size.

use super::AppState;
use super::auth::{AuthHeader, parse_authorization};
use axum::Router;
use axum::body::Body;
use axum::extract::{Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state)
}

/// The real file server labels everything it generates (JSON answers, plain-text errors,
/// error pages) `text/html; charset=utf-8`; clients must decide by status and body, so we
/// answer the same way and a client that trusts the content type fails against `serve` too.
const HTML: &str = "text/html; charset=utf-8";

fn plain(code: StatusCode, msg: impl Into<String>) -> Response {
    (
        code,
        [(header::SERVER, "clearml"), (header::CONTENT_TYPE, HTML)],
        msg.into(),
    )
        .into_response()
}

/// A JSON answer, labelled as HTML like the real file server's.
fn json_answer(v: &Value) -> Response {
    plain(StatusCode::OK, v.to_string())
}

/// A generic HTML error page (401, 404, 405, 416...), the shape of the real server's.
fn error_page(code: StatusCode) -> Response {
    let title = format!(
        "{} {}",
        code.as_u16(),
        code.canonical_reason().unwrap_or("Error")
    );
    plain(
        code,
        format!("<!doctype html>\n<html lang=en>\n<title>{title}</title>\n<h1>{title}</h1>\n"),
    )
}

/// Why a request may not use the file server, or None when its token is good. A missing
/// token gets the generic 401 page; a bad one gets the reason as the whole body.
fn refusal(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let token = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) => match parse_authorization(v) {
            Ok(AuthHeader::Bearer(t)) if !t.trim().is_empty() => t,
            Ok(AuthHeader::Bearer(_)) => return Some(error_page(StatusCode::UNAUTHORIZED)),
            Ok(AuthHeader::Basic { .. }) => {
                return Some(plain(
                    StatusCode::UNAUTHORIZED,
                    "Only bearer token authorization is supported",
                ));
            }
            Err(_) => return Some(error_page(StatusCode::UNAUTHORIZED)),
        },
        None => {
            let cookie = headers
                .get(header::COOKIE)
                .and_then(|v| v.to_str().ok())
                .and_then(|cookies| {
                    cookies.split(';').find_map(|c| {
                        c.trim()
                            .strip_prefix("clearml_token_basic=")
                            .map(str::to_string)
                    })
                });
            match cookie {
                Some(t) => t,
                None => return Some(error_page(StatusCode::UNAUTHORIZED)),
            }
        }
    };
    let reason = match state.verify_token(&token) {
        Ok(_) => return None,
        Err(_) if token.split('.').count() != 3 => "Not enough segments",
        Err(e) if e.msg.contains("signature") => "Signature verification failed",
        Err(e) => return Some(plain(StatusCode::UNAUTHORIZED, e.msg)),
    };
    Some(plain(StatusCode::UNAUTHORIZED, reason))
}

/// Map an object path (URL path or form field name) to a file under the files dir,
/// refusing anything that would escape it.
pub fn resolve(root: &Path, object: &str) -> Option<PathBuf> {
    let rel = object.trim_start_matches('/');
    if rel.is_empty() {
        return None;
    }
    let rel = Path::new(rel);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(root.join(rel))
}

pub fn decoded_path(req_path: &str) -> String {
    percent_encoding::percent_decode_str(req_path)
        .decode_utf8_lossy()
        .into_owned()
}

async fn handle(State(state): State<Arc<AppState>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = decoded_path(req.uri().path());
    let started = std::time::Instant::now();
    let mut resp = route(state, req, &method, &path).await;
    // On every answer (files, and the answers and error pages that quote a name).
    super::browser::stored_file_headers(resp.headers_mut());
    tracing::info!(
        "files {method} {path} {} {:.1}ms",
        resp.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    resp
}

async fn route(state: Arc<AppState>, req: Request, method: &Method, path: &str) -> Response {
    if method == Method::OPTIONS {
        let mut resp = plain(StatusCode::OK, "");
        resp.headers_mut().insert(
            header::ALLOW,
            HeaderValue::from_static("GET, POST, OPTIONS, HEAD"),
        );
        return resp;
    }
    let has_credentials = req.headers().contains_key(header::AUTHORIZATION)
        || req.headers().contains_key(header::COOKIE);
    // The health check needs no token, but a token that is sent is checked.
    if path == "/" && (method == Method::GET || method == Method::HEAD) && !has_credentials {
        return plain(StatusCode::OK, "OK");
    }
    let refused = refusal(&state, req.headers()).or_else(|| {
        // The cookie uploads and deletes only for this server's own pages.
        let headers = req.headers();
        let why = super::browser::cookie_authenticated(headers)
            .then(|| super::browser::cookie_refusal(&state, headers, method, true))??;
        tracing::warn!("files: session cookie refused: {why}");
        Some(plain(StatusCode::UNAUTHORIZED, why))
    });
    if let Some(refused) = refused {
        // Read (and drop) a modest body first so the client sees the 401 instead of a
        // connection reset in the middle of its upload.
        drain(req.into_body(), 64 * 1024 * 1024).await;
        return refused;
    }
    if path == "/" && (method == Method::GET || method == Method::HEAD) {
        return plain(StatusCode::OK, "OK");
    }
    if let Some(enc) = req.headers().get(header::CONTENT_ENCODING) {
        let enc = enc.to_str().unwrap_or("?").to_string();
        return plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content encoding is not supported ({enc})"),
        );
    }
    let root = state.files_dir.clone();
    match (method.clone(), path) {
        (Method::POST, "/delete_many") => delete_many(&root, req).await,
        (Method::POST, _) => upload(&root, req).await,
        (Method::GET | Method::HEAD, _) => {
            download(&root, path, req.headers(), method == Method::HEAD).await
        }
        (Method::DELETE, _) => {
            let rel = path.trim_start_matches('/');
            match resolve(&root, path) {
                Some(p) if p.is_file() => match tokio::fs::remove_file(&p).await {
                    Ok(()) => json_answer(&json!(rel)),
                    Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
                },
                _ => plain(StatusCode::NOT_FOUND, format!("File {rel} not found")),
            }
        }
        _ => {
            let mut resp = error_page(StatusCode::METHOD_NOT_ALLOWED);
            resp.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_static("GET, POST, DELETE, OPTIONS, HEAD"),
            );
            resp
        }
    }
}

/// Read (and drop) at most `limit` bytes of a body nobody will use.
pub async fn drain(body: Body, limit: usize) {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut seen = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len();
        if seen > limit {
            break;
        }
    }
}

async fn upload(root: &Path, req: Request) -> Response {
    use axum::extract::FromRequest;
    // A POST to /some/prefix/ puts the parts under that prefix, as the real server does.
    let prefix = decoded_path(req.uri().path()).trim_matches('/').to_string();
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        // No form at all: nothing stored, as the real server answers.
        drain(req.into_body(), 64 * 1024 * 1024).await;
        return json_answer(&json!([]));
    }
    let mut multipart = match Multipart::from_request(req, &()).await {
        Ok(m) => m,
        Err(e) => {
            return plain(
                StatusCode::BAD_REQUEST,
                format!("expected multipart/form-data ({e})"),
            );
        }
    };
    let mut saved = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return plain(StatusCode::BAD_REQUEST, format!("bad multipart body ({e})")),
        };
        if field.file_name().is_none() {
            // A plain form field, not a file: the real server ignores it.
            continue;
        }
        let name = match field.name().filter(|n| !n.is_empty()) {
            Some(n) => n.to_string(),
            None => match extended_name(field.headers()) {
                Some(n) => n,
                None => continue,
            },
        };
        let object = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{}", name.trim_start_matches('/'))
        };
        let Some(target) = resolve(root, &object) else {
            return error_page(StatusCode::NOT_FOUND);
        };
        if let Some(dir) = target.parent()
            && let Err(e) = tokio::fs::create_dir_all(dir).await
        {
            // A file where a directory of the path should be is the client's mistake.
            let code =
                if dir.is_file() || dir.ancestors().any(|a| a.starts_with(root) && a.is_file()) {
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::INTERNAL_SERVER_ERROR
                };
            let msg = if code == StatusCode::BAD_REQUEST {
                format!("cannot store {object}: a part of its path is a file, not a folder")
            } else {
                format!("cannot store {object} ({e})")
            };
            return plain(code, msg);
        }
        // Written next to the files dir, not beside the target: the name is short whatever
        // the target's length, never visible as an object, and what a killed upload leaves
        // is cleaned at the next start (`clean_upload_leftovers`).
        let tmp = upload_tmp_dir(root).join(uuid::Uuid::new_v4().simple().to_string());
        let result: Result<(), String> = async {
            // (Made at start; made again should someone have removed it since.)
            tokio::fs::create_dir_all(upload_tmp_dir(root))
                .await
                .map_err(|e| e.to_string())?;
            let mut file = tokio::fs::File::create(&tmp)
                .await
                .map_err(|e| e.to_string())?;
            while let Some(chunk) = field.chunk().await.map_err(|e| e.to_string())? {
                file.write_all(&chunk).await.map_err(|e| e.to_string())?;
            }
            file.flush().await.map_err(|e| e.to_string())?;
            drop(file);
            tokio::fs::rename(&tmp, &target)
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        if let Err(e) = result {
            let _ = tokio::fs::remove_file(&tmp).await;
            return plain(
                StatusCode::BAD_REQUEST,
                format!("upload of {object} failed ({e})"),
            );
        }
        saved.push(Value::String(object.trim_start_matches('/').to_string()));
    }
    json_answer(&Value::Array(saved))
}

/// The field name of a part sent RFC 2231 style (`name*=utf-8''<percent-encoded>`), decoded
/// (the real server stores it decoded; axum only reads the plain `name=` form).
fn extended_name(headers: &HeaderMap) -> Option<String> {
    let cd = headers.get(header::CONTENT_DISPOSITION)?.to_str().ok()?;
    let value = cd
        .split(';')
        .find_map(|p| p.trim().strip_prefix("name*="))?;
    let (charset, rest) = value.trim().trim_matches('"').split_once('\'')?;
    let (_lang, encoded) = rest.split_once('\'')?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

async fn delete_many(root: &Path, req: Request) -> Response {
    let bytes = match axum::body::to_bytes(req.into_body(), 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => return plain(StatusCode::BAD_REQUEST, "body too large"),
    };
    let Ok(body) = serde_json::from_slice::<Value>(&bytes) else {
        return error_page(StatusCode::BAD_REQUEST);
    };
    let mut deleted = serde_json::Map::new();
    let mut missing = Vec::new();
    for f in body
        .get("files")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = f.as_str() else { continue };
        match resolve(root, name) {
            Some(p) if p.is_file() && tokio::fs::remove_file(&p).await.is_ok() => {
                deleted.insert(name.into(), json!(name));
            }
            _ => missing.push(json!(name)),
        }
    }
    let mut errors = serde_json::Map::new();
    if !missing.is_empty() {
        errors.insert("Not found".into(), Value::Array(missing));
    }
    json_answer(&json!({"deleted": deleted, "errors": errors}))
}

/// Where uploads are written until complete: a sibling of the files dir (same file
/// system, so the final rename is atomic).
pub fn upload_tmp_dir(files_dir: &Path) -> PathBuf {
    files_dir.with_file_name("uploads.tmp")
}

/// At start, before serving: remove what uploads cut short by a kill left behind — the
/// temp dir's contents, and `.<name>.upload-<32 hex>` files that earlier versions wrote
/// beside their targets. Returns how many were removed.
pub fn clean_upload_leftovers(files_dir: &Path) -> std::io::Result<usize> {
    let tmp = upload_tmp_dir(files_dir);
    let mut removed = 0;
    if tmp.is_dir() {
        for entry in std::fs::read_dir(&tmp)? {
            let path = entry?.path();
            let gone = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            removed += gone.is_ok() as usize;
        }
    }
    std::fs::create_dir_all(&tmp)?;
    let mut dirs = vec![files_dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if kind.is_file()
                && entry.file_name().to_str().is_some_and(is_old_upload_temp)
                && std::fs::remove_file(entry.path()).is_ok()
            {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// `.<name>.upload-<32 lower-case hex>`: the temp names of earlier versions.
fn is_old_upload_temp(name: &str) -> bool {
    let Some((head, id)) = name.rsplit_once(".upload-") else {
        return false;
    };
    head.starts_with('.')
        && head.len() > 1
        && id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Parse `bytes=a-b`, `bytes=a-`, `bytes=-n` against a length.
fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (len.saturating_sub(n), len.checked_sub(1)?)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            len.checked_sub(1)?
        } else {
            b.parse::<u64>().ok()?.min(len.checked_sub(1)?)
        };
        (start, end)
    };
    (start <= end && start < len).then_some((start, end))
}

async fn download(root: &Path, path: &str, headers: &HeaderMap, head_only: bool) -> Response {
    let Some(p) = resolve(root, path) else {
        return error_page(StatusCode::NOT_FOUND);
    };
    let mut file = match tokio::fs::File::open(&p).await {
        Ok(f) => f,
        Err(_) => return error_page(StatusCode::NOT_FOUND),
    };
    let meta = match file.metadata().await {
        Ok(m) if m.is_file() => m,
        _ => return error_page(StatusCode::NOT_FOUND),
    };
    let len = meta.len();
    let etag = etag_of(&meta);
    let mime = mime_of(&p);
    let modified = meta
        .modified()
        .ok()
        .map(chrono::DateTime::<chrono::Utc>::from);
    let last_modified = modified.map(|m| m.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    if not_modified(headers, &etag, modified) {
        let mut resp = Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, &etag)
            .header(header::SERVER, "clearml");
        if let Some(lm) = &last_modified {
            resp = resp.header(header::LAST_MODIFIED, lm);
        }
        return resp
            .body(Body::empty())
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, ""));
    }
    // A Range with an If-Range that no longer matches gets the whole (new) file, so a client
    // resuming an old partial download never splices two versions together.
    let if_range_matches = headers
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v == etag);
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| if_range_matches);
    let (status, start, end) = match range {
        Some(r) => match parse_range(r, len) {
            Some((s, e)) => (StatusCode::PARTIAL_CONTENT, s, e),
            None => {
                let mut resp = error_page(StatusCode::RANGE_NOT_SATISFIABLE);
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                    resp.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return resp;
            }
        },
        None => (StatusCode::OK, 0, len.saturating_sub(1)),
    };
    let count = if len == 0 { 0 } else { end - start + 1 };
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, mime)
        .header(header::CONTENT_LENGTH, count)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ETAG, &etag)
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .header(header::SERVER, "clearml");
    if let Some(lm) = &last_modified {
        builder = builder.header(header::LAST_MODIFIED, lm);
    }
    if status == StatusCode::PARTIAL_CONTENT {
        builder = builder.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"));
    }
    if let Some(name) = p.file_name().and_then(|n| n.to_str())
        && let Ok(v) =
            HeaderValue::from_str(&format!("inline; filename=\"{}\"", name.replace('"', "")))
    {
        builder = builder.header(header::CONTENT_DISPOSITION, v);
    }
    if head_only {
        return builder
            .body(Body::empty())
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, ""));
    }
    if start > 0 && file.seek(std::io::SeekFrom::Start(start)).await.is_err() {
        return plain(StatusCode::INTERNAL_SERVER_ERROR, "seek failed");
    }
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(count), 64 * 1024);
    builder
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, ""))
}

/// A conditional GET whose validator still matches: `If-None-Match` holding our ETag, or
/// (without one) `If-Modified-Since` not older than the file.
fn not_modified(
    headers: &HeaderMap,
    etag: &str,
    modified: Option<chrono::DateTime<chrono::Utc>>,
) -> bool {
    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        return inm.split(',').any(|t| {
            let t = t.trim().trim_start_matches("W/");
            t == "*" || t == etag
        });
    }
    let since = headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| chrono::DateTime::parse_from_rfc2822(v).ok());
    match (since, modified) {
        (Some(since), Some(m)) => m.timestamp() <= since.timestamp(),
        _ => false,
    }
}

/// A strong validator: uploads replace a file by rename, so a new version has a new inode
/// and modification time even when its size is the same.
fn etag_of(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!(
        "\"{:x}-{:x}.{:x}-{:x}\"",
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ino()
    )
}

fn mime_of(p: &Path) -> &'static str {
    match p
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
        .as_str()
    {
        "json" => "application/json",
        "txt" | "log" => "text/plain; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "csv" => "text/csv; charset=utf-8",
        "zip" => "application/zip",
        // `.gz` included: the real server never labels a download as compressed data.
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=95-200", 100), Some((95, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
    }

    #[test]
    fn leftovers_of_killed_uploads_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let files = dir.path().join("files");
        std::fs::create_dir_all(files.join("p/q")).unwrap();
        let old = files.join("p/q/.model.bin.upload-0123456789abcdef0123456789abcdef");
        let keep = [
            files.join("p/q/model.bin"),
            files.join("p/.x.upload-notanid"),
            files.join("p/.upload-0123456789abcdef0123456789abcdef"),
        ];
        for f in keep.iter().chain([&old]) {
            std::fs::write(f, b"x").unwrap();
        }
        std::fs::create_dir_all(upload_tmp_dir(&files)).unwrap();
        std::fs::write(upload_tmp_dir(&files).join("abc"), b"x").unwrap();
        assert_eq!(clean_upload_leftovers(&files).unwrap(), 2);
        assert!(!old.exists());
        assert!(keep.iter().all(|k| k.exists()));
        assert!(upload_tmp_dir(&files).is_dir());
        assert_eq!(
            std::fs::read_dir(upload_tmp_dir(&files)).unwrap().count(),
            0
        );
    }

    #[test]
    fn paths_cannot_escape() {
        let root = Path::new("/data/files");
        assert_eq!(
            resolve(root, "/a b/c.pt"),
            Some(PathBuf::from("/data/files/a b/c.pt"))
        );
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/"), None);
    }
}
