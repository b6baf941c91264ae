//! Preflight checks for the host (`server doctor`, and before every `up`): each finding is
//! ok / warn / fail with the reason and the fix.

use std::net::IpAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::docker::Engine;
use super::lifecycle::{self, STACK_UID};
use super::spec::{Stack, image_tag, parse_version};
use clearml_output::{Listing, Output};

pub const MIN_MAP_COUNT: u64 = 262_144;
/// The compose file's Elasticsearch flood-stage watermark: below it indices go read-only.
const ES_WATERMARK_BYTES: u64 = 500 * 1024 * 1024;
const DISK_WARN_BYTES: u64 = 10 * 1024 * 1024 * 1024;
const MEMORY_RECOMMENDED: u64 = 8 * 1024 * 1024 * 1024;
const MEMORY_MINIMUM: u64 = 4 * 1024 * 1024 * 1024;
pub const SYSCTL_FIX: &str = "sudo sysctl -w vm.max_map_count=262144 && echo 'vm.max_map_count=262144' | sudo tee /etc/sysctl.d/99-clearml.conf";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

/// One check of `server doctor` (its `--json` rows: docs/json-output.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub check: String,
    pub level: Level,
    pub detail: String,
    pub fix: Option<String>,
}

fn finding(check: &str, level: Level, detail: impl Into<String>, fix: Option<String>) -> Finding {
    Finding {
        check: check.to_string(),
        level,
        detail: detail.into(),
        fix,
    }
}

/// A check that passed: nothing to fix.
fn ok(check: &str, detail: impl Into<String>) -> Finding {
    finding(check, Level::Ok, detail, None)
}

/// Run every check. `engine` is the connection result (a failed connection is a finding).
pub async fn check(engine: Result<&Engine, String>, stack: &Stack, fix: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut own_ports = Vec::new();
    let mut remote = false;
    match &engine {
        Ok(e) => {
            remote = !e.host.starts_with("unix://");
            out.push(ok(
                "docker",
                format!(
                    "Docker {} at {}, API {} ({})",
                    e.engine_version, e.host, e.api_version, e.arch
                ),
            ));
            if let Ok(containers) = e.containers(&stack.project).await {
                own_ports = lifecycle::own_ports(&containers);
            }
        }
        Err(why) => out.push(finding(
            "docker",
            Level::Fail,
            why.clone(),
            Some(
                "start Docker (systemctl start docker), check DOCKER_HOST and access to the socket"
                    .into(),
            ),
        )),
    }
    out.extend(check_ports(stack, &own_ports));
    out.push(check_bind(stack));
    let mut map_count = check_map_count(read_trimmed("/proc/sys/vm/max_map_count"));
    if remote && map_count.level != Level::Ok {
        map_count.level = Level::Warn;
        map_count
            .detail
            .push_str(" (checked on this machine; the Docker engine is remote: check there)");
    }
    out.push(map_count);
    if !remote
        && engine.is_ok()
        && let Some(f) = check_ulimits(stack, dockerd_pid().as_deref())
    {
        out.push(f);
    }
    out.extend(check_data_dirs(stack, fix));
    out.push(check_disk(&stack.data_dir));
    let engine_mem = match &engine {
        Ok(e) => e
            .docker
            .info()
            .await
            .ok()
            .and_then(|i| i.mem_total)
            .map(|m| m as u64),
        Err(_) => None,
    };
    out.push(check_memory(engine_mem.or_else(host_memory)));
    out.push(check_avx(
        stack,
        std::fs::read_to_string("/proc/cpuinfo").ok().as_deref(),
    ));
    if let Ok(e) = &engine {
        out.extend(check_image_arch(e, stack).await);
    }
    out
}

/// The checks of a running stack that `server doctor` adds to [`check`] (not run before
/// `up`): Elasticsearch indices made read-only. `--fix` unlocks them only when the disk
/// check found room.
pub async fn check_running(
    engine: &Engine,
    stack: &Stack,
    fix: bool,
    found: &[Finding],
) -> Vec<Finding> {
    let disk_free = found
        .iter()
        .any(|f| f.check == "disk" && f.level != Level::Fail);
    check_read_only_indices(engine, stack, fix && disk_free)
        .await
        .into_iter()
        .collect()
}

