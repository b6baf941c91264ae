//! What another site can do to a logged-in browser (issue 20): a "foreign site" is a page
//! served from a second loopback listener started here (`127.0.0.1:<its port>` is the same
//! site as `serve`, `localhost:<its port>` another site), opened in headless Chromium after
//! logging in to the web UI through its form.

use super::cdp::{self, Browser};
use super::{get, login, no_redirects};
use crate::common::{ACCESS_KEY, SECRET_KEY, Serve};
use crate::serve::{client, ok, token};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Another web site on a loopback port: fixed pages by path, every requested path recorded
/// (a page's script or an `<img>` "phoning home" shows up here).
struct Foreign {
    port: u16,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Foreign {
    fn start(pages: Vec<(&'static str, String)>) -> Foreign {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let seen = hits.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&head);
                let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
                seen.lock().unwrap().push(path.clone());
                let (status, body) = match pages.iter().find(|(p, _)| *p == path) {
                    Some((_, html)) => ("200 OK", html.clone()),
                    None => ("404 Not Found", String::new()),
                };
                let _ = write!(
                    conn,
                    "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Foreign { port, hits }
    }

    /// This site's URL of `path`, on `host` (`127.0.0.1`: same site as serve; `localhost`:
    /// another site).
    fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }

    fn hits(&self) -> Vec<String> {
        self.hits.lock().unwrap().clone()
    }
}

/// Projects named exactly `name` (through the API with a token).
fn projects_named(s: &Serve, tok: &str, name: &str) -> usize {
    let data = ok(
        s,
        tok,
        "projects.get_all",
        json!({"name": format!("^{}$", super::regex_escape(name))}),
    );
    data["projects"].as_array().unwrap().len()
}

/// Wait until the page's title starts with `prefix`; the title.
fn wait_title(b: &mut Browser, prefix: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = b.eval("document.title");
        let t = t.as_str().unwrap_or("").to_string();
        if t.starts_with(prefix) {
            return t;
        }
        assert!(Instant::now() < deadline, "page title still {t:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn another_site_cannot_drive_the_api_or_file_server_with_the_login_cookie() {
    let s = Serve::start();
    let tok = token(&s);
    let nav_name = "CSRF über GET Проект";
    let fetch_name = "CSRF fetch 项目";
    let nav = format!(
        "<script>location = {:?} + '/projects.create?name=' + encodeURIComponent({nav_name:?});</script>",
        s.api_url
    );
    // A script that posts as the real web app would (text/plain needs no preflight), then
    // tries to read the answers; and uploads to the file server the same way.
    let fetch = format!(
        r#"<script>
        (async () => {{
          const out = [];
          try {{
            const r = await fetch({api:?} + '/projects.create', {{method: 'POST', credentials: 'include',
              headers: {{'Content-Type': 'text/plain'}}, body: JSON.stringify({{name: {fetch_name:?}}})}});
            out.push('api-read:' + r.status + ':' + (await r.text()).slice(0, 80));
          }} catch (e) {{ out.push('api-blocked'); }}
          try {{
            const f = new FormData();
            f.append('csrf/evil.txt', new Blob(['planted']), 'evil.txt');
            const r = await fetch({files:?} + '/', {{method: 'POST', credentials: 'include', body: f}});
            out.push('files-read:' + r.status);
          }} catch (e) {{ out.push('files-blocked'); }}
          document.title = 'done ' + out.join(' ');
        }})();
        </script>"#,
        api = s.api_url,
        files = s.files_url,
    );
    let site = Foreign::start(vec![("/nav", nav), ("/fetch", fetch)]);
    let mut b = cdp::logged_in_browser(&s.web_url, 1000, 700);

    // Another site sends the browser to a state-changing GET: the cookie goes along
    // (SameSite=Lax allows top-level GETs) and must not be enough.
    b.open(&site.url("localhost", "/nav"));
    wait_for_url_prefix(&mut b, &s.api_url);
    let shown = b.eval("document.body.innerText");
    assert_eq!(projects_named(&s, &tok, nav_name), 0, "created: {shown}");
    assert!(
        shown.as_str().unwrap().contains("session cookie refused"),
        "{shown}"
    );

    // A page on another port of the same host (the same site: the cookie goes along on
    // POSTs too) posts to the API and the file server, and tries to read the answers.
    b.open(&site.url("127.0.0.1", "/fetch"));
    let title = wait_title(&mut b, "done");
    assert_eq!(title, "done api-blocked files-blocked", "{title}");
    assert_eq!(projects_named(&s, &tok, fetch_name), 0, "{title}");
    let r = client()
        .get(format!("{}/csrf/evil.txt", s.files_url))
        .bearer_auth(&tok)
        .send()
        .unwrap();
    assert_eq!(r.status(), 404, "the foreign page's upload was stored");
}

/// Follow the page until its URL starts with `prefix` (a script navigation).
fn wait_for_url_prefix(b: &mut Browser, prefix: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let href = b.eval("location.href");
        if href.as_str().unwrap_or("").starts_with(prefix)
            && b.eval("document.readyState") == "complete"
        {
            return;
        }
        assert!(Instant::now() < deadline, "still at {href}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_cookie_works_from_the_web_ui_and_headers_keep_the_real_servers_answers() {
    let s = Serve::start();
    let cookie = login(&s.web_url);
    let post = |origin: Option<&str>, site: Option<&str>, name: &str| {
        let mut r = client()
            .post(format!("{}/projects.create", s.api_url))
            .header("cookie", &cookie)
            .json(&json!({"name": name}));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(site) = site {
            r = r.header("sec-fetch-site", site);
        }
        let r = r.send().unwrap();
        let acao = r
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string());
        let v: Value = r.json().unwrap();
        (v["meta"]["result_code"].as_u64().unwrap(), acao)
    };
    // The way the real web app calls: POST with the cookie from the web UI's origin.
    let (code, acao) = post(Some(&s.web_url), Some("same-site"), "Aus dem Web-UI");
    assert_eq!((code, acao.as_deref()), (200, Some(s.web_url.as_str())));
    // No browser at all (curl with a cookie): as before.
    assert_eq!(post(None, None, "Ohne Browser").0, 200);
    // Another port of the host, an opaque origin, another site: refused, nothing echoed.
    for (origin, site) in [
        (Some("http://127.0.0.1:9"), Some("same-site")),
        (Some("null"), Some("cross-site")),
        (Some("http://evil.example"), Some("cross-site")),
        (None, Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let (code, acao) = post(origin, site, "Fremd");
        assert_eq!((code, acao), (401, None), "{origin:?} {site:?}");
    }
    // A cookie alone never authorises a GET, whatever it asks for.
    let r = get(
        &cookie,
        &format!("{}/projects.create?name=Per-GET", s.api_url),
    );
    assert_eq!(r.status(), 401);
    // Header-authenticated clients keep the real server's CORS echo
    // (quirks/api-http-methods.json, "POST with an Origin header").
    let r = client()
        .post(format!("{}/debug.ping", s.api_url))
        .bearer_auth(token(&s))
        .header("origin", "http://example.invalid")
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://example.invalid"
    );
    assert_eq!(r.headers()["access-control-allow-credentials"], "true");
    // ... and GET with the token in a header works as recorded.
    let r = client()
        .get(format!("{}/projects.get_all", s.api_url))
        .bearer_auth(token(&s))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn an_uploaded_html_file_runs_no_script_with_the_session() {
    let s = Serve::start();
    let tok = token(&s);
    let site = Foreign::start(vec![]);
    let name = "aus evil.html Проект";
    let evil = format!(
        r#"<!doctype html><title>evil</title><script>
        new Image().src = {beacon:?};
        fetch({api:?} + '/projects.create', {{method: 'POST', credentials: 'include',
          headers: {{'Content-Type': 'text/plain'}}, body: JSON.stringify({{name: {name:?}}})}})
          .then(r => r.text()).then(t => {{ new Image().src = {beacon:?} + '-read'; }});
        </script><p>Bericht</p>"#,
        beacon = site.url("127.0.0.1", "/ran"),
        api = s.api_url,
    );
    let form = reqwest::blocking::multipart::Form::new().part(
        "reports/evil.html",
        reqwest::blocking::multipart::Part::bytes(evil.into_bytes()).file_name("evil.html"),
    );
    let r = client()
        .post(format!("{}/", s.files_url))
        .bearer_auth(&tok)
        .multipart(form)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let url = format!("{}/reports/evil.html", s.files_url);
    // The recorded content type stays (fs-download-content-types.json): the file is a page,
    // but one without script, in an opaque origin, never sniffed into something else.
    let r = client().get(&url).bearer_auth(&tok).send().unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(r.headers()["content-security-policy"], "sandbox");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");

    let mut b = cdp::logged_in_browser(&s.web_url, 1000, 700);
    b.open(&url);
    assert_eq!(
        b.eval("document.body.innerText.includes('Bericht')"),
        true,
        "the file is shown"
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(site.hits(), Vec::<String>::new(), "the file's script ran");
    assert_eq!(projects_named(&s, &tok, name), 0);
}

#[test]
fn debug_images_on_other_hosts_are_links_and_pages_cannot_be_framed() {
    let s = Serve::start();
    let tok = token(&s);
    let project = ok(&s, &tok, "projects.create", json!({"name": "Bilder Größe"}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let task = ok(
        &s,
        &tok,
        "tasks.create",
        json!({"name": "Bilder 图片", "type": "training", "project": project}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let web = s.web_url.clone();
    let site = Foreign::start(vec![(
        "/frame",
        format!("<iframe id=f src=\"{web}/projects\" width=600 height=400></iframe>"),
    )]);
    let elsewhere = site.url("127.0.0.1", "/tracker.png");
    crate::serve::add_batch(
        &s,
        &tok,
        &[
            json!({"type": "training_debug_image", "task": task, "metric": "fremd",
                 "variant": "bild", "iter": 1, "timestamp": 1_700_000_000_000i64,
                 "url": elsewhere}),
        ],
    );
    let mut b = cdp::logged_in_browser(&s.web_url, 1000, 700);
    b.open(&format!(
        "{web}/projects/{project}/experiments/{task}/output/debugImages"
    ));
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        !site.hits().contains(&"/tracker.png".to_string()),
        "opening the page fetched an image from another host: {:?}",
        site.hits()
    );
    assert_eq!(
        b.eval(&format!(
            "[...document.querySelectorAll('a')].some(a => a.href == {elsewhere:?} && a.textContent == {elsewhere:?})"
        )),
        true,
        "the image is a link"
    );
    // Another site framing the UI (clickjacking) gets no page in its frame.
    let r = get(&login(&web), &format!("{web}/projects"));
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    b.open(&site.url("localhost", "/frame"));
    std::thread::sleep(Duration::from_millis(500));
    let tree = b.call("Page.getFrameTree", json!({}));
    let child = &tree["frameTree"]["childFrames"][0]["frame"];
    assert!(
        !child["url"].as_str().unwrap_or("").starts_with(&web),
        "the web UI loaded inside another site's frame: {child}"
    );
}

#[test]
fn login_next_stays_on_this_site_and_logout_ends_the_token() {
    let s = Serve::start();
    let c = no_redirects();
    // Browsers drop tabs and line breaks in URLs: `/<TAB>/host` is `//host`.
    for next in ["/\t/localhost:9912/x", "/\r\nX: y", "/\n/evil.example"] {
        let r = c
            .post(format!("{}/login", s.web_url))
            .form(&[
                ("access_key", ACCESS_KEY),
                ("secret_key", SECRET_KEY),
                ("next", next),
            ])
            .send()
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/projects", "{next:?}");
    }
    let form = c
        .get(format!("{}/login?next=/%09/localhost:9912/x", s.web_url))
        .send()
        .unwrap();
    assert_eq!(form.status(), 200);
    assert!(
        form.text()
            .unwrap()
            .contains(r#"name="next" value="/projects""#)
    );
    // A local path with non-ASCII comes back percent-encoded (never a 500).
    let r = c
        .post(format!("{}/login", s.web_url))
        .form(&[
            ("access_key", ACCESS_KEY),
            ("secret_key", SECRET_KEY),
            ("next", "/projects/Тест?x=1"),
        ])
        .send()
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/projects/%D0%A2%D0%B5%D1%81%D1%82?x=1"
    );

    // The web UI's logout ends the cookie's token: a copy of it no longer works anywhere.
    let cookie = login(&s.web_url);
    let api_with = |cookie: &str| {
        client()
            .post(format!("{}/projects.get_all", s.api_url))
            .header("cookie", cookie)
            .json(&json!({}))
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(api_with(&cookie), 200);
    // Another site's page cannot post the logout (nor a login) form.
    for path in ["/logout", "/login"] {
        let r = c
            .post(format!("{}{path}", s.web_url))
            .header("cookie", &cookie)
            .header("origin", "http://localhost:9912")
            .form(&[("access_key", ACCESS_KEY), ("secret_key", SECRET_KEY)])
            .send()
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert!(r.headers().get("set-cookie").is_none(), "{path}");
    }
    assert_eq!(api_with(&cookie), 200);
    let r = c
        .post(format!("{}/logout", s.web_url))
        .header("origin", &s.web_url)
        .header("cookie", &cookie)
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(api_with(&cookie), 401);
    assert_eq!(
        get(&cookie, &format!("{}/projects", s.web_url)).status(),
        303,
        "a page with the old cookie"
    );
    // auth.logout ends the token that called it, and only that one; after a restart too.
    let (mine, other) = (token(&s), token(&s));
    assert_ne!(mine, other, "two logins, two tokens");
    ok(&s, &mine, "auth.logout", json!({}));
    let (status, v) = crate::serve::call(&s, &mine, "projects.get_all", json!({}));
    assert_eq!(
        (status, &v["meta"]["result_subcode"]),
        (401, &json!(30)),
        "{v}"
    );
    ok(&s, &other, "projects.get_all", json!({}));
    let data_dir = s.data_dir.clone();
    s.stop();
    let s2 = Serve::start_in(&data_dir);
    let (status, _) = crate::serve::call(&s2, &mine, "projects.get_all", json!({}));
    assert_eq!(status, 401, "a logged-out token after a restart");
    ok(&s2, &other, "projects.get_all", json!({}));
    s2.stop();
}
