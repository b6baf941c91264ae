//! The scheduler's own task on the server, shaped as the SDK's `TaskScheduler` leaves it
//! (clearml/automation/scheduler.py): a `service` task whose `schedule` configuration object
//! (type json) lists the jobs and whose `state` artifact (a `string` artifact, text on the
//! file server) holds `scheduled_jobs`, `timeout_jobs` and `executed_jobs`. The web UI then
//! shows the scheduler and what it fired, and `TaskScheduler`'s deserialisation reads both.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::schedule::Schedule;
use super::spec::Spec;
use crate::PipelineError;
use clearml_api::{Client, lookup};
use clearml_config::Settings;

/// A scheduler task with no update for this long is dead (killed -9), not a rival.
pub const STALE_AFTER: Duration = Duration::from_secs(90);

/// One fire time that started (or tried to start) a run.
#[derive(Debug, Clone)]
pub struct Fired {
    pub started: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
    /// The run's controller task; None when the run could not be launched.
    pub task_id: Option<String>,
}

pub struct Registration {
    pub task_id: String,
    pub task_name: String,
    project: String,
    files_host: String,
    job: serde_json::Map<String, Value>,
    fired: Vec<Fired>,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// The scheduler task's name: one per pipeline (project and name) and server.
pub fn task_name(spec: &Spec) -> String {
    format!("schedule: {}/{}", spec.project, spec.name)
}

/// The SDK's recurrence fields (`minute`, `hour`, `day`, `weekdays`, `month`) for the cron
/// forms it can express; anything else gets `minute: 1`, its finest grain, while the `cron`
/// and `timezone` keys of the job carry the real schedule.
pub fn sdk_fields(expr: &str) -> serde_json::Map<String, Value> {
    let expanded = match expr.trim().to_ascii_lowercase().as_str() {
        "@hourly" => "0 * * * *".to_string(),
        "@daily" | "@midnight" => "0 0 * * *".to_string(),
        "@weekly" => "0 0 * * 0".to_string(),
        "@monthly" => "0 0 1 * *".to_string(),
        "@yearly" | "@annually" => "0 0 1 1 *".to_string(),
        e => e.to_string(),
    };
    let f: Vec<&str> = expanded.split_whitespace().collect();
    let num = |s: &str| s.parse::<u32>().ok();
    let every = |s: &str| s.strip_prefix("*/").and_then(|n| n.parse::<u32>().ok());
    const DAYS: [&str; 7] = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    let mut m = serde_json::Map::new();
    let mut set = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    match f.as_slice() {
        [mi, h, "*", "*", "*"] if num(mi).is_some() && num(h).is_some() => {
            set("day", json!(1));
            set("hour", json!(num(h)));
            set("minute", json!(num(mi)));
        }
        [mi, h, "*", "*", dow] if num(mi).is_some() && num(h).is_some() => {
            let days: Option<Vec<&str>> = dow
                .split(',')
                .map(|d| num(d).and_then(|d| DAYS.get(d as usize % 7).copied()))
                .collect();
            match days {
                Some(days) => {
                    set("weekdays", json!(days));
                    set("hour", json!(num(h)));
                    set("minute", json!(num(mi)));
                }
                None => set("minute", json!(1)),
            }
        }
        [mi, "*", "*", "*", "*"] if num(mi).is_some() => {
            set("hour", json!(1));
            set("minute", json!(num(mi)));
        }
        [mi, "*", "*", "*", "*"] if every(mi).is_some() => set("minute", json!(every(mi))),
        [mi, h, "*", "*", "*"] if num(mi).is_some() && every(h).is_some() => {
            set("hour", json!(every(h)));
            set("minute", json!(num(mi)));
        }
        [mi, h, d, "*", "*"] if num(mi).is_some() && num(h).is_some() && num(d).is_some() => {
            set("month", json!(1));
            set("day", json!(num(d)));
            set("hour", json!(num(h)));
            set("minute", json!(num(mi)));
        }
        _ => set("minute", json!(1)),
    }
    m
}

impl Registration {
    /// Create and start the scheduler's task; refuse when a live one exists for this
    /// pipeline (its id in the error), retire a dead one.
    pub async fn start(
        client: &Client,
        settings: &Settings,
        project: &str,
        spec: &Spec,
        sched: &Schedule,
        queue: Option<String>,
    ) -> anyhow::Result<Registration> {
        let name = task_name(spec);
        let pid = lookup::ensure_project(client, project).await?;
        let found = client
            .call(
                "tasks.get_all",
                &json!({"project": [pid], "name": lookup::exact_regex(&name), "type": ["service"],
                        "status": ["in_progress"], "only_fields": ["id", "last_update"]}),
            )
            .await?;
        for t in found["tasks"].as_array().into_iter().flatten() {
            let id = t["id"].as_str().unwrap_or("");
            let age = t["last_update"]
                .as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|d| {
                    (Utc::now() - d.with_timezone(&Utc))
                        .to_std()
                        .unwrap_or_default()
                });
            match age {
                Some(age) if age > STALE_AFTER => {
                    // Killed without a goodbye: not running, so not in the way.
                    let _ = client
                        .call(
                            "tasks.stopped",
                            &json!({"task": id, "force": true,
                                    "status_reason": "scheduler gone (no heartbeat)"}),
                        )
                        .await;
                }
                _ => {
                    return Err(PipelineError::SchedulerRunning {
                        pipeline: spec.name.clone(),
                        task: id.to_string(),
                        project: project.to_string(),
                    }
                    .into());
                }
            }
        }
        let task_id = client
            .call(
                "tasks.create",
                &json!({"name": name, "type": "service", "project": pid,
                        "comment": format!("clearml pipeline schedule --cron \"{}\" --tz {}", sched.expr, sched.tz.name())}),
            )
            .await?["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        client
            .call("tasks.started", &json!({"task": task_id, "force": true}))
            .await?;
        let mut job = serde_json::Map::new();
        for (k, v) in [
            ("name", json!(spec.name)),
            ("base_task_id", Value::Null),
            ("base_function", Value::Null),
            ("queue", json!(queue)),
            ("target_project", json!(spec.project)),
            ("single_instance", json!(true)),
            ("task_parameters", json!({})),
            ("task_overrides", json!({})),
            ("clone_task", json!(true)),
            ("execution_limit_hours", Value::Null),
            ("recurring", json!(true)),
            ("starting_time", json!(iso(Utc::now()))),
            ("minute", Value::Null),
            ("hour", Value::Null),
            ("day", Value::Null),
            ("weekdays", Value::Null),
            ("month", Value::Null),
            ("year", Value::Null),
            ("cron", json!(sched.expr)),
            ("timezone", json!(sched.tz.name())),
        ] {
            job.insert(k.to_string(), v);
        }
        job.extend(sdk_fields(&sched.expr));
        let mut reg = Registration {
            task_id,
            task_name: name,
            project: project.to_string(),
            files_host: settings.files_host.value.clone(),
            job,
            fired: Vec::new(),
        };
        reg.sync(client, Some(sched)).await?;
        Ok(reg)
    }