const ES_BLOCK: &str = "index.blocks.read_only_allow_delete";

/// The read-only indices, asked with curl inside the Elasticsearch container.
async fn read_blocked(engine: &Engine, id: &str, url: &str) -> anyhow::Result<Vec<String>> {
    let (code, text) = engine
        .exec(
            id,
            &["curl", "-s", "-m", "10", url],
            std::time::Duration::from_secs(20),
        )
        .await?;
    anyhow::ensure!(code == 0, "curl exited {code}");
    let v: serde_json::Value = serde_json::from_str(text.trim())
        .map_err(|_| anyhow::anyhow!("not JSON: {}", text.chars().take(120).collect::<String>()))?;
    Ok(blocked_indices(&v))
}

/// The indices whose settings (`GET /_all/_settings/<ES_BLOCK>`'s answer) carry the
/// flood-stage block.
fn blocked_indices(settings: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = settings
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, v)| {
            let b = &v["settings"]["index"]["blocks"]["read_only_allow_delete"];
            b == "true" || b == true
        })
        .map(|(k, _)| k.clone())
        .collect();
    names.sort();
    names
}

/// Elasticsearch indices made read-only at the flood-stage disk watermark (the cause of
/// "the UI shows nothing new": every new event is refused). Asked inside the running
/// Elasticsearch container, so no port needs publishing; with `fix` (and free disk) the
/// block is lifted. No finding when the stack's Elasticsearch is not running.
async fn check_read_only_indices(engine: &Engine, stack: &Stack, fix: bool) -> Option<Finding> {
    const CHECK: &str = "elasticsearch indices";
    let containers = engine.containers(&stack.project).await.ok()?;
    let es = containers.iter().find(|c| {
        super::docker::service_of(c) == Some("elasticsearch")
            && c.state.as_deref() == Some("running")
    })?;
    let id = es.id.clone()?;
    let limit = std::time::Duration::from_secs(20);
    let url = format!("http://localhost:9200/_all/_settings/{ES_BLOCK}");
    let blocked = match read_blocked(engine, &id, &url).await {
        Ok(b) => b,
        Err(e) => {
            return Some(finding(
                CHECK,
                Level::Warn,
                format!("cannot read the index settings inside the Elasticsearch container: {e:#}"),
                None,
            ));
        }
    };
    if blocked.is_empty() {
        return Some(ok(CHECK, "no index is read-only"));
    }
    let shown = if blocked.len() > 5 {
        format!("{} and {} more", blocked[..5].join(", "), blocked.len() - 5)
    } else {
        blocked.join(", ")
    };
    if fix {
        let body = json!({ES_BLOCK: null}).to_string();
        let target = format!("http://localhost:9200/{}/_settings", blocked.join(","));
        let put = engine
            .exec(
                &id,
                &[
                    "curl",
                    "-s",
                    "-m",
                    "10",
                    "-XPUT",
                    "-H",
                    "Content-Type: application/json",
                    &target,
                    "-d",
                    &body,
                ],
                limit,
            )
            .await;
        if let Ok(still) = read_blocked(engine, &id, &url).await
            && still.is_empty()
            && put.is_ok()
        {
            return Some(ok(
                CHECK,
                format!("{} read-only index(es) unlocked: {shown}", blocked.len()),
            ));
        }
    }
    Some(finding(
        CHECK,
        Level::Fail,
        format!(
            "{} index(es) read-only after the disk reached the flood-stage watermark (new events are refused): {shown}",
            blocked.len()
        ),
        Some("free disk space, then run 'clearml server doctor --fix' to unlock them".into()),
    ))
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
}

