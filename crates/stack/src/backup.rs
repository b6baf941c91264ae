//! Consistent backup and restore of the stack's data dir.
//!
//! A backup stops the stack (databases flush and close their files), archives the data
//! dir (data, config, the choices file; not the logs) as tar.gz, and starts the stack
//! again. The last entry is `manifest.json`: format, server version, creation time and the
//! sha256 and size of every file. A restore reads the manifest first, refuses a downgrade
//! or a jump over the mandatory 1.17 step, extracts into a staging dir next to the data dir
//! while checking every sha256, and only then swaps it in: a bad archive changes nothing.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::spec::{Choices, parse_version};
use crate::error::StackError;

pub const MANIFEST: &str = "manifest.json";
pub const FORMAT: u32 = 1;
/// The format of an online backup (`server backup --online`): database dumps instead of the
/// database files. A clearml that reads only format 1 refuses it rather than restoring a
/// data dir without its databases.
pub const FORMAT_ONLINE: u32 = 2;
/// Where an online archive keeps its database dumps (beside `data/`).
pub const DUMPS: &str = "online";
/// Top-level parts of the data dir that are not backed up.
const SKIPPED: &[&str] = &["logs"];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileSum {
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The server version (from server.info when the stack answered, else the configured tag).
    pub server_version: String,
    pub created: String,
    pub project: String,
    pub data_dir: String,
    /// Path inside the data dir -> checksum.
    pub files: BTreeMap<String, FileSum>,
    /// Made while the stack ran (`--online`): the databases are in `dumps`, not in `files`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub online: bool,
    /// Online backups: dump name (under `online/` in the archive) -> checksum.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dumps: BTreeMap<String, FileSum>,
    /// Online backups: the Elasticsearch snapshot held in the snapshot folder's files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub es_snapshot: Option<String>,
    /// Files that changed size while they were copied (an online backup copies the file
    /// server's folder live): archived as they were read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed_while_copied: Vec<String>,
}

/// What an archive holds besides the data dir's files.
#[derive(Debug, Clone, Default)]
pub struct Parts {
    pub online: bool,
    /// Data-dir-relative paths left out besides `logs` (an online backup's live database
    /// folders: their dumps stand for them).
    pub skip: Vec<String>,
    /// Dumps added under `online/`: name -> the file holding it.
    pub dumps: Vec<(String, PathBuf)>,
    pub es_snapshot: Option<String>,
}

/// Exactly `size` bytes of a file that may change while it is read: a file that grew is
/// cut at `size`, one that shrank is padded with zeros (and `short` is set), so the tar
/// entry always matches its header.
struct Exact<R> {
    inner: R,
    left: u64,
    short: bool,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = if self.short {
            0
        } else {
            self.inner.read(&mut buf[..want])?
        };
        let n = if n == 0 {
            self.short = true;
            buf[..want].fill(0);
            want
        } else {
            n
        };
        self.left -= n as u64;
        Ok(n)
    }
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    size: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
}

/// Write the archive of `data_dir` to `out` (via a `.partial` file renamed at the end).
pub fn write_archive(
    data_dir: &Path,
    out: &Path,
    server_version: &str,
    project: &str,
) -> anyhow::Result<Manifest> {
    write_archive_parts(data_dir, out, server_version, project, &Parts::default())
}

