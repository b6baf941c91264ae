//! What a person pastes from the web UI's "Create new credentials" dialog (protocol §1.3):
//! the `api { ... }` block (with or without `api`, with or without `files_server`), the
//! flat legacy form (`host:` + `credentials {..}`), one-line JSON, the Jupyter tab's
//! `%env CLEARML_...=...` lines, and Colab's paste squashed onto one line.
//!
//! Unlike clearml-init, a missing field does not abort the lookups of the fields after it,
//! and a credentials object with extra keys (e.g. a label) is still accepted.

use std::io::BufRead;

use super::hocon;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pasted {
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub api: Option<String>,
    pub web: Option<String>,
    pub files: Option<String>,
}

impl Pasted {
    pub fn has_credentials(&self) -> bool {
        self.access_key.is_some() && self.secret_key.is_some()
    }
}

/// Colab flattens a multi-line paste onto one line; split it back on runs of 2+ blanks.
fn unsquash(text: &str) -> String {
    let non_empty: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if non_empty.len() != 1 || !non_empty[0].trim().contains("  ") {
        return text.to_string();
    }
    let mut out = String::new();
    let mut blanks = 0;
    for c in non_empty[0].trim().chars() {
        if c == ' ' || c == '\t' {
            blanks += 1;
            continue;
        }
        if blanks >= 2 {
            out.push('\n');
        } else if blanks == 1 {
            out.push(' ');
        }
        blanks = 0;
        out.push(c);
    }
    out.push('\n');
    out
}

const ENV_NAMES: [(&str, &str); 10] = [
    ("CLEARML_API_HOST", "api"),
    ("CLEARML_WEB_HOST", "web"),
    ("CLEARML_FILES_HOST", "files"),
    ("CLEARML_API_ACCESS_KEY", "access_key"),
    ("CLEARML_API_SECRET_KEY", "secret_key"),
    ("TRAINS_API_HOST", "api"),
    ("TRAINS_WEB_HOST", "web"),
    ("TRAINS_FILES_HOST", "files"),
    ("TRAINS_API_ACCESS_KEY", "access_key"),
    ("TRAINS_API_SECRET_KEY", "secret_key"),
];

/// `%env NAME=VALUE`, `export NAME=VALUE`, or `NAME=VALUE` for one of our variables.
fn env_line(line: &str) -> Option<(&'static str, String)> {
    let mut l = line.trim();
    for prefix in ["%env", "export", "set"] {
        if let Some(rest) = l.strip_prefix(prefix)
            && rest.starts_with([' ', '\t'])
        {
            l = rest.trim_start();
        }
    }
    let (name, value) = l.split_once('=')?;
    let field = ENV_NAMES.iter().find(|(n, _)| *n == name.trim())?.1;
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    Some((field, value.to_string()))
}

fn parse_env_lines(text: &str) -> Option<Pasted> {
    let mut p = Pasted::default();
    let mut any = false;
    for line in text.lines() {
        let Some((field, value)) = env_line(line) else {
            continue;
        };
        any = true;
        let slot = match field {
            "api" => &mut p.api,
            "web" => &mut p.web,
            "files" => &mut p.files,
            "access_key" => &mut p.access_key,
            _ => &mut p.secret_key,
        };
        if slot.is_none() && !value.is_empty() {
            *slot = Some(value);
        }
    }
    any.then_some(p)
}

/// A setting under `api.` first, else at the top level (clearml-init's `get_parsed_field`).
fn field<'a>(root: &'a hocon::Object, name: &str) -> Option<&'a hocon::Node> {
    root.get_segs(&["api", name]).or_else(|| root.get(name))
}

