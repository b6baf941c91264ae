//! The loop: poll the active steps, launch those whose parents completed, resolve
//! their parameters (and reuse a cached run).

use super::*;

impl Runner<'_> {
    /// Drive the pipeline to its end. `stop` resolves when the user interrupts.
    pub async fn run(
        &mut self,
        mut observe: impl FnMut(&Note, &[StepView]),
        stop: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<Outcome> {
        tokio::pin!(stop);
        loop {
            if self.launch_ready(&mut observe).await? {
                self.write_state_riding(&mut observe).await?;
            }
            let active: Vec<usize> = (0..self.nodes.len())
                .filter(|&i| self.nodes[i].status.active())
                .collect();
            let launchable = (0..self.nodes.len()).any(|i| {
                self.nodes[i].status == NodeStatus::Pending
                    && !matches!(self.readiness(i), Readiness::Wait)
            });
            if active.is_empty() && !launchable {
                break;
            }
            if active.is_empty() {
                continue;
            }
            let interrupted = tokio::select! {
                _ = tokio::time::sleep(POLL) => false,
                _ = &mut stop => true,
            };
            if interrupted {
                return self.abort(&mut observe).await;
            }
            let polled = tokio::select! {
                r = self.poll(&active) => Some(r),
                _ = &mut stop => None,
            };
            let Some(polled) = polled else {
                return self.abort(&mut observe).await;
            };
            let tasks = match polled {
                Ok(t) => {
                    if self.outage.answered() {
                        observe(&Note::Reachable, &self.views());
                    }
                    t
                }
                Err(e) => {
                    let msg = clearml_error::one_line(&e);
                    let retry = self.outage.failed(e)?;
                    if retry.first {
                        observe(&Note::Unreachable(msg), &self.views());
                    }
                    let interrupted = tokio::select! {
                        _ = tokio::time::sleep(retry.pause) => false,
                        _ = &mut stop => true,
                    };
                    if interrupted {
                        return self.abort(&mut observe).await;
                    }
                    continue;
                }
            };
            self.apply_polled(active, &tasks, &mut observe).await?;
        }
        let outcome = self.final_outcome();
        self.finish(outcome).await?;
        Ok(outcome)
    }

    /// Launch what can go, skip what can never go; true when a step changed.
    async fn launch_ready(
        &mut self,
        observe: &mut impl FnMut(&Note, &[StepView]),
    ) -> anyhow::Result<bool> {
        let mut changed = false;
        for k in 0..self.plan.spec.order.len() {
            let i = self.plan.spec.order[k];
            if self.nodes[i].status != NodeStatus::Pending {
                continue;
            }
            match self.readiness(i) {
                Readiness::Wait => {}
                Readiness::Blocked => {
                    self.nodes[i].status = NodeStatus::Skipped;
                    self.nodes[i].executed = Value::Bool(false);
                    changed = true;
                    let name = self.plan.spec.steps[i].name.clone();
                    observe(&Note::Step(name), &self.views());
                }
                Readiness::Go => {
                    let step = self.plan.spec.steps[i].name.clone();
                    // Not interruptible: a half-launched step would be left behind.
                    self.launch_step(i).await?;
                    changed = true;
                    observe(&Note::Step(step), &self.views());
                }
            }
        }
        Ok(changed)
    }

    /// Fold the polled tasks into the active steps; report and save what changed.
    async fn apply_polled(
        &mut self,
        active: Vec<usize>,
        tasks: &[Value],
        observe: &mut impl FnMut(&Note, &[StepView]),
    ) -> anyhow::Result<()> {
        let mut changed = Vec::new();
        for i in active {
            if let Some(t) = tasks
                .iter()
                .find(|t| t["id"].as_str() == self.nodes[i].task_id.as_deref())
                && self.update(i, t).await?
            {
                changed.push(i);
            }
        }
        if !changed.is_empty() {
            for &i in &changed {
                let name = self.plan.spec.steps[i].name.clone();
                observe(&Note::Step(name), &self.views());
            }
            self.write_state_riding(observe).await?;
        }
        Ok(())
    }

    /// Failed: a step that did not succeed, unless it failed with continue_on_fail.
    fn final_outcome(&self) -> Outcome {
        let tolerated = |n: &Node, s: &Step| {
            s.continue_on_fail && matches!(n.status, NodeStatus::Failed | NodeStatus::Aborted)
        };
        if self
            .nodes
            .iter()
            .zip(&self.plan.spec.steps)
            .any(|(n, s)| !n.status.succeeded() && !tolerated(n, s))
        {
            Outcome::Failed
        } else {
            Outcome::Completed
        }
    }

    /// Whether step `i` may start: all parents succeeded (or failed with continue_on_fail).
    pub(super) fn readiness(&self, i: usize) -> Readiness {
        let spec = &self.plan.spec;
        let mut wait = false;
        for p in &spec.steps[i].parents {
            let Some(j) = spec.index(p) else { continue };
            let n = &self.nodes[j];
            if n.status.succeeded() {
                continue;
            }
            if !n.status.finished() {
                wait = true;
                continue;
            }
            let tolerated = spec.steps[j].continue_on_fail
                && matches!(n.status, NodeStatus::Failed | NodeStatus::Aborted);
            if !tolerated {
                return Readiness::Blocked;
            }
        }
        if wait { Readiness::Wait } else { Readiness::Go }
    }

    /// One batched status call for every active step.
    pub(super) async fn poll(&self, active: &[usize]) -> anyhow::Result<Vec<Value>> {
        let ids: Vec<&str> = active
            .iter()
            .filter_map(|&i| self.nodes[i].task_id.as_deref())
            .collect();
        let data = self
            .client
            .call(
                "tasks.get_all",
                &json!({
                    "id": ids,
                    "only_fields": ["id", "status", "status_message", "last_worker", "started", "completed"],
                    "search_hidden": true,
                }),
            )
            .await?;
        Ok(data["tasks"].as_array().cloned().unwrap_or_default())
    }

    /// Apply a polled task to its node; true when the node's status changed.
    pub(super) async fn update(&mut self, i: usize, t: &Value) -> anyhow::Result<bool> {
        let status = t["status"].as_str().unwrap_or("");
        let message = t["status_message"].as_str().unwrap_or("");
        let now = Instant::now();
        let before = self.nodes[i].status;
        {
            let n = &mut self.nodes[i];
            if let Some(w) = t["last_worker"].as_str().filter(|w| !w.is_empty()) {
                n.worker = Some(w.to_string());
            }
        }
        let new = match status {
            "queued" | "created" => NodeStatus::Queued,
            "in_progress" => NodeStatus::Running,
            // The server's watchdog stops silent tasks with this message: still running.
            "stopped" if message == "Forced stop (non-responsive)" => NodeStatus::Running,
            "completed" | "published" | "closed" => NodeStatus::Completed,
            "failed" => NodeStatus::Failed,
            "stopped" => NodeStatus::Aborted,
            _ => before,
        };
        if new == NodeStatus::Running && self.nodes[i].running_since.is_none() {
            self.nodes[i].running_since = Some(now);
            self.nodes[i].job_started = Some(unix_now());
        }
        // The time limit counts from when a worker started the step.
        if new == NodeStatus::Running
            && let (Some(limit), Some(since)) = (
                self.plan.spec.steps[i].time_limit,
                self.nodes[i].running_since,
            )
            && now - since > limit
        {
            let id = self.nodes[i].task_id.clone().unwrap_or_default();
            self.client
                        .call(
                            "tasks.stop",
                            &json!({"task": id, "force": true, "status_reason": "time limit exceeded",
                                    "status_message": format!("stopped by the pipeline: ran over its time_limit of {}", humantime::format_duration(limit))}),
                        )
                        .await?;
            self.nodes[i].timed_out = true;
            return Ok(self.finish_node(i, NodeStatus::Aborted));
        }
        // `attempts` counts launches: the first run plus retry_on_failure more.
        if new == NodeStatus::Failed
            && self.nodes[i].attempts <= self.plan.spec.steps[i].retry_on_failure
        {
            // Retry: a fresh clone, as the SDK relaunches the node.
            self.launch_step(i).await?;
            return Ok(true);
        }
        if new == before {
            return Ok(false);
        }
        if new.finished() {
            return Ok(self.finish_node(i, new));
        }
        self.nodes[i].status = new;
        Ok(true)
    }

    pub(super) fn finish_node(&mut self, i: usize, status: NodeStatus) -> bool {
        let continue_on_fail = self.plan.spec.steps[i].continue_on_fail;
        let n = &mut self.nodes[i];
        n.status = status;
        n.ended = Some(Instant::now());
        n.job_ended = Some(unix_now());
        if n.running_since.is_none() {
            n.running_since = n.launched;
        }
        n.executed = if status.succeeded() || continue_on_fail {
            json!(n.task_id)
        } else {
            Value::Bool(false)
        };
        true
    }

    /// Clone the base task (or reuse a cached run), apply the parameters, enqueue.
    pub(super) async fn launch_step(&mut self, i: usize) -> anyhow::Result<()> {
        let step = self.plan.spec.steps[i].clone();
        let base = self.plan.bases[i].clone();
        let base_id = base["id"].as_str().unwrap_or_default().to_string();
        let overrides = self.resolve_parameters(&step).await?;
        let hyperparams = overlay(&base["hyperparams"], &overrides);
        // `None`: the SDK would not cache this step (an unpinned repository) either.
        let hash = job_hash(&base, &overrides);
        self.nodes[i].attempts += 1;
        self.nodes[i].launched = Some(Instant::now());
        self.nodes[i].running_since = None;
        self.nodes[i].ended = None;
        self.nodes[i].worker = None;
        if step.cache_executed_step
            && let Some(hash) = &hash
            && let Some(id) = self.cached(hash).await?
        {
            self.nodes[i].task_id = Some(id);
            self.nodes[i].running_since = self.nodes[i].launched;
            self.finish_node(i, NodeStatus::Cached);
            return Ok(());
        }
        let cloned = self
            .client
            .call(
                "tasks.clone",
                &json!({
                    "task": base_id, "new_task_name": step.name,
                    "new_task_parent": self.controller_id, "new_task_project": self.project_id,
                }),
            )
            .await?;
        let id = cloned["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("tasks.clone returned no id"))?
            .to_string();
        self.nodes[i].task_id = Some(id.clone());
        let mut edit = json!({"task": id, "force": true});
        if let Some(hash) = &hash {
            edit["runtime"] = json!({"pipeline_job_hash": hash});
        }
        if !overrides.is_empty() {
            edit["hyperparams"] = hyperparams;
        }
        self.client.call("tasks.edit", &edit).await?;
        let queue_id = self.plan.queues[i].1.clone();
        self.client
            .call(
                "tasks.enqueue",
                &json!({"task": id, "queue": queue_id, "status_reason": "pipeline step"}),
            )
            .await?;
        self.nodes[i].status = NodeStatus::Queued;
        self.nodes[i].executed = Value::Null;
        Ok(())
    }

    /// A completed, unarchived task with the same job hash (the SDK's cache rule).
    pub(super) async fn cached(&self, hash: &str) -> anyhow::Result<Option<String>> {
        let found = self
            .client
            .call(
                "tasks.get_all",
                &json!({
                    "status": ["completed", "published"],
                    "system_tags": ["-archived"],
                    "_all_": {"fields": ["runtime.pipeline_job_hash"], "pattern": exact_regex(hash)},
                    "only_fields": ["id"],
                    "order_by": ["-last_update"],
                    "search_hidden": true,
                }),
            )
            .await?;
        Ok(found["tasks"]
            .as_array()
            .and_then(|a| a.first())
            .and_then(|t| t["id"].as_str())
            .map(str::to_string))
    }

    /// The step's parameters with every reference resolved against the finished parents.
    pub(super) async fn resolve_parameters(
        &self,
        step: &Step,
    ) -> anyhow::Result<Vec<(String, String)>> {
        let spec = &self.plan.spec;
        // The tasks the references need, fetched in one call.
        let mut need: Vec<String> = Vec::new();
        for (_, v) in &step.parameters {
            for f in refs::scan(v).unwrap_or_default() {
                if let Some(s) = f.r.step()
                    && let Some(id) = spec.index(s).and_then(|j| self.nodes[j].task_id.clone())
                    && !need.contains(&id)
                {
                    need.push(id);
                }
            }
        }
        let tasks = if need.is_empty() {
            Vec::new()
        } else {
            self.client
                .get_all(
                    "tasks.get_all",
                    &json!({"id": need, "only_fields": ["id", "hyperparams", "execution.artifacts", "models"], "search_hidden": true}),
                    "tasks",
                    None,
                )
                .await?
        };
        let mut out = Vec::new();
        for (k, v) in &step.parameters {
            let mut model_ids: Vec<String> = Vec::new();
            let mut resolved = refs::substitute(v, |r| -> anyhow::Result<Option<String>> {
                let task = r
                    .step()
                    .and_then(|s| spec.index(s))
                    .and_then(|j| self.nodes[j].task_id.as_deref())
                    .and_then(|id| tasks.iter().find(|t| t["id"].as_str() == Some(id)));
                let what = || format!("step '{}', parameter '{k}': {v}", step.name);
                Ok(Some(match r {
                    Ref::Pipeline(n) => spec.parameter(n).unwrap_or_default().to_string(),
                    Ref::StepId(s) => spec
                        .index(s)
                        .and_then(|j| self.nodes[j].task_id.clone())
                        .unwrap_or_default(),
                    Ref::StepParam(_, path) => {
                        let (section, name) = path.split_once('/').unwrap_or(("General", path));
                        task.and_then(|t| t["hyperparams"][section][name]["value"].as_str())
                            .map(str::to_string)
                            .ok_or_else(|| {
                                anyhow::anyhow!("{}: the parent has no parameter {path}", what())
                            })?
                    }
                    Ref::StepArtifact(_, name) => {
                        task.and_then(|t| artifact_url(t, name)).ok_or_else(|| {
                            anyhow::anyhow!("{}: the parent has no artifact '{name}'", what())
                        })?
                    }
                    Ref::StepModel(_, dir, idx) => {
                        let list = task
                            .and_then(|t| t["models"][dir.key()].as_array().cloned())
                            .unwrap_or_default();
                        let m = refs::pick(&list, *idx)
                            .and_then(|m| m["model"].as_str())
                            .ok_or_else(|| {
                                anyhow::anyhow!(
                                    "{}: the parent has no {} model {idx}",
                                    what(),
                                    dir.key()
                                )
                            })?;
                        model_ids.push(m.to_string());
                        format!("\u{0}model:{m}\u{0}")
                    }
                }))
            })?;
            // Model URLs take one more lookup.
            for m in model_ids {
                let data = self
                    .client
                    .call(
                        "models.get_all",
                        &json!({"id": [m], "only_fields": ["id", "uri"]}),
                    )
                    .await?;
                let uri = data["models"][0]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                resolved = resolved.replace(&format!("\u{0}model:{m}\u{0}"), &uri);
            }
            out.push((k.clone(), resolved));
        }
        Ok(out)
    }
}
