//! A task an agent can run, made from a local script (what the SDK's `clearml-task` does,
//! without Python): inside a git repository the task names the remote, branch, commit,
//! working directory and entry point and carries the uncommitted changes as a diff;
//! outside one, the script's text is the task's code. Requirements, `Args` parameters and
//! a container image complete it. Reading the disk and git happens here; the server is
//! only called by [`create`]. Nothing here prints: warnings come back in [`Source`].

use std::path::{Path, PathBuf};
use std::process::Command;

use md5::{Digest, Md5};
use serde_json::{Map, Value, json};

use clearml_api::Client;
mod error;
pub use error::LaunchError;

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The script to run (a `.py` or `.sh` file).
    pub script: PathBuf,
    /// Command-line arguments passed to the script (kept in the entry point, which the
    /// agent splits as a shell would).
    pub script_args: Vec<String>,
    /// `Args/name` parameters, in order.
    pub args: Vec<(String, String)>,
    /// A requirements file (pip syntax).
    pub requirements: Option<PathBuf>,
    /// Packages added to the requirements.
    pub packages: Vec<String>,
    /// Working directory relative to the repository root (default: the script's folder).
    pub cwd: Option<String>,
    /// Container image and its `docker run` arguments.
    pub docker: Option<String>,
    pub docker_args: Option<String>,
    /// Add `Task.init()` at the top of a Python script that does not call it.
    pub task_init: bool,
    /// Task type (`training`, `data_processing`, ...).
    pub task_type: String,
    /// Ignore the git repository: send the script's text.
    pub single_file: bool,
}

/// The task's `script` section, as found on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Remote URL without credentials; empty outside a repository.
    pub repository: String,
    pub branch: String,
    pub commit: String,
    pub working_dir: String,
    pub entry_point: String,
    /// Uncommitted changes (a repository), or the script text (no repository).
    pub diff: String,
    pub binary: String,
    /// pip requirements text, empty when none were given.
    pub requirements: String,
    /// Things the user should know (an unpushed commit, no remote...).
    pub warnings: Vec<String>,
}

impl Source {
    pub fn in_repository(&self) -> bool {
        !self.repository.is_empty()
    }
}

const TASK_INIT_LINES: &str =
    "from clearml import Task\n(__name__ != \"__main__\") or Task.init()\n";

/// Read the script, its repository and the requirements.
pub fn source(req: &Request) -> Result<Source, LaunchError> {
    let script = std::fs::canonicalize(&req.script).map_err(|e| {
        LaunchError::Missing(format!(
            "cannot read script '{}': {e}",
            req.script.display()
        ))
    })?;
    if !script.is_file() {
        return Err(LaunchError::invalid(format!(
            "'{}' is not a file",
            req.script.display()
        )));
    }
    let file_name = script
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| LaunchError::invalid("the script's file name must be UTF-8"))?
        .to_string();
    let is_shell = file_name.ends_with(".sh") || file_name.ends_with(".bash");
    let mut found = Source {
        repository: String::new(),
        branch: String::new(),
        commit: String::new(),
        working_dir: ".".into(),
        entry_point: String::new(),
        diff: String::new(),
        binary: if is_shell { "/bin/bash" } else { "python3" }.to_string(),
        requirements: requirements_text(req)?,
        warnings: Vec::new(),
    };
    let repo = if req.single_file {
        None
    } else {
        repository_of(&script, &mut found.warnings)
    };
    // Task.init() goes in only for Python that does not call it already.
    let add_init = req.task_init && !is_shell;
    let args_suffix = shell_join(&req.script_args);
    match repo {
        None => single_file(req, &script, add_init, &mut found)?,
        Some(repo) => in_repository(req, &script, repo, add_init, &mut found)?,
    }
    found.entry_point.push_str(&args_suffix);
    Ok(found)
}

/// Outside a repository: the script's text is the task's code, run from its own name.
fn single_file(
    req: &Request,
    script: &Path,
    add_init: bool,
    found: &mut Source,
) -> Result<(), LaunchError> {
    if req.cwd.is_some() {
        return Err(LaunchError::invalid(
            "--cwd needs a script inside a git repository (outside one the script runs alone)",
        ));
    }
    let text = std::fs::read_to_string(script).map_err(|e| {
        LaunchError::invalid(format!(
            "cannot read script '{}' as text: {e}",
            script.display()
        ))
    })?;
    found.diff = if add_init && !text.contains("Task.init") {
        insert_task_init(&text)
    } else {
        text
    };
    found.entry_point = file_name_of(script);
    Ok(())
}

