//! `serve` against the real server's behaviour (issue 15, part D): the session cookie,
//! `tasks.update` fields, state-change side effects, project merge/move. Each assertion
//! names where the expected behaviour comes from: the API schema
//! (/work/shared/reference/clearml-server-v2.3/schema), a recorded exchange
//! (real-server-responses/quirks/) or the real server's source (clearml-server, read only).

use crate::common::{ACCESS_KEY, SECRET_KEY, Serve};
use crate::serve::{call, client, ok, token, unique};
use serde_json::{Value, json};

fn project(s: &Serve, tok: &str, name: &str) -> String {
    ok(s, tok, "projects.create", json!({"name": unique(name)}))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn task(s: &Serve, tok: &str, body: Value) -> String {
    let mut body = body;
    if body.get("type").is_none() {
        body["type"] = json!("training");
    }
    ok(s, tok, "tasks.create", body)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn get_task(s: &Serve, tok: &str, id: &str) -> Value {
    ok(s, tok, "tasks.get_by_id", json!({"task": id}))["task"].clone()
}

/// The value part of a `Set-Cookie` header (`name=value`).
fn cookie_value(set_cookie: &str) -> &str {
    let first = set_cookie.split(';').next().unwrap();
    first.split_once('=').unwrap().1
}

#[test]
fn login_sets_the_session_cookie_and_the_api_accepts_it() {
    let s = Serve::shared();
    // quirks/api-auth-login.json, "correct credentials": Set-Cookie
    // `clearml_token_basic=<TOKEN>; Expires=...; Max-Age=99999999999; HttpOnly; Path=/; SameSite=Lax`
    // and the same token in data.token.
    let r = client()
        .post(format!("{}/auth.login", s.api_url))
        .basic_auth(ACCESS_KEY, Some(SECRET_KEY))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let set: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let body: Value = r.json().unwrap();
    assert_eq!(set.len(), 1, "{set:?}");
    let c = &set[0];
    assert!(c.starts_with("clearml_token_basic="), "{c}");
    assert_eq!(cookie_value(c), body["data"]["token"].as_str().unwrap());
    let attrs: Vec<&str> = c.split("; ").skip(1).collect();
    assert!(
        attrs[0].starts_with("Expires=") && attrs[0].ends_with(" GMT"),
        "{c}"
    );
    assert_eq!(
        &attrs[1..],
        &["Max-Age=99999999999", "HttpOnly", "Path=/", "SameSite=Lax"]
    );
    // ~3170 years ahead, as the recorded `Expires=Mon, 16 Oct 5195 ...` (login in 2026).
    let year: i32 = attrs[0].split(' ').nth(3).unwrap().parse().unwrap();
    assert!(year > 5000, "{c}");

    // Same exchange file, "auth.login with a Bearer token": also 200 with the cookie.
    let tok = cookie_value(c).to_string();
    let r = client()
        .post(format!("{}/auth.login", s.api_url))
        .bearer_auth(&tok)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("clearml_token_basic=")
    );

    // Real server source (server_init/request_handlers.py, _create_api_call): with no
    // Authorization header the session cookie's token is the Bearer token.
    let name = unique("Проект-Кекс");
    let r: Value = client()
        .post(format!("{}/projects.create", s.api_url))
        .header("Cookie", format!("theme=dunkel; clearml_token_basic={tok}"))
        .json(&json!({"name": name}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["meta"]["result_code"], 200, "{r}");
    // ... and "request headers always take precedence": a bad Authorization header is
    // refused even with a good cookie.
    let r = client()
        .post(format!("{}/projects.get_all", s.api_url))
        .header("Cookie", format!("clearml_token_basic={tok}"))
        .header("Authorization", "Bearer not.a.token")
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    // A cookie with a bad token is refused like a bad Bearer token (401).
    let r = client()
        .post(format!("{}/projects.get_all", s.api_url))
        .header("Cookie", "clearml_token_basic=not.a.token")
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);

    // auth.logout (services/auth.py: set_auth_cookie(None)) removes the cookie:
    // empty value, Max-Age=0.
    let r = client()
        .post(format!("{}/auth.logout", s.api_url))
        .bearer_auth(token(s))
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let c = r.headers()["set-cookie"].to_str().unwrap();
    assert!(c.starts_with("clearml_token_basic=;"), "{c}");
    assert!(c.contains("Max-Age=0"), "{c}");
}