fn check_ports(stack: &Stack, own: &[u16]) -> Vec<Finding> {
    let taken = lifecycle::taken_ports(stack, own);
    stack
        .services
        .iter()
        .flat_map(|s| s.ports.iter().map(move |p| (s, p)))
        .map(|(svc, p)| {
            let addr = format!("{}:{}", stack.bind, p.host);
            if let Some((_, _, why)) = taken.iter().find(|(_, port, _)| *port == p.host) {
                finding(
                    "port",
                    Level::Fail,
                    format!("{addr} for {} is not free ({why})", svc.name),
                    Some(format!(
                        "stop what holds it, or choose another: --port {}={}",
                        svc.name,
                        p.host + 1000
                    )),
                )
            } else if own.contains(&p.host) {
                ok(
                    "port",
                    format!("{addr} for {} (held by this stack)", svc.name),
                )
            } else {
                ok("port", format!("{addr} for {} is free", svc.name))
            }
        })
        .collect()
}

fn check_bind(stack: &Stack) -> Finding {
    let loopback = stack
        .bind
        .parse::<IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false);
    if loopback {
        ok("bind", format!("ports published on {} only", stack.bind))
    } else {
        finding(
            "bind",
            Level::Warn,
            format!(
                "ports published on {}: the open-source server has no login by default, so anyone who can reach this host can use it",
                stack.bind
            ),
            Some(format!(
                "keep --bind 127.0.0.1 behind a reverse proxy, or enable auth.fixed_users in {} and change the secure.conf secrets",
                stack.data_dir.join("config/apiserver.conf").display()
            )),
        )
    }
}

fn check_map_count(value: Option<String>) -> Finding {
    match value.as_deref().map(str::parse::<u64>) {
        Some(Ok(n)) if n >= MIN_MAP_COUNT => ok("vm.max_map_count", format!("{n}")),
        Some(Ok(n)) => finding(
            "vm.max_map_count",
            Level::Fail,
            format!(
                "{n} is below {MIN_MAP_COUNT}: Elasticsearch refuses to start (bootstrap check)"
            ),
            Some(SYSCTL_FIX.to_string()),
        ),
        _ => finding(
            "vm.max_map_count",
            Level::Warn,
            "cannot read /proc/sys/vm/max_map_count (not Linux?)",
            Some("on Docker Desktop set it in the VM; on Linux: ".to_string() + SYSCTL_FIX),
        ),
    }
}

/// The local dockerd's pid (its pid file, else a scan of /proc).
fn dockerd_pid() -> Option<String> {
    if let Some(pid) =
        read_trimmed("/var/run/docker.pid").filter(|p| Path::new(&format!("/proc/{p}")).exists())
    {
        return Some(pid);
    }
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let name = e.file_name().to_string_lossy().to_string();
        (read_trimmed(&format!("/proc/{name}/comm")).as_deref() == Some("dockerd")).then_some(name)
    })
}

/// The hard limit of one resource in a /proc/PID/limits text (-1 for unlimited).
fn hard_limit(limits: &str, label: &str) -> Option<i64> {
    let line = limits.lines().find(|l| l.starts_with(label))?;
    let hard = line[label.len()..].split_whitespace().nth(1)?;
    if hard == "unlimited" {
        Some(-1)
    } else {
        hard.parse().ok()
    }
}

/// Without CAP_SYS_RESOURCE the engine cannot give a container more than its own hard
/// limits, and the container fails to start ("error setting rlimit").
fn check_ulimits(stack: &Stack, pid: Option<&str>) -> Option<Finding> {
    let pid = pid?;
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let cap_eff = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())?;
    Some(ulimit_finding(stack, &limits, cap_eff))
}

