//! Issue 25, missing 5: the debug samples tab and viewer on samples the real SDK wrote
//! (`samples_sdk.py`: 12 iterations, one series keeping every file, one keeping 5), in
//! headless Chromium: the metric filter, the iteration slider, the sample at full size,
//! previous/next by link, by arrow key and without the script, names with markup as text.

use super::cdp::{self, Browser};
use crate::common::Serve;
use serde_json::{Value, json};
use std::time::Duration;

/// A server with `samples_sdk.py`'s samples, Chromium logged in to it: the server, the
/// ids the script printed, and the task's Debug samples tab URL.
fn sdk_samples() -> (Serve, Value, String, Browser) {
    let s = Serve::start();
    let home = tempfile::tempdir().unwrap();
    let conf = s.write_conf(home.path());
    let out = crate::common::run_sdk(include_str!("samples_sdk.py"), &conf, &[]);
    let ids: Value =
        serde_json::from_str(out.lines().last().unwrap()).unwrap_or_else(|e| panic!("{e}: {out}"));
    let tab = format!(
        "{}/projects/{}/experiments/{}/output/debugImages",
        s.web_url,
        ids["project"].as_str().unwrap(),
        ids["task"].as_str().unwrap()
    );
    let b = cdp::logged_in_browser(&s.web_url, 1280, 900);
    (s, ids, tab, b)
}

/// The shown sample: [its data-iter, the image's natural height (24 + its iteration),
/// the slider's min, max and value].
fn viewed(b: &mut Browser) -> Value {
    b.eval(
        "(async () => { const img = document.querySelector('#sample img'); \
           if (img) await img.decode(); \
           const r = document.querySelector('#iter-slider'); \
           return [+document.querySelector('#sample').getAttribute('data-iter'), \
                   img ? img.naturalHeight : null, +r.min, +r.max, +r.value]; })()",
    )
}

/// The step links of the page: label → href.
fn steps(b: &mut Browser) -> Value {
    b.eval(
        "Object.fromEntries([...document.querySelectorAll('a.step')].map(a => [a.textContent.trim(), a.href]))",
    )
}

fn follow(b: &mut Browser, label: &str) {
    let href = steps(b)[label]
        .as_str()
        .unwrap_or_else(|| panic!("no link {label}"))
        .to_string();
    b.open(&href);
}

