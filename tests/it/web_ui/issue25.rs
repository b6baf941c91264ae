//! Issue 25's "Broken" items, each seen in a real headless Chromium on data written
//! through the API: the failure reason on the overview.

use super::cdp;
use crate::common::{ACCESS_KEY, SECRET_KEY, Serve};
use crate::serve::{ok, token};
use serde_json::json;
use std::time::Duration;

/// A browser logged in to `s`'s web port through the login form.
fn browser(s: &Serve) -> cdp::Browser {
    let mut b = cdp::Browser::start(1280, 860);
    b.open(&format!("{}/projects", s.web_url));
    b.eval(&format!(
        "document.getElementById('access_key').value = {ACCESS_KEY:?}; \
         document.getElementById('secret_key').value = {SECRET_KEY:?}; \
         document.querySelector('form.login').submit(); true"
    ));
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(b.eval("location.pathname"), "/projects");
    b
}

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
    let mut b = browser(&s);
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
    let mut b = browser(&s);
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
    let mut b = browser(&s);
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
