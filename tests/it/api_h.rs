//! `serve` against the real server's behaviour, issue 26 cause 8's task, event, queue,
//! pipeline and serving one-offs. Each assertion names where the expected behaviour comes
//! from: the real server's source (clearml-server 2.3, read only), its own API tests
//! (apiserver/tests/automated) or a recording in reference/real-server-responses/quirks.

use crate::common::Serve;
use crate::serve::{add_batch, get_task, new_project, new_task, ok, refused, token, unique};
use serde_json::{Value, json};

fn new_model(s: &Serve, tok: &str, name: &str) -> String {
    let body = json!({"name": name, "uri": format!("file:///tmp/{name}.pt")});
    ok(s, tok, "models.create", body)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn scalar(task: &str, metric: &str, variant: &str, iter: i64, value: f64) -> Value {
    json!({"type": "training_stats_scalar", "task": task, "iter": iter,
        "metric": metric, "variant": variant, "value": value})
}

#[test]
fn hyperparam_values_are_the_distinct_values_in_numeric_order() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Werte-值");
    // tests/automated/test_tasks_filtering.py test_hyperparam_values, with 11 values so
    // that the numeric collation (base.py _numeric_locale) puts "10" after "9".
    let (section, name) = ("Раздел$1", "пара__метр");
    for i in 0..=10 {
        let t = new_task(
            s,
            &tok,
            json!({"name": format!("Aufgabe-{i}"), "project": project}),
        );
        let params = json!([
            {"section": section, "name": name, "type": "str", "value": i.to_string()},
            {"section": "Zweiter", "name": "größe", "type": "str", "value": "Konstante-常量"},
        ]);
        ok(
            s,
            &tok,
            "tasks.edit_hyper_params",
            json!({"task": t, "hyperparams": params}),
        );
    }
    let values = |extra: Value| {
        let mut body = json!({"projects": [project], "section": section, "name": name});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        ok(s, &tok, "projects.get_hyperparam_values", body)
    };
    let all = values(json!({}));
    let expected: Vec<String> = (0..=10).map(|i| i.to_string()).collect();
    assert_eq!(all["values"], json!(expected), "{all}");
    assert_eq!(all["total"], 11);
    let constant = ok(
        s,
        &tok,
        "projects.get_hyperparam_values",
        json!({"projects": [project], "section": "Zweiter", "name": "größe"}),
    );
    assert_eq!(constant["values"], json!(["Konstante-常量"]), "{constant}");
    let missing = ok(
        s,
        &tok,
        "projects.get_hyperparam_values",
        json!({"projects": [project], "section": "missing", "name": "missing"}),
    );
    assert_eq!(
        (missing["total"].clone(), missing["values"].clone()),
        (json!(0), json!([]))
    );
    // project_queries.py: `pattern` is a case-insensitive $regexMatch on the value.
    assert_eq!(
        values(json!({"pattern": "^1"}))["values"],
        json!(["1", "10"])
    );
    assert_eq!(values(json!({"pattern": "11"}))["total"], 0);
    let shouting = ok(
        s,
        &tok,
        "projects.get_hyperparam_values",
        json!({"projects": [project], "section": "Zweiter", "name": "größe", "pattern": "KONSTANTE"}),
    );
    assert_eq!(shouting["total"], 1, "{shouting}");
    // Paged after sorting; `total` counts the page's values (the $group after $limit).
    let page = values(json!({"page": 1, "page_size": 4}));
    assert_eq!(page["values"], json!(["4", "5", "6", "7"]), "{page}");
    assert_eq!(page["total"], 4);
}

#[test]
fn unique_metric_variants_honour_ids_and_sort_by_name() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Метрики-指标");
    // tests/automated/test_task_events.py test_task_unique_metric_variants.
    let t1 = new_task(s, &tok, json!({"name": "Erste-первая", "project": project}));
    let t2 = new_task(
        s,
        &tok,
        json!({"name": "Zweite-вторая", "project": project}),
    );
    add_batch(
        s,
        &tok,
        &[
            scalar(&t1, "Metrik-1 точность", "Variante", 0, 10.0),
            scalar(&t2, "Metrik-2 потеря", "Variante", 0, 10.0),
        ],
    );
    let names = |body: Value| -> Vec<String> {
        ok(s, &tok, "projects.get_unique_metric_variants", body)["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["metric"].as_str().unwrap().to_string())
            .collect()
    };
    let both = vec!["Metrik-1 точность".to_string(), "Metrik-2 потеря".into()];
    assert_eq!(names(json!({"project": project})), both);
    assert_eq!(names(json!({"ids": [t1, t2]})), both);
    assert_eq!(names(json!({"ids": [t1]})), vec!["Metrik-1 точность"]);
}

