//! Issue 25, missing 4: the compare page draws the experiments' hyperparameters as
//! parallel coordinates (an axis per parameter that differs plus the chosen metrics, a
//! polyline per experiment in its colour, crossing each axis at its value) and a
//! parameter-vs-metric scatter chosen in the URL or the form, on tasks the real SDK wrote,
//! with markup in a parameter's name and value shown as text.

use super::cdp;
use serde_json::{Value, json};
use std::path::PathBuf;

const EVIL_PARAM: &str = "<script>alert(1)</script> Größe";
const EVIL_VALUE: &str = "<img src=x onerror=\"window.__x=1\">";
const LAYER: &str = "Schicht Слой 层";

/// Six SDK experiments: lr and an integer (named with markup) differ in every one, a
/// layer type is text (one value with markup), dropout is missing in the last, batch is
/// the same everywhere (no axis). Two metrics. Prints what it reported as JSON.
const SCRIPT: &str = r#"
import json
from clearml import Task
project = 'Hyperparameter Гиперпараметры 超参数'
evil, layer = '<script>alert(1)</script> Größe', 'Schicht Слой 层'
lrs = [0.1, 0.01, 0.3, 0.03, 0.2, 0.05]
layers = ['конв 卷积', 'dense', '<img src=x onerror="window.__x=1">', 'конв 卷积', 'dense', 'конв 卷积']
out = []
for n, lr in enumerate(lrs):
    name = 'Lauf %d Запуск 运行' % n
    t = Task.init(project_name=project, task_name=name, reuse_last_task_id=False,
                  auto_connect_frameworks=False, auto_resource_monitoring=False)
    params = {'lr': lr, layer: layers[n], evil: n + 1, 'batch': 32}
    if n < 5:
        params['dropout'] = 0.5 - n * 0.1
    t.connect(params, name='Args')
    loss, acc = 1.0 / (1.0 + 10.0 * lr), 0.5 + lr
    for i in range(3):
        t.get_logger().report_scalar('loss', 'train', value=loss * (3 - i), iteration=i)
        t.get_logger().report_scalar('Genauigkeit точность 精度', 'val', value=acc - 0.01 * (2 - i), iteration=i)
    t.flush(wait_for_uploads=True)
    out.append({'id': t.id, 'name': name, 'lr': lr, 'layer': layers[n], 'n': n + 1,
                'dropout': params.get('dropout'), 'loss': loss, 'acc': acc})
    pid = t.project
    t.close()
print(json.dumps({'project': pid, 'tasks': out}))
"#;

/// What the page's SVGs say: the parallel coordinates' frame, axes and lines.
const READ_PCOORDS: &str = "(() => { const svg = document.querySelector('#pcoords svg'); \
  return { top: +svg.dataset.top, bottom: +svg.dataset.bottom, missing: +svg.dataset.missing, \
    axes: [...svg.querySelectorAll('g.axis')].map(g => ({ label: g.dataset.label, \
      title: g.querySelector('title').textContent, x: +g.dataset.x, kind: g.dataset.kind, \
      lo: +g.dataset.lo, hi: +g.dataset.hi, \
      ticks: [...g.querySelectorAll('text.tick')].map(t => [t.dataset.v, +t.dataset.y]) })), \
    lines: [...svg.querySelectorAll('polyline.pc')].map(p => ({ task: p.dataset.task, \
      stroke: getComputedStyle(p).stroke, length: p.getTotalLength(), \
      points: p.getAttribute('points').split(' ').map(s => s.split(',').map(Number)) })), \
    swatches: [...document.querySelectorAll('#pcoords table.legend tr')].map(tr => \
      [tr.children[1].textContent, getComputedStyle(tr.querySelector('.swatch')).backgroundColor]) }; })()";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.01
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

/// The page's text, images and scripts show that no markup of a name or value ran.
fn nothing_ran(b: &mut cdp::Browser) {
    assert_eq!(
        b.eval(
            "[document.querySelectorAll('script').length, document.querySelectorAll('img').length, \
              typeof window.__x]"
        ),
        json!([1, 0, "undefined"])
    );
}

