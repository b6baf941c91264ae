//! `dataset get`: every chunk of a version and of its parents, downloaded in parallel
//! (resumable, the chunk's sha256 checked) and extracted (each file's size and CRC-32
//! checked; its sha256 too when the chunk has none) into DIR, or with `--link` into the
//! SDK's cache with DIR linking there.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use serde_json::Value;

use super::json;
use super::state::State;
use super::{Ds, artifact, zip};
use crate::cli::DatasetGetArgs;
use crate::error::CliError;
use crate::files;
use crate::output::Format;
use clearml_cmd_core::human_bytes;

/// One file `get` writes: what it must be.
#[derive(Debug, Clone)]
struct Want {
    size: u64,
    sha256: Option<String>,
}

/// A chunk to fetch: the version's artifact and the files of the target taken from it.
struct ChunkJob {
    version: String,
    name: String,
    url: String,
    size: Option<u64>,
    sha256: Option<String>,
    files: HashMap<String, Want>,
}

/// Where the SDK keeps one version's extracted files (`Dataset.get_local_copy` looks there).
pub fn sdk_version_folder(cache: &Path, id: &str) -> PathBuf {
    cache
        .join("storage_manager")
        .join("datasets")
        .join(format!("ds_{id}"))
}

/// Where a chunk download is kept until extracted (the SDK's naming in its `datasets`
/// cache context: md5 of the URL, then the file name).
fn chunk_cache_path(cache: &Path, url: &str) -> PathBuf {
    use md5::Digest;
    let hash = hex::encode(md5::Md5::digest(url.as_bytes()));
    let last = url.rsplit('/').next().unwrap_or_default();
    let last = percent_encoding::percent_decode_str(last).decode_utf8_lossy();
    let last: String = last
        .chars()
        .map(|c| match c {
            '/' | '\\' | '\0' => '_',
            c => c,
        })
        .collect();
    cache
        .join("storage_manager")
        .join("datasets")
        .join(format!("{hash}.{last}"))
}

/// Which chunk of which version each file of the state comes from.
fn files_by_chunk(
    id: &str,
    s: &State,
) -> anyhow::Result<BTreeMap<(String, String), HashMap<String, Want>>> {
    let mut groups: BTreeMap<(String, String), HashMap<String, Want>> = BTreeMap::new();
    for f in &s.dataset_file_entries {
        let (Some(v), Some(chunk)) = (&f.parent_dataset_id, &f.artifact_name) else {
            return Err(CliError::failure(format!(
                "dataset {id}: file {:?} was never uploaded",
                f.relative_path
            ))
            .into());
        };
        let want = Want {
            size: f.size.unwrap_or(0),
            sha256: f.hash.clone(),
        };
        groups
            .entry((v.clone(), chunk.clone()))
            .or_default()
            .insert(f.relative_path.clone(), want);
    }
    Ok(groups)
}

/// The chunks to fetch, with their artifacts read from each version's task (`t` is the
/// target's own).
async fn plan(ds: &Ds<'_>, t: &Value, id: &str, s: &State) -> anyhow::Result<Vec<ChunkJob>> {
    let groups = files_by_chunk(id, s)?;
    let mut versions: Vec<String> = groups.keys().map(|(v, _)| v.clone()).collect();
    versions.dedup();
    versions.retain(|v| v != id);
    let fetched: Vec<anyhow::Result<(String, Value)>> = futures_util::stream::iter(versions)
        .map(|v| async move { Ok((v.clone(), ds.dataset_by_id(&v).await?)) })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut tasks: HashMap<String, Value> = fetched.into_iter().collect::<anyhow::Result<_>>()?;
    tasks.insert(id.to_string(), t.clone());
    let mut jobs = Vec::new();
    for ((v, chunk), files) in groups {
        let art = artifact(&tasks[&v], &chunk).ok_or_else(|| {
            CliError::failure(format!(
                "dataset version {v} has no chunk '{chunk}' (deleted?)"
            ))
        })?;
        let url = art["uri"].as_str().unwrap_or("").to_string();
        super::check_http(&url)?;
        jobs.push(ChunkJob {
            version: v,
            name: chunk,
            url,
            size: art["content_size"].as_u64(),
            sha256: art["hash"]
                .as_str()
                .filter(|h| h.len() == 64)
                .map(str::to_string),
            files,
        });
    }
    Ok(jobs)
}

/// Whether `dir` already holds every file of a chunk (an earlier run extracted it: a file
/// gets its final name only once whole and checked).
fn all_present(dir: &Path, files: &HashMap<String, Want>) -> bool {
    files.iter().all(|(p, w)| {
        super::zip::safe_join(dir, p)
            .is_some_and(|t| std::fs::metadata(t).is_ok_and(|m| m.is_file() && m.len() == w.size))
    })
}

