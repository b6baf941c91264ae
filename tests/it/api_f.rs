//! `serve` against the real server's behaviour (issue 26): `projects.get_all_ex` options,
//! model events, `projects.delete` without force, sorted answers, and what `tasks.started`
//! leaves alone. Each assertion names where the expected behaviour comes from: a recorded
//! exchange (real-server-responses/) or the real server's source (clearml-server, read
//! only).

use crate::common::Serve;
use crate::serve::{get_task, new_project, new_task, ok, refused, token};
use serde_json::{Value, json};

#[test]
fn started_leaves_the_worker_to_the_worker() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Рабочий-工人");
    let task = new_task(
        s,
        &tok,
        json!({"name": "Gestartet-开始", "project": project}),
    );
    // services/tasks.py started → set_task_status_from_call only changes the status:
    // `last_worker` is written by workers.status_report alone (bll/workers/__init__.py
    // status_report: `last_worker=report.worker`), so the web UI shows no worker for a
    // task started by the SDK itself.
    ok(s, &tok, "tasks.started", json!({"task": task}));
    let doc = get_task(s, &tok, &task);
    assert_eq!(doc["status"], "in_progress");
    assert!(
        doc["last_worker"].as_str().is_none_or(str::is_empty),
        "{}",
        doc["last_worker"]
    );
    let w = crate::serve::unique("Arbeiter-工人");
    ok(
        s,
        &tok,
        "workers.status_report",
        json!({"worker": w, "task": task, "timestamp": chrono::Utc::now().timestamp_millis()}),
    );
    assert_eq!(get_task(s, &tok, &task)["last_worker"], json!(w));
    let _ = refused;
}

