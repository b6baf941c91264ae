//! A real HTTP server in front of a real `serve` that passes every request on and lets a
//! test change a request before it goes, or the answer before it comes back: a source
//! server that behaves like the real clearml-server where `serve` does not (its faults),
//! or like a hostile one. Loopback, a free port, its own runtime thread.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use std::sync::Arc;

/// A request on its way to the upstream server.
pub struct Request {
    /// The path without the leading `/` (`events.get_task_events`, `dir/file.bin`).
    pub path: String,
    pub body: Vec<u8>,
}

/// An answer on its way back to the client.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON (API answers), to change and put back with [`Answer::set_json`].
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }

    pub fn set_json(&mut self, v: &serde_json::Value) {
        self.body = serde_json::to_vec(v).unwrap();
        self.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("content-length"));
    }
}

/// What the test changes; both do nothing by default.
pub trait Tamper: Send + Sync + 'static {
    fn request(&self, _req: &mut Request) {}
    fn answer(&self, _req: &Request, _answer: &mut Answer) {}
}

/// A running proxy; it stops with the test process.
pub struct Proxy {
    pub url: String,
}

/// Start a proxy to `upstream` (an `http://host:port` URL) applying `tamper`.
pub fn proxy(upstream: &str, tamper: impl Tamper) -> Proxy {
    let upstream = upstream.trim_end_matches('/').to_string();
    let tamper: Arc<dyn Tamper> = Arc::new(tamper);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let app =
                axum::Router::new().fallback(
                    move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                        let (http, upstream, tamper) =
                            (http.clone(), upstream.clone(), tamper.clone());
                        async move {
                            forward(&http, &upstream, &*tamper, method, uri, headers, body).await
                        }
                    },
                );
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    Proxy { url }
}

async fn forward(
    http: &reqwest::Client,
    upstream: &str,
    tamper: &dyn Tamper,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut req = Request {
        path: uri.path().trim_start_matches('/').to_string(),
        body: body.to_vec(),
    };
    tamper.request(&mut req);
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let mut out = http.request(
        reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
        format!("{upstream}/{}{query}", req.path),
    );
    for (k, v) in &headers {
        if !["host", "content-length"].contains(&k.as_str()) {
            out = out.header(k.as_str(), v.as_bytes());
        }
    }
    let got = out.body(req.body.clone()).send().await.unwrap();
    let mut answer = Answer {
        status: got.status().as_u16(),
        headers: got
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect(),
        body: got.bytes().await.unwrap().to_vec(),
    };
    tamper.answer(&req, &mut answer);
    let mut resp = Response::new(Body::from(answer.body));
    *resp.status_mut() = StatusCode::from_u16(answer.status).unwrap();
    for (k, v) in answer.headers {
        if ["transfer-encoding", "connection"].contains(&k.to_ascii_lowercase().as_str()) {
            continue;
        }
        resp.headers_mut().append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(&v).unwrap(),
        );
    }
    resp
}

/// The real clearml-server's fault reading events (issue 19 item 3): `get_task_events`
/// sorts by iteration and answers 500 `'iter'` once a batch reaches an event without one
/// (the SDK's console lines), whatever `event_type` was asked for.
pub struct RealServerEvents;

impl Tamper for RealServerEvents {
    fn answer(&self, req: &Request, answer: &mut Answer) {
        if !req.path.ends_with("events.get_task_events") || answer.status != 200 {
            return;
        }
        let mut v = answer.json();
        let lacks_iter = v["data"]["events"]
            .as_array()
            .is_some_and(|evs| evs.iter().any(|e| e.get("iter").is_none()));
        if lacks_iter {
            answer.status = 500;
            v["meta"]["result_code"] = 500.into();
            v["meta"]["result_subcode"] = 0.into();
            v["meta"]["result_msg"] = "'iter'".into();
            v["data"] = serde_json::json!({});
            answer.set_json(&v);
        }
    }
}
