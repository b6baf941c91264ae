//! `server selftest`: an end-to-end check of the configured server — the "test
//! experiment": a task in `ClearML Self-Test`, scalars, a file round-trip through the files
//! server, completion, read-back. One pass/fail line per step with its latency.

use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::api::Client;
use crate::api::lookup;
use crate::config::Settings;
use crate::error::{CliError, Exit, exit_of, one_line};
use crate::files;
use crate::output::Listing;
use clearml_cmd_core::Ctx;

pub const PROJECT: &str = "ClearML Self-Test";
const SCALARS: [f64; 5] = [1.0, 0.5, 0.25, 0.125, 0.0625];

#[derive(Debug)]
struct Step {
    name: &'static str,
    result: Result<String, anyhow::Error>,
    latency: Duration,
}

async fn timed<F, T>(steps: &mut Vec<Step>, name: &'static str, f: F) -> Option<T>
where
    F: Future<Output = anyhow::Result<(T, String)>>,
{
    let start = Instant::now();
    let r = f.await;
    let latency = start.elapsed();
    match r {
        Ok((value, detail)) => {
            steps.push(Step {
                name,
                result: Ok(detail),
                latency,
            });
            Some(value)
        }
        Err(e) => {
            steps.push(Step {
                name,
                result: Err(e),
                latency,
            });
            None
        }
    }
}

pub async fn selftest(ctx: &Ctx) -> anyhow::Result<()> {
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    let mut steps = Vec::new();
    run_steps(&client, &settings, &mut steps).await;
    report(ctx, &steps)
}

async fn run_steps(client: &Client, settings: &Settings, steps: &mut Vec<Step>) {
    let login = timed(steps, "login", async {
        let c = client.claims().await.map_err(crate::api::into_anyhow)?;
        Ok((
            (),
            format!("API {} as {}", c.api_version, c.identity.user_name),
        ))
    })
    .await;
    if login.is_none() {
        return;
    }
    let Some(project) = timed(steps, "project", async {
        let id = lookup::ensure_project(client, PROJECT).await?;
        Ok((id, format!("'{PROJECT}'")))
    })
    .await
    else {
        return;
    };
    let name = format!(
        "selftest {}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
    );
    let Some(task) = timed(steps, "create task", create_task(client, &project, &name)).await else {
        return;
    };
    timed(steps, "report scalars", report_scalars(client, &task)).await;
    timed(
        steps,
        "file round-trip",
        file_round_trip(client, settings, &name, &task),
    )
    .await;
    // A selftest that failed a step must not leave a "completed" task behind.
    let failed_step = steps.iter().find(|s| s.result.is_err()).map(|s| s.name);
    let expected_status = if failed_step.is_some() {
        "failed"
    } else {
        "completed"
    };
    timed(
        steps,
        "complete task",
        finish_task(client, &task, failed_step),
    )
    .await;
    timed(
        steps,
        "read back",
        read_back(client, &task, expected_status),
    )
    .await;
}

async fn create_task(
    client: &Client,
    project: &str,
    name: &str,
) -> anyhow::Result<(String, String)> {
    let data = client
        .call(
            "tasks.create",
            &json!({"name": name, "type": "testing", "project": project,
                    "comment": "created by clearml server selftest"}),
        )
        .await?;
    let id = data["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("tasks.create returned no id"))?
        .to_string();
    client.call("tasks.started", &json!({"task": id})).await?;
    Ok((id.clone(), id))
}

async fn report_scalars(client: &Client, task: &str) -> anyhow::Result<((), String)> {
    let now = chrono::Utc::now().timestamp_millis();
    let events: Vec<Value> = SCALARS
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({"type": "training_stats_scalar", "task": task, "metric": "selftest",
                   "variant": "loss", "value": v, "iter": i, "timestamp": now})
        })
        .collect();
    client.call_batch("events.add_batch", &events).await?;
    Ok(((), format!("{} points of selftest/loss", SCALARS.len())))
}

