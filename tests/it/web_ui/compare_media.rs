//! Issue 25, missing 4: plots and debug samples side by side on the compare page, on data
//! the real SDK wrote (`compare_media_sdk.py`: three experiments, one without a table, one
//! alone with a confusion matrix and mask samples), in headless Chromium: a row per metric
//! / variant, a column per experiment in the page's order, an empty cell where an
//! experiment has nothing, the iteration slider moving every column, names as text.

use super::cdp::{self, Browser};
use crate::common::Serve;
use serde_json::{Value, json};
use std::time::Duration;

/// The side-by-side table `sel`: its column heads, and per row its head and each cell's
/// [kind of plot or iteration of sample, the text it shows, natural heights of its images].
fn grid(b: &mut Browser, sel: &str) -> Value {
    b.eval(&format!(
        "(async () => {{ const t = document.querySelector('{sel}'); \
           await Promise.all([...t.querySelectorAll('img')].map(i => i.decode())); \
           return [[...t.tHead.querySelectorAll('th a')].map(a => a.textContent), \
             [...t.tBodies[0].rows].map(r => [r.cells[0].textContent, \
               [...r.cells].slice(1).map(c => {{ \
                 const p = c.querySelector('div.plot'), f = c.querySelector('figure'); \
                 return [p ? p.getAttribute('data-kind') : f ? +f.getAttribute('data-iter') : null, \
                   [...c.querySelectorAll('rect.bar title, table.plottable td, .none')] \
                     .map(x => x.textContent), \
                   [...c.querySelectorAll('img')].map(i => i.naturalHeight)]; }})])]; }})()"
    ))
}

/// A screenshot into target/web-screenshots, and into docs/screenshots with
/// CLEARML_UPDATE_SCREENSHOTS=1.
fn shot(b: &mut Browser, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = dir.join("target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    b.screenshot(&shots.join(name));
    if std::env::var("CLEARML_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        std::fs::copy(shots.join(name), dir.join("docs/screenshots").join(name)).unwrap();
    }
}

fn follow_tab(b: &mut Browser, label: &str) {
    b.eval(&format!(
        "[...document.querySelectorAll('#compare-tabs a')].find(a => a.textContent == {label:?}).click(); true"
    ));
    b.wait_event("Page.loadEventFired", Duration::from_secs(60));
}

#[test]
fn compare_shows_plots_and_debug_samples_side_by_side() {
    let s = Serve::start();
    let home = tempfile::tempdir().unwrap();
    let conf = s.write_conf(home.path());
    let out = crate::common::run_sdk(include_str!("compare_media_sdk.py"), &conf, &[]);
    let ids: Value =
        serde_json::from_str(out.lines().last().unwrap()).unwrap_or_else(|e| panic!("{e}: {out}"));
    let task = |k: usize| ids["tasks"][k].as_str().unwrap().to_string();
    let head = |k: usize| format!("{} ({})", ids["names"][k].as_str().unwrap(), &task(k)[..8]);
    // Columns in the order the page was asked for: experiment 1, 2, then 0.
    let order = [1, 2, 0];
    let mut b = cdp::logged_in_browser(&s.web_url, 1400, 900);
    b.open(&format!(
        "{}/projects/{}/compare-experiments;ids={},{},{}",
        s.web_url,
        ids["project"].as_str().unwrap(),
        task(1),
        task(2),
        task(0)
    ));
    assert!(b.console_errors().is_empty());
    assert_eq!(
        b.eval("document.querySelector('#compare-tabs a.on').textContent"),
        "Values and scalars"
    );

    follow_tab(&mut b, "Plots");
    assert!(b.console_errors().is_empty());
    let heads: Vec<String> = order.iter().map(|k| head(*k)).collect();
    let none = |what: &str| json!([null, [what], []]);
    let bars = |k: usize| json!(["bars", [format!("nur: {}", 10 * (k + 1))], []]);
    let table = |k: usize| {
        json!([
            "table",
            [format!("lauf {k}"), format!("{:.1}", k as f64 * 1.5)],
            []
        ])
    };
    assert_eq!(
        grid(&mut b, "#compare-plots"),
        json!([
            heads,
            [
                [
                    "Matrix матрица / nur eins",
                    [["heatmap", [], []], none("no plot"), none("no plot")]
                ],
                [
                    "Tabelle таблица / Zeilen",
                    [table(1), none("no plot"), table(0)]
                ],
                [
                    "Verteilung распределение 分布 / Höhe",
                    [bars(1), bars(2), bars(0)]
                ],
            ]
        ])
    );
    assert_eq!(
        b.eval(
            "[document.querySelectorAll('main script').length, [...document.querySelectorAll('main b, main i')] \
               .filter(e => e.textContent == 'x' || e.textContent == 'i').length]"
        ),
        json!([0, 0]),
        "markup in names stays text"
    );
    shot(&mut b, "compare-plots.png");

    // Debug samples: each experiment's newest image (iteration 3) in its column.
    follow_tab(&mut b, "Debug samples");
    assert!(b.console_errors().is_empty());
    let image = |k: usize, i: i64| json!([i, [], [20 + 10 * k as i64 + i]]);
    let samples_at = |i: i64| {
        json!([
            heads,
            [
                [
                    "Eingabe входы 输入 / Bild <i>i</i>",
                    [image(1, i), image(2, i), image(0, i)]
                ],
                [
                    "Masken маски / maske",
                    [image(1, i), none("no sample"), none("no sample")]
                ],
            ]
        ])
    };
    assert_eq!(grid(&mut b, "#compare-samples"), samples_at(3));
    assert_eq!(
        b.eval("(() => { const r = document.querySelector('#iter-slider'); return [+r.min, +r.max, +r.value]; })()"),
        json!([0, 3, 3])
    );
    // The slider (a GET form) moves every column to the iteration asked.
    b.eval(
        "document.querySelector('#iter-slider').value = 1; \
         document.querySelector('#samples-slider').submit(); true",
    );
    b.wait_event("Page.loadEventFired", Duration::from_secs(60));
    assert_eq!(grid(&mut b, "#compare-samples"), samples_at(1));
    shot(&mut b, "compare-samples.png");
    assert_eq!(
        b.eval("document.querySelector('#compare-tabs a.on').textContent"),
        "Debug samples"
    );
    // A sample opens that experiment's viewer at that sample.
    b.eval("document.querySelectorAll('#compare-samples td figure a')[1].click(); true");
    b.wait_event("Page.loadEventFired", Duration::from_secs(60));
    assert_eq!(
        b.eval(
            "(async () => { const img = document.querySelector('#sample img'); await img.decode(); \
             return [location.pathname.split('/')[4], \
               +document.querySelector('#sample').getAttribute('data-iter'), img.naturalHeight]; })()"
        ),
        json!([task(2), 1, 41])
    );
}
