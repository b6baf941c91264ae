use super::*;

fn no_env(_: &str) -> Option<String> {
    None
}

fn parse(text: &str) -> Object {
    let env = Env { var: &no_env };
    parse_str(text, None, &env)
        .unwrap_or_else(|e| panic!("{e}\n--- input:\n{text}"))
        .root
}

fn json(text: &str) -> serde_json::Value {
    parse(text).to_json()
}

#[test]
fn unquoted_urls_read_whole() {
    let j = json(
        "api {\n  api_server: http://localhost:8008\n  web_server = http://h:8080/p // c\n}\n",
    );
    assert_eq!(j["api"]["api_server"], "http://localhost:8008");
    assert_eq!(j["api"]["web_server"], "http://h:8080/p");
}

#[test]
fn pyhocon_comment_rules() {
    let j = json(
        "a: x//y\nb: abc // c\nc: abc#def\nd: \"http://h//x\"\ne: //only a comment\n  f\n# whole line\n// another\ng = 1 # one\n",
    );
    assert_eq!(j["a"], "x//y");
    assert_eq!(j["b"], "abc");
    assert_eq!(j["c"], "abc");
    assert_eq!(j["d"], "http://h//x");
    // pyhocon skips comments and newlines after the separator: the value is on the next line.
    assert_eq!(j["e"], "f");
    assert_eq!(j["g"], 1);
}

#[test]
fn values_as_pyhocon_types_them() {
    let j = json(
        "a: 8008\nb: 1.5\nc: -1.5e3\nd: 007\ne: 1.2.3\nf: 0x10\ng: True\nh: FALSE\ni: null\nj: 10s\nk: true-ish\nl: hello world\nm: \"x\" \"y\"\nn: \"\"\no:\n",
    );
    assert_eq!(j["a"], 8008);
    assert_eq!(j["b"], 1.5);
    assert_eq!(j["c"], -1500.0);
    assert_eq!(j["d"], 7);
    assert_eq!(j["e"], "1.2.3");
    assert_eq!(j["f"], "0x10");
    assert_eq!(j["g"], true);
    assert_eq!(j["h"], false);
    assert_eq!(j["i"], serde_json::Value::Null);
    assert_eq!(j["j"], "10s");
    assert_eq!(j["k"], "True-ish");
    assert_eq!(j["l"], "hello world");
    assert_eq!(j["m"], "x y");
    assert_eq!(j["n"], "");
    assert_eq!(j["o"], "");
}

#[test]
fn strings_quoted_triple_and_escapes() {
    let j = json(
        "a: \"\\u0041\\n\\/\\t\\\"q\\\"\"\nb: \"\"\"line1\nline2 \"quoted\" \"\"\"\nc: \"\"\"ab\"c\"\"\"\"\nd: x\\\n y\n",
    );
    assert_eq!(j["a"], "\\u0041\n\\/\t\"q\"");
    assert_eq!(j["b"], "line1\nline2 \"quoted\" ");
    assert_eq!(j["c"], "ab\"c\"");
    assert_eq!(j["d"], "xy");
}

#[test]
fn keys_blocks_dotted_and_merge() {
    let j = json(
        "a.b: 1\na { c: 2 }\na = { d: 3 }\n\"x.y\": 3\n\"access_key\" = \"k\"\nkey with space: 1\nb {\n}\nc\n{\n  z: 1\n}\n",
    );
    assert_eq!(j["a"], serde_json::json!({"b": 1, "c": 2, "d": 3}));
    assert_eq!(j["\"x.y\""], 3);
    assert_eq!(j["access_key"], "k");
    assert_eq!(j["key with space"], 1);
    assert_eq!(j["b"], serde_json::json!({}));
    assert_eq!(j["c"]["z"], 1);
}

