//! `serve` against the real server's behaviour beyond the SDK's common flows (issue 15,
//! part B): events API shapes, filters, side effects of state changes, statistics,
//! ordering and metadata. Each assertion names where the expected behaviour comes from:
//! the API schema (/work/shared/reference/clearml-server-v2.3/schema), a recorded exchange
//! (real-server-responses/, quirks/), or the real server's source (clearml-server, read only).

use crate::common::Serve;
use crate::serve::{
    add_batch, call, get_task, new_project as project, new_task as task, ok, token, unique,
};
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Kind 3: shapes of the events read endpoints.
#[test]
fn events_read_endpoints_answer_the_real_shapes() {
    let s = Serve::shared();
    let tok = token(s);
    let name = "Событие Ereignis 事件";
    let t = task(s, &tok, json!({"name": name}));
    let single = -(1i64 << 31);
    let mut events: Vec<Value> = (0..100)
        .map(|i| {
            json!({"type": "training_stats_scalar", "task": t, "iter": i,
            "metric": "Verlust", "variant": "обучение", "value": i})
        })
        .collect();
    // A single-value ("Summary") scalar of the same metric and one of its own.
    events.push(
        json!({"type": "training_stats_scalar", "task": t, "iter": single,
        "metric": "Verlust", "variant": "обучение", "value": 500}),
    );
    events.push(
        json!({"type": "training_stats_scalar", "task": t, "iter": single,
        "metric": "Genauigkeit", "variant": "v", "value": 0.5}),
    );
    events.push(json!({"type": "training_debug_image", "task": t, "iter": 1,
        "metric": "Bilder", "variant": "x", "url": "http://x/a.png"}));
    let added = add_batch(s, &tok, &events);
    assert_eq!(added["added"], 103, "{added}");

    // scalar_metrics_iter_raw: per variant the key's list (`iter`) and `y`; single-value
    // points included; total only with count_total (source: services/events.py
    // scalar_metrics_iter_raw and extract_properties_to_lists with target keys [y, key];
    // schema events.conf scalar_metrics_iter_raw).
    let metric = json!({"metric": "Verlust", "variants": ["обучение"]});
    let raw = ok(
        s,
        &tok,
        "events.scalar_metrics_iter_raw",
        json!({"task": t, "metric": metric, "count_total": true, "batch_size": 60}),
    );
    assert_eq!(raw["total"], 101);
    assert_eq!(raw["returned"], 60);
    let v = &raw["variants"]["обучение"];
    assert!(v.get("x").is_none(), "{v}");
    assert_eq!(v["iter"][0], single);
    assert_eq!(v["iter"][1], 0);
    assert_eq!(v["y"][0], 500.0);
    let rest = ok(
        s,
        &tok,
        "events.scalar_metrics_iter_raw",
        json!({"task": t, "metric": metric, "scroll_id": raw["scroll_id"]}),
    );
    assert_eq!(rest["returned"], 41);
    // The scroll carries the first call's total (services/events.py
    // scalar_metrics_iter_raw: `total = scroll.total`).
    assert_eq!(rest["total"], 101);
    assert_eq!(rest["variants"]["обучение"]["iter"][40], 99);

    // Reporting the same task/iteration/metric/variant again replaces the event (the real
    // server's event id is a hash of those fields: event_bll.py _get_event_id).
    ok(
        s,
        &tok,
        "events.add",
        json!({"type": "training_stats_scalar", "task": t, "iter": single,
            "metric": "Verlust", "variant": "обучение", "value": 1000}),
    );
    let raw = ok(
        s,
        &tok,
        "events.scalar_metrics_iter_raw",
        json!({"task": t, "metric": metric, "count_total": true}),
    );
    assert_eq!(raw["total"], 101);
    assert_eq!(raw["variants"]["обучение"]["y"][0], 1000.0);

    // The histogram leaves single-value points out and, given fewer samples than points,
    // averages buckets of ceil(range / samples) iterations (event_metrics.py
    // _build_metric_interval and the ES histogram aggregation).
    let hist = ok(
        s,
        &tok,
        "events.scalar_metrics_iter_histogram",
        json!({"task": t, "samples": 10}),
    );
    let series = &hist["Verlust"]["обучение"];
    assert_eq!(
        series["x"],
        json!((0..10).map(|i| i * 10).collect::<Vec<_>>())
    );
    assert_eq!(series["y"][0], 4.5);
    assert_eq!(series["name"], "обучение");
    assert!(hist.get("Genauigkeit").is_none(), "{hist}");
    let full = ok(
        s,
        &tok,
        "events.scalar_metrics_iter_histogram",
        json!({"task": t}),
    );
    assert_eq!(
        full["Verlust"]["обучение"]["x"].as_array().unwrap().len(),
        100
    );
    // Recorded exchange events.scalar_metrics_iter_histogram.json: {metric: {variant:
    // {name, x, y}}} with no wrapper.
    assert!(full.get("metrics").is_none());
    let (status, bad) = call(
        s,
        &tok,
        "events.scalar_metrics_iter_histogram",
        json!({"task": t, "samples": 7000}),
    );
    assert_eq!(
        (status, bad["meta"]["result_subcode"].as_i64()),
        (400, Some(12))
    );

    // multi_task_scalar_metrics_iter_histogram wraps the result in `metrics`, each task's
    // series named after the task (services/events.py; event_metrics.py
    // compare_scalar_metrics_average_per_iter).
    let multi = ok(
        s,
        &tok,
        "events.multi_task_scalar_metrics_iter_histogram",
        json!({"tasks": [t]}),
    );
    let per_task = &multi["metrics"]["Verlust"]["обучение"][t.as_str()];
    assert_eq!(per_task["name"], name);
    assert_eq!(per_task["x"].as_array().unwrap().len(), 100);
    let (status, bad) = call(
        s,
        &tok,
        "events.multi_task_scalar_metrics_iter_histogram",
        json!({"tasks": [t, "nosuchtask"]}),
    );
    assert_eq!(
        (status, bad["meta"]["result_subcode"].as_i64()),
        (400, Some(101))
    );

    // get_multi_task_metrics: sorted [{metric, variants}] over every event type by default
    // (services/events.py get_multi_task_metrics; schema events.conf).
    let mm = ok(
        s,
        &tok,
        "events.get_multi_task_metrics",
        json!({"tasks": [t]}),
    );
    assert_eq!(
        mm["metrics"],
        json!([{"metric": "Bilder", "variants": ["x"]},
            {"metric": "Genauigkeit", "variants": ["v"]},
            {"metric": "Verlust", "variants": ["обучение"]}])
    );
    let mm = ok(
        s,
        &tok,
        "events.get_multi_task_metrics",
        json!({"tasks": [t], "event_type": "plot"}),
    );
    assert_eq!(mm["metrics"], json!([]));

    // get_task_metrics leaves single-value-only metrics out (event_metrics.py
    // _task_conditions: iter > -2^31).
    let tm = ok(
        s,
        &tok,
        "events.get_task_metrics",
        json!({"tasks": [t], "event_type": "training_stats_scalar"}),
    );
    assert_eq!(tm["metrics"], json!([{"task": t, "metrics": ["Verlust"]}]));

    // get_scalar_metrics_and_variants: {metric: [variants]} (event_bll.py
    // get_metrics_and_variants).
    let mv = ok(
        s,
        &tok,
        "events.get_scalar_metrics_and_variants",
        json!({"task": t}),
    );
    assert_eq!(mv["metrics"]["Verlust"], json!(["обучение"]));
}

