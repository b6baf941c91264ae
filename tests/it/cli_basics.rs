//! The command surface itself: help, version, exit codes for usage errors.

use crate::common::clearml;

#[test]
fn help_lists_exit_codes_and_commands() {
    let home = tempfile::tempdir().unwrap();
    let out = clearml(home.path()).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in ["init", "server", "task", "model", "Exit codes", "130"] {
        assert!(text.contains(needle), "--help lacks {needle}:\n{text}");
    }
}

#[test]
fn usage_error_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let out = clearml(home.path()).arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A pipe whose read end is already closed, as stdout once `head` has left.
fn closed_pipe() -> std::process::Stdio {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: two ints for pipe(2) to fill; the read end is closed at once, the write end
    // is owned by the returned Stdio.
    unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        libc::close(fds[0]);
        std::process::Stdio::from(std::os::fd::OwnedFd::from_raw_fd(fds[1]))
    }
}

/// `clearml … | head -1` after `head` left: every printing path (print!, the buffered JSON
/// writer, a writer that `expect`s its writes) ends with 141 and nothing on stderr, as a
/// filter killed by SIGPIPE would, but by exiting: SIGPIPE stays ignored so that a server
/// closing a socket mid-upload is reported, not fatal (see `faults`).
#[test]
fn a_closed_stdout_ends_the_run_quietly_with_141() {
    use crate::serve::{new_task, ok, token};
    let (home, serve) = crate::common::shared_home();
    let tok = token(serve);
    let project = crate::serve::unique("Прüfung 管道 stdout");
    let pid = ok(
        serve,
        &tok,
        "projects.create",
        serde_json::json!({"name": project, "description": ""}),
    )["id"]
        .clone();
    for i in 0..3 {
        new_task(
            serve,
            &tok,
            serde_json::json!({"name": format!("задача {i}"), "project": pid}),
        );
    }
    let runs: [&[&str]; 4] = [
        &["completions", "bash"],
        &["task", "list", "--project", &project],
        &["task", "list", "--project", &project, "--json"],
        &["task", "list", "--project", &project, "--csv"],
    ];
    for args in runs {
        let out = clearml(home.path())
            .args(args)
            .stdout(closed_pipe())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(141),
            "{args:?}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}
