//! Issue 25's "Broken" items, each seen in a real headless Chromium on data written
//! through the API or the real SDK: the failure reason on the overview (4), the Project
//! column of "All experiments" (8), counts that are the table's rows (2), and no serve
//! user id as an SDK-run task's Worker (3).

use super::cdp;
use crate::common::Serve;
use crate::serve::{ok, token};
use serde_json::json;

fn id(v: &serde_json::Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

/// Item 4: a failed task's `status_reason` is on its overview, as the Info field
/// "Status reason", markup in it shown as text.
#[test]
fn the_overview_shows_a_failed_tasks_status_reason() {
    let s = Serve::start();
    let tok = token(&s);
    let project = id(&ok(
        &s,
        &tok,
        "projects.create",
        json!({"name": "Fehlerprojekt Ошибки 失败"}),
    ));
    let task = id(&ok(
        &s,
        &tok,
        "tasks.create",
        json!({"name": "Обучение 训练", "type": "training", "project": project}),
    ));
    ok(&s, &tok, "tasks.started", json!({"task": task}));
    let reason = "Exception <b>CUDA</b> out of memory: Speicher voll, память 内存 at iteration 250";
    ok(
        &s,
        &tok,
        "tasks.failed",
        json!({"task": task, "status_reason": reason, "status_message": "failed"}),
    );
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 860);
    b.open(&format!(
        "{}/projects/{project}/experiments/{task}",
        s.web_url
    ));
    assert!(b.console_errors().is_empty());
    let shown = b.eval(
        "[...document.querySelectorAll('table.facts th')].filter(d => d.textContent == 'Status reason') \
         .map(d => d.nextElementSibling.textContent).join('|')",
    );
    assert_eq!(shown, reason);
}

/// Item 8: "All experiments" has a Project column, so two tasks of one name in two
/// projects can be told apart; each links to its project's table.
#[test]
fn all_experiments_has_a_project_column() {
    let s = Serve::start();
    let tok = token(&s);
    let names = ["Daten Данные 数据", "Modelle Модели 模型"];
    let mut projects = Vec::new();
    for name in names {
        let p = id(&ok(&s, &tok, "projects.create", json!({"name": name})));
        ok(
            &s,
            &tok,
            "tasks.create",
            json!({"name": "load_data загрузка", "type": "data_processing", "project": p}),
        );
        projects.push(p);
    }
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 860);
    b.open(&format!("{}/projects/*/experiments", s.web_url));
    assert!(b.console_errors().is_empty());
    let cells = b.eval(
        "(() => { const heads = [...document.querySelectorAll('#experiments thead th')] \
           .map(th => th.textContent.trim()); \
         const col = heads.indexOf('Project'); \
         if (col < 0) return 'no Project column: ' + heads.join(','); \
         return [...document.querySelectorAll('#experiments tbody tr')].map(tr => { \
           const td = tr.children[col]; const a = td.querySelector('a'); \
           return tr.children[heads.indexOf('Name')].textContent + '|' + td.textContent + '|' + \
             (a ? a.getAttribute('href') : ''); }).sort(); })()",
    );
    let mut want: Vec<String> = names
        .iter()
        .zip(&projects)
        .map(|(n, p)| format!("load_data загрузка|{n}|/projects/{p}/experiments"))
        .collect();
    want.sort();
    assert_eq!(cells, json!(want));
}