#[test]
fn clone_keeps_system_tags_and_validates_references() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Klon-克隆");
    // tests/automated/test_tasks_edit.py test_clone_task: `development` (and `archived`,
    // task_bll.py clone_task clean_system_tags) are dropped, the others kept.
    let task = new_task(
        s,
        &tok,
        json!({"name": "Vorlage-模板", "project": project, "tags": ["hello"],
            "system_tags": ["development", "test-тест"]}),
    );
    let id = ok(
        s,
        &tok,
        "tasks.clone",
        json!({"task": task, "new_task_name": "Kopie-副本", "new_task_tags": ["by"],
            "new_task_parent": task}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let copy = get_task(s, &tok, &id);
    assert_eq!(copy["system_tags"], json!(["test-тест"]), "{copy}");
    assert_eq!(copy["tags"], json!(["by"]));
    assert_eq!(copy["parent"], task.as_str());
    // test_model_check_in_clone: a task whose input model was deleted still clones ...
    let model = new_model(s, &tok, "Eingabe-输入");
    let with_model = new_task(
        s,
        &tok,
        json!({"name": "Mit Modell-带模型", "project": project}),
    );
    ok(
        s,
        &tok,
        "tasks.add_or_update_model",
        json!({"task": with_model, "name": "Eingabe", "model": model, "type": "input"}),
    );
    ok(
        s,
        &tok,
        "models.delete",
        json!({"model": model, "force": true}),
    );
    ok(
        s,
        &tok,
        "tasks.clone",
        json!({"task": with_model, "new_task_name": "clone test"}),
    );
    // ... unless references are validated (InvalidModelId, 400/201) ...
    let (status, sub, msg) = refused(
        s,
        &tok,
        "tasks.clone",
        json!({"task": with_model, "new_task_name": "clone test2", "validate_references": true}),
    );
    assert_eq!((status, sub), (400, json!(201)), "{msg}");
    // ... and an overridden model is always checked.
    let (status, sub, msg) = refused(
        s,
        &tok,
        "tasks.clone",
        json!({"task": task, "new_task_name": "clone test3",
            "execution_overrides": {"model": "not existing"}}),
    );
    assert_eq!((status, sub), (400, json!(201)), "{msg}");
    // task_bll.py TaskBLL.validate: an explicit parent or project must exist.
    let (status, sub, _) = refused(
        s,
        &tok,
        "tasks.clone",
        json!({"task": task, "new_task_parent": "kein-elternteil"}),
    );
    assert_eq!((status, sub), (400, json!(101)));
    let (status, sub, _) = refused(
        s,
        &tok,
        "tasks.clone",
        json!({"task": task, "new_task_project": "kein-projekt"}),
    );
    assert_eq!((status, sub), (400, json!(401)));
}

#[test]
fn delete_models_counts_the_task_updated() {
    let s = Serve::shared();
    let tok = token(s);
    let task = new_task(s, &tok, json!({"name": "Modelle löschen-删除模型"}));
    for name in ["Ausgabe-1", "Ausgabe-2"] {
        let model = new_model(s, &tok, name);
        ok(
            s,
            &tok,
            "tasks.add_or_update_model",
            json!({"task": task, "name": name, "model": model, "type": "output"}),
        );
    }
    // services/tasks.py delete_models answers task.update(...): one task updated.
    let r = ok(
        s,
        &tok,
        "tasks.delete_models",
        json!({"task": task, "models": [
            {"name": "Ausgabe-1", "type": "output"}, {"name": "Ausgabe-2", "type": "output"}]}),
    );
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(get_task(s, &tok, &task)["models"]["output"], json!([]));
}

#[test]
fn scalar_iter_raw_scrolls_keep_the_first_batch_size_and_total() {
    let s = Serve::shared();
    let tok = token(s);
    let task = new_task(s, &tok, json!({"name": "Rollen-滚动"}));
    let events: Vec<Value> = (0..25)
        .map(|i| scalar(&task, "Verlust-损失", "обучение", i, i as f64))
        .collect();
    add_batch(s, &tok, &events);
    // services/events.py scalar_metrics_iter_raw: a scroll call without batch_size takes
    // the scroll's request.batch_size, and the scroll carries the first call's total.
    let metric = json!({"metric": "Verlust-损失", "variants": ["обучение"]});
    let first = ok(
        s,
        &tok,
        "events.scalar_metrics_iter_raw",
        json!({"task": task, "metric": metric, "batch_size": 10, "count_total": true}),
    );
    assert_eq!(
        (first["returned"].clone(), first["total"].clone()),
        (json!(10), json!(25))
    );
    let mut sid = first["scroll_id"].clone();
    for expected in [10, 5] {
        let next = ok(
            s,
            &tok,
            "events.scalar_metrics_iter_raw",
            json!({"task": task, "metric": metric, "scroll_id": sid}),
        );
        assert_eq!(next["returned"], expected, "{next}");
        assert_eq!(next["total"], 25, "{next}");
        sid = next["scroll_id"].clone();
    }
}

#[test]
fn single_value_metrics_honour_metrics_and_report_histograms_are_bare() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Einzelwert-单值");
    let task = new_task(
        s,
        &tok,
        json!({"name": "Zusammenfassung-摘要", "project": project}),
    );
    let single = -(1i64 << 31);
    add_batch(
        s,
        &tok,
        &[
            scalar(&task, "Genauigkeit-准确", "gesamt", single, 0.9),
            scalar(&task, "Verlust-损失", "gesamt", single, 0.1),
            scalar(&task, "Verlust-损失", "Validierung", 1, 0.2),
        ],
    );
    // event_metrics.py _get_task_single_value_metrics: `metrics` narrows the answer.
    let r = ok(
        s,
        &tok,
        "events.get_task_single_value_metrics",
        json!({"tasks": [task], "metrics": [{"metric": "Verlust-损失", "variants": []}]}),
    );
    let values = r["tasks"][0]["values"].as_array().unwrap();
    assert_eq!(values.len(), 1, "{r}");
    assert_eq!(values[0]["metric"], "Verlust-损失");
    // services/reports.py get_task_data: the histogram is the metric → variant map
    // itself, not the events endpoint's {"metrics": ...}.
    let data = ok(
        s,
        &tok,
        "reports.get_task_data",
        json!({"id": [task], "scalar_metrics_iter_histogram": {"samples": 100}}),
    );
    let hist = &data["scalar_metrics_iter_histogram"];
    assert!(hist.get("metrics").is_none(), "{data}");
    assert!(hist.get("Verlust-损失").is_some(), "{data}");
}