/// The same with `parts`: skipped folders and dumps (an online backup).
pub fn write_archive_parts(
    data_dir: &Path,
    out: &Path,
    server_version: &str,
    project: &str,
    parts: &Parts,
) -> anyhow::Result<Manifest> {
    if !data_dir.is_dir() {
        return Err(
            StackError::not_found(format!("no data dir at {}", data_dir.display()))
                .with_hint("pass the stack's --data-dir")
                .into(),
        );
    }
    if out.starts_with(data_dir) {
        return Err(
            StackError::usage("the backup file cannot be inside the data dir it archives")
                .with_hint("choose --out elsewhere")
                .into(),
        );
    }
    let partial = PathBuf::from(format!("{}.partial", out.display()));
    let result = (|| -> anyhow::Result<Manifest> {
        let file = File::create(&partial)
            .with_context(|| format!("cannot write {}", partial.display()))?;
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        tar.follow_symlinks(false);
        let mut walk = Walk {
            root: data_dir,
            skip: &parts.skip,
            files: BTreeMap::new(),
            changed: Vec::new(),
        };
        walk.add_dir(&mut tar, Path::new(""))?;
        let mut dumps = BTreeMap::new();
        for (name, file) in &parts.dumps {
            let sum = append_file(&mut tar, file, &Path::new(DUMPS).join(name))?.0;
            dumps.insert(name.clone(), sum);
        }
        let manifest = Manifest {
            format: if parts.online { FORMAT_ONLINE } else { FORMAT },
            server_version: server_version.to_string(),
            created: chrono::Utc::now().to_rfc3339(),
            project: project.to_string(),
            data_dir: data_dir.display().to_string(),
            files: walk.files,
            online: parts.online,
            dumps,
            es_snapshot: parts.es_snapshot.clone(),
            changed_while_copied: walk.changed,
        };
        let body = serde_json::to_vec_pretty(&manifest)?;
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(chrono::Utc::now().timestamp().max(0) as u64);
        header.set_cksum();
        tar.append_data(&mut header, MANIFEST, body.as_slice())?;
        let gz = tar.into_inner()?;
        let file = gz.finish()?;
        file.sync_all()?;
        Ok(manifest)
    })();
    match result {
        Ok(m) => {
            std::fs::rename(&partial, out)?;
            Ok(m)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// The data dir's walk into the archive: what is left out, and what was found.
struct Walk<'a> {
    root: &'a Path,
    skip: &'a [String],
    files: BTreeMap<String, FileSum>,
    changed: Vec<String>,
}

impl Walk<'_> {
    fn add_dir<W: Write>(&mut self, tar: &mut tar::Builder<W>, rel: &Path) -> anyhow::Result<()> {
        let dir = self.root.join(rel);
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let rel_path = rel.join(entry.file_name());
            if rel.as_os_str().is_empty() && SKIPPED.iter().any(|s| entry.file_name() == *s) {
                continue;
            }
            if self.skip.iter().any(|s| rel_path == Path::new(s)) {
                continue;
            }
            let name = Path::new("data").join(&rel_path);
            let meta = match std::fs::symlink_metadata(entry.path()) {
                Ok(m) => m,
                // Deleted since the listing (a live folder): not part of the copy.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            let ft = meta.file_type();
            if ft.is_dir() {
                let mut header = tar::Header::new_gnu();
                header.set_metadata(&meta);
                header.set_size(0);
                tar.append_data(&mut header, &name, std::io::empty())?;
                self.add_dir(tar, &rel_path)?;
            } else if ft.is_file() {
                let (sum, short) = match append_file(tar, &entry.path(), &name) {
                    Ok(done) => done,
                    Err(e) if is_gone(&e) => continue,
                    Err(e) => return Err(e),
                };
                let key = rel_path.to_string_lossy().to_string();
                if short {
                    self.changed.push(key.clone());
                }
                self.files.insert(key, sum);
            } else if ft.is_symlink() {
                let mut header = tar::Header::new_gnu();
                header.set_metadata(&meta);
                header.set_size(0);
                let target = std::fs::read_link(entry.path())?;
                tar.append_link(&mut header, &name, target)?;
            }
            // Sockets and FIFOs (a database's lock socket) are not data.
        }
        Ok(())
    }
}

fn is_gone(e: &anyhow::Error) -> bool {
    e.downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
}

/// Append one regular file as `name`, its header from the opened file (so a file replaced
/// meanwhile is read consistently); returns its checksum and whether it shrank while read.
fn append_file<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &Path,
    name: &Path,
) -> anyhow::Result<(FileSum, bool)> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(e.into()),
        Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    };
    let meta = file.metadata()?;
    let mut header = tar::Header::new_gnu();
    header.set_metadata(&meta);
    let mut reader = Hashing {
        inner: Exact {
            inner: file,
            left: meta.len(),
            short: false,
        },
        hasher: Sha256::new(),
        size: 0,
    };
    tar.append_data(&mut header, name, &mut reader)?;
    Ok((
        FileSum {
            sha256: hex::encode(reader.hasher.finalize()),
            size: reader.size,
        },
        reader.inner.short,
    ))
}