/// Completed, or failed naming the first step that failed.
async fn finish_task(
    client: &Client,
    task: &str,
    failed_step: Option<&str>,
) -> anyhow::Result<((), String)> {
    match failed_step {
        None => {
            client
                .call("tasks.completed", &json!({"task": task, "force": true}))
                .await?;
            Ok(((), String::new()))
        }
        Some(step) => {
            client
                .call(
                    "tasks.failed",
                    &json!({"task": task, "force": true,
                            "status_reason": format!("selftest step '{step}' failed")}),
                )
                .await?;
            Ok(((), format!("marked failed ({step} failed)")))
        }
    }
}

/// The task as the server now holds it: the expected status and the last scalar.
async fn read_back(
    client: &Client,
    task: &str,
    expected_status: &str,
) -> anyhow::Result<((), String)> {
    let t = lookup::find_task(
        client,
        task,
        None,
        &["id", "name", "status", "last_metrics", "last_iteration"],
    )
    .await?;
    let status = t["status"].as_str().unwrap_or("");
    if status != expected_status {
        anyhow::bail!("status is '{status}', expected '{expected_status}'");
    }
    let last = clearml_cmd_core::task::query::metric_entry(&t, "selftest", "loss")
        .and_then(|e| e["value"].as_f64());
    if last != Some(SCALARS[SCALARS.len() - 1]) {
        anyhow::bail!(
            "last selftest/loss is {last:?}, expected {}",
            SCALARS[SCALARS.len() - 1]
        );
    }
    Ok((
        (),
        format!(
            "{expected_status}, selftest/loss = {}",
            SCALARS[SCALARS.len() - 1]
        ),
    ))
}

async fn file_round_trip(
    client: &Client,
    settings: &Settings,
    task_name: &str,
    task: &str,
) -> anyhow::Result<((), String)> {
    let content = format!("clearml selftest {task} {}\n", uuid::Uuid::new_v4());
    let dir = std::env::temp_dir().join(format!("clearml-selftest-{}", uuid::Uuid::new_v4()));
    tokio::fs::create_dir_all(&dir).await?;
    let result = async {
        let src = dir.join("selftest.txt");
        tokio::fs::write(&src, &content).await?;
        let object = format!("{PROJECT}/{task_name}.{task}/artifacts/selftest.txt");
        let bearer = client.bearer().await.map_err(crate::api::into_anyhow)?;
        let up = files::upload(
            client.http(),
            &settings.files_host.value,
            &object,
            &src,
            Some(&bearer),
            false,
            client.request_timeout(),
        )
        .await?;
        let back = dir.join("back.txt");
        let expect = files::Expect {
            size: Some(up.size),
            sha256: Some(up.sha256.clone()),
        };
        files::download(client.http(), &up.url, &back, Some(&bearer), &expect, false).await?;
        let same = tokio::fs::read_to_string(&back).await? == content;
        // The file is only a probe: leave nothing on the file server.
        files::delete(
            client.http(),
            &settings.files_host.value,
            &object,
            Some(&bearer),
        )
        .await?;
        if !same {
            anyhow::bail!("the file read back differs from the one uploaded");
        }
        Ok((
            (),
            format!("{} bytes via {}", up.size, settings.files_host.value),
        ))
    }
    .await;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    result
}

fn report(ctx: &Ctx, steps: &[Step]) -> anyhow::Result<()> {
    let mut l = Listing::new(["step", "result", "latency", "detail"]);
    for s in steps {
        let ms = s.latency.as_secs_f64() * 1000.0;
        let (result, detail) = match &s.result {
            Ok(d) => ("pass", d.clone()),
            Err(e) => ("FAIL", one_line(e)),
        };
        l.push(
            vec![
                s.name.into(),
                result.into(),
                format!("{ms:.1} ms"),
                detail.clone(),
            ],
            crate::output::shape_value(&crate::json::SelftestStep {
                step: s.name.to_string(),
                pass: s.result.is_ok(),
                latency_ms: (ms * 10.0).round() / 10.0,
                detail,
            }),
        );
    }
    super::ping::print_listing(ctx, &l);
    match steps.iter().find_map(|s| s.result.as_ref().err()) {
        None => Ok(()),
        Some(e) => {
            // Only "cannot reach" and "refused" say more than "the selftest failed".
            let exit = match exit_of(e) {
                exit @ (Exit::Unreachable | Exit::AuthRefused) => exit,
                _ => Exit::Failure,
            };
            Err(CliError::new(exit, format!("selftest failed: {}", one_line(e))).into())
        }
    }
}
