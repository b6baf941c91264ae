//! Issue 25, broken 5: a pipeline run's DAG drawn so that no edge passes behind a step
//! box it does not connect. Read in a real headless Chromium: the boxes' `getBBox` and
//! points along each edge path (`getPointAtLength`).

use super::cdp::{self, Browser};
use crate::common::Serve;
use crate::serve::{new_project, ok, token};
use serde_json::{Map, Value, json};

/// A pipeline controller task in `project` whose `Pipeline` configuration is `dag` (step
/// name → node), in the shape the SDK's `PipelineController` stores it; its id.
pub(super) fn controller(
    s: &Serve,
    tok: &str,
    project: &str,
    name: &str,
    dag: Map<String, Value>,
) -> String {
    ok(
        s,
        tok,
        "tasks.create",
        json!({"name": name, "type": "controller", "project": project,
               "system_tags": ["pipeline"],
               "configuration": {"Pipeline": {"name": "Pipeline", "type": "dictionary",
                                               "value": Value::Object(dag).to_string()}}}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A run of `steps` (name, parents), none started yet; the run page's path.
fn run_page(s: &Serve, tok: &str, project: &str, name: &str, steps: &[(&str, &[&str])]) -> String {
    let mut dag = Map::new();
    for (step, parents) in steps {
        dag.insert(
            step.to_string(),
            json!({"base_task_id": null, "queue": null, "parents": parents, "status": "pending",
                   "job_id": null, "executed": null, "skip_job": false}),
        );
    }
    let run = controller(s, tok, project, name, dag);
    format!("/pipelines/{project}/experiments/{run}")
}

/// The page's edges as "parent→child" (each end found as the box the path starts or ends
/// on) and every edge point strictly inside a box the edge does not connect, as
/// "parent→child behind step".
pub(super) fn edges_and_hidden(b: &mut Browser) -> (Vec<String>, Vec<String>) {
    let got = b.eval(
        "(() => { \
           const boxes = [...document.querySelectorAll('#dag g.node')].map(g => \
             ({b: g.querySelector('rect').getBBox(), name: g.querySelector('title').textContent})); \
           const on = (p, b) => p.x >= b.x - 1 && p.x <= b.x + b.width + 1 && \
                                p.y >= b.y - 1 && p.y <= b.y + b.height + 1; \
           const inside = (p, b) => p.x > b.x + 1 && p.x < b.x + b.width - 1 && \
                                    p.y > b.y + 1 && p.y < b.y + b.height - 1; \
           const edges = [], hidden = new Set(); \
           for (const e of document.querySelectorAll('#dag path.edge')) { \
             const len = e.getTotalLength(); \
             const from = boxes.find(x => on(e.getPointAtLength(0), x.b)); \
             const to = boxes.find(x => on(e.getPointAtLength(len), x.b) && x !== from); \
             const name = (from ? from.name : '?') + '→' + (to ? to.name : '?'); \
             edges.push(name); \
             for (let k = 0, n = Math.ceil(len / 2); k <= n; k++) { \
               const p = e.getPointAtLength(len * k / n); \
               for (const x of boxes) \
                 if (x !== from && x !== to && inside(p, x.b)) hidden.add(name + ' behind ' + x.name); \
             } \
           } \
           return [edges.sort(), [...hidden].sort()]; })()",
    );
    let strings = |v: &Value| -> Vec<String> { serde_json::from_value(v.clone()).unwrap() };
    (strings(&got[0]), strings(&got[1]))
}

fn want_edges(steps: &[(&str, &[&str])]) -> Vec<String> {
    let mut want: Vec<String> = steps
        .iter()
        .flat_map(|(c, ps)| ps.iter().map(move |p| format!("{p}→{c}")))
        .collect();
    want.sort();
    want
}

#[test]
fn pipeline_edges_never_pass_behind_a_step_they_do_not_connect() {
    let s = Serve::start();
    let tok = token(&s);
    let project = new_project(&s, &tok, "Graphen Графы 图");
    // The diamond: evaluate's parents are train_model and preprocess.
    let diamond: &[(&str, &[&str])] = &[
        ("preprocess", &[]),
        ("train_model", &["preprocess"]),
        ("evaluate", &["train_model", "preprocess"]),
    ];
    let wide: &[(&str, &[&str])] = &[
        ("Daten laden Загрузка 加载", &[]),
        ("Bereinigen Очистка 清洗", &["Daten laden Загрузка 加载"]),
        ("Merkmale Признаки 特征", &["Bereinigen Очистка 清洗"]),
        ("Aufteilen Разделение 拆分", &["Daten laden Загрузка 加载"]),
        (
            "Modell A Модель 模型",
            &["Merkmale Признаки 特征", "Aufteilen Разделение 拆分"],
        ),
        ("Modell B Модель 模型", &["Aufteilen Разделение 拆分"]),
        ("Sprachmodell Язык 语言", &["Daten laden Загрузка 加载"]),
        (
            "Bewertung Оценка 评估",
            &[
                "Modell A Модель 模型",
                "Modell B Модель 模型",
                "Daten laden Загрузка 加载",
            ],
        ),
        (
            "Bericht Отчёт 报告",
            &["Bewertung Оценка 评估", "Bereinigen Очистка 清洗"],
        ),
        (
            "Archiv Архив 档案",
            &["Sprachmodell Язык 语言", "Bericht Отчёт 报告"],
        ),
    ];
    let mut b = cdp::logged_in_browser(&s.web_url, 1600, 900);
    for (name, steps) in [("Raute Ромб 菱形", diamond), ("Breit Широкий 宽", wide)] {
        let path = run_page(&s, &tok, &project, name, steps);
        b.open(&format!("{}{path}", s.web_url));
        assert!(b.console_errors().is_empty(), "{name}");
        let (edges, hidden) = edges_and_hidden(&mut b);
        assert_eq!(
            edges,
            want_edges(steps),
            "{name}: each edge from parent to child"
        );
        assert_eq!(hidden, Vec::<String>::new(), "{name}: edges behind boxes");
    }
}