fn ulimit_finding(stack: &Stack, limits: &str, cap_eff: u64) -> Finding {
    const CAP_SYS_RESOURCE: u64 = 1 << 24;
    if cap_eff & CAP_SYS_RESOURCE != 0 {
        return ok("ulimits", "the engine may raise container limits");
    }
    let mut too_high = Vec::new();
    for svc in &stack.services {
        for u in &svc.ulimits {
            let label = match u.name.as_str() {
                "nofile" => "Max open files",
                "memlock" => "Max locked memory",
                _ => continue,
            };
            let Some(max) = hard_limit(limits, label) else {
                continue;
            };
            let exceeds = max != -1 && (u.hard == -1 || u.hard > max);
            if exceeds {
                too_high.push((format!("{}.{}", svc.name, u.name), u.hard, max));
            }
        }
    }
    if too_high.is_empty() {
        return ok("ulimits", "container limits within the engine's own");
    }
    let detail: Vec<String> = too_high
        .iter()
        .map(|(k, want, max)| {
            format!(
                "{k} wants {} but the engine may give at most {max}",
                if *want == -1 {
                    "unlimited".to_string()
                } else {
                    want.to_string()
                }
            )
        })
        .collect();
    let lines: Vec<String> = too_high
        .iter()
        .map(|(k, _, max)| {
            format!(
                "\"{k}\" = {}",
                if k.ends_with("memlock") { 0 } else { *max }
            )
        })
        .collect();
    finding(
        "ulimits",
        Level::Fail,
        format!(
            "{} (the engine lacks CAP_SYS_RESOURCE): the container cannot start",
            detail.join("; ")
        ),
        Some(format!(
            "raise the engine's limits (LimitNOFILE/LimitMEMLOCK of docker.service), or add to {}: [ulimits] {} (memlock 0 also needs --env elasticsearch:bootstrap.memory_lock=false)",
            stack.data_dir.join(super::spec::CHOICES_FILE).display(),
            lines.join(", ")
        )),
    )
}

/// Whether uid 1000 may write into `dir` (owner 1000 with u+w, or world-writable).
fn writable_by_stack(dir: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(dir) else {
        return false;
    };
    let mode = meta.permissions().mode();
    let owner = lifecycle::owner_uid(dir);
    (owner == Some(STACK_UID) && mode & 0o200 != 0) || mode & 0o002 != 0
}

fn check_data_dirs(stack: &Stack, fix: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for dir in stack.data_dirs() {
        let shown = dir.display().to_string();
        if fix && (!dir.exists() || !writable_by_stack(&dir)) {
            let result = std::fs::create_dir_all(&dir)
                .map_err(anyhow::Error::from)
                .and_then(|_| lifecycle::chown_tree(&dir, STACK_UID));
            match result {
                Ok(()) => {
                    out.push(ok(
                        "data dir",
                        format!("{shown}: created/owned by uid {STACK_UID} (fixed)"),
                    ));
                }
                Err(e) => out.push(finding(
                    "data dir",
                    Level::Fail,
                    format!("{shown}: cannot fix: {e}"),
                    Some(format!(
                        "sudo mkdir -p {shown} && sudo chown -R 1000:1000 {shown}"
                    )),
                )),
            }
            continue;
        }
        if !dir.exists() {
            out.push(finding(
                "data dir",
                Level::Warn,
                format!("{shown} does not exist (`up` creates it)"),
                Some("clearml server doctor --fix".into()),
            ));
        } else if !writable_by_stack(&dir) {
            out.push(finding(
                "data dir",
                Level::Fail,
                format!(
                    "{shown} is owned by uid {} and not writable by uid {STACK_UID}: Elasticsearch fails with AccessDeniedException",
                    lifecycle::owner_uid(&dir).map(|u| u.to_string()).unwrap_or_else(|| "?".into())
                ),
                Some(format!("clearml server doctor --fix (or: sudo chown -R 1000:1000 {})", stack.data_dir.display())),
            ));
        } else {
            out.push(ok(
                "data dir",
                format!("{shown} writable by uid {STACK_UID}"),
            ));
        }
    }
    out
}

fn gib(b: u64) -> String {
    format!("{:.1} GiB", b as f64 / (1024.0 * 1024.0 * 1024.0))
}

fn check_disk(data_dir: &Path) -> Finding {
    match clearml_api::files::free_bytes(data_dir) {
        None => finding(
            "disk",
            Level::Warn,
            format!("cannot measure free space for {}", data_dir.display()),
            None,
        ),
        Some((at, free)) if free < ES_WATERMARK_BYTES => finding(
            "disk",
            Level::Fail,
            format!(
                "{} free on {}: below the Elasticsearch flood-stage watermark (500mb), indices go read-only",
                gib(free),
                at.display()
            ),
            Some("free disk space or choose another --data-dir".into()),
        ),
        Some((at, free)) if free < DISK_WARN_BYTES => finding(
            "disk",
            Level::Warn,
            format!(
                "{} free on {}: little room above the 500mb watermark",
                gib(free),
                at.display()
            ),
            Some("free disk space or choose another --data-dir".into()),
        ),
        Some((at, free)) => ok("disk", format!("{} free on {}", gib(free), at.display())),
    }
}

