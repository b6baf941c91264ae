//! What the controller task shows: the `Pipeline` DAG configuration, progress and
//! plots, and how a run ends (aborted, finished, the failures).

use super::*;

impl Runner<'_> {
    /// The `Pipeline` configuration, progress and plots, rewritten on every change.
    pub(super) async fn write_state(&self) -> anyhow::Result<()> {
        let dag = self.dag();
        let value = serde_json::to_string_pretty(&dag)?;
        let state_hash = md5_hex(&value);
        let done = self.nodes.iter().filter(|n| n.status.finished()).count();
        let progress = if self.nodes.is_empty() {
            100
        } else {
            done * 100 / self.nodes.len()
        };
        let runtime = json!({
            "_pipeline_hash": format!("{}:{}", md5_hex(&serde_json::to_string(&self.definition())?), self.version),
            "version": self.version,
            "progress": progress.to_string(),
        });
        self.client
            .call(
                "tasks.edit",
                &json!({
                    "task": self.controller_id, "force": true, "runtime": runtime,
                    "configuration": {"Pipeline": {
                        "name": "Pipeline", "type": "dictionary", "value": value,
                        "description": format!("pipeline state: {state_hash}"),
                    }},
                }),
            )
            .await?;
        self.client
            .call_batch("events.add_batch", &self.plot_events())
            .await?;
        Ok(())
    }

    /// write_state, riding out an unreachable server.
    pub(super) async fn write_state_riding(
        &mut self,
        observe: &mut impl FnMut(&Note, &[StepView]),
    ) -> anyhow::Result<()> {
        loop {
            match self.write_state().await {
                Ok(()) => {
                    if self.outage.answered() {
                        observe(&Note::Reachable, &self.views());
                    }
                    return Ok(());
                }
                Err(e) => {
                    let msg = clearml_error::one_line(&e);
                    let retry = self.outage.failed(e)?;
                    if retry.first {
                        observe(&Note::Unreachable(msg), &self.views());
                    }
                    tokio::time::sleep(retry.pause).await;
                }
            }
        }
    }

    /// The DAG as the SDK serializes its nodes (`Pipeline` configuration value).
    pub fn dag(&self) -> Value {
        let mut dag = Map::new();
        for (i, s) in self.plan.spec.steps.iter().enumerate() {
            let n = &self.nodes[i];
            let mut node = self.node_definition(i);
            node["executed"] = n.executed.clone();
            node["status"] = json!(n.status.as_str());
            node["job_started"] = json!(n.job_started);
            node["job_ended"] = json!(n.job_ended);
            node["job_id"] = json!(n.task_id);
            dag.insert(s.name.clone(), node);
        }
        Value::Object(dag)
    }

    /// The DAG without run state: what `_pipeline_hash` covers.
    pub(super) fn definition(&self) -> Value {
        let mut d = Map::new();
        for (i, s) in self.plan.spec.steps.iter().enumerate() {
            d.insert(s.name.clone(), self.node_definition(i));
        }
        json!({"dag": d, "parameters": self.plan.spec.parameters})
    }

    pub(super) fn node_definition(&self, i: usize) -> Value {
        let s = &self.plan.spec.steps[i];
        let params: Map<String, Value> = s
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        json!({
            "base_task_id": self.plan.bases[i]["id"],
            "queue": s.execution_queue,
            "parents": s.parents,
            "timeout": s.time_limit.map(|d| d.as_secs_f64()),
            "parameters": params,
            "configurations": {},
            "task_overrides": {},
            "executed": null,
            "status": "pending",
            "clone_task": true,
            "job_type": self.plan.bases[i]["type"].as_str().unwrap_or("training"),
            "job_started": null,
            "job_ended": null,
            "job_code_section": null,
            "skip_job": false,
            "cache_executed_step": s.cache_executed_step,
            "return_artifacts": [],
            "monitor_metrics": [],
            "monitor_artifacts": [],
            "monitor_models": [],
            "explicit_docker_image": null,
            "recursively_parse_parameters": false,
            "output_uri": null,
            "draft": false,
            "continue_behaviour": null,
            "continue_on_fail": s.continue_on_fail,
            "continue_on_abort": false,
            "skip_children_on_abort": true,
            "skip_children_on_fail": !s.continue_on_fail,
            "stage": null,
        })
    }

    /// The `Pipeline / Execution Flow` sankey and `Pipeline Details / Execution Details`
    /// table the web UI draws, shaped as the SDK sends them.
    pub(super) fn plot_events(&self) -> Vec<Value> {
        let spec = &self.plan.spec;
        let color = |s: NodeStatus| match s {
            NodeStatus::Completed => "blue",
            NodeStatus::Cached => "darkslateblue",
            NodeStatus::Running => "green",
            NodeStatus::Queued => "lightsteelblue",
            NodeStatus::Failed => "red",
            NodeStatus::Aborted => "royalblue",
            NodeStatus::Skipped => "gray",
            NodeStatus::Pending => "lightsteelblue",
        };
        let params_text = |i: usize, sep: &str| {
            spec.steps[i]
                .parameters
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(sep)
        };
        let (mut src, mut dst) = (Vec::new(), Vec::new());
        for (i, s) in spec.steps.iter().enumerate() {
            for p in &s.parents {
                if let Some(j) = spec.index(p) {
                    src.push(j);
                    dst.push(i);
                }
            }
        }
        let labels: Vec<String> = (0..spec.steps.len())
            .map(|i| format!("{}<br />{}", spec.steps[i].name, params_text(i, "<br />")))
            .collect();
        let flow = json!({
            "data": [{
                "link": {"source": src, "target": dst, "value": vec![1; src.len()], "hovertemplate": "<extra></extra>"},
                "node": {"label": labels, "color": self.nodes.iter().map(|n| color(n.status)).collect::<Vec<_>>(), "hovertemplate": "%{label}<extra></extra>"},
                "textfont": {"color": "rgba(0,0,0,0)", "size": 1},
                "type": "sankey", "orientation": "h",
            }],
            "layout": {"xaxis": {"visible": false}, "yaxis": {"visible": false}, "title": "Execution Flow"},
        });
        let link = |project: &str, id: &str, text: &str| {
            format!(
                "<a href=\"{}/projects/{project}/tasks/{id}/output/log\"> {text} </a>",
                self.web_url
            )
        };
        let mut cols: Vec<Vec<String>> = vec![Vec::new(); 5];
        for (i, s) in spec.steps.iter().enumerate() {
            let base = self.plan.bases[i]["id"].as_str().unwrap_or_default();
            cols[0].push(format!("{}\n[{}]", s.name, link("*", base, "base task")));
            cols[1].push(
                self.nodes[i]
                    .task_id
                    .as_deref()
                    .map(|id| link(&self.project_id, id, id))
                    .unwrap_or_default(),
            );
            cols[2].push(s.name.clone());
            cols[3].push(self.nodes[i].status.as_str().to_string());
            cols[4].push(params_text(i, ", "));
        }
        let font = |size: u32, color: &str| json!({"family": "Heebo, verdana, arial, sans-serif", "size": size, "color": color});
        let table = json!({
            "data": [{
                "type": "table",
                "header": {"values": ["Pipeline Step", "Task ID", "Task Name", "Status", "Parameters"],
                           "align": "left", "line": {"width": 0.5, "color": "#d4d6e0"},
                           "fill": {"color": "#fff"}, "font": font(12, "#333")},
                "cells": {"height": 30, "values": cols, "align": "left",
                          "line": {"color": "white", "width": 1}, "font": font(14, "#384161")},
            }],
            "layout": {"title.text": "Pipeline Details", "title": "Execution Details"},
        });
        let ts = chrono::Utc::now().timestamp_millis();
        [
            ("Pipeline", "Execution Flow", flow),
            ("Pipeline Details", "Execution Details", table),
        ]
        .into_iter()
        .map(|(metric, variant, plot)| {
            json!({
                "timestamp": ts, "type": "plot", "task": self.controller_id, "iter": 0,
                "metric": metric, "variant": variant, "plot_str": plot.to_string(),
            })
        })
        .collect()
    }

    /// Ctrl-C: stop the steps on the server, mark the run stopped.
    pub(super) async fn abort(
        &mut self,
        observe: &mut impl FnMut(&Note, &[StepView]),
    ) -> anyhow::Result<Outcome> {
        for i in 0..self.nodes.len() {
            if self.nodes[i].status.active() {
                if let Some(id) = self.nodes[i].task_id.clone() {
                    let _ = self
                        .client
                        .call(
                            "tasks.stop",
                            &json!({"task": id, "force": true, "status_reason": "pipeline aborted"}),
                        )
                        .await;
                }
                self.finish_node(i, NodeStatus::Aborted);
                let name = self.plan.spec.steps[i].name.clone();
                observe(&Note::Step(name), &self.views());
            } else if self.nodes[i].status == NodeStatus::Pending {
                self.nodes[i].status = NodeStatus::Skipped;
                self.nodes[i].executed = Value::Bool(false);
            }
        }
        self.finish(Outcome::Stopped).await?;
        Ok(Outcome::Stopped)
    }

    pub(super) async fn finish(&mut self, outcome: Outcome) -> anyhow::Result<()> {
        // The final write says progress 100, as the SDK's last one does.
        let _ = self.write_state().await;
        let (endpoint, reason) = match outcome {
            Outcome::Completed => ("tasks.completed", "completed"),
            Outcome::Failed => ("tasks.failed", "Pipeline step failed"),
            Outcome::Stopped => ("tasks.stopped", "Pipeline aborted"),
        };
        self.client
            .call(
                endpoint,
                &json!({"task": self.controller_id, "force": true, "status_reason": reason}),
            )
            .await?;
        Ok(())
    }

    /// Steps that did not succeed, with why (for the final message).
    pub fn failures(&self) -> Vec<String> {
        self.plan
            .spec
            .order
            .iter()
            .filter(|&&i| {
                matches!(
                    self.nodes[i].status,
                    NodeStatus::Failed | NodeStatus::Aborted
                )
            })
            .map(|&i| {
                let n = &self.nodes[i];
                let s = &self.plan.spec.steps[i];
                let why = if n.timed_out {
                    format!(
                        "stopped after its time_limit of {}",
                        humantime::format_duration(s.time_limit.unwrap_or_default())
                    )
                } else if n.attempts > 1 {
                    format!("{} after {} attempts", n.status.as_str(), n.attempts)
                } else {
                    n.status.as_str().to_string()
                };
                format!("{} {why}", s.name)
            })
            .collect()
    }
}
