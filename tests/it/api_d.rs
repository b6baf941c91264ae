//! `serve` against the real server's behaviour (issue 15, part D): the session cookie,
//! `tasks.update` fields, state-change side effects, project merge/move. Each assertion
//! names where the expected behaviour comes from: the API schema
//! (/work/shared/reference/clearml-server-v2.3/schema), a recorded exchange
//! (real-server-responses/quirks/) or the real server's source (clearml-server, read only).

use crate::common::{ACCESS_KEY, SECRET_KEY, Serve};
use crate::serve::{
    call, client, get_task, new_project as project, new_task as task, ok, token, unique,
};
use serde_json::{Value, json};

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

#[test]
fn tasks_update_sets_only_the_user_settable_fields() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "Übersicht");
    let q = project(s, &tok, "目标项目");
    let id = task(s, &tok, json!({"name": "Задача-один", "project": p}));
    let before = get_task(s, &tok, &id);
    // Schema tasks.update lists name/tags/system_tags/comment/project/output__error/created;
    // the real server keeps only the parsed, user_set_allowed ones
    // (services/tasks.py prepare_update_fields + database Task.safe_update): `created`
    // and `status` are parsed out, the rest is set, and the answer's `fields` carries
    // last_change and last_changed_by (the injected update).
    let d = ok(
        s,
        &tok,
        "tasks.update",
        json!({
            "task": id, "name": "Größe-二", "tags": ["标签"], "comment": "Кommentar",
            "project": q, "output__error": "Fehler ä", "status_message": "сообщение",
            "created": "2020-01-02T03:04:05+00:00", "status": "completed",
        }),
    );
    assert_eq!(d["updated"], 1);
    let f = &d["fields"];
    assert_eq!(f["name"], "Größe-二");
    assert_eq!(f["project"], q.as_str());
    assert!(
        f.get("created").is_none() && f.get("status").is_none(),
        "{f}"
    );
    assert!(f["last_change"].is_string(), "{f}");
    assert!(f["last_changed_by"].is_string(), "{f}");
    let t = get_task(s, &tok, &id);
    assert_eq!(t["name"], "Größe-二");
    assert_eq!(t["tags"], json!(["标签"]));
    assert_eq!(t["comment"], "Кommentar");
    assert_eq!(t["project"], q.as_str());
    assert_eq!(t["output"]["error"], "Fehler ä");
    assert_eq!(t["status_message"], "сообщение");
    assert_eq!(t["status"], "created");
    assert_eq!(t["created"], before["created"]);
    assert_eq!(t["last_changed_by"], f["last_changed_by"]);
    // Nothing settable given: `{"updated": 0}` (the early return in tasks.update).
    let d = ok(
        s,
        &tok,
        "tasks.update",
        json!({"task": id, "created": "2021-01-01T00:00:00"}),
    );
    assert_eq!(d["updated"], 0);
    // A project that does not exist is refused (parse_from_call checks the reference).
    let (code, _) = call(
        s,
        &tok,
        "tasks.update",
        json!({"task": id, "project": "нет-такого-проекта"}),
    );
    assert_eq!(code, 400);
}

#[test]
fn status_changes_set_the_real_fields_and_restart_keeps_started() {
    let s = Serve::shared();
    let tok = token(s);
    let id = task(s, &tok, json!({"name": "Lauf-запуск-运行"}));
    // services/tasks.py `started`: a task already in_progress keeps the smaller `started`
    // (min__started); bll/task/utils.py ChangeStatusRequest sets status, status_reason,
    // status_message, status_changed, last_update, last_change, last_changed_by.
    let d = ok(
        s,
        &tok,
        "tasks.started",
        json!({"task": id, "status_reason": "Grund", "status_message": "начало"}),
    );
    assert_eq!(d["started"], 1);
    let t1 = get_task(s, &tok, &id);
    assert_eq!(t1["status"], "in_progress");
    assert_eq!(t1["status_reason"], "Grund");
    assert_eq!(t1["status_message"], "начало");
    assert!(t1["status_changed"].is_string() && t1["started"].is_string());
    assert!(t1["last_changed_by"].is_string(), "{t1}");
    assert!(d["fields"]["last_changed_by"].is_string(), "{d}");
    std::thread::sleep(std::time::Duration::from_millis(20));
    ok(s, &tok, "tasks.started", json!({"task": id, "force": true}));
    let t2 = get_task(s, &tok, &id);
    assert_eq!(t2["started"], t1["started"], "re-start moved `started`");
    // The reason and message are the call's (default ""), not left over.
    assert_eq!(t2["status_reason"], "");
    assert_eq!(t2["status_message"], "");
    assert_ne!(t2["status_changed"], t1["status_changed"]);
}