#[test]
fn later_scalars_win_and_objects_concatenate() {
    let j = json("a: 1\na: 2\nb: {x:1} {y:2}\nc { p: 1, q: 2, }\n");
    assert_eq!(j["a"], 2);
    assert_eq!(j["b"], serde_json::json!({"x": 1, "y": 2}));
    assert_eq!(j["c"], serde_json::json!({"p": 1, "q": 2}));
}

#[test]
fn lists_with_trailing_commas_and_objects() {
    let j = json(
        "a: [\"a\", \"b\", ]\nb: [\n  1\n  2,\n  # comment\n  3\n]\nc: [{x: 1}, {y: 2}]\nd: [\"\", \"x\"]\ne: [1] [2]\nf: []\n",
    );
    assert_eq!(j["a"], serde_json::json!(["a", "b"]));
    assert_eq!(j["b"], serde_json::json!([1, 2, 3]));
    assert_eq!(j["c"], serde_json::json!([{"x": 1}, {"y": 2}]));
    assert_eq!(j["d"], serde_json::json!(["x"]));
    assert_eq!(j["e"], serde_json::json!([1, 2]));
    assert_eq!(j["f"], serde_json::json!([]));
}

#[test]
fn append_operator() {
    let j = json("a: [1]\na += [2]\nb += [3]\nc: x\nc += y\n");
    assert_eq!(j["a"], serde_json::json!([1, 2]));
    assert_eq!(j["b"], serde_json::json!([3]));
    assert_eq!(j["c"], "x y");
}

#[test]
fn substitutions_from_document_then_environment() {
    let env_fn = |n: &str| match n {
        "MY_CREDS" => Some("/path/creds.json".to_string()),
        _ => None,
    };
    let env = Env { var: &env_fn };
    let doc = parse_str(
        "base: http://h\napi {\n  api_server: ${base}\":8008\"\n  files: ${api.api_server}/files\n}\nc: ${MY_CREDS}\nd: ${?NOPE}\ne: ${?MY_CREDS}\nf: ${later}\nlater: 5\nl: [${base}, x]\ng: ${api}\n",
        None,
        &env,
    )
    .unwrap();
    let j = doc.root.to_json();
    assert_eq!(j["api"]["api_server"], "http://h:8008");
    assert_eq!(j["api"]["files"], "http://h:8008/files");
    assert_eq!(j["c"], "/path/creds.json");
    assert!(
        j.get("d").is_none(),
        "an optional substitution that is not found drops the key"
    );
    assert_eq!(j["e"], "/path/creds.json");
    assert_eq!(j["f"], 5);
    assert_eq!(j["l"], serde_json::json!(["http://h", "x"]));
    assert_eq!(j["g"]["api_server"], "http://h:8008");
}

#[test]
fn self_reference_uses_the_previous_value() {
    let j = json("path: /a\npath: ${path}\":/b\"\nlist: [1]\nlist: ${list} [2]\n");
    assert_eq!(j["path"], "/a:/b");
    assert_eq!(j["list"], serde_json::json!([1, 2]));
}

#[test]
fn missing_substitution_and_cycles_are_errors_with_positions() {
    let env = Env { var: &no_env };
    let e = parse_str("a: 1\nb: ${nope}\n", None, &env).unwrap_err();
    assert_eq!((e.pos.line, e.pos.col), (2, 4), "{e}");
    assert!(e.message.contains("${nope}"), "{e}");
    let e = parse_str("a: ${b}\nb: ${a}\n", None, &env).unwrap_err();
    assert!(e.message.contains("cycle"), "{e}");
}

