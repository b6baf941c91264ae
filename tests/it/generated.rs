//! completions/ and docs/man are committed; regenerating them must give the same bytes,
//! so they never drift from the command surface. `make completions docs` refreshes them.

use std::path::Path;

use crate::common::clearml;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn completions_match_the_command_surface() {
    let home = tempfile::tempdir().unwrap();
    for (shell, file) in [
        ("bash", "clearml.bash"),
        ("zsh", "_clearml"),
        ("fish", "clearml.fish"),
    ] {
        let out = clearml(home.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "completions {shell} failed");
        let committed = std::fs::read(repo().join("completions").join(file))
            .unwrap_or_else(|e| panic!("completions/{file}: {e}; run `make completions`"));
        assert!(
            committed == out.stdout,
            "completions/{file} is stale: run `make completions` and commit"
        );
    }
}

#[test]
fn man_pages_match_the_command_surface() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = clearml(home.path())
        .arg("manpages")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "manpages failed");
    let committed_dir = repo().join("docs/man");
    let mut generated: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    generated.sort();
    let mut committed: Vec<_> = std::fs::read_dir(&committed_dir)
        .unwrap_or_else(|e| panic!("docs/man: {e}; run `make docs`"))
        .map(|e| e.unwrap().file_name())
        .collect();
    committed.sort();
    assert_eq!(
        generated, committed,
        "docs/man page set is stale: run `make docs`"
    );
    assert!(generated.len() > 10, "expected a page per subcommand");
    for name in generated {
        let a = std::fs::read(dir.path().join(&name)).unwrap();
        let b = std::fs::read(committed_dir.join(&name)).unwrap();
        assert!(
            a == b,
            "docs/man/{name:?} is stale: run `make docs` and commit"
        );
    }
}
