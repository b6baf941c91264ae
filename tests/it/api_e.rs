//! `serve` against the real server's behaviour (issue 15, part E): `order_by` field
//! checks, which task statuses `tasks.delete` refuses without `force`, and when
//! `models.edit` answers `last_update`. Each assertion names where the expected behaviour
//! comes from: a recorded exchange (real-server-responses/quirks/) or the real server's
//! source (clearml-server, read only).

use crate::common::Serve;
use crate::serve::{new_project, new_task, ok, refused, token};
use serde_json::json;

#[test]
fn order_by_an_unknown_field_is_a_lookup_error() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Сортировка-排序");
    new_task(s, &tok, json!({"name": "Aufgabe-任务", "project": project}));
    // database/model/base.py `_get_qs_with_ordering` hands order_by to mongoengine, whose
    // unknown-field LookUpError database/errors.py turns into 400/14 "Lookup error"
    // (the same answer as an unknown only_fields name, quirks/api-unknown-fields.json).
    for endpoint in ["tasks.get_all", "tasks.get_all_ex"] {
        for order in [json!(["-no_such_field"]), json!("no_such_field")] {
            let (status, sub, msg) = refused(
                s,
                &tok,
                endpoint,
                json!({"project": [project], "order_by": order}),
            );
            assert_eq!((status, sub), (400, json!(14)), "{endpoint}: {msg}");
            assert!(
                msg.starts_with("Lookup error") && msg.ends_with("\"no_such_field\""),
                "{msg}"
            );
        }
    }
    let (status, sub, msg) = refused(
        s,
        &tok,
        "models.get_all",
        json!({"order_by": ["name", "Größe"]}),
    );
    assert_eq!((status, sub), (400, json!(14)), "{msg}");
    assert!(msg.ends_with("\"Größe\""), "{msg}");
    // A scalar has no fields below it (mongoengine cannot resolve `name.x`).
    let (status, sub, _) = refused(s, &tok, "tasks.get_all", json!({"order_by": ["name.x"]}));
    assert_eq!((status, sub), (400, json!(14)));
    // Known fields, and any key below the free-form dicts (hyperparams, last_metrics,
    // execution.parameters are DictFields / SafeMapFields in database/model/task), sort.
    let known = [
        "-last_update",
        "+name",
        "status",
        "execution.queue",
        "hyperparams.Аргументы.lr.value",
        "last_metrics.abc.def.value",
        "execution.parameters.Args/x",
        "models.output.name",
    ];
    for field in known {
        let tasks = ok(
            s,
            &tok,
            "tasks.get_all",
            json!({"project": [project], "order_by": [field]}),
        )["tasks"]
            .clone();
        assert_eq!(tasks.as_array().unwrap().len(), 1, "{field}");
    }
    // get_all_ex dereferences references, so a path below one is accepted there.
    ok(
        s,
        &tok,
        "tasks.get_all_ex",
        json!({"project": [project], "order_by": ["project.name"]}),
    );
    ok(
        s,
        &tok,
        "models.get_all",
        json!({"order_by": ["-created", "metadata.schlüssel.value", "last_metrics.a.b.value"]}),
    );
}

