//! The Docker Engine API calls the stack needs (bollard): connect and negotiate the API
//! version, pull with progress, networks, containers, logs, inspect. No docker CLI.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;
use bollard::Docker;
use bollard::container::{
    Config, CreateContainerOptions, InspectContainerOptions, ListContainersOptions, LogOutput,
    LogsOptions, NetworkingConfig, RemoveContainerOptions, StartContainerOptions,
    StopContainerOptions,
};
use bollard::image::CreateImageOptions;
use bollard::network::{ConnectNetworkOptions, CreateNetworkOptions, ListNetworksOptions};
use bollard::secret::{
    ContainerInspectResponse, ContainerSummary, EndpointSettings, HostConfig, PortBinding,
    ResourcesUlimits, RestartPolicy, RestartPolicyNameEnum,
};
use futures_util::{Stream, StreamExt};

use super::spec::{LABEL_NETWORK, LABEL_PROJECT, LABEL_SERVICE, Restart, Service, Stack};
use crate::error::StackError;
use clearml_output::Output;

/// When `up` pulls an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PullPolicy {
    /// Only images that are not present.
    #[default]
    Missing,
    Always,
    /// Never: a missing image is an error.
    Never,
}

/// A connected engine with the negotiated API version.
pub struct Engine {
    pub docker: Docker,
    pub host: String,
    pub api_version: String,
    pub engine_version: String,
    pub arch: String,
}

fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_string())
}

/// Connect to the engine named by DOCKER_HOST (default: the local socket) and negotiate the
/// API version (the engine may be older than bollard's default). Exit 3 when unreachable.
pub async fn connect() -> anyhow::Result<Engine> {
    let host = docker_host();
    let unreachable = |why: String| {
        StackError::unreachable(format!("cannot reach the Docker engine at {host} ({why})")).with_hint(
            "is Docker installed and running (systemctl start docker)? Is DOCKER_HOST right, and may \
             this user use the socket (the 'docker' group)?",
        )
    };
    let docker = Docker::connect_with_defaults().map_err(|e| unreachable(e.to_string()))?;
    let docker = tokio::time::timeout(Duration::from_secs(15), docker.negotiate_version())
        .await
        .map_err(|_| unreachable("no answer in 15 s".into()))?
        .map_err(|e| unreachable(short_error(&e)))?;
    let version = docker
        .version()
        .await
        .map_err(|e| unreachable(short_error(&e)))?;
    Ok(Engine {
        api_version: docker.client_version().to_string(),
        engine_version: version.version.unwrap_or_default(),
        arch: version.arch.unwrap_or_default(),
        docker,
        host,
    })
}

/// bollard's errors for a missing socket are long; keep the OS reason.
pub fn short_error(e: &bollard::errors::Error) -> String {
    let text = e.to_string();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut last = None;
    while let Some(s) = source {
        last = Some(s.to_string());
        source = s.source();
    }
    last.filter(|l| !l.is_empty()).unwrap_or(text)
}

/// Whether an error is the engine's "404 no such ...".
pub fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

impl Engine {
    /// Run `cmd` inside a running container (as `docker exec` does) and collect its
    /// stdout; gives up after `limit`. Returns the exit code and the output.
    pub async fn exec(
        &self,
        id: &str,
        cmd: &[&str],
        limit: Duration,
    ) -> anyhow::Result<(i64, String)> {
        let mut out = Vec::new();
        let (code, _stderr_tail) = self.exec_stream(id, cmd, None, &mut out, limit).await?;
        Ok((code, String::from_utf8_lossy(&out).into_owned()))
    }

