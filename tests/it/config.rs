//! `clearml config show|path|dump` against the real Python SDK: the same files and
//! environment must resolve to the same values, and our HOCON reader must read files as the
//! SDK's pyhocon does (corpus of real files plus our own tricky ones).

use clearml_cmd_setup::config::json::SettingRow;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::common::{clearml, python_clean};

/// A Python process with a clean environment (the script sets what each case needs).
fn run_python(script: &str, args: &[&Path]) -> String {
    let mut cmd = python_clean();
    let scratch = tempfile::tempdir().unwrap();
    cmd.arg("-c")
        .arg(script)
        .args(args)
        .env("HOME", scratch.path())
        .env("CLEARML_LOG_LEVEL", "WARNING");
    let out = cmd.output().expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "python failed:\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// One resolution case: files in a fresh HOME and environment variables.
struct Case {
    name: &'static str,
    home: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Case {
    fn new(name: &'static str) -> Self {
        Case {
            name,
            home: tempfile::tempdir().unwrap(),
            env: Vec::new(),
        }
    }
    fn file(self, name: &str, text: &str) -> Self {
        std::fs::write(self.home.path().join(name), text).unwrap();
        self
    }
    fn env(mut self, k: &str, v: &str) -> Self {
        let v = v.replace("$HOME", &self.home.path().display().to_string());
        self.env.push((k.to_string(), v));
        self
    }
    fn ours(&self) -> Value {
        let mut cmd = clearml(self.home.path());
        cmd.args(["config", "show", "--json"]);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}: config show failed: {}",
            self.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<SettingRow> = serde_json::from_slice(&out.stdout).unwrap();
        let get = |s: &str| {
            rows.iter()
                .find(|r| r.setting == s)
                .and_then(|r| r.value.clone())
                .map_or(Value::Null, Value::String)
        };
        let verify = match get("verify_tls").as_str().unwrap() {
            "on" => json!(true),
            "off" => json!(false),
            other => json!(other.strip_prefix("CA bundle ").unwrap()),
        };
        json!({
            "api": get("api_host"), "web": get("web_host"), "files": get("files_host"),
            "access_key": get("access_key"), "secret_key": get("secret_key"), "verify": verify,
        })
    }
}

/// Evaluates every case in one SDK process: fresh Config per case, the case's HOME files
/// and environment, then the SDK's own functions for each value.
const SDK_RESOLVE: &str = r#"
import json, os, sys
from pathlib2 import Path
import clearml.backend_config.defs as defs
import clearml.config as sdk_config
from clearml.backend_api.config import load
from clearml.backend_api import Session
from clearml.backend_api.session.defs import ENV_ACCESS_KEY, ENV_SECRET_KEY
from clearml.backend_api.utils import get_http_session_with_retry

def mask(s):
    return None if not s else s[:4] + "***"

results = []
for case in json.load(open(sys.argv[1])):
    for k in list(os.environ):
        if k.startswith(("CLEARML_", "TRAINS_")):
            del os.environ[k]
    os.environ.update(case["env"])
    home = case["home"]
    defs.LOCAL_CONFIG_FILES[:] = [home + "/trains.conf", home + "/clearml.conf"]
    cfg = load(Path(sdk_config.__file__).parent)
    r = {"api": Session.get_api_server_host(cfg)}
    for key, fn in (("web", Session.get_app_server_host), ("files", Session.get_files_server_host)):
        try:
            r[key] = fn(cfg)
        except ValueError:
            r[key] = None
    # As Session.__init__ reads them.
    r["access_key"] = ENV_ACCESS_KEY.get(default=(cfg.get("api.credentials.access_key", None) or None))
    r["secret_key"] = mask(ENV_SECRET_KEY.get(default=(cfg.get("api.credentials.secret_key", None) or None)))
    r["verify"] = get_http_session_with_retry(config=cfg).verify
    results.append(r)
print(json.dumps(results))
"#;

#[test]
fn env_and_file_combinations_resolve_as_in_the_sdk() {
    let url_conf = "api {\n  # hand written\n  api_server: http://localhost:8008 // the API\n  credentials {\"access_key\": \"FILEKEY\", \"secret_key\": \"FILESECRET\"}\n}\n";
    let cases = vec![
        Case::new("nothing configured"),
        Case::new("unquoted URL, derived web/files").file("clearml.conf", url_conf),
        Case::new("trains.conf under clearml.conf")
            .file(
                "trains.conf",
                "api { api_server: http://old:8008, web_server: http://old-web:8080\n credentials { access_key: OLDKEY, secret_key: OLDSECRET } }\n",
            )
            .file("clearml.conf", "api.api_server = \"http://new:8008/\"\n"),
        Case::new("legacy host key").file("clearml.conf", "api { host: \"https://api.example.com\" }\n"),
        Case::new("env beats file")
            .file("clearml.conf", url_conf)
            .env("CLEARML_API_HOST", "http://env-api:8008")
            .env("TRAINS_WEB_HOST", "http://trains-web:9090/")
            .env("CLEARML_API_ACCESS_KEY", "ENVKEY")
            .env("CLEARML_API_SECRET_KEY", "   "),
        Case::new("CLEARML wins over TRAINS")
            .env("TRAINS_API_HOST", "http://trains:8008")
            .env("CLEARML_API_HOST", "http://clearml:8008")
            .env("TRAINS_API_SECRET_KEY", "TRAINSSECRET"),
        Case::new("CLEARML_CONFIG_FILE reads only that file")
            .file("clearml.conf", url_conf)
            .file("other.conf", "api { api_server: \"http://other:8008\", files_server: http://files.other:1234 }\n")
            .env("CLEARML_CONFIG_FILE", "$HOME/other.conf"),
        Case::new("TRAINS_CONFIG_FILE")
            .file("legacy.conf", "api { web_server: https://app.legacy.io }\n")
            .env("TRAINS_CONFIG_FILE", "$HOME/legacy.conf"),
        Case::new("custom port: web cannot be derived").file("clearml.conf", "api { api_server: http://h:30008 }\n"),
        Case::new("web given, files derived from it").file(
            "clearml.conf",
            "api { api_server: http://h:30008, web_server: http://h:30080 }\n",
        ),
        Case::new("app./api. names").file("clearml.conf", "api { api_server: https://api.example.com/ }\n"),
        Case::new("substitutions and includes")
            .file("creds.conf", "credentials { access_key: INCKEY, secret_key: ${SECRET_FROM_ENV} }\n")
            .file(
                "clearml.conf",
                "base = \"http://sub\"\napi {\n  api_server: ${base}\":8008\"\n  web_server: ${?NOT_SET_ANYWHERE}\n  include \"creds.conf\"\n}\n",
            )
            .env("SECRET_FROM_ENV", "SUBSTSECRET"),
        Case::new("verify off in the file").file("clearml.conf", "api { verify_certificate: False }\n"),
        Case::new("verify string in the file").file("clearml.conf", "api { verify_certificate: \"no\" }\n"),
        Case::new("verify env wins, as a CA path")
            .file("clearml.conf", "api { verify_certificate: false }\n")
            .env("CLEARML_API_HOST_VERIFY_CERT", "/etc/ssl/my-ca.pem"),
        Case::new("verify env false").env("TRAINS_API_HOST_VERIFY_CERT", "0"),
    ];

    let spec: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "home": c.home.path(),
                "env": c.env.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<String, Value>>(),
            })
        })
        .collect();
    let spec_dir = tempfile::tempdir().unwrap();
    let spec_file = spec_dir.path().join("cases.json");
    std::fs::write(&spec_file, serde_json::to_string(&spec).unwrap()).unwrap();
    let sdk: Vec<Value> = serde_json::from_str(&run_python(SDK_RESOLVE, &[&spec_file])).unwrap();
    assert_eq!(sdk.len(), cases.len());

    let mut mismatches = Vec::new();
    for (case, theirs) in cases.iter().zip(&sdk) {
        let ours = case.ours();
        if &ours != theirs {
            mismatches.push(format!("{}:\n  ours: {ours}\n  sdk:  {theirs}", case.name));
        }
    }
    assert!(
        mismatches.is_empty(),
        "differences from the SDK:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn show_names_the_source_of_each_value() {
    let case = Case::new("sources").file(
        "clearml.conf",
        "# c\napi {\n  api_server: http://localhost:8008\n  credentials {\"access_key\": \"FILEKEY\", \"secret_key\": \"FILESECRET\"}\n}\n",
    );
    let out = clearml(case.home.path())
        .args(["config", "show"])
        .env("CLEARML_WEB_HOST", "http://web:8080")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let conf = case.home.path().join("clearml.conf");
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in\n{text}"))
    };
    assert!(
        line("api_host").ends_with(&format!("{}:3", conf.display())),
        "{text}"
    );
    assert!(line("web_host").ends_with("env CLEARML_WEB_HOST"), "{text}");
    assert!(line("files_host").contains("derived"), "{text}");
    assert!(line("secret_key").contains("FILE***"), "{text}");
    assert!(
        !text.contains("FILESECRET"),
        "the secret is masked:\n{text}"
    );
    assert!(line("verify_tls").ends_with("default"), "{text}");

    let out = clearml(case.home.path())
        .args([
            "--api-host",
            "http://flag:8008",
            "--insecure",
            "config",
            "show",
            "--csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("setting,value,source\n"), "{text}");
    assert!(
        text.contains("api_host,http://flag:8008,flag --api-host\n"),
        "{text}"
    );
    assert!(text.contains("verify_tls,off,flag --insecure\n"), "{text}");
}

#[test]
fn config_path_follows_the_sdk_and_survives_a_broken_file() {
    let home = tempfile::tempdir().unwrap();
    let path = |cmd: &mut Command| {
        let out = cmd.args(["config", "path"]).output().unwrap();
        assert!(out.status.success());
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim_end())
    };
    assert_eq!(
        path(&mut clearml(home.path())),
        home.path().join("clearml.conf")
    );
    std::fs::write(home.path().join("trains.conf"), "api { x: a*b }\n").unwrap();
    assert_eq!(
        path(&mut clearml(home.path())),
        home.path().join("trains.conf")
    );
    assert_eq!(
        path(clearml(home.path()).env("CLEARML_CONFIG_FILE", "~/elsewhere.conf")),
        home.path().join("elsewhere.conf")
    );
    assert_eq!(
        path(clearml(home.path()).arg("--config").arg("/tmp/x.conf")),
        PathBuf::from("/tmp/x.conf")
    );

    // A broken file: `show` fails with file:line:col, exit 1.
    let out = clearml(home.path())
        .args(["config", "show"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let want = format!("{}:1:11: ", home.path().join("trains.conf").display());
    assert!(err.contains(&want), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}

/// Parses each file with the SDK's own pyhocon and prints the trees as JSON.
const SDK_PARSE: &str = r#"
import json, sys
from clearml.utilities.pyhocon import ConfigFactory
from clearml.utilities.pyhocon.config_tree import NoneValue

def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [clean(x) for x in v]
    if isinstance(v, NoneValue):
        return None
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)

print(json.dumps([clean(ConfigFactory.parse_file(f)) for f in sys.argv[1:]]))
"#;

const TRICKY: &[(&str, &str)] = &[
    (
        "urls-and-comments.conf",
        "# clearml-init style\napi {\n    api_server: http://localhost:8008\n    web_server: http://localhost:8080 // web\n    files_server = https://files.example.com:443/base/path # files\n    weird: x//y\n    quoted: \"http://h//x\"\n    credentials {\"access_key\": \"AK\", \"secret_key\": \"S#cr*t!\"}\n}\n",
    ),
    (
        "types-and-lists.conf",
        "sdk {\n  n: 8008\n  f: 1.5\n  e: -2e3\n  b: True\n  nul: null\n  dur: 10s\n  words: hello   big world\n  cat: \"a\" \"b\"  c\n  list: [\"a\", \"b\", ]\n  nested: [\n    { x: 1 },\n    { y: [1, 2,\n          3] }\n  ]\n  empty_in_list: [\"\", \"z\"]\n  multi: \"\"\"line one\n  line \"two\" \"\"\"\n}\n",
    ),
    (
        "dotted-and-merge.conf",
        "agent.docker_force_pull: false\nagent {\n  package_manager { type: pip, pip_version: [\"<20.2 ; python_version < '3.10'\", \"<22.3 ; python_version >= '3.10'\"] }\n}\nagent.package_manager.extra_index_url: [ ]\nsdk.aws.s3 { key: \"\", secret: \"\", region: \"\" }\nsdk { aws.s3.credentials: [ { bucket: \"b\", key: \"k\", secret: \"secretvalue\" } ] }\n\"quoted key\": 1\n",
    ),
    (
        "substitutions.conf",
        "base: \"http://sub\"\napi {\n  api_server: ${base}\":8008\"\n  web_server: ${api.api_server}/web\n  maybe: ${?NO_SUCH_VARIABLE_HERE}\n  home: ${HOME}\n}\nlist: [1]\nlist: ${list} [2]\nobj { a: 1 }\nobj2: ${obj} { b: 2 }\n",
    ),
    (
        "braced-root.conf",
        "{\n  \"api\": {\"api_server\": \"http://j:8008\", \"n\": [1, 2.5, true, null]},\n}\n",
    ),
    (
        "non-ascii.conf",
        "# Исследования / 中文 / Jürgen\napi {\n  label: José\n  credentials {\"access_key\": \"AK\", \"secret_key\": \"TOPSECRET-123\"}\n}\nsdk {\n  user: José\n  project: Исследования // проект\n  tag: Jürgen # Jürgen\n  zh: 中文 值\n  url: http://hé.example/ü/путь\n  \"ключ\": \"значение\"\n  schlüssel.wert: 2\n  m: \"\"\"Jürgen\nИсследования\"\"\"\n  t: trueé\n  n: 1é\n  s: ${sdk.user}-Ж\n}\n",
    ),
    (
        "include-main.conf",
        "include \"include-part.conf\"\napi { web_server: http://main:8080 }\nsdk { include file(\"include-part.conf\") }\n",
    ),
    (
        "include-part.conf",
        "api { api_server: http://part:8008, web_server: http://part:8080 }\n",
    ),
];

fn corpus_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/conf-corpus");
    let p = if p.is_dir() {
        p
    } else {
        PathBuf::from("/work/shared/reference/conf-corpus")
    };
    p.is_dir().then_some(p)
}

#[test]
fn reader_matches_the_sdk_parser_on_real_and_tricky_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = Vec::new();
    for (name, text) in TRICKY {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        files.push(p);
    }
    match corpus_dir() {
        Some(corpus) => {
            let mut real: Vec<PathBuf> = std::fs::read_dir(&corpus)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                .collect();
            real.sort();
            assert!(!real.is_empty(), "no .conf files in {}", corpus.display());
            files.extend(real);
        }
        None => eprintln!(
            "note: ../shared/reference/conf-corpus is not here; comparing our own files only"
        ),
    }
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let sdk: Vec<Value> = serde_json::from_str(&run_python(SDK_PARSE, &refs)).unwrap();

    for (file, theirs) in files.iter().zip(&sdk) {
        let home = tempfile::tempdir().unwrap();
        let out = clearml(home.path())
            .args(["config", "dump"])
            .env("CLEARML_CONFIG_FILE", file)
            .env("HOME", home.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let ours: Value = serde_json::from_slice(&out.stdout).unwrap();
        // ${HOME} resolves from each process's own environment.
        let (mut ours, mut theirs) = (ours, theirs.clone());
        // Where `dump` masked a credential, the SDK's value must be what was masked.
        accept_masked(&ours, &mut theirs);
        for v in [&mut ours, &mut theirs] {
            if let Some(h) = v.pointer_mut("/api/home") {
                *h = json!("<home>");
            }
        }
        assert_eq!(
            ours,
            theirs,
            "{} reads differently from the SDK",
            file.display()
        );
    }
}

/// Whether `shown` is what `config dump` prints for the secret `value`.
fn masks(shown: &str, value: &Value) -> bool {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return false,
    };
    let head: String = text.chars().take(4).collect();
    if text.chars().count() < 8 {
        shown == "***"
    } else {
        shown == format!("{head}***")
    }
}

