//! Phase 1: every project, queue, model and task gets its target id (the state file,
//! the sync tag, or a bare object made now).

use super::*;

impl<S: Source> Engine<'_, S> {
    // ------------------------------------------------------------ projects and queues

    /// Every selected project found or made on the target by its full name, parents first.
    pub(super) async fn map_projects(&self, selected: &mut [Value]) -> anyhow::Result<()> {
        selected.sort_by(|a, b| s(&a["name"]).cmp(s(&b["name"])));
        let existing: HashMap<String, String> = self
            .dst
            .client
            .get_all(
                "projects.get_all",
                &json!({"search_hidden": true, "only_fields": ["id", "name"]}),
                "projects",
                None,
            )
            .await?
            .iter()
            .map(|p| (s(&p["name"]).to_string(), s(&p["id"]).to_string()))
            .collect();
        for p in selected.iter() {
            let (sid, name) = (s(&p["id"]), s(&p["name"]));
            let target = match existing.get(name) {
                Some(id) => Some(id.clone()),
                None if self.opts.dry_run => {
                    self.report.borrow_mut().counts.projects_created += 1;
                    None
                }
                None => {
                    let mut body = json!({"name": name, "description": s(&p["description"])});
                    for k in ["tags", "system_tags"] {
                        if p[k].is_array() {
                            body[k] = p[k].clone();
                        }
                    }
                    match self.dst.client.call("projects.create", &body).await {
                        Ok(data) => {
                            self.report.borrow_mut().counts.projects_created += 1;
                            Some(s(&data["id"]).to_string())
                        }
                        Err(e) => {
                            self.skip_or_stop("project", p, e)?;
                            None
                        }
                    }
                }
            };
            if let Some(t) = target {
                self.state
                    .borrow_mut()
                    .projects
                    .insert(sid.to_string(), t.clone());
                self.ids.borrow_mut().insert(sid.to_string(), t);
            }
        }
        Ok(())
    }

    /// The target queue for a source queue id (found by name, else created).
    pub(super) async fn map_queue(&self, source: &str) -> anyhow::Result<Option<String>> {
        if let Some(t) = self.state.borrow().queues.get(source) {
            return Ok(Some(t.clone()));
        }
        let Some(name) = self.queue_names.borrow().get(source).cloned() else {
            return Ok(None);
        };
        let found = self
            .dst
            .client
            .call(
                "queues.get_all",
                &json!({"name": clearml_api::lookup::exact_regex(&name), "only_fields": ["id", "name"]}),
            )
            .await?;
        let existing = found["queues"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|q| s(&q["name"]) == name)
            .map(|q| s(&q["id"]).to_string());
        let id = match existing {
            Some(id) => id,
            None if self.opts.dry_run => {
                self.report.borrow_mut().counts.queues_created += 1;
                return Ok(None);
            }
            None => {
                let data = self
                    .dst
                    .client
                    .call("queues.create", &json!({"name": name}))
                    .await?;
                self.report.borrow_mut().counts.queues_created += 1;
                s(&data["id"]).to_string()
            }
        };
        self.state
            .borrow_mut()
            .queues
            .insert(source.to_string(), id.clone());
        Ok(Some(id))
    }

    // ------------------------------------------------------------ phase 1: ids

    /// Tasks and models already in the mapped target projects, with their sync tags.
    pub(super) async fn index_target(&self) -> anyhow::Result<(Index, Index)> {
        let targets: Vec<String> = self.state.borrow().projects.values().cloned().collect();
        let (mut tasks, mut models) = (Index::default(), Index::default());
        for chunk in targets.chunks(100) {
            for t in self
                .dst
                .client
                .get_all(
                    "tasks.get_all",
                    &json!({"project": chunk, "search_hidden": true,
                            "only_fields": ["id", "system_tags", "status"]}),
                    "tasks",
                    None,
                )
                .await?
            {
                let id = s(&t["id"]).to_string();
                if let Some(origin) = origin_of(&t["system_tags"]) {
                    tasks.by_origin.insert(origin.to_string(), id.clone());
                }
                self.target_status
                    .borrow_mut()
                    .insert(id.clone(), s(&t["status"]).to_string());
                tasks.ids.insert(id);
            }
            for m in self
                .dst
                .client
                .get_all(
                    "models.get_all",
                    &json!({"project": chunk, "only_fields": ["id", "system_tags"]}),
                    "models",
                    None,
                )
                .await?
            {
                let id = s(&m["id"]).to_string();
                if let Some(origin) = origin_of(&m["system_tags"]) {
                    models.by_origin.insert(origin.to_string(), id.clone());
                }
                models.ids.insert(id);
            }
        }
        Ok((tasks, models))
    }

    /// Give every object a target id: the state file's (when the target still has it),
    /// else the copy carrying its sync tag, else the original it was copied from, else a
    /// new bare object.
    pub(super) async fn map_objects(
        &self,
        kind: &'static str,
        objs: &[Value],
        index: &Index,
    ) -> anyhow::Result<()> {
        for obj in objs {
            let sid = s(&obj["id"]).to_string();
            let known = {
                let state = self.state.borrow();
                let entries = if kind == "task" {
                    &state.tasks
                } else {
                    &state.models
                };
                entries.get(&sid).map(|c| c.id.clone())
            };
            let found = known
                .filter(|id| index.ids.contains(id))
                .or_else(|| index.by_origin.get(&sid).cloned())
                .or_else(|| {
                    origin_of(&obj["system_tags"])
                        .filter(|o| index.ids.contains(*o))
                        .map(str::to_string)
                });
            let target = match found {
                Some(id) => id,
                None if self.opts.dry_run => continue,
                None => match self.create_bare(kind, obj).await {
                    Ok(id) => {
                        self.fresh.borrow_mut().insert(sid.clone());
                        id
                    }
                    Err(e) => {
                        self.skip_or_stop(kind, obj, e)?;
                        continue;
                    }
                },
            };
            {
                let mut state = self.state.borrow_mut();
                let entries = if kind == "task" {
                    &mut state.tasks
                } else {
                    &mut state.models
                };
                let entry = entries.entry(sid.clone()).or_default();
                if entry.id != target {
                    *entry = Copied {
                        id: target.clone(),
                        done: None,
                    };
                }
            }
            self.ids.borrow_mut().insert(sid, target);
            self.maybe_save(false)?;
        }
        Ok(())
    }

    pub(super) async fn create_bare(&self, kind: &str, obj: &Value) -> anyhow::Result<String> {
        let sid = s(&obj["id"]);
        let project = self.map_id(s(&obj["project"]));
        let mut body = json!({
            "name": obj["name"],
            "system_tags": tags_with_origin(&obj["system_tags"], sid),
        });
        if let Some(p) = project {
            body["project"] = json!(p);
        }
        let endpoint = if kind == "task" {
            body["type"] = obj["type"].clone();
            "tasks.create"
        } else {
            body["uri"] = json!(self.planned_url(s(&obj["uri"])));
            body["ready"] = json!(false);
            "models.create"
        };
        let data = self.dst.client.call(endpoint, &body).await?;
        if kind == "task" {
            let id = s(&data["id"]).to_string();
            self.target_status
                .borrow_mut()
                .insert(id.clone(), "created".into());
            Ok(id)
        } else {
            Ok(s(&data["id"]).to_string())
        }
    }
}
