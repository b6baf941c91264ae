//! `serve` against the real server's behaviour, issue 26 second round: the model-side
//! one-offs (delete, publish, edit/update, listings, frameworks, move, metadata keys).
//! Each assertion names where the expected behaviour comes from: the real server's source
//! (clearml-server 2.3, read only) or its own API tests (apiserver/tests/automated).

use crate::common::Serve;
use crate::serve::{get_task, new_project, new_task, ok, refused, token, unique};
use serde_json::{Value, json};

/// A model with `extra` fields; its id.
fn new_model(s: &Serve, tok: &str, name: &str, extra: Value) -> String {
    let mut body = extra;
    body["name"] = json!(name);
    if body.get("uri").is_none() {
        body["uri"] = json!(format!("file:///tmp/{name}.pt"));
    }
    ok(s, tok, "models.create", body)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A running task with a draft output model; (task, model).
fn task_and_model(s: &Serve, tok: &str, project: &str, name: &str) -> (String, String) {
    let task = new_task(s, tok, json!({"name": name, "project": project}));
    ok(s, tok, "tasks.started", json!({"task": task}));
    let model = new_model(
        s,
        tok,
        &format!("{name}-模型"),
        json!({"task": task, "project": project, "ready": false}),
    );
    ok(
        s,
        tok,
        "tasks.add_or_update_model",
        json!({"task": task, "name": "Ausgabe-输出", "model": model, "type": "output"}),
    );
    (task, model)
}

fn model_doc(s: &Serve, tok: &str, id: &str) -> Value {
    ok(s, tok, "models.get_by_id", json!({"model": id}))["model"].clone()
}

#[test]
fn delete_takes_the_model_out_of_its_task_and_guards_published_and_used_ones() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Löschen-删除");
    // tests/automated/test_models.py test_delete_model_for_task, bll/model delete_model:
    // a draft task loses the model from models.output ...
    let (task, model) = task_and_model(s, &tok, &project, "Entwurf-草稿");
    let r = ok(s, &tok, "models.delete", json!({"model": model}));
    assert_eq!(r["deleted"], true, "{r}");
    let (status, sub, _) = refused(s, &tok, "models.get_by_id", json!({"model": model}));
    assert_eq!((status, sub), (400, json!(201)));
    assert_eq!(get_task(s, &tok, &task)["models"]["output"], json!([]));
    // ... a published one keeps `__DELETED__<id>` and says so in output.error; without
    // force it is 400/206 (errors.conf model_creating_task_exists).
    let (task, model) = task_and_model(s, &tok, &project, "Veröffentlicht-发布");
    ok(s, &tok, "tasks.stopped", json!({"task": task}));
    ok(
        s,
        &tok,
        "tasks.publish",
        json!({"task": task, "publish_model": false}),
    );
    let (status, sub, msg) = refused(s, &tok, "models.delete", json!({"model": model}));
    assert_eq!((status, sub), (400, json!(206)), "{msg}");
    assert!(msg.contains(&task), "{msg}");
    model_doc(s, &tok, &model);
    ok(
        s,
        &tok,
        "models.delete",
        json!({"model": model, "force": true}),
    );
    let t = get_task(s, &tok, &task);
    assert_eq!(
        t["models"]["output"][0]["model"],
        json!(format!("__DELETED__{model}")),
        "{t}"
    );
    assert!(
        t["output"]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("model deleted on ")),
        "{t}"
    );
    // A model another task runs from is 400/205 (model_in_use) without force; with force
    // that task points at `__DELETED__<id>`.
    let used = new_model(s, &tok, "Eingabe-输入", json!({"project": project}));
    let user = new_task(s, &tok, json!({"name": "Nutzer-用户", "project": project}));
    ok(
        s,
        &tok,
        "tasks.add_or_update_model",
        json!({"task": user, "name": "Eingabe", "model": used, "type": "input"}),
    );
    let (status, sub, msg) = refused(s, &tok, "models.delete", json!({"model": used}));
    assert_eq!((status, sub), (400, json!(205)), "{msg}");
    assert!(msg.contains("num_tasks=1"), "{msg}");
    let r = ok(
        s,
        &tok,
        "models.delete_many",
        json!({"ids": [used], "force": true}),
    );
    assert_eq!(r["succeeded"][0]["deleted"], true, "{r}");
    assert_eq!(
        get_task(s, &tok, &user)["models"]["input"][0]["model"],
        json!(format!("__DELETED__{used}"))
    );
    // Hostile ids: an unknown model is 400/201, not a crash.
    let (status, sub, _) = refused(
        s,
        &tok,
        "models.delete",
        json!({"model": "'; DROP TABLE models; --"}),
    );
    assert_eq!((status, sub), (400, json!(201)));
}