/// Replace in `theirs` each value that `ours` shows masked (and masked correctly) by the
/// masked text, so the trees compare on everything else.
fn accept_masked(ours: &Value, theirs: &mut Value) {
    match (ours, theirs) {
        (Value::Object(o), Value::Object(t)) => {
            for (k, ov) in o {
                if let Some(tv) = t.get_mut(k) {
                    accept_masked(ov, tv);
                }
            }
        }
        (Value::Array(o), Value::Array(t)) => {
            for (ov, tv) in o.iter().zip(t.iter_mut()) {
                accept_masked(ov, tv);
            }
        }
        (Value::String(shown), t) if shown.ends_with("***") && masks(shown, t) => {
            *t = Value::String(shown.clone());
        }
        _ => {}
    }
}

/// D15, D32: `dump` masks every credential-looking value, not only "secret" names, in JSON
/// and in the key,value CSV.
#[test]
fn dump_masks_every_credential_in_json_and_csv() {
    let home = tempfile::tempdir().unwrap();
    let conf = home.path().join("hand.conf");
    let secrets = [
        "GITPASSWORD123",
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
        "def",
        "FwoGZXIvYXdzEBYaDSESSION",
        "sv=2020-08-04&ss=bfqt&sig=SAS",
        "/home/me/gcp-credentials.json",
        "DefaultEndpointsProtocol=https;AccountKey=abc",
        "ACCOUNTKEY0123456789",
        "FILESECRET-0123",
        "FILEKEY0123456789",
    ];
    std::fs::write(
        &conf,
        format!(
            r#"api {{
  api_server: http://localhost:8008
  credentials {{ access_key: "{}", secret_key: "{}" }}
}}
agent {{ git_user: "me", git_pass: "{}" }}
sdk {{
  aws {{
    s3 {{
      key: "{}"
      secret: "{}"
      region: "eu-west-1"
      credentials: [ {{ bucket: "my-bucket", key: "{}", secret: "{}", token: "{}" }} ]
    }}
  }}
  azure.storage.containers: [ {{ account_name: "acct", account_key: "{}", container_name: "c", sas_token: "{}" }} ]
  google.storage.credentials_json: "{}"
  x.connection_string: "{}"
}}
"#,
            secrets[10],
            secrets[9],
            secrets[0],
            secrets[1],
            secrets[3],
            secrets[1],
            secrets[2],
            secrets[4],
            secrets[8],
            secrets[5],
            secrets[6],
            secrets[7],
        ),
    )
    .unwrap();
    for format in [&[][..], &["--csv"][..]] {
        let out = clearml(home.path())
            .args(["--config", conf.to_str().unwrap(), "config", "dump"])
            .args(format)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for secret in secrets {
            let head: String = secret.chars().take(5).collect();
            // Masked values keep at most 4 characters.
            assert!(
                !stdout.contains(&head),
                "{format:?}: {secret} shows:\n{stdout}"
            );
        }
        // Ordinary settings are still shown in full.
        for plain in ["http://localhost:8008", "my-bucket", "eu-west-1", "acct"] {
            assert!(stdout.contains(plain), "{format:?}: {plain}:\n{stdout}");
        }
        if format.is_empty() {
            let tree: Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(tree["agent"]["git_pass"], "GITP***");
            assert_eq!(tree["sdk"]["aws"]["s3"]["secret"], "***");
        } else {
            let lines: Vec<&str> = stdout.lines().collect();
            assert_eq!(lines[0], "key,value", "{stdout}");
            assert!(lines.contains(&"agent.git_pass,GITP***"), "{stdout}");
            assert!(lines.contains(&"agent.git_user,me"), "{stdout}");
            assert!(
                lines.contains(&"sdk.aws.s3.credentials[0].bucket,my-bucket"),
                "{stdout}"
            );
            assert!(!stdout.trim_start().starts_with('{'), "not JSON: {stdout}");
        }
    }
}

