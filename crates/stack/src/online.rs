//! Backups while the stack runs (`server backup --online`) and their restore.
//!
//! Each store is copied by its own means, inside its running container through the Docker
//! API (no port is published, no tool is needed on the host):
//! - MongoDB: `mongodump --archive`, its stdout streamed into a file beside the archive;
//! - Elasticsearch: a snapshot (`PUT _snapshot/REPO/NAME?wait_for_completion=true`) into
//!   the fs repository `path.repo` names, a folder under the data dir (`data/es_snapshots`),
//!   whose files are then archived; the snapshot is deleted afterwards;
//! - Redis: `redis-cli SAVE` (a complete `dump.rdb`, written to a temporary file and
//!   renamed by Redis), then its folder is archived;
//! - the file server's folder and the config: copied as they are (live).
//!
//! The databases' own folders are left out: their dumps stand for them. The manifest is the
//! offline one (format 2, `online: true`, the dumps' checksums and the snapshot's name).
//!
//! A restore stops the stack, puts the archive's data dir in place (fresh, empty database
//! folders; the previous data dir kept aside), starts the databases, streams the dump into
//! `mongorestore --archive --drop`, restores the snapshot (Redis loads its `dump.rdb` at
//! start), then starts the rest. Any failure puts the previous data dir back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use super::backup::{self, Manifest, Parts};
use super::docker::{self, Engine};
use super::es::{es, es_ok};
use super::lifecycle;
use super::spec::Stack;
use crate::error::StackError;
use clearml_output::Output;

/// The snapshot folder on the host, under the data dir.
pub const ES_REPO_DIR: &str = "data/es_snapshots";
/// The same folder inside the Elasticsearch container (`path.repo`).
pub const ES_REPO_PATH: &str = "/usr/share/elasticsearch/snapshots";
/// The snapshot repository registered for it.
pub const ES_REPO: &str = "clearml-backup";
/// Snapshot names start with this; leftovers of an interrupted backup are deleted.
const SNAPSHOT_PREFIX: &str = "clearml-";
/// The MongoDB dump's name in the archive (under `online/`).
pub const MONGO_DUMP: &str = "mongo.archive";
/// The databases' folders an online archive leaves out (their dumps stand for them).
const LIVE_DB_DIRS: &[&str] = &["data/mongo_4", "data/elastic_7"];
const DATABASES: &[&str] = &["mongo", "elasticsearch", "redis"];
/// How long a dump, a snapshot or a restore may take.
const LONG: Duration = Duration::from_secs(6 * 3600);
use super::es::SHORT;

/// The running containers of the three databases, by service.
async fn running_databases(
    engine: &Engine,
    stack: &Stack,
    need_running: bool,
) -> anyhow::Result<HashMap<String, String>> {
    let containers = engine.containers(&stack.project).await?;
    let mut ids = HashMap::new();
    for svc in DATABASES {
        let c = containers
            .iter()
            .find(|c| docker::service_of(c) == Some(*svc));
        match c {
            Some(c) if !need_running || c.state.as_deref() == Some("running") => {
                ids.insert(svc.to_string(), c.id.clone().unwrap_or_default());
            }
            _ if need_running => {
                return Err(StackError::failure(format!(
                    "--online needs the stack running, and its {svc} is not"
                ))
                .with_hint(
                    "start it with 'clearml server up', or back up without --online (the stack is stopped for the copy)",
                )
                .into());
            }
            _ => {
                return Err(StackError::failure(format!(
                    "this is an online backup, restored into the stack's databases, and the stack has no {svc} container"
                ))
                .with_hint("run 'clearml server up' once (an empty data dir is fine), then restore")
                .into());
            }
        }
    }
    Ok(ids)
}

