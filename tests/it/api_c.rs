//! `serve` against the real server's behaviour (issue 15, part C): validation of the
//! get_all query language, all-invalid event batches, date filters, task-events
//! navigation and the task log download. Each assertion names where the expected
//! behaviour comes from: the API schema (/work/shared/reference/clearml-server-v2.3/schema),
//! a recorded exchange (real-server-responses/, quirks/), or the real server's source
//! (clearml-server, read only).

use crate::common::Serve;
use crate::serve::{call, new_project as project, ok, token};
use serde_json::{Value, json};

fn task(s: &Serve, tok: &str, project: &str, name: &str) -> String {
    let body = json!({"name": name, "type": "training", "project": project});
    ok(s, tok, "tasks.create", body)["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn names(s: &Serve, tok: &str, endpoint: &str, key: &str, query: Value) -> Vec<String> {
    let mut v: Vec<String> = ok(s, tok, endpoint, query)[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn error(s: &Serve, tok: &str, endpoint: &str, body: Value) -> (i64, i64, String) {
    let (_, v) = call(s, tok, endpoint, body);
    (
        v["meta"]["result_code"].as_i64().unwrap(),
        v["meta"]["result_subcode"].as_i64().unwrap(),
        v["meta"]["result_msg"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// Item 1: which query keys the real server refuses, and which it quietly ignores.
#[test]
fn get_all_refuses_malformed_multi_field_searches_and_unknown_fields() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "Запросы Abfragen 查询");
    let name = "Задача Prüfung 任务";
    task(s, &tok, &p, name);
    for endpoint in ["tasks.get_all", "tasks.get_all_ex"] {
        // quirks/api-unknown-fields.json: an unknown top-level key is ignored (200).
        let found = names(
            s,
            &tok,
            endpoint,
            "tasks",
            json!({"project": [&p], "no_such_field": 123}),
        );
        assert_eq!(found, vec![name.to_string()], "{endpoint}");
        // base.py MultiFieldParameters: `fields` required, exactly one of pattern/datetime,
        // no other key; anything else is MakeGetAllQueryError -> 400/12 naming the key.
        for (key, bad) in [
            ("_any_", json!("Задача")),
            ("_any_", json!({"fields": ["name"]})),
            ("_all_", json!({"pattern": "Задача"})),
            (
                "_any_",
                json!({"fields": ["name"], "pattern": "x", "datetime": ">2020-01-01"}),
            ),
            (
                "_all_",
                json!({"fields": ["name"], "pattern": "x", "flags": "i"}),
            ),
        ] {
            let (code, sub, msg) = error(s, &tok, endpoint, json!({"project": [&p], key: bad}));
            assert_eq!((code, sub), (400, 12), "{endpoint} {key}={bad}: {msg}");
            assert!(msg.contains(&format!("field={key}")), "{msg}");
        }
        // database/errors.py lookup_error: a pattern search over a field the task document
        // does not have is a 400/14 Lookup error naming it.
        let (code, sub, msg) = error(
            s,
            &tok,
            endpoint,
            json!({"_any_": {"fields": ["name", "нет_такого_поля"], "pattern": "x"}}),
        );
        assert_eq!((code, sub), (400, 14), "{endpoint}: {msg}");
        assert!(
            msg.contains("Cannot resolve field \"нет_такого_поля\""),
            "{msg}"
        );
        // Fields the SDK and web UI search (and any key below a free-form map) resolve.
        let found = names(
            s,
            &tok,
            endpoint,
            "tasks",
            json!({"project": [&p], "_any_": {"fields": ["id", "name", "comment", "script.repository",
                "hyperparams.Общие.lr", "system_tags"], "pattern": "Prüfung"}}),
        );
        assert_eq!(found, vec![name.to_string()], "{endpoint}");
        // base.py: a `filters` that is no dict is a FieldsValueError (400/16).
        let (code, sub, _) = error(s, &tok, endpoint, json!({"filters": "tags"}));
        assert_eq!((code, sub), (400, 16), "{endpoint}");
    }
    // Models resolve against the model document the same way (database/model/model.py).
    let (code, sub, _) = error(
        s,
        &tok,
        "models.get_all",
        json!({"_all_": {"fields": ["uri", "no_such_field"], "pattern": "x"}}),
    );
    assert_eq!((code, sub), (400, 14));
    ok(
        s,
        &tok,
        "models.get_all",
        json!({"_all_": {"fields": ["uri", "metadata.ключ.value"], "pattern": "x"}}),
    );
}

/// Item 2: events.add_batch when no event of the batch can be stored.
#[test]
fn add_batch_with_only_invalid_events_is_events_not_added() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "События Ereignisse 事件");
    let t = task(s, &tok, &p, "Журнал Protokoll 日志");
    let post = |events: &[Value]| -> Value {
        let lines: Vec<String> = events.iter().map(Value::to_string).collect();
        crate::serve::client()
            .post(format!("{}/events.add_batch", s.api_url))
            .bearer_auth(&tok)
            .header("Content-Type", "application/json-lines")
            .body(lines.join("\n"))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let missing = "0123456789abcdef0123456789abcdef";
    // event_bll.add_events: nothing added -> EventsNotAdded (400/131) with the per-reason
    // error counts as error data, keys worded as there.
    let r = post(&[
        json!({"type": "log", "task": missing, "msg": "Привет"}),
        json!({"type": "log", "task": missing, "msg": "Grüße"}),
        json!({"task": t, "msg": "没有类型"}),
        json!({"type": "no_such_type", "task": t}),
        json!({"type": "log", "msg": "ohne Aufgabe"}),
    ]);
    assert_eq!(r["meta"]["result_code"], 400, "{r}");
    assert_eq!(r["meta"]["result_subcode"], 131, "{r}");
    let info = &r["meta"]["error_data"];
    assert_eq!(info[format!("Invalid task id {missing}")], 2, "{r}");
    assert_eq!(info["Event must have a 'type' field"], 1, "{r}");
    assert_eq!(info["Invalid event type no_such_type"], 1, "{r}");
    assert_eq!(info["Event must have a 'task' field"], 1, "{r}");
    assert!(
        r["meta"]["result_msg"]
            .as_str()
            .unwrap()
            .starts_with("events not added"),
        "{r}"
    );
    // Nothing was stored for the task.
    let got = ok(s, &tok, "events.get_task_log", json!({"task": t}));
    assert_eq!(got["total"], 0, "{got}");
    // A mixed batch stores the valid events and counts the rest (200).
    let r = post(&[
        json!({"type": "log", "task": t, "msg": "Привет Grüße 你好", "level": "info"}),
        json!({"type": "log", "task": missing, "msg": "x"}),
    ]);
    assert_eq!(r["meta"]["result_code"], 200, "{r}");
    assert_eq!(r["data"]["added"], 1, "{r}");
    assert_eq!(r["data"]["errors"], 1, "{r}");
    assert_eq!(
        r["data"]["errors_info"][format!("Invalid task id {missing}")],
        1,
        "{r}"
    );
    let got = ok(s, &tok, "events.get_task_log", json!({"task": t}));
    assert_eq!(got["total"], 1, "{got}");
    // services/events.py add_batch: an empty batch is BatchContainsNoItems (400/17).
    let r = post(&[]);
    assert_eq!(
        (&r["meta"]["result_code"], &r["meta"]["result_subcode"]),
        (&json!(400), &json!(17)),
        "{r}"
    );
    // events.add goes through the same add_events: a lone invalid event is 400/131 too.
    let (code, sub, _) = error(
        s,
        &tok,
        "events.add",
        json!({"type": "log", "task": missing}),
    );
    assert_eq!((code, sub), (400, 131));
}

/// Item 3: date conditions (base.py `_get_dates_query`, `get_range_field_query`) and
/// case-insensitive `_any_` patterns (`RegexWrapper(pattern, flags=re.IGNORECASE)`).
#[test]
fn date_filters_and_any_all_follow_the_real_query_language() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "Даты Daten 日期");
    let (a, b) = ("Задача Änderung 任务А", "Aufgabe Öl 任务Б");
    let ta = task(s, &tok, &p, a);
    std::thread::sleep(std::time::Duration::from_millis(30));
    task(s, &tok, &p, b);
    std::thread::sleep(std::time::Duration::from_millis(30));
    ok(s, &tok, "tasks.started", json!({"task": ta}));
    let b_changed = ok(
        s,
        &tok,
        "tasks.get_all",
        json!({"project": [&p], "name": "^Aufgabe", "only_fields": ["status_changed"]}),
    )["tasks"][0]["status_changed"]
        .as_str()
        .unwrap()
        .to_string();
    let q = |extra: Value| {
        let mut body = json!({"project": [&p]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        names(s, &tok, "tasks.get_all", "tasks", body)
    };
    let (a, b) = (a.to_string(), b.to_string());
    let both = {
        let mut v = vec![a.clone(), b.clone()];
        v.sort();
        v
    };
    // Operator forms: every condition must hold; no operator = equal.
    assert_eq!(
        q(json!({"status_changed": [format!(">{b_changed}")]})),
        vec![a.clone()]
    );
    assert_eq!(q(json!({"status_changed": format!(">={b_changed}")})), both);
    assert_eq!(q(json!({"status_changed": b_changed})), vec![b.clone()]);
    assert_eq!(
        q(json!({"status_changed": [">2000-01-01", format!("<={b_changed}")]})),
        vec![b.clone()]
    );
    // The SDK's TaskMonitor sends `>YYYY-MM-DD HH:MM:SS.ffffff` (space, no offset = UTC).
    assert_eq!(
        q(json!({"status_changed": [">2000-01-01 00:00:00.000001"]})),
        both
    );
    assert_eq!(
        q(json!({"last_update": ["<2000-01-01"]})),
        Vec::<String>::new()
    );
    // A two-element list without operators is a [min, max] range; either end may be null.
    assert_eq!(
        q(json!({"status_changed": [null, b_changed]})),
        vec![b.clone()]
    );
    assert_eq!(q(json!({"status_changed": [b_changed, null]})), both);
    assert_eq!(
        q(json!({"last_change": ["2000-01-01", "2999-12-31"]})),
        both
    );
    // A condition that is no date is skipped (parse error ignored).
    assert_eq!(q(json!({"status_changed": [">kein Datum"]})), both);
    // Range fields need exactly [min, max] with one end at least (400/12).
    for bad in [
        json!({"created": ">2000-01-01"}),
        json!({"created": [null, null]}),
    ] {
        let (code, sub, msg) = error(s, &tok, "tasks.get_all", bad.clone());
        assert_eq!((code, sub), (400, 12), "{bad}: {msg}");
    }
    assert_eq!(q(json!({"created": ["2000-01-01T00:00:00", null]})), both);
    // `_any_`/`_all_` with `datetime`: applied to the date fields among `fields`.
    let cond = format!(">{b_changed}");
    assert_eq!(
        q(json!({"_any_": {"fields": ["status_changed", "name"], "datetime": cond}})),
        vec![a.clone()]
    );
    assert_eq!(
        q(
            json!({"_all_": {"fields": ["status_changed", "last_update"], "datetime": [null, b_changed]}})
        ),
        vec![b.clone()]
    );
    // `_any_` patterns ignore case (Unicode too); the top-level `name` pattern does not.
    assert_eq!(
        q(json!({"_any_": {"fields": ["name", "comment"], "pattern": "задача änderung"}})),
        vec![a.clone()]
    );
    assert_eq!(
        q(json!({"_all_": {"fields": ["name"], "pattern": "öl"}})),
        vec![b.clone()]
    );
    assert_eq!(q(json!({"name": "задача"})), Vec::<String>::new());
}

fn post_batch(s: &Serve, tok: &str, events: &[Value]) {
    crate::serve::add_batch(s, tok, events);
}

fn iters(v: &Value) -> Vec<i64> {
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["iter"].as_i64().unwrap())
        .collect()
}

/// Item 4: events.get_task_events pages by iteration (services/events.py get_task_events,
/// events_iterator._get_events: sorted by `iter`, `search_after` the last iteration, the
/// rest of the last iteration always included; the scroll keeps the first call's query
/// and total; `count_total` defaults to true).
#[test]
fn get_task_events_scrolls_by_iteration() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "Итерации Iterationen 迭代");
    let t = task(s, &tok, &p, "Шаги Schritte 步骤");
    // Iterations 0..5, two scalars each (variants Russian and German), plus a log line at 2.
    let mut events = Vec::new();
    for i in 0..5 {
        for v in ["обучение", "Prüfung"] {
            events.push(
                json!({"type": "training_stats_scalar", "task": t, "iter": i,
                "metric": "Verlust", "variant": v, "value": i}),
            );
        }
    }
    events.push(json!({"type": "log", "task": t, "iter": 2, "msg": "日志", "level": "info"}));
    post_batch(s, &tok, &events);
    // asc, batch 3: iterations 0,0,1 plus the other event of iteration 1.
    let r = ok(
        s,
        &tok,
        "events.get_task_events",
        json!({"task": t, "batch_size": 3}),
    );
    assert_eq!(iters(&r), vec![0, 0, 1, 1], "{r}");
    assert_eq!(r["returned"], 4);
    assert_eq!(r["total"], 11);
    // The scroll continues after iteration 1 with the same query; only batch_size changes.
    let r = ok(
        s,
        &tok,
        "events.get_task_events",
        json!({"task": t, "scroll_id": r["scroll_id"], "batch_size": 2, "order": "desc"}),
    );
    assert_eq!(iters(&r), vec![2, 2, 2], "{r}");
    assert_eq!(r["total"], 11);
    // The batch size given with a scroll stays with it: pages of two from here on.
    let mut sid = r["scroll_id"].clone();
    let mut pages = Vec::new();
    loop {
        let r = ok(
            s,
            &tok,
            "events.get_task_events",
            json!({"task": t, "scroll_id": sid}),
        );
        if r["returned"] == 0 {
            assert_eq!(r["events"], json!([]));
            assert_eq!(r["total"], 11);
            break;
        }
        pages.push(iters(&r));
        sid = r["scroll_id"].clone();
    }
    assert_eq!(pages, vec![vec![3, 3], vec![4, 4]]);
    // desc starts at the newest iteration; event_type and metrics narrow the events.
    let r = ok(
        s,
        &tok,
        "events.get_task_events",
        json!({"task": t, "order": "desc", "batch_size": 1, "event_type": "training_stats_scalar",
            "metrics": [{"metric": "Verlust", "variants": ["Prüfung"]}]}),
    );
    assert_eq!(iters(&r), vec![4], "{r}");
    assert_eq!(r["total"], 5);
    let r = ok(
        s,
        &tok,
        "events.get_task_events",
        json!({"task": t, "scroll_id": r["scroll_id"], "batch_size": 10}),
    );
    assert_eq!(iters(&r), vec![3, 2, 1, 0], "{r}");
    // count_total false: total is null (TaskEventsRequest.count_total).
    let r = ok(
        s,
        &tok,
        "events.get_task_events",
        json!({"task": t, "count_total": false}),
    );
    assert_eq!(r["total"], Value::Null);
    // A scroll id the server did not make: InvalidScrollId (400/1104, errors.conf).
    let (code, sub, _) = error(
        s,
        &tok,
        "events.get_task_events",
        json!({"task": t, "scroll_id": "нет"}),
    );
    assert_eq!((code, sub), (400, 1104));
    // An unknown task: 400/101.
    let (code, sub, _) = error(
        s,
        &tok,
        "events.get_task_events",
        json!({"task": "0123456789abcdef0123456789abcdef"}),
    );
    assert_eq!((code, sub), (400, 101));
}