#[test]
fn set_ready_refuses_to_publish_a_running_task_unless_forced() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Bereit-就绪");
    // test_models.py test_publish_output_model_running_task: 400/110, nothing changes.
    let (task, model) = task_and_model(s, &tok, &project, "Läuft-运行");
    let (status, sub, msg) = refused(s, &tok, "models.set_ready", json!({"model": model}));
    assert_eq!((status, sub), (400, json!(110)), "{msg}");
    assert_eq!(model_doc(s, &tok, &model)["ready"], false);
    assert_eq!(get_task(s, &tok, &task)["status"], "in_progress");
    // ..._no_task_publish: the model alone.
    let r = ok(
        s,
        &tok,
        "models.set_ready",
        json!({"model": model, "publish_task": false}),
    );
    assert_eq!(r["updated"], 1);
    assert!(r.get("published_task").is_none_or(Value::is_null), "{r}");
    assert_eq!(model_doc(s, &tok, &model)["ready"], true);
    assert_eq!(get_task(s, &tok, &task)["status"], "in_progress");
    // ..._force_task_publish.
    let (task, model) = task_and_model(s, &tok, &project, "Gezwungen-强制");
    ok(
        s,
        &tok,
        "models.set_ready",
        json!({"model": model, "force_publish_task": true}),
    );
    assert_eq!(get_task(s, &tok, &task)["status"], "published");
    // ..._stopped_task: published with the model.
    let (task, model) = task_and_model(s, &tok, &project, "Gestoppt-停止");
    ok(s, &tok, "tasks.stopped", json!({"task": task}));
    let r = ok(s, &tok, "models.set_ready", json!({"model": model}));
    assert_eq!(r["published_task"]["id"], json!(task), "{r}");
    assert_eq!(get_task(s, &tok, &task)["status"], "published");
}

#[test]
fn edit_and_update_raise_the_tasks_iteration_and_clear_the_ui_cache() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Iteration-迭代");
    let task = new_task(s, &tok, json!({"name": "Zähler-计数", "project": project}));
    let model = new_model(s, &tok, "Modell-模型", json!({"project": project}));
    // test_models.py test_update_model_iteration_with_task: update with task + iteration
    // raises the task's last_iteration, never lowers it.
    ok(
        s,
        &tok,
        "models.update",
        json!({"model": model, "task": task, "iteration": 1000, "labels": {"foo": 1}}),
    );
    assert_eq!(get_task(s, &tok, &task)["last_iteration"], 1000);
    ok(
        s,
        &tok,
        "models.update",
        json!({"model": model, "task": task, "iteration": 500}),
    );
    assert_eq!(get_task(s, &tok, &task)["last_iteration"], 1000);
    // services/models.py edit: `iteration` is no model field — alone it changes nothing of
    // the model (updated: 0, as quirks/api-models-edit-published.json "iteration only"
    // shows) but raises the model's task.
    let r = ok(
        s,
        &tok,
        "models.edit",
        json!({"model": model, "iteration": 2000}),
    );
    assert_eq!(r, json!({"updated": 0, "fields": {}}));
    assert_eq!(get_task(s, &tok, &task)["last_iteration"], 2000);
    // prepare_update_fields: a new uri answers and stores `ui_cache: {}`.
    let r = ok(
        s,
        &tok,
        "models.edit",
        json!({"model": model, "uri": "file:///tmp/neu-新.pt"}),
    );
    assert_eq!(r["fields"]["ui_cache"], json!({}), "{r}");
    assert_eq!(r["updated"], 1);
    // validate_task: an unknown task is 400/101.
    let (status, sub, _) = refused(
        s,
        &tok,
        "models.update",
        json!({"model": model, "task": "kein-任务", "iteration": 1}),
    );
    assert_eq!((status, sub), (400, json!(101)));
}