/// The Elasticsearch container must have been created with the snapshot folder
/// (`path.repo`); a stack brought up by an older clearml has not.
async fn check_snapshot_folder(engine: &Engine, id: &str) -> anyhow::Result<()> {
    let want = format!("path.repo={ES_REPO_PATH}");
    let env = engine
        .inspect(id)
        .await?
        .and_then(|c| c.config)
        .and_then(|c| c.env)
        .unwrap_or_default();
    if env.contains(&want) {
        return Ok(());
    }
    Err(StackError::failure(
        "the running Elasticsearch has no snapshot folder (path.repo), which an online backup needs",
    )
    .with_hint(
        "run 'clearml server up' once: it recreates only the Elasticsearch container, with data/es_snapshots (the data stays)",
    )
    .into())
}

/// Register the snapshot folder as the fs repository (idempotent).
async fn register_repo(engine: &Engine, id: &str) -> anyhow::Result<()> {
    let body = json!({"type": "fs", "settings": {"location": ES_REPO_PATH}});
    es_ok(
        engine,
        id,
        "PUT",
        &format!("/_snapshot/{ES_REPO}"),
        Some(&body),
        SHORT,
    )
    .await?;
    Ok(())
}

/// Delete our snapshots left by an interrupted backup (or a restore).
async fn delete_leftovers(engine: &Engine, id: &str, out: &Output) -> anyhow::Result<()> {
    let v = es_ok(
        engine,
        id,
        "GET",
        &format!("/_snapshot/{ES_REPO}/_all"),
        None,
        SHORT,
    )
    .await?;
    for s in v["snapshots"].as_array().into_iter().flatten() {
        if let Some(name) = s["snapshot"]
            .as_str()
            .filter(|n| n.starts_with(SNAPSHOT_PREFIX))
        {
            out.info(format!("deleting the earlier snapshot {name}"));
            es_ok(
                engine,
                id,
                "DELETE",
                &format!("/_snapshot/{ES_REPO}/{name}"),
                None,
                LONG,
            )
            .await?;
        }
    }
    Ok(())
}

/// The dumps' folder beside `path` (an archive or the data dir), removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn beside(path: &Path, what: &str) -> anyhow::Result<TempDir> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = parent.join(format!(".{name}.{what}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `server backup --online`: see the module doc. The archive appears under `out` only
/// when complete (a `.partial` file renamed); a failure leaves nothing under that name.
pub async fn backup(
    engine: &Engine,
    stack: &Stack,
    out: &Path,
    version: &str,
    log: &Output,
) -> anyhow::Result<Manifest> {
    if out.starts_with(&stack.data_dir) {
        return Err(
            StackError::usage("the backup file cannot be inside the data dir it archives")
                .with_hint("choose --out elsewhere")
                .into(),
        );
    }
    let ids = running_databases(engine, stack, true).await?;
    let es_id = ids["elasticsearch"].clone();
    check_snapshot_folder(engine, &es_id).await?;
    let work = TempDir::beside(out, "dumps")?;
    let began = Instant::now();

    // MongoDB: its own dump tool, the archive streamed out of the container.
    log.info("dumping MongoDB (mongodump --archive)");
    let dump = work.0.join(MONGO_DUMP);
    let mut file = std::fs::File::create(&dump)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", dump.display()))?;
    let (code, why) = engine
        .exec_stream(
            &ids["mongo"],
            &["mongodump", "--archive"],
            None,
            &mut file,
            LONG,
        )
        .await?;
    file.sync_all()?;
    drop(file);
    if code != 0 {
        anyhow::bail!("mongodump inside the mongo container exited {code}: {why}");
    }

    // Redis: a complete dump.rdb in its folder.
    log.info("saving Redis (SAVE)");
    let (code, said) = engine
        .exec(&ids["redis"], &["redis-cli", "SAVE"], LONG)
        .await?;
    if code != 0 || said.trim() != "OK" {
        anyhow::bail!(
            "redis-cli SAVE inside the redis container failed ({code}): {}",
            said.trim()
        );
    }

    // Elasticsearch: a snapshot into the folder under the data dir.
    register_repo(engine, &es_id).await?;
    delete_leftovers(engine, &es_id, log).await?;
    let snapshot = format!(
        "{SNAPSHOT_PREFIX}{}-{}",
        chrono::Utc::now().format("%Y%m%d-%H%M%S"),
        std::process::id()
    );
    log.info(format!("snapshotting Elasticsearch ({snapshot})"));
    let result = snapshot_and_archive(engine, stack, &es_id, &snapshot, &dump, out, version).await;
    // The archive holds the snapshot's files; the repository need not keep them.
    if let Err(e) = es(
        engine,
        &es_id,
        "DELETE",
        &format!("/_snapshot/{ES_REPO}/{snapshot}"),
        None,
        LONG,
    )
    .await
    {
        log.warn(format!("cannot delete the snapshot {snapshot}: {e:#}"));
    }
    let manifest = result?;
    log.info(format!(
        "online backup done in {:.1}s; the stack kept running",
        began.elapsed().as_secs_f64()
    ));
    Ok(manifest)
}