/// Item 4: events.download_task_log (services/events.py download_task_log): the log as a
/// `task_<id>.log` text/plain attachment, oldest first; JSON lines by default (timestamp as
/// `asctime`, no `type`/`task`), or `line_format` for `line_type: text`.
#[test]
fn download_task_log_streams_the_log_as_text_or_json_lines() {
    let s = Serve::shared();
    let tok = token(s);
    let p = project(s, &tok, "Загрузка Herunterladen 下载");
    let t = task(s, &tok, &p, "Протокол Bericht 报告");
    let msgs = ["Привет мир", "Grüß Gott", "你好世界"];
    let events: Vec<Value> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| {
            json!({"type": "log", "task": t, "msg": m, "level": "info",
            "worker": "Рабочий", "timestamp": 1_700_000_000_000i64 + i as i64})
        })
        .collect();
    post_batch(s, &tok, &events);
    let get = |body: Value| {
        crate::serve::client()
            .post(format!("{}/events.download_task_log", s.api_url))
            .bearer_auth(&tok)
            .json(&body)
            .send()
            .unwrap()
    };
    let r = get(json!({"task": t}));
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains(&format!("task_{t}.log")),
        "{disposition}"
    );
    let text = r.text().unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    for (line, m) in lines.iter().zip(msgs) {
        assert_eq!(line["msg"], m);
        assert!(
            line.get("type").is_none() && line.get("task").is_none(),
            "{line}"
        );
        assert!(
            line["asctime"].as_i64().unwrap() >= 1_700_000_000_000,
            "{line}"
        );
        assert!(line.get("timestamp").is_none(), "{line}");
    }
    let text = get(json!({"task": t, "line_type": "text", "line_format": "{level}|{msg}"}))
        .text()
        .unwrap();
    assert_eq!(text, "info|Привет мир\ninfo|Grüß Gott\ninfo|你好世界\n");
    // Unknown placeholders are refused before anything is sent (400/16).
    let (code, sub, msg) = error(
        s,
        &tok,
        "events.download_task_log",
        json!({"task": t, "line_type": "text", "line_format": "{msg} {фамилия}"}),
    );
    assert_eq!((code, sub), (400, 16), "{msg}");
    assert!(msg.contains("фамилия"), "{msg}");
}