/// The script's file name (checked to be UTF-8 by [`source`]).
fn file_name_of(script: &Path) -> String {
    script
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Inside a repository: the remote, branch and commit, where the agent runs the script
/// from, and the uncommitted changes (the script itself when it is not tracked yet).
fn in_repository(
    req: &Request,
    script: &Path,
    repo: Repo,
    add_init: bool,
    found: &mut Source,
) -> Result<(), LaunchError> {
    let rel = script
        .strip_prefix(&repo.root)
        .map_err(|_| LaunchError::invalid("the script is not inside its repository"))?
        .to_string_lossy()
        .replace('\\', "/");
    let (working_dir, entry_point) = placement(req.cwd.as_deref(), &rel, &file_name_of(script))?;
    let mut diff = repo.diff;
    if !repo.tracked.contains(&rel) {
        diff.push_str(&new_file_diff(&repo.root, &rel)?);
    }
    let current = std::fs::read_to_string(script).unwrap_or_default();
    if add_init && !current.contains("Task.init") {
        if !diff.is_empty() && !diff.ends_with('\n') {
            diff.push('\n');
        }
        // A zero-context hunk at the top; the agent applies diffs with --unidiff-zero and
        // moves these lines below `from __future__` imports itself.
        diff.push_str(&format!(
            "diff --git a/{rel} b/{rel}\n--- a/{rel}\n+++ b/{rel}\n@@ -0,0 +1,2 @@\n"
        ));
        for l in TASK_INIT_LINES.lines() {
            diff.push_str(&format!("+{l}\n"));
        }
    }
    found.repository = repo.remote;
    found.branch = repo.branch;
    found.commit = repo.commit;
    found.working_dir = working_dir;
    found.entry_point = entry_point;
    found.diff = diff;
    Ok(())
}

/// The working directory (relative to the repository root) and the entry point relative
/// to it: `--cwd` when given (the script must be under it), else the script's folder.
fn placement(
    cwd: Option<&str>,
    rel: &str,
    file_name: &str,
) -> Result<(String, String), LaunchError> {
    let Some(cwd) = cwd else {
        return Ok(match rel.rsplit_once('/') {
            Some((dir, _)) => (dir.to_string(), file_name.to_string()),
            None => (".".to_string(), file_name.to_string()),
        });
    };
    let cwd = cwd.trim_matches('/').to_string();
    let cwd = if cwd.is_empty() { ".".to_string() } else { cwd };
    if cwd.split('/').any(|p| p == "..") || Path::new(&cwd).is_absolute() {
        return Err(LaunchError::invalid(format!(
            "--cwd '{cwd}' must be a folder inside the repository, relative to its root"
        )));
    }
    if cwd == "." {
        return Ok((cwd, rel.to_string()));
    }
    match rel.strip_prefix(&format!("{cwd}/")) {
        Some(r) => Ok((cwd.clone(), r.to_string())),
        None => Err(LaunchError::invalid(format!(
            "the script '{rel}' is not under --cwd '{cwd}'"
        ))),
    }
}

/// The script's text with the `Task.init()` lines after any `from __future__` imports (they
/// must come first in a Python file).
fn insert_task_init(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let after = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with("from __future__"))
        .map_or(0, |i| i + 1);
    let mut out = String::with_capacity(text.len() + TASK_INIT_LINES.len() + 1);
    for l in &lines[..after] {
        out.push_str(l);
    }
    if after > 0 && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(TASK_INIT_LINES);
    for l in &lines[after..] {
        out.push_str(l);
    }
    out
}

/// `--requirements FILE` lines plus `--packages`; `clearml` added when missing (the
/// script imports it), as clearml-task does.
fn requirements_text(req: &Request) -> Result<String, LaunchError> {
    let mut lines: Vec<String> = Vec::new();
    if let Some(f) = &req.requirements {
        let text = std::fs::read_to_string(f).map_err(|e| {
            LaunchError::Missing(format!("cannot read requirements '{}': {e}", f.display()))
        })?;
        lines.extend(text.lines().map(|l| l.trim().to_string()));
    }
    lines.extend(req.packages.iter().map(|p| p.trim().to_string()));
    lines.retain(|l| !l.is_empty());
    if lines.is_empty() {
        return Ok(String::new());
    }
    let has_clearml = lines.iter().any(|l| {
        let name: String = l
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        !l.starts_with('#') && name.eq_ignore_ascii_case("clearml")
    });
    if !has_clearml {
        lines.push("clearml".into());
    }
    Ok(lines.join("\n"))
}

