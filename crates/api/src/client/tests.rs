use super::*;

/// An envelope in the shape clearml-server 2.0 answers with.
fn envelope(code: u16, sub: u32, msg: &str, data: &str) -> Vec<u8> {
    format!(
        r#"{{"meta":{{"id":"x","trx":"x","endpoint":{{"name":"e","requested_version":"2.31","actual_version":"1.0"}},"result_code":{code},"result_subcode":{sub},"result_msg":"{msg}","error_stack":null,"error_data":{{}}}},"data":{data}}}"#
    )
    .into_bytes()
}

#[test]
fn envelopes_of_the_real_server_decode() {
    let data = decode_envelope(
        "http://h",
        "debug.ping",
        200,
        &envelope(200, 0, "OK", r#"{"msg":"ClearML server"}"#),
    )
    .unwrap();
    assert_eq!(data["msg"], "ClearML server");
    let err = decode_envelope(
        "http://h",
        "tasks.get_by_id",
        400,
        &envelope(400, 101, "Invalid task id: ids=(nonexistent)", "{}"),
    )
    .unwrap_err();
    assert_eq!(err.codes(), Some((400, 101)));
    assert!(err.is_not_found());
    assert_eq!(
        err.to_string(),
        "tasks.get_by_id failed (400/101): Invalid task id: ids=(nonexistent)"
    );
    let err = decode_envelope(
        "http://h",
        "auth.login",
        401,
        &envelope(401, 22, "Unauthorized (invalid credentials)", "{}"),
    )
    .unwrap_err();
    assert_eq!(err.kind(), crate::Kind::AuthRefused);
}

#[test]
fn html_is_not_the_api() {
    let err =
        decode_envelope("http://h:8080", "debug.ping", 200, b"<!doctype html><html>").unwrap_err();
    assert_eq!(
        err.to_string(),
        "http://h:8080 answers like the web server, not the API (HTTP 200)"
    );
}

#[test]
fn version_is_the_lower_one() {
    assert_eq!(min_version("2.23", "2.31"), "2.23");
    assert_eq!(min_version("2.31", "2.31"), "2.31");
    assert_eq!(min_version("3.1", "2.31"), "2.31");
    assert_eq!(min_version("2.9", "2.31"), "2.9");
    assert_eq!(min_version("", "2.31"), "2.31");
}

/// Reads one whole HTTP request (head and Content-Length body) from a mock's connection:
/// the bytes, where the body starts and how long it is.
async fn read_request(s: &mut tokio::net::TcpStream) -> (Vec<u8>, usize, usize) {
    use tokio::io::AsyncReadExt;
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).await.unwrap();
        req.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&req).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let len: usize = text
                .lines()
                .find_map(|l| {
                    l.to_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if req.len() >= end + 4 + len {
                return (req, end + 4, len);
            }
        }
    }
}

/// A mock API for faults the real server cannot be made to produce on demand (503,
/// expired token): answers each request from `script` in turn, recording the paths.
async fn mock(
    script: Vec<(u16, String)>,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for (status, body) in script {
            let (mut s, _) = listener.accept().await.unwrap();
            let (req, _, _) = read_request(&mut s).await;
            let text = String::from_utf8_lossy(&req).to_string();
            let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
            log.lock().unwrap().push(path);
            match status {
                // RESET: the connection is reset instead of an answer.
                RESET => {
                    // Linger 0 resets at once instead of blocking the drop.
                    #[allow(deprecated)]
                    s.set_linger(Some(Duration::ZERO)).unwrap();
                    drop(s);
                    continue;
                }
                // STALL: the request is read, no answer ever comes.
                STALL => {
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        drop(s);
                    });
                    continue;
                }
                _ => {}
            }
            // TRUNCATED: a 200 whose body stops short of its Content-Length.
            let (status, missing) = if status == TRUNCATED {
                (200, 100)
            } else {
                (status, 0)
            };
            let resp = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len() + missing
            );
            s.write_all(resp.as_bytes()).await.unwrap();
        }
    });
    (url, seen)
}

