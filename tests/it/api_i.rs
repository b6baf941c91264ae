//! `serve` against the real server's behaviour, issue 26: the differences its own API
//! suite (clearml-server apiserver/tests/automated, run by scripts/upstream-api-suite.sh)
//! found. Each assertion names the real server's source line it follows.

use crate::common::Serve;
use crate::serve::{add_batch, get_task, new_project, new_task, ok, refused, token, unique};
use serde_json::{Value, json};

#[test]
fn configuration_names_come_sorted_without_empty_values() {
    let s = Serve::shared();
    let tok = token(s);
    let configuration = json!({
        "zweite-Größe": {"name": "zweite-Größe", "type": "str", "value": "2"},
        "Конфиг": {"name": "Конфиг", "type": "str", "value": "配置"},
        "leer": {"name": "leer", "type": "str", "value": ""},
        "alpha": {"name": "alpha", "type": "str", "value": "1"},
    });
    let t = new_task(
        s,
        &tok,
        json!({"name": unique("Namen-名字"), "configuration": configuration}),
    );
    let names = |body: Value| {
        let r = ok(s, &tok, "tasks.get_configuration_names", body);
        r["configurations"][0]["names"].clone()
    };
    // bll/task/hyperparams.py:192-211: empty values are skipped by default; names sorted.
    assert_eq!(
        names(json!({"tasks": [t]})),
        json!(["alpha", "zweite-Größe", "Конфиг"])
    );
    assert_eq!(
        names(json!({"tasks": [t], "skip_empty": false})),
        json!(["alpha", "leer", "zweite-Größe", "Конфиг"])
    );
}

#[test]
fn deleting_sections_of_a_started_task_needs_force() {
    let s = Serve::shared();
    let tok = token(s);
    let hyperparams = json!({"Раздел": {"x": {"section": "Раздел", "name": "x", "value": "1"}}});
    let configuration = json!({"Größe": {"name": "Größe", "value": "7"}});
    let t = new_task(
        s,
        &tok,
        json!({"name": unique("Gestartet-开始"), "hyperparams": hyperparams,
            "configuration": configuration}),
    );
    ok(s, &tok, "tasks.started", json!({"task": t}));
    // bll/task/hyperparams.py:75-80 (delete_params) and :251-254 (delete_configuration):
    // the draft check of the edits applies to deletes too.
    let del_hp = json!({"task": t, "hyperparams": [{"section": "Раздел"}]});
    let del_cfg = json!({"task": t, "configuration": ["Größe"]});
    for (endpoint, body) in [
        ("tasks.delete_hyper_params", &del_hp),
        ("tasks.delete_configuration", &del_cfg),
    ] {
        let (status, sub, msg) = refused(s, &tok, endpoint, body.clone());
        assert_eq!((status, sub), (400, json!(110)), "{endpoint}: {msg}");
    }
    let task = get_task(s, &tok, &t);
    assert_eq!(task["hyperparams"]["Раздел"]["x"]["value"], "1");
    assert_eq!(task["configuration"]["Größe"]["value"], "7");
    let mut forced = del_hp.clone();
    forced["force"] = json!(true);
    assert_eq!(
        ok(s, &tok, "tasks.delete_hyper_params", forced)["deleted"],
        1
    );
    // User properties change in any status (hyperparams.py: properties_only).
    let props = json!({"task": t, "hyperparams": [{"section": "properties", "name": "p"}]});
    ok(s, &tok, "tasks.delete_hyper_params", props);
}

#[test]
fn edit_sets_status_and_dequeue_restores_the_draft() {
    let s = Serve::shared();
    let tok = token(s);
    let t = new_task(s, &tok, json!({"name": unique("Warteschlange-队列")}));
    // services/tasks.py:771-772: tasks.edit takes the create fields plus `status`.
    ok(
        s,
        &tok,
        "tasks.edit",
        json!({"task": t, "status": "queued"}),
    );
    assert_eq!(get_task(s, &tok, &t)["status"], "queued");
    ok(s, &tok, "tasks.dequeue", json!({"task": t}));
    assert_eq!(get_task(s, &tok, &t)["status"], "created");
    // database/model/task/task.py:258: only the TaskStatus values.
    let (status, sub, msg) = refused(
        s,
        &tok,
        "tasks.edit",
        json!({"task": t, "status": "готово"}),
    );
    assert_eq!((status, sub), (400, json!(12)), "{msg}");
    assert!(msg.contains("готово"), "{msg}");
    assert_eq!(get_task(s, &tok, &t)["status"], "created");
}

