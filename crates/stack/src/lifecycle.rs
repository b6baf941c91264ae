//! `up`, `down`, `status`, `logs`: the stack's life, through the engine.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use bollard::secret::ContainerSummary;
use futures_util::StreamExt;

use super::docker::PullPolicy;
use super::docker::{self, Engine};
use super::ready::{self, Observed};
use super::spec::{LABEL_CONFIG_HASH, SERVICE_NAMES, Stack};
use crate::error::StackError;
use clearml_output::{Listing, Output, shape_value as to_value};

/// The uid the official images run as (Elasticsearch in particular).
pub const STACK_UID: u32 = 1000;

/// What `up` did to one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Unchanged,
    Started,
    Created,
    Recreated,
}

/// What `up` will do for one service.
struct Step<'a> {
    svc: &'a super::spec::Service,
    action: Action,
    /// The existing container, if any.
    old_id: Option<String>,
    env: Vec<(String, String)>,
    hash: String,
}

/// Ports published by the project's own containers (they do not count as "taken").
pub fn own_ports(containers: &[ContainerSummary]) -> Vec<u16> {
    containers
        .iter()
        .flat_map(|c| c.ports.clone().unwrap_or_default())
        .filter_map(|p| p.public_port)
        .collect()
}

/// Published ports someone else already holds on the bind address.
pub fn taken_ports(stack: &Stack, own: &[u16]) -> Vec<(String, u16, String)> {
    let mut taken = Vec::new();
    for svc in &stack.services {
        for p in &svc.ports {
            if own.contains(&p.host) {
                continue;
            }
            if let Err(e) = std::net::TcpListener::bind((stack.bind.as_str(), p.host)) {
                taken.push((svc.name.clone(), p.host, e.kind().to_string()));
            }
        }
    }
    taken
}

/// Create the data directories that are missing; when running as root, give the new ones
/// to uid 1000 (what the official images expect) instead of leaving them root-owned.
pub fn ensure_data_dirs(stack: &Stack) -> anyhow::Result<()> {
    for dir in stack.data_dirs() {
        if dir.exists() {
            continue;
        }
        std::fs::create_dir_all(&dir).map_err(|e| {
            StackError::failure(format!("cannot create {}: {e}", dir.display())).with_hint(
                "run as root, or create it and 'chown -R 1000:1000' it, or pick --data-dir",
            )
        })?;
        if is_root() {
            chown_tree(&dir, STACK_UID)?;
        }
    }
    Ok(())
}

pub fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// `chown -R uid:uid` (symlinks themselves, never their targets).
pub fn chown_tree(path: &Path, uid: u32) -> anyhow::Result<()> {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid))
        .map_err(|e| anyhow::anyhow!("cannot chown {}: {e}", path.display()))?;
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(path)? {
            chown_tree(&entry?.path(), uid)?;
        }
    }
    Ok(())
}

pub fn owner_uid(path: &Path) -> Option<u32> {
    std::fs::metadata(path).ok().map(|m| m.uid())
}

/// Bring the stack up: images, networks, containers (recreating only changed ones), start in
/// dependency order, wait for readiness.
pub async fn up(
    engine: &Engine,
    stack: &Stack,
    pull: PullPolicy,
    timeout: Duration,
    out: &Output,
) -> anyhow::Result<()> {
    let version = up_ready(engine, stack, pull, timeout, out).await?;
    print_urls(stack, version.as_deref(), out);
    Ok(())
}

