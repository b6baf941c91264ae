//! Phase 2: each model and task filled in on the target (fields with ids rewritten,
//! artifacts, events, status).

use super::*;

impl<S: Source> Engine<'_, S> {
    // ------------------------------------------------------------ phase 2: models

    pub(super) async fn fill_model(&self, m: &Value) -> anyhow::Result<()> {
        let sid = s(&m["id"]);
        let version = model_version(m);
        let (target, done) = match self.state.borrow().models.get(sid) {
            Some(c) => (Some(c.id.clone()), c.done.clone()),
            None => (None, None),
        };
        if target.is_none() && !self.opts.dry_run {
            return Ok(()); // the target refused to make it: already listed in `skipped`
        }
        let unchanged = done.as_ref().is_some_and(|d| d.version == version);
        if unchanged {
            self.report.borrow_mut().counts.models_unchanged += 1;
            return Ok(());
        }
        {
            let is_new = target.is_none() || self.fresh.borrow().contains(sid);
            let mut r = self.report.borrow_mut();
            if is_new {
                r.counts.models_copied += 1;
            } else {
                r.counts.models_updated += 1;
            }
        }
        let uri = self
            .copy_file_of(s(&m["uri"]), ("model", sid, s(&m["name"])))
            .await?;
        let Some(target) = target else {
            return Ok(()); // dry run: nothing made
        };
        if self.opts.dry_run {
            return Ok(());
        }
        let mut body = json!({"model": target, "uri": uri,
            "system_tags": tags_with_origin(&m["system_tags"], sid)});
        for k in [
            "name",
            "comment",
            "tags",
            "framework",
            "design",
            "labels",
            "metadata",
        ] {
            if !m[k].is_null() {
                body[k] = m[k].clone();
            }
        }
        for k in ["task", "parent", "project"] {
            if let Some(t) = self.map_id(s(&m[k])) {
                body[k] = json!(t);
            }
        }
        if m["ready"].as_bool() == Some(true) {
            body["ready"] = json!(true);
        }
        self.dst.client.call("models.edit", &body).await?;
        let complete = !self.incomplete.borrow().contains(sid);
        self.state.borrow_mut().models.insert(
            sid.to_string(),
            Copied {
                id: target,
                done: complete.then(|| Done {
                    version,
                    ..Done::default()
                }),
            },
        );
        Ok(())
    }

    // ------------------------------------------------------------ phase 2: tasks

    pub(super) async fn fill_task(&self, t: &Value) -> anyhow::Result<()> {
        let sid = s(&t["id"]);
        let (target, done) = match self.state.borrow().tasks.get(sid) {
            Some(c) => (Some(c.id.clone()), c.done.clone()),
            None => (None, None),
        };
        if target.is_none() && !self.opts.dry_run {
            return Ok(()); // the target refused to make it: already listed in `skipped`
        }
        let status = s(&t["status"]).to_string();
        // A model the task uses that the target refused is left out of the copy: a marked
        // version makes the next run that has the model (once fixed) edit the task again.
        let version = if self.models_unmapped(t) {
            format!("{} without a model", s(&t["last_update"]))
        } else {
            s(&t["last_update"]).to_string()
        };
        if let Some(d) = &done
            && d.version == version
            && d.status == status
        {
            self.report.borrow_mut().counts.tasks_unchanged += 1;
            return Ok(());
        }
        let total = self.src.event_total(sid).await?;
        let copied_before = done.as_ref().map_or(0, |d| d.events);
        // New: made by this run (or, in a dry run, to be made); else found on the target.
        let is_new = target.is_none() || self.fresh.borrow().contains(sid);
        if self.opts.dry_run {
            {
                let mut r = self.report.borrow_mut();
                if is_new {
                    r.counts.tasks_copied += 1;
                } else {
                    r.counts.tasks_updated += 1;
                }
                r.counts.events += total.saturating_sub(copied_before);
            }
            for a in t["execution"]["artifacts"].as_array().into_iter().flatten() {
                self.copy_file(s(&a["uri"])).await?;
            }
            return Ok(());
        }
        let target = target.ok_or_else(|| anyhow::anyhow!("no target task was made"))?;

        // Files first: the task is edited with the URLs they have on the target.
        let mut artifacts = Vec::new();
        for a in t["execution"]["artifacts"].as_array().into_iter().flatten() {
            let mut a = a.clone();
            if let Some(uri) = a["uri"].as_str() {
                a["uri"] = json!(self.copy_file_of(uri, ("task", sid, s(&t["name"]))).await?);
            }
            artifacts.push(a);
        }
        // One forced tasks.edit carries the fields and the artifacts: the real server refuses
        // tasks.add_or_update_artifacts on a finished task even with force
        // (quirks/api-tasks-add-or-update-artifacts-status.json), and one call cannot leave
        // the task half-updated. The creation time is not copied: the real server (2.3)
        // sets `created` itself and neither tasks.edit nor tasks.update takes it.
        let mut body = self.task_edit_body(t, &target).await?;
        if body["execution"].is_object() {
            body["execution"]["artifacts"] = json!(artifacts);
        }
        self.dst.client.call("tasks.edit", &body).await?;
        let fresh = self.fresh.borrow().contains(sid);
        let unchanged_events = total == copied_before && total < EVENT_COUNT_CAP && done.is_some();
        if !unchanged_events {
            self.copy_events(sid, s(&t["name"]), &target, fresh).await?;
        }
        self.set_status(t, &target).await?;
        {
            let mut r = self.report.borrow_mut();
            if is_new {
                r.counts.tasks_copied += 1;
            } else {
                r.counts.tasks_updated += 1;
            }
        }
        let complete = !self.incomplete.borrow().contains(sid);
        self.state.borrow_mut().tasks.insert(
            sid.to_string(),
            Copied {
                id: target,
                done: complete.then_some(Done {
                    version,
                    status,
                    events: total,
                }),
            },
        );
        Ok(())
    }

    /// Whether a model the task uses has no target id (the target refused it).
    pub(super) fn models_unmapped(&self, t: &Value) -> bool {
        ["input", "output"].into_iter().any(|dir| {
            t["models"][dir]
                .as_array()
                .into_iter()
                .flatten()
                .any(|m| self.map_id(s(&m["model"])).is_none())
        })
    }

    /// `tasks.edit` (forced: the target task may have run) with every field a user sees,
    /// ids and file URLs rewritten.
    pub(super) async fn task_edit_body(&self, t: &Value, target: &str) -> anyhow::Result<Value> {
        let sid = s(&t["id"]);
        let mut body = json!({"task": target, "force": true,
            "system_tags": tags_with_origin(&t["system_tags"], sid)});
        for k in ["name", "type", "comment", "tags", "script", "container"] {
            if !t[k].is_null() {
                body[k] = t[k].clone();
            }
        }
        {
            let ids = self.ids.borrow();
            for k in ["hyperparams", "configuration", "runtime"] {
                if !t[k].is_null() {
                    let mut v = t[k].clone();
                    rewrite_ids_in(&mut v, &ids);
                    body[k] = v;
                }
            }
        }
        if let Some(p) = self.map_id(s(&t["project"])) {
            body["project"] = json!(p);
        }
        let parent = s(&t["parent"]);
        if !parent.is_empty() {
            match self.map_id(parent) {
                Some(p) => body["parent"] = json!(p),
                None => self
                    .report
                    .borrow_mut()
                    .note("a task's parent is outside the copied projects: left out".into()),
            }
        }
        let mut execution = t["execution"].clone();
        if let Some(e) = execution.as_object_mut() {
            e.remove("artifacts");
            if let Some(q) = e.get("queue").and_then(Value::as_str).map(str::to_string) {
                match self.map_queue(&q).await? {
                    Some(tq) => {
                        e.insert("queue".into(), json!(tq));
                    }
                    None => {
                        e.remove("queue");
                    }
                }
            }
            if let Some(m) = e.get("model").and_then(Value::as_str) {
                match self.map_id(m) {
                    Some(tm) => e.insert("model".into(), json!(tm)),
                    None => e.remove("model"),
                };
            }
            body["execution"] = execution;
        }
        let mut models = Map::new();
        for dir in ["input", "output"] {
            let list: Vec<Value> = t["models"][dir]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| {
                    let id = self.map_id(s(&m["model"]))?;
                    Some(json!({"name": m["name"], "model": id}))
                })
                .collect();
            models.insert(dir.into(), Value::Array(list));
        }
        body["models"] = Value::Object(models);
        if let Some(dest) = t["output"]["destination"]
            .as_str()
            .filter(|d| !d.is_empty())
        {
            body["output_dest"] = json!(self.planned_url(dest));
        }
        Ok(body)
    }

    /// The events the target task lacks, in the source's order; debug images' files too.
    /// Read a page at a time and sent on in batches: what is held is one page, plus a
    /// digest per event the target already has when an earlier copy is completed.
    pub(super) async fn copy_events(
        &self,
        sid: &str,
        name: &str,
        target: &str,
        fresh: bool,
    ) -> anyhow::Result<()> {
        let mut have = if fresh {
            HashMap::new()
        } else {
            target_event_digests(&self.dst.client, target).await?
        };
        let mut cursor = Cursor::new();
        loop {
            let page = self.src.next_events(sid, &mut cursor).await?;
            if page.is_empty() {
                return Ok(());
            }
            let mut missing = Vec::new();
            for mut e in page {
                if e["model_event"].as_bool() == Some(true) {
                    continue;
                }
                if let Some(url) = e.get("url").and_then(Value::as_str).map(str::to_string) {
                    e["url"] = json!(self.copy_file_of(&url, ("task", sid, name)).await?);
                }
                let mut ev = event_for(&e, target);
                {
                    // Console text and plots name tasks (a controller's step table): by
                    // their target ids. URLs keep theirs: the files keep their paths.
                    let ids = self.ids.borrow();
                    for k in ["msg", "plot_str"] {
                        if let Some(v) = ev.get_mut(k) {
                            rewrite_ids_in(v, &ids);
                        }
                    }
                }
                // A key twice on the source and once on the target is copied once.
                match have.get_mut(&event_digest(&ev)) {
                    Some(n) if *n > 0 => *n -= 1,
                    _ => missing.push(ev),
                }
            }
            for batch in missing.chunks(EVENTS_PER_BATCH) {
                self.send_events(batch).await?;
            }
        }
    }

    pub(super) async fn send_events(&self, items: &[Value]) -> anyhow::Result<()> {
        let data = self
            .dst
            .client
            .call_batch("events.add_batch", items)
            .await?;
        let errors = data["errors"].as_u64().unwrap_or(0);
        if errors > 0 {
            return Err(SyncError::failed(format!(
                "the target refused {errors} of {} events: {}",
                items.len(),
                data["errors_info"]
            ))
            .into());
        }
        self.report.borrow_mut().counts.events += items.len() as u64;
        Ok(())
    }

    /// Bring the target task to the source task's status (the calls set their own
    /// `started`/`completed` times: those are not the source's).
    pub(super) async fn set_status(&self, t: &Value, target: &str) -> anyhow::Result<()> {
        let to = s(&t["status"]);
        let from = self
            .target_status
            .borrow()
            .get(target)
            .cloned()
            .unwrap_or_else(|| "created".into());
        let (calls, note) = status_calls(&from, to);
        if let Some(n) = note {
            self.report.borrow_mut().note(n);
        }
        for call in calls {
            let mut body = json!({"task": target, "force": true,
                "status_reason": t["status_reason"].as_str().unwrap_or("copied by clearml sync"),
                "status_message": t["status_message"].as_str().unwrap_or("")});
            if call == "tasks.publish" {
                body["publish_model"] = json!(false);
            }
            self.dst.client.call(call, &body).await?;
        }
        self.target_status
            .borrow_mut()
            .insert(target.to_string(), to.to_string());
        Ok(())
    }
}