#[test]
fn get_by_id_ex_joins_the_queue_and_get_all_ex_expands_the_parent() {
    let s = Serve::shared();
    let tok = token(s);
    let qname = unique("Очередь-队列");
    let q = ok(
        s,
        &tok,
        "queues.create",
        json!({"name": qname, "display_name": "Anzeige"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = new_task(s, &tok, json!({"name": unique("Beitreten-加入")}));
    ok(s, &tok, "tasks.enqueue", json!({"task": t, "queue": q}));
    // tests/automated/test_queues.py assertQueueTasks; database/model/base.py:944
    // get_many_with_join: `execution.queue.name` joins the queue on get_by_id_ex too.
    let r = ok(
        s,
        &tok,
        "tasks.get_by_id_ex",
        json!({"id": [t], "only_fields": ["execution.queue.name", "execution.queue.display_name"]}),
    );
    let queue = &r["tasks"][0]["execution"]["queue"];
    assert_eq!(queue["name"], json!(qname), "{r}");
    assert_eq!(queue["display_name"], "Anzeige", "{r}");
    ok(s, &tok, "tasks.dequeue", json!({"task": t}));

    // base.py:944 expand_reference_ids: a project's parent is `{id}` in get_all_ex
    // (recorded in quirks' pipeline/pipeline-projects.json), a plain id in get_all.
    let root = unique("Wurzel-根");
    let parent = ok(s, &tok, "projects.create", json!({"name": root}))["id"].clone();
    let child = ok(
        s,
        &tok,
        "projects.create",
        json!({"name": format!("{root}/Дитя")}),
    )["id"]
        .clone();
    let ex = ok(s, &tok, "projects.get_all_ex", json!({"id": [child]}));
    assert_eq!(ex["projects"][0]["parent"], json!({"id": parent}), "{ex}");
    let named = ok(
        s,
        &tok,
        "projects.get_all_ex",
        json!({"id": [child], "only_fields": ["name", "parent.name"]}),
    );
    assert_eq!(
        named["projects"][0]["parent"],
        json!({"id": parent, "name": root}),
        "{named}"
    );
    let plain = ok(s, &tok, "projects.get_all", json!({"id": [child]}));
    assert_eq!(plain["projects"][0]["parent"], parent, "{plain}");
}

#[test]
fn project_delete_with_contents_answers_the_file_urls() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Löschen-删除");
    let t = new_task(
        s,
        &tok,
        json!({"name": unique("Aufgabe-任务"), "project": project}),
    );
    let artifacts = json!([
        {"key": "вход", "type": "str", "uri": "file:///tmp/вход.txt", "mode": "input"},
        {"key": "Ausgabe", "type": "str", "uri": "file:///tmp/Ausgabe-输出.txt"},
    ]);
    ok(
        s,
        &tok,
        "tasks.add_or_update_artifacts",
        json!({"task": t, "artifacts": artifacts}),
    );
    let uri = "file:///tmp/Modell-模型.pt";
    ok(
        s,
        &tok,
        "models.create",
        json!({"name": unique("Modell"), "uri": uri, "project": project, "task": t}),
    );
    let r = ok(
        s,
        &tok,
        "projects.delete",
        json!({"project": project, "force": true, "delete_contents": true}),
    );
    // bll/project/project_cleanup.py:186-209 (model uris), 245-253 (output artifacts only);
    // tests/automated/test_tasks_delete.py: event urls are not answered any more.
    assert_eq!(r["urls"]["model_urls"], json!([uri]), "{r}");
    assert_eq!(
        r["urls"]["artifact_urls"],
        json!(["file:///tmp/Ausgabe-输出.txt"]),
        "{r}"
    );
    assert_eq!(r["urls"]["event_urls"], json!([]), "{r}");
    assert_eq!(
        (r["deleted_tasks"].clone(), r["deleted_models"].clone()),
        (json!(1), json!(1))
    );
}

#[test]
fn order_by_a_section_with_an_escaped_dot() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Punkt-点");
    let section = "Ab.schnitt";
    let mut ids = Vec::new();
    for v in ["10", "20"] {
        let hp = json!({section: {"größe": {"section": section, "name": "größe", "value": v}}});
        ids.push(new_task(
            s,
            &tok,
            json!({"name": unique("Sortiert"), "project": project, "hyperparams": hp}),
        ));
    }
    // utilities/parameter_key_escaper.py: `%2E` is a dot in a path part, in only_fields
    // and order_by alike (tests/automated/test_task_hyperparams.py projection test).
    for (order, first) in [("-", &ids[1]), ("", &ids[0])] {
        let r = ok(
            s,
            &tok,
            "tasks.get_all_ex",
            json!({"project": [project], "only_fields": ["hyperparams.Ab%2Eschnitt"],
                "order_by": [format!("{order}hyperparams.Ab%2Eschnitt")]}),
        );
        let tasks = r["tasks"].as_array().unwrap();
        assert_eq!(tasks[0]["id"], json!(first), "{order}: {r}");
        assert!(tasks[0]["hyperparams"][section].is_object(), "{r}");
    }
}

#[test]
fn a_null_project_lists_the_root_reports() {
    let s = Serve::shared();
    let tok = token(s);
    let root = ok(
        s,
        &tok,
        "reports.create",
        json!({"name": unique("Bericht-报告")}),
    )["id"]
        .clone();
    let project = new_project(s, &tok, "Berichte-Отчёты");
    let inner = ok(
        s,
        &tok,
        "reports.create",
        json!({"name": unique("Innen-内部"), "project": project}),
    )["id"]
        .clone();
    // services/reports.py:185-196 (get_all_ex): `parent__in=[None]` matches the top-level
    // `.reports` project; tests/automated/test_reports.py test_root_reports.
    let r = ok(s, &tok, "reports.get_all_ex", json!({"project": [null]}));
    let ids: Vec<&Value> = r["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["id"])
        .collect();
    assert!(ids.contains(&&root), "{r}");
    assert!(!ids.contains(&&inner), "{r}");
    let r = ok(s, &tok, "reports.get_all_ex", json!({"project": project}));
    assert_eq!(r["tasks"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["tasks"][0]["id"], inner, "{r}");
}

/// The scalar event of `task` (or model) with `metric`/`variant` at `iter`.
fn scalar(task: &str, metric: &str, variant: &str, iter: i64, value: f64) -> Value {
    json!({"type": "training_stats_scalar", "task": task, "metric": metric,
        "variant": variant, "iter": iter, "value": value})
}

#[test]
fn a_later_batch_sets_the_last_value_even_at_the_single_value_iteration() {
    let s = Serve::shared();
    let tok = token(s);
    let t = new_task(s, &tok, json!({"name": unique("Einzelwert-单值")}));
    let single = -(1i64 << 31);
    let (m, v) = ("Точность", "größe");
    let mut events: Vec<Value> = (1..4).map(|i| scalar(&t, m, v, i, i as f64)).collect();
    events.push(scalar(&t, m, v, single, 0.0));
    add_batch(s, &tok, &events);
    let last = |s: &Serve| {
        let task = get_task(s, &tok, &t);
        let metric = task["last_metrics"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap();
        metric.as_object().unwrap().values().next().unwrap().clone()
    };
    // Within a batch the latest (iteration, timestamp) gives the value (event_bll.py:437-470).
    assert_eq!(last(s)["value"], 3.0);
    add_batch(s, &tok, &[scalar(&t, m, v, single, 1000.0)]);
    // ...and the batch's value is then set unconditionally (bll/task/utils.py:400), as
    // tests/automated/test_task_events.py test_task_single_value_metrics expects.
    let entry = last(s);
    assert_eq!(entry["value"], 1000.0, "{entry}");
    assert_eq!(
        (entry["max_value"].clone(), entry["min_value"].clone()),
        (json!(1000.0), json!(0.0))
    );
    let r = ok(
        s,
        &tok,
        "events.get_task_single_value_metrics",
        json!({"tasks": [t]}),
    );
    assert_eq!(r["tasks"][0]["values"][0]["value"], 1000.0, "{r}");
}

#[test]
fn model_scalars_keep_x_axis_labels_and_hashed_key_order() {
    let s = Serve::shared();
    let tok = token(s);
    let model = ok(
        s,
        &tok,
        "models.create",
        json!({"name": unique("Modell-模型"), "uri": "file:///tmp/m.pt"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let metrics = ["Метрика", "Größe", "指标", "Verlust"];
    let variants = ["Вариант", "Zweig", "变体"];
    let mut events = Vec::new();
    for iter in 0..2 {
        for m in metrics {
            for v in variants {
                let mut e = scalar(&model, m, v, iter, iter as f64);
                e["model_event"] = json!(true);
                e["x_axis_label"] = json!(format!("Achse {m}/{v} {iter}"));
                events.push(e);
            }
        }
    }
    add_batch(s, &tok, &events);
    // bll/event/event_metrics.py:121-125: each variant's x_axis_label comes from the
    // entity's last_metrics (event_bll.py:204, 469: that of the batch's latest event).
    let h = ok(
        s,
        &tok,
        "events.scalar_metrics_iter_histogram",
        json!({"task": model, "model_events": true}),
    );
    assert_eq!(
        h["Größe"]["Zweig"]["x_axis_label"], "Achse Größe/Zweig 1",
        "{h}"
    );
    assert_eq!(h["指标"]["变体"]["x"], json!([0, 1]), "{h}");
    // MongoDB adds one update's new fields in lexicographic order, and last_metrics keys
    // are md5 hashes (test_task_events.py test_model_events takes the first entry):
    // md5 Verlust 22e8… < Метрика 7ae7… < 指标 7e68… < Größe d248…;
    // 变体 6c83… < Вариант 7e14… < Zweig cfa6….
    let names = |lm: &Value, key: &str| -> Vec<Value> {
        lm.as_object()
            .unwrap()
            .values()
            .map(|x| x[key].clone())
            .collect()
    };
    let get = |s: &Serve| {
        let r = ok(
            s,
            &tok,
            "models.get_all_ex",
            json!({"id": [model], "only_fields": ["last_metrics", "last_iteration"]}),
        );
        r["models"][0].clone()
    };
    let m = get(s);
    assert_eq!(m["last_iteration"], 1, "{m}");
    let lm = &m["last_metrics"];
    let first_metric = lm.as_object().unwrap().values().next().unwrap();
    assert_eq!(lm.as_object().unwrap().len(), 4, "{lm}");
    let metric_order: Vec<Value> = lm
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_object().unwrap().values().next().unwrap()["metric"].clone())
        .collect();
    assert_eq!(
        metric_order,
        json!(["Verlust", "Метрика", "指标", "Größe"])
            .as_array()
            .unwrap()
            .clone()
    );
    assert_eq!(
        names(first_metric, "variant"),
        json!(["变体", "Вариант", "Zweig"])
            .as_array()
            .unwrap()
            .clone()
    );
    let first = first_metric.as_object().unwrap().values().next().unwrap();
    assert_eq!(first["x_axis_label"], "Achse Verlust/变体 1", "{first}");
    // A metric first seen in a later update goes after the known ones (md5 Anfang 03bc…).
    let mut late = scalar(&model, "Anfang", "Вариант", 2, 5.0);
    late["model_event"] = json!(true);
    add_batch(s, &tok, &[late]);
    let lm = get(s)["last_metrics"].clone();
    let last = lm.as_object().unwrap().values().next_back().unwrap();
    assert_eq!(names(last, "metric"), vec![json!("Anfang")], "{lm}");
}

#[test]
fn a_public_project_name_cannot_be_created_again_or_nested_under() {
    let s = Serve::shared();
    let tok = token(s);
    let name = unique("Öffentlich-公开");
    let id = ok(s, &tok, "projects.create", json!({"name": name}))["id"].clone();
    ok(s, &tok, "projects.make_public", json!({"ids": [id]}));
    // bll/project/sub_projects.py:101-123: a public project of the name (or of a parent
    // the create ensures) is 400/414 PublicProjectExists (test_subprojects.py
    // test_public_names_clash, with the real server's preloaded "ClearML Examples").
    for n in [name.clone(), format!("{name}/Проект")] {
        let (status, sub, msg) = refused(s, &tok, "projects.create", json!({"name": n}));
        assert_eq!((status, sub), (400, json!(414)), "{n}: {msg}");
    }
    let r = ok(
        s,
        &tok,
        "projects.get_all",
        json!({"name": format!("^{name}")}),
    );
    assert_eq!(r["projects"].as_array().unwrap().len(), 1, "{r}");
    // A private project of another name is still created.
    ok(
        s,
        &tok,
        "projects.create",
        json!({"name": format!("{name}-privat")}),
    );
}

#[test]
fn the_activity_report_drops_the_last_bucket_wherever_the_range_starts() {
    let s = Serve::shared();
    let tok = token(s);
    let worker = unique("Arbeiter-工人");
    ok(s, &tok, "workers.register", json!({"worker": worker}));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let aligned = now / 40 * 40 - 200;
    // bll/workers/stats.py:288-290 compares the last bucket's key in ms with a cutoff in
    // seconds, so the real server drops the last of the 11 buckets whatever the offset
    // (tests/automated/test_workers.py test_get_activity_report: 10 for 400 s).
    for offset in [0, 20, 36, 37, 39] {
        let from = aligned + offset;
        let r = ok(
            s,
            &tok,
            "workers.get_activity_report",
            json!({"from_date": from, "to_date": from + 400, "interval": 2}),
        );
        for k in ["total", "active"] {
            let dates = r[k]["dates"].as_array().unwrap();
            assert_eq!(dates.len(), 10, "offset {offset}, {k}: {r}");
            assert_eq!(r[k]["counts"].as_array().unwrap().len(), 10, "{r}");
        }
    }
}
