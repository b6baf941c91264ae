//! `dataset create`: a new version (task, hidden project, state, the SDK's configuration).

use super::*;

/// The parents' tasks and states; each must be closed.
async fn closed_parents(
    ds: &Ds<'_>,
    parents: &[String],
) -> anyhow::Result<(Vec<Value>, Vec<State>)> {
    let mut tasks = Vec::new();
    let mut states = Vec::new();
    for p in parents {
        let t = ds.dataset_by_id(p).await?;
        if !is_final(&t) {
            return Err(CliError::usage(format!(
                "parent {p} is not closed ({}): only a closed version can be a parent",
                t["status"].as_str().unwrap_or("")
            ))
            .with_hint(format!("close it first: clearml dataset close --id {p}"))
            .into());
        }
        states.push(ds.state_of(&t).await?);
        tasks.push(t);
    }
    Ok((tasks, states))
}

/// The version to create: `--version`, else the next after the latest of this name.
async fn next_version_of(
    ds: &Ds<'_>,
    a: &DatasetCreateArgs,
    project: &str,
    hidden: &str,
) -> anyhow::Result<String> {
    if let Some(v) = &a.version {
        return Ok(v.trim().to_string());
    }
    let same: Vec<Value> = ds
        .versions(Some(project), Some(&lookup::exact_regex(&a.name)), None)
        .await?
        .into_iter()
        .filter(|t| t["project"]["name"].as_str() == Some(hidden))
        .collect();
    Ok(super::super::latest_version(&same)
        .and_then(version_of)
        .and_then(state::next_version)
        .unwrap_or_else(|| state::DEFAULT_VERSION.to_string()))
}

/// The `tasks.create` body of a new version, as the SDK makes it.
fn task_body(
    ds: &Ds<'_>,
    a: &DatasetCreateArgs,
    project: &str,
    project_id: &str,
    version: &str,
) -> Value {
    let script = format!(
        "# made by the clearml CLI (clearml dataset create)\nfrom clearml import Dataset\n\nds = Dataset.create(dataset_project={project:?}, dataset_name={:?}, dataset_version={version:?})\n",
        a.name
    );
    let mut body = json!({
        "name": a.name,
        "project": project_id,
        "type": "data_processing",
        "system_tags": [state::DATASET_TAG],
        "comment": a.description.clone().unwrap_or_default(),
        "script": {
            "diff": script,
            "working_dir": ".",
            "entry_point": "register_dataset.py",
        },
        "output_dest": ds.files_host,
    });
    if !a.tags.is_empty() {
        body["tags"] = json!(a.tags);
    }
    body
}

/// Remember `id` as the dataset this machine created last (what `--id` defaults to).
fn remember_created(ds: &Ds<'_>, id: &str) {
    let path = super::super::last_created_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok();
    }
    if let Err(e) = std::fs::write(&path, format!("{id}\n")) {
        ds.ctx.out.warn(format!(
            "could not record the id in {}: {e}",
            path.display()
        ));
    }
}