    /// A fire time started a run: logged at once, finished later by `finished`.
    pub async fn fired(
        &mut self,
        client: &Client,
        started: DateTime<Utc>,
        sched: &Schedule,
    ) -> anyhow::Result<()> {
        self.fired.push(Fired {
            started,
            finished: None,
            task_id: None,
        });
        self.sync(client, Some(sched)).await
    }

    /// The newest fired run ended (`task_id` None: it could not be launched).
    pub async fn finished(
        &mut self,
        client: &Client,
        task_id: Option<String>,
        sched: &Schedule,
    ) -> anyhow::Result<()> {
        if let Some(id) = &task_id {
            // The SDK's job points at the task it clones; ours at the newest run.
            self.job.insert("base_task_id".into(), json!(id));
        }
        if let Some(f) = self.fired.last_mut() {
            f.finished = Some(Utc::now());
            f.task_id = task_id;
        }
        self.sync(client, Some(sched)).await
    }

    pub async fn heartbeat(&self, client: &Client) -> anyhow::Result<()> {
        client
            .call("tasks.ping", &json!({"task": self.task_id}))
            .await?;
        Ok(())
    }

    /// The scheduler exits: its task says so (the web UI shows it stopped).
    pub async fn stop(&self, client: &Client) -> anyhow::Result<()> {
        client
            .call(
                "tasks.stopped",
                &json!({"task": self.task_id, "force": true, "status_reason": "scheduler exited"}),
            )
            .await?;
        Ok(())
    }