#[test]
fn debug_samples_viewer_steps_through_every_stored_iteration() {
    let (_s, ids, tab, mut b) = sdk_samples();
    let metric = |i: usize| ids["metrics"][i].as_str().unwrap().to_string();
    let variant = |i: usize| ids["variants"][i].as_str().unwrap().to_string();
    b.open(&tab);
    assert!(b.console_errors().is_empty());
    // The grid: the newest 5 iterations of both series, a filter naming both metrics as
    // text, a slider over every iteration stored.
    let grid = b.eval(
        "[[...document.querySelectorAll('select[name=metric] option')].map(o => o.textContent), \
          [...document.querySelectorAll('main h3')].map(h => h.textContent), \
          document.querySelectorAll('.images img').length, \
          [+document.querySelector('#iter-slider').min, +document.querySelector('#iter-slider').max], \
          document.querySelectorAll('script').length, \
          document.querySelectorAll('main b, main i').length]",
    );
    assert_eq!(
        grid[0],
        json!(["All metrics", metric(0), metric(1)]),
        "{grid}"
    );
    assert_eq!(
        grid[1],
        json!([
            "Iteration 11",
            "Iteration 10",
            "Iteration 9",
            "Iteration 8",
            "Iteration 7"
        ])
    );
    assert_eq!(grid[2], 10);
    assert_eq!(grid[3], json!([0, 11]));
    assert_eq!(
        (grid[4].clone(), grid[5].clone()),
        (json!(1), json!(0)),
        "markup in names stays text"
    );

    // The metric filter (a GET form): one metric's samples only, and its name in the URL.
    b.eval(&format!(
        "document.querySelector('select[name=metric]').value = {:?}; \
         document.querySelector('#samples-filter').submit(); true",
        metric(0)
    ));
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    let captions =
        b.eval("[...document.querySelectorAll('.images figcaption')].map(f => f.textContent)");
    let want = format!("{} / {}", metric(0), variant(0));
    assert_eq!(captions, json!(vec![want.clone(); 5]));
    let search = b.eval("location.search").as_str().unwrap().to_string();
    let q: Vec<(String, String)> = url::form_urlencoded::parse(&search.as_bytes()[1..])
        .into_owned()
        .collect();
    assert!(q.contains(&("metric".into(), metric(0))), "{search}");

    // A sample opens the viewer: the newest image at full size, a slider over all 12
    // iterations of the series that keeps every file.
    b.eval("document.querySelector('.images figure a').click(); true");
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(viewed(&mut b), json!([11, 35, 0, 11, 11]));
    assert_eq!(
        b.eval("document.querySelector('h2.sample').textContent"),
        json!(want)
    );
    // The slider, let go at 4: iteration 4's image.
    b.eval(
        "const r = document.querySelector('#iter-slider'); r.value = 4; \
         r.dispatchEvent(new Event('input')); r.dispatchEvent(new Event('change')); true",
    );
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(viewed(&mut b), json!([4, 28, 0, 11, 4]));
    // Previous/next: within this metric (the grid was filtered to it), one series: the
    // neighbouring iterations.
    follow(&mut b, "◀ Previous");
    assert_eq!(viewed(&mut b)[0], 3);
    follow(&mut b, "Next ▶");
    follow(&mut b, "Next ▶");
    assert_eq!(viewed(&mut b)[0], 5);
    // The arrow keys follow the same links.
    b.call(
        "Input.dispatchKeyEvent",
        json!({"type": "keyDown", "key": "ArrowDown", "code": "ArrowDown", "windowsVirtualKeyCode": 40}),
    );
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(viewed(&mut b), json!([4, 28, 0, 11, 4]));
    // At the newest iteration there is no later one: the link is plain text.
    b.open(&format!(
        "{tab}?metric={}&variant={}&one=1",
        cdp_part(&metric(0)),
        cdp_part(&variant(0))
    ));
    assert_eq!(viewed(&mut b)[0], 11);
    let links = steps(&mut b);
    assert!(
        links.get("Next ▶").is_none() && links.get("◀ Previous").is_some(),
        "{links}"
    );

    // The series keeping 5 files: only its last 5 iterations are valid.
    b.open(&format!(
        "{tab}?metric={}&variant={}&iter=2",
        cdp_part(&metric(1)),
        cdp_part(&variant(1))
    ));
    assert!(
        b.eval("document.querySelector('#sample') === null")
            .as_bool()
            .unwrap()
    );
    b.open(&format!(
        "{tab}?metric={}&variant={}",
        cdp_part(&metric(1)),
        cdp_part(&variant(1))
    ));
    assert_eq!(viewed(&mut b), json!([11, 35, 7, 11, 11]));
    // Across all metrics, "Previous" steps to the other series at the same iteration.
    follow(&mut b, "◀ Previous");
    assert_eq!(
        b.eval("document.querySelector('h2.sample').textContent"),
        json!(want)
    );
    assert_eq!(viewed(&mut b)[0], 11);
    let sample_view = b.eval("location.href").as_str().unwrap().to_string();

    // One iteration of every series (the grid's slider): the first series at 4, the
    // other has nothing valid that early; earlier/later iteration links.
    b.open(&format!("{tab}?iter=4"));
    let at = b.eval(
        "Promise.all([...document.querySelectorAll('#samples img')].map(i => i.decode().then(() => i.naturalHeight)))",
    );
    assert_eq!(at, json!([28]));
    follow(&mut b, "Later iteration ▶");
    assert_eq!(
        b.eval("new URLSearchParams(location.search).get('iter')"),
        "5"
    );
    b.open(&format!("{tab}?iter=9"));
    let at = b.eval(
        "Promise.all([...document.querySelectorAll('#samples img')].map(i => i.decode().then(() => i.naturalHeight)))",
    );
    assert_eq!(at, json!([33, 33]));
    assert!(b.console_errors().is_empty());
    b.open(&sample_view);
    let shots = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    b.screenshot(&shots.join("debug-sample-viewer.png"));
    b.open(&tab);
    b.screenshot(&shots.join("debug-samples.png"));
    if std::env::var("CLEARML_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        for name in ["debug-sample-viewer.png", "debug-samples.png"] {
            std::fs::copy(shots.join(name), docs.join(name)).unwrap();
        }
    }
}