/// `up` without the URLs on stdout (for commands with their own result there); returns the
/// version the API server reports.
pub async fn up_ready(
    engine: &Engine,
    stack: &Stack,
    pull: PullPolicy,
    timeout: Duration,
    out: &Output,
) -> anyhow::Result<Option<String>> {
    let up = Up {
        engine,
        stack,
        out,
        began: std::time::Instant::now(),
    };
    let existing = engine.containers(&stack.project).await?;
    check_ports_free(stack, &existing)?;
    let images = up.prepare(pull).await?;
    up.remove_dropped(&existing).await?;
    let plan = up.plan(&existing, &images);
    let ids = up.create(&plan).await?;
    up.start(&plan, &ids).await?;
    up.tell_actions(&plan);
    let ready = ready::wait(engine, stack, &ids, timeout, out).await?;
    out.info(format!(
        "ready in {:.1}s (server {})",
        up.began.elapsed().as_secs_f64(),
        ready.server_version.as_deref().unwrap_or("unknown")
    ));
    Ok(ready.server_version)
}

/// A published port someone else holds fails `up` before anything changes.
fn check_ports_free(stack: &Stack, existing: &[ContainerSummary]) -> Result<(), StackError> {
    let taken = taken_ports(stack, &own_ports(existing));
    if taken.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = taken
        .iter()
        .map(|(s, p, why)| format!("{}:{p} for {s} ({why})", stack.bind))
        .collect();
    let flags: Vec<String> = taken
        .iter()
        .map(|(s, p, _)| format!("--port {s}={}", p + 1000))
        .collect();
    let in_use = taken
        .iter()
        .all(|(_, _, why)| why.as_str() == std::io::ErrorKind::AddrInUse.to_string());
    let headline = if in_use {
        "port already in use"
    } else {
        "cannot publish on the bind address (is it an address of this host?)"
    };
    Err(
        StackError::failure(format!("{headline}: {}", list.join(", "))).with_hint(if in_use {
            format!(
                "stop what holds it, or choose another port, e.g. {}",
                flags.join(" ")
            )
        } else {
            "pass --bind with an address of this host, e.g. 127.0.0.1 or 0.0.0.0".to_string()
        }),
    )
}

/// The phases of one `up`, sharing the engine, the stack and the clock for `-v` timings.
struct Up<'a> {
    engine: &'a Engine,
    stack: &'a Stack,
    out: &'a Output,
    began: std::time::Instant,
}

impl<'a> Up<'a> {
    /// With -v: how long the phases take.
    fn timing(&self, what: impl std::fmt::Display) {
        if self.out.verbose > 0 {
            self.out.info(format!(
                "{what} at {:.2}s",
                self.began.elapsed().as_secs_f64()
            ));
        }
    }

    /// Data dirs, the choices file, images and networks; returns image -> image id.
    async fn prepare(&self, pull: PullPolicy) -> anyhow::Result<HashMap<String, String>> {
        ensure_data_dirs(self.stack)?;
        self.stack.choices.save(&self.stack.data_dir)?;
        let images = self
            .engine
            .ensure_images(self.stack, pull, self.out)
            .await?;
        self.engine.ensure_networks(self.stack).await?;
        self.timing("images and networks ready");
        Ok(images)
    }

    /// Containers of services no longer in the spec (e.g. agent-services turned off).
    async fn remove_dropped(&self, existing: &[ContainerSummary]) -> anyhow::Result<()> {
        for c in existing {
            let svc = docker::service_of(c).unwrap_or("");
            if self.stack.service(svc).is_none()
                && let Some(id) = &c.id
            {
                self.out
                    .info(format!("removing {svc} (no longer part of the stack)"));
                self.engine.remove(id).await?;
            }
        }
        Ok(())
    }