/// A project by full name (parents created on the way); its id.
fn project_named(s: &Serve, tok: &str, name: &str, extra: Value) -> String {
    let mut body = extra;
    body["name"] = json!(name);
    ok(s, tok, "projects.create", body)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn one_project(s: &Serve, tok: &str, body: Value) -> Value {
    let got = ok(s, tok, "projects.get_all_ex", body)["projects"].clone();
    assert_eq!(got.as_array().map(Vec::len), Some(1), "{got}");
    got[0].clone()
}

#[test]
fn projects_have_a_parent_and_non_shallow_parent_searches_the_whole_subtree() {
    let s = Serve::shared();
    let tok = token(s);
    let root = crate::serve::unique("Eltern-父");
    let root_id = project_named(s, &tok, &root, json!({}));
    let enkel = project_named(s, &tok, &format!("{root}/Kind-子/Enkel-孙"), json!({}));
    let kind = ok(
        s,
        &tok,
        "projects.get_all",
        json!({"name": format!("^{root}/Kind-子$")}),
    )["projects"][0]["id"]
        .clone();
    // database/model/project.py: `parent` is the project one level up (a reference field,
    // so get_all_ex gives `{id, name}`); a top-level project has none
    // (real-server-responses/projects.get_all_ex.json shows no `parent` on top-level ones).
    let p = ok(s, &tok, "projects.get_by_id", json!({"project": enkel}))["project"].clone();
    assert_eq!(p["parent"], kind, "{p}");
    let p = ok(s, &tok, "projects.get_by_id", json!({"project": root_id}))["project"].clone();
    assert!(p.get("parent").is_none(), "{p}");
    // services/projects.py `_adjust_search_parameters`: without shallow_search `parent`
    // becomes a `path` filter, any level below it; with it, direct children only.
    let found = one_project(s, &tok, json!({"name": "Enkel-孙", "parent": [root_id]}));
    assert_eq!(found["id"], json!(enkel));
    let shallow = ok(
        s,
        &tok,
        "projects.get_all_ex",
        json!({"parent": [root_id], "shallow_search": true}),
    )["projects"]
        .clone();
    assert_eq!(shallow.as_array().unwrap().len(), 1, "{shallow}");
    assert_eq!(shallow[0]["id"], kind);
    // A renamed project's children keep it as their parent.
    ok(
        s,
        &tok,
        "projects.update",
        json!({"project": kind, "name": format!("{root}/Kind-孩子")}),
    );
    let p = ok(s, &tok, "projects.get_by_id", json!({"project": enkel}))["project"].clone();
    assert_eq!(p["parent"], kind, "{p}");
    assert_eq!(p["name"], json!(format!("{root}/Kind-孩子/Enkel-孙")));
}

#[test]
fn get_all_ex_counts_own_contents_and_statistics_of_the_subtree() {
    let s = Serve::shared();
    let tok = token(s);
    let root = crate::serve::unique("Статистика-统计");
    let root_id = project_named(s, &tok, &root, json!({}));
    let child = project_named(s, &tok, &format!("{root}/Unter-子"), json!({}));
    new_task(s, &tok, json!({"name": "Entwurf-草稿", "project": root_id}));
    let old = new_task(s, &tok, json!({"name": "Archiv-档案", "project": root_id}));
    ok(s, &tok, "tasks.archive", json!({"tasks": [old]}));
    let done = new_task(s, &tok, json!({"name": "Fertig-完成", "project": child}));
    ok(s, &tok, "tasks.started", json!({"task": done}));
    ok(s, &tok, "tasks.completed", json!({"task": done}));
    ok(
        s,
        &tok,
        "models.create",
        json!({"name": "Modell-模型", "uri": "file:///tmp/m.pt", "project": root_id}),
    );
    // project_bll.py calc_own_contents: tasks and models directly in the project, archived
    // ones left out.
    let p = one_project(
        s,
        &tok,
        json!({"id": [root_id], "check_own_contents": true}),
    );
    assert_eq!(
        (p["own_tasks"].clone(), p["own_models"].clone()),
        (json!(1), json!(1)),
        "{p}"
    );
    // project_bll.py get_project_stats: status counts over the project and its children,
    // archived tasks left out; `sub_projects` sorted by name.
    let p = one_project(s, &tok, json!({"id": [root_id], "include_stats": true}));
    let active = &p["stats"]["active"];
    assert_eq!(active["total_tasks"], 2, "{p}");
    assert_eq!(active["status_count"]["created"], 1);
    assert_eq!(active["status_count"]["completed"], 1);
    assert_eq!(active["completed_tasks_24h"], 1);
    assert!(active["last_task_run"].as_str().is_some(), "{active}");
    assert_eq!(
        p["sub_projects"],
        json!([{"id": child, "name": format!("{root}/Unter-子")}])
    );
    // stats_with_children: false counts the project alone.
    let p = one_project(
        s,
        &tok,
        json!({"id": [root_id], "include_stats": true, "stats_with_children": false}),
    );
    assert_eq!(p["stats"]["active"]["total_tasks"], 1, "{p}");
}

#[test]
fn get_all_ex_selects_projects_by_their_children_and_gives_dataset_stats() {
    let s = Serve::shared();
    let tok = token(s);
    let root = crate::serve::unique("Daten-数据");
    let root_id = project_named(s, &tok, &root, json!({}));
    let plain = new_project(s, &tok, "Ohne-没有");
    // The SDK keeps a dataset as `<project>/.datasets/<name>`, tagged `dataset` and hidden.
    let ds = project_named(
        s,
        &tok,
        &format!("{root}/.datasets/Набор-集"),
        json!({"system_tags": ["hidden", "dataset"], "tags": ["версия"]}),
    );
    let version = new_task(
        s,
        &tok,
        json!({"name": "Version-版本", "project": ds, "type": "data_processing",
               "system_tags": ["dataset"]}),
    );
    ok(
        s,
        &tok,
        "tasks.edit",
        json!({"task": version, "runtime": {"ds_file_count": 3, "ds_total_size": 4096}}),
    );
    // project_bll.py get_projects_with_selected_children: projects holding dataset
    // children (not the `.datasets` hub itself) and every project above them.
    let got = ok(
        s,
        &tok,
        "projects.get_all_ex",
        json!({"children_type": "dataset", "shallow_search": true, "search_hidden": true}),
    )["projects"]
        .clone();
    let ids: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert!(ids.contains(&root_id.as_str()), "{got}");
    assert!(!ids.contains(&plain.as_str()), "{got}");
    // children_tags narrows the children counted.
    let body =
        |tags: Value| json!({"children_type": "dataset", "children_tags": tags, "id": [root_id]});
    assert_eq!(
        one_project(s, &tok, body(json!(["версия"])))["id"],
        json!(root_id)
    );
    let none = ok(s, &tok, "projects.get_all_ex", body(json!(["keine-无"])))["projects"].clone();
    assert_eq!(none, json!([]));
    // check_own_contents with children_type dataset: dataset projects directly below.
    let hub = one_project(
        s,
        &tok,
        json!({"name": format!("^{root}/.datasets$"), "search_hidden": true,
               "children_type": "dataset", "check_own_contents": true}),
    );
    assert_eq!(hub["own_datasets"], 1, "{hub}");
    // project_bll.py get_dataset_stats: the latest task's runtime ds_file_count/ds_total_size.
    let p = one_project(
        s,
        &tok,
        json!({"id": [ds], "search_hidden": true, "include_dataset_stats": true}),
    );
    assert_eq!(
        p["dataset_stats"],
        json!({"file_count": 3, "total_size": 4096}),
        "{p}"
    );
    let p = one_project(
        s,
        &tok,
        json!({"id": [plain], "include_dataset_stats": true}),
    );
    assert_eq!(p["dataset_stats"], Value::Null, "{p}");
}

#[test]
fn model_events_are_stored_against_the_model_and_queried_with_model_events() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Modellereignisse-模型事件");
    let model = ok(
        s,
        &tok,
        "models.create",
        json!({"name": "Модель-模型", "uri": "file:///tmp/m.pt", "project": project}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    // bll/event/event_bll.py add_events: `model_event: true` checks the id against the
    // models (`model` may stand for `task`), and ModelBLL.update_statistics gives the model
    // its last_metrics and last_iteration.
    let added = ok(
        s,
        &tok,
        "events.add",
        json!({"model_event": true, "model": model, "type": "training_stats_scalar",
               "metric": "Genauigkeit-精度", "variant": "тест", "iter": 7, "value": 0.5}),
    );
    assert_eq!(added["added"], 1, "{added}");
    crate::serve::add_batch(
        s,
        &tok,
        &[
            json!({"model_event": true, "task": model, "type": "training_stats_scalar",
                 "metric": "Genauigkeit-精度", "variant": "тест", "iter": 9, "value": 0.75}),
        ],
    );
    let m = ok(s, &tok, "models.get_by_id", json!({"model": model}))["model"].clone();
    assert_eq!(m["last_iteration"], 9, "{m}");
    let entry = m["last_metrics"]
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(|v| v.as_object())
        .and_then(|o| o.values().next())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            entry["metric"].clone(),
            entry["value"].clone(),
            entry["count"].clone()
        ),
        (json!("Genauigkeit-精度"), json!(0.75), json!(2)),
        "{m}"
    );
    // Log events are for tasks only; an unknown model is named as such.
    let (status, sub, msg) = refused(
        s,
        &tok,
        "events.add",
        json!({"model_event": true, "task": model, "type": "log", "msg": "Привет"}),
    );
    assert_eq!((status, sub), (400, json!(131)), "{msg}");
    assert!(
        msg.contains("Task log events are not supported for models"),
        "{msg}"
    );
    let (_, _, msg) = refused(
        s,
        &tok,
        "events.add",
        json!({"model_event": true, "task": "kein-modell", "type": "training_stats_scalar",
               "metric": "m", "variant": "v", "iter": 1, "value": 1.0}),
    );
    assert!(msg.contains("Invalid model id kein-modell"), "{msg}");
    // services/events.py `_assert_task_or_model_exists`: queries with `model_events: true`
    // read the model's events.
    let h = ok(
        s,
        &tok,
        "events.scalar_metrics_iter_histogram",
        json!({"task": model, "model_events": true}),
    );
    assert_eq!(h["Genauigkeit-精度"]["тест"]["x"], json!([7, 9]), "{h}");
    let latest = ok(
        s,
        &tok,
        "events.get_task_latest_scalar_values",
        json!({"task": model, "model_events": true}),
    );
    assert_eq!(latest["last_iter"], 9, "{latest}");
    let (status, sub, _) = refused(
        s,
        &tok,
        "events.scalar_metrics_iter_histogram",
        json!({"task": "kein-modell", "model_events": true}),
    );
    assert_eq!((status, sub), (400, json!(201)));
    // Without model_events the model's id is no task.
    let (status, sub, _) = refused(
        s,
        &tok,
        "events.scalar_metrics_iter_histogram",
        json!({"task": model}),
    );
    assert_eq!((status, sub), (400, json!(101)));
}