fn open_archive(path: &Path) -> anyhow::Result<tar::Archive<flate2::read::GzDecoder<File>>> {
    let file = File::open(path).map_err(|e| {
        StackError::not_found(format!("cannot open {}: {e}", path.display()))
            .with_hint("name a file made by 'clearml server backup'")
    })?;
    Ok(tar::Archive::new(flate2::read::GzDecoder::new(file)))
}

/// Read the manifest (the archive's last entry).
pub fn read_manifest(path: &Path) -> anyhow::Result<Manifest> {
    let not_ours = || {
        StackError::failure(format!(
            "{} is not a backup made by 'clearml server backup' (no manifest)",
            path.display()
        ))
    };
    let mut archive = open_archive(path)?;
    for entry in archive.entries().map_err(|_| not_ours())? {
        let mut entry = entry
            .map_err(|e| StackError::failure(format!("{} is damaged: {e}", path.display())))?;
        if entry.path()?.as_os_str() == MANIFEST {
            let mut text = String::new();
            entry.read_to_string(&mut text)?;
            let m: Manifest = serde_json::from_str(&text).map_err(|_| not_ours())?;
            if !(m.format == FORMAT && !m.online || m.format == FORMAT_ONLINE && m.online) {
                return Err(StackError::failure(format!(
                    "backup format {} is not supported (this clearml reads {FORMAT} and {FORMAT_ONLINE})",
                    m.format
                ))
                .with_hint("restore it with the clearml version that made it")
                .into());
            }
            return Ok(m);
        }
    }
    Err(not_ours().into())
}

/// Refuse a restore that would run older server code on newer data, or that jumps from
/// before 1.17 to 2.x (MongoDB's data must go through the 1.17 upgrade step first).
pub fn check_upgrade_path(backup: &str, target: &str) -> Result<Option<String>, StackError> {
    let (Some(b), Some(t)) = (parse_version(backup), parse_version(target)) else {
        return Ok(Some(format!(
            "cannot compare versions '{backup}' (backup) and '{target}' (target): make sure the target is not older"
        )));
    };
    if t < b {
        return Err(StackError::failure(format!(
            "the backup is from server {backup}; restoring it under {target} would be a downgrade"
        ))
        .with_hint(format!("restore with --version {backup} (or newer)")));
    }
    if b < (1, 17, 0) && t >= (2, 0, 0) {
        return Err(StackError::failure(format!(
            "the backup is from server {backup}; going to {target} skips the mandatory 1.17 step (MongoDB data upgrade)"
        ))
        .with_hint("restore with --version 1.17.1, run 'clearml server up' once, then back up and upgrade to 2.x"));
    }
    Ok(None)
}