    /// Run `cmd` inside a running container with its stdout streamed into `sink` (binary
    /// safe, never held in memory) and, when `input` is given, that file streamed into its
    /// stdin (closed at the end, so the command sees EOF). Returns the exit code and the
    /// last lines of its stderr (for the error message). Gives up after `limit`.
    pub async fn exec_stream(
        &self,
        id: &str,
        cmd: &[&str],
        input: Option<&std::path::Path>,
        sink: &mut (dyn std::io::Write + Send),
        limit: Duration,
    ) -> anyhow::Result<(i64, String)> {
        use bollard::exec::{CreateExecOptions, StartExecResults};
        use tokio::io::AsyncWriteExt;
        let run = async {
            let created = self
                .docker
                .create_exec(
                    id,
                    CreateExecOptions {
                        cmd: Some(cmd.to_vec()),
                        attach_stdin: Some(input.is_some()),
                        attach_stdout: Some(true),
                        attach_stderr: Some(true),
                        ..Default::default()
                    },
                )
                .await?;
            let mut err_tail = String::new();
            // Feeding stdin fails when the command exits without reading it all: its exit
            // code says why, so that error counts only after a zero exit.
            let mut fed_result = Ok(());
            if let StartExecResults::Attached {
                mut output,
                input: mut stdin,
            } = self.docker.start_exec(&created.id, None).await?
            {
                let feed = async {
                    if let Some(path) = input {
                        let mut file = tokio::fs::File::open(path)
                            .await
                            .with_context(|| format!("cannot read {}", path.display()))?;
                        tokio::io::copy(&mut file, &mut stdin).await?;
                        stdin.flush().await?;
                        stdin.shutdown().await?;
                    }
                    anyhow::Ok(())
                };
                let drain = async {
                    while let Some(item) = output.next().await {
                        match item? {
                            LogOutput::StdOut { message } => sink.write_all(&message)?,
                            LogOutput::StdErr { message } => {
                                err_tail.push_str(&String::from_utf8_lossy(&message));
                                if err_tail.len() > 4096 {
                                    let cut = err_tail.len() - 2048;
                                    let cut = (cut..err_tail.len())
                                        .find(|i| err_tail.is_char_boundary(*i))
                                        .unwrap_or(0);
                                    err_tail.drain(..cut);
                                }
                            }
                            _ => {}
                        }
                    }
                    anyhow::Ok(())
                };
                let (fed, drained) = tokio::join!(feed, drain);
                drained?;
                fed_result = fed;
            }
            sink.flush()?;
            let code = self
                .docker
                .inspect_exec(&created.id)
                .await?
                .exit_code
                .unwrap_or(-1);
            if code == 0 {
                fed_result?;
            }
            let tail: Vec<&str> = err_tail.lines().rev().take(3).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            anyhow::Ok((code, tail.join(" / ")))
        };
        tokio::time::timeout(limit, run)
            .await
            .map_err(|_| anyhow::anyhow!("no answer in {}s", limit.as_secs()))?
    }