#[test]
fn delete_without_force_refuses_every_status_but_created_unless_archived() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Löschen-删除");
    // bll/task/task_operations.py delete_task: without force, a task that is not
    // `created` and not archived is TaskCannotBeDeleted (apierrors/errors.conf 123),
    // "due to status, use force=True" with expected=created and current=<status>.
    let running = new_task(s, &tok, json!({"name": "Läuft-运行", "project": project}));
    ok(s, &tok, "tasks.started", json!({"task": running}));
    let stopped = new_task(s, &tok, json!({"name": "Остановлена", "project": project}));
    ok(s, &tok, "tasks.started", json!({"task": stopped}));
    ok(
        s,
        &tok,
        "tasks.stopped",
        json!({"task": stopped, "force": true}),
    );
    let done = new_task(s, &tok, json!({"name": "Fertig-完成", "project": project}));
    ok(
        s,
        &tok,
        "tasks.completed",
        json!({"task": done, "force": true}),
    );
    for (id, status) in [
        (&running, "in_progress"),
        (&stopped, "stopped"),
        (&done, "completed"),
    ] {
        let (code, sub, msg) = refused(s, &tok, "tasks.delete", json!({"task": id}));
        assert_eq!((code, sub), (400, json!(123)), "{status}: {msg}");
        assert_eq!(
            msg,
            format!(
                "Task cannot be deleted (due to status, use force=True): task={id}, expected=created, current={status}"
            )
        );
    }
    // tasks.delete_many runs the same delete_task per id: the refusal is a failed item.
    let many = ok(s, &tok, "tasks.delete_many", json!({"ids": [done]}));
    assert_eq!(many["succeeded"], json!([]), "{many}");
    assert_eq!(many["failed"][0]["error"]["codes"], json!([400, 123]));
    // Archived, the same completed task goes without force; force deletes any status.
    ok(s, &tok, "tasks.archive", json!({"tasks": [done]}));
    assert_eq!(
        ok(s, &tok, "tasks.delete", json!({"task": done}))["deleted"],
        true
    );
    ok(
        s,
        &tok,
        "tasks.delete",
        json!({"task": running, "force": true}),
    );
    let many = ok(
        s,
        &tok,
        "tasks.delete_many",
        json!({"ids": [stopped], "force": true}),
    );
    assert_eq!(many["succeeded"][0]["id"], json!(stopped), "{many}");
    // A `created` task needs no force.
    let fresh = new_task(s, &tok, json!({"name": "Neu-新", "project": project}));
    ok(s, &tok, "tasks.delete", json!({"task": fresh}));
}

#[test]
fn models_edit_answers_last_update_only_for_the_fields_that_move_it() {
    let s = Serve::shared();
    let tok = token(s);
    let project = new_project(s, &tok, "Modelle-模型");
    let model = ok(
        s,
        &tok,
        "models.create",
        json!({"name": "Модель-一", "uri": "file:///tmp/m1.pt", "project": project, "ready": false}),
    )["id"]
        .clone();
    let last_update = |s: &Serve| {
        ok(s, &tok, "models.get_by_id", json!({"model": model}))["model"]["last_update"].clone()
    };
    // quirks/api-models-edit-published.json: a tags edit answers last_change,
    // last_changed_by and last_update; a rename or a task change answers no last_update
    // (services/models.py `last_update_fields`: uri, framework, design, labels, ready,
    // metadata, system_tags, tags).
    let f = ok(
        s,
        &tok,
        "models.edit",
        json!({"model": model, "tags": ["Schild-标签"]}),
    )["fields"]
        .clone();
    assert_eq!(f["last_update"], f["last_change"], "{f}");
    assert_eq!(last_update(s), f["last_update"]);
    let before = last_update(s);
    let f = ok(
        s,
        &tok,
        "models.edit",
        json!({"model": model, "name": "Модель-二"}),
    )["fields"]
        .clone();
    assert!(f.get("last_update").is_none(), "{f}");
    assert!(f.get("last_change").is_some(), "{f}");
    // ... and the stored last_update stays (quirks: "the model afterwards" keeps the
    // metadata edit's last_update after the later project edit).
    assert_eq!(last_update(s), before);
    // services/models.py `_update_model`: models.update sets last_update after building
    // its answer, so the answer never has it while the document does.
    let f = ok(
        s,
        &tok,
        "models.update",
        json!({"model": model, "framework": "PyTorch"}),
    )["fields"]
        .clone();
    assert!(f.get("last_update").is_none(), "{f}");
    assert_eq!(f["framework"], "PyTorch");
    assert_eq!(last_update(s), f["last_change"]);
}