pub async fn create(ds: &Ds<'_>, a: DatasetCreateArgs) -> anyhow::Result<()> {
    lookup::check_name("dataset", &a.name)?;
    if a.name.contains('/') {
        return Err(
            CliError::usage(format!("dataset name '{}' contains '/'", a.name))
                .with_hint("put the folder part in --project")
                .into(),
        );
    }
    let (parent_tasks, parent_states) = closed_parents(ds, &a.parents).await?;
    let project = match (&a.project, parent_tasks.last()) {
        (Some(p), _) => p.trim_matches('/').to_string(),
        (None, Some(t)) => super::super::project_of(t),
        (None, None) => {
            return Err(CliError::usage(
                "dataset create needs --project (or --parents to take it from)",
            )
            .with_hint("e.g. --project 'My Project'")
            .into());
        }
    };
    lookup::check_name("project", &project)?;
    let (hidden, hidden_parent) = state::hidden_project(&project, &a.name);
    let version = next_version_of(ds, &a, &project, &hidden).await?;
    ensure_project(ds, &project, &[]).await?;
    ensure_project(ds, &hidden_parent, &[state::HIDDEN_TAG]).await?;
    let project_id = ensure_project(ds, &hidden, &[state::HIDDEN_TAG, state::DATASET_TAG]).await?;
    let body = task_body(ds, &a, &project, &project_id, &version);
    let created = ds.client.call("tasks.create", &body).await?;
    let id = created["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("tasks.create returned no id"))?
        .to_string();
    let result = finish_create(ds, &a, &id, &version, &project, parent_tasks, parent_states).await;
    if let Err(e) = result {
        // Nothing useful was made: take the draft back.
        let _ = ds
            .client
            .call("tasks.delete", &json!({"task": id, "force": true}))
            .await;
        return Err(e);
    }
    remember_created(ds, &id);
    let shape = DatasetCreated {
        id: id.clone(),
        name: a.name.clone(),
        project,
        version: version.clone(),
        parents: a.parents.clone(),
    };
    if ds.ctx.out.format == Format::Json {
        ds.ctx.out.json(&json::to_value(&shape));
    } else {
        ds.ctx
            .out
            .info(format!("created dataset {} version {version}", a.name));
        println!("{id}");
    }
    Ok(())
}

pub(super) async fn finish_create(
    ds: &Ds<'_>,
    a: &DatasetCreateArgs,
    id: &str,
    version: &str,
    _project: &str,
    parent_tasks: Vec<Value>,
    parent_states: Vec<State>,
) -> anyhow::Result<()> {
    ds.client
        .call("tasks.started", &json!({"task": id, "force": true}))
        .await?;
    ds.client
        .call(
            "tasks.edit_hyper_params",
            &json!({"task": id, "force": true, "hyperparams": [
                {"section": "properties", "name": "version", "value": version}
            ]}),
        )
        .await?;
    let mut task = ds.dataset_by_id(id).await?;
    set_runtime(
        ds,
        &mut task,
        json!({"orig_dataset_name": a.name, "orig_dataset_id": id, "version": version}),
    )
    .await?;
    // The parents' files, merged in order (a later parent wins), and their graphs.
    let mut st = State::new(id, a.parents.clone());
    let mut files: Vec<FileEntry> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut links = Vec::new();
    for ps in &parent_states {
        for f in &ps.dataset_file_entries {
            match index.get(&f.relative_path) {
                Some(&i) => files[i] = f.clone(),
                None => {
                    index.insert(f.relative_path.clone(), files.len());
                    files.push(f.clone());
                }
            }
        }
        links.extend(ps.dataset_link_entries.iter().cloned());
        for (k, v) in &ps.dependency_graph {
            st.dependency_graph.insert(k.clone(), v.clone());
        }
    }
    st.dependency_graph
        .insert(id.to_string(), a.parents.clone());
    st.dataset_file_entries = files;
    st.dataset_link_entries = links;
    let parent_entries = {
        let mut m = HashMap::new();
        for ps in &parent_states {
            for (k, (h, n)) in ps.entries_map() {
                m.insert(k.to_string(), (h.map(str::to_string), n));
            }
        }
        m
    };
    let mut o = Open {
        task,
        state: st,
        parent_entries,
        counters: COUNTERS.iter().map(|k| (k.to_string(), 0)).collect(),
    };
    save(ds, &mut o).await?;
    drop(parent_tasks);
    report_struct(ds, &o).await?;
    Ok(())
}

/// The project by name, created with `system_tags` when missing; a missing tag is added.
pub(super) async fn ensure_project(
    ds: &Ds<'_>,
    name: &str,
    system_tags: &[&str],
) -> anyhow::Result<String> {
    let found = ds
        .client
        .call(
            "projects.get_all",
            &json!({
                "name": lookup::exact_regex(name),
                "only_fields": ["id", "name", "system_tags"],
                "search_hidden": true,
            }),
        )
        .await?;
    let existing = found["projects"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"].as_str() == Some(name))
        .cloned();
    match existing {
        Some(p) => {
            let id = p["id"].as_str().unwrap_or("").to_string();
            let mut tags: Vec<String> = p["system_tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            let missing: Vec<&&str> = system_tags
                .iter()
                .filter(|t| !tags.iter().any(|x| x == **t))
                .collect();
            if !missing.is_empty() {
                tags.extend(missing.into_iter().map(|t| t.to_string()));
                ds.client
                    .call(
                        "projects.update",
                        &json!({"project": id, "system_tags": tags}),
                    )
                    .await?;
            }
            Ok(id)
        }
        None => {
            let mut body = json!({"name": name, "description": ""});
            if !system_tags.is_empty() {
                body["system_tags"] = json!(system_tags);
            }
            let data = ds.client.call("projects.create", &body).await?;
            data["id"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| anyhow::anyhow!("projects.create returned no id"))
        }
    }
}

/// The `Dataset Struct` configuration the web app draws the version graph from.
pub(super) async fn report_struct(ds: &Ds<'_>, o: &Open) -> anyhow::Result<()> {
    let mut graph = o.state.dependency_graph.clone();
    for ps in o.state.dependency_graph.values() {
        for p in ps {
            graph.entry(p.clone()).or_default();
        }
    }
    let ids: Vec<String> = graph.keys().cloned().collect();
    let found = ds
        .client
        .call(
            "tasks.get_all_ex",
            &json!({"id": ids, "only_fields": ["id", "name", "status", "runtime", "last_update"], "search_hidden": true}),
        )
        .await?;
    let by_id: HashMap<String, Value> = found["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| Some((t["id"].as_str()?.to_string(), t.clone())))
        .collect();
    let index: HashMap<&String, usize> = ids.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let mut out = serde_json::Map::new();
    for (i, id) in ids.iter().enumerate() {
        let t = if *id == o.id() {
            &o.task
        } else {
            by_id.get(id).unwrap_or(&Value::Null)
        };
        let last_update = t["last_update"]
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.timestamp());
        out.insert(
            i.to_string(),
            json!({
                "job_id": id,
                "status": t["status"],
                "last_update": last_update,
                "parents": graph[id].iter().filter_map(|p| index.get(p).map(|x| x.to_string())).collect::<Vec<_>>(),
                "job_size": t["runtime"]["ds_total_size"],
                "name": t["name"],
                "version": t["runtime"]["version"],
            }),
        );
    }
    ds.client
        .call(
            "tasks.edit_configuration",
            &json!({"task": o.id(), "force": true, "configuration": [{
                "name": state::STRUCT_CONFIG,
                "value": serde_json::to_string_pretty(&Value::Object(out))?,
                "type": "json",
                "description": "Structure of the dataset",
            }]}),
        )
        .await?;
    Ok(())
}

/// The `Dataset Content` configuration: a CSV preview of the files (the SDK's layout).
pub(super) async fn report_content(ds: &Ds<'_>, o: &Open) -> anyhow::Result<()> {
    let mut rows: Vec<&FileEntry> = o.state.dataset_file_entries.iter().collect();
    rows.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
    let mut text = format!(
        "File Name ({} files), File Size (total {} B), Hash (SHA2)\n",
        rows.len(),
        o.state.total_size
    );
    for f in rows.iter().take(15_000) {
        text.push_str(&format!(
            "{}, {}, {}\n",
            f.relative_path,
            f.size.unwrap_or(0),
            f.hash.clone().unwrap_or_default()
        ));
        if text.len() > 320 * 1024 {
            text.push_str("...\n");
            break;
        }
    }
    ds.client
        .call(
            "tasks.edit_configuration",
            &json!({"task": o.id(), "force": true, "configuration": [{
                "name": state::CONTENT_CONFIG,
                "value": text.trim_end(),
                "type": "CSV",
                "description": "Dataset content preview",
            }]}),
        )
        .await?;
    Ok(())
}