    /// Every container of the project (running or not), by compose service label.
    pub async fn containers(&self, project: &str) -> anyhow::Result<Vec<ContainerSummary>> {
        let mut filters = HashMap::new();
        filters.insert(
            "label".to_string(),
            vec![format!("{LABEL_PROJECT}={project}")],
        );
        Ok(self
            .docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters,
                ..Default::default()
            }))
            .await?)
    }

    pub async fn inspect(&self, id: &str) -> anyhow::Result<Option<ContainerInspectResponse>> {
        match self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
        {
            Ok(c) => Ok(Some(c)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The local image id, or None when the image is not present.
    pub async fn image_id(&self, image: &str) -> anyhow::Result<Option<String>> {
        match self.docker.inspect_image(image).await {
            Ok(i) => Ok(i.id),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Make every image of the stack present according to the pull policy; returns image ->
    /// image id. One progress bar per image on a terminal, plain lines otherwise.
    pub async fn ensure_images(
        &self,
        stack: &Stack,
        policy: PullPolicy,
        out: &Output,
    ) -> anyhow::Result<HashMap<String, String>> {
        let mut images: Vec<String> = Vec::new();
        for svc in &stack.services {
            if !images.contains(&svc.image) {
                images.push(svc.image.clone());
            }
        }
        let mut ids = HashMap::new();
        let mut to_pull = Vec::new();
        for image in &images {
            match (self.image_id(image).await?, policy) {
                (Some(id), PullPolicy::Missing | PullPolicy::Never) => {
                    ids.insert(image.clone(), id);
                }
                (None, PullPolicy::Never) => {
                    return Err(StackError::failure(format!(
                        "image {image} is not present and --pull is never"
                    ))
                    .with_hint("load it (docker load) or run with --pull missing")
                    .into());
                }
                _ => to_pull.push(image.clone()),
            }
        }
        if to_pull.is_empty() {
            return Ok(ids);
        }
        let multi = out.progress.then(indicatif::MultiProgress::new);
        let pulls = to_pull
            .iter()
            .map(|image| self.pull(image, multi.as_ref(), out));
        let results = futures_util::future::join_all(pulls).await;
        for (image, result) in to_pull.iter().zip(results) {
            result?;
            let id = self
                .image_id(image)
                .await?
                .with_context(|| format!("image {image} still missing after the pull"))?;
            ids.insert(image.clone(), id);
        }
        Ok(ids)
    }

    async fn pull(
        &self,
        image: &str,
        multi: Option<&indicatif::MultiProgress>,
        out: &Output,
    ) -> anyhow::Result<()> {
        let bar = multi.map(|m| {
            let bar = m.add(indicatif::ProgressBar::new(0));
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix:30} [{bar:30}] {bytes}/{total_bytes} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix(image.to_string());
            bar
        });
        if bar.is_none() {
            out.info(format!("pulling {image}"));
        }
        let opts = CreateImageOptions {
            from_image: image,
            ..Default::default()
        };
        let mut stream = self.docker.create_image(Some(opts), None, None);
        // layer id -> (downloaded, total)
        let mut layers: HashMap<String, (u64, u64)> = HashMap::new();
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| {
                StackError::failure(format!("cannot pull {image}: {}", short_error(&e))).with_hint(
                    "check the registry is reachable and the tag exists; use --registry for a mirror, \
                     or load the image with 'docker load' and run with --pull never",
                )
            })?;
            let status = info.status.unwrap_or_default();
            if let (Some(id), Some(detail)) = (info.id.clone(), info.progress_detail)
                && let (Some(cur), Some(total)) = (detail.current, detail.total)
                && status.starts_with("Downloading")
            {
                layers.insert(id, (cur.max(0) as u64, total.max(0) as u64));
            }
            if let Some(bar) = &bar {
                let (cur, total) = layers
                    .values()
                    .fold((0, 0), |(c, t), (lc, lt)| (c + lc, t + lt));
                bar.set_length(total);
                bar.set_position(cur);
                bar.set_message(status);
            } else if !status.starts_with("Downloading") && !status.starts_with("Extracting") {
                match info.id {
                    Some(id) => out.info(format!("{image}: {id}: {status}")),
                    None => out.info(format!("{image}: {status}")),
                }
            }
        }
        if let Some(bar) = bar {
            bar.finish_with_message("pulled");
        }
        Ok(())
    }

    /// Create the project's networks that do not exist yet.
    pub async fn ensure_networks(&self, stack: &Stack) -> anyhow::Result<()> {
        let existing = self.networks(&stack.project).await?;
        for logical in stack.networks() {
            let name = stack.network_name(&logical);
            if existing.contains(&name) {
                continue;
            }
            let mut labels: HashMap<String, String> = stack.base_labels().into_iter().collect();
            labels.insert(LABEL_NETWORK.to_string(), logical.clone());
            self.docker
                .create_network(CreateNetworkOptions {
                    name: name.clone(),
                    driver: "bridge".to_string(),
                    check_duplicate: true,
                    labels,
                    ..Default::default()
                })
                .await
                .with_context(|| format!("cannot create network {name}"))?;
        }
        Ok(())
    }

    /// Names of the project's networks.
    pub async fn networks(&self, project: &str) -> anyhow::Result<Vec<String>> {
        let mut filters = HashMap::new();
        filters.insert(
            "label".to_string(),
            vec![format!("{LABEL_PROJECT}={project}")],
        );
        let nets = self
            .docker
            .list_networks(Some(ListNetworksOptions { filters }))
            .await?;
        Ok(nets.into_iter().filter_map(|n| n.name).collect())
    }

    pub async fn remove_network(&self, name: &str) -> anyhow::Result<()> {
        match self.docker.remove_network(name).await {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(anyhow::anyhow!(
                "cannot remove network {name}: {}",
                short_error(&e)
            )),
        }
    }

    /// Create (not start) a service's container, attached to all its networks with the
    /// service name as DNS alias (what compose does, so `mongo`, `redis`, ... resolve).
    pub async fn create(
        &self,
        stack: &Stack,
        svc: &Service,
        env: &[(String, String)],
        config_hash: &str,
    ) -> anyhow::Result<String> {
        let config = container_config(stack, svc, env, config_hash);
        let created = self
            .docker
            .create_container(
                Some(CreateContainerOptions {
                    name: svc.container_name.clone(),
                    platform: None,
                }),
                config,
            )
            .await
            .map_err(|e| create_failed(&e, svc))?;
        for net in svc.networks.iter().skip(1) {
            self.docker
                .connect_network(
                    &stack.network_name(net),
                    ConnectNetworkOptions {
                        container: created.id.clone(),
                        endpoint_config: endpoint(svc),
                    },
                )
                .await
                .with_context(|| {
                    format!("cannot attach {} to network {net}", svc.container_name)
                })?;
        }
        Ok(created.id)
    }

    pub async fn start(&self, id: &str, name: &str) -> anyhow::Result<()> {
        self.docker
            .start_container(id, None::<StartContainerOptions<String>>)
            .await
            .map_err(|e| {
                let why = short_error(&e);
                let hint = if why.contains("rlimit type 8") {
                    "this Docker engine may not raise the memlock limit (rootless or nested Docker): \
                     run with --env elasticsearch:bootstrap.memory_lock=false"
                } else if why.contains("port is already allocated") || why.contains("address already in use") {
                    "a published port is taken: choose another with --port SERVICE=N"
                } else {
                    "see 'clearml server doctor'; 'clearml server down' removes what was created"
                };
                StackError::failure(format!("cannot start {name}: {why}")).with_hint(hint).into()
            })
    }

    pub async fn stop(&self, id: &str) -> anyhow::Result<()> {
        match self
            .docker
            .stop_container(id, Some(StopContainerOptions { t: 10 }))
            .await
        {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            // 304: already stopped.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 304, ..
            }) => Ok(()),
            Err(e) => Err(anyhow::anyhow!("cannot stop {id}: {}", short_error(&e))),
        }
    }

    /// Stop and remove a container with its anonymous volumes (ES logs); bind mounts stay.
    pub async fn remove(&self, id: &str) -> anyhow::Result<()> {
        self.stop(id).await?;
        match self
            .docker
            .remove_container(
                id,
                Some(RemoveContainerOptions {
                    force: true,
                    v: true,
                    ..Default::default()
                }),
            )
            .await
        {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(anyhow::anyhow!(
                "cannot remove container {id}: {}",
                short_error(&e)
            )),
        }
    }

    /// A container's log as text lines (stdout and stderr interleaved as docker keeps them).
    pub fn log_stream(
        &self,
        id: &str,
        follow: bool,
        tail: Option<u64>,
        since: i64,
    ) -> impl Stream<Item = Result<LogOutput, bollard::errors::Error>> + use<> {
        self.docker.logs(
            id,
            Some(LogsOptions::<String> {
                follow,
                stdout: true,
                stderr: true,
                since,
                tail: tail
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "all".to_string()),
                ..Default::default()
            }),
        )
    }

    /// The last `n` log lines of a container (for failure reports).
    pub async fn last_lines(&self, id: &str, n: u64) -> Vec<String> {
        let mut lines = Vec::new();
        let mut stream = self.log_stream(id, false, Some(n), 0);
        while let Some(Ok(chunk)) = stream.next().await {
            let text = String::from_utf8_lossy(&chunk.into_bytes()).to_string();
            lines.extend(text.lines().map(|l| l.to_string()));
        }
        let skip = lines.len().saturating_sub(n as usize);
        lines.split_off(skip)
    }
}

