//! Issue 25, missing 2: the experiment overview's Execution section (repository, branch,
//! commit, working directory, entry point, uncommitted diff, installed packages,
//! container) and its Info rows for queue and parent, on a task the real SDK wrote.

use super::cdp;
use serde_json::{Value, json};

const SCRIPT: &str = r#"
import json
from clearml import Task
from clearml.backend_api.session.client import APIClient
project = 'Ausführung Исполнение 执行'
queue = 'Warteschlange очередь 队列'
APIClient().queues.create(name=queue)
parent = Task.create(project_name=project, task_name='Elternteil Родитель 父', task_type='training')
t = Task.create(project_name=project, task_name='Lauf Запуск 运行', task_type='training')
t.set_script(repository='https://git.example.com/forschung/модель.git', branch='feature/ветка-分支',
             commit='0123456789abcdef0123456789abcdef01234567',
             diff='diff --git a/train.py b/train.py\n+lr = 0.1  # <b>не жирный</b> 粗体\n',
             working_dir='src/обучение', entry_point='train.py')
t.set_packages(['numpy==1.26.4', 'torch==2.3.0'])
t.set_base_docker(docker_image='nvidia/cuda:12.2.0-runtime-ubuntu22.04', docker_arguments='--ipc=host',
                  docker_setup_bash_script=['apt-get install -y git'])
t.set_parent(parent)
Task.enqueue(t, queue_name=queue)
print(json.dumps([t.id, t.project, parent.id]))
"#;

#[test]
fn the_overview_shows_how_the_sdk_task_runs_and_its_queue_and_parent() {
    let (s, ids): (_, Vec<String>) = super::sdk_run(SCRIPT);
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 860);
    b.open(&format!(
        "{}/projects/{}/experiments/{}",
        s.web_url, ids[1], ids[0]
    ));
    assert!(b.console_errors().is_empty());
    let facts = b.eval(
        "Object.fromEntries([...document.querySelectorAll('table.facts th')] \
           .map(th => [th.textContent, th.nextElementSibling.textContent]))",
    );
    let want = [
        ("Repository", "https://git.example.com/forschung/модель.git"),
        ("Branch", "feature/ветка-分支"),
        ("Commit", "0123456789abcdef0123456789abcdef01234567"),
        ("Working directory", "src/обучение"),
        ("Entry point", "train.py"),
        ("Container image", "nvidia/cuda:12.2.0-runtime-ubuntu22.04"),
        ("Container arguments", "--ipc=host"),
        ("Queue", "Warteschlange очередь 队列"),
        ("Parent", "Elternteil Родитель 父"),
    ];
    for (k, v) in want {
        assert_eq!(facts[k], json!(v), "{k} in {facts}");
    }
    let parent_href = b.eval(
        "[...document.querySelectorAll('table.facts th')].find(th => th.textContent == 'Parent') \
           .nextElementSibling.querySelector('a').getAttribute('href')",
    );
    assert_eq!(
        parent_href,
        json!(format!("/projects/{}/experiments/{}", ids[1], ids[2]))
    );
    let text = |b: &mut cdp::Browser, id: &str| -> Value {
        b.eval(&format!(
            "(() => {{ const e = document.getElementById({id:?}); \
               return e ? [e.textContent, e.children.length] : null; }})()"
        ))
    };
    // The diff's markup is text: no element inside.
    assert_eq!(
        text(&mut b, "diff"),
        json!([
            "diff --git a/train.py b/train.py\n+lr = 0.1  # <b>не жирный</b> 粗体\n",
            0
        ])
    );
    let packages = text(&mut b, "packages");
    let packages = packages[0].as_str().unwrap();
    assert!(
        packages.contains("numpy==1.26.4") && packages.contains("torch==2.3.0"),
        "{packages}"
    );
    assert!(
        text(&mut b, "setup")[0]
            .as_str()
            .unwrap()
            .contains("apt-get install -y git")
    );
}
