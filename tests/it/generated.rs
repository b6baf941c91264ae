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

/// The helpers that start what the `external` test group stands for: the SDK's Python
/// (and the agent), headless Chromium, the Docker engine.
const EXTERNAL_HELPERS: &[&str] = &[
    "python",
    "python_clean",
    "run_sdk",
    "start_agent",
    "chromium",
    "cdp",
    "Browser",
    "docker",
    // A stack test's stand-in stack (tests/it/stack.rs), used from other files too.
    "StackTest",
];

/// Each fn of a test file: (name, is a #[test], body). The body ends at the brace that
/// closes it, braces in strings, chars and comments not counted.
fn functions(text: &str) -> Vec<(String, bool, String)> {
    let fn_re = regex::Regex::new(
        r"(#\[test\]\s*(?:#\[[^\]]*\]\s*)*)?(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+(\w+)",
    )
    .unwrap();
    let mut out = Vec::new();
    for m in fn_re.captures_iter(text) {
        let whole = m.get(0).unwrap();
        let Some(open) = text[whole.end()..].find('{').map(|i| whole.end() + i) else {
            continue;
        };
        let end = block_end(text.as_bytes(), open);
        out.push((
            m[2].to_string(),
            m.get(1).is_some(),
            text[open..end].to_string(),
        ));
    }
    out
}

/// The index of the `}` closing the `{` at `open` (the text's end if none does).
fn block_end(b: &[u8], open: usize) -> usize {
    let (mut depth, mut i) = (0usize, open);
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'r' if matches!(b.get(i + 1), Some(b'#' | b'"'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) == Some(&b'"') {
                    let close: Vec<u8> = std::iter::once(b'"')
                        .chain(std::iter::repeat_n(b'#', hashes))
                        .collect();
                    i += 2 + hashes;
                    while i < b.len() && !b[i..].starts_with(&close) {
                        i += 1;
                    }
                    i += close.len() - 1;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            // A char literal ('{', '\''), not a lifetime ('a).
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                i += 2;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 2,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// The module path of every test file: `web_ui/security.rs` is `web_ui::security`, and a
/// `#[path = "F"] mod m;` in a file makes F that file's module `::m`.
fn test_modules(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut module: std::collections::BTreeMap<String, String> = files
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let m = rel.trim_end_matches(".rs").trim_end_matches("/mod");
            (rel.clone(), m.replace('/', "::"))
        })
        .collect();
    let path_re =
        regex::Regex::new(r#"(?m)^#\[path = "([^"]+)"\]\s*(?:pub(?:\([^)]*\))?\s+)?mod (\w+);"#)
            .unwrap();
    for p in &files {
        let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(p).unwrap();
        let parent = module[&rel].clone();
        for c in path_re.captures_iter(&text) {
            module.insert(c[1].to_string(), format!("{parent}::{}", &c[2]));
        }
    }
    module.remove("main.rs");
    module.into_iter().collect()
}

/// The nextest group `external` (.config/nextest.toml) is derived from the tests' code,
/// never kept by hand: a test belongs to it when it calls one of [`EXTERNAL_HELPERS`],
/// itself or through a fn of its own file. A new test that starts the SDK, Chromium or
/// Docker joins it by `CLEARML_BLESS=1 cargo test --test it generated::` (this test
/// rewrites the filter); otherwise this test fails naming it.
#[test]
fn nextest_external_group_is_every_test_that_needs_docker_python_or_chromium() {
    let dir = repo().join("tests/it");
    let mut external = Vec::new();
    let call_re = regex::Regex::new(r"\b(\w+)\s*(?:::<[^>]*>)?(?:\(|::)").unwrap();
    for (rel, module) in test_modules(&dir) {
        let fns = functions(&std::fs::read_to_string(dir.join(&rel)).unwrap());
        let mut reaches: std::collections::BTreeSet<&str> =
            EXTERNAL_HELPERS.iter().copied().collect();
        loop {
            let before = reaches.len();
            for (name, _, body) in &fns {
                if !reaches.contains(name.as_str())
                    && call_re
                        .captures_iter(body)
                        .any(|c| reaches.contains(&c.get(1).unwrap().as_str()))
                {
                    reaches.insert(name);
                }
            }
            if reaches.len() == before {
                break;
            }
        }
        for (name, is_test, _) in &fns {
            if *is_test && reaches.contains(name.as_str()) {
                external.push(format!("{module}::{name}"));
            }
        }
    }
    external.sort();
    assert!(
        external.len() > 20 && external.iter().any(|t| t.starts_with("stack::")),
        "{external:?}"
    );
    let filter = format!(
        "filter = '''\nbinary(it) & (\n    {}\n)\n'''",
        external
            .iter()
            .map(|t| format!("test(={t})"))
            .collect::<Vec<_>>()
            .join("\n    | ")
    );
    let path = repo().join(".config/nextest.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("filter = '''").expect("a filter in nextest.toml");
    let end = start + 12 + text[start + 12..].find("'''").unwrap() + 3;
    if std::env::var_os("CLEARML_BLESS").is_some() {
        std::fs::write(&path, format!("{}{filter}{}", &text[..start], &text[end..])).unwrap();
    } else {
        assert!(
            text[start..end] == filter,
            ".config/nextest.toml: the external group is not the tests that need Docker, \
             Python or Chromium; rerun this test with CLEARML_BLESS=1. It should be:\n{filter}"
        );
    }
}