/// Arguments joined as a POSIX shell would read them back (the agent uses shlex).
fn shell_join(args: &[String]) -> String {
    let mut out = String::new();
    for a in args {
        out.push(' ');
        let plain = !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=./:,+@%".contains(c));
        if plain {
            out.push_str(a);
        } else {
            out.push('\'');
            out.push_str(&a.replace('\'', "'\"'\"'"));
            out.push('\'');
        }
    }
    out
}

/// What git says about the repository holding a script.
struct Repo {
    root: PathBuf,
    remote: String,
    branch: String,
    commit: String,
    diff: String,
    /// Tracked paths relative to the root.
    tracked: Vec<String>,
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The repository of `script`, or None (no git, not in a repository, no remote or no
/// commit: then the script's text is sent, with a warning saying why).
fn repository_of(script: &Path, warnings: &mut Vec<String>) -> Option<Repo> {
    let dir = script.parent()?;
    let root = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?.trim());
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let Some(commit) = git(&root, &["rev-parse", "--verify", "-q", "HEAD"]) else {
        warnings.push(
            "the repository has no commit yet: the script's text is sent instead".to_string(),
        );
        return None;
    };
    let commit = commit.trim().to_string();
    let branch = git(&root, &["rev-parse", "--abbrev-ref", "HEAD"])
        .map(|b| b.trim().to_string())
        .filter(|b| b != "HEAD")
        .unwrap_or_default();
    // The branch's upstream remote, else `origin`, else the only one.
    let upstream_remote = git(
        &root,
        &["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"],
    )
    .and_then(|u| u.trim().split_once('/').map(|(r, _)| r.to_string()));
    let remotes: Vec<String> = git(&root, &["remote"])
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    let remote_name = upstream_remote
        .filter(|r| remotes.contains(r))
        .or_else(|| remotes.iter().find(|r| *r == "origin").cloned())
        .or_else(|| remotes.first().cloned());
    let Some(remote_name) = remote_name else {
        warnings.push(
            "the repository has no remote an agent could clone: the script's text is sent instead"
                .to_string(),
        );
        return None;
    };
    let url = git(&root, &["remote", "get-url", &remote_name])?;
    let remote = strip_credentials(url.trim());
    let pushed = git(
        &root,
        &["branch", "-r", "--contains", &commit, "--format=%(refname)"],
    )
    .is_some_and(|b| !b.trim().is_empty());
    if !pushed {
        warnings.push(format!(
            "commit {} is on no remote branch: push it, or the agent cannot check it out",
            &commit[..commit.len().min(8)]
        ));
    }
    let diff = git(
        &root,
        &["diff", "HEAD", "--no-color", "--no-ext-diff", "--binary"],
    )
    .unwrap_or_default();
    let tracked = git(&root, &["ls-files", "-z"])
        .unwrap_or_default()
        .split('\0')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Some(Repo {
        root,
        remote,
        branch,
        commit,
        diff,
        tracked,
    })
}

/// A diff that creates the untracked file `rel` (the script itself, not yet committed).
fn new_file_diff(root: &Path, rel: &str) -> Result<String, LaunchError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--binary",
            "--no-index",
            "--",
            "/dev/null",
            rel,
        ])
        .env("LC_ALL", "C")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .map_err(|e| LaunchError::Git(e.to_string()))?;
    // `git diff --no-index` exits 1 when the files differ, which they do.
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A remote URL without a user name or password (`https://user:token@host/x` ->
/// `https://host/x`): the task is readable by every user of the server. scp-like
/// `git@host:path` URLs have no secret and stay.
pub fn strip_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u)
            if u.scheme() != "ssh" && (!u.username().is_empty() || u.password().is_some()) =>
        {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// The `tasks.create` body: `name` in project `project_id`.
pub fn create_body(
    src: &Source,
    req: &Request,
    name: &str,
    project_id: &str,
    tags: &[String],
) -> Value {
    let mut script = json!({
        "repository": src.repository,
        "branch": src.branch,
        "version_num": src.commit,
        "working_dir": src.working_dir,
        "entry_point": src.entry_point,
        "diff": src.diff,
        "binary": src.binary,
    });
    if !src.requirements.is_empty() {
        script["requirements"] = json!({"pip": src.requirements});
    }
    let mut body = json!({
        "name": name,
        "project": project_id,
        "type": if req.task_type.is_empty() { "training" } else { req.task_type.as_str() },
        "script": script,
    });
    if !tags.is_empty() {
        body["tags"] = json!(tags);
    }
    if !req.args.is_empty() {
        let mut section = Map::new();
        for (k, v) in &req.args {
            section.insert(
                k.clone(),
                json!({"section": "Args", "name": k, "value": v, "type": "str"}),
            );
        }
        body["hyperparams"] = json!({"Args": section});
    }
    if req.docker.is_some() || req.docker_args.is_some() {
        body["container"] = json!({
            "image": req.docker.clone().unwrap_or_default(),
            "arguments": req.docker_args.clone().unwrap_or_default(),
        });
    }
    body
}

/// A hash of what the task runs (the body without its name, project and tags): equal
/// hashes mean the same code, requirements, parameters and container.
pub fn fingerprint(body: &Value) -> String {
    let kept: std::collections::BTreeMap<&String, &Value> = body
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !matches!(k.as_str(), "name" | "project" | "tags"))
        .collect();
    let text = serde_json::to_string(&kept).unwrap_or_default();
    hex::encode(Md5::digest(text.as_bytes()))
}