#[test]
fn listings_give_stats_subprojects_frameworks_and_root_metadata_keys() {
    let s = Serve::shared();
    let tok = token(s);
    let root = unique("Modelle-模型库");
    let parent = ok(s, &tok, "projects.create", json!({"name": root}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let child = ok(
        s,
        &tok,
        "projects.create",
        json!({"name": format!("{root}/Kind-子")}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let framework = unique("Fackel-火炬");
    let m1 = new_model(
        s,
        &tok,
        "Eins-一",
        json!({"project": parent, "labels": {"hallo": 1, "welt": 2}, "framework": framework}),
    );
    let m2 = new_model(
        s,
        &tok,
        "Zwei-二",
        json!({"project": child, "labels": {"foo": 1}, "framework": "Keras"}),
    );
    let m3 = new_model(s, &tok, "Drei-三", json!({"project": child}));
    // test_models.py test_get_models_stats: stats only with include_stats.
    let plain = ok(s, &tok, "models.get_all_ex", json!({"id": [m1, m2, m3]}))["models"].clone();
    assert!(
        plain
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m.get("stats").is_none()),
        "{plain}"
    );
    let with = ok(
        s,
        &tok,
        "models.get_all_ex",
        json!({"id": [m1, m2, m3], "include_stats": true, "only_fields": ["name"]}),
    )["models"]
        .clone();
    let count = |id: &str| {
        with.as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .map(|m| m["stats"]["labels_count"].clone())
    };
    assert_eq!(
        (count(&m1), count(&m2), count(&m3)),
        (Some(json!(2)), Some(json!(1)), Some(json!(0))),
        "{with}"
    );
    // services/utils.py process_include_subprojects: the children's models too.
    for endpoint in ["models.get_all", "models.get_all_ex"] {
        let n = |sub: bool| {
            ok(
                s,
                &tok,
                endpoint,
                json!({"project": [parent], "include_subprojects": sub}),
            )["models"]
                .as_array()
                .unwrap()
                .len()
        };
        assert_eq!((n(false), n(true)), (1, 3), "{endpoint}");
    }
    // get_frameworks: the frameworks in use under the projects, sorted, no empty ones.
    let f = ok(
        s,
        &tok,
        "models.get_frameworks",
        json!({"projects": [parent]}),
    );
    let mut want = vec![framework.clone(), "Keras".to_string()];
    want.sort();
    assert_eq!(f["frameworks"], json!(want), "{f}");
    let all = ok(s, &tok, "models.get_frameworks", json!({}));
    assert!(
        all["frameworks"]
            .as_array()
            .unwrap()
            .contains(&json!(framework)),
        "{all}"
    );
    // project_queries.py _get_project_constraint: no project and include_subprojects false
    // covers the root models only.
    let key_in = unique("Schlüssel-键");
    let key_root = unique("Wurzel-根");
    ok(
        s,
        &tok,
        "models.add_or_update_metadata",
        json!({"model": m2, "metadata": [{"key": key_in, "value": "1"}]}),
    );
    let at_root = new_model(s, &tok, "Wurzel-根模型", json!({}));
    ok(
        s,
        &tok,
        "models.add_or_update_metadata",
        json!({"model": at_root, "metadata": [{"key": key_root, "value": "2"}]}),
    );
    let keys = |body: Value| {
        ok(s, &tok, "projects.get_model_metadata_keys", body)["keys"]
            .as_array()
            .unwrap()
            .clone()
    };
    let root_keys = keys(json!({"include_subprojects": false, "page_size": 10000}));
    assert!(root_keys.contains(&json!(key_root)), "{root_keys:?}");
    assert!(!root_keys.contains(&json!(key_in)), "{root_keys:?}");
    let every = keys(json!({"page_size": 10000}));
    assert!(every.contains(&json!(key_in)) && every.contains(&json!(key_root)));
}

#[test]
fn move_takes_a_project_name_and_answers_the_project() {
    let s = Serve::shared();
    let tok = token(s);
    let model = new_model(s, &tok, "Umzug-搬家", json!({}));
    let name = unique("Ziel-目标");
    // services/models.py move → project_bll.move_under_project: `project_name` finds or
    // makes the project; the answer is `{project_id}`.
    let r = ok(
        s,
        &tok,
        "models.move",
        json!({"ids": [model], "project_name": name}),
    );
    let pid = r["project_id"].as_str().unwrap().to_string();
    assert_eq!(r, json!({"project_id": pid}));
    let p = ok(s, &tok, "projects.get_by_id", json!({"project": pid}))["project"].clone();
    assert_eq!(p["name"], json!(name));
    assert_eq!(model_doc(s, &tok, &model)["project"], json!(pid));
    // Neither project nor project_name: 400/11; an unknown project: 400/401
    // (errors.conf invalid_project_id).
    let (status, sub, _) = refused(s, &tok, "models.move", json!({"ids": [model]}));
    assert_eq!((status, sub), (400, json!(11)));
    let (status, sub, _) = refused(
        s,
        &tok,
        "models.move",
        json!({"ids": [model], "project": "../../etc/passwd"}),
    );
    assert_eq!((status, sub), (400, json!(401)));
}

#[test]
fn worker_and_queue_statistics_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let s = Serve::start_in(dir.path());
    let tok = token(&s);
    let q = ok(
        &s,
        &tok,
        "queues.create",
        json!({"name": unique("Warteschlange-队列")}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = new_task(&s, &tok, json!({"name": "Wartend-等待"}));
    ok(&s, &tok, "tasks.enqueue", json!({"task": t, "queue": q}));
    let w = unique("Arbeiter-工人");
    let now = chrono::Utc::now().timestamp() as f64;
    ok(
        &s,
        &tok,
        "workers.status_report",
        json!({"worker": w, "task": t, "timestamp": (now * 1000.0) as i64,
               "machine_stats": {"cpu_usage": [10, 42], "memory_used": 50}}),
    );
    // The real server keeps these samples in Elasticsearch (bll/workers/stats.py,
    // bll/queue/queue_metrics.py), so a restarted API server still charts them. Killed,
    // not stopped: nothing may wait for a clean shutdown.
    s.kill();
    let s = Serve::start_in(dir.path());
    let tok = token(&s);
    let start = now.floor() - 200.0;
    let stats = ok(
        &s,
        &tok,
        "workers.get_stats",
        json!({"items": [{"key": "cpu_usage", "aggregation": "max"}], "from_date": start,
               "to_date": start + 400.0, "interval": 1, "worker_ids": [w]}),
    );
    assert_eq!(stats["workers"][0]["worker"], json!(w), "{stats}");
    let values = &stats["workers"][0]["metrics"][0]["stats"][0]["values"];
    assert!(values.as_array().unwrap().contains(&json!(42.0)), "{stats}");
    let keys = ok(
        &s,
        &tok,
        "workers.get_metric_keys",
        json!({"worker_ids": [w]}),
    );
    assert!(keys.to_string().contains("memory_used"), "{keys}");
    let m = ok(
        &s,
        &tok,
        "queues.get_queue_metrics",
        json!({"queue_ids": [q], "from_date": now - 60.0, "to_date": now + 60.0, "interval": 10}),
    );
    assert!(
        m["queues"][0]["queue_lengths"]
            .as_array()
            .is_some_and(|l| l.contains(&json!(1))),
        "{m}"
    );
    s.kill();
}

#[test]
fn older_clients_get_the_old_log_and_debug_image_shapes() {
    let s = Serve::shared();
    let tok = token(s);
    let task = new_task(s, &tok, json!({"name": "Alt-旧客户端"}));
    let mut events = Vec::new();
    for (i, msg) in ["eins-一", "zwei-二", "drei-三"].iter().enumerate() {
        events.push(
            json!({"type": "log", "task": task, "msg": msg, "level": "info",
                           "timestamp": 1_700_000_000_000i64 + i as i64 * 1000}),
        );
    }
    for it in 1..=3 {
        for v in ["links-左", "rechts-右"] {
            events.push(
                json!({"type": "training_debug_image", "task": task, "iter": it,
                "metric": "Bilder-图片", "variant": v, "url": format!("http://x/{it}/{v}.png"),
                "timestamp": 1_700_000_000_000i64 + it}),
            );
        }
    }
    crate::serve::add_batch(s, &tok, &events);
    let msgs = |v: &Value| -> Vec<String> {
        v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["msg"].as_str().unwrap().to_string())
            .collect()
    };
    // services/events.py get_task_log_v1_7: scroll from the head (oldest first), answered
    // in `order`, default desc (LegacyLogEventsRequest); pages continue along scroll_id.
    let first = ok(
        s,
        &tok,
        "v2.8/events.get_task_log",
        json!({"task": task, "batch_size": 2}),
    );
    assert_eq!(msgs(&first), ["zwei-二", "eins-一"], "{first}");
    assert_eq!(
        (first["total"].clone(), first["returned"].clone()),
        (json!(3), json!(2))
    );
    let sid = first["scroll_id"].as_str().unwrap();
    let next = ok(
        s,
        &tok,
        "v2.8/events.get_task_log",
        json!({"task": task, "batch_size": 2, "scroll_id": sid}),
    );
    assert_eq!(msgs(&next), ["drei-三"], "{next}");
    let tail = ok(
        s,
        &tok,
        "v2.8/events.get_task_log",
        json!({"task": task, "from": "tail", "order": "desc", "batch_size": 2}),
    );
    assert_eq!(msgs(&tail), ["drei-三", "zwei-二"], "{tail}");
    // From 2.9 the newest come first with no scroll (LogEventsRequest).
    let now = ok(s, &tok, "events.get_task_log", json!({"task": task}));
    assert!(now.get("scroll_id").is_none(), "{now}");
    // get_debug_images_v1_8: the task's last `iters` iterations, newest first, flat.
    let old = ok(
        s,
        &tok,
        "v2.6/events.debug_images",
        json!({"task": task, "iters": 2}),
    );
    assert_eq!(old["task"], json!(task));
    let iters: Vec<i64> = old["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["iter"].as_i64().unwrap())
        .collect();
    assert_eq!(iters, [3, 3, 2, 2], "{old}");
    assert_eq!(
        (old["returned"].clone(), old["total"].clone()),
        (json!(4), json!(4))
    );
    // 2.7 on: `metrics` is required and the answer is by metric.
    let (status, _, _) = refused(s, &tok, "events.debug_images", json!({"task": task}));
    assert_eq!(status, 400);
    let (status, sub, _) = refused(
        s,
        &tok,
        "v2.6/events.debug_images",
        json!({"task": "nicht-da-不存在"}),
    );
    assert_eq!((status, sub), (400, json!(101)));
}
