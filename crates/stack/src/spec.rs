//! The typed stack: the services of the official ClearML server v2.3 docker-compose file,
//! resolved against the user's choices (flags > clearml-server.toml > defaults).
//!
//! Environment values keep compose's `${VAR:-default}` syntax so `render` can print them
//! as references (no secret from the host ends up in a rendered file); they are expanded
//! from the process environment only when a container is created.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::StackError;

pub const DEFAULT_VERSION: &str = "2.3.0";
pub const DEFAULT_DATA_DIR: &str = "/opt/clearml";
pub const DEFAULT_BIND: &str = "127.0.0.1";
/// The compose project name; `docker compose -p clearml ps|logs|down` sees the stack.
pub const DEFAULT_PROJECT: &str = "clearml";
/// Hidden override of the project name (and container-name prefix), so tests and a second
/// stack on one host cannot collide with the real one.
pub const PROJECT_ENV: &str = "CLEARML_STACK_PROJECT";
/// The choices file kept in the data dir, so `up` repeats the same choices.
pub const CHOICES_FILE: &str = "clearml-server.toml";

pub const LABEL_PROJECT: &str = "com.docker.compose.project";
pub const LABEL_SERVICE: &str = "com.docker.compose.service";
pub const LABEL_NETWORK: &str = "com.docker.compose.network";
pub const LABEL_ONEOFF: &str = "com.docker.compose.oneoff";
pub const LABEL_NUMBER: &str = "com.docker.compose.container-number";
pub const LABEL_CONFIG_HASH: &str = "com.docker.compose.config-hash";
pub const LABEL_WORKING_DIR: &str = "com.docker.compose.project.working_dir";
/// Our own marker: which tool made the container and with which server version.
pub const LABEL_MANAGED_BY: &str = "org.clearml.stack.managed-by";
pub const LABEL_SERVER_VERSION: &str = "org.clearml.stack.server-version";

/// What a service must do to count as ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// mongo, elasticsearch, redis: running and not restarting.
    Database,
    /// apiserver: debug.ping and server.info over HTTP.
    Api,
    /// fileserver, webserver: answering HTTP on the published port.
    Http,
    /// async_delete, agent-services: running.
    Worker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Restart {
    UnlessStopped,
    OnFailure,
}

impl Restart {
    pub fn as_str(self) -> &'static str {
        match self {
            Restart::UnlessStopped => "unless-stopped",
            Restart::OnFailure => "on-failure",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Port {
    pub host: u16,
    pub container: u16,
}

/// A bind mount from the host (`source`), or an anonymous volume when `source` is None.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub source: Option<PathBuf>,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    /// The compose service name (also the DNS alias on the networks).
    pub name: String,
    pub container_name: String,
    pub image: String,
    pub command: Vec<String>,
    pub entrypoint: Vec<String>,
    /// Compose-style values, possibly holding `${VAR:-default}` references.
    pub env: BTreeMap<String, String>,
    pub ulimits: Vec<Ulimit>,
    /// Logical network names ("backend", "frontend").
    pub networks: Vec<String>,
    pub ports: Vec<Port>,
    pub mounts: Vec<Mount>,
    pub restart: Restart,
    pub depends_on: Vec<String>,
    pub privileged: bool,
    pub role: Role,
}

/// The stack as the person chose it on the command line, unchecked (the flags shared by
/// every `clearml server` stack command); [`Choices::from_flags`] checks it.
#[derive(Debug, Clone, Default)]
pub struct StackChoices {
    pub data_dir: Option<PathBuf>,
    pub server_version: Option<String>,
    /// `SERVICE=IMAGE` items
    pub images: Vec<String>,
    pub registry: Option<String>,
    pub bind: Option<String>,
    /// `SERVICE=N` items
    pub ports: Vec<String>,
    /// `[SERVICE:]KEY=VALUE` items
    pub env: Vec<String>,
    pub with_agent_services: bool,
}

/// The choices a user makes, as stored in clearml-server.toml.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Choices {
    pub version: Option<String>,
    pub registry: Option<String>,
    pub bind: Option<String>,
    pub with_agent_services: bool,
    /// service -> image
    pub images: BTreeMap<String, String>,
    /// service -> host port
    pub ports: BTreeMap<String, u16>,
    /// `[SERVICE:]KEY=VALUE`, applied in order
    pub env: Vec<String>,
    /// "SERVICE.LIMIT" -> soft=hard value (-1 unlimited, 0 drops the limit): only in the
    /// file, for engines that may not raise a limit (e.g. a nested Docker capped at 20000 files).
    pub ulimits: BTreeMap<String, i64>,
}