fn text_field(root: &hocon::Object, name: &str) -> Option<String> {
    field(root, name)
        .and_then(|n| n.value.as_text())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Parse a pasted block. Err when it is not readable at all (then ask for the keys by hand).
pub fn parse_paste(text: &str) -> Result<Pasted, String> {
    let text = unsquash(text);
    if let Some(p) = parse_env_lines(&text) {
        return Ok(p);
    }
    let no_env = |_: &str| None;
    let env = hocon::Env { var: &no_env };
    let doc = hocon::parse_str(&text, None, &env)
        .map_err(|e| format!("line {}:{}: {}", e.pos.line, e.pos.col, e.message))?;
    let root = &doc.root;
    let mut p = Pasted::default();
    if let Some(creds) = field(root, "credentials").and_then(|n| n.value.as_object()) {
        let get = |k: &str| {
            creds
                .get(k)
                .and_then(|n| n.value.as_text())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        p.access_key = get("access_key");
        p.secret_key = get("secret_key");
    }
    p.api = text_field(root, "api_server").or_else(|| text_field(root, "host"));
    p.web = text_field(root, "web_server");
    p.files = text_field(root, "files_server");
    Ok(p)
}

/// Brace depth change of a line, ignoring braces inside double quotes.
fn brace_delta(line: &str) -> i32 {
    let mut depth = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    for c in line.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '{' if !in_quotes => depth += 1,
            '}' if !in_quotes => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// Read a paste from a terminal (protocol §1.4, improved): lines until an empty line, or
/// until the braces that were opened close again (the UI block, a bare `credentials {}`
/// block and one-line JSON need no extra Enter), or after the secret-key line of the
/// Jupyter `%env` form. In a Jupyter/Colab kernel (`jupyter`) a single line is read.
pub fn read_paste(input: &mut dyn BufRead, jupyter: bool) -> std::io::Result<String> {
    let mut text = String::new();
    let mut depth = 0i32;
    let mut opened = false;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() {
            break; // the end of the paste, or Enter alone: no paste
        }
        text.push_str(&line);
        if !line.ends_with('\n') {
            text.push('\n');
        }
        if jupyter {
            break;
        }
        let delta = brace_delta(&line);
        opened |= delta > 0 || trimmed.contains('{');
        depth += delta;
        if opened && depth <= 0 {
            break;
        }
        if !opened && env_line(trimmed).is_some_and(|(f, _)| f == "secret_key") {
            break;
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UI_BLOCK: &str = "api {\n  # my laptop\n  web_server: https://app.example.com\n  api_server: https://api.example.com\n  files_server: https://files.example.com\n  # label\n  credentials {\n    \"access_key\" = \"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123\"\n    \"secret_key\" = \"s3cr3t-value_with-url-safe_chars\"\n  }\n}\n";

    fn full() -> Pasted {
        Pasted {
            access_key: Some("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123".into()),
            secret_key: Some("s3cr3t-value_with-url-safe_chars".into()),
            api: Some("https://api.example.com".into()),
            web: Some("https://app.example.com".into()),
            files: Some("https://files.example.com".into()),
        }
    }

    #[test]
    fn ui_block_with_and_without_files() {
        assert_eq!(parse_paste(UI_BLOCK).unwrap(), full());
        let no_files = UI_BLOCK.replace("  files_server: https://files.example.com\n", "");
        assert_eq!(
            parse_paste(&no_files).unwrap(),
            Pasted {
                files: None,
                ..full()
            }
        );
    }

    #[test]
    fn web_without_api_is_kept() {
        let t = UI_BLOCK.replace("  api_server: https://api.example.com\n", "");
        let p = parse_paste(&t).unwrap();
        assert_eq!(p.api, None);
        assert_eq!(p.web.as_deref(), Some("https://app.example.com"));
        assert!(p.has_credentials());
    }

    #[test]
    fn bare_credentials_and_flat_legacy_form() {
        let p =
            parse_paste("credentials {\"access_key\": \"AK\", \"secret_key\": \"SK\"}\n").unwrap();
        assert_eq!(
            (p.access_key.as_deref(), p.secret_key.as_deref(), p.api),
            (Some("AK"), Some("SK"), None)
        );
        let p = parse_paste("host: http://h:8008\nweb_server: http://h:8080\ncredentials {\"access_key\": \"AK\", \"secret_key\": \"SK\"}\n").unwrap();
        assert_eq!(p.api.as_deref(), Some("http://h:8008"));
        assert_eq!(p.web.as_deref(), Some("http://h:8080"));
        assert!(p.has_credentials());
    }

    #[test]
    fn one_line_json_and_extra_credential_keys() {
        let p = parse_paste(r#"{"api": {"api_server": "http://h:8008", "web_server": "http://h:8080", "credentials": {"access_key": "AK", "secret_key": "SK", "label": "x"}}}"#).unwrap();
        assert_eq!(p.api.as_deref(), Some("http://h:8008"));
        assert_eq!(p.secret_key.as_deref(), Some("SK"));
    }

    #[test]
    fn jupyter_env_lines() {
        let t = "%env CLEARML_WEB_HOST=https://app.example.com\n%env CLEARML_API_HOST=https://api.example.com\n%env CLEARML_FILES_HOST=https://files.example.com\n%env CLEARML_API_ACCESS_KEY=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123\n%env CLEARML_API_SECRET_KEY=s3cr3t-value_with-url-safe_chars\n";
        assert_eq!(parse_paste(t).unwrap(), full());
        let t = "export CLEARML_API_ACCESS_KEY='AK'\nexport CLEARML_API_SECRET_KEY=\"SK\"\n";
        let p = parse_paste(t).unwrap();
        assert_eq!(
            (p.access_key.as_deref(), p.secret_key.as_deref()),
            (Some("AK"), Some("SK"))
        );
    }

    #[test]
    fn colab_squashed_single_line() {
        let squashed = UI_BLOCK
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("    ");
        assert_eq!(parse_paste(&squashed).unwrap(), full());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse_paste("api { credentials { \n").is_err());
        assert!(parse_paste("hello\n").is_err());
        assert!(!parse_paste("hello: 1\n").unwrap().has_credentials());
    }

    #[test]
    fn reading_stops_where_the_paste_ends() {
        let mut input = std::io::Cursor::new(format!("{UI_BLOCK}after\n"));
        assert_eq!(read_paste(&mut input, false).unwrap(), UI_BLOCK);
        let json = "{\"api\": {\"credentials\": {\"access_key\": \"A\", \"secret_key\": \"S\"}}}\n";
        let mut input = std::io::Cursor::new(format!("{json}after\n"));
        assert_eq!(read_paste(&mut input, false).unwrap(), json);
        let env = "%env CLEARML_API_ACCESS_KEY=A\n%env CLEARML_API_SECRET_KEY=S\n";
        let mut input = std::io::Cursor::new(format!("{env}after\n"));
        assert_eq!(read_paste(&mut input, false).unwrap(), env);
        let mut input = std::io::Cursor::new("a: 1\n\nb: 2\n");
        assert_eq!(read_paste(&mut input, false).unwrap(), "a: 1\n");
        let mut input = std::io::Cursor::new("\nmore\n");
        assert_eq!(read_paste(&mut input, false).unwrap(), "");
        let mut input = std::io::Cursor::new("api {  x: 1\nmore\n");
        assert_eq!(read_paste(&mut input, true).unwrap(), "api {  x: 1\n");
    }
}
