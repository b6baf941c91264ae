//! Issue 25, broken item 1: every plot type the real SDK writes is drawn on the Plots tab
//! as SVG (or an HTML table), seen in headless Chromium; single values are a Summary
//! table on the Scalars tab; a dataset's Genealogy and Summary plots are drawn.

use super::cdp::{self, Browser};
use crate::common::Serve;
use serde_json::{Value, json};

/// Runs `plots_sdk.py` (one SDK process): the ids it prints.
fn sdk_plots(s: &Serve) -> Value {
    let home = tempfile::tempdir().unwrap();
    let conf = s.write_conf(home.path());
    let out = crate::common::run_sdk(include_str!("plots_sdk.py"), &conf, &[]);
    serde_json::from_str(out.lines().last().unwrap()).unwrap()
}

/// The `.plot` boxes of the open page, by "metric / variant": what each one shows.
fn boxes(b: &mut Browser) -> Value {
    b.eval(
        "Object.fromEntries([...document.querySelectorAll('div.plot')].map(p => { \
           const q = s => p.querySelectorAll(s).length; \
           const texts = [...p.querySelectorAll('svg text')].map(t => t.textContent); \
           const pts = [...p.querySelectorAll('polyline')].map(l => \
             l.getAttribute('points').trim().split(' ').filter(Boolean).length); \
           return [p.querySelector('.plothead b').textContent, { \
             kind: p.getAttribute('data-kind'), bars: q('rect.bar'), cells: q('rect.cell'), \
             values: [...p.querySelectorAll('text.value')].map(t => t.textContent), \
             circles: q('circle'), lines: pts, texts: texts, \
             svgTitle: texts[0] || '', \
             notes: [...p.querySelectorAll('.note')].map(n => n.textContent), \
             head: [...p.querySelectorAll('table.plottable th')].map(c => c.textContent), \
             rows: [...p.querySelectorAll('table.plottable tbody tr')].map(r => \
               [...r.children].map(c => c.textContent)), \
             raw: q('pre.json') }]; }))",
    )
}

fn has(list: &Value, text: &str) -> bool {
    list.as_array()
        .unwrap()
        .iter()
        .any(|t| t.as_str() == Some(text))
}