/// Kind 4: filters the real server's get_all and friends accept.
#[test]
fn filters_follow_the_real_query_language() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "Filter Projekt");
    let tagged = task(
        s,
        &tok,
        json!({"name": "mit Tag", "project": p, "tags": ["тег"]}),
    );
    let bare = task(
        s,
        &tok,
        json!({"name": "ohne Tag", "project": p, "type": "testing"}),
    );
    let both = json!([tagged, bare]);
    // `filters` with any/all, include/exclude and null for "no tags" (database/model/base.py
    // ListQueryFilter: any → in / not all, all → all / nin, null → size 0).
    for (cond, op, tags, expected) in [
        ("any", "include", json!([null]), vec![&bare]),
        ("any", "include", json!(["тег"]), vec![&tagged]),
        ("any", "include", json!(["тег", null]), vec![&tagged, &bare]),
        ("any", "exclude", json!([null]), vec![&tagged]),
        ("any", "exclude", json!(["тег"]), vec![&bare]),
        ("any", "exclude", json!(["тег", null]), vec![&tagged, &bare]),
        ("all", "include", json!([null]), vec![&bare]),
        ("all", "include", json!(["тег"]), vec![&tagged]),
        ("all", "include", json!(["тег", null]), vec![]),
        ("all", "exclude", json!([null]), vec![&tagged]),
        ("all", "exclude", json!(["тег"]), vec![&bare]),
        ("all", "exclude", json!(["тег", null]), vec![]),
    ] {
        let got = ok(
            s,
            &tok,
            "tasks.get_all_ex",
            json!({"id": both, "filters": {"tags": {cond: {op: tags}}}}),
        );
        let mut got = ids(&got["tasks"]);
        got.sort();
        let mut want: Vec<String> = expected.into_iter().cloned().collect();
        want.sort();
        assert_eq!(got, want, "{cond} {op} {tags}");
    }
    // An unknown condition is a validation error (ListQueryFilter.from_data).
    let (status, v) = call(
        s,
        &tok,
        "tasks.get_all_ex",
        json!({"filters": {"tags": {"test": ["1"]}}}),
    );
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_i64()),
        (400, Some(12))
    );

    // tasks.get_types(projects=…): only the types used there (project_bll.get_task_types).
    let types = ok(s, &tok, "tasks.get_types", json!({"projects": [p]}));
    let mut types: Vec<String> = types["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    types.sort();
    assert_eq!(types, ["testing", "training"]);

    // projects.get_task_parents(projects=…): distinct parents of the tasks there, sorted by
    // name, with their project (project_bll.get_task_parents; schema projects.conf).
    let parent = task(s, &tok, json!({"name": "Elternteil 父", "project": p}));
    task(
        s,
        &tok,
        json!({"name": "Kind 1", "project": p, "parent": parent}),
    );
    task(
        s,
        &tok,
        json!({"name": "Kind 2", "project": p, "parent": parent}),
    );
    let parents = ok(
        s,
        &tok,
        "projects.get_task_parents",
        json!({"projects": [p]}),
    );
    let pname = ok(s, &tok, "projects.get_by_id", json!({"project": p}))["project"]["name"].clone();
    assert_eq!(
        parents["parents"],
        json!([{"id": parent, "name": "Elternteil 父", "project": {"id": p, "name": pname}}])
    );
    let none = ok(
        s,
        &tok,
        "projects.get_task_parents",
        json!({"projects": [p], "tasks_state": "archived"}),
    );
    assert_eq!(none["parents"], json!([]));

    // Queues tagged k8s-glue are hidden unless asked for (config services/queues.conf
    // hidden_tags; services/queues.py _hidden_query).
    let qname = unique("k8s-очередь");
    let q = ok(
        s,
        &tok,
        "queues.create",
        json!({"name": qname, "system_tags": ["k8s-glue"]}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let all = ok(s, &tok, "queues.get_all", json!({}));
    assert!(!ids(&all["queues"]).contains(&q));
    let hidden = ok(s, &tok, "queues.get_all", json!({"search_hidden": true}));
    assert!(ids(&hidden["queues"]).contains(&q));
    let by_name = ok(s, &tok, "queues.get_all_ex", json!({"name": qname}));
    assert_eq!(ids(&by_name["queues"]), std::slice::from_ref(&q));

    // workers.get_all by tags: any included tag, none excluded (bll/workers _get_keys).
    let w = unique("arbeiter-工人");
    ok(
        s,
        &tok,
        "workers.register",
        json!({"worker": w, "tags": ["application"]}),
    );
    let seen = |tags: Value| -> bool {
        let all = ok(
            s,
            &tok,
            "workers.get_all",
            json!({"last_seen": 100, "tags": tags}),
        );
        ids(&all["workers"]).contains(&w)
    };
    assert!(seen(json!(["application", "test"])));
    assert!(!seen(json!(["test"])));
    assert!(!seen(json!(["-application"])));
}

/// Kind 5: side effects of task, queue and worker state changes.
#[test]
fn state_changes_have_the_real_side_effects() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "Nebenwirkungen");
    let q = ok(s, &tok, "queues.create", json!({"name": unique("очередь")}))["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Enqueueing drops the `development` system tag (bll/task/utils.py ChangeStatusRequest:
    // queued pulls it) and remembers the previous status.
    let t = task(
        s,
        &tok,
        json!({"name": "Entwicklung", "project": p, "system_tags": ["development"]}),
    );
    ok(s, &tok, "tasks.enqueue", json!({"task": t, "queue": q}));
    let doc = get_task(s, &tok, &t);
    assert_eq!(doc["status"], "queued");
    assert!(
        !doc["system_tags"]
            .as_array()
            .unwrap()
            .contains(&json!("development"))
    );

    // queues.remove_task(update_task_status) returns the task to its earlier status and
    // drops its queue (queue_bll.py _update_task_status_on_removal_from_queue).
    let r = ok(
        s,
        &tok,
        "queues.remove_task",
        json!({"queue": q, "task": t, "update_task_status": true}),
    );
    assert_eq!(r["removed"], 1);
    let doc = get_task(s, &tok, &t);
    assert_eq!(doc["status"], "created");
    assert!(doc["execution"]["queue"].is_null(), "{doc}");
    // Removing a task that is not in the queue is 400/703 (InvalidQueueOrTaskNotQueued).
    let (status, v) = call(
        s,
        &tok,
        "queues.remove_task",
        json!({"queue": q, "task": t}),
    );
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_i64()),
        (400, Some(703))
    );

    // tasks.stop on a task a worker runs: status stays, message `stopping` (the worker
    // stops it); a development task stops at once (task_operations.py stop_task).
    let run = task(s, &tok, json!({"name": "vom Arbeiter", "project": p}));
    ok(s, &tok, "tasks.started", json!({"task": run}));
    let w = unique("arbeiter");
    ok(
        s,
        &tok,
        "workers.status_report",
        json!({"worker": w, "task": run, "timestamp": (now_secs() * 1000.0) as i64}),
    );
    let r = ok(s, &tok, "tasks.stop", json!({"task": run}));
    assert_eq!(r["fields"]["status_message"], "stopping");
    let doc = get_task(s, &tok, &run);
    assert_eq!(
        (doc["status"].as_str(), doc["last_worker"].as_str()),
        (Some("in_progress"), Some(w.as_str()))
    );
    let dev = task(
        s,
        &tok,
        json!({"name": "lokal", "project": p, "system_tags": ["development"]}),
    );
    ok(s, &tok, "tasks.started", json!({"task": dev}));
    ok(s, &tok, "tasks.stop", json!({"task": dev}));
    assert_eq!(get_task(s, &tok, &dev)["status"], "stopped");

    // tasks.ping touches last_update (tasks.py ping → set_last_update).
    let before = get_task(s, &tok, &run)["last_update"].clone();
    std::thread::sleep(std::time::Duration::from_millis(20));
    ok(s, &tok, "tasks.ping", json!({"task": run}));
    assert_ne!(get_task(s, &tok, &run)["last_update"], before);

    // models.create without `ready` stores a published model (quirks
    // api-models-set-ready-twice.json).
    let m = ok(
        s,
        &tok,
        "models.create",
        json!({"name": "Modell 模型", "uri": "file:///tmp/m.pt"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        ok(s, &tok, "models.get_by_id", json!({"model": m}))["model"]["ready"],
        true
    );

    // Archiving a pipeline controller with include_pipeline_steps archives its steps too
    // (task_operations.py archive_task).
    let ctrl = task(
        s,
        &tok,
        json!({"name": "Steuerung", "project": p, "type": "controller"}),
    );
    let step = task(
        s,
        &tok,
        json!({"name": "Schritt", "project": p, "parent": ctrl}),
    );
    ok(
        s,
        &tok,
        "tasks.archive_many",
        json!({"ids": [ctrl], "include_pipeline_steps": true}),
    );
    for id in [&ctrl, &step] {
        let tags = get_task(s, &tok, id)["system_tags"].clone();
        assert!(
            tags.as_array().unwrap().contains(&json!("archived")),
            "{id}: {tags}"
        );
    }
}

/// Kind 8: statistics endpoints fed by queue changes and worker reports.
#[test]
fn statistics_endpoints_report_what_happened() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "Statistik");
    let q = ok(
        s,
        &tok,
        "queues.create",
        json!({"name": unique("статистика")}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = task(s, &tok, json!({"name": "gezählt", "project": p}));
    ok(s, &tok, "tasks.enqueue", json!({"task": t, "queue": q}));
    // get_queue_metrics: per requested queue, dates with the queue lengths seen
    // (queue_metrics.py; schema queues.conf queue_metrics).
    let now = now_secs();
    let m = ok(
        s,
        &tok,
        "queues.get_queue_metrics",
        json!({"queue_ids": [q], "from_date": now - 60.0, "to_date": now + 60.0, "interval": 10}),
    );
    let series = &m["queues"][0];
    assert_eq!(series["queue"], q);
    assert!(!series["dates"].as_array().unwrap().is_empty(), "{m}");
    assert!(
        series["queue_lengths"]
            .as_array()
            .unwrap()
            .contains(&json!(1)),
        "{m}"
    );
    assert_eq!(
        series["dates"].as_array().unwrap().len(),
        series["avg_waiting_times"].as_array().unwrap().len()
    );

    // Project stats count the run time of finished tasks (project_bll.py runtime_subquery:
    // seconds from started to completed).
    let run = task(s, &tok, json!({"name": "gelaufen", "project": p}));
    ok(s, &tok, "tasks.started", json!({"task": run}));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ok(s, &tok, "tasks.completed", json!({"task": run}));
    let stats = ok(
        s,
        &tok,
        "projects.get_all_ex",
        json!({"id": [p], "include_stats": true}),
    );
    let active = &stats["projects"][0]["stats"]["active"];
    assert!(active["total_runtime"].as_i64().unwrap() >= 1, "{active}");
    assert_eq!(active["completed_tasks_24h"], 1);
    assert!(active["last_task_run"].is_string());

    // Worker statistics from status reports (bll/workers/stats.py).
    let w = unique("statistik-arbeiter");
    let ts = (now * 1000.0) as i64;
    ok(
        s,
        &tok,
        "workers.status_report",
        json!({"worker": w, "task": t, "timestamp": ts,
            "machine_stats": {"cpu_usage": [10, 20], "memory_used": 50}}),
    );
    let keys = ok(
        s,
        &tok,
        "workers.get_metric_keys",
        json!({"worker_ids": [w]}),
    );
    let mut cats: Vec<(String, Value)> = keys["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["metric_keys"].clone(),
            )
        })
        .collect();
    cats.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        cats,
        [
            ("cpu".to_string(), json!(["cpu_usage"])),
            ("memory".to_string(), json!(["memory_used"]))
        ]
    );
    let (status, v) = call(
        s,
        &tok,
        "workers.get_metric_keys",
        json!({"worker_ids": ["kein Arbeiter"]}),
    );
    assert_eq!(
        (status, v["meta"]["result_subcode"].as_i64()),
        (400, Some(1005))
    );
    // Aligned to the 40 s minimum interval: the window holds 10 whole buckets (the real
    // server drops the 11th, the range's last, wherever the window starts; see api_i).
    let start = (now / 40.0).floor() * 40.0 - 200.0;
    let report = ok(
        s,
        &tok,
        "workers.get_activity_report",
        json!({"from_date": start, "to_date": start + 400.0, "interval": 2}),
    );
    for k in ["total", "active"] {
        let dates = report[k]["dates"].as_array().unwrap();
        assert_eq!(dates.len(), 10, "{report}");
        assert!(
            report[k]["counts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c.as_u64() >= Some(1))
        );
    }
    let stats = ok(
        s,
        &tok,
        "workers.get_stats",
        json!({"items": [{"key": "cpu_usage", "aggregation": "max"}], "from_date": start,
            "to_date": start + 400.0, "interval": 1, "worker_ids": [w]}),
    );
    let stat = &stats["workers"][0]["metrics"][0]["stats"][0];
    assert_eq!(stats["workers"][0]["worker"], w);
    assert!(
        stat["values"].as_array().unwrap().contains(&json!(20.0)),
        "{stats}"
    );

    // A worker registered with a timeout is gone once it passes (bll/workers register_worker
    // stores it with that expiry).
    let short = unique("kurzlebig");
    ok(
        s,
        &tok,
        "workers.register",
        json!({"worker": short, "timeout": 1}),
    );
    // One with a long timeout shows it is the timeout, not registration, that decides
    // (checking the short-lived one right away would race a loaded machine).
    let long = unique("langlebig");
    ok(
        s,
        &tok,
        "workers.register",
        json!({"worker": long, "timeout": 600}),
    );
    let listed = |w: &str| {
        ids(&ok(s, &tok, "workers.get_all", json!({}))["workers"]).contains(&w.to_string())
    };
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(!listed(&short));
    assert!(listed(&long));
}

