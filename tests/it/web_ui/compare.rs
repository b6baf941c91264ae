//! Issue 25, broken 6: the experiments table's Compare button holds to the compare page's
//! limit, which is now 100 experiments; a 100-experiment compare draws every curve in its
//! own colour and lists every experiment by its full name.

use super::cdp;
use crate::common::Serve;
use crate::serve::{add_batch, new_project, ok, token};
use serde_json::{Value, json};

const TASKS: usize = 101;

#[test]
fn compare_takes_up_to_100_experiments_and_the_button_says_so() {
    let s = Serve::start();
    let tok = token(&s);
    let project = new_project(&s, &tok, "Vergleich Сравнение 比较");
    let mut events = Vec::new();
    for i in 0..TASKS {
        let task = ok(
            &s,
            &tok,
            "tasks.create",
            json!({"name": format!("resnet sweep {i:03} Größe Размер 尺寸 lr=0.{i}"),
                   "type": "training", "project": project}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string();
        for iter in 0..3 {
            events.push(
                json!({"type": "training_stats_scalar", "task": task, "iter": iter,
                               "metric": "Verlust", "variant": "обучение",
                               "value": 1.0 / (1.0 + (i + iter) as f64)}),
            );
        }
    }
    add_batch(&s, &tok, &events);
    let mut b = cdp::logged_in_browser(&s.web_url, 1400, 900);
    b.open(&format!(
        "{}/projects/{project}/experiments?size=500",
        s.web_url
    ));
    assert!(b.console_errors().is_empty());
    let tick = |b: &mut cdp::Browser, n: usize| -> Value {
        b.eval(&format!(
            "(() => {{ const boxes = [...document.querySelectorAll('#experiments input[name=ids]')]; \
               boxes.forEach((c, i) => {{ if (c.checked != (i < {n})) c.click(); }}); \
               const btn = document.querySelector('button.compare'); \
               return [boxes.length, btn.disabled, btn.textContent]; }})()"
        ))
    };
    assert_eq!(tick(&mut b, 1), json!([TASKS, true, "Compare (1)"]));
    assert_eq!(
        tick(&mut b, TASKS),
        json!([TASKS, true, "Compare (101): at most 100"])
    );
    assert_eq!(tick(&mut b, 100), json!([TASKS, false, "Compare (100)"]));
    b.eval("document.querySelector('button.compare').click(); true");
    b.wait_event("Page.loadEventFired", std::time::Duration::from_secs(60));
    assert!(b.console_errors().is_empty());
    assert_eq!(
        b.eval("document.querySelector('h1').textContent"),
        "Compare 100 experiments"
    );
    assert_eq!(
        b.eval("document.querySelectorAll('#compare thead th a').length"),
        100
    );
    // One curve per experiment, no two in one colour.
    assert_eq!(
        b.eval(
            "(() => { const strokes = [...document.querySelectorAll('#scalars polyline')] \
               .map(p => p.getAttribute('stroke')); \
             return [strokes.length, new Set(strokes).size]; })()"
        ),
        json!([100, 100])
    );
    // Under the chart, every experiment's whole name beside a swatch of its curve's colour.
    let legend = b.eval(
        "(() => { const strokes = [...document.querySelectorAll('#scalars polyline')] \
           .map(p => getComputedStyle(p).stroke); \
         return [...document.querySelectorAll('#scalars table.legend tr')].map((tr, i) => \
           [tr.children[1].textContent, \
            getComputedStyle(tr.querySelector('.swatch')).backgroundColor == strokes[i]]); })()",
    );
    let rows = legend.as_array().unwrap();
    assert!(rows.iter().all(|r| r[1] == true), "{legend}");
    let name = |label: &str| label.split(" (").next().unwrap().to_string();
    let mut names: Vec<String> = rows.iter().map(|r| name(r[0].as_str().unwrap())).collect();
    let heads =
        b.eval("[...document.querySelectorAll('#compare thead th a')].map(a => a.textContent)");
    let mut want: Vec<String> = heads
        .as_array()
        .unwrap()
        .iter()
        .map(|h| name(h.as_str().unwrap()))
        .collect();
    names.sort();
    want.sort();
    assert_eq!(names, want);
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("resnet sweep ") && n.contains(" Größe Размер 尺寸 lr=0."))
    );
}
