//! References the real server's `*_ex` listings join that the common listing code does
//! not: a task's `execution.queue` as `{id, name}`, and a queue's `workers` (the workers
//! serving it, each `{name, ip, key, task}`), and a project's `parent` as `{id}` (recorded
//! in quirks' pipeline/pipeline-projects.json).

use super::super::Call;
use super::super::store::Coll;
use serde_json::{Value, json};

/// Add the joins to the answer of `call.endpoint`, when it is one that has them.
pub fn apply(call: &Call, data: &mut Value) {
    match call.endpoint.as_str() {
        "tasks.get_all_ex" | "tasks.get_by_id_ex" => task_queues(call, data),
        "projects.get_all_ex" => project_parents(call, data),
        "queues.get_all_ex" => queue_workers(call, data),
        _ => {}
    }
}

fn task_queues(call: &Call, data: &mut Value) {
    let Some(tasks) = data["tasks"].as_array_mut() else {
        return;
    };
    for t in tasks {
        let Some(id) = t
            .pointer("/execution/queue")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let queue = call.store.get(Coll::Queues, &id).ok().flatten();
        let name = queue.as_ref().map_or(Value::Null, |q| q["name"].clone());
        let mut joined = json!({"id": id, "name": name});
        if let Some(d) = queue.as_ref().and_then(|q| q.get("display_name")) {
            joined["display_name"] = d.clone();
        }
        t["execution"]["queue"] = joined;
    }
}

/// database/model/base.py:944 (`get_many_with_join`, `expand_reference_ids`): a
/// project's `parent` id is answered as `{id}`, with the parent's `name` when
/// `only_fields` asks for `parent.name`.
fn project_parents(call: &Call, data: &mut Value) {
    let Some(projects) = data["projects"].as_array_mut() else {
        return;
    };
    let with_name = call.body["only_fields"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "parent.name"));
    for p in projects {
        let mut parent = p.get("parent").and_then(Value::as_str).map(str::to_string);
        if parent.is_none() && with_name {
            // `parent.name` projects a string away; the id comes from the project itself.
            let own = p["id"]
                .as_str()
                .map(|id| call.store.get(Coll::Projects, id));
            parent = own
                .and_then(|r| r.ok().flatten())
                .and_then(|d| d["parent"].as_str().map(str::to_string));
        }
        let Some(id) = parent else {
            continue;
        };
        let mut joined = json!({"id": id});
        if with_name {
            let parent = call.store.get(Coll::Projects, &id).ok().flatten();
            joined["name"] = parent.map_or(Value::Null, |q| q["name"].clone());
        }
        p["parent"] = joined;
    }
}

fn queue_workers(call: &Call, data: &mut Value) {
    let Some(queues) = data["queues"].as_array_mut() else {
        return;
    };
    let workers = call
        .state
        .workers
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .workers(&crate::activity::WorkerQuery::default());
    for q in queues {
        let Some(qid) = q["id"].as_str().map(str::to_string) else {
            continue;
        };
        let serving: Vec<Value> = workers
            .iter()
            .filter(|w| {
                w["queues"].as_array().is_some_and(|list| {
                    list.iter()
                        .any(|x| x["id"] == qid.as_str() || *x == qid.as_str())
                })
            })
            .map(|w| json!({"name": w["id"], "ip": w["ip"], "key": w["key"], "task": w["task"]}))
            .collect();
        q["workers"] = json!(serving);
    }
}