#[test]
fn deleting_a_controller_with_its_steps_and_a_forced_queue_delete() {
    let s = Serve::shared();
    let tok = token(s);
    // Schema tasks.delete 2.30 `include_pipeline_steps`; bll/task/task_operations.py: the
    // steps are the controller's children (parent = controller), deleted forced.
    let ctl = task(
        s,
        &tok,
        json!({"name": "Конвейер-控制器", "type": "controller"}),
    );
    let step = task(s, &tok, json!({"name": "Schritt-步骤", "parent": ctl}));
    ok(s, &tok, "tasks.started", json!({"task": step}));
    let other = task(s, &tok, json!({"name": "Другая-задача", "parent": ctl}));
    ok(
        s,
        &tok,
        "tasks.delete",
        json!({"task": ctl, "include_pipeline_steps": true}),
    );
    for id in [&ctl, &step, &other] {
        let (code, _) = call(s, &tok, "tasks.get_by_id", json!({"task": id}));
        assert_eq!(code, 400, "{id} still there");
    }
    // Without the flag a step outlives its controller.
    let ctl = task(
        s,
        &tok,
        json!({"name": "Конвейер-два", "type": "controller"}),
    );
    let step = task(s, &tok, json!({"name": "Schritt-zwei", "parent": ctl}));
    ok(s, &tok, "tasks.delete", json!({"task": ctl}));
    assert_eq!(get_task(s, &tok, &step)["name"], "Schritt-zwei");

    // bll/queue/queue_bll.py delete (force): each queued task goes back to its
    // enqueue_status (here `stopped`) with reason "Queue <id> was deleted", no queue.
    let q = ok(
        s,
        &tok,
        "queues.create",
        json!({"name": unique("Очередь-队列")}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = task(s, &tok, json!({"name": "Wartend-ждёт"}));
    ok(s, &tok, "tasks.started", json!({"task": t}));
    ok(s, &tok, "tasks.stopped", json!({"task": t}));
    ok(s, &tok, "tasks.enqueue", json!({"task": t, "queue": q}));
    assert_eq!(get_task(s, &tok, &t)["status"], "queued");
    // queue_bll.delete: not empty and not forced is refused.
    let (code, _) = call(s, &tok, "queues.delete", json!({"queue": q}));
    assert_eq!(code, 400);
    assert_eq!(
        ok(s, &tok, "queues.delete", json!({"queue": q, "force": true}))["deleted"],
        1
    );
    let after = get_task(s, &tok, &t);
    assert_eq!(after["status"], "stopped", "{after}");
    assert_eq!(after["status_reason"], format!("Queue {q} was deleted"));
    assert!(
        after["execution"].get("queue").is_none_or(Value::is_null),
        "{after}"
    );
}

#[test]
fn model_changes_record_who_changed_them() {
    let s = Serve::shared();
    let tok = token(s);
    // quirks/api-models-edit-published.json: models.edit answers fields with
    // last_change and last_changed_by; bll/model archive_model sets both too.
    let m = ok(
        s,
        &tok,
        "models.create",
        json!({"name": "Modell-模型", "uri": "file:///tmp/modell.bin"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let d = ok(
        s,
        &tok,
        "models.edit",
        json!({"model": m, "comment": "Комментарий"}),
    );
    assert!(d["fields"]["last_change"].is_string(), "{d}");
    let by = d["fields"]["last_changed_by"].clone();
    assert!(by.is_string(), "{d}");
    let got = ok(s, &tok, "models.get_by_id", json!({"model": m}))["model"].clone();
    assert_eq!(got["last_changed_by"], by);
    ok(s, &tok, "models.archive_many", json!({"ids": [m]}));
    let got = ok(s, &tok, "models.get_by_id", json!({"model": m}))["model"].clone();
    assert_eq!(got["last_changed_by"], by);
    assert!(
        got["system_tags"]
            .as_array()
            .unwrap()
            .contains(&json!("archived"))
    );
}

fn project_named(s: &Serve, tok: &str, name: &str) -> String {
    ok(s, tok, "projects.create", json!({"name": name}))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn project_name(s: &Serve, tok: &str, id: &str) -> String {
    ok(s, tok, "projects.get_by_id", json!({"project": id}))["project"]["name"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn projects_move_and_merge_as_the_real_server() {
    let s = Serve::shared();
    let tok = token(s);
    let root = unique("Wurzel-根");
    // bll/project/project_bll.py move_project: the project and its sub-projects move
    // under `new_location` (created when missing); `moved` counts them (schema
    // projects.move response). Same location is 400/410, under itself 400/411
    // (apierrors/errors.conf).
    let a = project_named(s, &tok, &format!("{root}/Альфа"));
    let a_kid = project_named(s, &tok, &format!("{root}/Альфа/Kind-子"));
    let d = ok(
        s,
        &tok,
        "projects.move",
        json!({"project": a, "new_location": format!("{root}/Neu-新")}),
    );
    assert_eq!(d["moved"], 2, "{d}");
    assert_eq!(project_name(s, &tok, &a), format!("{root}/Neu-新/Альфа"));
    assert_eq!(
        project_name(s, &tok, &a_kid),
        format!("{root}/Neu-新/Альфа/Kind-子")
    );
    let (code, v) = call(
        s,
        &tok,
        "projects.move",
        json!({"project": a, "new_location": format!("{root}/Neu-新")}),
    );
    assert_eq!(
        (code, v["meta"]["result_subcode"].clone()),
        (400, json!(410))
    );
    let (code, v) = call(
        s,
        &tok,
        "projects.move",
        json!({"project": a, "new_location": format!("{root}/Neu-新/Альфа/Kind-子")}),
    );
    assert_eq!(
        (code, v["meta"]["result_subcode"].clone()),
        (400, json!(411))
    );

    // merge_project: active tasks/models and direct sub-projects go to the destination,
    // archived entities stay, the source is gone; into its own child is 400/412, into
    // itself 400/410.
    let src = project_named(s, &tok, &format!("{root}/Quelle-源"));
    let src_kid = project_named(s, &tok, &format!("{root}/Quelle-源/Unter-под"));
    let dst = project_named(s, &tok, &format!("{root}/Ziel-цель"));
    let t1 = task(s, &tok, json!({"name": "Задача-активная", "project": src}));
    let t2 = task(s, &tok, json!({"name": "Задача-архив", "project": src}));
    ok(s, &tok, "tasks.archive", json!({"tasks": [t2]}));
    let m = ok(
        s,
        &tok,
        "models.create",
        json!({"name": "Modell-合并", "uri": "file:///tmp/m.bin", "project": src}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, v) = call(
        s,
        &tok,
        "projects.merge",
        json!({"project": src, "destination_project": src_kid}),
    );
    assert_eq!(
        (code, v["meta"]["result_subcode"].clone()),
        (400, json!(412))
    );
    let (code, v) = call(
        s,
        &tok,
        "projects.merge",
        json!({"project": src, "destination_project": src}),
    );
    assert_eq!(
        (code, v["meta"]["result_subcode"].clone()),
        (400, json!(410))
    );
    let d = ok(
        s,
        &tok,
        "projects.merge",
        json!({"project": src, "destination_project": dst}),
    );
    assert_eq!(d, json!({"moved_entities": 2, "moved_projects": 1}));
    assert_eq!(get_task(s, &tok, &t1)["project"], dst.as_str());
    assert_eq!(get_task(s, &tok, &t2)["project"], src.as_str());
    let model = ok(s, &tok, "models.get_by_id", json!({"model": m}))["model"].clone();
    assert_eq!(model["project"], dst.as_str());
    assert_eq!(
        project_name(s, &tok, &src_kid),
        format!("{root}/Ziel-цель/Unter-под")
    );
    let (code, _) = call(s, &tok, "projects.get_by_id", json!({"project": src}));
    assert_eq!(code, 400, "the merged project is deleted");
}

#[test]
fn task_edits_record_who_changed_them() {
    let s = Serve::shared();
    let tok = token(s);
    // bll/task/task_bll.py update_task and task_operations.py archive_task set
    // last_change and last_changed_by on every user change of a task.
    let id = task(s, &tok, json!({"name": "Bearbeitung-编辑"}));
    let me = ok(s, &tok, "users.get_current_user", json!({}))["user"]["id"].clone();
    ok(
        s,
        &tok,
        "tasks.edit_hyper_params",
        json!({"task": id, "hyperparams": [{"section": "Общие", "name": "lr", "value": "0.1"}]}),
    );
    let t = get_task(s, &tok, &id);
    assert_eq!(t["last_changed_by"], me, "{t}");
    assert!(t["last_change"].is_string());
    ok(s, &tok, "tasks.archive", json!({"tasks": [id]}));
    let t2 = get_task(s, &tok, &id);
    assert_eq!(t2["last_changed_by"], me);
    assert!(t2["last_change"].as_str() >= t["last_change"].as_str());
}
