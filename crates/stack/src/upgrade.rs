//! `server upgrade`: the plan (which server versions to pass through, which images) and the
//! checks around it: images present before anything stops, a verified backup, and the
//! projects/tasks/models (and Elasticsearch's events) counts before and after.
//!
//! The steps never jump over 1.17: data from before 1.17 must be migrated by a 1.17 API
//! server before 2.x starts on it (the same rule `restore` applies).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::backup::{FileSum, MANIFEST, Manifest};
use super::docker::Engine;
use super::spec::{Stack, parse_version};
use crate::error::StackError;

/// The 1.17 release every pre-1.17 server passes through on its way to 2.x.
pub const STEP_1_17: &str = "1.17.1";
/// Services that run the clearml/server image: their pinned images follow the new version.
const SERVER_IMAGE_SERVICES: &[&str] = &["apiserver", "webserver", "fileserver", "async_delete"];

/// The versions to start, in order, to go from `from` to `to`.
pub fn steps(from: &str, to: &str) -> Result<Vec<String>, StackError> {
    let (Some(f), Some(t)) = (parse_version(from), parse_version(to)) else {
        return Err(StackError::usage(format!(
            "cannot compare server versions '{from}' (running) and '{to}' (--to)"
        ))
        .with_hint("name the target as MAJOR.MINOR.PATCH, e.g. --to 2.3.0"));
    };
    if t == f {
        return Err(
            StackError::usage(format!("the stack already runs server {from}"))
                .with_hint("nothing to upgrade; 'clearml server status' shows the stack"),
        );
    }
    if t < f {
        return Err(StackError::usage(format!(
            "--to {to} is older than the running server {from}: a downgrade"
        ))
        .with_hint(
            "to go back, restore a backup made under that version ('clearml server restore')",
        ));
    }
    if f < (1, 17, 0) && t >= (2, 0, 0) {
        return Ok(vec![STEP_1_17.to_string(), to.to_string()]);
    }
    Ok(vec![to.to_string()])
}

/// One step of the plan: the server version and the image of every service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub version: String,
    pub images: BTreeMap<String, String>,
}

/// The stack of one step: `current` with its version replaced; the server-image services
/// drop a pinned image (it belongs to the old version) unless `images` names one.
pub fn step_stack(current: &Stack, version: &str, images: &BTreeMap<String, String>) -> Stack {
    let mut choices = current.choices.clone();
    choices.version = Some(version.to_string());
    choices
        .images
        .retain(|svc, _| !SERVER_IMAGE_SERVICES.contains(&svc.as_str()));
    choices.images.extend(images.clone());
    Stack::build(current.project.clone(), current.data_dir.clone(), choices)
}

pub fn describe(stack: &Stack) -> Step {
    Step {
        version: stack.version.clone(),
        images: stack
            .services
            .iter()
            .map(|s| (s.name.clone(), s.image.clone()))
            .collect(),
    }
}

/// Every image of every step must be on this host: `upgrade` pulls nothing.
pub async fn check_images(engine: &Engine, stacks: &[Stack]) -> anyhow::Result<()> {
    for stack in stacks {
        for svc in &stack.services {
            if engine.image_id(&svc.image).await?.is_none() {
                return Err(StackError::failure(format!(
                    "image {} ({} of server {}) is not on this host; nothing was changed",
                    svc.image, svc.name, stack.version
                ))
                .with_hint(format!(
                    "docker pull {} (or docker load it), then run the upgrade again",
                    svc.image
                ))
                .into());
            }
        }
    }
    Ok(())
}

/// The default backup file: beside the data dir, named after both versions and the time.
pub fn default_backup_path(data_dir: &Path, from: &str, to: &str) -> PathBuf {
    let name = data_dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "clearml-data".to_string());
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    data_dir
        .parent()
        .unwrap_or(Path::new("/"))
        .join(format!("{name}-before-{from}-to-{to}-{stamp}.tar.gz"))
}

/// Read the archive back and check every file against its manifest: the backup an upgrade
/// relies on must be restorable before the old data is touched.
pub fn verify_archive(path: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let file = File::open(path)?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut seen = BTreeMap::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.to_path_buf();
        if name.as_os_str() == MANIFEST || !entry.header().entry_type().is_file() {
            continue;
        }
        let Ok(rel) = name.strip_prefix("data") else {
            continue;
        };
        let rel = rel.to_string_lossy().to_string();
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            size += n as u64;
        }
        let sha256 = hex::encode(hasher.finalize());
        seen.insert(rel, FileSum { sha256, size });
    }
    if seen != manifest.files {
        let bad = manifest
            .files
            .iter()
            .find(|(p, s)| seen.get(*p) != Some(s))
            .map(|(p, _)| p.clone())
            .or_else(|| {
                seen.keys()
                    .find(|p| !manifest.files.contains_key(*p))
                    .cloned()
            })
            .unwrap_or_default();
        return Err(StackError::failure(format!(
            "the backup {} does not match its manifest ({bad}); the upgrade did not start",
            path.display()
        ))
        .with_hint("check the disk holding the backup, then run the upgrade again")
        .into());
    }
    Ok(())
}

/// What the server holds: compared before and after the upgrade.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    pub projects: u64,
    pub tasks: u64,
    pub models: u64,
    /// Events in the stack's Elasticsearch (the `events-*` indices' documents); null when
    /// its container was not running.
    #[serde(default)]
    pub events: Option<u64>,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} projects, {} tasks, {} models",
            self.projects, self.tasks, self.models
        )?;
        match self.events {
            Some(n) => write!(f, ", {n} events"),
            None => write!(f, ", events not counted"),
        }
    }
}

