use super::upload::{UploadRefused, upload_answer};
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
        Err(UploadRefused::Error(e)) => assert_eq!(e.kind, crate::Kind::AuthRefused),
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
    assert_eq!(crate::kind_of(&err), Some(crate::Kind::Failed), "{line}");
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
        crate::kind_of(&err),
        Some(crate::Kind::Unreachable),
        "{line}"
    );
    assert!(line.contains("stalled"), "{line}");
}