#[test]
fn project_delete_without_force_is_refused_only_for_live_contents() {
    let s = Serve::shared();
    let tok = token(s);
    let delete = |id: &str| refused(s, &tok, "projects.delete", json!({"project": id}));
    // bll/project/project_cleanup.py delete_project without force: archived tasks do not
    // block (ProjectHasTasks 402 only for non-archived ones) ...
    let archived_only = new_project(s, &tok, "Archiviert-归档");
    let t = new_task(s, &tok, json!({"name": "Alt-旧", "project": archived_only}));
    ok(s, &tok, "tasks.archive", json!({"tasks": [t]}));
    let r = ok(
        s,
        &tok,
        "projects.delete",
        json!({"project": archived_only}),
    );
    assert_eq!(
        (r["deleted"].clone(), r["disassociated_tasks"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        get_task(s, &tok, &t)
            .get("project")
            .cloned()
            .unwrap_or(Value::Null),
        Value::Null
    );
    // ... a live task is 402, also with delete_contents ...
    let live = new_project(s, &tok, "Lebendig-活");
    new_task(s, &tok, json!({"name": "Läuft-运行", "project": live}));
    let (status, sub, msg) = refused(
        s,
        &tok,
        "projects.delete",
        json!({"project": live, "delete_contents": true}),
    );
    assert_eq!((status, sub), (400, json!(402)), "{msg}");
    assert!(msg.contains(&format!("id={live}")), "{msg}");
    // ... an active model 405 (ProjectHasModels) ...
    let with_model = new_project(s, &tok, "Mit-Modell-模型");
    ok(
        s,
        &tok,
        "models.create",
        json!({"name": "Модель", "uri": "file:///tmp/x.pt", "project": with_model}),
    );
    assert_eq!(delete(&with_model).1, json!(405));
    // ... a dataset sub-project with a version 406 (ProjectHasDatasets) ...
    let root = crate::serve::unique("Datensätze-数据集");
    let root_id = project_named(s, &tok, &root, json!({}));
    let ds = project_named(
        s,
        &tok,
        &format!("{root}/.datasets/Набор"),
        json!({"system_tags": ["hidden", "dataset"]}),
    );
    new_task(
        s,
        &tok,
        json!({"name": "Version-版本", "project": ds, "type": "data_processing"}),
    );
    let (status, sub, msg) = delete(&root_id);
    assert_eq!((status, sub), (400, json!(406)), "{msg}");
    // ... and a pipeline sub-project with a live controller 413 (ProjectHasPipelines).
    let proot = crate::serve::unique("Pipelines-流水线");
    let proot_id = project_named(s, &tok, &proot, json!({}));
    let pl = project_named(
        s,
        &tok,
        &format!("{proot}/.pipelines/Ablauf-流程"),
        json!({"system_tags": ["hidden", "pipeline"]}),
    );
    new_task(
        s,
        &tok,
        json!({"name": "Steuerung-控制", "project": pl, "type": "controller"}),
    );
    let (status, sub, msg) = delete(&proot_id);
    assert_eq!((status, sub), (400, json!(413)), "{msg}");
    // force deletes regardless.
    let r = ok(
        s,
        &tok,
        "projects.delete",
        json!({"project": proot_id, "force": true}),
    );
    assert_eq!(r["deleted"], 3, "{r}");
}

#[test]
fn public_entities_are_read_only_until_made_private() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Öffentlich-公开");
    let task = new_task(s, &tok, json!({"name": "Geteilt-共享", "project": project}));
    let model = ok(
        s,
        &tok,
        "models.create",
        json!({"name": "Общая-модель", "uri": "file:///tmp/p.pt", "project": project}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(s, &tok, "tasks.make_public", json!({"ids": [task]}));
    ok(s, &tok, "projects.make_public", json!({"ids": [project]}));
    ok(s, &tok, "models.make_public", json!({"ids": [model]}));
    // database/model/base.py get_for_writing: a public task or project is
    // NoWritePermission, 403/21 "cannot modify public task(s)".
    let (status, sub, msg) = refused(
        s,
        &tok,
        "tasks.edit",
        json!({"task": task, "comment": "Änderung-修改"}),
    );
    assert_eq!((status, sub), (403, json!(21)), "{msg}");
    assert!(msg.contains("cannot modify public task(s)"), "{msg}");
    let (status, sub, _) = refused(s, &tok, "tasks.started", json!({"task": task}));
    assert_eq!((status, sub), (403, json!(21)));
    let (status, sub, msg) = refused(
        s,
        &tok,
        "projects.update",
        json!({"project": project, "description": "Описание"}),
    );
    assert_eq!((status, sub), (403, json!(21)), "{msg}");
    assert!(msg.contains("cannot modify public project(s)"), "{msg}");
    // services/models.py update: Model.objects(id=..., company=company) finds no public
    // model, InvalidModelId 400/201.
    let (status, sub, _) = refused(
        s,
        &tok,
        "models.update",
        json!({"model": model, "comment": "Kommentar"}),
    );
    assert_eq!((status, sub), (400, json!(201)));
    // Reads still see them; made private, they are writable again.
    assert_eq!(get_task(s, &tok, &task)["name"], "Geteilt-共享");
    ok(s, &tok, "tasks.make_private", json!({"ids": [task]}));
    ok(
        s,
        &tok,
        "tasks.edit",
        json!({"task": task, "comment": "Änderung-修改"}),
    );
    assert_eq!(get_task(s, &tok, &task)["comment"], "Änderung-修改");
}

/// The failed items of a `*_many` answer, as (id, codes, message).
fn failures(r: &Value) -> Vec<(String, Value, String)> {
    r["failed"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or_default().to_string(),
                f["error"]["codes"].clone(),
                f["error"]["msg"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn succeeded_ids(r: &Value) -> Vec<String> {
    r["succeeded"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["id"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn batch_writes_refuse_public_items_each_on_its_own() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Stapel-批量");
    let task = |name: &str| new_task(s, &tok, json!({"name": name, "project": project}));
    let public = task("Öffentlich-公开-Aufgabe");
    let private = task("Privat-私有-задача");
    ok(s, &tok, "tasks.make_public", json!({"ids": [public]}));
    // bll/util.py run_batch_operation runs each id on its own; every task operation
    // (bll/task/task_operations.py archive_task, unarchive_task, dequeue_task, enqueue_task,
    // delete_task, reset_task, publish_task, stop_task) first takes the task through
    // get_task_with_write_access → Task.get_for_writing (database/model/base.py), whose
    // NoWritePermission 403/21 becomes that item's entry in `failed`.
    let r = ok(
        s,
        &tok,
        "tasks.archive_many",
        json!({"ids": [public, private]}),
    );
    assert_eq!(succeeded_ids(&r), std::slice::from_ref(&private), "{r}");
    let failed = failures(&r);
    assert_eq!(failed.len(), 1, "{r}");
    assert_eq!(
        (&failed[0].0, &failed[0].1),
        (&public, &json!([403, 21])),
        "{r}"
    );
    assert!(
        failed[0]
            .2
            .contains(&format!("cannot modify public task(s), ids=('{public}',)")),
        "{r}"
    );
    ok(s, &tok, "tasks.unarchive_many", json!({"ids": [private]}));
    for endpoint in [
        "tasks.unarchive_many",
        "tasks.stop_many",
        "tasks.reset_many",
        "tasks.publish_many",
        "tasks.enqueue_many",
        "tasks.dequeue_many",
        "tasks.delete_many",
    ] {
        let r = ok(s, &tok, endpoint, json!({"ids": [public], "force": true}));
        let failed = failures(&r);
        assert_eq!(failed.len(), 1, "{endpoint}: {r}");
        assert_eq!(failed[0].1, json!([403, 21]), "{endpoint}: {r}");
        assert!(succeeded_ids(&r).is_empty(), "{endpoint}: {r}");
    }
    // Nothing reached the public task.
    let doc = get_task(s, &tok, &public);
    assert_eq!(doc["status"], "created", "{doc}");
    assert!(
        !doc["system_tags"].to_string().contains("archived"),
        "{doc}"
    );
    assert_eq!(doc["name"], "Öffentlich-公开-Aufgabe");

    // The calls naming several tasks at once refuse as a whole, naming the public ones
    // (services/tasks.py _assert_writable_tasks → bll/task/utils.py
    // get_many_tasks_for_writing): archive, move, update_tags.
    for (endpoint, body) in [
        ("tasks.archive", json!({"tasks": [private, public]})),
        (
            "tasks.move",
            json!({"ids": [private, public], "project_name": crate::serve::unique("Ziel-目标")}),
        ),
        (
            "tasks.update_tags",
            json!({"ids": [private, public], "add_tags": ["Метка"]}),
        ),
    ] {
        let (status, sub, msg) = refused(s, &tok, endpoint, body);
        assert_eq!((status, sub), (403, json!(21)), "{endpoint}: {msg}");
        assert!(
            msg.contains(&format!("ids=('{public}',)")),
            "{endpoint}: {msg}"
        );
    }
    let doc = get_task(s, &tok, &private);
    assert_eq!(doc["project"], json!(project), "{doc}");
    assert!(
        !doc["system_tags"].to_string().contains("archived"),
        "{doc}"
    );
    assert!(!doc["tags"].to_string().contains("Метка"), "{doc}");

    // bll/model/__init__.py archive_model, unarchive_model, publish_model, delete_model
    // look the model up with get_company_model_by_id (company = the caller's), which
    // finds no public model: InvalidModelId 400/201 for that item.
    let model = |name: &str| {
        ok(
            s,
            &tok,
            "models.create",
            // Not ready: publish_many has something to refuse or do.
            json!({"name": name, "uri": "file:///tmp/m.pt", "project": project, "ready": false}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let public_model = model("Общая-модель-共享");
    let private_model = model("Eigenes-Modell-私有");
    ok(
        s,
        &tok,
        "models.make_public",
        json!({"ids": [public_model]}),
    );
    for endpoint in [
        "models.archive_many",
        "models.unarchive_many",
        "models.publish_many",
        "models.delete_many",
    ] {
        let r = ok(
            s,
            &tok,
            endpoint,
            json!({"ids": [public_model, private_model], "force": true}),
        );
        let failed = failures(&r);
        assert_eq!(failed.len(), 1, "{endpoint}: {r}");
        assert_eq!(
            (&failed[0].0, &failed[0].1),
            (&public_model, &json!([400, 201])),
            "{endpoint}: {r}"
        );
    }
    let m = ok(s, &tok, "models.get_by_id", json!({"model": public_model}))["model"].clone();
    assert_eq!(m["name"], "Общая-модель-共享", "{m}");
    assert_ne!(m["ready"], true, "{m}");
}

#[test]
fn parameters_configurations_and_artifacts_come_back_sorted() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Sortiert-排序");
    let task = new_task(
        s,
        &tok,
        json!({"name": "Reihenfolge-顺序", "project": project}),
    );
    ok(
        s,
        &tok,
        "tasks.edit_hyper_params",
        json!({"task": task, "hyperparams": [
            {"section": "Zweig", "name": "b", "value": "1"},
            {"section": "Args", "name": "ширина", "value": "2"},
            {"section": "Args", "name": "Breite", "value": "3"},
        ]}),
    );
    ok(
        s,
        &tok,
        "tasks.edit_configuration",
        json!({"task": task, "configuration": [
            {"name": "Модель", "value": "a"},
            {"name": "Allgemein", "value": "b"},
        ]}),
    );
    ok(
        s,
        &tok,
        "tasks.add_or_update_artifacts",
        json!({"task": task, "artifacts": [
            {"key": "zeta", "type": "str", "mode": "output"},
            {"key": "Alpha", "type": "str", "mode": "output"},
            {"key": "数据", "type": "str", "mode": "output"},
        ]}),
    );
    // bll/task/hyperparams.py get_params: sorted by (section, name).
    let p = ok(s, &tok, "tasks.get_hyper_params", json!({"tasks": [task]}));
    let names: Vec<(String, String)> = p["params"][0]["hyperparams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["section"].as_str().unwrap().into(),
                h["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [("Args", "Breite"), ("Args", "ширина"), ("Zweig", "b")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(names, want);
    // hyperparams.py get_configurations: sorted by name.
    let c = ok(
        s,
        &tok,
        "tasks.get_configurations",
        json!({"tasks": [task]}),
    );
    let names: Vec<&str> = c["configurations"][0]["configuration"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["Allgemein", "Модель"]);
    // bll/task/artifacts.py artifacts_unprepare_from_saved: sorted by key.
    let keys = |t: &Value| -> Vec<String> {
        t["execution"]["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["key"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(keys(&get_task(s, &tok, &task)), ["Alpha", "zeta", "数据"]);
    let listed = ok(s, &tok, "tasks.get_all", json!({"id": [task]}))["tasks"][0].clone();
    assert_eq!(keys(&listed), ["Alpha", "zeta", "数据"]);
}

/// A model the task outputs (`tasks.add_or_update_model`), draft unless `ready`.
fn output_model(s: &Serve, tok: &str, task: &str, name: &str, ready: bool) -> String {
    let model = ok(
        s,
        tok,
        "models.create",
        json!({"name": name, "uri": format!("file:///tmp/{name}.pt"), "task": task,
               "ready": ready}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        s,
        tok,
        "tasks.add_or_update_model",
        json!({"task": task, "name": name, "model": model, "type": "output"}),
    );
    model
}

#[test]
fn reset_deletes_draft_output_models_and_says_so() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Zurücksetzen-重置");
    let task = new_task(s, &tok, json!({"name": "Lauf-运行", "project": project}));
    ok(s, &tok, "tasks.started", json!({"task": task}));
    let draft = output_model(s, &tok, &task, "Entwurf-草稿", false);
    ok(
        s,
        &tok,
        "tasks.stopped",
        json!({"task": task, "force": true}),
    );
    // bll/task/task_operations.py reset_task → task_cleanup.py cleanup_task: draft output
    // models are deleted; services/tasks.py reset answers deleted_models and, with
    // return_file_urls, urls.model_urls; models.output is emptied.
    let r = ok(
        s,
        &tok,
        "tasks.reset",
        json!({"task": task, "return_file_urls": true}),
    );
    assert_eq!(r["deleted_models"], 1, "{r}");
    assert_eq!(
        r["urls"]["model_urls"],
        json!(["file:///tmp/Entwurf-草稿.pt"]),
        "{r}"
    );
    let (status, sub, _) = refused(s, &tok, "models.get_by_id", json!({"model": draft}));
    assert_eq!((status, sub), (400, json!(201)));
    let doc = get_task(s, &tok, &task);
    assert_eq!(doc["status"], "created");
    assert_eq!(doc["models"]["output"], json!([]), "{doc}");
    assert_eq!(doc["status_reason"], "reset", "{doc}");
    // reset_many items carry them too (ResetBatchItem: dequeued flag, deleted_models, urls).
    let other = new_task(s, &tok, json!({"name": "Zweiter-第二", "project": project}));
    output_model(s, &tok, &other, "Noch-一个", false);
    let r = ok(s, &tok, "tasks.reset_many", json!({"ids": [other]}));
    let item = &r["succeeded"][0];
    assert_eq!(
        (
            item["deleted_models"].clone(),
            item["dequeued"].clone(),
            item["urls"].clone()
        ),
        (json!(1), json!(false), Value::Null),
        "{r}"
    );
    // A ready output model keeps its task from a reset without force (400/123, cleanup_task
    // verify_task_children_and_ouptuts) ...
    let kept = new_task(
        s,
        &tok,
        json!({"name": "Veröffentlicht", "project": project}),
    );
    let ready = output_model(s, &tok, &kept, "Fertig-完成", true);
    let (status, sub, msg) = refused(s, &tok, "tasks.reset", json!({"task": kept}));
    assert_eq!((status, sub), (400, json!(123)), "{msg}");
    // ... and with force it stays, no longer the task's.
    let r = ok(s, &tok, "tasks.reset", json!({"task": kept, "force": true}));
    assert_eq!(r["deleted_models"], 0, "{r}");
    let m = ok(s, &tok, "models.get_by_id", json!({"model": ready}))["model"].clone();
    assert!(m.get("task").is_none_or(Value::is_null), "{m}");
}

#[test]
fn delete_refuses_a_task_with_a_published_child() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Eltern-父任务");
    let parent = new_task(s, &tok, json!({"name": "Vater-父", "project": project}));
    let child = new_task(
        s,
        &tok,
        json!({"name": "Kind-子", "project": project, "parent": parent}),
    );
    ok(
        s,
        &tok,
        "tasks.completed",
        json!({"task": child, "force": true}),
    );
    ok(
        s,
        &tok,
        "tasks.publish",
        json!({"task": child, "force": true}),
    );
    // task_cleanup.py verify_task_children_and_ouptuts: "has children, use force=True".
    let (status, sub, msg) = refused(s, &tok, "tasks.delete", json!({"task": parent}));
    assert_eq!((status, sub), (400, json!(123)), "{msg}");
    assert!(msg.contains("has children"), "{msg}");
    let r = ok(
        s,
        &tok,
        "tasks.delete",
        json!({"task": parent, "force": true}),
    );
    assert_eq!(r["updated_children"], 1, "{r}");
}

#[test]
fn only_fields_join_the_queue_and_decode_escaped_dots() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Felder-字段");
    let queue_name = crate::serve::unique("Очередь-队列");
    let queue = ok(s, &tok, "queues.create", json!({"name": queue_name}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let task = new_task(
        s,
        &tok,
        json!({"name": "Punkt-点", "project": project,
               "hyperparams": {"Args": {"lr.base": {"section": "Args", "name": "lr.base", "value": "0.1"}}}}),
    );
    // services/queues.py add_task: update_execution_queue (default true,
    // apimodels/queues.py AddTaskRequest) sets the task's execution.queue.
    ok(
        s,
        &tok,
        "queues.add_task",
        json!({"queue": queue, "task": task}),
    );
    assert_eq!(get_task(s, &tok, &task)["execution"]["queue"], json!(queue));
    // get_all_ex joins the referenced queue for `execution.queue.name`.
    let t = ok(
        s,
        &tok,
        "tasks.get_all_ex",
        json!({"id": [task], "only_fields": ["execution.queue.name"]}),
    )["tasks"][0]
        .clone();
    assert_eq!(t["execution"]["queue"]["id"], json!(queue), "{t}");
    assert_eq!(t["execution"]["queue"]["name"], json!(queue_name), "{t}");
    // ParameterKeyEscaper: `%2E` in a path part is a dot of the key.
    let t = ok(
        s,
        &tok,
        "tasks.get_all",
        json!({"id": [task], "only_fields": ["hyperparams.Args.lr%2Ebase.value"]}),
    )["tasks"][0]
        .clone();
    assert_eq!(t["hyperparams"]["Args"]["lr.base"]["value"], "0.1", "{t}");
}

#[test]
fn tags_by_project_archive_reason_and_dequeue_to_a_status() {
    let s = Serve::shared();
    let tok = token(s);
    let root = crate::serve::unique("Etiketten-标签");
    let root_id = project_named(s, &tok, &root, json!({}));
    let child = project_named(s, &tok, &format!("{root}/Kind-子"), json!({}));
    let other = new_project(s, &tok, "Andere-其他");
    new_task(
        s,
        &tok,
        json!({"name": "Mit-标签", "project": child, "tags": ["тег-1"], "system_tags": ["sys-内部"]}),
    );
    new_task(
        s,
        &tok,
        json!({"name": "Fremd-外部", "project": other, "tags": ["fremd-外"]}),
    );
    // bll/organization get_tags with `projects`: their tasks and sub-projects' only;
    // system tags only with include_system.
    let t = ok(
        s,
        &tok,
        "projects.get_task_tags",
        json!({"projects": [root_id]}),
    );
    assert_eq!(t, json!({"tags": ["тег-1"]}), "{t}");
    let t = ok(
        s,
        &tok,
        "projects.get_task_tags",
        json!({"projects": [root_id], "include_system": true}),
    );
    assert_eq!(t["system_tags"], json!(["sys-内部"]), "{t}");
    // task_operations.py archive_task stores status_message / status_reason.
    let a = new_task(s, &tok, json!({"name": "Archiv-归档", "project": other}));
    ok(
        s,
        &tok,
        "tasks.archive",
        json!({"tasks": [a], "status_message": "Aufgeräumt", "status_reason": "清理"}),
    );
    let doc = get_task(s, &tok, &a);
    assert_eq!(
        (doc["status_message"].clone(), doc["status_reason"].clone()),
        (json!("Aufgeräumt"), json!("清理")),
        "{doc}"
    );
    // task_operations.py dequeue_task: new_status decides where the task goes.
    let queue = ok(
        s,
        &tok,
        "queues.create",
        json!({"name": crate::serve::unique("Schlange-队列")}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let q = new_task(s, &tok, json!({"name": "Wartend-等待", "project": other}));
    ok(s, &tok, "tasks.enqueue", json!({"task": q, "queue": queue}));
    let r = ok(
        s,
        &tok,
        "tasks.dequeue",
        json!({"task": q, "new_status": "stopped"}),
    );
    assert_eq!(r["fields"]["status"], "stopped", "{r}");
    assert_eq!(get_task(s, &tok, &q)["status"], "stopped");
    ok(
        s,
        &tok,
        "tasks.enqueue",
        json!({"task": q, "queue": queue, "force": true}),
    );
    let (status, sub, _) = refused(
        s,
        &tok,
        "tasks.dequeue",
        json!({"task": q, "new_status": "schlafend"}),
    );
    assert_eq!((status, sub), (400, json!(12)));
}
