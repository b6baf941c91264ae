//! `clearml task launch` against `clearml server serve`: a script in a git repository (its
//! remote, commit and uncommitted change) and a script outside one (its text), each
//! executed by the real clearml-agent, which reports a scalar the test reads back; what
//! is checked before anything is created; credentials in a remote URL never stored.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::common::{self, run, shown, start_agent, stop_pid};
use crate::serve::{get_task, ok as api, token, unique};
use clearml_cmd_task::json::LaunchResult;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Tester")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "Tester")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", shown(&out));
}

fn launched(out: &Output) -> LaunchResult {
    assert_eq!(out.status.code(), Some(0), "{}", shown(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not LaunchResult JSON ({e}): {}", shown(out)))
}

/// The script both tasks run: no Task.init of its own (launch adds it), reports
/// `value` * Args/scale and prints its argv.
const SCRIPT: &str = r#"import sys
from clearml import Task

value = 1
task = Task.current_task()
scale = float(task.get_parameters_as_dict().get("Args", {}).get("scale", "1"))
task.get_logger().report_scalar("launch", "value", value=value * scale, iteration=0)
task.flush(wait_for_uploads=True)
print("ARGV", sys.argv[1:])
"#;

/// The last value of the `launch/value` scalar of a task.
fn reported(task: &Value) -> f64 {
    let m = common::first_last_metric(task);
    m["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("no value in {m}"))
}

#[test]
fn launched_scripts_run_on_the_real_agent_from_git_and_from_text() {
    let (home, s) = common::shared_home();
    let h = home.path();
    let conf = h.join("clearml.conf");
    let tok = token(s);
    let project = unique("Запуск Skripte");
    let queue = unique("launch-q");
    api(s, &tok, "queues.create", json!({"name": queue}));

    // A repository whose remote is a bare repository the agent can clone.
    let bare = h.join("remote.git");
    std::fs::create_dir(&bare).unwrap();
    git(&bare, &["init", "-q", "--bare", "-b", "main"]);
    let work = h.join("work");
    std::fs::create_dir_all(work.join("src")).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    std::fs::write(work.join("src/train.py"), SCRIPT).unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "train"]);
    git(
        &work,
        &[
            "remote",
            "add",
            "origin",
            &format!("file://{}", bare.display()),
        ],
    );
    git(&work, &["push", "-q", "-u", "origin", "main"]);
    // Uncommitted: the committed script reports 1, the working copy 7.
    std::fs::write(
        work.join("src/train.py"),
        SCRIPT.replace("value = 1", "value = 7"),
    )
    .unwrap();

    let script = work.join("src/train.py");
    let git_task = launched(&run(
        h,
        &[
            "task",
            "launch",
            "--project",
            &project,
            "--name",
            "Из репозитория",
            "--args",
            "scale=3",
            "--queue",
            &queue,
            "--json",
            script.to_str().unwrap(),
            "--epochs",
            "2",
            "имя с пробелом",
        ],
    ));
    let git_id = git_task.id.clone().unwrap();
    assert_eq!(git_task.repository, format!("file://{}", bare.display()));
    assert_eq!(git_task.branch, "main");
    assert_eq!(git_task.commit.len(), 40);
    assert_eq!(git_task.working_dir, "src");
    assert_eq!(git_task.entry_point, "train.py --epochs 2 'имя с пробелом'");
    assert!(git_task.warnings.is_empty(), "{:?}", git_task.warnings);
    let t = get_task(s, &tok, &git_id);
    assert_eq!(t["status"], "queued");
    let diff = t["script"]["diff"].as_str().unwrap();
    assert!(diff.contains("+value = 7"), "{diff}");
    assert!(
        diff.contains("+(__name__ != \"__main__\") or Task.init()"),
        "{diff}"
    );
    assert_eq!(t["hyperparams"]["Args"]["scale"]["value"], "3");

    // Outside a repository: the script's text, a requirements file, a draft first.
    let loose = h.join("loose");
    std::fs::create_dir(&loose).unwrap();
    std::fs::write(
        loose.join("скрипт.py"),
        SCRIPT.replace("value = 1", "value = 5"),
    )
    .unwrap();
    std::fs::write(loose.join("requirements.txt"), "numpy\n").unwrap();
    let text_task = launched(&run(
        h,
        &[
            "task",
            "launch",
            "--project",
            &project,
            "--requirements",
            loose.join("requirements.txt").to_str().unwrap(),
            "--tags",
            "nightly,текст",
            "--json",
            loose.join("скрипт.py").to_str().unwrap(),
        ],
    ));
    let text_id = text_task.id.clone().unwrap();
    assert_eq!(text_task.repository, "");
    assert_eq!(text_task.name, "скрипт.py");
    assert_eq!(text_task.queue, None);
    let t = get_task(s, &tok, &text_id);
    assert_eq!(t["status"], "created", "a draft without --queue");
    assert_eq!(t["script"]["requirements"]["pip"], "numpy\nclearml");
    assert_eq!(t["tags"], json!(["nightly", "текст"]));
    assert!(
        t["script"]["diff"].as_str().unwrap().starts_with(
            "from clearml import Task\n(__name__ != \"__main__\") or Task.init()\nimport sys\n"
        ),
        "Task.init added at the top: {}",
        t["script"]["diff"]
    );
    let out = run(h, &["task", "enqueue", &text_id, "--queue", &queue]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));

    let agent = start_agent(h, &conf, &queue);
    let out = common::clearml(h)
        .args(["task", "wait", &git_id, &text_id, "--timeout", "180"])
        .output()
        .unwrap();
    let log = std::fs::read_to_string(h.join("agent.log")).unwrap_or_default();
    stop_pid(agent);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\nagent log:\n{log}",
        shown(&out)
    );
    // The uncommitted change ran (7, not 1) with Args/scale = 3; the loose script's 5.
    assert_eq!(reported(&get_task(s, &tok, &git_id)), 21.0);
    assert_eq!(reported(&get_task(s, &tok, &text_id)), 5.0);
    let console = run(h, &["task", "logs", &git_id]);
    let console = String::from_utf8_lossy(&console.stdout);
    assert!(
        console.contains("ARGV ['--epochs', '2', 'имя с пробелом']"),
        "{console}"
    );
}