/// The service names a user may name in --image / --port / --env / logs.
pub const SERVICE_NAMES: &[&str] = &[
    "apiserver",
    "webserver",
    "fileserver",
    "mongo",
    "elasticsearch",
    "redis",
    "async_delete",
    "agent-services",
];

fn check_service(name: &str, flag: &str) -> Result<(), StackError> {
    if SERVICE_NAMES.contains(&name) {
        Ok(())
    } else {
        Err(
            StackError::usage(format!("{flag}: unknown service '{name}'"))
                .with_hint(format!("services are: {}", SERVICE_NAMES.join(", "))),
        )
    }
}

impl Choices {
    /// The choices given as flags (only what was given).
    pub fn from_flags(args: &StackChoices) -> Result<Choices, StackError> {
        let mut c = Choices {
            version: args.server_version.clone(),
            registry: args.registry.clone(),
            bind: args.bind.clone(),
            with_agent_services: args.with_agent_services,
            ..Default::default()
        };
        for item in &args.images {
            let (svc, image) = item
                .split_once('=')
                .filter(|(s, i)| !s.is_empty() && !i.is_empty())
                .ok_or_else(|| {
                    StackError::usage(format!("--image '{item}': expected SERVICE=IMAGE"))
                        .with_hint("e.g. --image mongo=mymirror/mongo:7.0.22")
                })?;
            check_service(svc, "--image")?;
            c.images.insert(svc.to_string(), image.to_string());
        }
        for item in &args.ports {
            let (svc, port) = item.split_once('=').ok_or_else(|| {
                StackError::usage(format!("--port '{item}': expected SERVICE=N"))
                    .with_hint("e.g. --port webserver=9080")
            })?;
            check_service(svc, "--port")?;
            if !["apiserver", "webserver", "fileserver"].contains(&svc) {
                return Err(StackError::usage(format!(
                    "--port: service '{svc}' publishes no port"
                ))
                .with_hint("only apiserver, webserver and fileserver publish ports"));
            }
            let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(|| {
                StackError::usage(format!(
                    "--port '{item}': '{port}' is not a port number (1-65535)"
                ))
            })?;
            c.ports.insert(svc.to_string(), port);
        }
        for item in &args.env {
            parse_env_item(item)?;
            c.env.push(item.clone());
        }
        if let Some(bind) = &c.bind {
            bind.parse::<IpAddr>().map_err(|_| {
                StackError::usage(format!("--bind '{bind}' is not an IP address")).with_hint(
                    "e.g. --bind 127.0.0.1 (local only) or --bind 0.0.0.0 (all interfaces)",
                )
            })?;
        }
        Ok(c)
    }

    /// Flags win over the file; maps merge key by key; env items append.
    pub fn merged_over(self, file: Choices) -> Choices {
        let mut images = file.images;
        images.extend(self.images);
        let mut ports = file.ports;
        ports.extend(self.ports);
        let mut ulimits = file.ulimits;
        ulimits.extend(self.ulimits);
        let mut env = file.env;
        for item in self.env {
            if !env.contains(&item) {
                env.push(item);
            }
        }
        Choices {
            version: self.version.or(file.version),
            registry: self.registry.or(file.registry),
            bind: self.bind.or(file.bind),
            with_agent_services: self.with_agent_services || file.with_agent_services,
            images,
            ports,
            env,
            ulimits,
        }
    }

    pub fn load(data_dir: &Path) -> anyhow::Result<Choices> {
        let path = data_dir.join(CHOICES_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                StackError::usage(format!("{}: {}", path.display(), e.message()))
                    .with_hint(
                        "fix or delete the file; `clearml server up` rewrites it from the flags",
                    )
                    .into()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Choices::default()),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        }
    }

    /// Atomic write (temp file + rename), so an interrupted `up` never leaves half a file.
    pub fn save(&self, data_dir: &Path) -> anyhow::Result<()> {
        let path = data_dir.join(CHOICES_FILE);
        let text = format!(
            "# Written by `clearml server up`: the choices `up` repeats. Flags override them.\n{}",
            toml::to_string(self)?
        );
        if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
            return Ok(());
        }
        std::fs::create_dir_all(data_dir)?;
        // 0600: --env values may be credentials.
        let tmp = data_dir.join(format!(".{CHOICES_FILE}.tmp"));
        let _ = std::fs::remove_file(&tmp);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(())
    }
}

/// `[SERVICE:]KEY=VALUE` -> (service or None for all, key, value).
pub fn parse_env_item(item: &str) -> Result<(Option<&str>, &str, &str), StackError> {
    let bad = || {
        StackError::usage(format!("--env '{item}': expected [SERVICE:]KEY=VALUE"))
            .with_hint("e.g. --env apiserver:CLEARML__logging__level=DEBUG")
    };
    let (lhs, value) = item.split_once('=').ok_or_else(bad)?;
    let (service, key) = match lhs.split_once(':') {
        Some((s, k)) => {
            check_service(s, "--env")?;
            (Some(s), k)
        }
        None => (None, lhs),
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return Err(bad());
    }
    Ok((service, key, value))
}

