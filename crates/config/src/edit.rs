//! Writing clearml.conf: a new file (the `api` block plus a short `sdk` section), or an
//! update that replaces only the `api { ... }` block and keeps every other byte of the
//! file. Writes are atomic (temp file + rename), the file is 0600, and the previous
//! version is kept as `clearml.conf.bak`.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::hocon::{self, EntrySpan};

/// What `init` writes into the `api` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiSettings {
    pub api: String,
    pub web: String,
    pub files: String,
    pub access_key: String,
    pub secret_key: String,
}

/// Keys of the `api` block that `init` owns; anything else in the block is kept.
const OWNED_KEYS: [&str; 5] = [
    "api_server",
    "host",
    "web_server",
    "files_server",
    "credentials",
];

/// A double-quoted HOCON string (pyhocon unescapes `\\` and `\"`).
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A URL unquoted as clearml-init writes it, unless pyhocon would not read it back whole
/// (characters that end an unquoted string, e.g. `@` or `?`), then quoted.
pub fn url_value(url: &str) -> String {
    let safe = !url.is_empty()
        && url
            .chars()
            .all(|c| !c.is_whitespace() && !"^`+?!@*&\"[{]}#,=$\\".contains(c))
        && !url.starts_with("//")
        && !url
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '.');
    if safe { url.to_string() } else { quoted(url) }
}

/// The `api { ... }` block; `kept` are entries of the old block copied verbatim.
pub fn render_api_block(s: &ApiSettings, indent: &str, kept: &[String]) -> String {
    let i = format!("{indent}    ");
    let mut out = String::new();
    out.push_str("api {\n");
    out.push_str(&format!(
        "{i}# Notice: 'api_server' is the API server (default port 8008), not the web server.\n"
    ));
    out.push_str(&format!("{i}api_server: {}\n", url_value(&s.api)));
    out.push_str(&format!("{i}web_server: {}\n", url_value(&s.web)));
    out.push_str(&format!("{i}files_server: {}\n", url_value(&s.files)));
    out.push_str(&format!(
        "{i}# Credentials are generated using the webapp, {}/settings\n",
        s.web
    ));
    out.push_str(&format!(
        "{i}# Override with os environment: CLEARML_API_ACCESS_KEY / CLEARML_API_SECRET_KEY\n"
    ));
    out.push_str(&format!(
        "{i}credentials {{\"access_key\": {}, \"secret_key\": {}}}\n",
        quoted(&s.access_key),
        quoted(&s.secret_key)
    ));
    for entry in kept {
        out.push_str(&format!("{i}{entry}\n"));
    }
    out.push_str(indent);
    out.push('}');
    out
}

/// The text of a new clearml.conf.
pub fn new_file_text(s: &ApiSettings) -> String {
    format!(
        "# ClearML SDK configuration file, written by `clearml init`.\n{}\n\n\
         # The SDK supplies its own defaults for every setting not written in this file\n\
         # (storage cache, S3/GCS/Azure credentials, logging, ...): add only what you change.\n\
         sdk {{\n    development {{\n        # Where models and artifacts are uploaded (\"\" = only register local paths),\n        # e.g. default_output_uri: {}\n    }}\n}}\n",
        render_api_block(s, "", &[]),
        url_value(&s.files),
    )
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |p| p + 1)
}

/// Remove `[start, end)`; when nothing but blanks (and a separating comma) is left on the
/// line, remove the whole line.
fn deletion(text: &str, start: usize, end: usize) -> (usize, usize) {
    let ls = line_start(text, start);
    let le = text[end..].find('\n').map_or(text.len(), |p| end + p);
    let before_blank = text[ls..start].trim().is_empty();
    let after = text[end..le].trim();
    if before_blank && (after.is_empty() || after == ",") {
        let le = if le < text.len() { le + 1 } else { le };
        (ls, le)
    } else {
        (start, end)
    }
}

fn within(inner: &EntrySpan, outer: &EntrySpan) -> bool {
    inner.start >= outer.start && inner.end <= outer.end
}