#[test]
fn every_sdk_plot_type_is_drawn_as_svg() {
    let s = Serve::start();
    let ids = sdk_plots(&s);
    let (task, project) = (
        ids["task"].as_str().unwrap(),
        ids["project"].as_str().unwrap(),
    );
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 900);
    b.open(&format!(
        "{}/projects/{project}/experiments/{task}/output/metrics/plots",
        s.web_url
    ));
    let got = boxes(&mut b);
    assert!(b.console_errors().is_empty());
    let one = |key: &str| got[key].clone();

    let hist = one("Verteilung Распределение 分布 / Klassen классы");
    assert_eq!(hist["kind"], "bars", "{got:#}");
    assert_eq!(hist["bars"], 4);
    assert_eq!(hist["svgTitle"], "Verteilung Распределение 分布");
    for t in ["Klasse класс", "Anzahl число", "кошка", "<b>fish</b>"] {
        assert!(has(&hist["texts"], t), "{t}: {hist}");
    }

    let cm = one("Konfusion Матрица 混淆 / val");
    assert_eq!(cm["kind"], "heatmap");
    assert_eq!(cm["cells"], 9);
    let mut values: Vec<String> = serde_json::from_value(cm["values"].clone()).unwrap();
    values.sort();
    assert_eq!(values, ["0", "1", "2", "3", "4", "40", "45", "5", "50"]);
    assert!(has(&cm["texts"], "vorhergesagt") && has(&cm["texts"], "wahr"));

    let table = one("Tabelle Таблица 表 / Ergebnisse");
    assert_eq!(table["kind"], "table");
    assert_eq!(table["head"], json!(["Name имя", "Wert значение"]));
    assert_eq!(
        table["rows"],
        json!([
            ["Genauigkeit точность", "0.93"],
            ["<script>alert(1)</script>", "x<y & z"],
            ["Verlust 损失", "0.25"]
        ])
    );

    let markers = one("Streuung Разброс 散点 / Punkte точки");
    assert_eq!(
        (markers["circles"].clone(), markers["lines"].clone()),
        (json!(5), json!([]))
    );
    let both = one("Streuung Разброс 散点 / Linie линия");
    assert_eq!(
        (both["circles"].clone(), both["lines"].clone()),
        (json!(5), json!([5]))
    );
    for t in ["Epoche эпоха", "Wert значение", "Linie линия"] {
        assert!(has(&both["texts"], t), "{t}: {both}");
    }

    for key in [
        "Raum Пространство 空间 / Wolke облако",
        "Fläche Поверхность 曲面 / z",
    ] {
        let d = one(key);
        assert_eq!(d["kind"], "table", "{key}: {d}");
        assert!(d["notes"][0].as_str().unwrap().contains("3D"), "{d}");
    }
    assert_eq!(
        one("Raum Пространство 空间 / Wolke облако")["rows"],
        // (the SDK writes no trace name for 3D scatter)
        json!([
            ["trace 0", "1", "2", "3"],
            ["trace 0", "4", "5", "6"],
            ["trace 0", "7", "8", "9"]
        ])
    );

    let fig = one("Matplotlib Рисунок 图 / Quadrate Квадраты 平方");
    assert_eq!(fig["svgTitle"], "Quadrate Квадраты 平方");
    assert!(
        has(&fig["texts"], "x Ось") && has(&fig["texts"], "x² Значение"),
        "{fig}"
    );
    assert!(!has(&fig["texts"], "_line0"));

    // Hostile: markup stays text, non-finite points are left out, huge series are bounded.
    let hostile = one("<img src=x onerror=alert(1)> / <b>s</b>");
    assert_eq!(hostile["svgTitle"], "<img src=x onerror=alert(1)>");
    assert_eq!(hostile["lines"], json!([2]), "{hostile}");
    assert_eq!(hostile["circles"], 2);
    assert_eq!(
        b.eval("document.querySelectorAll('.plot img, .plot b b, .plot script').length"),
        0
    );
    let huge = one("Riesig Огромный 巨大 / sin")["circles"]
        .as_u64()
        .unwrap();
    assert!((1000..=2000).contains(&huge), "{huge} markers");
    assert_eq!(
        b.eval("[...document.querySelectorAll('div.plot')].filter(p => p.querySelector('pre.json')).length"),
        0,
        "no plot is left as raw JSON"
    );

    // report_single_value: a Summary table on the Scalars tab, not a chart.
    b.open(&format!(
        "{}/projects/{project}/experiments/{task}/output/metrics/scalar",
        s.web_url
    ));
    assert_eq!(
        b.eval("[...document.querySelectorAll('#summary tbody tr')].map(r => [...r.children].map(c => c.textContent))"),
        json!([["Genauigkeit точность 精度", "0.9375"], ["Verlust потеря", "0.125"]])
    );
    assert_eq!(
        b.eval("[...document.querySelectorAll('#scalars details.metric > summary')].map(s => s.textContent)"),
        json!(["loss"])
    );

    // The dataset's own plots: the genealogy graph with its node, the summary table.
    let (ds, dp) = (
        ids["dataset"].as_str().unwrap(),
        ids["dataset_project"].as_str().unwrap(),
    );
    b.open(&format!(
        "{}/projects/{dp}/experiments/{ds}/output/metrics/plots",
        s.web_url
    ));
    let got = boxes(&mut b);
    let genealogy = &got["__Dataset Genealogy / "];
    assert_eq!(genealogy["circles"], 1, "{got:#}");
    assert!(has(&genealogy["texts"], ds));
    let summary = &got["__Dataset Summary / Details"];
    assert_eq!(summary["head"][0], "Dataset id");
    assert_eq!(summary["rows"][0][1], "Satz набор 集");
}