/// The fully resolved stack.
#[derive(Debug, Clone)]
pub struct Stack {
    pub project: String,
    pub data_dir: PathBuf,
    pub version: String,
    pub bind: String,
    pub choices: Choices,
    pub services: Vec<Service>,
}

/// The project name from CLEARML_STACK_PROJECT, else "clearml".
pub fn project_name() -> Result<String, StackError> {
    let p = std::env::var(PROJECT_ENV).unwrap_or_else(|_| DEFAULT_PROJECT.to_string());
    let valid = !p.is_empty()
        && p.chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && p.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if valid {
        Ok(p)
    } else {
        Err(
            StackError::usage(format!("{PROJECT_ENV}='{p}' is not a valid project name"))
                .with_hint("use lowercase letters, digits, '-' and '_'"),
        )
    }
}

impl Stack {
    /// Resolve flags over the data dir's clearml-server.toml over defaults.
    pub fn resolve(args: &StackChoices) -> anyhow::Result<Stack> {
        let data_dir = args
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let data_dir = if data_dir.is_relative() {
            std::env::current_dir()?.join(data_dir)
        } else {
            data_dir
        };
        let flags = Choices::from_flags(args)?;
        let choices = flags.merged_over(Choices::load(&data_dir)?);
        Ok(Stack::build(project_name()?, data_dir, choices))
    }