fn host_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn check_memory(total: Option<u64>) -> Finding {
    let fix = Some("give Docker (or this VM) more memory".to_string());
    match total {
        None => finding(
            "memory",
            Level::Warn,
            "cannot tell how much memory Docker has",
            None,
        ),
        Some(m) if m < MEMORY_MINIMUM => finding(
            "memory",
            Level::Fail,
            format!(
                "{} for Docker: Elasticsearch and MongoDB will be OOM-killed",
                gib(m)
            ),
            fix,
        ),
        Some(m) if m < MEMORY_RECOMMENDED => finding(
            "memory",
            Level::Warn,
            format!("{} for Docker: ClearML wants at least 8 GiB", gib(m)),
            fix,
        ),
        Some(m) => ok("memory", format!("{} for Docker", gib(m))),
    }
}

fn check_avx(stack: &Stack, cpuinfo: Option<&str>) -> Finding {
    let Some(mongo) = stack.service("mongo") else {
        return ok("cpu avx", "no MongoDB in the stack");
    };
    let needs_avx = parse_version(image_tag(&mongo.image)).is_none_or(|(major, _, _)| major >= 5);
    if !needs_avx {
        return ok("cpu avx", format!("{} does not need AVX", mongo.image));
    }
    let Some(cpuinfo) = cpuinfo else {
        return finding("cpu avx", Level::Warn, "cannot read /proc/cpuinfo", None);
    };
    let has_avx = cpuinfo
        .lines()
        .filter(|l| l.starts_with("flags") || l.starts_with("Features"))
        .any(|l| l.split_whitespace().any(|f| f == "avx"));
    let arm = cpuinfo.lines().any(|l| l.starts_with("Features"));
    if has_avx || arm {
        ok("cpu avx", format!("CPU fits {}", mongo.image))
    } else {
        finding(
            "cpu avx",
            Level::Fail,
            format!("{} needs AVX and this CPU has none: MongoDB exits with code 132", mongo.image),
            Some("expose the host CPU flags to the VM (e.g. CPU type 'host'), or run on another machine".into()),
        )
    }
}