/// The events in the stack's Elasticsearch once its cluster is at least yellow (indices
/// still opening after a restart would count short); None when it is not running.
pub async fn event_count(engine: &Engine, stack: &Stack) -> anyhow::Result<Option<u64>> {
    let Ok(id) = super::es::container(engine, stack).await else {
        return Ok(None);
    };
    super::online::wait_es(engine, &id).await?;
    let indices = super::events::indices(engine, &id).await?;
    Ok(Some(indices.iter().map(|i| i.docs).sum()))
}

/// The key pair the API server was given (its env), which the counts log in with.
pub fn api_keys(stack: &Stack) -> Option<(String, String)> {
    let s = stack.service("apiserver")?;
    let key = s.env.get("CLEARML_API_ACCESS_KEY")?;
    let secret = s.env.get("CLEARML_API_SECRET_KEY")?;
    // Still a `${...}` reference: no literal key to log in with.
    (!key.contains('$') && !secret.contains('$')).then(|| (key.clone(), secret.clone()))
}

/// Count projects (hidden ones too), tasks and models through the API.
pub async fn counts(
    engine: &Engine,
    stack: &Stack,
    keys: &(String, String),
) -> anyhow::Result<Counts> {
    let base = stack
        .url_of("apiserver")
        .ok_or_else(|| anyhow::anyhow!("the stack publishes no API port"))?;
    let client = super::ready::http_client();
    let login: serde_json::Value = client
        .post(format!("{base}/auth.login"))
        .basic_auth(&keys.0, Some(&keys.1))
        .send()
        .await?
        .json()
        .await?;
    let token = login["data"]["token"].as_str().ok_or_else(|| {
        anyhow::anyhow!(
            "auth.login with the API server's key was refused: {}",
            login["meta"]
        )
    })?;
    let mut n = [0u64; 3];
    for (i, endpoint) in ["projects.get_all", "tasks.get_all", "models.get_all"]
        .iter()
        .enumerate()
    {
        n[i] = count_all(&client, &base, token, endpoint).await?;
    }
    Ok(Counts {
        projects: n[0],
        tasks: n[1],
        models: n[2],
        events: event_count(engine, stack).await?,
    })
}

async fn count_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    endpoint: &str,
) -> anyhow::Result<u64> {
    const PAGE: u64 = 500;
    let key = endpoint.split('.').next().unwrap_or_default();
    let mut total = 0u64;
    for page in 0.. {
        let body = serde_json::json!({
            "only_fields": ["id"], "search_hidden": true, "page": page, "page_size": PAGE,
        });
        let resp: serde_json::Value = client
            .post(format!("{base}/{endpoint}"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        let items = resp["data"][key].as_array().ok_or_else(|| {
            anyhow::anyhow!("{endpoint} answered without a list: {}", resp["meta"])
        })?;
        total += items.len() as u64;
        if (items.len() as u64) < PAGE {
            break;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_pass_through_1_17_and_refuse_downgrades() {
        assert_eq!(steps("1.16.2", "2.3.0").unwrap(), ["1.17.1", "2.3.0"]);
        assert_eq!(steps("1.17.1", "2.3.0").unwrap(), ["2.3.0"]);
        assert_eq!(steps("2.0.0", "2.3.0").unwrap(), ["2.3.0"]);
        assert_eq!(steps("1.15.0", "1.16.2").unwrap(), ["1.16.2"]);
        let e = steps("2.3.0", "2.0.0").unwrap_err();
        assert!(matches!(e, StackError::Invalid(_)), "{e:?}");
        assert!(e.detail().message.contains("downgrade"), "{e}");
        let e = steps("2.3.0", "2.3.0").unwrap_err();
        assert!(matches!(e, StackError::Invalid(_)), "{e:?}");
        assert!(e.detail().message.contains("already"), "{e}");
        assert!(steps("2.3.0", "latest").is_err());
    }

    #[test]
    fn a_step_replaces_pinned_server_images_but_keeps_databases() {
        let mut choices = crate::spec::Choices {
            version: Some("2.0.0".into()),
            ..Default::default()
        };
        choices
            .images
            .insert("apiserver".into(), "old/api:2.0.0".into());
        choices
            .images
            .insert("mongo".into(), "mirror/mongo:7".into());
        let cur = Stack::build("p".into(), "/d".into(), choices);
        let next = step_stack(&cur, "2.3.0", &BTreeMap::new());
        assert_eq!(next.version, "2.3.0");
        assert_eq!(
            next.service("apiserver").unwrap().image,
            "clearml/server:2.3.0"
        );
        assert_eq!(next.service("mongo").unwrap().image, "mirror/mongo:7");
        let given = [("apiserver".to_string(), "new/api:9".to_string())].into();
        let next = step_stack(&cur, "2.3.0", &given);
        assert_eq!(next.service("apiserver").unwrap().image, "new/api:9");
    }

    #[test]
    fn verify_finds_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("d");
        std::fs::create_dir_all(data.join("config")).unwrap();
        std::fs::write(data.join("config/a.conf"), "ключ = 1").unwrap();
        let out = dir.path().join("b.tar.gz");
        let mut m = crate::backup::write_archive(&data, &out, "2.0.0", "p").unwrap();
        verify_archive(&out, &m).unwrap();
        m.files.values_mut().next().unwrap().sha256 = "0".repeat(64);
        let e = verify_archive(&out, &m).unwrap_err();
        assert!(e.to_string().contains("does not match"), "{e}");
    }
}
