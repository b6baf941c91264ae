//! Real readiness: databases running and not restarting, then the apiserver's `debug.ping`
//! and `server.info` over HTTP on the published port, the file server and web server
//! answering HTTP. On failure, a report a person can act on (state, exit code, OOMKilled,
//! restarts, last log lines, and the likely fix from the known deployment failures).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::secret::{ContainerInspectResponse, ContainerStateStatusEnum};

use super::docker::Engine;
use super::spec::{Role, Service, Stack};
use crate::error::StackError;
use clearml_output::Output;

/// What one look at a container says.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub id: String,
    pub state: String,
    pub running: bool,
    pub restarting: bool,
    pub exit_code: i64,
    pub oom_killed: bool,
    pub restart_count: i64,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub image: String,
    /// The API key pair the container was started with (CLEARML_API_ACCESS_KEY/SECRET_KEY),
    /// for `server.info`, which the real server answers only with credentials.
    pub api_keys: Option<(String, String)>,
}

impl Observed {
    pub fn from_inspect(c: &ContainerInspectResponse) -> Observed {
        let state = c.state.clone().unwrap_or_default();
        let status = state.status.unwrap_or(ContainerStateStatusEnum::EMPTY);
        Observed {
            id: c.id.clone().unwrap_or_default(),
            state: status.to_string(),
            running: state.running.unwrap_or(false) && !state.restarting.unwrap_or(false),
            restarting: state.restarting.unwrap_or(false),
            exit_code: state.exit_code.unwrap_or(0),
            oom_killed: state.oom_killed.unwrap_or(false),
            restart_count: c.restart_count.unwrap_or(0),
            started_at: state
                .started_at
                .as_deref()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.with_timezone(&chrono::Utc))
                .filter(|t| t.timestamp() > 0),
            image: c
                .config
                .as_ref()
                .and_then(|c| c.image.clone())
                .unwrap_or_default(),
            api_keys: c.config.as_ref().and_then(|c| {
                let env = c.env.as_ref()?;
                let get = |k: &str| {
                    env.iter()
                        .find_map(|e| e.strip_prefix(k)?.strip_prefix('=').map(str::to_string))
                        .filter(|v| !v.is_empty())
                };
                Some((
                    get("CLEARML_API_ACCESS_KEY")?,
                    get("CLEARML_API_SECRET_KEY")?,
                ))
            }),
        }
    }

    /// Crashed at least once since `baseline` restarts, or gone for good.
    fn crashing(&self, baseline: i64) -> bool {
        self.oom_killed
            || self.restart_count >= baseline + 2
            || self.state == "dead"
            || self.state == "exited"
    }
}

/// How long a database or worker must have been running to count as ready.
const STABLE_MS: i64 = 300;

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(3))
        .no_proxy()
        .build()
        .expect("http client")
}

/// `debug.ping` then `server.info` on the apiserver; Ok(version) when both answer. The real
/// server refuses `server.info` without credentials (401 in its JSON envelope): that answer
/// still proves the API is serving, only the version stays unknown.
pub async fn probe_api(
    client: &reqwest::Client,
    base: &str,
    keys: Option<&(String, String)>,
) -> Result<String, String> {
    get_success(client, base, "debug.ping").await?;
    let mut req = client.get(format!("{base}/server.info"));
    if let Some((key, secret)) = keys {
        req = req.basic_auth(key, Some(secret));
    }
    let info = req
        .send()
        .await
        .map_err(|e| format!("server.info: {}", reqwest_reason(&e)))?;
    let status = info.status().as_u16();
    let body: serde_json::Value = info
        .json()
        .await
        .map_err(|e| format!("server.info answered HTTP {status}, not JSON ({e})"))?;
    match status {
        200..=299 => Ok(body["data"]["version"]
            .as_str()
            .unwrap_or("unknown")
            .to_string()),
        401 if body["meta"]["result_code"] == 401 => Ok("unknown".to_string()),
        _ => Err(format!("server.info answered HTTP {status}")),
    }
}

/// GET `base/endpoint`; the response when it answers with a success status.
async fn get_success(
    client: &reqwest::Client,
    base: &str,
    endpoint: &str,
) -> Result<reqwest::Response, String> {
    let resp = client
        .get(format!("{base}/{endpoint}"))
        .send()
        .await
        .map_err(|e| format!("{endpoint}: {}", reqwest_reason(&e)))?;
    if !resp.status().is_success() {
        return Err(format!(
            "{endpoint} answered HTTP {}",
            resp.status().as_u16()
        ));
    }
    Ok(resp)
}