/// Replace the `api` settings in an existing file, keeping every byte outside the `api`
/// block (and the block's entries `init` does not own). `env` resolves `${VAR}`s.
pub fn update_text(
    existing: &str,
    path: &Path,
    s: &ApiSettings,
    env: &hocon::Env,
) -> anyhow::Result<String> {
    let doc = hocon::parse_str(existing, Some(path), env)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| {
            format!(
                "cannot update {}: fix the file first, or write another with --file",
                path.display()
            )
        })?;
    let top: Vec<&EntrySpan> = doc
        .spans
        .iter()
        .filter(|sp| sp.parent.is_empty() && sp.key[0] == "api")
        .collect();
    let main = top.iter().find(|sp| sp.key.len() == 1).copied();

    // (start, end, replacement)
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for sp in &top {
        if Some(*sp) == main {
            continue;
        }
        if sp.key.len() == 1 {
            // A second `api { }` block: take our keys out of it.
            for child in doc
                .spans
                .iter()
                .filter(|c| c.parent == ["api"] && within(c, sp))
            {
                if OWNED_KEYS.contains(&child.key[0].as_str()) {
                    let (a, b) = deletion(existing, child.start, child.end);
                    edits.push((a, b, String::new()));
                }
            }
        } else if OWNED_KEYS.contains(&sp.key[1].as_str()) {
            let (a, b) = deletion(existing, sp.start, sp.end);
            edits.push((a, b, String::new()));
        }
    }
    match main {
        Some(main) => {
            let kept: Vec<String> = doc
                .spans
                .iter()
                .filter(|c| c.parent == ["api"] && within(c, main))
                .filter(|c| !OWNED_KEYS.contains(&c.key[0].as_str()))
                .map(|c| existing[c.start..c.end].to_string())
                .collect();
            let ls = line_start(existing, main.start);
            let indent: String = existing[ls..main.start]
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            edits.push((main.start, main.end, render_api_block(s, &indent, &kept)));
        }
        None => {
            let block = render_api_block(s, "", &[]);
            let trimmed_end = existing.trim_end();
            if trimmed_end.ends_with('}') && existing.trim_start().starts_with('{') {
                // The whole file is wrapped in { }: add the block inside.
                let at = trimmed_end.len() - 1;
                edits.push((at, at, format!("{block}\n")));
            } else {
                let sep = if existing.is_empty() || existing.ends_with('\n') {
                    ""
                } else {
                    "\n"
                };
                edits.push((existing.len(), existing.len(), format!("{sep}{block}\n")));
            }
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut text = existing.to_string();
    for (a, b, repl) in edits {
        text.replace_range(a..b, &repl);
    }
    check_written(&text, path, s, env)?;
    Ok(text)
}

/// Read the result back as the SDK would and make sure it says what we meant.
fn check_written(text: &str, path: &Path, s: &ApiSettings, env: &hocon::Env) -> anyhow::Result<()> {
    let doc = hocon::parse_str(text, Some(path), env)
        .map_err(|e| anyhow::anyhow!("internal error: the updated file does not parse: {e}"))?;
    for (key, want) in [
        ("api.api_server", &s.api),
        ("api.web_server", &s.web),
        ("api.files_server", &s.files),
        ("api.credentials.access_key", &s.access_key),
        ("api.credentials.secret_key", &s.secret_key),
    ] {
        let node = doc.root.get_path(key);
        let got = node.and_then(|n| n.value.as_text());
        if got.as_deref() != Some(want.as_str()) {
            let at = node
                .map(|n| format!(" (set at {})", n.pos))
                .unwrap_or_default();
            bail!(
                "cannot update {} safely: {key} would not read back as written{at}; edit the file by hand or write another with --file",
                path.display()
            );
        }
    }
    Ok(())
}

/// Write `text` to `path` atomically with mode 0600; keep the previous file as
/// `<path>.bak` (also 0600: it holds the old secret). Returns the backup path if any.
pub fn write_atomic(path: &Path, text: &str) -> anyhow::Result<Option<PathBuf>> {
    // Write through a symlink (dotfile managers) rather than replacing it.
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    };
    let (dir, name) = dir_and_name(&path, "clearml.conf")?;

    let backup = if path.exists() {
        let old =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let bak = dir.join(format!("{name}.bak"));
        write_new(&dir, &name, &bak, &old)?;
        Some(bak)
    } else {
        None
    };
    write_new(&dir, &name, &path, text.as_bytes())?;
    Ok(backup)
}

/// Replace `path` atomically with `bytes`, mode 0600, keeping no backup (state files that
/// may sit beside clearml.conf and are rewritten often).
pub fn replace_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let (dir, name) = dir_and_name(path, "state")?;
    write_new(&dir, &name, path, bytes)
}

/// The directory a file is written in (created when missing) and the file's name, used
/// for the temporary file beside it.
fn dir_and_name(path: &Path, fallback: &str) -> anyhow::Result<(PathBuf, String)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| fallback.into());
    Ok((dir, name))
}

/// Temp file in the same directory (0600 from creation), fsync, rename over `target`.
/// The temp name is random and the file is created new without following a symlink: a
/// name planted in a shared folder (a symlink to a victim file) is never written through.
fn write_new(dir: &Path, name: &str, target: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let (tmp, mut f) =
        create_temp(dir, name).with_context(|| format!("cannot write {}", target.display()))?;
    let result = (|| -> std::io::Result<()> {
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, target)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", target.display()));
    }
    Ok(())
}