/// Extract into a staging dir beside `data_dir`, verify every file, then swap it in.
pub fn extract_verified(
    archive_path: &Path,
    manifest: &Manifest,
    data_dir: &Path,
    target_version: &str,
) -> anyhow::Result<()> {
    if let Some(old) = extract_keeping_old(archive_path, manifest, data_dir, target_version, None)?
    {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// [`extract_verified`], with an online archive's dumps written (and verified) into
/// `dumps_dir`, and the previous data dir kept aside: returned (None when there was
/// none) for the caller to delete once the restore is complete, or to [`put_back`].
pub fn extract_keeping_old(
    archive_path: &Path,
    manifest: &Manifest,
    data_dir: &Path,
    target_version: &str,
    dumps_dir: Option<&Path>,
) -> anyhow::Result<Option<PathBuf>> {
    let parent = data_dir.parent().context("the data dir has no parent")?;
    std::fs::create_dir_all(parent)?;
    let name = data_dir
        .file_name()
        .context("the data dir has no name")?
        .to_string_lossy()
        .to_string();
    let staging = parent.join(format!(".{name}.restore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging)?;
    if let Err(e) = stage(archive_path, manifest, &staging, target_version, dumps_dir) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e.context(format!(
            "restore of {} failed; {} is unchanged",
            archive_path.display(),
            data_dir.display()
        )));
    }
    // Swap: the old data dir is kept until the new one is in place.
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = data_dir.exists();
    if had_old {
        std::fs::rename(data_dir, &old)?;
    }
    if let Err(e) = std::fs::rename(&staging, data_dir) {
        if old.exists() {
            let _ = std::fs::rename(&old, data_dir);
        }
        return Err(anyhow::anyhow!(
            "cannot move the restored data into place: {e}"
        ));
    }
    Ok(had_old.then_some(old))
}

/// Undo [`extract_keeping_old`]: the restored data dir goes, the previous one comes back.
pub fn put_back(data_dir: &Path, old: Option<&Path>) -> anyhow::Result<()> {
    if let Some(old) = old {
        let _ = std::fs::remove_dir_all(data_dir);
        std::fs::rename(old, data_dir).with_context(|| {
            format!(
                "cannot move the previous data back from {} to {}",
                old.display(),
                data_dir.display()
            )
        })?;
    }
    Ok(())
}

/// Unpack the archive's `data/` into `staging`, check it against the manifest and pin the
/// version `up` must run after the restore.
fn stage(
    archive_path: &Path,
    manifest: &Manifest,
    staging: &Path,
    target_version: &str,
    dumps_dir: Option<&Path>,
) -> anyhow::Result<()> {
    let (seen, dumps) = unpack(archive_path, staging, dumps_dir)?;
    if manifest.online && dumps_dir.is_none() {
        anyhow::bail!("an online backup needs its databases restored through their tools");
    }
    for (name, want) in &manifest.dumps {
        match dumps.get(name) {
            Some(got) if got == want => {}
            Some(_) => {
                anyhow::bail!("checksum mismatch for the dump {name}: the archive is damaged")
            }
            None => anyhow::bail!(
                "the dump {name} is listed in the manifest but missing from the archive"
            ),
        }
    }
    if dumps.len() != manifest.dumps.len() {
        anyhow::bail!("the archive holds dumps the manifest does not list");
    }
    for (path, want) in &manifest.files {
        match seen.get(path) {
            Some(got) if got == want => {}
            Some(_) => anyhow::bail!("checksum mismatch for {path}: the archive is damaged"),
            None => {
                anyhow::bail!("{path} is listed in the manifest but missing from the archive")
            }
        }
    }
    if seen.len() != manifest.files.len() {
        anyhow::bail!("the archive holds files the manifest does not list");
    }
    // `up` after the restore must run the version the upgrade check approved.
    let mut choices = Choices::load(staging).unwrap_or_default();
    if choices.version.as_deref() != Some(target_version) {
        choices.version = Some(target_version.to_string());
        choices.save(staging)?;
    }
    Ok(())
}

type Sums = BTreeMap<String, FileSum>;

/// Unpack the archive's `data/` entries into `staging` (and its `online/` dumps into
/// `dumps_dir`); the checksum and size of every regular file, by path relative to `data/`,
/// and of every dump, by name.
fn unpack(
    archive_path: &Path,
    staging: &Path,
    dumps_dir: Option<&Path>,
) -> anyhow::Result<(Sums, Sums)> {
    let mut archive = open_archive(archive_path)?;
    archive.set_preserve_permissions(true);
    archive.set_preserve_ownerships(super::lifecycle::is_root());
    archive.set_overwrite(true);
    let mut seen = BTreeMap::new();
    let mut dumps = BTreeMap::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_path_buf();
        if let (Ok(name), Some(dir)) = (path.strip_prefix(DUMPS), dumps_dir)
            && entry.header().entry_type().is_file()
        {
            // One plain name: a dump never lands outside its folder.
            let name = name.to_string_lossy().to_string();
            if name.is_empty() || name.contains('/') || name == ".." || name == "." {
                anyhow::bail!("unsafe dump name in the archive: {name}");
            }
            std::fs::create_dir_all(dir)?;
            dumps.insert(name.clone(), write_file(&mut entry, &dir.join(&name))?);
            continue;
        }
        let Ok(rel) = path.strip_prefix("data") else {
            continue;
        };
        if rel.as_os_str().is_empty() {
            continue;
        }
        let rel = rel.to_path_buf();
        safe_relative(staging, &rel)?;
        let dest = staging.join(&rel);
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            std::fs::create_dir_all(&dest)?;
            apply_metadata(&entry, &dest)?;
        } else if kind.is_symlink() {
            let target = entry
                .link_name()?
                .context("a symlink without a target")?
                .to_path_buf();
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::os::unix::fs::symlink(target, &dest)?;
        } else if kind.is_file() {
            let sum = write_file(&mut entry, &dest)?;
            seen.insert(rel.to_string_lossy().to_string(), sum);
        }
    }
    Ok((seen, dumps))
}