#[test]
fn syntax_errors_name_line_and_column() {
    let env = Env { var: &no_env };
    let cases = [
        ("a: abc*def\n", 1, 7, "'*'"),
        ("a {\n  b: 1\n", 1, 3, "never closed"),
        ("a: \"open\n", 1, 4, "unterminated"),
        ("a b c\n", 1, 6, "expected ':'"),
        ("x: 1\n}\n", 2, 1, "unexpected '}'"),
        ("u: https://user@host\n", 1, 16, "'@'"),
        ("a: [1, 2\n", 1, 4, "never closed"),
    ];
    for (text, line, col, needle) in cases {
        let e = parse_str(text, Some(Path::new("f.conf")), &env).unwrap_err();
        assert_eq!((e.pos.line, e.pos.col), (line, col), "{text:?}: {e}");
        assert!(e.message.contains(needle), "{text:?}: {e}");
        assert!(
            e.to_string().starts_with(&format!("f.conf:{line}:{col}: ")),
            "{e}"
        );
    }
}

#[test]
fn root_braces_json_and_bom() {
    let j = json(
        "{\"api\": {\"api_server\": \"http://h:8008\", \"credentials\": {\"access_key\": \"A\", \"secret_key\": \"S\"}}}",
    );
    assert_eq!(j["api"]["credentials"]["secret_key"], "S");
    let j = json("\u{feff}# c\n{\n a: 1\n}\n// end\n");
    assert_eq!(j["a"], 1);
}

#[test]
fn positions_point_at_the_key() {
    let o = parse("# c\napi {\n    api_server: http://h:8008\n}\n");
    let n = o.get_path("api.api_server").unwrap();
    assert_eq!((n.pos.line, n.pos.col), (3, 5));
}

#[test]
fn includes_relative_optional_and_required() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inc.conf"), "q: 1\nr { s: 2 }\n").unwrap();
    let main = dir.path().join("main.conf");
    std::fs::write(
        &main,
        "a { include \"inc.conf\" }\ninclude file(\"inc.conf\")\ninclude \"missing.conf\"\nr { t: 3 }\n",
    )
    .unwrap();
    let env = Env { var: &no_env };
    let doc = parse_file(&main, &env).unwrap();
    let j = doc.root.to_json();
    assert_eq!(j["a"], serde_json::json!({"q": 1, "r": {"s": 2}}));
    assert_eq!(j["q"], 1);
    assert_eq!(j["r"], serde_json::json!({"s": 2, "t": 3}));
    let pos = &doc.root.get_path("a.q").unwrap().pos;
    assert!(pos.file.as_ref().unwrap().ends_with("inc.conf"));

    std::fs::write(&main, "include required(\"missing.conf\")\n").unwrap();
    let e = parse_file(&main, &env).unwrap_err();
    assert!(e.to_string().contains("missing.conf"), "{e}");
}

#[test]
fn spans_cover_top_level_and_second_level_entries() {
    let text = "sdk { a: 1 }\napi {\n  api_server: http://h:8008 # c\n  credentials {\"access_key\": \"A\"}\n}\n";
    let env = Env { var: &no_env };
    let doc = parse_str(text, None, &env).unwrap();
    let api = doc
        .spans
        .iter()
        .find(|s| s.parent.is_empty() && s.key == ["api"])
        .unwrap();
    assert!(text[api.start..api.end].starts_with("api {"));
    assert!(text[api.start..api.end].ends_with('}'));
    let inner = doc
        .spans
        .iter()
        .find(|s| s.parent == ["api"] && s.key == ["api_server"])
        .unwrap();
    assert_eq!(&text[inner.start..inner.end], "api_server: http://h:8008");
}

#[test]
fn chained_self_references_and_optional_fallbacks() {
    let j = json(
        "p: /a\np: ${p}\":/b\"\np: ${p}\":/c\"\nk: 1\nk: ${?NOT_SET_ANYWHERE}\nl: [${?NOT_SET_ANYWHERE}, 2]\nt: foo ${?NOT_SET_ANYWHERE}\n",
    );
    assert_eq!(j["p"], "/a:/b:/c");
    assert_eq!(
        j["k"], 1,
        "an optional substitution that finds nothing keeps the previous value"
    );
    assert_eq!(j["l"], serde_json::json!([null, 2]));
    assert_eq!(
        j["t"], "foo ",
        "pyhocon keeps the blank before a vanished substitution"
    );
}