/// A new file `.<name>.tmp-<random>` in `dir`, opened O_CREAT|O_EXCL|O_NOFOLLOW, mode
/// 0600; another name is tried if one exists already.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut last = None;
    for _ in 0..8 {
        let tmp = dir.join(format!(".{name}.tmp-{}", uuid::Uuid::new_v4().simple()));
        match open_new_private(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// Create `path` as a new 0600 file; an existing file or symlink there is an error.
fn open_new_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ApiSettings {
        ApiSettings {
            api: "http://localhost:8008".into(),
            web: "http://localhost:8080".into(),
            files: "http://localhost:8081".into(),
            access_key: "NEWKEY".into(),
            secret_key: "new\"sec\\ret".into(),
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn update(text: &str) -> String {
        let env = hocon::Env { var: &no_env };
        update_text(text, Path::new("clearml.conf"), &settings(), &env).unwrap()
    }

    #[test]
    fn new_file_reads_back() {
        let text = new_file_text(&settings());
        let env = hocon::Env { var: &no_env };
        let doc = hocon::parse_str(&text, None, &env).unwrap();
        assert_eq!(
            doc.root
                .get_path("api.api_server")
                .unwrap()
                .value
                .as_text()
                .unwrap(),
            "http://localhost:8008"
        );
        assert_eq!(
            doc.root
                .get_path("api.credentials.secret_key")
                .unwrap()
                .value
                .as_text()
                .unwrap(),
            "new\"sec\\ret"
        );
        assert!(
            text.contains("api_server: http://localhost:8008\n"),
            "URLs stay unquoted:\n{text}"
        );
        assert!(doc.root.get("sdk").is_some());
    }

    #[test]
    fn urls_needing_quotes_are_quoted() {
        assert_eq!(url_value("http://h:8008/p"), "http://h:8008/p");
        assert_eq!(url_value("https://user@h"), "\"https://user@h\"");
        assert_eq!(url_value("http://h/p?x=1"), "\"http://h/p?x=1\"");
    }

    #[test]
    fn update_replaces_only_the_api_block() {
        let before = "# my config\nsdk {\n  a: 1 // keep\n}\n";
        let after = "\nagent {\n  b: [1, 2, ]\n}\n";
        let old_api = "api {\n  # old\n  api_server: http://old:8008\n  verify_certificate: false\n  credentials {\"access_key\": \"OLD\", \"secret_key\": \"OLDSECRET\"}\n  http { timeout: 5 }\n} # trailing";
        let text = format!("{before}{old_api}{after}");
        let out = update(&text);
        assert!(out.starts_with(before), "{out}");
        assert!(out.ends_with(&format!(" # trailing{after}")), "{out}");
        assert!(!out.contains("OLDSECRET"));
        assert!(
            out.contains("    verify_certificate: false\n"),
            "other api settings are kept:\n{out}"
        );
        assert!(out.contains("    http { timeout: 5 }\n"), "{out}");
    }

    #[test]
    fn stray_api_keys_elsewhere_are_removed() {
        let text = "api.api_server: http://stray:8008\nsdk { x: 1 }\napi { web_server: http://old:8080 }\napi { files_server: http://old:8081, verify_certificate: false }\napi.credentials.secret_key: \"S\"\n";
        let out = update(text);
        assert!(!out.contains("stray"), "{out}");
        assert!(!out.contains("old:8081"), "{out}");
        assert!(out.contains("sdk { x: 1 }\n"), "{out}");
        assert!(out.contains("verify_certificate: false"), "{out}");
    }

    #[test]
    fn file_without_api_block_gets_one_appended() {
        let out = update("sdk { x: 1 }");
        assert!(out.starts_with("sdk { x: 1 }\napi {\n"), "{out}");
        let out = update("{\n  sdk { x: 1 }\n}\n");
        assert!(out.starts_with("{\n  sdk { x: 1 }\napi {"), "{out}");
    }

    #[test]
    fn unparsable_file_is_not_touched() {
        let env = hocon::Env { var: &no_env };
        let err = update_text(
            "api { api_server: a*b }\n",
            Path::new("c.conf"),
            &settings(),
            &env,
        )
        .unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("c.conf:1:20"), "{msg}");
    }

    /// Issue 20 (Low): a symlink planted at a temp name, the old predictable one or any
    /// other, is never written through; the victim file keeps its content.
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        let state = dir.path().join("s.json");
        let old_name = dir
            .path()
            .join(format!(".s.json.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&victim, &old_name).unwrap();
        replace_private(&state, b"{\"state\": 1}").unwrap();
        write_atomic(&dir.path().join("victim-conf"), "x\n").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert_eq!(std::fs::read_to_string(&state).unwrap(), "{\"state\": 1}");
        // The opener itself refuses a symlink (and any existing file) at its name.
        let err = open_new_private(&old_name).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists, "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        // Two writes use two temp names (not derived from the process id alone).
        let (a, _fa) = create_temp(dir.path(), "n").unwrap();
        let (b, _fb) = create_temp(dir.path(), "n").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn atomic_write_keeps_a_private_backup() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("clearml.conf");
        assert_eq!(write_atomic(&p, "one\n").unwrap(), None);
        let bak = write_atomic(&p, "two\n").unwrap().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two\n");
        assert_eq!(std::fs::read_to_string(&bak).unwrap(), "one\n");
        for f in [&p, &bak] {
            let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", f.display());
        }
        let leftovers: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.contains("tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