/// D20: a `--config FILE` that is not there is a usage error naming the file and the fix;
/// CLEARML_CONFIG_FILE naming a missing file reads as empty (as in the SDK), and `config
/// show` says so.
#[test]
fn a_missing_config_file_named_by_the_flag_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nonexistent.conf");
    let missing_s = missing.to_str().unwrap();
    for args in [
        &["task", "list"][..],
        &["config", "show"][..],
        &["config", "dump"][..],
        &["server", "ping"][..],
    ] {
        let out = clearml(home.path())
            .args(["--config", missing_s])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.contains(&format!("--config {missing_s}: no such file")),
            "{args:?}: {err}"
        );
        assert!(
            err.contains(&format!("clearml init --file {missing_s}")),
            "{args:?}: {err}"
        );
    }
    // init creates the file --config names.
    let out = clearml(home.path())
        .args([
            "--config",
            missing_s,
            "init",
            "--non-interactive",
            "--no-verify",
        ])
        .args([
            "--api-host",
            "http://localhost:8008",
            "--access-key",
            "K0123456789",
        ])
        .env("CLEARML_API_SECRET_KEY", "S0123456789")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(missing.is_file());

    let gone = home.path().join("gone.conf");
    let out = clearml(home.path())
        .args(["config", "show"])
        .env("CLEARML_CONFIG_FILE", &gone)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "CLEARML_CONFIG_FILE names {}, which does not exist",
            gone.display()
        )),
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("{} (does not exist)", gone.display())),
        "{stdout}"
    );
}