#[test]
fn start_pipeline_sees_a_worker_watching_the_queue() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Pipeline-流水线");
    let controller = new_task(
        s,
        &tok,
        json!({"name": "Steuerung-控制", "type": "controller", "project": project,
            "system_tags": ["pipeline"]}),
    );
    let watched = ok(
        s,
        &tok,
        "queues.create",
        json!({"name": unique("Beobachtet-监视")}),
    )["id"]
        .clone();
    let idle = ok(s, &tok, "queues.create", json!({"name": unique("Leer-空")}))["id"].clone();
    ok(
        s,
        &tok,
        "workers.register",
        json!({"worker": unique("arbeiter-工人"), "queues": [watched]}),
    );
    // services/pipelines.py start_pipeline + queue_bll.py check_for_workers: a worker
    // registered with the queue's id in its queues watches it.
    for (queue, expected) in [(&watched, true), (&idle, false)] {
        let r = ok(
            s,
            &tok,
            "pipelines.start_pipeline",
            json!({"task": controller, "queue": queue, "verify_watched_queue": true}),
        );
        assert_eq!(r["queue_watched"], expected, "{r}");
    }
}

#[test]
fn endpoint_metrics_history_charts_at_least_40_second_intervals() {
    let s = Serve::shared();
    let tok = token(s);
    let url = format!("http://модель/{}", unique("endpunkt"));
    ok(
        s,
        &tok,
        "serving.register_container",
        json!({"container_id": unique("c"), "endpoint_name": "Endpunkt-端点",
            "model_name": "m", "endpoint_url": url}),
    );
    let history = |interval: i64, metric: &str| {
        ok(
            s,
            &tok,
            "serving.get_endpoint_metrics_history",
            json!({"endpoint_url": url, "from_date": 1000.0, "to_date": 2000.0,
                "interval": interval, "metric_type": metric}),
        )
    };
    // bll/serving/stats.py get_endpoint_metrics: max(interval, min_chart_interval_sec=40)
    // and the metric's chart title from agg_fields.
    let short = history(10, "latency_ms");
    assert_eq!(short["computed_interval"], 40, "{short}");
    assert_eq!(short["total"]["title"], "Average Latency (ms)");
    assert_eq!(history(100, "requests")["computed_interval"], 100);
    let (status, sub, msg) = refused(
        s,
        &tok,
        "serving.get_endpoint_metrics_history",
        json!({"endpoint_url": url, "from_date": 2000.0, "to_date": 1000.0, "interval": 60}),
    );
    assert_eq!((status, sub), (400, json!(16)), "{msg}");
}