fn jwt(exp: i64) -> String {
    use base64::Engine;
    let claims = format!(
        r#"{{"identity":{{"user":"u","company":"c"}},"iat":1,"exp":{exp},"api_version":"2.23"}}"#
    );
    format!(
        "h.{}.s",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims)
    )
}

fn text(code: u16, sub: u32, data: &str) -> String {
    String::from_utf8(envelope(code, sub, "m", data)).unwrap()
}

fn keys() -> Auth {
    Auth::Keys {
        access: "k".into(),
        secret: "s".into(),
    }
}

#[tokio::test]
async fn retries_503_then_succeeds_with_the_servers_version() {
    let far = chrono::Utc::now().timestamp() + 86400;
    let login = text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far)));
    let (url, seen) = mock(vec![
        (200, login),
        (503, "busy".into()),
        (200, text(200, 0, r#"{"tasks":[]}"#)),
    ])
    .await;
    let client = Client::new(&url, keys(), &Options::default()).unwrap();
    let data = client.call("tasks.get_all", &json!({})).await.unwrap();
    assert_eq!(data["tasks"], json!([]));
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "/auth.login",
            "/v2.23/tasks.get_all",
            "/v2.23/tasks.get_all"
        ]
    );
}

const TRUNCATED: u16 = 0;
const RESET: u16 = 1;
const STALL: u16 = 2;

fn login_script() -> (u16, String) {
    let far = chrono::Utc::now().timestamp() + 86400;
    (200, text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far))))
}