async fn snapshot_and_archive(
    engine: &Engine,
    stack: &Stack,
    es_id: &str,
    snapshot: &str,
    dump: &Path,
    out: &Path,
    version: &str,
) -> anyhow::Result<Manifest> {
    let body = json!({"indices": "*", "include_global_state": false});
    let v = es_ok(
        engine,
        es_id,
        "PUT",
        &format!("/_snapshot/{ES_REPO}/{snapshot}?wait_for_completion=true"),
        Some(&body),
        LONG,
    )
    .await?;
    let state = v["snapshot"]["state"].as_str().unwrap_or("");
    anyhow::ensure!(
        state == "SUCCESS",
        "the Elasticsearch snapshot ended {}: {}",
        if state.is_empty() {
            "without a state"
        } else {
            state
        },
        v["snapshot"]["failures"]
    );
    let parts = Parts {
        online: true,
        skip: LIVE_DB_DIRS.iter().map(|s| s.to_string()).collect(),
        dumps: vec![(MONGO_DUMP.to_string(), dump.to_path_buf())],
        es_snapshot: Some(snapshot.to_string()),
    };
    let (data_dir, out, version, project) = (
        stack.data_dir.clone(),
        out.to_path_buf(),
        version.to_string(),
        stack.project.clone(),
    );
    tokio::task::spawn_blocking(move || {
        backup::write_archive_parts(&data_dir, &out, &version, &project, &parts)
    })
    .await?
}

/// Restore an online archive (already read and confirmed): see the module doc. Any
/// failure after the data dir was replaced puts the previous one back and starts what ran.
pub async fn restore(
    engine: &Engine,
    stack: &Stack,
    archive: &Path,
    manifest: &Manifest,
    log: &Output,
) -> anyhow::Result<()> {
    let db_ids = running_databases(engine, stack, false).await?;
    check_snapshot_folder(engine, &db_ids["elasticsearch"]).await?;
    let all: HashMap<String, String> = engine
        .containers(&stack.project)
        .await?
        .iter()
        .filter_map(|c| Some((docker::service_of(c)?.to_string(), c.id.clone()?)))
        .collect();
    let stopped = lifecycle::stop_running(engine, stack).await?;
    let dumps = TempDir::beside(&stack.data_dir, "dumps")?;
    let (file, m, data_dir, target, dumps_dir) = (
        archive.to_path_buf(),
        manifest.clone(),
        stack.data_dir.clone(),
        stack.version.clone(),
        dumps.0.clone(),
    );
    let staged = tokio::task::spawn_blocking(move || {
        backup::extract_keeping_old(&file, &m, &data_dir, &target, Some(&dumps_dir))
    })
    .await?;
    let old = match staged {
        Ok(old) => old,
        Err(e) => {
            let _ = lifecycle::start_again(engine, stack, &stopped, log).await;
            return Err(e);
        }
    };
    match load_databases(engine, stack, &db_ids, &all, &dumps.0, manifest, log).await {
        Ok(()) => {
            if let Some(old) = old {
                let _ = std::fs::remove_dir_all(old);
            }
            Ok(())
        }
        Err(cause) => {
            log.warn(format!(
                "restore failed: {cause:#}; putting the previous data back"
            ));
            let _ = lifecycle::stop_running(engine, stack).await;
            backup::put_back(&stack.data_dir, old.as_deref())?;
            let again = lifecycle::start_again(engine, stack, &stopped, log).await;
            let running = if stopped.is_empty() {
                ""
            } else if again.is_ok() {
                " and the stack is running again"
            } else {
                " (the stack did not start again: see 'clearml server status')"
            };
            Err(StackError::failure(format!(
                "restore failed ({cause:#}); the previous data dir is back{running}"
            ))
            .with_hint(format!(
                "the archive {} is unchanged; see 'clearml server logs mongo elasticsearch'",
                archive.display()
            ))
            .into())
        }
    }
}