#[test]
fn edit_answers_the_fields_it_wrote() {
    let s = Serve::shared();
    let tok = token(s);
    let task = new_task(
        s,
        &tok,
        json!({"name": "Bearbeiten-编辑", "execution": {"framework": "pytorch"}}),
    );
    // quirks/api-tasks-add-or-update-artifacts-status.json "tasks.edit of
    // execution.artifacts with force": fields hold the merged execution and the
    // last_change/last_changed_by/last_update written with it (services/tasks.py edit).
    let artifacts =
        json!([{"key": "a1-文件", "type": "custom", "mode": "output", "uri": "http://x/a1"}]);
    let r = ok(
        s,
        &tok,
        "tasks.edit",
        json!({"task": task, "execution": {"artifacts": artifacts}}),
    );
    let fields = &r["fields"];
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(fields["execution"]["framework"], "pytorch", "{r}");
    assert_eq!(fields["execution"]["artifacts"], artifacts);
    for k in ["last_change", "last_changed_by", "last_update"] {
        assert!(fields[k].is_string(), "{k}: {r}");
    }
    assert_eq!(
        get_task(s, &tok, &task)["execution"]["framework"],
        "pytorch"
    );
    // Only user-settable fields (task.py user_set_allowed): last_update is not written.
    let r = ok(
        s,
        &tok,
        "tasks.edit",
        json!({"task": task, "comment": "Kommentar-评论"}),
    );
    assert!(r["fields"].get("last_update").is_none(), "{r}");
    assert_eq!(r["fields"]["comment"], "Kommentar-评论");
    // Nothing to write: UpdateResponse(updated=0).
    assert_eq!(
        ok(s, &tok, "tasks.edit", json!({"task": task})),
        json!({"updated": 0})
    );
}

#[test]
fn queue_listings_honour_max_task_entries() {
    let s = Serve::shared();
    let tok = token(s);
    let queue = ok(
        s,
        &tok,
        "queues.create",
        json!({"name": unique("Schlange-队列")}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tasks: Vec<String> = (0..3)
        .map(|i| {
            let t = new_task(s, &tok, json!({"name": format!("Eintrag-条目 {i}")}));
            ok(s, &tok, "tasks.enqueue", json!({"task": t, "queue": queue}));
            t
        })
        .collect();
    let entries = |q: &Value| -> Vec<String> {
        q["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let t = &e["task"];
                t.as_str().or(t["id"].as_str()).unwrap().to_string()
            })
            .collect()
    };
    // queue_bll.py _get_task_entries_projection: MongoDB's $slice on entries.
    for endpoint in ["queues.get_all", "queues.get_all_ex"] {
        let r = ok(
            s,
            &tok,
            endpoint,
            json!({"id": [queue], "max_task_entries": 2}),
        );
        assert_eq!(entries(&r["queues"][0]), tasks[..2], "{endpoint}: {r}");
    }
    let one = ok(
        s,
        &tok,
        "queues.get_by_id",
        json!({"queue": queue, "max_task_entries": -1}),
    );
    assert_eq!(entries(&one["queue"]), tasks[2..], "{one}");
    let all = ok(s, &tok, "queues.get_all", json!({"id": [queue]}));
    assert_eq!(entries(&all["queues"][0]), tasks);
}
