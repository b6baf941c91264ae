//! The built-in server driven in-process (`tower::ServiceExt::oneshot` on the API router):
//! for what needs no process or socket, a request costs microseconds instead of a server
//! start. The process-level behaviour (ports, signals, serve.json) stays in serve*.rs.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, header};
use base64::Engine;
use serde_json::{Value, json};
use tower::ServiceExt;

use clearml_serve::{AppState, Notices, Opened, api_router};

/// A fresh data dir opened for serving; its primary key pair.
fn open() -> (tempfile::TempDir, Arc<AppState>, String) {
    let dir = tempfile::tempdir().unwrap();
    let quiet = Notices { quiet: true };
    let opened = Opened::open(dir.path(), &quiet).unwrap();
    let (key, secret) = opened.primary_key_pair();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"));
    (dir, opened.state.clone(), format!("Basic {basic}"))
}

/// One request through the router: (HTTP status, the JSON envelope).
async fn call(state: &Arc<AppState>, auth: Option<&str>, path: &str, body: Value) -> (u16, Value) {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(auth) = auth {
        req = req.header(header::AUTHORIZATION, auth);
    }
    let req = req.body(Body::from(body.to_string())).unwrap();
    let resp = api_router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn login_issues_a_token_the_api_accepts() {
    let (_dir, state, basic) = open();
    let (status, env) = call(&state, Some(&basic), "/auth.login", json!({})).await;
    assert_eq!(status, 200, "{env}");
    let token = env["data"]["token"].as_str().unwrap().to_string();
    let bearer = format!("Bearer {token}");
    let (status, env) = call(&state, Some(&bearer), "/v2.31/projects.get_all", json!({})).await;
    assert_eq!(status, 200, "{env}");
    assert!(env["data"]["projects"].is_array(), "{env}");
}

#[tokio::test]
async fn no_credentials_is_401_and_a_wrong_secret_too() {
    let (_dir, state, _) = open();
    let (status, env) = call(&state, None, "/tasks.get_all", json!({})).await;
    assert_eq!(status, 401, "{env}");
    assert_eq!(env["meta"]["result_code"], 401, "{env}");
    let wrong = base64::engine::general_purpose::STANDARD.encode("nokey:nosecret");
    let (status, env) = call(
        &state,
        Some(&format!("Basic {wrong}")),
        "/auth.login",
        json!({}),
    )
    .await;
    assert_eq!(status, 401, "{env}");
}

#[tokio::test]
async fn an_unknown_endpoint_is_an_envelope_not_a_crash() {
    let (_dir, state, basic) = open();
    let (status, env) = call(&state, Some(&basic), "/no_such.endpoint", json!({})).await;
    assert_eq!(status, 404, "{env}");
    assert_eq!(env["meta"]["result_code"], 404, "{env}");
    let msg = env["meta"]["result_msg"].as_str().unwrap();
    assert!(
        msg.starts_with("Unable to find endpoint for name no_such.endpoint"),
        "{env}"
    );
}

#[tokio::test]
async fn a_task_with_a_non_ascii_name_round_trips() {
    let (_dir, state, basic) = open();
    let (_, env) = call(
        &state,
        Some(&basic),
        "/projects.create",
        json!({"name": "Проект 实验", "description": ""}),
    )
    .await;
    let project = env["data"]["id"].as_str().unwrap().to_string();
    let (status, env) = call(
        &state,
        Some(&basic),
        "/tasks.create",
        json!({"name": "Обучение über 模型", "type": "training", "project": project}),
    )
    .await;
    assert_eq!(status, 200, "{env}");
    let id = env["data"]["id"].as_str().unwrap().to_string();
    let (_, env) = call(
        &state,
        Some(&basic),
        "/tasks.get_by_id",
        json!({"task": id}),
    )
    .await;
    assert_eq!(env["data"]["task"]["name"], "Обучение über 模型", "{env}");
    assert_eq!(env["data"]["task"]["project"], project.as_str(), "{env}");
}