#[test]
fn launch_checks_everything_before_creating_and_never_stores_credentials() {
    let (home, s) = common::shared_home();
    let h = home.path();
    let tok = token(s);
    let project = unique("Проверка запуска");
    let script = h.join("run.py");
    std::fs::write(&script, "print('hi')\n").unwrap();
    let sp = script.to_str().unwrap();
    let code = |args: &[&str]| {
        let out = run(h, args);
        (out.status.code(), shown(&out))
    };
    // Missing script, requirements file, queue: exit 5; a short name: 2; --cwd
    // outside a repository: 2. None of them creates anything.
    let (c, o) = code(&["task", "launch", "--project", &project, "nope.py"]);
    assert_eq!(c, Some(5), "{o}");
    let (c, o) = code(&[
        "task",
        "launch",
        "--project",
        &project,
        "--requirements",
        "no.txt",
        sp,
    ]);
    assert_eq!(c, Some(5), "{o}");
    let (c, o) = code(&[
        "task",
        "launch",
        "--project",
        &project,
        "--queue",
        "no-such-queue",
        sp,
    ]);
    assert_eq!(c, Some(5), "{o}");
    assert!(o.contains("no queue named 'no-such-queue'"), "{o}");
    let (c, o) = code(&["task", "launch", "--project", &project, "--name", "ab", sp]);
    assert_eq!(c, Some(2), "{o}");
    let (c, o) = code(&["task", "launch", "--project", &project, "--cwd", "src", sp]);
    assert_eq!(c, Some(2), "{o}");
    let (c, o) = code(&[
        "task",
        "launch",
        "--project",
        &project,
        "--args",
        "noequals",
        sp,
    ]);
    assert_eq!(c, Some(2), "{o}");
    let found = api(
        s,
        &tok,
        "projects.get_all",
        json!({"name": format!("^{}$", regex_quote(&project))}),
    );
    assert_eq!(found["projects"], json!([]), "nothing was created");

    // A remote with a token in its URL, a commit on no remote branch: the task gets the
    // URL without the token, and a warning says the commit is not pushed.
    let repo = h.join("repo");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "dev"]);
    std::fs::write(
        repo.join("main.py"),
        "from clearml import Task\nTask.init()\n",
    )
    .unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "x"]);
    git(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://bob:ghp_S3CRETtoken@git.example.com/team/repo.git",
        ],
    );
    // An untracked script in the repository goes into the diff as a new file.
    std::fs::write(repo.join("new.py"), "print('new')\n").unwrap();
    for s_path in [repo.join("main.py"), repo.join("new.py")] {
        let out = run(
            h,
            &[
                "task",
                "launch",
                "--project",
                &project,
                "--dry-run",
                "--json",
                s_path.to_str().unwrap(),
            ],
        );
        let all = shown(&out);
        assert!(!all.contains("S3CRET"), "the token leaked: {all}");
        let r = launched(&out);
        assert_eq!(r.id, None);
        assert_eq!(r.repository, "https://git.example.com/team/repo.git");
        assert_eq!(r.branch, "dev");
        assert!(
            r.warnings.iter().any(|w| w.contains("on no remote branch")),
            "{:?}",
            r.warnings
        );
        let req = r.request.unwrap();
        let diff = req["script"]["diff"].as_str().unwrap();
        if s_path.ends_with("new.py") {
            assert!(
                diff.contains("new file mode") && diff.contains("+print('new')"),
                "{diff}"
            );
        } else {
            assert!(
                !diff.contains("Task.init()\n+"),
                "a script with Task.init is left alone: {diff}"
            );
        }
    }
    let found = api(
        s,
        &tok,
        "projects.get_all",
        json!({"name": format!("^{}$", regex_quote(&project))}),
    );
    assert_eq!(found["projects"], json!([]), "--dry-run created nothing");
    // Hostile text in every field the server stores comes back as sent.
    let hostile = "<script>alert(1)</script> \"; DROP TABLE tasks; --";
    let out = run(
        h,
        &[
            "task",
            "launch",
            "--project",
            &project,
            "--name",
            hostile,
            "--args",
            &format!("x={hostile}"),
            "--json",
            sp,
        ],
    );
    let r = launched(&out);
    let t = get_task(s, &tok, r.id.as_deref().unwrap());
    assert_eq!(t["name"], hostile);
    assert_eq!(t["hyperparams"]["Args"]["x"]["value"], hostile);
    assert_eq!(t["script"]["entry_point"], "run.py");
}

fn regex_quote(s: &str) -> String {
    s.chars()
        .map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                format!("\\{c}")
            } else {
                c.to_string()
            }
        })
        .collect()
}