fn normalize_arch(a: &str) -> &str {
    match a {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

async fn check_image_arch(engine: &Engine, stack: &Stack) -> Vec<Finding> {
    let host = normalize_arch(&engine.arch).to_string();
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for svc in &stack.services {
        if seen.contains(&svc.image) {
            continue;
        }
        seen.push(svc.image.clone());
        match engine.docker.inspect_image(&svc.image).await {
            Ok(img) => {
                let arch = img.architecture.unwrap_or_default();
                if arch.is_empty() || normalize_arch(&arch) == host {
                    out.push(ok("image", format!("{} ({host})", svc.image)));
                } else {
                    out.push(finding(
                        "image",
                        Level::Fail,
                        format!(
                            "{} is built for {arch}, the engine runs {host}: 'exec format error'",
                            svc.image
                        ),
                        Some(format!(
                            "remove it (docker rmi {}) and pull the {host} variant",
                            svc.image
                        )),
                    ));
                }
            }
            Err(_) => out.push(ok(
                "image",
                format!("{} not present yet (`up` pulls it)", svc.image),
            )),
        }
    }
    out
}

pub fn print(findings: &[Finding], out: &Output) {
    let mut listing = Listing::new(["check", "status", "detail", "fix"]);
    for f in findings {
        listing.push(
            vec![
                f.check.clone(),
                format!("{:?}", f.level).to_lowercase(),
                f.detail.clone(),
                f.fix.clone().unwrap_or_default(),
            ],
            json!(f),
        );
    }
    out.listing(&listing);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Choices;
    use crate::spec::StackChoices;

    fn stack(args: StackChoices) -> Stack {
        Stack::build(
            "clearml".into(),
            "/nonexistent/cm".into(),
            Choices::from_flags(&args).unwrap(),
        )
    }

    #[test]
    fn read_only_indices_are_found_in_the_settings_answer() {
        let v = json!({
            "events-log-a": {"settings": {"index": {"blocks": {"read_only_allow_delete": "true"}}}},
            "events-plot-b": {"settings": {}},
            "events-training_debug_image-c": {"settings": {"index": {"blocks": {"read_only_allow_delete": "false"}}}},
            "z": {"settings": {"index": {"blocks": {"read_only_allow_delete": true}}}},
        });
        assert_eq!(blocked_indices(&v), vec!["events-log-a", "z"]);
        assert!(blocked_indices(&json!([])).is_empty());
    }

    #[test]
    fn map_count_below_minimum_fails_with_the_sysctl_line() {
        let f = check_map_count(Some("65530".into()));
        assert_eq!(f.level, Level::Fail);
        assert!(f.fix.unwrap().contains("sysctl -w vm.max_map_count=262144"));
        assert_eq!(check_map_count(Some("262144".into())).level, Level::Ok);
    }

    #[test]
    fn ulimits_beyond_an_unprivileged_engine_fail() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            20000                20000                files\nMax locked memory         8388608              8388608              bytes\n";
        let s = stack(StackChoices::default());
        let f = ulimit_finding(&s, limits, 0x1fffeffffff);
        assert_eq!(f.level, Level::Fail);
        assert!(
            f.detail.contains("elasticsearch.nofile wants 65536"),
            "{}",
            f.detail
        );
        assert!(f.fix.unwrap().contains("\"elasticsearch.nofile\" = 20000"));
        assert_eq!(ulimit_finding(&s, limits, 0x1ffffffffff).level, Level::Ok);
    }

    #[test]
    fn exposed_bind_warns() {
        assert_eq!(check_bind(&stack(StackChoices::default())).level, Level::Ok);
        let s = stack(StackChoices {
            bind: Some("0.0.0.0".into()),
            ..Default::default()
        });
        assert_eq!(check_bind(&s).level, Level::Warn);
    }

    #[test]
    fn avx_needed_for_mongo_5_and_later() {
        let s = stack(StackChoices::default());
        assert_eq!(check_avx(&s, Some("flags\t: fpu sse2")).level, Level::Fail);
        assert_eq!(
            check_avx(&s, Some("flags\t: fpu avx avx2")).level,
            Level::Ok
        );
        let old = stack(StackChoices {
            images: vec!["mongo=mongo:4.4.29".into()],
            ..Default::default()
        });
        assert_eq!(check_avx(&old, Some("flags\t: fpu sse2")).level, Level::Ok);
    }

    #[test]
    fn memory_thresholds() {
        assert_eq!(check_memory(Some(2 << 30)).level, Level::Fail);
        assert_eq!(check_memory(Some(6 << 30)).level, Level::Warn);
        assert_eq!(check_memory(Some(16 << 30)).level, Level::Ok);
    }

    #[test]
    fn taken_port_is_a_failure() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        // The other two on ports free right now (the defaults may be in use on this host).
        let free = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        };
        let s = stack(StackChoices {
            ports: vec![
                format!("apiserver={port}"),
                format!("webserver={}", free()),
                format!("fileserver={}", free()),
            ],
            ..Default::default()
        });
        let f = check_ports(&s, &[]);
        assert!(
            f.iter()
                .any(|f| f.level == Level::Fail && f.detail.contains(&port.to_string()))
        );
        let f = check_ports(&s, &[port]);
        assert!(f.iter().all(|f| f.level == Level::Ok));
    }

    #[test]
    fn data_dirs_fix_creates_and_chowns() {
        let dir = tempfile::tempdir().unwrap();
        let s = Stack::build("clearml".into(), dir.path().join("cm"), Choices::default());
        let before = check_data_dirs(&s, false);
        assert!(before.iter().all(|f| f.level == Level::Warn));
        if lifecycle::is_root() {
            let fixed = check_data_dirs(&s, true);
            assert!(fixed.iter().all(|f| f.level == Level::Ok), "{fixed:?}");
            assert_eq!(
                lifecycle::owner_uid(&dir.path().join("cm/data/elastic_7")),
                Some(1000)
            );
            assert!(
                check_data_dirs(&s, false)
                    .iter()
                    .all(|f| f.level == Level::Ok)
            );
        }
    }
}
