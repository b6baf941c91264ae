//! Wire-level tests of `clearml server serve` with raw HTTP: the envelope, error codes,
//! authentication, query semantics, paging, persistence, and the file server.

use crate::common::{ACCESS_KEY, SECRET_KEY, Serve};
use reqwest::blocking::Client;
use serde_json::{Value, json};

fn client() -> Client {
    Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Log in with Basic auth, return the JWT.
fn token(s: &Serve) -> String {
    let r = client()
        .get(format!("{}/auth.login", s.api_url))
        .basic_auth(ACCESS_KEY, Some(SECRET_KEY))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().unwrap();
    v["data"]["token"].as_str().unwrap().to_string()
}

/// POST a JSON body with a Bearer token; returns (HTTP status, envelope).
fn call(s: &Serve, tok: &str, endpoint: &str, body: Value) -> (u16, Value) {
    let r = client()
        .post(format!("{}/{endpoint}", s.api_url))
        .bearer_auth(tok)
        .json(&body)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap())
}

/// `call` that must succeed; returns `data`.
fn ok(s: &Serve, tok: &str, endpoint: &str, body: Value) -> Value {
    let (status, v) = call(s, tok, endpoint, body);
    assert_eq!(status, 200, "{endpoint}: {v}");
    assert_eq!(v["meta"]["result_code"], 200);
    v["data"].clone()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid_like())
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}{:x}", n, std::process::id())
}

#[test]
fn envelope_and_open_endpoints() {
    let s = Serve::shared();
    let v: Value = client()
        .get(format!("{}/debug.ping", s.api_url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["meta"]["result_code"], 200);
    assert_eq!(v["meta"]["result_msg"], "OK");
    assert_eq!(v["meta"]["endpoint"]["name"], "debug.ping");
    assert_eq!(v["data"]["msg"], "ClearML server");
    assert_eq!(v["meta"]["id"].as_str().unwrap().len(), 32);

    let v: Value = client()
        .get(format!("{}/v2.23/server.info", s.api_url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["data"]["api_version"], "2.31");
    assert_eq!(v["meta"]["endpoint"]["requested_version"], "2.23");

    // Unknown endpoint: 404 with the real server's message.
    let tok = token(s);
    let (status, v) = call(s, &tok, "no.such_endpoint", json!({}));
    assert_eq!(status, 404);
    assert_eq!(
        v["meta"]["result_msg"],
        "Unable to find endpoint for name no.such_endpoint and version 2.31"
    );
    assert_eq!(v["meta"]["endpoint"]["actual_version"], Value::Null);
}

#[test]
fn authentication_failures_have_real_codes() {
    let s = Serve::shared();
    let c = client();
    // No credentials at all.
    let r = c
        .post(format!("{}/tasks.get_all", s.api_url))
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().unwrap();
    assert_eq!(v["meta"]["result_subcode"], 20);
    // Wrong secret.
    let r = c
        .get(format!("{}/auth.login", s.api_url))
        .basic_auth(ACCESS_KEY, Some("nope"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().unwrap();
    assert_eq!(v["meta"]["result_subcode"], 22);
    assert_eq!(
        v["meta"]["result_msg"],
        "Unauthorized (invalid credentials) (failed to locate provided credentials)"
    );
    // Garbage token.
    let r = c
        .post(format!("{}/tasks.get_all", s.api_url))
        .bearer_auth("a.b.c")
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().unwrap();
    assert_eq!(v["meta"]["result_subcode"], 30);
    // Basic auth works on any endpoint, as on the real server.
    let r = c
        .post(format!("{}/users.get_current_user", s.api_url))
        .basic_auth(ACCESS_KEY, Some(SECRET_KEY))
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // The token carries the claims clients read.
    let tok = token(s);
    use base64::Engine;
    let payload = tok.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["api_version"], "2.31");
    assert_eq!(claims["feature_set"], "basic");
    assert!(claims["exp"].as_i64().unwrap() > claims["iat"].as_i64().unwrap());
}

#[test]
fn validation_and_invalid_ids() {
    let s = Serve::shared();
    let tok = token(s);
    let (status, v) = call(
        s,
        &tok,
        "tasks.create",
        json!({"name": "ab", "type": "training"}),
    );
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_u64()),
        (400, Some(12)),
        "{v}"
    );
    let (status, v) = call(s, &tok, "tasks.get_by_id", json!({"task": "nonexistent"}));
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_u64()),
        (400, Some(101))
    );
    assert_eq!(
        v["meta"]["result_msg"],
        "Invalid task id: ids=(nonexistent)"
    );
    let (status, v) = call(s, &tok, "tasks.get_all", json!({"page": 1}));
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_u64()),
        (400, Some(11))
    );
    // The SDK's GET-with-body and the extra "method" key are accepted.
    let r = client()
        .get(format!("{}/v2.23/users.get_current_user", s.api_url))
        .bearer_auth(&tok)
        .header("Content-Type", "application/json")
        .body(r#"{"method": "get"}"#)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn credentials_can_be_created_used_and_revoked() {
    let s = Serve::shared();
    let tok = token(s);
    let cred =
        ok(s, &tok, "auth.create_credentials", json!({"label": "ci"}))["credentials"].clone();
    let key = cred["access_key"].as_str().unwrap().to_string();
    let secret = cred["secret_key"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 30);
    let login = |k: &str, sec: &str| {
        client()
            .get(format!("{}/auth.login", s.api_url))
            .basic_auth(k, Some(sec))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(login(&key, &secret), 200);
    let listed = ok(s, &tok, "auth.get_credentials", json!({}));
    assert!(
        listed["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["access_key"] == key.as_str())
    );
    assert!(
        !listed.to_string().contains(&secret),
        "get_credentials must not return secrets"
    );
    ok(
        s,
        &tok,
        "auth.revoke_credentials",
        json!({"access_key": key}),
    );
    assert_eq!(login(&key, &secret), 401);
}