    /// The job as `ScheduleJob.to_dict(full=True)` gives it (private fields included).
    fn full_job(&self, sched: Option<&Schedule>) -> Value {
        let mut j = self.job.clone();
        let runs: Vec<&str> = self
            .fired
            .iter()
            .filter_map(|f| f.task_id.as_deref())
            .collect();
        j.insert("_executed_instances".into(), json!(runs));
        j.insert(
            "_next_run".into(),
            json!(sched.and_then(|s| s.next_after(Utc::now())).map(iso)),
        );
        j.insert("_execution_timeout".into(), Value::Null);
        j.insert(
            "_last_executed".into(),
            json!(self.fired.last().map(|f| iso(f.started))),
        );
        j.insert("_schedule_counter".into(), json!(self.fired.len()));
        Value::Object(j)
    }

    pub fn state(&self, sched: Option<&Schedule>) -> Value {
        json!({
            "scheduled_jobs": [self.full_job(sched)],
            "timeout_jobs": {},
            "executed_jobs": self.fired.iter().map(|f| json!({
                "name": self.job["name"], "started": iso(f.started),
                "finished": f.finished.map(iso), "task_id": f.task_id, "thread_id": null,
            })).collect::<Vec<_>>(),
        })
    }

    /// Write the `schedule` configuration and upload the `state` artifact.
    async fn sync(&mut self, client: &Client, sched: Option<&Schedule>) -> anyhow::Result<()> {
        let config = serde_json::to_string(&[Value::Object(self.job.clone())])?;
        client
            .call(
                "tasks.edit_configuration",
                &json!({"task": self.task_id, "replace_configuration": false, "force": true, "configuration": [{
                    "name": "schedule", "type": "json",
                    "description": "schedule tasks configuration", "value": config}]}),
            )
            .await?;
        let text = serde_json::to_string(&self.state(sched))?;
        let tmp = tempfile_with(&text)?;
        let object = format!(
            "{}/{}.{}/artifacts/state/state.txt",
            self.project.trim_matches('/'),
            self.task_name.replace('/', "_"),
            self.task_id
        );
        let bearer = client.bearer().await.map_err(clearml_api::into_anyhow)?;
        let up = clearml_api::files::upload(
            client.http(),
            &self.files_host,
            &object,
            tmp.path(),
            Some(&bearer),
            false,
            client.request_timeout(),
        )
        .await?;
        client
            .call(
                "tasks.add_or_update_artifacts",
                &json!({"task": self.task_id, "force": true, "artifacts": [{
                    "key": "state", "type": "string", "mode": "output", "uri": up.url,
                    "content_size": up.size, "hash": up.sha256,
                    "timestamp": Utc::now().timestamp(),
                    "type_data": {"preview": "scheduler internal state", "content_type": "text/plain"},
                }]}),
            )
            .await?;
        Ok(())
    }
}

/// The state text in a temporary file (the uploader streams files); removed on drop.
fn tempfile_with(text: &str) -> anyhow::Result<TempText> {
    let path = std::env::temp_dir().join(format!(
        "clearml-schedule-state-{}-{}.txt",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&path, text)?;
    Ok(TempText(path))
}

struct TempText(std::path::PathBuf);

impl TempText {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempText {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_forms_the_sdk_can_express() {
        let f = sdk_fields("0 2 * * *");
        assert_eq!(Value::Object(f), json!({"day": 1, "hour": 2, "minute": 0}));
        let f = sdk_fields("30 6 * * 1,5");
        assert_eq!(
            Value::Object(f),
            json!({"weekdays": ["monday", "friday"], "hour": 6, "minute": 30})
        );
        assert_eq!(
            Value::Object(sdk_fields("*/15 * * * *")),
            json!({"minute": 15})
        );
        assert_eq!(
            Value::Object(sdk_fields("@hourly")),
            json!({"hour": 1, "minute": 0})
        );
        assert_eq!(
            Value::Object(sdk_fields("*/2 * * * * *")),
            json!({"minute": 1})
        );
    }
}
