//! Issue 25, missing 3: the experiments table's columns picked by the user (any
//! hyperparameter, any metric's last/min/max), kept in the URL, multi-status and
//! multi-tag filters, and the view as CSV, on tasks the real SDK wrote.

use super::cdp;
use serde_json::{Value, json};

/// Four SDK tasks: lr, loss curves (min and max differ from the last value), tags and
/// end states; one named like a spreadsheet formula.
const SCRIPT: &str = r#"
import json
from clearml import Task
project = 'Spalten Столбцы 列'
runs = [('Lauf eins Запуск 一', 0.1, ['a', 'b'], 'completed'),
        ('Lauf zwei Запуск 二', 0.01, ['a'], 'completed'),
        ('=1+2 Formel Формула', 0.5, ['a', 'b'], 'failed'),
        ('Lauf vier Запуск 四', 0.2, ['a', 'b'], 'stopped')]
for name, lr, tags, end in runs:
    t = Task.init(project_name=project, task_name=name, reuse_last_task_id=False,
                  auto_connect_frameworks=False, auto_resource_monitoring=False)
    t.add_tags(tags)
    t.connect({'lr': lr, 'Schicht Слой': 'конв 卷积'}, name='Args')
    for i, v in enumerate([2.0, 0.25, 0.5]):
        t.get_logger().report_scalar('loss', 'train', value=v * lr * 10, iteration=i)
    t.flush(wait_for_uploads=True)
    pid = t.project
    t.close()
    if end == 'failed':
        Task.get_task(task_id=t.id).mark_failed(status_reason='test', force=True)
    elif end == 'stopped':
        Task.get_task(task_id=t.id).mark_stopped(force=True)
print(json.dumps(pid))
"#;

#[test]
fn experiments_table_columns_filters_and_csv_follow_the_url() {
    let (s, project): (_, String) = super::sdk_run(SCRIPT);
    let mut b = cdp::logged_in_browser(&s.web_url, 1400, 900);
    let base = format!("{}/projects/{project}/experiments", s.web_url);
    b.open(&format!(
        "{base}?sort=name&status=completed&status=failed&tag=a,b\
         &col=hp%7CArgs%7Clr&col=metric%7Closs%7Ctrain%7Cmin&col=metric%7Closs%7Ctrain%7Cmax"
    ));
    assert!(b.console_errors().is_empty());
    let table = "(() => { const heads = [...document.querySelectorAll('#experiments thead th')] \
           .map(th => th.textContent.trim()); \
         return [heads.slice(heads.indexOf('Tags') + 1)].concat( \
           [...document.querySelectorAll('#experiments tbody tr')].map(tr => \
             [tr.children[heads.findIndex(h => h.startsWith('Name'))].textContent] \
               .concat([...tr.children].slice(heads.indexOf('Tags') + 1).map(td => td.textContent)))); })()";
    // Completed or failed, and tagged both a and b: not "zwei" (only a), not "vier"
    // (stopped). min/max are the curve's, not its last value.
    assert_eq!(
        b.eval(table),
        json!([
            ["Args/lr", "loss / train (min)", "loss / train (max)"],
            ["=1+2 Formel Формула", "0.5", "1.25", "10"],
            ["Lauf eins Запуск 一", "0.1", "0.25", "2"],
        ])
    );
    // The picker: drop the max column, add the non-ASCII parameter; filters stay.
    b.eval(
        "(() => { const f = document.querySelector('details.columns form'); \
           for (const c of f.querySelectorAll('input[name=col]')) { \
             const v = c.value; \
             if (v == 'metric|loss|train|max') c.checked = false; \
             if (v == 'hp|Args|Schicht Слой') c.checked = true; } \
           f.submit(); return true; })()",
    );
    b.wait_event("Page.loadEventFired", std::time::Duration::from_secs(30));
    assert_eq!(
        b.eval(table),
        json!([
            ["Args/Schicht Слой", "Args/lr", "loss / train (min)"],
            ["=1+2 Formel Формула", "конв 卷积", "0.5", "1.25"],
            ["Lauf eins Запуск 一", "конв 卷积", "0.1", "0.25"],
        ])
    );
    let query: String = serde_json::from_value(b.eval("location.search")).unwrap();
    for part in [
        "status=completed",
        "status=failed",
        "tag=a",
        "tag=b",
        "sort=name",
    ] {
        assert!(query.contains(part), "{part} in {query}");
    }
    // The CSV link: the same rows and columns; the formula-like name made inert.
    assert_eq!(
        b.eval(
            "fetch(document.querySelector('a.csv').href).then(r => r.headers.get('content-type'))"
        ),
        "text/csv; charset=utf-8"
    );
    let text: Value = b.eval("fetch(document.querySelector('a.csv').href).then(r => r.text())");
    let text = text.as_str().unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "id,name,project,status,type,user,started,last_update,tags,Args/Schicht Слой,Args/lr,loss / train (min)"
    );
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].contains(",'=1+2 Formel Формула,Spalten Столбцы 列,failed,"),
        "{}",
        lines[1]
    );
    // (The SDK stores tags as a set: their order is its own.)
    assert!(
        lines[1].ends_with(",a;b,конв 卷积,0.5,1.25")
            || lines[1].ends_with(",b;a,конв 卷积,0.5,1.25"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(",Lauf eins Запуск 一,") && lines[2].ends_with(",конв 卷积,0.1,0.25")
    );
}