/// Any HTTP answer except a proxy's "upstream not ready" counts: the file server answers
/// 404/405 on `/`, the web server 200.
pub async fn probe_http(client: &reqwest::Client, base: &str) -> Result<(), String> {
    let resp = client
        .get(format!("{base}/"))
        .send()
        .await
        .map_err(|e| reqwest_reason(&e))?;
    match resp.status().as_u16() {
        502..=504 => Err(format!("HTTP {}", resp.status().as_u16())),
        _ => Ok(()),
    }
}

fn reqwest_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused".into()
    } else {
        let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut last = e.to_string();
        while let Some(s) = src {
            last = s.to_string();
            src = s.source();
        }
        if last.contains("reset by peer")
            || last.contains("connection closed before message completed")
            || last.contains("connection was not ready")
        {
            // Docker's port forwarder accepts, then drops: nothing listens inside yet
            // (hyper words it by when the drop came: before the request or during it).
            "connection reset (nothing listening in the container)".into()
        } else {
            last
        }
    }
}

/// Readiness of one service from one look (used by `status` and the wait loop).
pub async fn probe(
    stack: &Stack,
    svc: &Service,
    obs: &Observed,
    client: &reqwest::Client,
) -> Result<Option<String>, String> {
    if !obs.running {
        return Err(format!(
            "container {}",
            if obs.restarting {
                "restarting"
            } else {
                &obs.state
            }
        ));
    }
    match svc.role {
        Role::Database | Role::Worker => {
            // A process that dies at start is "running" for a moment: ask for a little
            // stability before calling it ready.
            let up_for = obs
                .started_at
                .map(|t| (chrono::Utc::now() - t).num_milliseconds())
                .unwrap_or(0);
            if up_for >= STABLE_MS {
                Ok(None)
            } else {
                Err(format!("running for {up_for} ms only"))
            }
        }
        Role::Api => {
            let base = stack.url_of(&svc.name).ok_or("no published port")?;
            probe_api(client, &base, obs.api_keys.as_ref())
                .await
                .map(Some)
        }
        Role::Http => {
            let base = stack.url_of(&svc.name).ok_or("no published port")?;
            probe_http(client, &base).await.map(|_| None)
        }
    }
}

/// The outcome of a successful wait.
pub struct Ready {
    pub server_version: Option<String>,
    pub elapsed: Duration,
}

