//! `dataset delete`: versions and, with `--with-files`, their chunks on the file server.

use super::upload::object_of;
use super::*;

/// The versions `delete` removes: the one named, or every version of its name.
async fn targets_of(ds: &Ds<'_>, a: &DatasetDeleteArgs) -> anyhow::Result<Vec<Value>> {
    let t = ds.resolve(&a.which, false).await?;
    if !a.all_versions {
        return Ok(vec![t]);
    }
    let hidden = t["project"]["name"].as_str().unwrap_or("").to_string();
    let name = t["name"].as_str().unwrap_or("").to_string();
    Ok(ds
        .versions(None, Some(&lookup::exact_regex(&name)), None)
        .await?
        .into_iter()
        .filter(|x| {
            x["project"]["name"].as_str() == Some(hidden.as_str())
                && x["name"].as_str() == Some(name.as_str())
        })
        .collect())
}

/// Refuse when any other version's graph names one of `doomed` (it uses its files).
async fn refuse_parents_in_use(
    ds: &Ds<'_>,
    targets: &[Value],
    doomed: &HashSet<String>,
) -> anyhow::Result<()> {
    // A version that uses another was created after it: older ones need no look.
    let oldest = targets
        .iter()
        .filter_map(|x| x["created"].as_str())
        .min()
        .unwrap_or("")
        .to_string();
    let others: Vec<Value> = ds
        .versions(None, None, None)
        .await?
        .into_iter()
        .filter(|x| !x["id"].as_str().is_some_and(|i| doomed.contains(i)))
        .filter(|x| x["created"].as_str().is_none_or(|c| c >= oldest.as_str()))
        .collect();
    let states: Vec<anyhow::Result<(String, State)>> = futures_util::stream::iter(others)
        .map(|x| async move {
            let s = ds.state_of(&x).await?;
            Ok((x["id"].as_str().unwrap_or("").to_string(), s))
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in states {
        let (user, s) = match r {
            Ok(x) => x,
            Err(e) => {
                ds.ctx
                    .out
                    .warn(format!("could not read a dataset state: {e}"));
                continue;
            }
        };
        for d in doomed {
            if s.dependency_graph.contains_key(d)
                || s.dependency_graph.values().any(|ps| ps.contains(d))
            {
                users.entry(d.clone()).or_default().push(user.clone());
            }
        }
    }
    match users.iter().next() {
        Some((d, u)) => Err(CliError::usage(format!(
            "dataset {d} is a parent of {} other version(s) ({}): deleting it would break them",
            u.len(),
            u.join(", ")
        ))
        .with_hint("delete those first, or pass --force")
        .into()),
        None => Ok(()),
    }
}

/// Remove a version's artifact files from the file server; how many.
async fn delete_files(ds: &Ds<'_>, x: &Value, bearer: &str) -> anyhow::Result<u64> {
    let mut n = 0u64;
    let urls = x["execution"]["artifacts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["uri"].as_str());
    for u in urls {
        match object_of(&ds.files_host, u) {
            Some(object) => {
                files::delete(ds.client.http(), &ds.files_host, &object, Some(bearer)).await?;
                n += 1;
            }
            None => ds
                .ctx
                .out
                .warn(format!("{u} is not on the files server: left in place")),
        }
    }
    Ok(n)
}

pub async fn delete(ds: &Ds<'_>, a: DatasetDeleteArgs) -> anyhow::Result<()> {
    let targets = targets_of(ds, &a).await?;
    let doomed: HashSet<String> = targets
        .iter()
        .filter_map(|x| x["id"].as_str().map(str::to_string))
        .collect();
    if !a.force {
        refuse_parents_in_use(ds, &targets, &doomed).await?;
    }
    let bearer = if a.with_files {
        Some(ds.client.bearer().await.map_err(crate::api::into_anyhow)?)
    } else {
        None
    };
    let mut out = Vec::new();
    for x in &targets {
        let id = x["id"].as_str().unwrap_or("").to_string();
        let files_deleted = match &bearer {
            Some(b) => delete_files(ds, x, b).await?,
            None => 0,
        };
        ds.client
            .call("tasks.delete", &json!({"task": id, "force": true}))
            .await?;
        ds.ctx.out.info(format!(
            "deleted dataset {} version {} ({id}){}",
            x["name"].as_str().unwrap_or(""),
            version_of(x).unwrap_or("-"),
            if a.with_files {
                format!(", {files_deleted} file(s) removed from the files server")
            } else {
                String::new()
            }
        ));
        out.push(json::to_value(&DatasetDeleted {
            id,
            name: x["name"].as_str().unwrap_or("").to_string(),
            version: version_of(x).map(str::to_string),
            files_deleted,
        }));
    }
    if ds.ctx.out.format == Format::Json {
        ds.ctx.out.json_items(&out);
    }
    Ok(())
}
