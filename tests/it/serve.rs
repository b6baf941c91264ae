//! Wire-level tests of `clearml server serve` with raw HTTP: the envelope, error codes,
//! authentication, query semantics, paging, persistence, and the file server.

use crate::common::{ACCESS_KEY, SECRET_KEY, Serve};
use reqwest::blocking::Client;
use serde_json::{Value, json};

pub fn client() -> Client {
    Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Log in with Basic auth, return the JWT.
pub fn token(s: &Serve) -> String {
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
pub fn call(s: &Serve, tok: &str, endpoint: &str, body: Value) -> (u16, Value) {
    let r = client()
        .post(format!("{}/{endpoint}", s.api_url))
        .bearer_auth(tok)
        .json(&body)
        .send()
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap())
}

/// The (HTTP status, subcode, message) of a call that must fail.
pub fn refused(s: &Serve, tok: &str, endpoint: &str, body: Value) -> (u16, Value, String) {
    let (status, v) = call(s, tok, endpoint, body);
    let msg = v["meta"]["result_msg"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (status, v["meta"]["result_subcode"].clone(), msg)
}

/// `call` that must succeed; returns `data`.
pub fn ok(s: &Serve, tok: &str, endpoint: &str, body: Value) -> Value {
    let (status, v) = call(s, tok, endpoint, body);
    assert_eq!(status, 200, "{endpoint}: {v}");
    assert_eq!(v["meta"]["result_code"], 200);
    v["data"].clone()
}

/// A new project with a unique name starting with `name`; its id.
pub fn new_project(s: &Serve, tok: &str, name: &str) -> String {
    ok(s, tok, "projects.create", json!({"name": unique(name)}))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A new task from `body` (`type` defaults to training); its id.
pub fn new_task(s: &Serve, tok: &str, mut body: Value) -> String {
    if body.get("type").is_none() {
        body["type"] = json!("training");
    }
    ok(s, tok, "tasks.create", body)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn get_task(s: &Serve, tok: &str, id: &str) -> Value {
    ok(s, tok, "tasks.get_by_id", json!({"task": id}))["task"].clone()
}

/// `events.add_batch` takes one JSON event per line.
pub fn add_batch(s: &Serve, tok: &str, events: &[Value]) -> Value {
    let lines: Vec<String> = events.iter().map(Value::to_string).collect();
    let r: Value = client()
        .post(format!("{}/events.add_batch", s.api_url))
        .bearer_auth(tok)
        .header("Content-Type", "application/json-lines")
        .body(lines.join("\n"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["meta"]["result_code"], 200, "{r}");
    r["data"].clone()
}

pub fn unique(prefix: &str) -> String {
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

    // server.info needs credentials, as on the real server (401/20 without).
    let r = client()
        .get(format!("{}/server.info", s.api_url))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().unwrap();
    assert_eq!(v["meta"]["result_subcode"], 20);
    let v: Value = client()
        .get(format!("{}/v2.23/server.info", s.api_url))
        .bearer_auth(token(s))
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
    // The real server: 400/800 "String value is too short".
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_u64()),
        (400, Some(800)),
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
    // Fields the server writes into must be objects (the server stays up either way).
    let (status, v) = call(
        s,
        &tok,
        "tasks.create",
        json!({"name": "odd shape", "execution": "x"}),
    );
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_u64()),
        (400, Some(12)),
        "{v}"
    );
    let far = ok(
        s,
        &tok,
        "tasks.get_all",
        json!({"page": i64::MAX, "page_size": 500}),
    );
    assert_eq!(far["tasks"], json!([]));
    // Paging is validated as on the real server: page_size below 1 or a negative page is
    // 400/12; a page without page_size pages by the 500-row cap (so page 1 is empty here).
    for bad in [json!({"page_size": 0}), json!({"page": -1, "page_size": 5})] {
        let (status, v) = call(s, &tok, "tasks.get_all", bad.clone());
        assert_eq!(
            (status, v["meta"]["result_subcode"].as_u64()),
            (400, Some(12)),
            "{bad}: {v}"
        );
    }
    let (pid, _) = seed_tasks(s, &tok, &unique("Paging"), 2);
    let page = |n: i64| {
        ok(
            s,
            &tok,
            "tasks.get_all",
            json!({"project": [pid], "page": n, "only_fields": ["id"]}),
        )["tasks"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!((page(0), page(1)), (2, 0));
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

/// Create a project and `n` tasks in it; returns (project id, task ids in creation order).
fn seed_tasks(s: &Serve, tok: &str, project: &str, n: usize) -> (String, Vec<String>) {
    let pid = ok(s, tok, "projects.create", json!({"name": project}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ids = (0..n)
        .map(|i| {
            ok(
                s,
                tok,
                "tasks.create",
                json!({"name": format!("task {i:05}"), "type": "training", "project": pid}),
            )["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    (pid, ids)
}

fn ids_of(data: &Value, key: &str) -> Vec<String> {
    data[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn paging_is_capped_at_500_and_pages_and_scrolls_reach_everything() {
    let s = Serve::shared();
    let tok = token(s);
    let (pid, ids) = seed_tasks(s, &tok, &unique("Paging"), 1203);

    // Unpaged: at most 500, in creation order.
    let all = ok(
        s,
        &tok,
        "tasks.get_all",
        json!({"project": [pid], "only_fields": ["id"]}),
    );
    assert_eq!(ids_of(&all, "tasks"), ids[..500].to_vec());
    // page_size above the cap is capped.
    let big = ok(
        s,
        &tok,
        "tasks.get_all",
        json!({"project": [pid], "page": 0, "page_size": 1000}),
    );
    assert_eq!(big["tasks"].as_array().unwrap().len(), 500);
    // page + page_size walk.
    let mut paged = Vec::new();
    for page in 0.. {
        let d = ok(
            s,
            &tok,
            "tasks.get_all",
            json!({"project": [pid], "page": page, "page_size": 500, "only_fields": ["id"]}),
        );
        let got = ids_of(&d, "tasks");
        let short = got.len() < 500;
        paged.extend(got);
        if short {
            break;
        }
    }
    assert_eq!(paged, ids);
    // scroll_id (null first) + size.
    let mut scrolled = Vec::new();
    let mut scroll = Value::Null;
    loop {
        let d = ok(
            s,
            &tok,
            "tasks.get_all_ex",
            json!({"project": [pid], "scroll_id": scroll, "size": 400, "only_fields": ["id"]}),
        );
        let got = ids_of(&d, "tasks");
        scroll = d["scroll_id"].clone();
        assert!(scroll.is_string());
        let short = got.len() < 400;
        scrolled.extend(got);
        if short {
            break;
        }
    }
    assert_eq!(scrolled, ids);
    // Descending order by name, through the query string.
    let r: Value = client()
        .get(format!(
            "{}/tasks.get_all?project={pid}&order_by[]=-name&page_size=2&only_fields[]=name",
            s.api_url
        ))
        .bearer_auth(&tok)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let names: Vec<&str> = r["data"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["task 01202", "task 01201"]);
}

#[test]
fn filters_projection_hidden_and_archived() {
    let s = Serve::shared();
    let tok = token(s);
    let project = unique("Filters");
    let (pid, _) = seed_tasks(s, &tok, &project, 0);
    let mk = |name: &str, tags: Value, system_tags: Value| -> String {
        ok(s, &tok, "tasks.create", json!({"name": name, "type": "training", "project": pid, "tags": tags, "system_tags": system_tags, "execution": {"queue": "q1", "framework": "x"}}))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let a = mk("alpha run", json!(["red", "big"]), json!([]));
    let b = mk("beta run", json!(["blue"]), json!([]));
    let c = mk("gamma walk", json!(["red"]), json!(["archived"]));
    let h = mk("hidden run", json!([]), json!(["hidden"]));
    let q = |body: Value| -> Vec<String> {
        let mut body = body;
        body["project"] = json!([pid]);
        let mut v = ids_of(&ok(s, &tok, "tasks.get_all", body), "tasks");
        v.sort();
        v
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        q(json!({"name": "run$"})),
        sorted(vec![a.clone(), b.clone()])
    );
    assert_eq!(q(json!({"name": "^gamma"})), vec![c.clone()]);
    assert_eq!(
        q(json!({"tags": ["red", "blue"]})),
        sorted(vec![a.clone(), b.clone(), c.clone()])
    );
    assert_eq!(q(json!({"tags": ["red", "-big"]})), vec![c.clone()]);
    assert_eq!(
        q(json!({"tags": ["__$all", "red", "big"]})),
        vec![a.clone()]
    );
    assert_eq!(
        q(json!({"system_tags": ["-archived"]})),
        sorted(vec![a.clone(), b.clone()])
    );
    assert_eq!(
        q(json!({"search_hidden": true, "name": "^hidden"})),
        vec![h.clone()]
    );
    assert_eq!(q(json!({"name": "^hidden"})), Vec::<String>::new());
    // Explicit ids find hidden tasks (as on the real server).
    assert_eq!(q(json!({"id": [h.clone()]})), vec![h.clone()]);
    assert_eq!(q(json!({"id": [a.clone(), "nope"]})), vec![a.clone()]);
    // Invalid regex: 400/21.
    let (status, v) = call(s, &tok, "tasks.get_all", json!({"name": "("}));
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_u64()),
        (400, Some(21))
    );
    // only_fields with a dotted path keeps just that (plus id).
    let d = ok(
        s,
        &tok,
        "tasks.get_all",
        json!({"id": [a], "only_fields": ["execution.queue", "name"]}),
    );
    assert_eq!(
        d["tasks"][0],
        json!({"id": a, "name": "alpha run", "execution": {"queue": "q1"}})
    );
    // _ex joins the project name.
    let d = ok(
        s,
        &tok,
        "tasks.get_all_ex",
        json!({"id": [a], "only_fields": ["project.name", "name"]}),
    );
    assert_eq!(
        d["tasks"][0]["project"],
        json!({"id": pid, "name": project})
    );
    // Projects: parents are created, names are full paths.
    let child = format!("{project}/sub/leaf");
    ok(s, &tok, "projects.create", json!({"name": child}));
    let d = ok(
        s,
        &tok,
        "projects.get_all",
        json!({"name": format!("^{}/", regex_escape(&project)), "only_fields": ["name", "basename"]}),
    );
    let mut names: Vec<&str> = d["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, [format!("{project}/sub"), child.clone()]);
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

#[test]
fn task_status_state_machine() {
    let s = Serve::shared();
    let tok = token(s);
    let (_, ids) = seed_tasks(s, &tok, &unique("States"), 1);
    let t = ids[0].clone();
    let status = |tok: &str| {
        ok(s, tok, "tasks.get_by_id", json!({"task": t}))["task"]["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // created -> completed is not allowed without force.
    let (code, v) = call(s, &tok, "tasks.completed", json!({"task": t}));
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(110)),
        "{v}"
    );
    ok(s, &tok, "tasks.enqueue", json!({"task": t}));
    assert_eq!(status(&tok), "queued");
    let (code, v) = call(s, &tok, "tasks.enqueue", json!({"task": t}));
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(706))
    );
    ok(s, &tok, "tasks.dequeue", json!({"task": t}));
    assert_eq!(status(&tok), "created");
    ok(s, &tok, "tasks.started", json!({"task": t}));
    assert_eq!(status(&tok), "in_progress");
    ok(s, &tok, "tasks.completed", json!({"task": t}));
    assert_eq!(status(&tok), "completed");
    // completed cannot be queued; reset first.
    let (code, _) = call(s, &tok, "tasks.enqueue", json!({"task": t}));
    assert_eq!(code, 400);
    // Editing a non-draft needs force.
    let (code, v) = call(s, &tok, "tasks.edit", json!({"task": t, "comment": "x"}));
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(110))
    );
    ok(
        s,
        &tok,
        "tasks.edit",
        json!({"task": t, "comment": "x", "force": true}),
    );
    ok(s, &tok, "tasks.publish", json!({"task": t}));
    assert_eq!(status(&tok), "published");
    let (code, _) = call(s, &tok, "tasks.reset", json!({"task": t}));
    assert_eq!(code, 400);
    ok(s, &tok, "tasks.reset", json!({"task": t, "force": true}));
    assert_eq!(status(&tok), "created");
    // Forced change skips the table.
    ok(s, &tok, "tasks.stopped", json!({"task": t, "force": true}));
    assert_eq!(status(&tok), "stopped");
}

#[test]
fn json_lines_batches_update_last_metrics_by_md5() {
    let s = Serve::shared();
    let tok = token(s);
    let (_, ids) = seed_tasks(s, &tok, &unique("Metrics"), 1);
    let t = &ids[0];
    let lines: Vec<String> = (0..10)
        .map(|i| json!({"task": t, "type": "training_stats_scalar", "metric": "loss", "variant": "total", "value": 10 - i, "iter": i, "timestamp": 1_700_000_000_000i64 + i}).to_string())
        .collect();
    let r: Value = client()
        .post(format!("{}/v2.23/events.add_batch", s.api_url))
        .bearer_auth(&tok)
        .header("Content-Type", "application/json-lines")
        .body(lines.join("\n"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["data"]["added"], 10, "{r}");
    let task = ok(s, &tok, "tasks.get_by_id", json!({"task": t}))["task"].clone();
    // md5("loss"), md5("total")
    let e = &task["last_metrics"]["81513effdf5790b79549208838404407"]["fbb44b4487415b134bce9c790a27fe5e"];
    assert_eq!(e["metric"], "loss");
    assert_eq!(e["value"], 1.0);
    assert_eq!(e["min_value"], 1.0);
    assert_eq!(e["min_value_iteration"], 9);
    assert_eq!(e["max_value"], 10.0);
    assert_eq!(e["first_value"], 10.0);
    assert_eq!(e["count"], 10);
    assert_eq!(e["mean_value"], 5.5);
    assert_eq!(task["last_iteration"], 9);
    let latest = ok(
        s,
        &tok,
        "events.get_task_latest_scalar_values",
        json!({"task": t}),
    );
    assert_eq!(latest["metrics"][0]["variants"][0]["last_value"], 1.0);
    let hist = ok(
        s,
        &tok,
        "events.multi_task_scalar_metrics_iter_histogram",
        json!({"tasks": [t]}),
    );
    assert_eq!(
        hist["metrics"]["loss"]["total"][t.as_str()]["x"],
        json!((0..10).collect::<Vec<_>>())
    );
    // Ordering by a metric value works through the dotted path.
    let d = ok(
        s,
        &tok,
        "tasks.get_all",
        json!({"id": [t], "order_by": ["-last_metrics.81513effdf5790b79549208838404407.fbb44b4487415b134bce9c790a27fe5e.value"]}),
    );
    assert_eq!(d["tasks"].as_array().unwrap().len(), 1);
}

#[test]
fn models_create_publish_archive_delete() {
    let s = Serve::shared();
    let tok = token(s);
    let (pid, ids) = seed_tasks(s, &tok, &unique("Models"), 1);
    let m = ok(s, &tok, "models.create", json!({"name": "mod1", "uri": "file:///tmp/x.pt", "project": pid, "task": ids[0], "framework": "PyTorch", "ready": false}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        s,
        &tok,
        "models.edit",
        json!({"model": m, "comment": "hello", "labels": {"cat": 1}}),
    );
    let got = ok(s, &tok, "models.get_by_id", json!({"model": m}))["model"].clone();
    assert_eq!(
        (got["comment"].as_str(), got["ready"].as_bool()),
        (Some("hello"), Some(false))
    );
    let r = ok(
        s,
        &tok,
        "models.publish_many",
        json!({"ids": [m, "nope"], "publish_tasks": false}),
    );
    assert_eq!(r["succeeded"][0]["id"], json!(m));
    assert_eq!(r["failed"][0]["id"], "nope");
    let listed = ok(
        s,
        &tok,
        "models.get_all_ex",
        json!({"project": [pid], "ready": true}),
    );
    assert_eq!(ids_of(&listed, "models"), vec![m.clone()]);
    assert_eq!(listed["models"][0]["project"], json!({"id": pid}));
    let (code, v) = call(s, &tok, "models.set_ready", json!({"model": m}));
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(203))
    );
    ok(s, &tok, "models.archive_many", json!({"ids": [m]}));
    let listed = ok(
        s,
        &tok,
        "models.get_all",
        json!({"project": [pid], "system_tags": ["-archived"]}),
    );
    assert!(listed["models"].as_array().unwrap().is_empty());
    ok(s, &tok, "models.delete", json!({"model": m}));
    let (code, v) = call(s, &tok, "models.get_by_id", json!({"model": m}));
    assert_eq!(
        (code, v["meta"]["result_subcode"].as_u64()),
        (400, Some(201))
    );
}

#[test]
fn file_server_upload_download_range_delete() {
    let s = Serve::shared();
    let tok = token(s);
    let c = client();
    let body: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let object = format!("/{}/a dir/blob.bin", unique("files"));
    // No token: 401 (GET / stays open).
    assert_eq!(
        c.get(format!("{}/", s.files_url))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "OK"
    );
    let part = reqwest::blocking::multipart::Part::bytes(body.clone()).file_name(object.clone());
    let r = c
        .post(format!("{}/", s.files_url))
        .multipart(reqwest::blocking::multipart::Form::new().part(object.clone(), part))
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let part = reqwest::blocking::multipart::Part::bytes(body.clone()).file_name(object.clone());
    let r = c
        .post(format!("{}/", s.files_url))
        .bearer_auth(&tok)
        .multipart(reqwest::blocking::multipart::Form::new().part(object.clone(), part))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let url = format!("{}{}", s.files_url, object.replace(' ', "%20"));
    assert_eq!(c.get(&url).send().unwrap().status(), 401);
    let got = c.get(&url).bearer_auth(&tok).send().unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().unwrap().to_vec(), body);
    let part = c
        .get(&url)
        .bearer_auth(&tok)
        .header("Range", "bytes=1000-1999")
        .send()
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 1000-1999/100000");
    assert_eq!(part.bytes().unwrap().to_vec(), body[1000..2000].to_vec());
    let tail = c
        .get(&url)
        .bearer_auth(&tok)
        .header("Range", "bytes=99990-")
        .send()
        .unwrap();
    assert_eq!(tail.bytes().unwrap().to_vec(), body[99990..].to_vec());
    assert_eq!(
        c.get(&url)
            .bearer_auth(&tok)
            .header("Range", "bytes=200000-")
            .send()
            .unwrap()
            .status(),
        416
    );
    // If-Range: the ETag of this version resumes (206); after the object is replaced the old
    // ETag gets the whole new file (200), so an old partial download is never spliced.
    let etag = got_etag(&c, &url, &tok);
    let resumed = c
        .get(&url)
        .bearer_auth(&tok)
        .header("Range", "bytes=1000-")
        .header("If-Range", &etag)
        .send()
        .unwrap();
    assert_eq!(resumed.status(), 206);
    let newer: Vec<u8> = body.iter().map(|b| b.wrapping_add(1)).collect();
    let part = reqwest::blocking::multipart::Part::bytes(newer.clone()).file_name(object.clone());
    let r = c
        .post(format!("{}/", s.files_url))
        .bearer_auth(&tok)
        .multipart(reqwest::blocking::multipart::Form::new().part(object.clone(), part))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_ne!(
        got_etag(&c, &url, &tok),
        etag,
        "a replaced object needs a new ETag"
    );
    let stale = c
        .get(&url)
        .bearer_auth(&tok)
        .header("Range", "bytes=1000-")
        .header("If-Range", &etag)
        .send()
        .unwrap();
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.bytes().unwrap().to_vec(), newer);
    // No temp files are left beside the upload.
    let dir = s
        .data_dir
        .join("files")
        .join(object.trim_start_matches('/'))
        .parent()
        .unwrap()
        .to_path_buf();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["blob.bin"]);
    // Escaping the files dir is refused.
    assert_eq!(
        c.get(format!("{}/../serve.json", s.files_url))
            .bearer_auth(&tok)
            .send()
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.delete(&url).bearer_auth(&tok).send().unwrap().status(),
        200
    );
    assert_eq!(c.get(&url).bearer_auth(&tok).send().unwrap().status(), 404);
}

#[test]
fn restart_keeps_everything_and_serve_json_follows_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let s = Serve::start_in(dir.path());
    let tok = token(&s);
    let (pid, ids) = seed_tasks(&s, &tok, "Persisted", 3);
    ok(&s, &tok, "tasks.enqueue", json!({"task": ids[0]}));
    ok(
        &s,
        &tok,
        "events.add",
        json!({"task": ids[1], "type": "training_stats_scalar", "metric": "a", "variant": "b", "value": 3.5, "iter": 7}),
    );
    let part =
        reqwest::blocking::multipart::Part::bytes(b"persist me".to_vec()).file_name("p/x.txt");
    client()
        .post(format!("{}/", s.files_url))
        .bearer_auth(&tok)
        .multipart(reqwest::blocking::multipart::Form::new().part("p/x.txt", part))
        .send()
        .unwrap();
    let cred = ok(&s, &tok, "auth.create_credentials", json!({}))["credentials"].clone();
    crate::serve_lifecycle::stop_serve(&s);
    assert!(
        !dir.path().join("serve.json").exists(),
        "serve.json must go on clean shutdown"
    );

    let s = Serve::start_in(dir.path());
    // The old token is still valid (the signing secret is kept).
    let d = ok(
        &s,
        &tok,
        "tasks.get_all",
        json!({"project": [pid], "only_fields": ["id", "status"]}),
    );
    assert_eq!(ids_of(&d, "tasks"), ids);
    assert_eq!(d["tasks"][0]["status"], "queued");
    let q = ok(&s, &tok, "queues.get_default", json!({}));
    let next = ok(&s, &tok, "queues.get_next_task", json!({"queue": q["id"]}));
    assert_eq!(next["entry"]["task"], json!(ids[0]));
    let t = ok(&s, &tok, "tasks.get_by_id", json!({"task": ids[1]}))["task"].clone();
    assert_eq!(t["last_iteration"], 7);
    let got = client()
        .get(format!("{}/p/x.txt", s.files_url))
        .bearer_auth(&tok)
        .send()
        .unwrap();
    assert_eq!(got.bytes().unwrap().as_ref(), b"persist me");
    let r = client()
        .get(format!("{}/auth.login", s.api_url))
        .basic_auth(
            cred["access_key"].as_str().unwrap(),
            cred["secret_key"].as_str(),
        )
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // Only one default queue after two starts.
    let qs = ok(&s, &tok, "queues.get_all", json!({"name": "^default$"}));
    assert_eq!(qs["queues"].as_array().unwrap().len(), 1);
    crate::serve_lifecycle::stop_serve(&s);
}

#[test]
fn first_start_generates_prints_and_stores_a_key_pair() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let stdout = std::fs::File::create(dir.path().join("stdout")).unwrap();
    let mut cmd = crate::common::clearml(dir.path());
    cmd.args([
        "server",
        "serve",
        "--api-port",
        "0",
        "--files-port",
        "0",
        "--web-port",
        "0",
        "--data-dir",
    ])
    .arg(dir.path().join("data"))
    .stdin(std::process::Stdio::null())
    .stdout(stdout)
    .stderr(std::process::Stdio::null());
    let pid = crate::common::spawn_tied_to_process(cmd);
    let serve_json = dir.path().join("data/serve.json");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !serve_json.exists() {
        assert!(std::time::Instant::now() < deadline, "no serve.json");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let info: Value = serde_json::from_str(&std::fs::read_to_string(&serve_json).unwrap()).unwrap();
    // serve.json is written just before the block is printed: wait for the block.
    crate::common::wait_until(
        "the credentials block",
        std::time::Duration::from_secs(10),
        || {
            std::fs::read_to_string(dir.path().join("stdout"))
                .is_ok_and(|t| t.contains("secret_key"))
        },
    );
    let printed = std::fs::read_to_string(dir.path().join("stdout")).unwrap();
    let grab = |key: &str| -> String {
        let line = printed
            .lines()
            .find(|l| l.contains(&format!("\"{key}\"")))
            .unwrap_or_else(|| panic!("{key} not printed:\n{printed}"));
        line.split('"').nth(3).unwrap().to_string()
    };
    let (key, secret) = (grab("access_key"), grab("secret_key"));
    assert!(printed.starts_with("api {"), "{printed}");
    assert!(printed.contains(&format!(
        "api_server: {}",
        info["api_url"].as_str().unwrap()
    )));
    assert_eq!(info["access_key"], json!(key));
    assert!(
        !std::fs::read_to_string(&serve_json)
            .unwrap()
            .contains(&secret),
        "serve.json must not hold the secret"
    );
    let cred_file = dir.path().join("data/credentials.json");
    assert_eq!(
        std::fs::metadata(&cred_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let r = client()
        .get(format!("{}/auth.login", info["api_url"].as_str().unwrap()))
        .basic_auth(&key, Some(&secret))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // The printed block is what `clearml init --credentials` takes (and it verifies it).
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let init = crate::common::clearml(&home)
        .args(["init", "--non-interactive", "--credentials"])
        .arg(dir.path().join("stdout"))
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "init failed: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    let conf = std::fs::read_to_string(home.join("clearml.conf")).unwrap();
    assert!(
        conf.contains(&key) && conf.contains(info["files_url"].as_str().unwrap()),
        "{conf}"
    );
    let web = client()
        .get(info["web_url"].as_str().unwrap())
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(web.contains(info["api_url"].as_str().unwrap()));
    unsafe {
        libc::kill(pid as i32, libc::SIGTERM);
    }
}

#[test]
fn python_nan_values_do_not_sink_a_batch() {
    let s = Serve::shared();
    let tok = token(s);
    let (_, ids) = seed_tasks(s, &tok, &unique("NaN"), 1);
    let t = &ids[0];
    // What Python's json.dumps writes for a NaN loss next to a good value and a log line.
    let body = format!(
        "{{\"task\": \"{t}\", \"type\": \"training_stats_scalar\", \"metric\": \"loss\", \"variant\": \"a\", \"value\": NaN, \"iter\": 1}}\n\
         {{\"task\": \"{t}\", \"type\": \"training_stats_scalar\", \"metric\": \"loss\", \"variant\": \"a\", \"value\": 0.5, \"iter\": 2}}\n\
         {{\"task\": \"{t}\", \"type\": \"log\", \"msg\": \"loss is NaN\", \"level\": \"info\"}}"
    );
    let r: Value = client()
        .get(format!("{}/v2.23/events.add_batch", s.api_url))
        .bearer_auth(&tok)
        .header("Content-Type", "application/json-lines")
        .body(body)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(r["meta"]["result_code"], 200, "{r}");
    assert_eq!(r["data"]["added"], 2);
    assert_eq!(r["data"]["errors"], 1);
    let log = ok(s, &tok, "events.get_task_log", json!({"task": t}));
    assert_eq!(log["events"][0]["msg"], "loss is NaN");
    let task = ok(s, &tok, "tasks.get_by_id", json!({"task": t}))["task"].clone();
    let entry = crate::common::first_last_metric(&task);
    assert_eq!(entry["value"], 0.5);
    assert!(
        entry.get("_last_iter").is_none(),
        "bookkeeping keys stay private: {entry}"
    );
}

#[test]
fn queues_workers_and_clone_overrides() {
    let s = Serve::shared();
    let tok = token(s);
    let (pid, ids) = seed_tasks(s, &tok, &unique("Queues"), 2);
    let qname = unique("q");
    // Enqueue by name creates the queue; get_next_task can pick a given task.
    for t in &ids {
        ok(
            s,
            &tok,
            "tasks.enqueue",
            json!({"task": t, "queue_name": qname}),
        );
    }
    let q = ok(
        s,
        &tok,
        "queues.get_all",
        json!({"name": format!("^{}$", regex_escape(&qname))}),
    )["queues"][0]
        .clone();
    let qid = q["id"].as_str().unwrap().to_string();
    assert_eq!(q["entries"].as_array().unwrap().len(), 2);
    assert_eq!(
        ok(s, &tok, "queues.get_num_entries", json!({"queue": qid}))["num"],
        2
    );
    let task = ok(s, &tok, "tasks.get_by_id", json!({"task": ids[0]}))["task"].clone();
    assert_eq!(task["execution"]["queue"], json!(qid));
    let second = ok(
        s,
        &tok,
        "queues.get_next_task",
        json!({"queue": qid, "task": ids[1]}),
    );
    assert_eq!(second["entry"]["task"], json!(ids[1]));
    let first = ok(s, &tok, "queues.get_next_task", json!({"queue": qid}));
    assert_eq!(first["entry"]["task"], json!(ids[0]));
    assert_eq!(
        ok(s, &tok, "queues.get_next_task", json!({"queue": qid})),
        json!({})
    );
    // Workers.
    let worker = unique("worker");
    ok(
        s,
        &tok,
        "workers.register",
        json!({"worker": worker, "queues": [qid]}),
    );
    ok(
        s,
        &tok,
        "workers.status_report",
        json!({"worker": worker, "task": ids[0], "timestamp": 1}),
    );
    let all = ok(s, &tok, "workers.get_all", json!({}));
    let w = all["workers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == worker.as_str())
        .unwrap()
        .clone();
    assert_eq!(w["task"]["id"], json!(ids[0]));
    assert_eq!(w["queues"][0]["name"], json!(qname));
    ok(s, &tok, "workers.unregister", json!({"worker": worker}));
    let all = ok(s, &tok, "workers.get_all", json!({}));
    assert!(
        !all["workers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["id"] == worker.as_str())
    );
    // Clone with overrides.
    let hp =
        json!({"Args": {"lr": {"section": "Args", "name": "lr", "value": "0.5", "type": "float"}}});
    let c = ok(
        s,
        &tok,
        "tasks.clone",
        json!({"task": ids[0], "new_task_name": "cloned one", "new_task_hyperparams": hp, "execution_overrides": {"docker_cmd": "img"}, "new_project_name": format!("{}/clones", unique("Queues"))}),
    );
    let clone = ok(s, &tok, "tasks.get_by_id", json!({"task": c["id"]}))["task"].clone();
    assert_eq!(clone["name"], "cloned one");
    assert_eq!(clone["status"], "created");
    assert_eq!(clone["parent"], json!(ids[0]));
    assert_eq!(clone["hyperparams"], hp);
    assert_eq!(clone["execution"]["docker_cmd"], "img");
    assert!(clone["execution"].get("queue").is_none());
    assert_eq!(clone["project"], c["new_project"]["id"]);
    assert_ne!(clone["project"], json!(pid));
    // Typed hyperparameter edits and reads.
    ok(
        s,
        &tok,
        "tasks.edit_hyper_params",
        json!({"task": c["id"], "hyperparams": [{"section": "Args", "name": "bs", "value": "32"}]}),
    );
    let params = ok(
        s,
        &tok,
        "tasks.get_hyper_params",
        json!({"tasks": [c["id"]]}),
    );
    let mut names: Vec<&str> = params["params"][0]["hyperparams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["bs", "lr"]);
}

#[test]
fn unknown_endpoints_are_logged_at_warn() {
    let s = Serve::shared();
    let tok = token(s);
    let name = format!("nosuch.{}", unique("action").replace('-', "_"));
    let (status, _) = call(s, &tok, &name, json!({}));
    assert_eq!(status, 404);
    let log = std::fs::read_to_string(s.data_dir.join("serve-test.log")).unwrap();
    assert!(
        log.lines().any(|l| l.contains("WARN") && l.contains(&name)),
        "no warning for {name} in:\n{log}"
    );
}

#[test]
fn users_get_all_honours_name_and_id_filters() {
    let s = Serve::shared();
    let tok = token(s);
    let me = ok(s, &tok, "users.get_current_user", json!({}))["user"].clone();
    let (id, name) = (me["id"].as_str().unwrap(), me["name"].as_str().unwrap());
    let count = |body: Value| {
        ok(s, &tok, "users.get_all", body)["users"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count(json!({})), 1);
    assert_eq!(count(json!({"name": "^nosuchuser$"})), 0);
    assert_eq!(
        count(json!({"name": format!("^{}$", regex_escape(name))})),
        1
    );
    // A regex is searched, as on the real server.
    assert_eq!(count(json!({"name": &name[1..4]})), 1);
    assert_eq!(count(json!({"id": [id]})), 1);
    assert_eq!(count(json!({"id": ["someone-else"]})), 0);
    assert_eq!(count(json!({"id": ["someone-else"], "name": name})), 0);
    let (status, v) = call(s, &tok, "users.get_all", json!({"name": "(unclosed"}));
    assert_eq!(status, 400, "{v}");
    let only = ok(
        s,
        &tok,
        "users.get_all",
        json!({"name": name, "only_fields": ["name"]}),
    );
    assert_eq!(only["users"][0], json!({"id": id, "name": name}));
}

fn got_etag(c: &reqwest::blocking::Client, url: &str, tok: &str) -> String {
    let r = c.head(url).bearer_auth(tok).send().unwrap();
    assert_eq!(r.status(), 200);
    r.headers()["etag"].to_str().unwrap().to_string()
}

/// The endpoint table and the handlers agree: every endpoint the table lists is answered
/// by its handler at its first version (never "Unable to find endpoint"), a version below
/// it is a 404 naming that version, and the retired `models.update_for_task` is served up
/// to 2.13 only.
#[test]
fn every_endpoint_in_the_table_has_a_handler_from_its_first_version() {
    let s = Serve::start();
    let tok = token(&s);
    let at = |version: String, name: &str| {
        // A logout ends the token that calls it: it gets one of its own.
        let tok = if name.ends_with(".logout") {
            token(&s)
        } else {
            tok.clone()
        };
        let r = client()
            .post(format!("{}/v{version}/{name}", s.api_url))
            .bearer_auth(&tok)
            .json(&json!({}))
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json::<Value>().unwrap())
    };
    for ep in clearml_serve::endpoints::ENDPOINTS {
        if ep.name == "debug.panic" {
            continue; // a test hook, off here
        }
        let (major, minor) = ep.since();
        let (status, v) = at(format!("{major}.{minor}"), ep.name);
        let msg = v["meta"]["result_msg"].as_str().unwrap_or_default();
        assert!(
            status != 404 && !msg.starts_with("Unable to find endpoint"),
            "{} at {major}.{minor}: {v}",
            ep.name
        );
    }
    let (status, v) = at("2.12".into(), "tasks.add_or_update_model");
    assert_eq!(status, 404, "{v}");
    assert_eq!(
        v["meta"]["result_msg"],
        "Unable to find endpoint for name tasks.add_or_update_model and version 2.12"
    );
    let (status, _) = at("2.13".into(), "models.update_for_task");
    assert_eq!(status, 400, "served at 2.13 (task is missing)");
    let (status, v) = at("2.14".into(), "models.update_for_task");
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_u64()),
        (301, Some(1)),
        "{v}"
    );
}

/// JSON lines are a batch only with their own Content-Type (the SDK always sends it); as
/// plain JSON they are malformed, 400/0, as on the real server.
#[test]
fn json_lines_need_their_content_type() {
    let s = Serve::shared();
    let tok = token(s);
    let lines = "{\"task\": \"x\", \"type\": \"log\", \"msg\": \"a\"}\n{\"task\": \"x\", \"type\": \"log\", \"msg\": \"b\"}";
    let r: Value = client()
        .post(format!("{}/events.add_batch", s.api_url))
        .bearer_auth(&tok)
        .header("Content-Type", "application/json")
        .body(lines)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        (
            r["meta"]["result_code"].as_u64(),
            r["meta"]["result_subcode"].as_u64()
        ),
        (Some(400), Some(0)),
        "{r}"
    );
}