/// Create the task (a draft) and return its id.
pub async fn create(client: &Client, body: &Value) -> anyhow::Result<String> {
    let data = client.call("tasks.create", body).await?;
    data["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("tasks.create returned no id"))
}

/// `k=v` and argparse-style `--k v` / `--k=v` / `--flag` pairs into `Args` (clearml-task's
/// `--args`).
pub fn parse_args(specs: &[String]) -> Result<Vec<(String, String)>, LaunchError> {
    specs
        .iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| LaunchError::BadArgs(s.to_string()))?;
            let k = k.trim().trim_start_matches('-').to_string();
            if k.is_empty() {
                return Err(LaunchError::BadArgs(s.to_string()));
            }
            Ok((k, v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_the_task() {
        assert_eq!(
            strip_credentials("https://user:ghp_SECRET@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            strip_credentials("https://token@example.com/r.git"),
            "https://example.com/r.git"
        );
        assert_eq!(
            strip_credentials("ssh://git:pw@host/r.git"),
            "ssh://git@host/r.git"
        );
        assert_eq!(
            strip_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
    }

    #[test]
    fn task_init_goes_after_future_imports() {
        let t = insert_task_init("from __future__ import annotations\nprint(1)\n");
        assert_eq!(
            t,
            "from __future__ import annotations\nfrom clearml import Task\n(__name__ != \"__main__\") or Task.init()\nprint(1)\n"
        );
        assert!(insert_task_init("print(1)").starts_with("from clearml import Task\n"));
    }

    #[test]
    fn script_args_survive_shell_splitting() {
        assert_eq!(
            shell_join(&[
                "--lr".into(),
                "0.1".into(),
                "имя с пробелом".into(),
                "it's".into()
            ]),
            " --lr 0.1 'имя с пробелом' 'it'\"'\"'s'"
        );
    }

    #[test]
    fn requirements_gain_clearml_once() {
        let r = Request {
            packages: vec!["numpy==2.0".into(), "clearml>=1.16".into()],
            ..Request::default()
        };
        assert_eq!(requirements_text(&r).unwrap(), "numpy==2.0\nclearml>=1.16");
        let r = Request {
            packages: vec!["torch".into()],
            ..Request::default()
        };
        assert_eq!(requirements_text(&r).unwrap(), "torch\nclearml");
        assert_eq!(requirements_text(&Request::default()).unwrap(), "");
    }

    #[test]
    fn fingerprint_ignores_name_and_project_only() {
        let src = Source {
            repository: String::new(),
            branch: String::new(),
            commit: String::new(),
            working_dir: ".".into(),
            entry_point: "a.py".into(),
            diff: "print(1)".into(),
            binary: "python3".into(),
            requirements: String::new(),
            warnings: vec![],
        };
        let req = Request::default();
        let a = create_body(&src, &req, "one", "p1", &[]);
        let b = create_body(&src, &req, "two", "p2", &["t".into()]);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let mut src2 = src.clone();
        src2.diff = "print(2)".into();
        assert_ne!(
            fingerprint(&a),
            fingerprint(&create_body(&src2, &req, "one", "p1", &[]))
        );
    }
}