/// Start the databases on the fresh folders, load the dump and the snapshot, then start
/// the other services.
async fn load_databases(
    engine: &Engine,
    stack: &Stack,
    db_ids: &HashMap<String, String>,
    all: &HashMap<String, String>,
    dumps: &Path,
    manifest: &Manifest,
    log: &Output,
) -> anyhow::Result<()> {
    lifecycle::ensure_data_dirs(stack)?;
    log.info("starting MongoDB, Elasticsearch and Redis on the restored data dir");
    lifecycle::start_again(engine, stack, db_ids, log).await?;

    log.info("loading the MongoDB dump (mongorestore --archive --drop)");
    wait_mongo(engine, &db_ids["mongo"]).await?;
    let (code, why) = engine
        .exec_stream(
            &db_ids["mongo"],
            &["mongorestore", "--archive", "--drop"],
            Some(&dumps.join(MONGO_DUMP)),
            &mut std::io::sink(),
            LONG,
        )
        .await?;
    anyhow::ensure!(
        code == 0,
        "mongorestore inside the mongo container exited {code}: {why}"
    );

    let es_id = &db_ids["elasticsearch"];
    let snapshot = manifest
        .es_snapshot
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("the manifest names no Elasticsearch snapshot"))?;
    log.info(format!("restoring the Elasticsearch snapshot {snapshot}"));
    wait_es(engine, es_id).await?;
    register_repo(engine, es_id).await?;
    let body = json!({"indices": "*", "include_global_state": false});
    let v = es_ok(
        engine,
        es_id,
        "POST",
        &format!("/_snapshot/{ES_REPO}/{snapshot}/_restore?wait_for_completion=true"),
        Some(&body),
        LONG,
    )
    .await?;
    let failed = v["snapshot"]["shards"]["failed"].as_u64().unwrap_or(0);
    anyhow::ensure!(
        failed == 0 && v["snapshot"].is_object(),
        "the snapshot restore failed for {failed} shard(s): {v}"
    );
    if let Err(e) = es_ok(
        engine,
        es_id,
        "DELETE",
        &format!("/_snapshot/{ES_REPO}/{snapshot}"),
        None,
        LONG,
    )
    .await
    {
        log.warn(format!("cannot delete the restored snapshot: {e:#}"));
    }

    let rest: HashMap<String, String> = all
        .iter()
        .filter(|(svc, _)| !DATABASES.contains(&svc.as_str()))
        .map(|(s, id)| (s.clone(), id.clone()))
        .collect();
    lifecycle::start_again(engine, stack, &rest, log).await
}

/// Until mongod answers a ping (it starts on a fresh folder).
async fn wait_mongo(engine: &Engine, id: &str) -> anyhow::Result<()> {
    let cmd = [
        "mongosh",
        "--quiet",
        "--eval",
        "db.adminCommand({ping: 1}).ok",
    ];
    poll("MongoDB", || async {
        let (code, out) = engine.exec(id, &cmd, SHORT).await?;
        Ok(code == 0 && out.trim() == "1")
    })
    .await
}

/// Until Elasticsearch's cluster is at least yellow.
pub(crate) async fn wait_es(engine: &Engine, id: &str) -> anyhow::Result<()> {
    poll("Elasticsearch", || async {
        let path = "/_cluster/health?wait_for_status=yellow&timeout=10s";
        Ok(matches!(
            es(engine, id, "GET", path, None, SHORT).await,
            Ok((200, _))
        ))
    })
    .await
}

async fn poll<F, Fut>(what: &str, mut probe: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if probe().await.unwrap_or(false) {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!("{what} did not answer within 300s of its start");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