/// Kind 9: ordering puts empty values last and numbers in parameters in numeric order.
#[test]
fn ordering_puts_empty_last_and_numbers_in_order() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "Reihenfolge");
    let mut all = Vec::new();
    for (i, lr) in ["100", "9", "10", "2.5"].iter().enumerate() {
        let t = task(
            s,
            &tok,
            json!({"name": format!("Aufgabe {i}"), "project": p,
                "hyperparams": {"Args": {"lr": {"section": "Args", "name": "lr", "value": lr}}}}),
        );
        if i < 2 {
            ok(s, &tok, "tasks.started", json!({"task": t}));
        }
        all.push(t);
    }
    // Empty values sort last in both directions (base.py _get_many_override_none_ordering;
    // MongoDB puts nulls last when descending).
    for order in ["started", "-started"] {
        let got = ok(
            s,
            &tok,
            "tasks.get_all_ex",
            json!({"project": [p], "order_by": [order], "only_fields": ["id", "started"]}),
        );
        let started: Vec<bool> = got["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["started"].is_string())
            .collect();
        assert_eq!(started, [true, true, false, false], "{order}: {got}");
        let first = got["tasks"][0]["started"].as_str().unwrap();
        let second = got["tasks"][1]["started"].as_str().unwrap();
        assert_eq!(first <= second, order == "started", "{order}");
    }
    // Hyperparameter values that look like numbers sort as numbers (task.py
    // _field_collation_overrides: numericOrdering for hyperparams.*).
    let got = ok(
        s,
        &tok,
        "tasks.get_all",
        json!({"project": [p], "order_by": ["hyperparams.Args.lr.value"],
            "only_fields": ["hyperparams"]}),
    );
    let values: Vec<&str> = got["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["hyperparams"]["Args"]["lr"]["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["2.5", "9", "10", "100"]);
}

