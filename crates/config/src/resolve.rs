//! Which clearml.conf the SDK would read, and the value in force for each setting:
//! flags > CLEARML_* (then TRAINS_*) environment > file > defaults (protocol §2.1–§2.3).

use std::path::{Path, PathBuf};

use super::hocon::{self, Node, Object};
use super::hosts;
use super::{Settings, Source, Sourced, TlsVerify};
use crate::ConfigError;

/// Environment lookups, injectable for tests.
pub type EnvFn<'a> = &'a dyn Fn(&str) -> Option<String>;

/// An environment value as the SDK reads it: trimmed, and blank counts as unset.
pub fn env_value(env: EnvFn, name: &str) -> Option<String> {
    env(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The first of several variables that is set (CLEARML_ before TRAINS_), with its name.
pub fn env_first(env: EnvFn, names: &[&str]) -> Option<(String, String)> {
    names
        .iter()
        .find_map(|n| env_value(env, n).map(|v| (n.to_string(), v)))
}

pub const ENV_CONFIG_FILE: [&str; 2] = ["CLEARML_CONFIG_FILE", "TRAINS_CONFIG_FILE"];
pub const ENV_API_HOST: [&str; 2] = ["CLEARML_API_HOST", "TRAINS_API_HOST"];
pub const ENV_WEB_HOST: [&str; 2] = ["CLEARML_WEB_HOST", "TRAINS_WEB_HOST"];
pub const ENV_FILES_HOST: [&str; 2] = ["CLEARML_FILES_HOST", "TRAINS_FILES_HOST"];
pub const ENV_ACCESS_KEY: [&str; 2] = ["CLEARML_API_ACCESS_KEY", "TRAINS_API_ACCESS_KEY"];
pub const ENV_SECRET_KEY: [&str; 2] = ["CLEARML_API_SECRET_KEY", "TRAINS_API_SECRET_KEY"];
pub const ENV_VERIFY_CERT: [&str; 2] = [
    "CLEARML_API_HOST_VERIFY_CERT",
    "TRAINS_API_HOST_VERIFY_CERT",
];
pub const ENV_AUTH_TOKEN: &str = "CLEARML_AUTH_TOKEN";

/// `~` and `~/...` expanded against `home` (Python's expanduser for the current user).
pub fn expand_user(path: &str, home: &Path) -> PathBuf {
    if path == "~" {
        home.to_path_buf()
    } else if let Some(rest) = path.strip_prefix("~/") {
        home.join(rest)
    } else {
        PathBuf::from(path)
    }
}

/// The files the SDK reads, and the one that counts as "the" config file.
#[derive(Debug, Clone)]
pub struct ConfigFiles {
    /// The file in use: what `config path` prints and `init` writes by default.
    pub in_use: PathBuf,
    /// Files merged in order (later wins); missing ones read as empty.
    pub read: Vec<PathBuf>,
    /// How the file was chosen.
    pub chosen_by: Source,
}

/// `--config`, else CLEARML_CONFIG_FILE / TRAINS_CONFIG_FILE (only that file), else
/// ~/trains.conf merged under ~/clearml.conf; the file in use is ~/trains.conf when only
/// it exists (clearml-init's choice), else ~/clearml.conf (which wins when both exist).
pub fn discover(flag: Option<&Path>, env: EnvFn, home: &Path) -> ConfigFiles {
    if let Some(p) = flag {
        let p = expand_user(&p.to_string_lossy(), home);
        return ConfigFiles {
            in_use: p.clone(),
            read: vec![p],
            chosen_by: Source::Flag("--config"),
        };
    }
    if let Some((name, value)) = env_first(env, &ENV_CONFIG_FILE) {
        let p = expand_user(&value, home);
        return ConfigFiles {
            in_use: p.clone(),
            read: vec![p],
            chosen_by: Source::Env(name),
        };
    }
    let legacy = home.join("trains.conf");
    let current = home.join("clearml.conf");
    // clearml-init picks the first that exists, so with both present it would edit
    // trains.conf while clearml.conf, merged last, still overrides it. With both, the
    // file to show and write is the one that wins: clearml.conf.
    let in_use = if legacy.exists() && !current.exists() {
        legacy.clone()
    } else {
        current.clone()
    };
    ConfigFiles {
        in_use,
        read: vec![legacy, current],
        chosen_by: Source::Default,
    }
}

/// Parse and merge the files (objects deep-merge, later files win), as the SDK does.
pub fn load_files(files: &[PathBuf], env: EnvFn) -> anyhow::Result<Object> {
    let mut merged = Object::new();
    let henv = hocon::Env { var: env };
    for f in files {
        if !f.is_file() {
            continue;
        }
        let doc = hocon::parse_file(f, &henv)?;
        merged.merge(doc.root);
    }
    Ok(merged)
}

fn file_source(node: &Node) -> Source {
    Source::File {
        path: node.pos.file.as_deref().cloned().unwrap_or_default(),
        line: node.pos.line,
    }
}

/// A truthy string setting from the merged file (`config.get(key) or ...`).
fn file_text(conf: &Object, path: &str) -> Option<(String, Source)> {
    let node = conf.get_path(path)?;
    if !node.value.is_truthy() {
        return None;
    }
    Some((node.value.as_text()?, file_source(node)))
}

/// Python's strtobool, used for CLEARML_API_HOST_VERIFY_CERT and api.verify_certificate.
pub fn str_to_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Some(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn verify_from_text(s: &str, home: &Path) -> TlsVerify {
    match str_to_bool(s) {
        Some(true) => TlsVerify::On,
        Some(false) => TlsVerify::Off,
        None => TlsVerify::CaBundle(expand_user(s.trim(), home)),
    }
}

/// Everything `Settings` needs besides the flags.
pub struct Inputs<'a> {
    pub config_flag: Option<&'a Path>,
    pub api_host_flag: Option<&'a str>,
    pub insecure: bool,
    pub ca_bundle: Option<&'a Path>,
    pub env: EnvFn<'a>,
    pub home: &'a Path,
}

/// A host derived from another (`how`), or blank with the reason it cannot be.
fn derived(value: Option<String>, how: &'static str) -> Sourced<String> {
    match value {
        Some(value) => Sourced {
            value,
            source: Source::Derived(how),
        },
        None => Sourced {
            value: String::new(),
            source: Source::Derived(UNDERIVABLE),
        },
    }
}

/// `--api-host`, else the environment, else the file, else the default; without a
/// trailing slash.
fn api_host(inputs: &Inputs, conf: &Object) -> anyhow::Result<Sourced<String>> {
    let env = inputs.env;
    let strip = |s: String| s.trim_end_matches('/').to_string();
    if let Some(flag) = inputs.api_host_flag {
        // A malformed flag is the person's typo, not an unreachable server.
        let url = hosts::normalize_url(flag).map_err(|e| ConfigError::BadFlag {
            flag: "--api-host",
            why: format!("{e} (expected e.g. http://localhost:8008)"),
        })?;
        Ok(Sourced {
            value: strip(url),
            source: Source::Flag("--api-host"),
        })
    } else if let Some((name, v)) = env_first(env, &ENV_API_HOST) {
        Ok(Sourced {
            value: strip(v),
            source: Source::Env(name),
        })
    } else if let Some((v, src)) =
        file_text(conf, "api.api_server").or_else(|| file_text(conf, "api.host"))
    {
        Ok(Sourced {
            value: strip(v.trim().to_string()),
            source: src,
        })
    } else {
        Ok(Sourced {
            value: hosts::DEFAULT_API.to_string(),
            source: Source::Default,
        })
    }
}

/// TLS verification: `--insecure`, `--ca-bundle`, the environment, the file, else on.
fn verify(inputs: &Inputs, conf: &Object) -> Sourced<TlsVerify> {
    let env = inputs.env;
    if inputs.insecure {
        Sourced {
            value: TlsVerify::Off,
            source: Source::Flag("--insecure"),
        }
    } else if let Some(ca) = inputs.ca_bundle {
        Sourced {
            value: TlsVerify::CaBundle(ca.to_path_buf()),
            source: Source::Flag("--ca-bundle"),
        }
    } else if let Some((name, v)) = env_first(env, &ENV_VERIFY_CERT) {
        Sourced {
            value: verify_from_text(&v, inputs.home),
            source: Source::Env(name),
        }
    } else if let Some(node) = conf.get_path("api.verify_certificate") {
        let value = match &node.value {
            hocon::Value::Str(s) => verify_from_text(s, inputs.home),
            v if v.is_truthy() => TlsVerify::On,
            _ => TlsVerify::Off,
        };
        Sourced {
            value,
            source: file_source(node),
        }
    } else {
        Sourced {
            value: TlsVerify::On,
            source: Source::Default,
        }
    }
}

pub fn resolve(inputs: &Inputs) -> anyhow::Result<Settings> {
    let env = inputs.env;
    let files = discover(inputs.config_flag, env, inputs.home);
    let conf = load_files(&files.read, env)?;

    let strip = |s: String| s.trim_end_matches('/').to_string();

    let api_host = api_host(inputs, &conf)?;

    // The environment, else the file (where a blank value counts as unset).
    let host = |names: &[&str], path: &str| -> Option<Sourced<String>> {
        if let Some((name, v)) = env_first(env, names) {
            return Some(Sourced {
                value: strip(v),
                source: Source::Env(name),
            });
        }
        file_text(&conf, path)
            .map(|(v, src)| (strip(v.trim().to_string()), src))
            .filter(|(v, _)| !v.is_empty())
            .map(|(value, source)| Sourced { value, source })
    };
    let web_host = host(&ENV_WEB_HOST, "api.web_server").unwrap_or_else(|| {
        derived(
            hosts::sdk_web_from_api(&api_host.value),
            "from the API host",
        )
    });

    let files_host = host(&ENV_FILES_HOST, "api.files_server").unwrap_or_else(|| {
        let derived_url = if web_host.value.is_empty() && api_host.value != hosts::DEFAULT_API {
            None
        } else {
            hosts::sdk_files_from(&api_host.value, &web_host.value)
        };
        derived(derived_url, "from the web host")
    });

    let key = |names: &[&str], path: &str| -> Option<Sourced<String>> {
        if let Some((name, v)) = env_first(env, names) {
            return Some(Sourced {
                value: v,
                source: Source::Env(name),
            });
        }
        file_text(&conf, path).map(|(value, source)| Sourced { value, source })
    };
    let access_key = key(&ENV_ACCESS_KEY, "api.credentials.access_key");
    let secret_key = key(&ENV_SECRET_KEY, "api.credentials.secret_key");

    let verify = verify(inputs, &conf);

    Ok(Settings {
        config_file: files.in_use,
        config_files_read: files.read.into_iter().filter(|p| p.is_file()).collect(),
        config_chosen_by: files.chosen_by,
        api_host,
        web_host,
        files_host,
        access_key,
        secret_key,
        verify,
        auth_token: env_value(env, ENV_AUTH_TOKEN),
        file_config: conf,
        request_timeout: crate::DEFAULT_REQUEST_TIMEOUT,
    })
}

/// The Source text of a host the SDK cannot derive (it raises at that point).
pub const UNDERIVABLE: &str =
    "cannot be derived from the API host; set it in the file or the environment";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Case {
        home: tempfile::TempDir,
        env: HashMap<String, String>,
    }

    impl Case {
        fn new() -> Self {
            Case {
                home: tempfile::tempdir().unwrap(),
                env: HashMap::new(),
            }
        }
        fn file(&self, name: &str, text: &str) -> PathBuf {
            let p = self.home.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        }
        fn env(mut self, k: &str, v: &str) -> Self {
            self.env.insert(k.into(), v.into());
            self
        }
        fn settings(&self, api_flag: Option<&str>) -> Settings {
            let env = |n: &str| self.env.get(n).cloned();
            resolve(&Inputs {
                config_flag: None,
                api_host_flag: api_flag,
                insecure: false,
                ca_bundle: None,
                env: &env,
                home: self.home.path(),
            })
            .unwrap()
        }
    }

    #[test]
    fn defaults_without_any_file() {
        let c = Case::new();
        let s = c.settings(None);
        assert_eq!(s.api_host.value, hosts::DEFAULT_API);
        assert_eq!(s.api_host.source, Source::Default);
        assert_eq!(s.web_host.value, hosts::DEFAULT_WEB);
        assert_eq!(s.files_host.value, hosts::DEFAULT_FILES);
        assert!(s.access_key.is_none());
        assert_eq!(s.verify.value, TlsVerify::On);
        assert_eq!(s.config_file, c.home.path().join("clearml.conf"));
    }

    #[test]
    fn clearml_conf_merges_over_trains_conf() {
        let c = Case::new();
        c.file("trains.conf", "api { api_server: http://old:8008\n web_server: http://old:8080\n credentials { access_key: OLD } }\n");
        let f = c.file("clearml.conf", "api {\n  api_server: http://new:8008/\n}\n");
        let s = c.settings(None);
        assert_eq!(s.api_host.value, "http://new:8008");
        assert_eq!(s.api_host.source, Source::File { path: f, line: 2 });
        assert_eq!(s.web_host.value, "http://old:8080");
        assert_eq!(s.access_key.unwrap().value, "OLD");
        // With both, the file that wins is the one to show and to write.
        assert_eq!(s.config_file, c.home.path().join("clearml.conf"));
        // Alone, the legacy file is the one in use (as clearml-init chooses).
        std::fs::remove_file(c.home.path().join("clearml.conf")).unwrap();
        let s = c.settings(None);
        assert_eq!(s.config_file, c.home.path().join("trains.conf"));
    }

    #[test]
    fn env_beats_file_and_flag_beats_env() {
        let c = Case::new();
        c.file("clearml.conf", "api { api_server: http://file:8008\n credentials { access_key: FK, secret_key: FS } }\n");
        let c = c
            .env("TRAINS_API_HOST", "http://trains:8008")
            .env("CLEARML_API_ACCESS_KEY", " EK ")
            .env("CLEARML_API_SECRET_KEY", "   ");
        let s = c.settings(None);
        assert_eq!(s.api_host.value, "http://trains:8008");
        assert_eq!(s.api_host.source, Source::Env("TRAINS_API_HOST".into()));
        assert_eq!(s.access_key.as_ref().unwrap().value, "EK");
        // A blank variable counts as unset.
        assert_eq!(s.secret_key.as_ref().unwrap().value, "FS");
        let c = c.env("CLEARML_API_HOST", "http://clearml:8008");
        assert_eq!(c.settings(None).api_host.value, "http://clearml:8008");
        let s = c.settings(Some("http://flag:8008/"));
        assert_eq!(s.api_host.value, "http://flag:8008");
        assert_eq!(s.api_host.source, Source::Flag("--api-host"));
        assert_eq!(s.web_host.value, "http://flag:8080");
        assert_eq!(s.files_host.value, "http://flag:8081");
    }

    #[test]
    fn config_file_variable_reads_only_that_file() {
        let c = Case::new();
        c.file("clearml.conf", "api { web_server: http://home:8080 }\n");
        let other = c.file("other.conf", "api { host: http://legacy:8008 }\n");
        let c = c.env("CLEARML_CONFIG_FILE", other.to_str().unwrap());
        let s = c.settings(None);
        assert_eq!(s.config_file, other);
        assert_eq!(s.api_host.value, "http://legacy:8008");
        assert_eq!(s.web_host.value, "http://legacy:8080");
        assert_eq!(s.web_host.source.kind(), "derived");
    }

    #[test]
    fn underivable_web_host_is_reported_not_invented() {
        let c = Case::new();
        c.file("clearml.conf", "api { api_server: http://h:9000 }\n");
        let s = c.settings(None);
        assert_eq!(s.web_host.value, "");
        assert_eq!(s.web_host.source, Source::Derived(UNDERIVABLE));
        assert_eq!(s.files_host.value, "");
    }

    #[test]
    fn tls_verification_sources() {
        let c = Case::new();
        c.file("clearml.conf", "api { verify_certificate: False }\n");
        assert_eq!(c.settings(None).verify.value, TlsVerify::Off);
        let c = c.env("CLEARML_API_HOST_VERIFY_CERT", "yes");
        assert_eq!(c.settings(None).verify.value, TlsVerify::On);
        let c = c.env("CLEARML_API_HOST_VERIFY_CERT", "~/ca.pem");
        let home = c.home.path().to_path_buf();
        assert_eq!(
            c.settings(None).verify.value,
            TlsVerify::CaBundle(home.join("ca.pem"))
        );
        let c = Case::new();
        c.file(
            "clearml.conf",
            "api { verify_certificate: \"/etc/ca.pem\" }\n",
        );
        assert_eq!(
            c.settings(None).verify.value,
            TlsVerify::CaBundle("/etc/ca.pem".into())
        );
    }

    #[test]
    fn a_malformed_api_host_flag_is_a_usage_error_naming_the_flag() {
        let c = Case::new();
        for bad in ["ftp://x", "not a url", "http://", ""] {
            let env = |n: &str| c.env.get(n).cloned();
            let err = resolve(&Inputs {
                config_flag: None,
                api_host_flag: Some(bad),
                insecure: false,
                ca_bundle: None,
                env: &env,
                home: c.home.path(),
            })
            .unwrap_err();
            assert!(
                err.chain().any(|e| matches!(
                    e.downcast_ref::<ConfigError>(),
                    Some(ConfigError::BadFlag { .. })
                )),
                "{bad:?}: {err}"
            );
            assert!(err.to_string().starts_with("--api-host: "), "{err}");
        }
        // What clearml-init accepts is accepted here too (scheme added, as it does).
        let s = c.settings(Some("localhost:8008/"));
        assert_eq!(s.api_host.value, "http://localhost:8008");
    }

    #[test]
    fn only_a_missing_file_named_by_the_flag_is_an_error() {
        let c = Case::new();
        let missing = c.home.path().join("nope.conf");
        let env = |n: &str| c.env.get(n).cloned();
        let s = resolve(&Inputs {
            config_flag: Some(&missing),
            api_host_flag: None,
            insecure: false,
            ca_bundle: None,
            env: &env,
            home: c.home.path(),
        })
        .unwrap();
        let err = s.check_explicit_file().unwrap_err();
        assert!(matches!(err, ConfigError::ConfigFile { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(&format!("--config {}: no such file", missing.display())));
        assert!(text.contains(&format!("clearml init --file {}", missing.display())));
        // The environment variable behaves as in the SDK: a missing file reads as empty.
        let c = c.env("CLEARML_CONFIG_FILE", missing.to_str().unwrap());
        let s = c.settings(None);
        assert!(s.check_explicit_file().is_ok());
        assert!(s.config_files_read.is_empty());
    }

    #[test]
    fn parse_errors_name_the_file() {
        let c = Case::new();
        let f = c.file(
            "clearml.conf",
            "api {\n  api_server: http://h:8008\n  bad: a*b\n}\n",
        );
        let env = |_: &str| None;
        let err = resolve(&Inputs {
            config_flag: None,
            api_host_flag: None,
            insecure: false,
            ca_bundle: None,
            env: &env,
            home: c.home.path(),
        })
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{}:3:9: ", f.display())),
            "{err}"
        );
    }
}