/// Write one regular file, hashing while writing, then set its mode/owner/mtime.
fn write_file<R: Read>(entry: &mut tar::Entry<R>, dest: &Path) -> anyhow::Result<FileSum> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = File::create(dest)?;
    loop {
        let n = entry.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
        size += n as u64;
    }
    drop(out);
    apply_metadata(entry, dest)?;
    Ok(FileSum {
        sha256: hex::encode(hasher.finalize()),
        size,
    })
}

/// No `..`, no absolute path, and no symlink among the parents inside the staging dir
/// (an archive must not write outside it).
fn safe_relative(staging: &Path, rel: &Path) -> anyhow::Result<()> {
    use std::path::Component;
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        anyhow::bail!("unsafe path in the archive: {}", rel.display());
    }
    let mut p = staging.to_path_buf();
    if let Some(parent) = rel.parent() {
        for c in parent.components() {
            p.push(c);
            if p.is_symlink() {
                anyhow::bail!(
                    "unsafe path in the archive (through a symlink): {}",
                    rel.display()
                );
            }
        }
    }
    Ok(())
}

fn apply_metadata<R: Read>(entry: &tar::Entry<R>, dest: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let h = entry.header();
    if let Ok(mode) = h.mode() {
        std::fs::set_permissions(dest, std::fs::Permissions::from_mode(mode & 0o7777))?;
    }
    if super::lifecycle::is_root()
        && let (Ok(uid), Ok(gid)) = (h.uid(), h.gid())
    {
        std::os::unix::fs::lchown(dest, Some(uid as u32), Some(gid as u32))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrade_path_rules() {
        assert!(check_upgrade_path("2.3.0", "2.3.0").unwrap().is_none());
        assert!(check_upgrade_path("2.1.0", "2.3.0").unwrap().is_none());
        assert!(check_upgrade_path("1.17.1", "2.0.0").unwrap().is_none());
        let e = check_upgrade_path("2.3.0", "2.2.0").unwrap_err();
        assert!(matches!(e, StackError::Failed(_)), "{e:?}");
        assert!(e.detail().message.contains("downgrade"), "{e}");
        let e = check_upgrade_path("1.16.2", "2.3.0").unwrap_err();
        assert!(matches!(e, StackError::Failed(_)), "{e:?}");
        assert!(e.detail().message.contains("1.17"), "{e}");
        assert!(check_upgrade_path("1.16.2", "1.17.1").unwrap().is_none());
        assert!(check_upgrade_path("2.3.0", "latest").unwrap().is_some());
    }

    #[test]
    fn archive_round_trip_verifies_and_swaps() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("cm");
        std::fs::create_dir_all(data.join("data/mongo_4/db")).unwrap();
        std::fs::create_dir_all(data.join("logs")).unwrap();
        std::fs::create_dir_all(data.join("data/redis")).unwrap();
        std::fs::write(data.join("data/mongo_4/db/collection-0.wt"), b"mongo bytes").unwrap();
        std::fs::write(data.join("logs/apiserver.log"), b"noise").unwrap();
        let out = tmp.path().join("b.tar.gz");
        let m = write_archive(&data, &out, "2.3.0", "clearml").unwrap();
        assert!(m.files.contains_key("data/mongo_4/db/collection-0.wt"));
        assert!(!m.files.keys().any(|k| k.starts_with("logs")));
        let read = read_manifest(&out).unwrap();
        assert_eq!(read.server_version, "2.3.0");
        assert_eq!(read.files, m.files);

        std::fs::remove_dir_all(&data).unwrap();
        extract_verified(&out, &read, &data, "2.3.0").unwrap();
        assert_eq!(
            std::fs::read(data.join("data/mongo_4/db/collection-0.wt")).unwrap(),
            b"mongo bytes"
        );
        assert!(data.join("data/redis").is_dir(), "empty dirs come back");
        assert_eq!(
            Choices::load(&data).unwrap().version.as_deref(),
            Some("2.3.0")
        );
    }

    #[test]
    fn damaged_manifest_sum_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("cm");
        std::fs::create_dir_all(data.join("config")).unwrap();
        std::fs::write(data.join("config/a.conf"), b"a").unwrap();
        let out = tmp.path().join("b.tar.gz");
        let mut m = write_archive(&data, &out, "2.3.0", "clearml").unwrap();
        m.files.get_mut("config/a.conf").unwrap().sha256 = "0".repeat(64);
        std::fs::write(data.join("config/a.conf"), b"current").unwrap();
        let err = extract_verified(&out, &m, &data, "2.3.0").unwrap_err();
        assert!(format!("{err:#}").contains("checksum mismatch"), "{err:#}");
        assert_eq!(
            std::fs::read(data.join("config/a.conf")).unwrap(),
            b"current"
        );
    }

    #[test]
    fn not_a_backup_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("x.tar.gz");
        std::fs::write(&p, b"not gzip").unwrap();
        assert!(read_manifest(&p).is_err());
    }
}

