//! `server ping` and `server selftest`: checks of the configured server.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::api::{ApiError, Auth, Client, Options};
use crate::config::Settings;
use crate::output::Listing;
use clearml_cmd_core::Ctx;

pub use super::selftest::selftest;

/// One checked host.
#[derive(Debug, Clone)]
struct HostCheck {
    role: &'static str,
    url: String,
    reachable: bool,
    status: Option<u16>,
    latency: Option<Duration>,
    server_version: Option<String>,
    api_version: Option<String>,
    error: Option<String>,
    /// The typed failure, for the exit code and hint when it is the API that failed.
    failure: Option<ApiError>,
}

impl HostCheck {
    fn new(role: &'static str, url: &str) -> Self {
        HostCheck {
            role,
            // a password in the URL is never shown
            url: crate::api::redact_urls(url),
            reachable: false,
            status: None,
            latency: None,
            server_version: None,
            api_version: None,
            error: None,
            failure: None,
        }
    }

    fn failed(mut self, err: &ApiError) -> Self {
        self.error = Some(err.to_string());
        self.failure = Some(err.clone());
        if let ApiError::NotApi { status, .. } = err {
            self.reachable = true;
            self.status = Some(*status);
        }
        self
    }
}

pub async fn ping(ctx: &Ctx, a: crate::cli::PingArgs) -> anyhow::Result<()> {
    let settings = Settings::load(&ctx.config)?;
    // A quick check: 10 s unless --request-timeout asks for another wait.
    let timeout = ctx
        .global
        .request_timeout
        .unwrap_or(Duration::from_secs(10));
    let opts = Options {
        verify: settings.verify.value.clone(),
        retries: 0,
        connect_timeout: Duration::from_secs(3).min(timeout),
        request_timeout: timeout,
        same_host_redirects: false,
    };
    // `server.info` needs credentials on the real server: use the configured ones, if any.
    let auth = Auth::configured(&settings).unwrap_or(Auth::Anonymous);
    let client = Client::new(&settings.api_host.value, auth, &opts)?;
    let Some(every) = a.watch.as_deref() else {
        let checks = check_all(&client, &settings).await;
        print_listing(ctx, &listing(&checks));
        return verdict(&checks);
    };
    let every = clearml_cmd_core::parse_duration("--watch", every)?;
    if every < Duration::from_secs(1) {
        return Err(crate::error::CliError::usage(format!(
            "--watch {} is too short: check at most once a second",
            a.watch.as_deref().unwrap_or_default()
        ))
        .with_hint("e.g. --watch 30s")
        .into());
    }
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let checks = check_all(&client, &settings).await;
        let result = verdict(&checks);
        print_health_line(ctx, &checks, result.as_ref().err());
        if a.exit_on_fail {
            result?;
        }
    }
}

/// The three hosts, checked at once.
async fn check_all(client: &Client, settings: &Settings) -> Vec<HostCheck> {
    let (api, web, files) = tokio::join!(
        check_api(client),
        check_plain(client, "web", &settings.web_host.value),
        check_plain(client, "files", &settings.files_host.value),
    );
    vec![api, web, files]
}

/// Ok, or the error `server ping` exits with: the API's own failure decides the exit code
/// (3 unreachable / not the API) and the hint; a configured web or files host that does
/// not answer is a failure (1).
fn verdict(checks: &[HostCheck]) -> anyhow::Result<()> {
    if let Some(e) = checks
        .iter()
        .find(|c| c.role == "api")
        .and_then(|c| c.failure.clone())
    {
        // The ApiError (with its hint) stays in the chain and decides the exit.
        let what = if e.kind() == crate::api::Kind::AuthRefused {
            "the API server refused the credentials"
        } else {
            "the API server does not answer"
        };
        return Err(anyhow::Error::new(e.reported()).context(what));
    }
    // Hosts that are configured but do not answer (an unset host is not checked).
    let down: Vec<&str> = checks
        .iter()
        .filter(|c| c.role != "api" && !c.url.is_empty() && !c.reachable)
        .map(|c| c.role)
        .collect();
    if !down.is_empty() {
        return Err(crate::error::CliError::failure(format!(
            "the API server answers, but the {} host does not",
            down.join(" and the ")
        ))
        .with_hint("check that service and the host in clearml.conf")
        .into());
    }
    Ok(())
}

/// `--watch`: one line per check on stdout (a JSON object per line with --json).
fn print_health_line(ctx: &Ctx, checks: &[HostCheck], failure: Option<&anyhow::Error>) {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if ctx.out.format == crate::cli::Format::Json {
        let l = listing(checks);
        println!(
            "{}",
            json!({"time": now, "ok": failure.is_none(), "hosts": l.json,
                   "error": failure.map(crate::error::one_line)})
        );
        return;
    }
    let hosts: Vec<String> = checks
        .iter()
        .map(|c| match (c.reachable && c.failure.is_none(), c.latency) {
            (true, Some(d)) => format!("{} ok {:.1} ms", c.role, d.as_secs_f64() * 1000.0),
            (true, None) => format!("{} ok", c.role),
            _ if c.url.is_empty() => format!("{} not configured", c.role),
            _ => format!("{} DOWN", c.role),
        })
        .collect();
    let mut line = format!("{now} {}", hosts.join(", "));
    if let Some(e) = failure {
        line.push_str(&format!(": {}", crate::error::one_line(e)));
    }
    println!("{line}");
}