/// Kind 10: metadata of models and queues.
#[test]
fn metadata_updates_replace_and_add_or_update_overwrites() {
    let s = Serve::shared();
    let tok = token(s);
    let meta1 = json!({"schlüssel": {"key": "schlüssel", "type": "str", "value": "значение"}});
    let meta2 = json!({
        "test1": {"key": "test1", "type": "str", "value": "data1"},
        "test2": {"key": "test2", "type": "str", "value": "data2"},
    });
    let m = ok(
        s,
        &tok,
        "models.create",
        json!({"name": unique("Metadaten"), "uri": "file:///tmp/m", "metadata": meta1}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let q = ok(
        s,
        &tok,
        "queues.create",
        json!({"name": unique("метаданные"), "metadata": meta1}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (svc, entity, id) in [("models", "model", &m), ("queues", "queue", &q)] {
        let read = || {
            ok(s, &tok, &format!("{svc}.get_all_ex"), json!({"id": [id]}))[format!("{entity}s")][0]
                ["metadata"]
                .clone()
        };
        assert_eq!(read(), meta1, "{svc}");
        // update(metadata=…) replaces the whole map (services/models.py update;
        // bll/model/metadata.py).
        ok(
            s,
            &tok,
            &format!("{svc}.update"),
            json!({entity: id, "metadata": meta2}),
        );
        assert_eq!(read(), meta2, "{svc}");
        // add_or_update_metadata overwrites the given keys, type included, and adds new ones
        // (Metadata.edit_metadata: set__metadata__<key> = item).
        let updates = json!([
            {"key": "test2", "type": "int", "value": "10"},
            {"key": "test3", "type": "array", "value": "xxx,yyy"},
        ]);
        let r = ok(
            s,
            &tok,
            &format!("{svc}.add_or_update_metadata"),
            json!({entity: id, "metadata": updates}),
        );
        assert_eq!(r["updated"], 1);
        let got = read();
        assert_eq!(
            got["test2"],
            json!({"key": "test2", "type": "int", "value": "10"})
        );
        assert_eq!(got["test3"]["type"], "array");
        assert_eq!(got["test1"], meta2["test1"]);
        let r = ok(
            s,
            &tok,
            &format!("{svc}.delete_metadata"),
            json!({entity: id, "keys": ["test2", "test3"]}),
        );
        assert_eq!(r["updated"], 1);
        assert_eq!(read(), json!({"test1": meta2["test1"]}), "{svc}");
    }
}

/// The debug-image and plot viewers (events.get_debug_image_sample, next_debug_image_sample,
/// get_plot_sample, next_plot_sample): ranges and stepping as the real server's
/// history_debug_image_iterator / history_plots_iterator compute them (clearml-server
/// apiserver/bll/event), response shapes from schema events.conf (debug_image_sample_response,
/// plot_sample_response), an unknown scroll id is 400/1104 (errors.conf invalid_scroll_id).
#[test]
fn sample_viewers_step_through_images_and_plots() {
    let s = Serve::shared();
    let tok = token(s);
    let t = task(s, &tok, json!({"name": unique("Просмотр Ansicht 查看")}));
    let metric = "Bilder 图像";
    let mut events = Vec::new();
    for i in 0..3 {
        // "ä": a new file each iteration; "б": the same file overwritten, so only its last
        // iteration still has an image (its range starts there).
        events.push(json!({"type": "training_debug_image", "task": t, "iter": i,
            "metric": metric, "variant": "ä", "url": format!("http://f/ä_{i}.png")}));
        events.push(json!({"type": "training_debug_image", "task": t, "iter": i,
            "metric": metric, "variant": "б", "url": "http://f/б.png"}));
        events.push(
            json!({"type": "plot", "task": t, "iter": i, "metric": "Kurve",
            "variant": "v", "plot_str": format!("{{\"data\": [{i}]}}")}),
        );
    }
    events.push(
        json!({"type": "plot", "task": t, "iter": 1, "metric": "Loss",
        "variant": "v", "plot_str": "{}"}),
    );
    add_batch(s, &tok, &events);
    let at = |r: &Value| (r["event"]["iter"].clone(), r["event"]["variant"].clone());

    // The latest image, then one at (or before) a given iteration.
    let r = ok(
        s,
        &tok,
        "events.get_debug_image_sample",
        json!({"task": t, "metric": metric, "variant": "ä"}),
    );
    assert_eq!(at(&r), (json!(2), json!("ä")), "{r}");
    assert_eq!(
        (r["min_iteration"].clone(), r["max_iteration"].clone()),
        (json!(0), json!(2))
    );
    let sid = r["scroll_id"].as_str().unwrap().to_string();
    let r = ok(
        s,
        &tok,
        "events.get_debug_image_sample",
        json!({"task": t, "metric": metric, "variant": "б", "scroll_id": sid}),
    );
    assert_eq!(
        (r["min_iteration"].clone(), r["max_iteration"].clone()),
        (json!(2), json!(2))
    );
    assert_eq!(r["scroll_id"], json!(sid));
    let r = ok(
        s,
        &tok,
        "events.get_debug_image_sample",
        json!({"task": t, "metric": metric, "variant": "ä", "iteration": 1, "scroll_id": sid}),
    );
    assert_eq!(at(&r), (json!(1), json!("ä")));
    assert_eq!(r["event"]["url"], json!("http://f/ä_1.png"));

    let next = |earlier: bool, next_iteration: bool| {
        ok(
            s,
            &tok,
            "events.next_debug_image_sample",
            json!({"task": t, "scroll_id": sid,
            "navigate_earlier": earlier, "next_iteration": next_iteration}),
        )
    };
    // Forward from (1, ä): "б" has no image at 1 (its range starts at 2): next iteration.
    assert_eq!(at(&next(false, false)), (json!(2), json!("ä")));
    let r = next(false, false);
    assert_eq!(at(&r), (json!(2), json!("б")));
    assert_eq!(
        (r["min_iteration"].clone(), r["max_iteration"].clone()),
        (json!(2), json!(2))
    );
    // Past the end: nothing, and the viewer stays where it was.
    let r = next(false, false);
    assert_eq!(r["event"], Value::Null, "{r}");
    assert_eq!(r["scroll_id"], json!(sid));
    // Back (the default direction): the previous variant, then the previous iteration.
    assert_eq!(at(&next(true, false)), (json!(2), json!("ä")));
    assert_eq!(at(&next(true, false)), (json!(1), json!("ä")));
    assert_eq!(at(&next(true, true)), (json!(0), json!("ä")));
    let (status, v) = call(
        s,
        &tok,
        "events.next_debug_image_sample",
        json!({"task": t, "scroll_id": "no-such-scroll"}),
    );
    assert_eq!(
        (status, v["meta"]["result_subcode"].clone()),
        (400, json!(1104)),
        "{v}"
    );

    // Plots: by metric; all metrics navigable with navigate_current_metric false.
    let r = ok(
        s,
        &tok,
        "events.get_plot_sample",
        json!({"task": t, "metric": "Kurve"}),
    );
    assert_eq!(r["events"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["events"][0]["iter"], json!(2));
    assert_eq!(
        (r["min_iteration"].clone(), r["max_iteration"].clone()),
        (json!(0), json!(2))
    );
    let r = ok(
        s,
        &tok,
        "events.get_plot_sample",
        json!({"task": t, "metric": "Kurve",
        "iteration": 1, "navigate_current_metric": false}),
    );
    assert_eq!(r["events"][0]["iter"], json!(1));
    let psid = r["scroll_id"].as_str().unwrap().to_string();
    let next_plot = |earlier: bool| {
        ok(
            s,
            &tok,
            "events.next_plot_sample",
            json!({"task": t, "scroll_id": psid, "navigate_earlier": earlier}),
        )
    };
    let plot_at = |r: &Value| {
        (
            r["events"][0]["iter"].clone(),
            r["events"][0]["metric"].clone(),
        )
    };
    let r = next_plot(false);
    assert_eq!(plot_at(&r), (json!(1), json!("Loss")), "{r}");
    assert_eq!(
        (r["min_iteration"].clone(), r["max_iteration"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(plot_at(&next_plot(false)), (json!(2), json!("Kurve")));
    assert_eq!(next_plot(false)["events"], json!([]));
    assert_eq!(plot_at(&next_plot(true)), (json!(1), json!("Loss")));
    assert_eq!(plot_at(&next_plot(true)), (json!(1), json!("Kurve")));
}

/// events.debug_images (2.7+) and events.plots page through iterations per task as the
/// real server's metric events iterator does (clearml-server apiserver/bll/event/
/// metric_events_iterator.py, metric_debug_images_iterator.py): the first page starts at
/// the newest iteration, later ones continue before the earliest (or, navigate_earlier
/// false, after the latest) handed out; an image whose file was written again later is
/// left out. Shape from schema _events_common.conf debug_images_response / plots_response.
#[test]
fn debug_images_and_plots_page_through_iterations() {
    let s = Serve::shared();
    let tok = token(s);
    let t = task(s, &tok, json!({"name": unique("Seiten Страницы 页")}));
    let mut events = Vec::new();
    for i in 0..5 {
        events.push(json!({"type": "training_debug_image", "task": t, "iter": i,
            "metric": "Bilder", "variant": "ä", "url": format!("http://f/ä_{i}.png")}));
        // One file written every iteration: only the last write still shows it.
        events.push(json!({"type": "training_debug_image", "task": t, "iter": i,
            "metric": "Bilder", "variant": "б", "url": "http://f/б.png"}));
    }
    for i in 0..3 {
        events.push(
            json!({"type": "plot", "task": t, "iter": i, "metric": "Kurve 曲线",
            "variant": "v", "plot_str": "{}"}),
        );
    }
    add_batch(s, &tok, &events);
    let page = |endpoint: &str, body: Value| -> (Vec<(i64, Vec<String>)>, String) {
        let r = ok(s, &tok, endpoint, body);
        let metrics = r["metrics"].as_array().unwrap();
        assert_eq!(metrics.len(), 1, "{r}");
        assert_eq!(metrics[0]["task"], json!(t));
        assert!(metrics[0].get("metric").is_none(), "{r}");
        let its = metrics[0]["iterations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|it| {
                let variants = it["events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["variant"].as_str().unwrap().to_string())
                    .collect();
                (it["iter"].as_i64().unwrap(), variants)
            })
            .collect();
        (its, r["scroll_id"].as_str().unwrap().to_string())
    };
    let v = |l: &[&str]| l.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let (its, sid) = page(
        "events.debug_images",
        json!({"metrics": [{"task": t}], "iters": 2}),
    );
    assert_eq!(its, vec![(4, v(&["ä", "б"])), (3, v(&["ä"]))]);
    let more = |earlier: bool| {
        page(
            "events.debug_images",
            json!({"metrics": [{"task": t}], "iters": 2,
            "scroll_id": sid, "navigate_earlier": earlier}),
        )
        .0
    };
    assert_eq!(more(true), vec![(2, v(&["ä"])), (1, v(&["ä"]))]);
    assert_eq!(more(true), vec![(0, v(&["ä"]))]);
    assert_eq!(more(true), vec![]);
    // Forward from the last page: the iterations after it, still newest first.
    assert_eq!(more(false), vec![(2, v(&["ä"])), (1, v(&["ä"]))]);
    // Only the requested variants.
    let (its, _) = page(
        "events.debug_images",
        json!({"metrics": [{"task": t, "metric": "Bilder", "variants": ["б"]}], "iters": 3}),
    );
    assert_eq!(its, vec![(4, v(&["б"]))]);

    let (its, psid) = page(
        "events.plots",
        json!({"metrics": [{"task": t, "metric": "Kurve 曲线"}]}),
    );
    assert_eq!(its, vec![(2, v(&["v"]))]);
    let (its, _) = page(
        "events.plots",
        json!({"metrics": [{"task": t, "metric": "Kurve 曲线"}], "scroll_id": psid}),
    );
    assert_eq!(its, vec![(1, v(&["v"]))]);

    let (status, r) = call(
        s,
        &tok,
        "events.debug_images",
        json!({"metrics": [{"task": "no-such-task"}]}),
    );
    assert_eq!(
        (status, r["meta"]["result_subcode"].clone()),
        (400, json!(101)),
        "{r}"
    );
}

/// events.get_task_plots keeps each variant's last `iters` plots (clearml-server
/// event_bll.get_task_plots: per metric and variant, top hits by iteration);
/// events.get_multi_task_plots nests metric → variant → task → iteration → {name, plots}
/// over the last iterations per task and metric (services/events.py
/// _get_top_iter_unique_events_per_task, event_bll.get_last_iters_per_metric).
#[test]
fn task_plots_keep_the_last_iterations_per_variant() {
    let s = Serve::shared();
    let tok = token(s);
    let a_name = unique("Графики Diagramme 图表");
    let a = task(s, &tok, json!({"name": a_name}));
    let b = task(s, &tok, json!({"name": unique("Zweite Вторая")}));
    let plot = |t: &str, variant: &str, i: i64| {
        json!({"type": "plot", "task": t, "iter": i, "metric": "Kurve",
            "variant": variant, "plot_str": format!("{{\"i\": {i}}}")})
    };
    let mut events = vec![plot(&a, "ä", 0), plot(&a, "ä", 1), plot(&a, "ä", 2)];
    events.extend([plot(&a, "б", 0), plot(&a, "б", 1), plot(&b, "ä", 5)]);
    add_batch(s, &tok, &events);
    let keys = |plots: &Value| -> Vec<(String, i64)> {
        plots
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["variant"].as_str().unwrap().to_string(),
                    p["iter"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let k = |l: &[(&str, i64)]| {
        l.iter()
            .map(|(v, i)| (v.to_string(), *i))
            .collect::<Vec<_>>()
    };
    let r = ok(s, &tok, "events.get_task_plots", json!({"task": a}));
    assert_eq!(keys(&r["plots"]), k(&[("ä", 2), ("б", 1)]), "{r}");
    let r = ok(
        s,
        &tok,
        "events.get_task_plots",
        json!({"task": a, "iters": 2}),
    );
    assert_eq!(
        keys(&r["plots"]),
        k(&[("ä", 2), ("ä", 1), ("б", 1), ("б", 0)])
    );
    assert_eq!(r["returned"], json!(4));
    let r = ok(
        s,
        &tok,
        "events.get_task_plots",
        json!({"task": a, "iters": 5, "metrics": [{"metric": "Kurve", "variants": ["б"]}]}),
    );
    assert_eq!(keys(&r["plots"]), k(&[("б", 1), ("б", 0)]));

    let r = ok(
        s,
        &tok,
        "events.get_multi_task_plots",
        json!({"tasks": [a, b]}),
    );
    let plots = &r["plots"];
    assert_eq!(plots["Kurve"]["ä"][&a]["2"]["name"], json!(a_name), "{r}");
    assert_eq!(plots["Kurve"]["ä"][&a]["2"]["plots"][0]["iter"], json!(2));
    assert_eq!(
        plots["Kurve"]["ä"][&b]["5"]["plots"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // "б" has no plot in task a's last iteration of the metric.
    assert!(plots["Kurve"].get("б").is_none(), "{r}");
    let r = ok(
        s,
        &tok,
        "events.get_multi_task_plots",
        json!({"tasks": [a], "iters": 2}),
    );
    let by_iter = r["plots"]["Kurve"]["б"][&a].as_object().unwrap();
    assert_eq!(by_iter.keys().collect::<Vec<_>>(), ["1"], "{r}");
}

/// events.get_task_log (2.9+) pages by timestamp, not by scroll (clearml-server
/// bll/event/events_iterator.py: batch_size events in the navigation direction past
/// from_timestamp, plus the rest of the last timestamp; total over the whole log; order
/// reverses a batch; no scroll_id in services/events.py get_task_log); the 2.30 metrics
/// filter; events.clear_task_log with threshold_sec, include_metrics / exclude_metrics
/// (event_bll.clear_task_log) and the published-task lock (LOCKED_TASK_STATUSES).
#[test]
fn task_log_pages_by_timestamp_and_clears_by_metric() {
    let s = Serve::shared();
    let tok = token(s);
    let t = task(s, &tok, json!({"name": unique("Протокол Protokoll 日志")}));
    let log = |msg: &str, ts: i64, metric: Option<&str>| {
        let mut e = json!({"type": "log", "task": t, "msg": msg, "timestamp": ts, "level": "info"});
        if let Some(m) = metric {
            e["metric"] = json!(m);
        }
        e
    };
    add_batch(
        s,
        &tok,
        &[
            log("s1", 500, Some("Система")),
            log("s2", 600, Some("Система")),
            log("m1", 1000, None),
            log("m2", 2000, None),
            log("m3", 3000, None),
            log("m4", 3000, None),
            log("m5", 4000, None),
        ],
    );
    let msgs = |r: &Value| -> Vec<String> {
        r["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["msg"].as_str().unwrap().to_string())
            .collect()
    };
    let get = |body: Value| {
        let mut b = body;
        b["task"] = json!(t);
        ok(s, &tok, "events.get_task_log", b)
    };
    // Newest first; the batch takes the whole last timestamp.
    let r = get(json!({"batch_size": 2}));
    assert_eq!(msgs(&r), ["m5", "m4", "m3"], "{r}");
    assert_eq!(
        (r["total"].clone(), r["returned"].clone()),
        (json!(7), json!(3))
    );
    assert!(r.get("scroll_id").is_none(), "{r}");
    assert_eq!(
        msgs(&get(json!({"batch_size": 2, "from_timestamp": 3000}))),
        ["m2", "m1"]
    );
    assert_eq!(
        msgs(&get(json!({"batch_size": 2, "order": "asc"}))),
        ["m3", "m4", "m5"]
    );
    assert_eq!(
        msgs(&get(json!({"batch_size": 2, "navigate_earlier": false}))),
        ["s1", "s2"]
    );
    assert_eq!(
        msgs(&get(
            json!({"batch_size": 2, "navigate_earlier": false, "order": "desc"})
        )),
        ["s2", "s1"]
    );
    let r = get(json!({"metrics": [{"metric": "Система"}]}));
    assert_eq!(
        (msgs(&r), r["total"].clone()),
        (vec!["s2".to_string(), "s1".into()], json!(2))
    );

    // Clearing: older than a minute ago, keeping one metric; then that metric only.
    let r = ok(
        s,
        &tok,
        "events.clear_task_log",
        json!({"task": t, "threshold_sec": 60, "exclude_metrics": ["Система"]}),
    );
    assert_eq!(r["deleted"], json!(5), "{r}");
    assert_eq!(msgs(&get(json!({}))), ["s2", "s1"]);
    ok(s, &tok, "tasks.publish", json!({"task": t, "force": true}));
    let (status, v) = call(
        s,
        &tok,
        "events.clear_task_log",
        json!({"task": t, "include_metrics": ["Система"]}),
    );
    assert_eq!(
        (status, v["meta"]["result_subcode"].clone()),
        (400, json!(101)),
        "{v}"
    );
    let r = ok(
        s,
        &tok,
        "events.clear_task_log",
        json!({"task": t, "include_metrics": ["Система"], "allow_locked": true}),
    );
    assert_eq!(r["deleted"], json!(2));
    assert_eq!(get(json!({}))["total"], json!(0));
}