/// The archives `server backup --keep N` deletes after writing `out`: the other archives of
/// the same series in `out`'s folder (regular `.tar.gz` files, gzip inside, whose names
/// start like `out`'s up to its first digit: `clearml-2026-12-06.tar.gz` is of the series
/// `clearml-`), all but the `keep` newest by modification time, `out` counted among them.
/// A name without a digit is a series of one (each run replaces it): nothing is deleted.
pub fn prune_candidates(out: &Path, keep: usize) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let Some(name) = out.file_name().and_then(|n| n.to_str()) else {
        return Ok(Vec::new());
    };
    let Some(cut) = name.find(|c: char| c.is_ascii_digit()) else {
        return Ok(Vec::new());
    };
    let prefix = &name[..cut];
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let is_gzip = |p: &Path| {
        let mut magic = [0u8; 2];
        File::open(p)
            .and_then(|mut f| f.read_exact(&mut magic))
            .is_ok_and(|_| magic == [0x1f, 0x8b])
    };
    let mut series: Vec<(std::time::SystemTime, std::path::PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(&dir)
        .map_err(|e| anyhow::anyhow!("cannot list {} ({e})", dir.display()))?
    {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let Some(n) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if n == name || !n.starts_with(prefix) || !n.ends_with(".tar.gz") {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_file() || !is_gzip(&path) {
            continue;
        }
        series.push((meta.modified().unwrap_or(std::time::UNIX_EPOCH), path));
    }
    // Newest first; `out` itself is the newest and takes one of the places kept.
    series.sort_by(|a, b| b.cmp(a));
    Ok(series
        .into_iter()
        .skip(keep.saturating_sub(1))
        .map(|(_, p)| p)
        .collect())
}

#[cfg(test)]
mod prune_tests {
    use super::prune_candidates;
    use std::time::{Duration, SystemTime};

    #[test]
    fn only_the_series_beyond_keep_goes() {
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, gz: bool, age_days: u64| {
            let p = dir.path().join(name);
            std::fs::write(&p, if gz { &[0x1f, 0x8b, 8, 0][..] } else { b"text" }).unwrap();
            let t = SystemTime::now() - Duration::from_secs(age_days * 86400);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap();
            p
        };
        let out = put("clearml-2026-12-06.tar.gz", true, 0);
        let d1 = put("clearml-2026-12-05.tar.gz", true, 1);
        let d2 = put("clearml-2026-12-04.tar.gz", true, 2);
        let d3 = put("clearml-2026-12-03.tar.gz", true, 3);
        put("clearml-notes-1.txt", false, 9);
        put("clearml-2026-11-01.tar.gz", false, 30); // not gzip: not ours
        put("other-2026-12-01.tar.gz", true, 5);
        let mut gone = prune_candidates(&out, 2).unwrap();
        gone.sort();
        assert_eq!(gone, vec![d3.clone(), d2.clone()]);
        assert_eq!(prune_candidates(&out, 1).unwrap().len(), 3);
        assert!(prune_candidates(&out, 5).unwrap().is_empty());
        assert!(!prune_candidates(&out, 2).unwrap().contains(&d1));
        assert!(
            prune_candidates(&dir.path().join("backup.tar.gz"), 1)
                .unwrap()
                .is_empty()
        );
    }
}