/// D25: a malformed --api-host is the person's typo (exit 2, naming the flag), not an
/// unreachable server (exit 3).
#[test]
fn a_malformed_api_host_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    for bad in ["ftp://x", "not a url", "http://"] {
        for args in [&["task", "list"][..], &["server", "ping"][..]] {
            let out = clearml(home.path())
                .args(["--api-host", bad])
                .args(args)
                .env("CLEARML_API_ACCESS_KEY", "K0123456789")
                .env("CLEARML_API_SECRET_KEY", "S0123456789")
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{bad} {args:?}: {err}");
            assert!(
                err.starts_with(&format!("error: --api-host: '{bad}'")),
                "{bad} {args:?}: {err}"
            );
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        }
    }
}

/// Small snippets covering pyhocon's corners, each read by both parsers: the trees must be
/// equal, or both must reject the snippet.
const SNIPPETS: &[&str] = &[
    "a: 1, b: 2",
    "a { b: 1 }, c: 2",
    "a = [1, 2\n  3]",
    "a: \"x\" # c",
    "a: ${?X_UNSET_VAR} foo",
    "a: foo ${?X_UNSET_VAR}",
    "a: foo ${?X_UNSET_VAR} bar",
    "x: 5\na: ${x} ${x}",
    "a: [ ]",
    "a: { }",
    "a { b { c { d: 1 } } }",
    "a.b.c.d: 1",
    "a: 1\na.b: 2",
    "a: \"\"\"x\"\"\"y",
    "a: http://h:8008/p?x",
    "a : b : c",
    "a: b=c",
    "key-with-dash: v",
    "a: 'single'",
    "a: true false",
    "a: 1 2",
    "a: -",
    "a: .5",
    "a: 1.",
    "a: +1",
    "a: 1e5",
    "a: 0.0",
    "a: 1,",
    "a: [1,,2]",
    "a: [,1]",
    "a: [null]",
    "a: [true, \"x\", 1]",
    "include \"nope.conf\"",
    "a { include \"nope.conf\" }",
    "a: yes",
    "a: \"tab\\tq\"",
    "a: x\\ty",
    "a: é",
    "clé: 1",
    "label: José",
    "user: José\nproject: Исследования\ntag: Jürgen",
    "a: 中文 值",
    "a: trueé",
    "a: falseЖ",
    "a: 1é",
    "a: 1 é",
    "a: 1.5Ж",
    "includé: 1",
    "inclu: dé",
    "a: Ж\"x\"",
    "a: x // José",
    "a: x # Jürgen",
    "a: \"\"\"Jürgen\nИсследования\"\"\"",
    "a: http://hé.example/ü/путь",
    "a: http://hé.example/ü?x",
    "schlüssel.wert: 2",
    "Ä: 3",
    "\"ключ\": 4",
    "\"键\": 5",
    "проект: 1",
    "键: 1",
    "×: 1",
    "é: 1, b: ${é}",
    "a: x\u{a0}y",
    "a: x\u{3000}y",
    "a: x\u{1c}y",
    "a: x\u{200b}y",
    "a { b: x\u{a0}}",
    "a: ~/.clearml/cache",
    "a: %(x)s",
    "a: s3://bucket/path",
    "a: C:\\path",
    "a: x ,b: y",
    "a\n{\n b: 1\n}",
    "a {\n  b: 1 } c: 2",
    "a: [${?X_UNSET_VAR}]",
    "a: \"x\" ${?X_UNSET_VAR} \"y\"",
    "a: 1\na: ${?X_UNSET_VAR}",
    "l: [1]\nl += [2]",
    "s: x\ns += y",
    "s += y",
    "o { a: 1 }\no += { b: 2 }",
    "a { b: 1 }\na: ${c}\nc { d: 2 }",
    "a: ${b}\nb: ${c}\nc: 1",
    "z: ${x.y}\nx.y: 2",
    "p: /a\np: ${p}:/b\np: ${p}:/c",
    "a: ${b}\nb: ${a}",
    "a: ${NO_SUCH_THING_ANYWHERE}",
    "a: \"unterminated",
    "a: [1, 2",
    "a { b: 1",
    "a: }",
    "a: //comment only\nb: 1",
    "a: # comment only\nb: 1",
    "\"a.b\": 1\n\"c\": 2",
    "a: x\\\n y",
];