/// The compose service a container belongs to.
pub fn service_of(c: &ContainerSummary) -> Option<&str> {
    c.labels.as_ref()?.get(LABEL_SERVICE).map(String::as_str)
}

pub fn label_of<'a>(c: &'a ContainerSummary, key: &str) -> Option<&'a str> {
    c.labels.as_ref()?.get(key).map(String::as_str)
}

/// A service's endpoint on one of its networks: reachable by service and container name.
fn endpoint(svc: &Service) -> EndpointSettings {
    EndpointSettings {
        aliases: Some(vec![svc.name.clone(), svc.container_name.clone()]),
        ..Default::default()
    }
}

/// The create request for a service's container, on its first network only: API < 1.44
/// accepts one network at create time; the others are connected after.
fn container_config(
    stack: &Stack,
    svc: &Service,
    env: &[(String, String)],
    config_hash: &str,
) -> Config<String> {
    let exposed: HashMap<String, HashMap<(), ()>> = svc
        .ports
        .iter()
        .map(|p| (format!("{}/tcp", p.container), HashMap::new()))
        .collect();
    let anonymous: HashMap<String, HashMap<(), ()>> = svc
        .mounts
        .iter()
        .filter(|m| m.source.is_none())
        .map(|m| (m.target.clone(), HashMap::new()))
        .collect();
    let first_net = stack.network_name(&svc.networks[0]);
    let mut endpoints = HashMap::new();
    endpoints.insert(first_net.clone(), endpoint(svc));
    Config {
        image: Some(svc.image.clone()),
        cmd: (!svc.command.is_empty()).then(|| svc.command.clone()),
        entrypoint: (!svc.entrypoint.is_empty()).then(|| svc.entrypoint.clone()),
        env: Some(env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
        labels: Some(
            stack
                .container_labels(svc, config_hash)
                .into_iter()
                .collect(),
        ),
        exposed_ports: Some(exposed),
        volumes: (!anonymous.is_empty()).then_some(anonymous),
        host_config: Some(host_config(stack, svc, first_net)),
        networking_config: Some(NetworkingConfig {
            endpoints_config: endpoints,
        }),
        ..Default::default()
    }
}

/// Published ports, bind mounts, restart policy and limits of a service's container.
fn host_config(stack: &Stack, svc: &Service, first_net: String) -> HostConfig {
    let port_bindings: HashMap<String, Option<Vec<PortBinding>>> = svc
        .ports
        .iter()
        .map(|p| {
            let binding = PortBinding {
                host_ip: Some(stack.bind.clone()),
                host_port: Some(p.host.to_string()),
            };
            (format!("{}/tcp", p.container), Some(vec![binding]))
        })
        .collect();
    let binds: Vec<String> = svc
        .mounts
        .iter()
        .filter_map(|m| {
            m.source
                .as_ref()
                .map(|s| format!("{}:{}", s.display(), m.target))
        })
        .collect();
    let ulimits: Vec<ResourcesUlimits> = svc
        .ulimits
        .iter()
        .map(|u| ResourcesUlimits {
            name: Some(u.name.clone()),
            soft: Some(u.soft),
            hard: Some(u.hard),
        })
        .collect();
    let restart = match svc.restart {
        Restart::UnlessStopped => RestartPolicyNameEnum::UNLESS_STOPPED,
        Restart::OnFailure => RestartPolicyNameEnum::ON_FAILURE,
    };
    HostConfig {
        binds: Some(binds),
        port_bindings: Some(port_bindings),
        restart_policy: Some(RestartPolicy {
            name: Some(restart),
            maximum_retry_count: None,
        }),
        ulimits: (!ulimits.is_empty()).then_some(ulimits),
        privileged: Some(svc.privileged),
        network_mode: Some(first_net),
        ..Default::default()
    }
}

/// Why creating a service's container failed; a name taken by a foreign container (409)
/// gets a hint how to free it.
fn create_failed(e: &bollard::errors::Error, svc: &Service) -> anyhow::Error {
    match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code: 409, ..
        } => StackError::failure(format!(
            "container name {} is taken by a container this stack does not manage",
            svc.container_name
        ))
        .with_hint(format!(
            "remove it (docker rm -f {}) or run this stack under another project name ({})",
            svc.container_name,
            super::spec::PROJECT_ENV
        ))
        .into(),
        _ => anyhow::anyhow!(
            "cannot create container {}: {}",
            svc.container_name,
            short_error(e)
        ),
    }
}