/// `debug.ping` (timed, no credentials needed) then `server.info` for the versions, with the
/// configured credentials (the real server refuses it without).
async fn check_api(client: &Client) -> HostCheck {
    let check = HostCheck::new("api", client.api_host());
    let start = Instant::now();
    match client.call_anonymous("debug.ping", &json!({})).await {
        Err(e) => check.failed(&e),
        Ok(_) => {
            let mut check = HostCheck {
                reachable: true,
                status: Some(200),
                latency: Some(start.elapsed()),
                ..check
            };
            let info = if client.has_credentials() {
                match client.call_typed_err("server.info", &json!({})).await {
                    Ok(info) => Some(info),
                    // Credentials refused: the server answers, but nothing will work.
                    Err(e) if e.kind() == crate::api::Kind::AuthRefused => {
                        check.error = Some(e.to_string());
                        check.failure = Some(e);
                        return check;
                    }
                    Err(_) => None,
                }
            } else {
                client.call_anonymous("server.info", &json!({})).await.ok()
            };
            if let Some(info) = info {
                check.server_version = info["version"].as_str().map(str::to_string);
                check.api_version = info["api_version"].as_str().map(str::to_string);
            }
            check
        }
    }
}

/// A GET of the web or files host: any HTTP answer counts as reachable.
async fn check_plain(client: &Client, role: &'static str, url: &str) -> HostCheck {
    let check = HostCheck::new(role, url);
    if url.is_empty() {
        return HostCheck {
            error: Some("not configured".into()),
            ..check
        };
    }
    match client.probe(url).await {
        Ok(probe) => HostCheck {
            reachable: true,
            status: Some(probe.status),
            latency: Some(probe.latency),
            ..check
        },
        Err(e) => check.failed(&e),
    }
}

/// Tables are for people; CSV is for scripts, so it carries the JSON fields
/// (`latency_ms`, `true`) rather than the table's words (`1.5 ms`, `yes`).
pub fn print_listing(ctx: &Ctx, l: &Listing) {
    match ctx.out.format {
        crate::cli::Format::Csv => print!("{}", machine_listing(l).to_csv()),
        _ => ctx.out.listing(l),
    }
}

/// A listing whose columns are the keys of its JSON rows and whose cells are their values.
pub fn machine_listing(l: &Listing) -> Listing {
    let keys: Vec<String> = l
        .json
        .first()
        .and_then(serde_json::Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let mut out = Listing::new(keys.clone());
    for row in &l.json {
        let cells = keys
            .iter()
            .map(|k| match &row[k] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        out.push(cells, row.clone());
    }
    out
}

fn listing(checks: &[HostCheck]) -> Listing {
    let mut l = Listing::new([
        "host",
        "url",
        "reachable",
        "status",
        "latency",
        "server version",
    ]);
    for c in checks {
        let status = match (&c.status, &c.error) {
            (_, Some(e)) => e.clone(),
            (Some(s), None) => s.to_string(),
            (None, None) => String::new(),
        };
        l.push(
            vec![
                c.role.to_string(),
                c.url.clone(),
                if c.reachable { "yes" } else { "no" }.to_string(),
                status,
                c.latency
                    .map(|d| format!("{:.1} ms", d.as_secs_f64() * 1000.0))
                    .unwrap_or_default(),
                c.server_version.clone().unwrap_or_default(),
            ],
            crate::output::shape_value(&crate::json::HostRow {
                host: c.role.to_string(),
                url: c.url.clone(),
                reachable: c.reachable,
                ok: c.error.is_none() && c.reachable,
                status: c.status,
                latency_ms: c
                    .latency
                    .map(|d| (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0),
                server_version: c.server_version.clone(),
                api_version: c.api_version.clone(),
                error: c.error.clone(),
            }),
        );
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_show_errors_in_the_status_column() {
        let up = HostCheck {
            reachable: true,
            status: Some(200),
            latency: Some(Duration::from_micros(1500)),
            server_version: Some("2.0.0".into()),
            ..HostCheck::new("api", "http://h:8008")
        };
        let down = HostCheck::new("files", "http://h:8081").failed(&ApiError::Unreachable {
            url: "http://h:8081".into(),
            kind: crate::api::error::NetKind::Refused,
            detail: "connection refused".into(),
        });
        let l = listing(&[up, down]);
        assert_eq!(
            l.rows[0],
            ["api", "http://h:8008", "yes", "200", "1.5 ms", "2.0.0"]
        );
        assert_eq!(l.rows[1][2], "no");
        assert_eq!(
            l.rows[1][3],
            "cannot reach http://h:8081 (connection refused)"
        );
        let v: &serde_json::Value = &l.json[1];
        assert_eq!(v["ok"], false);
        assert!(v["latency_ms"].is_null());
        assert_eq!(l.json[0]["latency_ms"], 1.5);
        let csv = machine_listing(&l).to_csv();
        let mut lines = csv.lines();
        let header = lines.next().unwrap();
        assert!(
            header.contains("latency_ms") && header.contains("server_version"),
            "{header}"
        );
        let first = lines.next().unwrap();
        assert!(
            first.contains(",true,") && first.contains(",1.5,"),
            "{first}"
        );
        assert!(!first.contains("ms") && !first.contains("yes"), "{first}");
    }
}