    /// What to do with each service, in start order: its config hash decides.
    fn plan(
        &self,
        existing: &'a [ContainerSummary],
        images: &HashMap<String, String>,
    ) -> Vec<Step<'a>> {
        let by_service: HashMap<&str, &ContainerSummary> = existing
            .iter()
            .filter_map(|c| docker::service_of(c).map(|s| (s, c)))
            .collect();
        let lookup = |k: &str| std::env::var(k).ok();
        let mut plan: Vec<Step> = Vec::new();
        for svc in self.stack.start_order() {
            let image_id = images.get(&svc.image).cloned().unwrap_or_default();
            let env = svc.resolved_env(&lookup);
            let hash = svc.config_hash(&env, &image_id, &self.stack.bind);
            let (action, old_id) = match by_service.get(svc.name.as_str()) {
                Some(c) if docker::label_of(c, LABEL_CONFIG_HASH) == Some(hash.as_str()) => {
                    let running =
                        matches!(c.state.as_deref(), Some("running") | Some("restarting"));
                    let action = if running {
                        Action::Unchanged
                    } else {
                        Action::Started
                    };
                    (action, c.id.clone())
                }
                Some(c) => (Action::Recreated, c.id.clone()),
                None => (Action::Created, None),
            };
            plan.push(Step {
                svc,
                action,
                old_id,
                env,
                hash,
            });
        }
        plan
    }

    /// Creates the new and changed containers in parallel (creation has no order);
    /// returns service -> container id.
    async fn create(&self, plan: &[Step<'_>]) -> anyhow::Result<HashMap<String, String>> {
        let (engine, stack) = (self.engine, self.stack);
        let creations = plan.iter().map(|step| async move {
            match step.action {
                Action::Unchanged | Action::Started => Ok(step.old_id.clone().unwrap_or_default()),
                Action::Recreated | Action::Created => {
                    if let Some(old) = &step.old_id {
                        engine.remove(old).await?;
                    }
                    engine.create(stack, step.svc, &step.env, &step.hash).await
                }
            }
        });
        let created = futures_util::future::join_all(creations).await;
        let mut ids: HashMap<String, String> = HashMap::new();
        for (step, id) in plan.iter().zip(created) {
            ids.insert(step.svc.name.clone(), id?);
        }
        self.timing("containers created");
        Ok(ids)
    }

    /// Starts in waves: every service whose dependencies have been started, all at once.
    async fn start(&self, plan: &[Step<'_>], ids: &HashMap<String, String>) -> anyhow::Result<()> {
        let mut started: Vec<&str> = Vec::new();
        while started.len() < plan.len() {
            let wave: Vec<&Step> =
                plan.iter()
                    .filter(|step| !started.contains(&step.svc.name.as_str()))
                    .filter(|step| {
                        step.svc.depends_on.iter().all(|d| {
                            started.contains(&d.as_str()) || self.stack.service(d).is_none()
                        })
                    })
                    .collect();
            // start_order() guarantees progress; guard against a cycle all the same.
            let wave = if wave.is_empty() {
                plan.iter()
                    .filter(|step| !started.contains(&step.svc.name.as_str()))
                    .collect()
            } else {
                wave
            };
            let starts = wave.iter().map(|step| {
                let id = ids[&step.svc.name].clone();
                async move {
                    match step.action {
                        Action::Unchanged => Ok(()),
                        _ => self.engine.start(&id, &step.svc.container_name).await,
                    }
                }
            });
            for result in futures_util::future::join_all(starts).await {
                result?;
            }
            started.extend(wave.iter().map(|step| step.svc.name.as_str()));
            let names: Vec<&str> = wave.iter().map(|step| step.svc.name.as_str()).collect();
            self.timing(format_args!("started {}", names.join(", ")));
        }
        Ok(())
    }

    /// What changed, one line per service (or that nothing did).
    fn tell_actions(&self, plan: &[Step<'_>]) {
        if plan.iter().all(|step| step.action == Action::Unchanged) {
            self.out.info(format!(
                "the stack is already running ({} services); checking readiness",
                plan.len()
            ));
            return;
        }
        for step in plan {
            if step.action != Action::Unchanged {
                self.out.info(format!(
                    "{}: {}",
                    step.svc.name,
                    format!("{:?}", step.action).to_lowercase()
                ));
            }
        }
    }
}

fn print_urls(stack: &Stack, version: Option<&str>, out: &Output) {
    let urls = [
        ("web_server", stack.url_of("webserver")),
        ("api_server", stack.url_of("apiserver")),
        ("files_server", stack.url_of("fileserver")),
    ];
    if out.format == clearml_output::Format::Json {
        let [web, api, files] = urls.map(|(_, url)| url);
        out.json(&to_value(&super::json::Urls {
            web_server: web,
            api_server: api,
            files_server: files,
            server_version: version.map(str::to_string),
        }));
    } else {
        for (k, v) in urls {
            if let Some(v) = v {
                println!("{k:<13} {v}");
            }
        }
    }
}

/// Stop and remove the project's containers and networks; the data stays.
pub async fn down(engine: &Engine, stack: &Stack, out: &Output) -> anyhow::Result<(usize, usize)> {
    let containers = engine.containers(&stack.project).await?;
    // Dependents first, so nothing logs connection errors to an already stopped database.
    let order: Vec<String> = stack
        .start_order()
        .iter()
        .rev()
        .map(|s| s.name.clone())
        .collect();
    let mut sorted: Vec<&ContainerSummary> = containers.iter().collect();
    sorted.sort_by_key(|c| {
        let svc = docker::service_of(c).unwrap_or("");
        order.iter().position(|n| n == svc).unwrap_or(0)
    });
    let removals = sorted.iter().map(|c| async move {
        let id = c.id.clone().unwrap_or_default();
        engine.remove(&id).await
    });
    for result in futures_util::future::join_all(removals).await {
        result?;
    }
    let networks = engine.networks(&stack.project).await?;
    for net in &networks {
        engine.remove_network(net).await?;
    }
    out.info(format!(
        "removed {} containers and {} networks; data kept in {}",
        containers.len(),
        networks.len(),
        stack.data_dir.display()
    ));
    Ok((containers.len(), networks.len()))
}

/// One row per service of the spec, from the engine and a readiness probe.
/// Returns (healthy, number of the stack's containers that exist).
pub async fn status(engine: &Engine, stack: &Stack, out: &Output) -> anyhow::Result<(bool, usize)> {
    let containers = engine.containers(&stack.project).await?;
    let client = ready::http_client();
    let mut listing = Listing::new([
        "service",
        "container",
        "state",
        "ready",
        "restarts",
        "oomkilled",
        "image",
        "ports",
        "uptime",
    ]);
    let mut services = Vec::new();
    let mut healthy = true;
    let mut version: Option<String> = None;
    let now = chrono::Utc::now();
    for svc in &stack.services {
        let summary = containers
            .iter()
            .find(|c| docker::service_of(c) == Some(svc.name.as_str()));
        let obs = match summary.and_then(|c| c.id.as_deref()) {
            Some(id) => engine
                .inspect(id)
                .await?
                .map(|c| Observed::from_inspect(&c)),
            None => None,
        };
        let (state, is_ready, reason) = match &obs {
            None => (
                "missing".to_string(),
                false,
                Some("no container".to_string()),
            ),
            Some(o) => match ready::probe(stack, svc, o, &client).await {
                Ok(v) => {
                    if v.is_some() {
                        version = v;
                    }
                    (o.state.clone(), true, None)
                }
                Err(why) => (o.state.clone(), false, Some(why)),
            },
        };
        healthy &= is_ready;
        let row = status_row(stack, svc, obs.as_ref(), state, is_ready, reason, now);
        let cells = status_cells(&row);
        listing.push(cells, to_value(&row));
        services.push(row);
    }
    match out.format {
        clearml_output::Format::Json => out.json(&to_value(&super::json::StackStatus {
            project: stack.project.clone(),
            data_dir: stack.data_dir.clone(),
            server_version: version.clone(),
            healthy,
            services,
        })),
        clearml_output::Format::Csv => out.listing(&listing),
        clearml_output::Format::Table => {
            out.listing(&listing);
            println!(
                "\nserver version: {}   stack: {}",
                version
                    .as_deref()
                    .unwrap_or("unknown (apiserver not answering)"),
                if healthy { "healthy" } else { "degraded" }
            );
        }
    }
    Ok((healthy, containers.len()))
}

/// The status of one service from its container (if any) and the readiness verdict.
fn status_row(
    stack: &Stack,
    svc: &super::spec::Service,
    obs: Option<&Observed>,
    state: String,
    is_ready: bool,
    reason: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> super::json::ServiceStatus {
    let ports: Vec<String> = svc
        .ports
        .iter()
        .map(|p| format!("{}:{}->{}", stack.bind, p.host, p.container))
        .collect();
    let uptime = obs
        .filter(|o| o.running)
        .and_then(|o| o.started_at)
        .map(|t| (now - t).to_std().unwrap_or_default())
        .map(|d| humantime::format_duration(Duration::from_secs(d.as_secs())).to_string());
    let o = obs.cloned().unwrap_or_default();
    super::json::ServiceStatus {
        service: svc.name.clone(),
        container: svc.container_name.clone(),
        state,
        ready: is_ready,
        reason,
        restarts: o.restart_count,
        oom_killed: o.oom_killed,
        exit_code: o.exit_code,
        image: if o.image.is_empty() {
            svc.image.clone()
        } else {
            o.image.clone()
        },
        ports,
        uptime,
        started_at: o.started_at.map(|t| t.to_rfc3339()),
    }
}

/// The table cells of one service's status.
fn status_cells(row: &super::json::ServiceStatus) -> Vec<String> {
    vec![
        row.service.clone(),
        row.container.clone(),
        row.state.clone(),
        if row.ready { "yes".into() } else { "no".into() },
        row.restarts.to_string(),
        row.oom_killed.to_string(),
        row.image.clone(),
        row.ports.join(","),
        row.uptime.clone().unwrap_or_else(|| "-".into()),
    ]
}

/// `logs [SERVICE…] [-f] [--tail N] [--since D]`: lines prefixed by their service.
pub async fn logs(
    engine: &Engine,
    stack: &Stack,
    services: &[String],
    follow: bool,
    tail: Option<u64>,
    since: Option<&str>,
) -> anyhow::Result<()> {
    for s in services {
        if !SERVICE_NAMES.contains(&s.as_str()) {
            return Err(StackError::usage(format!("unknown service '{s}'"))
                .with_hint(format!("services are: {}", SERVICE_NAMES.join(", ")))
                .into());
        }
    }
    let since = match since {
        None => 0,
        Some(d) => {
            let d = clearml_config::duration::parse(d)
                .map_err(|e| StackError::usage(format!("--since {e}")))?;
            chrono::Utc::now().timestamp() - d.as_secs() as i64
        }
    };
    let containers = engine.containers(&stack.project).await?;
    let wanted: Vec<&ContainerSummary> = containers
        .iter()
        .filter(|c| {
            let svc = docker::service_of(c).unwrap_or("");
            services.is_empty() || services.iter().any(|s| s == svc)
        })
        .collect();
    if wanted.is_empty() {
        return Err(
            StackError::not_found("no container of the stack to show logs of")
                .with_hint("is it up? try 'clearml server status'")
                .into(),
        );
    }
    let width = wanted
        .iter()
        .map(|c| docker::service_of(c).unwrap_or("").len())
        .max()
        .unwrap_or(0);
    let streams = wanted.iter().map(|c| {
        let name = format!("{:<width$}", docker::service_of(c).unwrap_or(""));
        let id = c.id.clone().unwrap_or_default();
        engine
            .log_stream(&id, follow, tail, since)
            .map(move |item| (name.clone(), item))
            .boxed()
    });
    let mut merged = futures_util::stream::select_all(streams);
    // Chunks may split lines; keep the unfinished tail per service.
    let mut partial: HashMap<String, String> = HashMap::new();
    use std::io::Write;
    let stdout = std::io::stdout();
    while let Some((name, item)) = merged.next().await {
        let chunk = match item {
            Ok(chunk) => chunk,
            Err(e) => return Err(anyhow::anyhow!("reading logs: {}", docker::short_error(&e))),
        };
        let buf = partial.entry(name.clone()).or_default();
        buf.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
        let mut lock = stdout.lock();
        while let Some(pos) = buf.find('\n') {
            let line: String = buf.drain(..=pos).collect();
            // A reader that left (`server logs -f | grep -m1 x`) ends the follow.
            writeln!(lock, "{name} | {}", line.trim_end_matches(['\n', '\r']))?;
        }
        lock.flush()?;
    }
    for (name, rest) in partial {
        if !rest.is_empty() {
            println!("{name} | {rest}");
        }
    }
    Ok(())
}

/// Stop the project's running containers (dependents first); returns service -> id of
/// those that were running, so they can be started again.
pub async fn stop_running(
    engine: &Engine,
    stack: &Stack,
) -> anyhow::Result<HashMap<String, String>> {
    let containers = engine.containers(&stack.project).await?;
    let mut running = HashMap::new();
    for svc in stack.start_order().iter().rev() {
        let Some(c) = containers
            .iter()
            .find(|c| docker::service_of(c) == Some(svc.name.as_str()))
        else {
            continue;
        };
        if matches!(c.state.as_deref(), Some("running") | Some("restarting")) {
            let id = c.id.clone().unwrap_or_default();
            engine.stop(&id).await?;
            running.insert(svc.name.clone(), id);
        }
    }
    Ok(running)
}

/// Start again what `stop_running` stopped, in dependency order, and wait for readiness.
pub async fn start_again(
    engine: &Engine,
    stack: &Stack,
    ids: &HashMap<String, String>,
    out: &Output,
) -> anyhow::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    for svc in stack.start_order() {
        if let Some(id) = ids.get(&svc.name) {
            engine.start(id, &svc.container_name).await?;
        }
    }
    // Only the services that were running are waited for.
    let mut partial = stack.clone();
    partial.services.retain(|s| ids.contains_key(&s.name));
    let ready = ready::wait(engine, &partial, ids, Duration::from_secs(300), out).await?;
    out.info(format!(
        "the stack is running again (ready in {:.1}s)",
        ready.elapsed.as_secs_f64()
    ));
    Ok(())
}

/// The server version: from server.info when the apiserver answers, else the configured tag.
/// server.info needs credentials: the key pair the apiserver was given, when the spec has one.
pub async fn server_version(stack: &Stack) -> String {
    let keys = stack.service("apiserver").and_then(|s| {
        Some((
            s.env.get("CLEARML_API_ACCESS_KEY")?.clone(),
            s.env.get("CLEARML_API_SECRET_KEY")?.clone(),
        ))
    });
    if let Some(url) = stack.url_of("apiserver")
        && let Ok(v) = ready::probe_api(&ready::http_client(), &url, keys.as_ref()).await
        && v != "unknown"
    {
        return v;
    }
    stack.version.clone()
}

/// Resolve the stack; without --data-dir, the data dir of the project's existing containers
/// (their working_dir label) wins over the default, so `status`, `logs`, `down`, `backup`
/// and a repeated `up` find a stack started with another --data-dir.
pub async fn resolve(
    args: &super::spec::StackChoices,
    engine: Option<&Engine>,
) -> anyhow::Result<Stack> {
    if args.data_dir.is_none()
        && let Some(engine) = engine
    {
        let project = super::spec::project_name()?;
        let containers = engine.containers(&project).await?;
        if let Some(dir) = containers
            .iter()
            .find_map(|c| docker::label_of(c, super::spec::LABEL_WORKING_DIR))
        {
            let mut with_dir = args.clone();
            with_dir.data_dir = Some(std::path::PathBuf::from(dir));
            return Stack::resolve(&with_dir);
        }
    }
    Stack::resolve(args)
}