/// The newest-first grid pages back through older iterations, 5 at a time, by link and
/// by arrow key; the series that kept 5 files has nothing valid on the older pages.
#[test]
fn debug_samples_grid_pages_through_older_iterations() {
    let (_s, _ids, tab, mut b) = sdk_samples();
    // [iteration headings, natural heights of the images (24 + iteration), page links].
    let page = |b: &mut Browser| {
        b.eval(
            "(async () => { const imgs = [...document.querySelectorAll('.images img')];                await Promise.all(imgs.map(i => i.decode()));                return [[...document.querySelectorAll('main h3')].map(h => h.textContent),                  imgs.map(i => i.naturalHeight),                  [...document.querySelectorAll('#grid-pages a.step')].map(a => a.textContent)]; })()",
        )
    };
    let heads =
        |iters: &[i64]| -> Vec<String> { iters.iter().map(|i| format!("Iteration {i}")).collect() };
    b.open(&tab);
    assert_eq!(
        page(&mut b),
        json!([
            heads(&[11, 10, 9, 8, 7]),
            [35, 35, 34, 34, 33, 33, 32, 32, 31, 31],
            ["Older iterations ▶"]
        ])
    );
    follow(&mut b, "Older iterations ▶");
    assert_eq!(
        page(&mut b),
        json!([
            heads(&[6, 5, 4, 3, 2]),
            [30, 29, 28, 27, 26],
            ["◀ Newer iterations", "Older iterations ▶"]
        ])
    );
    assert_eq!(
        b.eval("new URLSearchParams(location.search).get('page')"),
        "1"
    );
    b.call(
        "Input.dispatchKeyEvent",
        json!({"type": "keyDown", "key": "ArrowDown", "code": "ArrowDown", "windowsVirtualKeyCode": 40}),
    );
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(
        page(&mut b),
        json!([heads(&[1, 0]), [25, 24], ["◀ Newer iterations"]])
    );
    follow(&mut b, "◀ Newer iterations");
    assert_eq!(page(&mut b)[0], json!(heads(&[6, 5, 4, 3, 2])));
    assert!(b.console_errors().is_empty());
}

/// Without the script the viewer is links and a GET form: each step is a page of its own.
#[test]
fn debug_samples_viewer_works_without_the_script() {
    let (_s, ids, tab, mut b) = sdk_samples();
    let metric = ids["metrics"][0].as_str().unwrap();
    let variant = ids["variants"][0].as_str().unwrap();
    b.call(
        "Emulation.setScriptExecutionDisabled",
        json!({"value": true}),
    );
    b.open(&format!(
        "{tab}?metric={}&variant={}&iter=6",
        cdp_part(metric),
        cdp_part(variant)
    ));
    assert_eq!(viewed(&mut b), json!([6, 30, 0, 11, 6]));
    // The slider's form, submitted as a browser does without script.
    b.eval("document.querySelector('#iter-slider').value = 2; document.querySelector('#sample-slider button').click(); true");
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(viewed(&mut b), json!([2, 26, 0, 11, 2]));
    follow(&mut b, "Later iteration");
    assert_eq!(viewed(&mut b)[0], 3);
}

fn cdp_part(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
