//! The server's request decoding lives in private functions of src/serve/ (router.rs,
//! fileserver.rs). Rather than widen their visibility for the fuzzer, copy exactly those
//! functions out of the current sources at build time; the `serve_request` target compiles
//! them against a stand-in `ApiError`. A function that moved or was renamed fails the
//! build here, loudly, instead of fuzzing a stale copy.

use std::path::Path;

const FUNCTIONS: &[(&str, &[&str])] = &[
    (
        "../src/serve/router.rs",
        &["qs_value", "merge_query", "non_finite_to_null", "parse_body"],
    ),
    ("../src/serve/fileserver.rs", &["resolve", "decoded_path"]),
];

/// The text of `fn name(...) { ... }` at the start of a line, up to the `}` that closes it
/// at column 0 (rustfmt's layout for a free function).
fn extract(src: &str, name: &str, file: &str) -> String {
    let mut lines = src.lines();
    let mut out = String::new();
    let start = |l: &str| {
        let l = l.strip_prefix("pub ").unwrap_or(l);
        l.starts_with(&format!("fn {name}(")) || l.starts_with(&format!("fn {name}<"))
    };
    for line in lines.by_ref() {
        if start(line) {
            // Public to the target's `decoding` module, whatever it was in src/serve/.
            out.push_str("pub ");
            out.push_str(line.strip_prefix("pub ").unwrap_or(line));
            out.push('\n');
            break;
        }
    }
    assert!(
        !out.is_empty(),
        "fuzz/build.rs: fn {name} not found in {file}; update FUNCTIONS"
    );
    for line in lines {
        out.push_str(line);
        out.push('\n');
        if line == "}" {
            return out;
        }
    }
    panic!("fuzz/build.rs: fn {name} in {file} does not end with a '}}' line");
}

fn main() {
    let mut code = String::new();
    for (file, names) in FUNCTIONS {
        println!("cargo:rerun-if-changed={file}");
        let src = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        for name in *names {
            code.push_str(&format!("// copied from {file}\n"));
            code.push_str(&extract(&src, name, file));
        }
    }
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("serve_decoding.rs");
    std::fs::write(out, code).unwrap();
}