    pub fn build(project: String, data_dir: PathBuf, choices: Choices) -> Stack {
        let version = choices
            .version
            .clone()
            .unwrap_or_else(|| DEFAULT_VERSION.to_string());
        let bind = choices
            .bind
            .clone()
            .unwrap_or_else(|| DEFAULT_BIND.to_string());
        let mut services =
            official_services(&project, &data_dir, &version, choices.with_agent_services);
        for svc in &mut services {
            if let Some(image) = choices.images.get(&svc.name) {
                svc.image = image.clone();
            } else if let Some(registry) = &choices.registry {
                svc.image = format!("{}/{}", registry.trim_end_matches('/'), svc.image);
            }
            if let (Some(port), Some(published)) =
                (choices.ports.get(&svc.name), svc.ports.first_mut())
            {
                published.host = *port;
            }
        }
        for item in &choices.env {
            if let Ok((target, key, value)) = parse_env_item(item) {
                for svc in services
                    .iter_mut()
                    .filter(|s| target.is_none_or(|t| t == s.name))
                {
                    // A literal from the user: escape `$` so it is not read as a reference.
                    svc.env.insert(key.to_string(), value.replace('$', "$$"));
                }
            }
        }
        // The unlimited memlock ulimit only serves Elasticsearch's memory lock; engines that
        // may not raise it (rootless, nested) run with bootstrap.memory_lock=false instead.
        for svc in &mut services {
            if svc
                .env
                .get("bootstrap.memory_lock")
                .is_some_and(|v| v == "false")
            {
                svc.ulimits.retain(|u| u.name != "memlock");
            }
        }
        for (key, value) in &choices.ulimits {
            let Some((name, limit)) = key.split_once('.') else {
                continue;
            };
            if let Some(svc) = services.iter_mut().find(|s| s.name == name) {
                svc.ulimits.retain(|u| u.name != limit);
                if *value != 0 {
                    svc.ulimits.push(Ulimit {
                        name: limit.to_string(),
                        soft: *value,
                        hard: *value,
                    });
                }
            }
        }
        Stack {
            project,
            data_dir,
            version,
            bind,
            choices,
            services,
        }
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The docker network name for a logical network (compose's `<project>_<name>`).
    pub fn network_name(&self, logical: &str) -> String {
        format!("{}_{logical}", self.project)
    }

    pub fn networks(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for svc in &self.services {
            for n in &svc.networks {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
        names
    }

    /// Host directories the stack bind-mounts (under the data dir), in creation order.
    pub fn data_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = Vec::new();
        for svc in &self.services {
            for m in &svc.mounts {
                if let Some(src) = &m.source
                    && src.starts_with(&self.data_dir)
                    && !dirs.contains(src)
                {
                    dirs.push(src.clone());
                }
            }
        }
        dirs
    }

    /// The host address to reach a published port from this machine.
    pub fn connect_host(&self) -> String {
        match self.bind.parse::<IpAddr>() {
            Ok(ip) if ip.is_unspecified() => {
                if ip.is_ipv6() {
                    "[::1]".into()
                } else {
                    "127.0.0.1".into()
                }
            }
            Ok(IpAddr::V6(ip)) => format!("[{ip}]"),
            _ => self.bind.clone(),
        }
    }

    pub fn url_of(&self, service: &str) -> Option<String> {
        let port = self.service(service)?.ports.first()?.host;
        Some(format!("http://{}:{port}", self.connect_host()))
    }

    /// Services ordered so every service comes after what it depends on.
    pub fn start_order(&self) -> Vec<&Service> {
        let mut done: Vec<&str> = Vec::new();
        let mut order = Vec::new();
        while order.len() < self.services.len() {
            let before = order.len();
            for svc in &self.services {
                if done.contains(&svc.name.as_str()) {
                    continue;
                }
                let ready = svc
                    .depends_on
                    .iter()
                    .all(|d| done.contains(&d.as_str()) || self.service(d).is_none());
                if ready {
                    done.push(&svc.name);
                    order.push(svc);
                }
            }
            if order.len() == before {
                // A cycle cannot come from the built-in spec; keep the rest in spec order.
                order.extend(
                    self.services
                        .iter()
                        .filter(|s| !done.contains(&s.name.as_str())),
                );
                break;
            }
        }
        order
    }

    /// Labels shared by everything the stack creates.
    pub fn base_labels(&self) -> BTreeMap<String, String> {
        let mut l = BTreeMap::new();
        l.insert(LABEL_PROJECT.to_string(), self.project.clone());
        l.insert(LABEL_MANAGED_BY.to_string(), "clearml-cli".to_string());
        l.insert(
            LABEL_WORKING_DIR.to_string(),
            self.data_dir.display().to_string(),
        );
        l
    }

    pub fn container_labels(&self, svc: &Service, config_hash: &str) -> BTreeMap<String, String> {
        let mut l = self.base_labels();
        l.insert(LABEL_SERVICE.to_string(), svc.name.clone());
        l.insert(LABEL_ONEOFF.to_string(), "False".to_string());
        l.insert(LABEL_NUMBER.to_string(), "1".to_string());
        l.insert(LABEL_CONFIG_HASH.to_string(), config_hash.to_string());
        l.insert(LABEL_SERVER_VERSION.to_string(), self.version.clone());
        l
    }
}

impl Service {
    /// The environment with `${VAR}` references expanded from `lookup` (the process env).
    pub fn resolved_env(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<(String, String)> {
        self.env
            .iter()
            .map(|(k, v)| (k.clone(), interpolate(v, lookup)))
            .collect()
    }

    /// Identity of the container configuration: any change in image (name or id), command,
    /// env (after expansion), mounts, ports, networks, limits or restart policy changes it,
    /// so `up` recreates exactly the containers whose configuration changed.
    pub fn config_hash(
        &self,
        resolved_env: &[(String, String)],
        image_id: &str,
        bind: &str,
    ) -> String {
        let doc = serde_json::json!({
            "image": self.image,
            "image_id": image_id,
            "command": self.command,
            "entrypoint": self.entrypoint,
            "env": resolved_env,
            "ulimits": self.ulimits,
            "networks": self.networks,
            "ports": self.ports,
            "bind": bind,
            "mounts": self.mounts,
            "restart": self.restart,
            "privileged": self.privileged,
            "container_name": self.container_name,
        });
        hex::encode(Sha256::digest(doc.to_string().as_bytes()))
    }
}

/// Compose-style interpolation: `$$` is a literal `$`; `${NAME}`, `$NAME`, `${NAME:-default}`
/// (default when unset or empty) and `${NAME-default}` (default when unset); the default may
/// itself hold references. Unset without default gives "" (as compose does).
pub fn interpolate(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => {
                out.push('$');
                i += 2;
            }
            Some('{') => {
                // Find the matching brace (defaults may nest).
                let mut depth = 0;
                let mut end = None;
                for (j, ch) in chars.iter().enumerate().skip(i + 1) {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let Some(end) = end else {
                    out.extend(&chars[i..]);
                    break;
                };
                let inner: String = chars[i + 2..end].iter().collect();
                out.push_str(&expand_braced(&inner, lookup));
                i = end + 1;
            }
            Some(ch) if ch.is_ascii_alphabetic() || *ch == '_' => {
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                let name: String = chars[start..j].iter().collect();
                out.push_str(&lookup(&name).unwrap_or_default());
                i = j;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    out
}

fn expand_braced(inner: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    if let Some((name, default)) = inner.split_once(":-") {
        match lookup(name) {
            Some(v) if !v.is_empty() => v,
            _ => interpolate(default, lookup),
        }
    } else if let Some((name, default)) = inner.split_once('-') {
        lookup(name).unwrap_or_else(|| interpolate(default, lookup))
    } else {
        lookup(inner).unwrap_or_default()
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The official container name, with the project as prefix when it is not "clearml".
fn container_name(project: &str, official: &str) -> String {
    if project == DEFAULT_PROJECT {
        official.to_string()
    } else if let Some(rest) = official.strip_prefix("clearml-") {
        format!("{project}-{rest}")
    } else {
        format!("{project}-{official}")
    }
}

/// The databases' connection settings, shared by the apiserver and async_delete.
const DB_ENV: &[(&str, &str)] = &[
    ("CLEARML_ELASTIC_SERVICE_HOST", "elasticsearch"),
    ("CLEARML_ELASTIC_SERVICE_PORT", "9200"),
    ("CLEARML_MONGODB_SERVICE_HOST", "mongo"),
    ("CLEARML_MONGODB_SERVICE_PORT", "27017"),
    ("CLEARML_REDIS_SERVICE_HOST", "redis"),
    ("CLEARML_REDIS_SERVICE_PORT", "6379"),
];

const URL_PREFIXES_KEY: &str = "CLEARML__services__async_urls_delete__fileserver__url_prefixes";
const URL_PREFIXES: &str = "[${CLEARML_FILES_HOST:-}]";

/// The services of the official server v2.3 compose file, with its defaults.
fn official_services(project: &str, data: &Path, version: &str, with_agent: bool) -> Vec<Service> {
    let server_image = format!("clearml/server:{version}");
    let bind = |sub: &str, target: &str| Mount {
        source: Some(data.join(sub)),
        target: target.to_string(),
    };
    let logs = || bind("logs", "/var/log/clearml");
    let config = || bind("config", "/opt/clearml/config");
    let files = || bind("data/fileserver", "/mnt/fileserver");
    let backend = || strings(&["backend"]);
    let both = || strings(&["backend", "frontend"]);
    let base = |name: &str, official: &str, image: &str, role: Role| Service {
        name: name.to_string(),
        container_name: container_name(project, official),
        image: image.to_string(),
        command: vec![],
        entrypoint: vec![],
        env: BTreeMap::new(),
        ulimits: vec![],
        networks: backend(),
        ports: vec![],
        mounts: vec![],
        restart: Restart::UnlessStopped,
        depends_on: vec![],
        privileged: false,
        role,
    };

    let mut api_env = env(DB_ENV);
    api_env.extend(env(&[
        ("CLEARML_SERVER_DEPLOYMENT_TYPE", "linux"),
        ("CLEARML__apiserver__pre_populate__enabled", "true"),
        (
            "CLEARML__apiserver__pre_populate__zip_files",
            "/opt/clearml/db-pre-populate",
        ),
        (
            "CLEARML__apiserver__pre_populate__artifacts_path",
            "/mnt/fileserver",
        ),
        ("CLEARML__services__async_urls_delete__enabled", "true"),
        (URL_PREFIXES_KEY, URL_PREFIXES),
        (
            "CLEARML__secure__credentials__services_agent__user_key",
            "${CLEARML_AGENT_ACCESS_KEY:-}",
        ),
        (
            "CLEARML__secure__credentials__services_agent__user_secret",
            "${CLEARML_AGENT_SECRET_KEY:-}",
        ),
    ]));
    let apiserver = Service {
        command: strings(&["apiserver"]),
        env: api_env,
        networks: both(),
        ports: vec![Port {
            host: 8008,
            container: 8008,
        }],
        mounts: vec![logs(), config(), files()],
        depends_on: strings(&["redis", "mongo", "elasticsearch", "fileserver"]),
        ..base("apiserver", "clearml-apiserver", &server_image, Role::Api)
    };

    let elasticsearch = Service {
        env: env(&[
            ("bootstrap.memory_lock", "true"),
            ("cluster.name", "clearml"),
            (
                "cluster.routing.allocation.node_initial_primaries_recoveries",
                "500",
            ),
            ("cluster.routing.allocation.disk.watermark.low", "500mb"),
            ("cluster.routing.allocation.disk.watermark.high", "500mb"),
            (
                "cluster.routing.allocation.disk.watermark.flood_stage",
                "500mb",
            ),
            ("discovery.type", "single-node"),
            ("http.compression_level", "7"),
            ("node.name", "clearml"),
            ("reindex.remote.whitelist", "'*.*'"),
            ("xpack.security.enabled", "false"),
            // The snapshot folder of `server backup --online` (not in the official file).
            ("path.repo", super::online::ES_REPO_PATH),
        ]),
        ulimits: vec![
            Ulimit {
                name: "memlock".into(),
                soft: -1,
                hard: -1,
            },
            Ulimit {
                name: "nofile".into(),
                soft: 65536,
                hard: 65536,
            },
        ],
        mounts: vec![
            bind("data/elastic_7", "/usr/share/elasticsearch/data"),
            bind(super::online::ES_REPO_DIR, super::online::ES_REPO_PATH),
            Mount {
                source: None,
                target: "/usr/share/elasticsearch/logs".into(),
            },
        ],
        ..base(
            "elasticsearch",
            "clearml-elastic",
            "elasticsearch:8.17.0",
            Role::Database,
        )
    };

    let fileserver = Service {
        command: strings(&["fileserver"]),
        env: env(&[("CLEARML__fileserver__delete__allow_batch", "true")]),
        networks: both(),
        ports: vec![Port {
            host: 8081,
            container: 8081,
        }],
        mounts: vec![logs(), files(), config()],
        ..base(
            "fileserver",
            "clearml-fileserver",
            &server_image,
            Role::Http,
        )
    };

    let mongo = Service {
        command: strings(&[
            "--setParameter",
            "internalQueryMaxBlockingSortMemoryUsageBytes=196100200",
        ]),
        mounts: vec![
            bind("data/mongo_4/db", "/data/db"),
            bind("data/mongo_4/configdb", "/data/configdb"),
        ],
        ..base("mongo", "clearml-mongo", "mongo:7.0.22", Role::Database)
    };

    let redis = Service {
        mounts: vec![bind("data/redis", "/data")],
        ..base("redis", "clearml-redis", "redis:7.4.1", Role::Database)
    };

    let webserver = Service {
        command: strings(&["webserver"]),
        networks: both(),
        ports: vec![Port {
            host: 8080,
            container: 80,
        }],
        depends_on: strings(&["apiserver"]),
        ..base("webserver", "clearml-webserver", &server_image, Role::Http)
    };

    let mut async_env = env(DB_ENV);
    async_env.extend(env(&[
        ("PYTHONPATH", "/opt/clearml/apiserver"),
        (URL_PREFIXES_KEY, URL_PREFIXES),
    ]));
    let async_delete = Service {
        entrypoint: strings(&[
            "python3",
            "-m",
            "jobs.async_urls_delete",
            "--fileserver-host",
            "http://fileserver:8081",
        ]),
        env: async_env,
        mounts: vec![logs(), config()],
        depends_on: strings(&["apiserver", "redis", "mongo", "elasticsearch", "fileserver"]),
        ..base("async_delete", "async_delete", &server_image, Role::Worker)
    };

    let mut services = vec![
        apiserver,
        elasticsearch,
        fileserver,
        mongo,
        redis,
        webserver,
        async_delete,
    ];

    if with_agent {
        let agent_dir = data.join("agent");
        services.push(Service {
            entrypoint: vec![
                "bash".into(),
                "-c".into(),
                "curl --retry 10 --retry-delay 10 --retry-connrefused 'http://apiserver:8008/debug.ping' && /usr/agent/entrypoint.sh".into(),
            ],
            env: env(&[
                ("CLEARML_HOST_IP", "${CLEARML_HOST_IP}"),
                ("CLEARML_WEB_HOST", "${CLEARML_WEB_HOST:-}"),
                ("CLEARML_API_HOST", "http://apiserver:8008"),
                ("CLEARML_FILES_HOST", "${CLEARML_FILES_HOST:-}"),
                ("CLEARML_API_ACCESS_KEY", "${CLEARML_AGENT_ACCESS_KEY:-$CLEARML_API_ACCESS_KEY}"),
                ("CLEARML_API_SECRET_KEY", "${CLEARML_AGENT_SECRET_KEY:-$CLEARML_API_SECRET_KEY}"),
                ("CLEARML_AGENT_GIT_USER", "${CLEARML_AGENT_GIT_USER}"),
                ("CLEARML_AGENT_GIT_PASS", "${CLEARML_AGENT_GIT_PASS}"),
                ("CLEARML_AGENT_UPDATE_VERSION", "${CLEARML_AGENT_UPDATE_VERSION:->=0.17.0}"),
                ("CLEARML_AGENT_DEFAULT_BASE_DOCKER", "ubuntu:18.04"),
                ("AWS_ACCESS_KEY_ID", "${AWS_ACCESS_KEY_ID:-}"),
                ("AWS_SECRET_ACCESS_KEY", "${AWS_SECRET_ACCESS_KEY:-}"),
                ("AWS_DEFAULT_REGION", "${AWS_DEFAULT_REGION:-}"),
                ("AZURE_STORAGE_ACCOUNT", "${AZURE_STORAGE_ACCOUNT:-}"),
                ("AZURE_STORAGE_KEY", "${AZURE_STORAGE_KEY:-}"),
                ("GOOGLE_APPLICATION_CREDENTIALS", "${GOOGLE_APPLICATION_CREDENTIALS:-}"),
                ("CLEARML_WORKER_ID", "clearml-services"),
                // The agent mounts this host path into the task containers it starts.
                ("CLEARML_AGENT_DOCKER_HOST_MOUNT", &format!("{}:/root/.clearml", agent_dir.display())),
                ("SHUTDOWN_IF_NO_ACCESS_KEY", "1"),
            ]),
            mounts: vec![
                Mount {
                    source: Some(PathBuf::from("/var/run/docker.sock")),
                    target: "/var/run/docker.sock".into(),
                },
                Mount { source: Some(agent_dir.clone()), target: "/root/.clearml".into() },
            ],
            restart: Restart::OnFailure,
            depends_on: strings(&["apiserver"]),
            privileged: true,
            ..base("agent-services", "clearml-agent-services", "clearml/clearml-agent-services:latest", Role::Worker)
        });
    }
    services
}

/// A `major.minor.patch` version (missing parts are 0); None for tags like "latest".
pub fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let v = v.trim().trim_start_matches('v');
    let core = v.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>());
    let major = parts.next()?.ok()?;
    let minor = parts.next().unwrap_or(Ok(0)).ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}

/// The tag of an image reference ("" when none), ignoring a registry port.
pub fn image_tag(image: &str) -> &str {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split('@').next().unwrap_or(last);
    last.split_once(':').map(|(_, t)| t).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(args: StackChoices) -> Stack {
        let choices = Choices::from_flags(&args).unwrap();
        Stack::build("clearml".into(), PathBuf::from("/opt/clearml"), choices)
    }

    #[test]
    fn defaults_mirror_the_official_compose_file() {
        let s = stack(StackChoices::default());
        let names: Vec<&str> = s.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "apiserver",
                "elasticsearch",
                "fileserver",
                "mongo",
                "redis",
                "webserver",
                "async_delete"
            ]
        );
        let api = s.service("apiserver").unwrap();
        assert_eq!(api.container_name, "clearml-apiserver");
        assert_eq!(api.image, "clearml/server:2.3.0");
        assert_eq!(
            api.ports,
            vec![Port {
                host: 8008,
                container: 8008
            }]
        );
        assert_eq!(api.command, ["apiserver"]);
        assert_eq!(api.networks, ["backend", "frontend"]);
        assert_eq!(
            api.mounts[0].source.as_deref(),
            Some(Path::new("/opt/clearml/logs"))
        );
        assert_eq!(
            s.service("webserver").unwrap().ports,
            vec![Port {
                host: 8080,
                container: 80
            }]
        );
        assert_eq!(s.service("mongo").unwrap().image, "mongo:7.0.22");
        assert_eq!(
            s.service("elasticsearch").unwrap().container_name,
            "clearml-elastic"
        );
        assert_eq!(
            s.service("async_delete").unwrap().container_name,
            "async_delete"
        );
        assert_eq!(s.service("async_delete").unwrap().entrypoint[0], "python3");
        let es = s.service("elasticsearch").unwrap();
        assert!(
            es.ulimits
                .iter()
                .any(|u| u.name == "memlock" && u.soft == -1)
        );
        assert!(es.mounts.iter().any(|m| m.source.is_none()));
        assert!(
            s.data_dirs()
                .contains(&PathBuf::from("/opt/clearml/data/mongo_4/configdb"))
        );
        assert!(s.service("agent-services").is_none());
    }

    #[test]
    fn overrides_apply() {
        let s = stack(StackChoices {
            server_version: Some("2.2.0".into()),
            registry: Some("mirror.local:5000/hub/".into()),
            images: vec!["mongo=my/mongo:7".into()],
            ports: vec!["webserver=9080".into()],
            env: vec!["apiserver:A=1".into(), "B=x$y".into()],
            with_agent_services: true,
            ..Default::default()
        });
        assert_eq!(
            s.service("apiserver").unwrap().image,
            "mirror.local:5000/hub/clearml/server:2.2.0"
        );
        assert_eq!(s.service("mongo").unwrap().image, "my/mongo:7");
        assert_eq!(s.service("webserver").unwrap().ports[0].host, 9080);
        assert_eq!(s.service("apiserver").unwrap().env["A"], "1");
        assert!(!s.service("redis").unwrap().env.contains_key("A"));
        let b = &s.service("redis").unwrap().env["B"];
        assert_eq!(interpolate(b, &|_| Some("SECRET".into())), "x$y");
        assert_eq!(
            s.service("agent-services").unwrap().restart,
            Restart::OnFailure
        );
    }

    #[test]
    fn ulimits_from_the_file_replace_or_drop() {
        let choices = Choices {
            ulimits: [
                ("elasticsearch.nofile".to_string(), 20000),
                ("elasticsearch.memlock".to_string(), 0),
            ]
            .into(),
            ..Default::default()
        };
        let s = Stack::build("clearml".into(), PathBuf::from("/d"), choices);
        let es = s.service("elasticsearch").unwrap();
        assert_eq!(
            es.ulimits,
            vec![Ulimit {
                name: "nofile".into(),
                soft: 20000,
                hard: 20000
            }]
        );
    }

    #[test]
    fn memory_lock_off_drops_the_memlock_ulimit() {
        let s = stack(StackChoices {
            env: vec!["elasticsearch:bootstrap.memory_lock=false".into()],
            ..Default::default()
        });
        let es = s.service("elasticsearch").unwrap();
        assert!(es.ulimits.iter().all(|u| u.name != "memlock"));
        assert!(es.ulimits.iter().any(|u| u.name == "nofile"));
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        for args in [
            StackChoices {
                images: vec!["nope=x".into()],
                ..Default::default()
            },
            StackChoices {
                ports: vec!["mongo=1".into()],
                ..Default::default()
            },
            StackChoices {
                ports: vec!["apiserver=70000".into()],
                ..Default::default()
            },
            StackChoices {
                env: vec!["novalue".into()],
                ..Default::default()
            },
            StackChoices {
                bind: Some("localhost:80".into()),
                ..Default::default()
            },
        ] {
            assert!(matches!(
                Choices::from_flags(&args).unwrap_err(),
                StackError::Invalid(_)
            ));
        }
    }

    #[test]
    fn flags_win_over_file() {
        let file = Choices {
            version: Some("2.1.0".into()),
            bind: Some("0.0.0.0".into()),
            ports: [("apiserver".to_string(), 1)].into(),
            ..Default::default()
        };
        let flags = Choices {
            version: Some("2.3.0".into()),
            ports: [("fileserver".to_string(), 2)].into(),
            ..Default::default()
        };
        let m = flags.merged_over(file);
        assert_eq!(m.version.as_deref(), Some("2.3.0"));
        assert_eq!(m.bind.as_deref(), Some("0.0.0.0"));
        assert_eq!(m.ports.len(), 2);
    }

    #[test]
    fn choices_round_trip_through_toml() {
        let dir = tempfile::tempdir().unwrap();
        let c = Choices {
            version: Some("2.3.0".into()),
            images: [("mongo".to_string(), "m:1".to_string())].into(),
            env: vec!["A=1".into()],
            ..Default::default()
        };
        c.save(dir.path()).unwrap();
        assert_eq!(Choices::load(dir.path()).unwrap(), c);
    }

    #[test]
    fn interpolation_follows_compose() {
        let env = |k: &str| match k {
            "SET" => Some("v".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        assert_eq!(interpolate("[${SET:-}]", &env), "[v]");
        assert_eq!(interpolate("${EMPTY:-d}", &env), "d");
        assert_eq!(interpolate("${EMPTY-d}", &env), "");
        assert_eq!(interpolate("${UNSET:-$SET}", &env), "v");
        assert_eq!(interpolate("${UNSET:->=0.17.0}", &env), ">=0.17.0");
        assert_eq!(interpolate("$$SET $SET", &env), "$SET v");
        assert_eq!(interpolate("${UNSET}", &env), "");
    }

    #[test]
    fn start_order_respects_dependencies() {
        let s = stack(StackChoices::default());
        let order: Vec<&str> = s.start_order().iter().map(|s| s.name.as_str()).collect();
        let pos = |n: &str| order.iter().position(|o| *o == n).unwrap();
        assert!(pos("mongo") < pos("apiserver"));
        assert!(pos("fileserver") < pos("apiserver"));
        assert!(pos("apiserver") < pos("webserver"));
        assert!(pos("apiserver") < pos("async_delete"));
    }

    #[test]
    fn versions_and_tags() {
        assert_eq!(parse_version("2.3.0"), Some((2, 3, 0)));
        assert_eq!(parse_version("1.17"), Some((1, 17, 0)));
        assert_eq!(parse_version("latest"), None);
        assert_eq!(image_tag("mirror:5000/mongo:7.0.22"), "7.0.22");
        assert_eq!(image_tag("mirror:5000/mongo"), "");
    }

    #[test]
    fn project_prefix_replaces_clearml() {
        assert_eq!(container_name("t1", "clearml-mongo"), "t1-mongo");
        assert_eq!(container_name("t1", "async_delete"), "t1-async_delete");
    }
}
