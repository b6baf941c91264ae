//! Issue 25's Scalars tab in headless Chromium: nice axis ticks and wall-clock ticks that
//! differ, times marked UTC (broken 7); log scale, x zoom by URL and by dragging, series
//! hidden from the legend (missing 6); many metrics as groups that load when opened
//! (missing 8); a long series drawn from its buckets keeps its spike, ends and x range.

use super::cdp::{self, Browser};
use crate::common::Serve;
use crate::serve::{add_batch, ok, token};
use serde_json::{Value, json};
use std::time::Duration;

/// 2026-12-06 02:15:08.100 UTC, in milliseconds.
const T0: i64 = 1_796_523_308_100;

/// A project and a task with `metrics` × `series` curves of `points` iterations each,
/// reported over 2.8 seconds of wall time (a short run).
fn task_with(s: &Serve, metrics: &[&str], series: &[&str], points: i64) -> (String, String) {
    let tok = token(s);
    let project = ok(
        s,
        &tok,
        "projects.create",
        json!({"name": "Skalare Скаляры 标量"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let task = ok(
        s,
        &tok,
        "tasks.create",
        json!({"name": "Kurven кривые 曲线", "type": "training", "project": project}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut events = Vec::new();
    for (m, metric) in metrics.iter().enumerate() {
        for (k, variant) in series.iter().enumerate() {
            for i in 0..points {
                // From 0.957516 up to 0.99: the accuracy-like range.
                let value =
                    0.957516 + 0.0325 * (i as f64 / (points - 1) as f64) + 0.001 * (m + k) as f64;
                events.push(json!({"type": "training_stats_scalar", "task": task,
                    "metric": metric, "variant": variant, "iter": i, "value": value,
                    "timestamp": T0 + i * 2800 / points}));
            }
        }
    }
    for chunk in events.chunks(20_000) {
        add_batch(s, &tok, chunk);
    }
    (project, task)
}

/// The tick labels of the first chart's x and y axes.
fn ticks(b: &mut Browser) -> (Vec<String>, Vec<String>) {
    let v = b.eval(
        "(() => { const svg = document.querySelector('#scalars svg.chart'); \
           const t = [...svg.querySelectorAll('text')]; \
           return [t.filter(e => e.getAttribute('text-anchor') == 'middle' && e.previousElementSibling \
                      && e.previousElementSibling.tagName == 'line').map(e => e.textContent), \
                   t.filter(e => e.getAttribute('text-anchor') == 'end').map(e => e.textContent)]; })()",
    );
    serde_json::from_value(v).unwrap()
}

#[test]
fn scalar_axes_tick_at_nice_numbers_and_short_runs_at_distinct_times() {
    let s = Serve::start();
    let (project, task) = task_with(&s, &["Genauigkeit точность"], &["val"], 500);
    let url = format!("{}/projects/{project}/experiments/{task}", s.web_url);
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 900);
    b.open(&format!("{url}/output/metrics/scalar"));
    assert!(b.console_errors().is_empty());
    let (x, y) = ticks(&mut b);
    assert_eq!(x, ["0", "100", "200", "300", "400"]);
    assert_eq!(y, ["0.96", "0.97", "0.98", "0.99"]);
    b.open(&format!("{url}/output/metrics/scalar?x=time"));
    let (x, _) = ticks(&mut b);
    assert_eq!(
        x,
        [
            "02:15:08.5",
            "02:15:09.0",
            "02:15:09.5",
            "02:15:10.0",
            "02:15:10.5"
        ]
    );
    // Times in tables say they are UTC.
    b.open(&url);
    let created = b.eval(
        "[...document.querySelectorAll('table.facts th')].find(t => t.textContent == 'Created') \
           .nextElementSibling.textContent",
    );
    assert!(created.as_str().unwrap().ends_with(" UTC"), "{created}");
}

#[test]
fn log_scale_zoom_and_hidden_series() {
    let s = Serve::start();
    let (project, task) = task_with(&s, &["Verlust потеря"], &["train", "val"], 400);
    let url = format!(
        "{}/projects/{project}/experiments/{task}/output/metrics/scalar",
        s.web_url
    );
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 900);
    b.open(&format!("{url}?y=log"));
    assert_eq!(
        b.eval("document.querySelector('#scalars svg.chart').getAttribute('data-ylog')"),
        "1"
    );
    let (_, y) = ticks(&mut b);
    // (0.957..0.99 holds no power of ten: nice steps instead)
    assert_eq!(y, ["0.96", "0.97", "0.98", "0.99"]);

    // Zoom by URL: only iterations 100..=199 are drawn.
    b.open(&format!("{url}?xmin=100&xmax=199"));
    let points = b.eval(
        "[...document.querySelectorAll('#scalars polyline')].map(p => \
           p.getAttribute('points').trim().split(' ').length)",
    );
    assert_eq!(points, json!([100, 100]));
    assert_eq!(b.eval("document.querySelector('a.unzoom') !== null"), true);

    // Zoom by dragging across the chart: the page reloads with the range in its URL.
    b.open(&url);
    let r = b.eval(
        "(() => { const r = document.querySelector('#scalars svg.chart').getBoundingClientRect(); \
           return [r.left, r.top, r.width, r.height]; })()",
    );
    let r: Vec<f64> = serde_json::from_value(r).unwrap();
    // The plot box spans x 70..630 of the 820-wide view box.
    let at = |f: f64| r[0] + (70.0 + 560.0 * f) * r[2] / 820.0;
    let y = r[1] + r[3] / 2.0;
    let mouse = |b: &mut Browser, kind: &str, x: f64| {
        b.call(
            "Input.dispatchMouseEvent",
            json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
        );
    };
    mouse(&mut b, "mousePressed", at(0.25));
    mouse(&mut b, "mouseMoved", at(0.5));
    mouse(&mut b, "mouseReleased", at(0.5));
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    let search = b.eval("location.search").as_str().unwrap().to_string();
    let q: Vec<(String, f64)> =
        url::form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
            .map(|(k, v)| (k.into_owned(), v.parse().unwrap()))
            .collect();
    assert_eq!(q.len(), 2, "{search}");
    assert!(
        (q[0].1 - 99.75).abs() < 2.0 && (q[1].1 - 199.5).abs() < 2.0,
        "{q:?}"
    );

    // A click on a legend entry hides its series; another shows it again.
    b.open(&url);
    let shown =
        "[...document.querySelectorAll('#scalars polyline')].map(p => getComputedStyle(p).display)";
    assert_eq!(b.eval(shown), json!(["inline", "inline"]));
    let click = "document.querySelector('#scalars g.legend[data-i=\"1\"]').dispatchEvent(new MouseEvent('click', {bubbles: true})); true";
    b.eval(click);
    assert_eq!(b.eval(shown), json!(["inline", "none"]));
    // The hidden series is in the URL (chart and series by name), so a reload keeps it.
    let hidden = "new URLSearchParams(location.search).getAll('hide')";
    assert_eq!(b.eval(hidden), json!(["Verlust потеря/val"]));
    b.eval("location.reload(); true");
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(b.eval(shown), json!(["inline", "none"]));
    // The view's form (smoothing, axes) and a drag zoom keep it too.
    b.eval(
        "document.querySelector('form.filters select[name=smooth]').value = '0.6'; \
            document.querySelector('form.filters button').click(); true",
    );
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(b.eval(hidden), json!(["Verlust потеря/val"]));
    assert_eq!(b.eval(shown), json!(["inline", "none"]));
    // Shown again: gone from the URL.
    b.eval(click);
    assert_eq!(b.eval(shown), json!(["inline", "inline"]));
    assert_eq!(b.eval(hidden), json!([]));
    b.eval("location.reload(); true");
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(b.eval(shown), json!(["inline", "inline"]));
    // Named in the URL: hidden when the page opens.
    b.open(&format!(
        "{url}?hide=Verlust%20%D0%BF%D0%BE%D1%82%D0%B5%D1%80%D1%8F%2Ftrain"
    ));
    assert_eq!(b.eval(shown), json!(["none", "inline"]));
    assert!(b.console_errors().is_empty());
}

#[test]
fn many_metrics_are_groups_that_load_when_opened() {
    let s = Serve::start();
    let names: Vec<String> = (0..40).map(|i| format!("Metrik {i:02} метрика")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (project, task) = task_with(&s, &refs, &["a"], 50);
    let url = format!(
        "{}/projects/{project}/experiments/{task}/output/metrics/scalar",
        s.web_url
    );
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 900);
    b.open(&url);
    let state = "(() => { const g = [...document.querySelectorAll('#scalars details.metric')]; \
        return [g.length, g.filter(d => d.open).length, \
                document.querySelectorAll('#scalars svg.chart').length]; })()";
    // 40 groups: the first 2 (a screenful) drawn with the page, 38 closed and not drawn.
    assert_eq!(b.eval(state), json!([40, 2, 2]));
    let group = "[...document.querySelectorAll('#scalars details.metric')][17]";
    b.eval(&format!("{group}.open = true; true"));
    let loaded = b.eval(&format!(
        "new Promise(done => {{ const d = {group}; const t0 = Date.now(); \
           (function poll() {{ const svg = d.querySelector('svg.chart'); \
             if (svg || Date.now() - t0 > 20000) done(svg ? svg.querySelector('text').textContent : null); \
             else setTimeout(poll, 50); }})(); }})"
    ));
    assert_eq!(loaded, names[17].as_str());
    assert_eq!(b.eval(state), json!([40, 3, 3]));
    // Its chart has the hover script attached (a cursor line was added).
    assert_eq!(
        b.eval(&format!("{group}.querySelectorAll('line.cursor').length")),
        1
    );
    assert!(b.console_errors().is_empty());
    // Without the script, the group's link opens the page with it drawn.
    let href: Value = b.eval(&format!(
        "new URL({group}.getAttribute('data-src').replace('part=metric&', ''), location.href).href"
    ));
    b.open(href.as_str().unwrap());
    assert_eq!(b.eval(state), json!([40, 3, 3]));
    // A series hidden in the URL is hidden in a group loaded when opened, too.
    b.open(&format!(
        "{url}?hide={}",
        url::form_urlencoded::byte_serialize(format!("{}/a", names[17]).as_bytes())
            .collect::<String>()
    ));
    b.eval(&format!("{group}.open = true; true"));
    let display = b.eval(&format!(
        "new Promise(done => {{ const d = {group}; const t0 = Date.now(); \
           (function poll() {{ const p = d.querySelector('polyline'); \
             if (p || Date.now() - t0 > 20000) done(p ? getComputedStyle(p).display : null); \
             else setTimeout(poll, 50); }})(); }})"
    ));
    assert_eq!(display, "none");
    assert!(b.console_errors().is_empty());
}

/// A chart's data bounds (`data-x0` … `data-y1`) and its polyline's first and last points
/// as the values they stand for, and how many points it has.
fn drawn(b: &mut Browser, chart: &str) -> Value {
    b.eval(&format!(
        "(() => {{ const svg = {chart}; \
           const n = k => +svg.getAttribute('data-' + k); \
           const [ml, mt, pw, ph] = svg.getAttribute('data-plot').split(' ').map(Number); \
           const value = ([px, py]) => [n('x0') + (px - ml) / pw * (n('x1') - n('x0')), \
                                        n('y0') + (mt + ph - py) / ph * (n('y1') - n('y0'))]; \
           const lines = [...svg.querySelectorAll('polyline')].map(p => \
             p.getAttribute('points').trim().split(' ').map(xy => xy.split(',').map(Number))); \
           return [n('x0'), n('x1'), n('y0'), n('y1'), \
                   lines.map(l => [l.length, value(l[0]), value(l[l.length - 1])])]; }})()"
    ))
}

#[test]
fn a_spike_among_20000_points_the_last_value_and_the_x_range_are_drawn() {
    let s = Serve::start();
    let tok = token(&s);
    let project = ok(
        &s,
        &tok,
        "projects.create",
        json!({"name": "Spitzen пики 尖峰"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let metric = "Verlust потеря 损失";
    let mut tasks = Vec::new();
    for (name, first, value) in [("Spitze пик 峰值", 7, 1.0), ("flach плоский 平", 0, 2.0)]
    {
        let task = ok(
            &s,
            &tok,
            "tasks.create",
            json!({"name": name, "type": "training", "project": project}),
        )["id"]
            .as_str()
            .unwrap()
            .to_string();
        // 20,000 points at one value; the first task's spike (50 at 12,345) and last value
        // (0.25) are one point each, so averaging them into buckets hides both.
        let events: Vec<Value> = (first..first + 20_000)
            .map(|i| {
                let v = match i {
                    12_345 if first == 7 => 50.0,
                    20_006 => 0.25,
                    _ => value,
                };
                json!({"type": "training_stats_scalar", "task": task, "metric": metric,
                       "variant": "train", "iter": i, "value": v, "timestamp": T0 + i})
            })
            .collect();
        add_batch(&s, &tok, &events);
        tasks.push(task);
    }
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 900);
    b.open(&format!(
        "{}/projects/{project}/experiments/{}/output/metrics/scalar",
        s.web_url, tasks[0]
    ));
    assert!(b.console_errors().is_empty());
    let d = drawn(&mut b, "document.querySelector('#scalars svg.chart')");
    // The whole x range, the spike's height and the last value are the chart's bounds.
    assert_eq!(
        d.as_array().unwrap()[0..4],
        [json!(7), json!(20006), json!(0.25), json!(50)],
        "{d}"
    );
    let line = &d[4][0];
    let n = line[0].as_u64().unwrap();
    assert!((500..1000).contains(&n), "about a point a pixel: {d}");
    let near = |p: &Value, x: f64, y: f64| {
        (p[0].as_f64().unwrap() - x).abs() < 40.0 && (p[1].as_f64().unwrap() - y).abs() < 0.1
    };
    assert!(
        near(&line[1], 7.0, 1.0) && near(&line[2], 20006.0, 0.25),
        "{d}"
    );

    // Compared with a flat run, the same.
    b.open(&format!(
        "{}/projects/{project}/compare-experiments?ids={},{}",
        s.web_url, tasks[0], tasks[1]
    ));
    assert!(b.console_errors().is_empty());
    let d = drawn(
        &mut b,
        "[...document.querySelectorAll('#scalars svg.chart')].find(s => \
           s.querySelector('text').textContent == 'Verlust потеря 损失')",
    );
    assert_eq!(
        d.as_array().unwrap()[0..4],
        [json!(0), json!(20006), json!(0.25), json!(50)],
        "{d}"
    );
    let lines = d[4].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{d}");
    assert!(
        near(&lines[0][1], 7.0, 1.0) && near(&lines[0][2], 20006.0, 0.25),
        "{d}"
    );
    assert!(
        near(&lines[1][1], 0.0, 2.0) && near(&lines[1][2], 19999.0, 2.0),
        "{d}"
    );
}