/// Item 2: a project's experiments page total and the Projects page task count are the
/// tasks its table lists: not its sub-projects' tasks, not hidden (dataset/pipeline) ones.
#[test]
fn counts_are_the_tasks_the_table_lists() {
    let s = Serve::start();
    let tok = token(&s);
    let parent_name = "Eltern Родитель 父";
    let parent = id(&ok(
        &s,
        &tok,
        "projects.create",
        json!({"name": parent_name}),
    ));
    let child = id(&ok(
        &s,
        &tok,
        "projects.create",
        json!({"name": format!("{parent_name}/Kind Дочерний 子")}),
    ));
    let hidden = id(&ok(
        &s,
        &tok,
        "projects.create",
        json!({"name": format!("{parent_name}/.datasets/Daten Данные"), "system_tags": ["hidden"]}),
    ));
    let task = |project: &str, name: &str, system_tags: serde_json::Value| {
        ok(
            &s,
            &tok,
            "tasks.create",
            json!({"name": name, "type": "training", "project": project, "system_tags": system_tags}),
        );
    };
    task(&parent, "Lauf eins Запуск 一", json!([]));
    task(&parent, "Lauf zwei Запуск 二", json!([]));
    task(&parent, "Schritt Шаг 步", json!(["hidden", "pipeline"]));
    for i in 0..3 {
        task(&child, &format!("Kind {i} Дочерний"), json!([]));
    }
    task(&hidden, "Datensatz Набор 数据集", json!(["dataset"]));
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 860);
    b.open(&format!("{}/projects/{parent}/experiments", s.web_url));
    assert!(b.console_errors().is_empty());
    assert_eq!(
        b.eval("document.querySelectorAll('#experiments tbody tr').length"),
        2
    );
    assert_eq!(
        b.eval("document.querySelector('.pager span.muted').textContent"),
        "Rows 1–2 of 2"
    );
    b.open(&format!("{}/projects", s.web_url));
    // (The `.datasets` parent the API made on the way is listed too, with 0 tasks.)
    let counts = b.eval(
        "[...document.querySelectorAll('#projects tbody tr')].map(tr => \
           tr.children[0].getAttribute('title') + '=' + tr.children[1].textContent) \
           .filter(r => !r.includes('/.datasets'))",
    );
    assert_eq!(
        counts,
        json!([
            format!("{parent_name}=2"),
            format!("{parent_name}/Kind Дочерний 子=3")
        ])
    );
}

/// Item 3: a task the SDK ran shows no Worker (the real server sets `last_worker` only
/// from a worker's status report), never the serve user id `__clearml_serve__`; a task a
/// worker reported shows that worker.
#[test]
fn an_sdk_run_task_shows_no_serve_user_as_worker() {
    let s = Serve::start();
    let home = tempfile::tempdir().unwrap();
    let conf = s.write_conf(home.path());
    let script = "import json\nfrom clearml import Task\nids = []\nfor name in ['SDK-Lauf Запуск 运行', 'Agent-Lauf Агент 代理']:\n    \
        t = Task.init(project_name='Arbeiter Рабочие 工人', task_name=name, reuse_last_task_id=False,\n                  \
        auto_connect_frameworks=False, auto_resource_monitoring=False)\n    \
        t.get_logger().report_scalar('loss', 'train', value=0.5, iteration=1)\n    \
        ids.append((t.id, t.project))\n    t.close()\nprint(json.dumps(ids))\n";
    let out = crate::common::run_sdk(script, &conf, &[]);
    let ids: Vec<(String, String)> = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let tok = token(&s);
    let worker = "gpu-узел-01:0";
    ok(&s, &tok, "workers.register", json!({"worker": worker}));
    ok(
        &s,
        &tok,
        "workers.status_report",
        json!({"worker": worker, "task": ids[1].0, "timestamp": 0}),
    );
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 860);
    let mut shown = Vec::new();
    for (task, project) in &ids {
        b.open(&format!(
            "{}/projects/{project}/experiments/{task}",
            s.web_url
        ));
        assert!(b.console_errors().is_empty());
        shown.push(b.eval(
            "[...document.querySelectorAll('table.facts th')].filter(d => d.textContent == 'Worker') \
             .map(d => d.nextElementSibling.textContent).join('|')",
        ));
        assert_eq!(
            b.eval("document.body.innerText.includes('__clearml_serve__')"),
            false
        );
    }
    assert_eq!(shown, [json!(""), json!(worker)]);
}