/// Extract a downloaded chunk into `dir`. Every member is checked against its size and
/// CRC-32. A chunk whose sha256 the download verified is the archive that was uploaded,
/// so its files are not hashed again (as the SDK does not; `verify` re-hashes a copy);
/// without one (`hashed`), each file's sha256 is computed while it is written and checked
/// against the state.
fn extract_chunk(
    zip_path: &Path,
    dir: &Path,
    files: &HashMap<String, Want>,
    (threads, hashed): (usize, bool),
    (label, early): (&str, Option<&zip::Early>),
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let check = |name: &str, _: &Path, sha: Option<&str>| {
        let want = &files[name];
        if let (Some(want), Some(sha)) = (want.sha256.as_deref(), sha)
            && !want.eq_ignore_ascii_case(sha)
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{name:?} does not match its sha256 in the dataset state"),
            ));
        }
        Ok(())
    };
    let seen = zip::extract_with(
        zip_path,
        dir,
        |name| files.contains_key(name),
        check,
        (threads, hashed),
        early,
    )
    .map_err(|e| CliError::failure(format!("{label}: {e}")))?;
    if seen < files.len() {
        let missing = files
            .keys()
            .find(|k| !super::zip::safe_join(dir, k).is_some_and(|p| p.is_file()));
        return Err(CliError::failure(format!(
            "{label} lacks {} file(s) of the dataset, e.g. {:?}",
            files.len() - seen,
            missing.cloned().unwrap_or_default()
        ))
        .into());
    }
    std::fs::remove_file(zip_path).ok();
    Ok(())
}

/// What every chunk's fetch shares.
struct Fetcher {
    http: reqwest::Client,
    /// The files server's token, sent only to URLs on it.
    bearer: Option<String>,
    files_host: String,
    cache: PathBuf,
    bar: indicatif::ProgressBar,
    /// Threads extracting one chunk (inflate + CRC + sha256 are CPU-bound).
    threads: usize,
}

impl Fetcher {
    /// Fetch and extract one chunk into `dir`: `(fetched, bytes resumed)`; a chunk whose
    /// files are all there is not fetched.
    async fn fetch(&self, job: ChunkJob, dir: PathBuf) -> anyhow::Result<(bool, u64)> {
        let files = Arc::new(job.files);
        let present = {
            let (dir, files) = (dir.clone(), files.clone());
            tokio::task::spawn_blocking(move || all_present(&dir, &files)).await?
        };
        if present {
            self.bar.inc(job.size.unwrap_or(0));
            return Ok((false, 0));
        }
        let on_files_host = !self.files_host.is_empty() && job.url.starts_with(&self.files_host);
        let bearer = self.bearer.as_deref().filter(|_| on_files_host);
        let zip_path = chunk_cache_path(&self.cache, &job.url);
        let expect = files::Expect {
            size: job.size,
            sha256: job.sha256.clone(),
        };
        // The download checked the chunk's sha256 when the artifact has one: then its
        // members are extracted while it downloads (kept only once that check passed).
        let hashed = job.sha256.is_none();
        let threads = self.threads;
        let finished = Arc::new(AtomicBool::new(false));
        let follower = (!hashed).then(|| {
            let (part, dir, files, finished) = (
                files::partial_path(&zip_path),
                dir.clone(),
                files.clone(),
                finished.clone(),
            );
            tokio::task::spawn_blocking(move || {
                zip::Early::follow(&part, &dir, |n| files.contains_key(n), &finished, threads)
            })
        });
        let got = files::download(&self.http, &job.url, &zip_path, bearer, &expect, false).await;
        finished.store(true, Ordering::Release);
        let early = match follower {
            Some(f) => Some(f.await?),
            None => None,
        };
        let got = match got {
            Ok(got) => got,
            Err(e) => {
                if let Some(early) = &early {
                    early.discard();
                }
                return Err(e.context(format!("chunk {} of {}", job.name, job.version)));
            }
        };
        self.bar.inc(got.size);
        let label = format!("chunk {} of version {}", job.name, job.version);
        tokio::task::spawn_blocking(move || {
            extract_chunk(
                &zip_path,
                &dir,
                &files,
                (threads, hashed),
                (&label, early.as_ref()),
            )
        })
        .await??;
        Ok((true, got.resumed_from))
    }
}