#[tokio::test]
async fn a_500_is_asked_again_for_reads_but_a_502_not_for_writes() {
    let html = "<html>500 Internal Server Error</html>".to_string();
    let (url, seen) = mock(vec![
        login_script(),
        (500, html.clone()),
        (500, text(500, 0, "{}")),
        (200, text(200, 0, r#"{"tasks":[2]}"#)),
        (502, html),
        (200, text(200, 0, r#"{"id":"must not be asked for"}"#)),
    ])
    .await;
    let client = Client::new(&url, keys(), &Options::default()).unwrap();
    let data = client.call("tasks.get_all", &json!({})).await.unwrap();
    assert_eq!(data["tasks"], json!([2]));
    assert_eq!(seen.lock().unwrap().len(), 4);
    let err = client
        .call_typed_err("tasks.create", &json!({"name": "x"}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Unavailable { status: 502, .. }),
        "{err:?}"
    );
    assert_eq!(seen.lock().unwrap().len(), 5, "a write was sent twice");
}

#[tokio::test]
async fn a_reset_is_asked_again_for_reads_only() {
    let (url, seen) = mock(vec![
        login_script(),
        (RESET, String::new()),
        (200, text(200, 0, r#"{"tasks":[3]}"#)),
        (RESET, String::new()),
        (200, text(200, 0, r#"{"id":"must not be asked for"}"#)),
    ])
    .await;
    let client = Client::new(&url, keys(), &Options::default()).unwrap();
    let data = client.call("tasks.get_all", &json!({})).await.unwrap();
    assert_eq!(data["tasks"], json!([3]));
    let err = client
        .call_typed_err("tasks.create", &json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), crate::Kind::Unreachable, "{err:?}");
    assert_eq!(seen.lock().unwrap().len(), 4, "a write was sent twice");
}

#[tokio::test]
async fn a_stalled_answer_times_out_after_the_request_timeout_once() {
    let (url, seen) = mock(vec![login_script(), (STALL, String::new())]).await;
    let opts = Options::with_timeout(Duration::from_millis(700));
    let client = Client::new(&url, keys(), &opts).unwrap();
    let started = Instant::now();
    let err = client
        .call_typed_err("tasks.get_all", &json!({}))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            err,
            ApiError::Unreachable {
                kind: super::super::error::NetKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(seen.lock().unwrap().len(), 2, "a timeout was repeated");
    assert!(Options::default().request_timeout <= Duration::from_secs(30));
}

#[tokio::test]
async fn a_password_in_the_api_url_is_not_in_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://user:Pa55w0rd-Geheim@127.0.0.1:{port}");
    let client = Client::new(&url, keys(), &Options::default()).unwrap();
    let err = client.call("tasks.get_all", &json!({})).await.unwrap_err();
    let line = clearml_error::one_line(&err);
    assert!(!format!("{err:?}{line}").contains("Geheim"), "{line}");
    assert!(line.contains("user:***@127.0.0.1"), "{line}");
}

#[tokio::test]
async fn a_lasting_503_is_unavailable_and_a_cut_body_is_asked_again() {
    let far = chrono::Utc::now().timestamp() + 86400;
    let login = text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far)));
    let html = "<html><body>502 Bad Gateway</body></html>".to_string();
    let mut script = vec![(200, login)];
    script.extend(std::iter::repeat_n((502, html), 4));
    script.push((TRUNCATED, text(200, 0, r#"{"tasks":[]}"#)));
    script.push((200, text(200, 0, r#"{"tasks":[1]}"#)));
    let (url, seen) = mock(script).await;
    let opts = Options {
        retries: 3,
        ..Options::default()
    };
    let client = Client::new(&url, keys(), &opts).unwrap();
    let err = client
        .call_typed_err("tasks.get_all", &json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ApiError::Unavailable { status: 502, .. }),
        "{err:?}"
    );
    let line = err.clone().reported().to_string();
    assert!(
        line.contains("unavailable (HTTP 502 Bad Gateway)"),
        "{line}"
    );
    assert!(!line.contains("web server"), "{line}");
    assert_eq!(err.kind(), crate::Kind::Unreachable);
    let data = client.call("tasks.get_all", &json!({})).await.unwrap();
    assert_eq!(data["tasks"], json!([1]));
    assert_eq!(seen.lock().unwrap().len(), 7);
}

#[test]
fn malformed_api_hosts_are_usage_errors() {
    for bad in ["ftp://x", "not a url", "localhost:8008"] {
        let err = Client::new(bad, Auth::Anonymous, &Options::default())
            .err()
            .unwrap_or_else(|| panic!("{bad} accepted"));
        assert_eq!(crate::kind_of(&err), Some(crate::Kind::BadInput), "{bad}");
    }
    assert!(
        Client::new(
            "https://api.example.com",
            Auth::Anonymous,
            &Options::default()
        )
        .is_ok()
    );
}

#[tokio::test]
async fn a_401_refreshes_the_token_once() {
    let far = chrono::Utc::now().timestamp() + 86400;
    let login = text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far)));
    let (url, seen) = mock(vec![
        (200, login.clone()),
        (401, text(401, 30, "{}")),
        (200, login),
        (200, text(200, 0, r#"{"ok":1}"#)),
    ])
    .await;
    let client = Client::new(&url, keys(), &Options::default()).unwrap();
    assert_eq!(client.call("x.y", &json!({})).await.unwrap()["ok"], 1);
    assert_eq!(
        *seen.lock().unwrap(),
        ["/auth.login", "/v2.23/x.y", "/auth.login", "/v2.23/x.y"]
    );
}

#[tokio::test]
async fn a_token_near_expiry_is_renewed_before_the_call() {
    let soon = chrono::Utc::now().timestamp() + 60;
    let far = chrono::Utc::now().timestamp() + 86400;
    let (url, seen) = mock(vec![
        (
            200,
            text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(soon))),
        ),
        (200, text(200, 0, &format!(r#"{{"token":"{}"}}"#, jwt(far)))),
        (200, text(200, 0, "{}")),
    ])
    .await;
    let client = Client::new(&url, keys(), &Options::default()).unwrap();
    client.login().await.unwrap();
    *client.token.lock().await = Some(Token::from_jwt(&jwt(soon), "t").unwrap());
    client.call("x.y", &json!({})).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen, ["/auth.login", "/auth.login", "/v2.23/x.y"]);
}

/// A paging API with `total` items: answers `x.get_all` from the page/page_size in
/// the body, concurrently, recording which pages were asked for.
/// A paging server holding each page answer `hold` long; `busy` records the most page
/// requests it had open at once.
async fn pager_server(
    total: usize,
    hold: Duration,
    busy: std::sync::Arc<(
        std::sync::atomic::AtomicUsize,
        std::sync::atomic::AtomicUsize,
    )>,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<(u64, u64)>>>) {
    use std::sync::atomic::Ordering::SeqCst;
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let far = chrono::Utc::now().timestamp() + 86400;
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            let log = log.clone();
            let busy = busy.clone();
            tokio::spawn(async move {
                let (req, head_end, len) = read_request(&mut s).await;
                let text = String::from_utf8_lossy(&req).to_string();
                let body: Value =
                    serde_json::from_slice(&req[head_end..head_end + len]).unwrap_or(json!({}));
                let data = if text.starts_with("POST /auth.login") {
                    json!({"token": jwt(far)})
                } else {
                    let (page, size) = (
                        body["page"].as_u64().unwrap(),
                        body["page_size"].as_u64().unwrap(),
                    );
                    log.lock().unwrap().push((page, size));
                    let now = busy.0.fetch_add(1, SeqCst) + 1;
                    busy.1.fetch_max(now, SeqCst);
                    tokio::time::sleep(hold).await;
                    busy.0.fetch_sub(1, SeqCst);
                    let from = (page * size) as usize;
                    let items: Vec<usize> = (from..(from + size as usize).min(total)).collect();
                    json!({"items": items})
                };
                let body = text_of(&data);
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                // The client drops requests for pages past the end: no one may read.
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

fn text_of(data: &Value) -> String {
    String::from_utf8(envelope(200, 0, "OK", &data.to_string())).unwrap()
}

#[tokio::test]
async fn pager_returns_every_item_in_order_and_honours_limits() {
    let busy = Default::default();
    let (url, seen) = pager_server(2345, Duration::ZERO, busy).await;
    let client = Client::new(&url, keys(), &Options::default()).unwrap();
    let all = client
        .get_all("x.get_all", &json!({}), "items", None)
        .await
        .unwrap();
    let nums: Vec<u64> = all.iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(nums, (0..2345).collect::<Vec<u64>>());
    // Every page once; past the short page 4, only the requests already in flight.
    let mut pages = seen.lock().unwrap().clone();
    pages.sort();
    let past_end = pages.iter().filter(|(p, _)| *p >= 5).count();
    assert!(past_end < PAGES_IN_FLIGHT, "{pages:?}");
    assert_eq!(
        pages[..5],
        (0..5).map(|p| (p, 500)).collect::<Vec<_>>()[..],
        "{pages:?}"
    );
    pages.dedup();
    assert_eq!(pages.len(), 5 + past_end, "a page was requested twice");

    seen.lock().unwrap().clear();
    let some = client
        .get_all("x.get_all", &json!({}), "items", Some(700))
        .await
        .unwrap();
    assert_eq!(some.len(), 700);
    assert_eq!(some[699], 699);
    let mut pages = seen.lock().unwrap().clone();
    pages.sort();
    assert_eq!(pages, [(0, 500), (1, 500)]);

    seen.lock().unwrap().clear();
    let few = client
        .get_all("x.get_all", &json!({}), "items", Some(100))
        .await
        .unwrap();
    assert_eq!(few.len(), 100);
    assert_eq!(*seen.lock().unwrap(), [(0, 100)]);
}

#[tokio::test]
async fn pages_past_the_first_are_fetched_concurrently() {
    let busy: std::sync::Arc<(
        std::sync::atomic::AtomicUsize,
        std::sync::atomic::AtomicUsize,
    )> = Default::default();
    let (url, _) = pager_server(2345, Duration::from_millis(300), busy.clone()).await;
    let client = Client::new(&url, keys(), &Options::default()).unwrap();
    let all = client
        .get_all("x.get_all", &json!({}), "items", None)
        .await
        .unwrap();
    assert_eq!(all.len(), 2345);
    let most = busy.1.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        most > 1,
        "pages were fetched one at a time (at most {most} open)"
    );
}