/// Wait until every service is ready, or fail with a report on the first one that cannot be.
/// `ids`: service -> container id; `baseline`: restart counts when the wait began.
pub async fn wait(
    engine: &Engine,
    stack: &Stack,
    ids: &HashMap<String, String>,
    timeout: Duration,
    out: &Output,
) -> anyhow::Result<Ready> {
    let start = Instant::now();
    let client = http_client();
    let mut baseline: HashMap<String, i64> = HashMap::new();
    let mut progress = Progress::default();
    let order = stack.start_order();
    loop {
        let looks = futures_util::future::join_all(
            order
                .iter()
                .map(|svc| async { (*svc, observe(engine, ids, &svc.name).await) }),
        )
        .await;
        let mut pending = Vec::new();
        for (svc, obs) in looks {
            let Some(obs) = obs else {
                return Err(
                    StackError::failure(format!("the {} container disappeared", svc.name))
                        .with_hint("something else removed it; run 'clearml server up' again")
                        .into(),
                );
            };
            let base = *baseline
                .entry(svc.name.clone())
                .or_insert(obs.restart_count);
            if obs.crashing(base) {
                return Err(report_failure(engine, svc, &obs, "keeps crashing", out).await);
            }
            if !progress.is_ready(&svc.name) {
                pending.push((svc, obs));
            }
        }
        // Databases first: the API cannot be ready before them, so do not probe it early.
        let dbs_ready = order.iter().filter(|s| s.role == Role::Database).all(|s| {
            progress.is_ready(&s.name) || pending.iter().any(|(p, o)| p.name == s.name && o.running)
        });
        let probes = futures_util::future::join_all(pending.iter().map(|(svc, obs)| {
            let client = &client;
            async move {
                if svc.role == Role::Api && !dbs_ready {
                    return (svc, Err("waiting for the databases".to_string()));
                }
                (svc, probe(stack, svc, obs, client).await)
            }
        }))
        .await;
        for (svc, result) in probes {
            progress.record(svc, result, start, out);
        }
        if order.iter().all(|s| progress.is_ready(&s.name)) {
            return Ok(Ready {
                server_version: progress.version,
                elapsed: start.elapsed(),
            });
        }
        if start.elapsed() >= timeout {
            return Err(progress.timed_out(engine, ids, &order, timeout, out).await);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One look at a service's container; `None` when it has none or it is gone.
async fn observe(engine: &Engine, ids: &HashMap<String, String>, name: &str) -> Option<Observed> {
    match ids.get(name) {
        Some(id) => engine
            .inspect(id)
            .await
            .ok()
            .flatten()
            .map(|c| Observed::from_inspect(&c)),
        None => None,
    }
}

/// What the wait loop has learnt so far: who is ready, why the others are not yet, and the
/// server version the API reported.
#[derive(Default)]
struct Progress {
    ready: HashMap<String, bool>,
    last_reason: HashMap<String, String>,
    version: Option<String>,
}

impl Progress {
    fn is_ready(&self, name: &str) -> bool {
        self.ready.get(name).copied().unwrap_or(false)
    }

    /// Take in one probe's answer.
    fn record(
        &mut self,
        svc: &Service,
        result: Result<Option<String>, String>,
        start: Instant,
        out: &Output,
    ) {
        match result {
            Ok(v) => {
                if v.is_some() {
                    self.version = v;
                }
                self.ready.insert(svc.name.clone(), true);
                if out.verbose > 0 {
                    out.info(format!(
                        "{} ready after {:.2}s of waiting",
                        svc.name,
                        start.elapsed().as_secs_f64()
                    ));
                }
            }
            Err(reason) => {
                self.last_reason.insert(svc.name.clone(), reason);
            }
        }
    }

    /// The report on the first not-ready service in dependency order: the root cause.
    async fn timed_out(
        &self,
        engine: &Engine,
        ids: &HashMap<String, String>,
        order: &[&Service],
        timeout: Duration,
        out: &Output,
    ) -> anyhow::Error {
        let svc = order
            .iter()
            .find(|s| !self.is_ready(&s.name))
            .expect("some service is not ready");
        let obs = observe(engine, ids, &svc.name).await.unwrap_or_default();
        let why = format!(
            "not ready after {} ({})",
            humantime::format_duration(Duration::from_secs(timeout.as_secs())),
            self.last_reason
                .get(&svc.name)
                .map(String::as_str)
                .unwrap_or("no answer")
        );
        report_failure(engine, svc, &obs, &why, out).await
    }
}

/// Print the report to stderr and return the one-line error.
async fn report_failure(
    engine: &Engine,
    svc: &Service,
    obs: &Observed,
    why: &str,
    out: &Output,
) -> anyhow::Error {
    let lines = if obs.id.is_empty() {
        vec![]
    } else {
        engine.last_lines(&obs.id, 20).await
    };
    let fix = likely_fix(svc, obs, &lines);
    let _ = out;
    eprintln!(
        "service {} {why}: state {}, exit code {}, OOMKilled {}, restarts {}",
        svc.name, obs.state, obs.exit_code, obs.oom_killed, obs.restart_count
    );
    if lines.is_empty() {
        eprintln!("(no log output from {})", svc.container_name);
    } else {
        eprintln!("last {} log lines of {}:", lines.len(), svc.container_name);
        for l in &lines {
            eprintln!("  {}: {l}", svc.name);
        }
    }
    StackError::failure(format!("the stack is not ready: {} {why}", svc.name))
        .with_hint(fix)
        .into()
}

/// The likely fix, from the known deployment failures (protocol notes §6.3).
pub fn likely_fix(svc: &Service, obs: &Observed, logs: &[String]) -> String {
    let text = logs.join("\n");
    let has = |needle: &str| text.contains(needle);
    if has("vm.max_map_count") {
        return "Elasticsearch needs vm.max_map_count >= 262144: run 'sudo sysctl -w vm.max_map_count=262144' \
                and add 'vm.max_map_count=262144' to /etc/sysctl.d/99-clearml.conf"
            .into();
    }
    if has("AccessDeniedException")
        || has("failed to obtain node locks")
        || has("Permission denied")
    {
        return "the data directories must be writable by uid 1000: run 'clearml server doctor --fix' \
                (or 'sudo chown -R 1000:1000 <data dir>'), and make sure no other Elasticsearch uses the same directory"
            .into();
    }
    if has("FORBIDDEN/12") || has("read-only / allow delete") || has("flood stage") {
        return "the disk is (nearly) full: Elasticsearch made its indices read-only; free disk space under the data dir".into();
    }
    if obs.exit_code == 132 || has("Illegal instruction") {
        return "MongoDB >= 5 needs a CPU with AVX: expose the host CPU flags to this VM, or run on another machine".into();
    }
    if svc.name == "mongo" && obs.exit_code == 62 {
        return "MongoDB cannot open data written by a much older version: restore your backup and upgrade \
                through server 1.17 first (the mandatory 1.17 step), then to 2.x"
            .into();
    }
    if obs.oom_killed || obs.exit_code == 137 {
        return format!(
            "{} was killed for lack of memory: give Docker more memory (ClearML wants 8 GB or more)",
            svc.name
        );
    }
    if has("exec format error") {
        return format!(
            "the {} image is built for another CPU architecture than this host",
            svc.name
        );
    }
    if has("address already in use") || has("Address already in use") {
        return "a port the service needs is already in use: stop what holds it or choose another with --port".into();
    }
    if has("ElasticSearch") && (has("Could not connect") || has("failed connecting")) {
        return "the apiserver cannot reach Elasticsearch: see 'clearml server logs elasticsearch' \
                (usually vm.max_map_count, data-dir ownership or disk space)"
            .into();
    }
    if has("failed to locate provided credentials") || has("Failed getting token") {
        return "the services agent needs valid credentials: export CLEARML_AGENT_ACCESS_KEY and \
                CLEARML_AGENT_SECRET_KEY before 'clearml server up'"
            .into();
    }
    if has("Error getting token") {
        return "file server authentication: set the files URL the browser uses (WEBSERVER__fileBaseUrl) or \
                disable it with --env fileserver:CLEARML__fileserver__auth__enabled=false"
            .into();
    }
    if obs.running {
        format!(
            "see 'clearml server logs {}'; a longer --timeout helps on a slow first start",
            svc.name
        )
    } else {
        format!(
            "see 'clearml server logs {}' for why it stops, and run 'clearml server doctor'",
            svc.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Choices;
    use crate::spec::StackChoices;

    fn svc(name: &str) -> Service {
        let s = Stack::build(
            "clearml".into(),
            "/d".into(),
            Choices::from_flags(&StackChoices::default()).unwrap(),
        );
        s.service(name).unwrap().clone()
    }

    fn exited(exit_code: i64) -> Observed {
        Observed {
            exit_code,
            ..Default::default()
        }
    }

    fn oom_killed() -> Observed {
        Observed {
            oom_killed: true,
            ..Default::default()
        }
    }

    #[test]
    fn known_failures_map_to_their_fix() {
        let obs = Observed::default();
        let es = svc("elasticsearch");
        let fix = likely_fix(&es, &obs, &["bootstrap check failure [1] of [1]: max virtual memory areas vm.max_map_count [65530] is too low".into()]);
        assert!(fix.contains("sysctl -w vm.max_map_count=262144"), "{fix}");
        let fix = likely_fix(
            &es,
            &obs,
            &["AccessDeniedException[/usr/share/elasticsearch/data/nodes]".into()],
        );
        assert!(fix.contains("doctor --fix"), "{fix}");
        let mongo = svc("mongo");
        let fix = likely_fix(&mongo, &exited(62), &[]);
        assert!(fix.contains("1.17"), "{fix}");
        let fix = likely_fix(&mongo, &exited(132), &[]);
        assert!(fix.contains("AVX"), "{fix}");
        let fix = likely_fix(&es, &oom_killed(), &[]);
        assert!(fix.contains("memory"), "{fix}");
        let fix = likely_fix(&svc("redis"), &obs, &["something else".into()]);
        assert!(fix.contains("clearml server logs redis"), "{fix}");
    }

    #[test]
    fn crash_detection_counts_restarts_since_the_wait_began() {
        let o = Observed {
            restart_count: 3,
            ..Default::default()
        };
        assert!(!o.crashing(2));
        assert!(o.crashing(1));
        assert!(oom_killed().crashing(0));
    }
}