const SDK_PARSE_OR_ERROR: &str = r#"
import json, sys
from clearml.utilities.pyhocon import ConfigFactory
from clearml.utilities.pyhocon.config_tree import NoneValue

def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [clean(x) for x in v]
    if isinstance(v, NoneValue):
        return None
    return v

out = []
for f in sys.argv[1:]:
    try:
        out.append(clean(ConfigFactory.parse_file(f)))
    except Exception as e:
        out.append({"__error__": type(e).__name__})
print(json.dumps(out))
"#;

#[test]
fn reader_agrees_with_pyhocon_on_corner_cases() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = SNIPPETS
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let p = dir.path().join(format!("s{i}.conf"));
            std::fs::write(&p, format!("{text}\n")).unwrap();
            p
        })
        .collect();
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let sdk: Vec<Value> = serde_json::from_str(&run_python(SDK_PARSE_OR_ERROR, &refs)).unwrap();
    let mut differences = Vec::new();
    for ((text, file), theirs) in SNIPPETS.iter().zip(&files).zip(&sdk) {
        let out = clearml(dir.path())
            .args(["config", "dump"])
            .env("CLEARML_CONFIG_FILE", file)
            .output()
            .unwrap();
        let ours = if out.status.success() {
            serde_json::from_slice(&out.stdout).unwrap()
        } else {
            let err = String::from_utf8_lossy(&out.stderr).to_string();
            assert_eq!(out.status.code(), Some(1), "{text:?}: {err}");
            assert!(
                err.contains(&format!("{}:", file.display())),
                "{text:?}: errors name the file: {err}"
            );
            json!({"__error__": err.trim()})
        };
        let both_fail = ours.get("__error__").is_some() && theirs.get("__error__").is_some();
        if !both_fail && &ours != theirs {
            differences.push(format!("{text:?}\n  ours: {ours}\n  sdk:  {theirs}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// Issue 9.1: an unquoted non-ASCII value (`label: José`) panicked the reader (exit 134)
/// and the panic message printed the rest of the file, secret key included. Now every
/// command reads it, values as the SDK's pyhocon reads them, and the secret never shows.
#[test]
fn non_ascii_unquoted_values_read_as_the_sdk_reads_them() {
    let serve = crate::common::Serve::shared();
    let dir = tempfile::tempdir().unwrap();
    let secret = crate::common::SECRET_KEY;
    let lines = [
        "label: José",
        "user: José",
        "project: Исследования",
        "tag: Jürgen",
        "name: 中文 名字",
        "url: http://hé.example/ü // Ж",
    ];
    let mut files = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let conf = dir.path().join(format!("x{i}.conf"));
        std::fs::write(
            &conf,
            format!(
                "api {{\n {line}\n api_server: {}\n credentials {{ access_key: \"{}\", secret_key: \"{secret}\" }}\n}}\n",
                serve.api_url,
                crate::common::ACCESS_KEY
            ),
        )
        .unwrap();
        files.push(conf);
    }
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let sdk: Vec<Value> = serde_json::from_str(&run_python(SDK_PARSE, &refs)).unwrap();
    for ((line, conf), theirs) in lines.iter().zip(&files).zip(&sdk) {
        // The issue's reproduction: any command, here `task list` against a live server.
        let out = clearml(dir.path())
            .args(["--config", conf.to_str().unwrap(), "task", "list"])
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(0), "{line}: {stderr}");
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{line}"
        );

        let out = clearml(dir.path())
            .args(["--config", conf.to_str().unwrap(), "config", "dump"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{line}");
        assert!(!stdout.contains(secret), "{line}: dump shows the secret");
        let ours: Value = serde_json::from_str(&stdout).unwrap();
        let (key, _) = line.split_once(':').unwrap();
        assert_eq!(ours["api"][key], theirs["api"][key], "{line}");
        assert!(
            ours["api"][key].as_str().is_some_and(|v| !v.is_empty()),
            "{line}: {ours}"
        );
    }

    // A broken line around the same values: one line naming file:line:col, exit 1, and
    // no value from the file (the secret least of all).
    let conf = dir.path().join("broken.conf");
    std::fs::write(
        &conf,
        format!("api {{\n label: José*\n credentials {{ secret_key: \"{secret}\" }}\n}}\n"),
    )
    .unwrap();
    let out = clearml(dir.path())
        .args(["--config", conf.to_str().unwrap(), "task", "list"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:2:13: ", conf.display())),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        !stderr.contains(secret) && !stderr.contains("José"),
        "{stderr}"
    );
}

/// Issue 9.4: bounds on what clearml.conf can make the reader do are usage errors (exit 2)
/// with file:line:col on one line: nesting, `${a}${a}` growth, includes of a FIFO.
#[test]
fn config_bounds_are_one_line_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut growth = String::from("a0: x\n");
    for i in 0..34 {
        growth.push_str(&format!("a{}: ${{a{i}}}${{a{i}}}\n", i + 1));
    }
    let cases = [
        (
            format!("{}{}", "a {".repeat(20_000), "}".repeat(20_000)),
            ":1:193: ",
            "deeper than 64 levels",
        ),
        (growth, ":25:", "expand to more than 32 MiB"),
        (
            format!("include \"{}\"\n", fifo.display()),
            ":1:1: ",
            "is a FIFO, not a regular file",
        ),
    ];
    for (text, at, what) in cases {
        let conf = dir.path().join("bound.conf");
        std::fs::write(&conf, text).unwrap();
        let started = std::time::Instant::now();
        let out = clearml(dir.path())
            .args(["--config", conf.to_str().unwrap(), "config", "dump"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.starts_with(&format!("error: {}{at}", conf.display())),
            "{what}: {stderr}"
        );
        assert!(stderr.contains(what), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{what}"
        );
    }
}
