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