#[test]
fn compare_draws_parallel_coordinates_and_a_parameter_metric_scatter() {
    let (s, out): (_, Value) = super::sdk_run(SCRIPT);
    let tasks = out["tasks"].as_array().unwrap();
    let ids: Vec<&str> = tasks.iter().map(|t| t["id"].as_str().unwrap()).collect();
    let base = format!(
        "{}/projects/{}/compare-experiments?ids={}",
        s.web_url,
        out["project"].as_str().unwrap(),
        ids.join(",")
    );
    let mut b = cdp::logged_in_browser(&s.web_url, 1500, 1000);
    b.open(&base);
    assert!(b.console_errors().is_empty());
    nothing_ran(&mut b);
    let pc = b.eval(READ_PCOORDS);
    // An axis per differing parameter (batch is 32 everywhere), sorted, then the last
    // value of each metric.
    let evil_axis = format!("Args/{EVIL_PARAM}");
    let layer_axis = format!("Args/{LAYER}");
    let labels: Vec<&str> = pc["axes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            evil_axis.as_str(),
            layer_axis.as_str(),
            "Args/dropout",
            "Args/lr",
            "Genauigkeit точность 精度/val (last)",
            "loss/train (last)"
        ]
    );
    // The markup in the name is the axis's text.
    assert_eq!(pc["axes"][0]["title"], json!(evil_axis));
    let (top, bottom, missing) = (f(&pc["top"]), f(&pc["bottom"]), f(&pc["missing"]));
    assert!(top < bottom && bottom < missing, "{pc}");
    // Each axis's value of each experiment, as the script reported it.
    let value = |axis: usize, t: &Value| -> Value {
        match axis {
            0 => t["n"].clone(),
            1 => t["layer"].clone(),
            2 => t["dropout"].clone(),
            3 => t["lr"].clone(),
            4 => t["acc"].clone(),
            _ => t["loss"].clone(),
        }
    };
    let lines = pc["lines"].as_array().unwrap();
    assert_eq!(lines.len(), tasks.len());
    let mut categories = [LAYER_VALUES[0], LAYER_VALUES[1], EVIL_VALUE];
    categories.sort();
    for (axis_i, axis) in pc["axes"].as_array().unwrap().iter().enumerate() {
        let numbers: Vec<f64> = tasks
            .iter()
            .filter_map(|t| value(axis_i, t).as_f64())
            .collect();
        let (lo, hi) = numbers
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
        if axis_i == 1 {
            assert_eq!(axis["kind"], "cat", "{axis}");
            // Sorted categories spread evenly from the bottom to the top.
            let ticks = axis["ticks"].as_array().unwrap();
            assert_eq!(ticks.len(), 3, "{axis}");
            for (k, c) in categories.iter().enumerate() {
                assert_eq!(ticks[k][0], json!(c), "{axis}");
                assert!(close(
                    f(&ticks[k][1]),
                    bottom - k as f64 / 2.0 * (bottom - top)
                ));
            }
        } else {
            assert_eq!(axis["kind"], "num", "{axis}");
            assert!(
                close(f(&axis["lo"]), lo) && close(f(&axis["hi"]), hi),
                "{axis}"
            );
        }
        for (t, line) in tasks.iter().zip(lines) {
            assert_eq!(line["task"], t["id"]);
            let point = &line["points"][axis_i];
            assert!(close(f(&point[0]), f(&axis["x"])), "{line} {axis}");
            let v = value(axis_i, t);
            let want = if v.is_null() {
                missing
            } else if axis_i == 1 {
                let k = categories.iter().position(|c| v == json!(c)).unwrap();
                bottom - k as f64 / 2.0 * (bottom - top)
            } else {
                bottom - (f(&v) - lo) / (hi - lo) * (bottom - top)
            };
            assert!(
                close(f(&point[1]), want),
                "{} on {}: y {} want {want}",
                t["name"],
                axis["label"],
                point[1]
            );
        }
    }
    // The lines are drawn, each in its experiment's swatch colour, all different.
    let swatches = pc["swatches"].as_array().unwrap();
    for (i, (t, line)) in tasks.iter().zip(lines).enumerate() {
        assert!(f(&line["length"]) > 100.0, "{line}");
        assert!(
            swatches[i][0]
                .as_str()
                .unwrap()
                .starts_with(t["name"].as_str().unwrap())
        );
        assert_eq!(swatches[i][1], line["stroke"]);
    }
    let mut strokes: Vec<&str> = lines
        .iter()
        .map(|l| l["stroke"].as_str().unwrap())
        .collect();
    strokes.sort();
    strokes.dedup();
    assert_eq!(strokes.len(), tasks.len());
    std::fs::create_dir_all(shots()).unwrap();
    b.eval("document.getElementById('hpform').scrollIntoView(); true");
    b.screenshot(&shots().join("compare-hyperparameters.png"));

    // The scatter of lr against the loss, by URL: a point per experiment where its values
    // fall on the scales (5 % margin each side), labelled with its name.
    b.open(&format!(
        "{base}&sx=Args%2Flr&sy=loss%2Ftrain+%28last%29&smooth=0.6"
    ));
    assert!(b.console_errors().is_empty());
    let sc = b.eval(
        "(() => { const svg = document.querySelector('#scatter svg'); \
          return { box: svg.dataset.box.split(' ').map(Number), kinds: [svg.dataset.xkind, svg.dataset.ykind], \
            points: [...svg.querySelectorAll('g.pt')].map(g => [+g.dataset.i, \
              +g.querySelector('circle').getAttribute('cx'), +g.querySelector('circle').getAttribute('cy'), \
              g.querySelector('text').textContent, getComputedStyle(g.querySelector('circle')).fill]), \
            smooth: document.querySelector('form.filters select[name=smooth]').value, \
            kept: [...document.querySelectorAll('#hpform input[type=hidden]')].map(i => [i.name, i.value]) }; })()",
    );
    assert_eq!(sc["kinds"], json!(["num", "num"]));
    // The other form keeps the view's smoothing; the scalars' form keeps the scatter.
    assert_eq!(sc["smooth"], "0.6");
    assert_eq!(
        sc["kept"],
        json!([["ids", ids.join(",")], ["smooth", "0.6"]])
    );
    let bx: Vec<f64> = sc["box"].as_array().unwrap().iter().map(f).collect();
    let span = |key: &str| {
        let v: Vec<f64> = tasks.iter().map(|t| f(&t[key])).collect();
        let lo = v.iter().cloned().fold(f64::MAX, f64::min);
        let hi = v.iter().cloned().fold(f64::MIN, f64::max);
        (lo, hi)
    };
    let ((xlo, xhi), (ylo, yhi)) = (span("lr"), span("loss"));
    let points = sc["points"].as_array().unwrap();
    assert_eq!(points.len(), tasks.len());
    for (i, (t, p)) in tasks.iter().zip(points).enumerate() {
        assert_eq!(p[0], json!(i));
        let fx = 0.05 + 0.9 * (f(&t["lr"]) - xlo) / (xhi - xlo);
        let fy = 0.05 + 0.9 * (f(&t["loss"]) - ylo) / (yhi - ylo);
        assert!(close(f(&p[1]), bx[0] + fx * bx[2]), "{p}");
        assert!(close(f(&p[2]), bx[1] + bx[3] - fy * bx[3]), "{p}");
        assert!(
            p[3].as_str()
                .unwrap()
                .starts_with(t["name"].as_str().unwrap()),
            "{p}"
        );
        assert_eq!(p[4], lines[i]["stroke"]);
    }

    // The form picks the text parameter and one metric axis; the choice lands in the URL.
    b.eval(&format!(
        "(() => {{ const f = document.getElementById('hpform'); \
           f.querySelector('select[name=sx]').value = {layer_axis:?}; \
           [...f.querySelector('select[name=pc]').options].forEach(o => o.selected = o.value == 'loss/train (min)'); \
           f.submit(); return true; }})()"
    ));
    b.wait_event("Page.loadEventFired", std::time::Duration::from_secs(60));
    assert!(b.console_errors().is_empty());
    nothing_ran(&mut b);
    let url = b.eval("decodeURIComponent(location.search.replace(/\\+/g, ' '))");
    let url = url.as_str().unwrap();
    assert!(url.contains(&format!("sx={layer_axis}")), "{url}");
    assert!(url.contains("pc=loss/train (min)"), "{url}");
    let pc = b.eval(READ_PCOORDS);
    let labels: Vec<&str> = pc["axes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels[4..], ["loss/train (min)"]);
    assert_eq!(
        b.eval(
            "(() => { const svg = document.querySelector('#scatter svg'); \
              return [svg.dataset.xkind, svg.dataset.xn, svg.querySelectorAll('g.pt').length, \
                [...svg.querySelectorAll('g.pt title')].filter(t => t.textContent.includes('<img src=x onerror=\"window.__x=1\">')).length]; })()"
        ),
        json!(["cat", "3", tasks.len(), 1])
    );
    b.eval("document.getElementById('scatter').scrollIntoView(); true");
    b.screenshot(&shots().join("compare-scatter.png"));
    if std::env::var("CLEARML_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        for name in ["compare-hyperparameters.png", "compare-scatter.png"] {
            std::fs::copy(shots().join(name), docs.join(name)).unwrap();
        }
    }
}

const LAYER_VALUES: [&str; 2] = ["конв 卷积", "dense"];

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots")
}