pub async fn get(ds: &Ds<'_>, a: DatasetGetArgs) -> anyhow::Result<()> {
    let t = ds.resolve(&a.which, true).await?;
    let id = t["id"].as_str().unwrap_or("").to_string();
    let s = ds.state_of(&t).await?;
    let jobs = plan(ds, &t, &id, &s).await?;
    let out_dir = a.output.clone();
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| CliError::failure(format!("cannot create {}: {e}", out_dir.display())))?;
    let out_dir = out_dir.canonicalize()?;
    let total_files: u64 = jobs.iter().map(|j| j.files.len() as u64).sum();
    let total_bytes: u64 = jobs
        .iter()
        .flat_map(|j| j.files.values())
        .map(|w| w.size)
        .sum();
    let fetcher = Fetcher {
        http: ds.client.http().clone(),
        bearer: ds.bearer_for(&ds.files_host).await?,
        files_host: ds.files_host.clone(),
        cache: ds.cache.clone(),
        bar: files::progress_bar(
            ds.ctx.out.progress,
            Some(jobs.iter().filter_map(|j| j.size).sum()),
            "get",
        ),
        threads: std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
    };
    // With --link the files go to the SDK's per-version folders, DIR gets links.
    let target_of = |version: &str| -> PathBuf {
        if a.link {
            sdk_version_folder(&ds.cache, version)
        } else {
            out_dir.clone()
        }
    };
    let results: Vec<anyhow::Result<(bool, u64)>> = futures_util::stream::iter(jobs)
        .map(|job| {
            let dir = target_of(&job.version);
            fetcher.fetch(job, dir)
        })
        .buffer_unordered(a.parallel)
        .collect()
        .await;
    fetcher.bar.finish_and_clear();
    let (mut downloaded, mut skipped, mut resumed) = (0u64, 0u64, 0u64);
    for r in results {
        let (fetched, resumed_from) = r?;
        if fetched {
            downloaded += 1;
        } else {
            skipped += 1;
        }
        resumed += resumed_from;
    }
    if a.link {
        link_copy(ds, &s, &id, &out_dir).await?;
    }
    let shape = json::DatasetGet {
        id,
        dir: out_dir.display().to_string(),
        files: total_files,
        bytes: total_bytes,
        chunks_downloaded: downloaded,
        chunks_skipped: skipped,
        resumed_bytes: resumed,
        linked: a.link,
    };
    report(ds, &shape, s.dataset_link_entries.len());
    Ok(())
}

fn report(ds: &Ds<'_>, shape: &json::DatasetGet, links_skipped: usize) {
    let out = &ds.ctx.out;
    if shape.chunks_skipped > 0 {
        out.info(format!(
            "{} chunk(s) already in {} (an earlier run): not fetched again",
            shape.chunks_skipped, shape.dir
        ));
    }
    if shape.resumed_bytes > 0 {
        out.info(format!(
            "resumed interrupted downloads ({} bytes kept)",
            shape.resumed_bytes
        ));
    }
    if links_skipped > 0 {
        out.warn(format!(
            "{links_skipped} external link(s) of the dataset are not downloaded (use the SDK)"
        ));
    }
    if out.format == Format::Json {
        out.json(&json::to_value(shape));
    } else {
        out.info(format!(
            "{} files ({}) of dataset {}, verified (chunks by sha256, files by CRC-32)",
            shape.files,
            human_bytes(shape.bytes),
            shape.id
        ));
        println!("{}", shape.dir);
    }
}

/// `--link`: the SDK's merged folder `ds_<id>` gets links to the parents' files (as
/// `get_local_copy` makes it), and DIR gets links to every file.
async fn link_copy(ds: &Ds<'_>, s: &State, id: &str, out_dir: &Path) -> anyhow::Result<()> {
    let cache = ds.cache.clone();
    let entries: Vec<(String, String)> = s
        .dataset_file_entries
        .iter()
        .filter_map(|f| Some((f.relative_path.clone(), f.parent_dataset_id.clone()?)))
        .collect();
    let id = id.to_string();
    let out_dir = out_dir.to_path_buf();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let merged = sdk_version_folder(&cache, &id);
        for (rel, v) in &entries {
            let real = sdk_version_folder(&cache, v).join(rel);
            if v != &id {
                relink(&real, &merged.join(rel))?;
            }
            relink(&real, &out_dir.join(rel))?;
        }
        Ok(())
    })
    .await?
}

fn relink(target: &Path, link: &Path) -> anyhow::Result<()> {
    if let Some(p) = link.parent() {
        std::fs::create_dir_all(p)?;
    }
    if std::fs::symlink_metadata(link).is_ok() {
        std::fs::remove_file(link)?;
    }
    std::os::unix::fs::symlink(target, link)
        .map_err(|e| CliError::failure(format!("cannot link {}: {e}", link.display())).into())
}
