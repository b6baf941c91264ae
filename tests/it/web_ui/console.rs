//! Issue 25, missing 5 (console half): search over the whole log (only the matching
//! lines shown), and the whole log as a download, on console output the real SDK captured.

use super::cdp;
use serde_json::json;

const SCRIPT: &str = r#"
import json
from clearml import Task
t = Task.init(project_name='Konsole Консоль 控制台', task_name='Lange Ausgabe Длинный 长',
              reuse_last_task_id=False, auto_connect_frameworks=False, auto_resource_monitoring=False)
print('früh: Verlust ОШИБКА 错误 <b>bei</b> Schritt 3')
for i in range(1500):
    print('Zeile %04d строка 行' % i)
print('spät: Fehler ошибка 错误 am Ende')
print(json.dumps([t.id, t.project]))
t.close()
"#;

#[test]
fn console_search_covers_the_whole_log_and_the_whole_log_downloads() {
    let (s, ids): (_, Vec<String>) = super::sdk_run(SCRIPT);
    let base = format!(
        "{}/projects/{}/experiments/{}/output/log",
        s.web_url, ids[1], ids[0]
    );
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 860);
    b.open(&base);
    assert!(b.console_errors().is_empty());
    b.eval(
        "document.querySelector('form.logsearch input[name=search]').value = 'ошибка'; \
         document.querySelector('form.logsearch').submit(); true",
    );
    b.wait_event("Page.loadEventFired", std::time::Duration::from_secs(30));
    assert!(b.console_errors().is_empty());
    assert_eq!(
        b.eval("[document.getElementById('log').textContent, document.getElementById('matches').textContent]"),
        json!([
            "früh: Verlust ОШИБКА 错误 <b>bei</b> Schritt 3\nspät: Fehler ошибка 错误 am Ende",
            "2 lines contain “ошибка”"
        ])
    );
    b.open(&base);
    let got = b.eval(
        "(async () => { const a = [...document.querySelectorAll('a')].find(a => a.textContent == 'Download all'); \
           const r = await fetch(a.href); const text = await r.text(); \
           return [r.headers.get('content-disposition'), text.split('\\n').filter(l => l.startsWith('Zeile ')).length, \
                   text.includes('früh: Verlust'), text.includes('spät: Fehler')]; })()",
    );
    assert_eq!(
        got,
        json!([
            format!("attachment; filename=\"{}.log\"", ids[0]),
            1500,
            true,
            true
        ])
    );
}
