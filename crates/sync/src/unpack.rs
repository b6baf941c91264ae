//! Reading an export archive back for `import`, treating it as hostile until checked.
//!
//! `manifest.json` comes last in the archive, so it is read in two passes. The first
//! reads only the tar headers and the manifest (bounded, parsed as a stream) and checks
//! every member against it: a plain relative name, listed once, a regular file, exactly
//! the size the manifest declares, and room for all of them where they are unpacked.
//! Only then does the second pass write the members, never reading past a member's
//! declared size, and check each sha256. A bomb (a small archive unpacking to gigabytes)
//! is refused from its headers before anything is written.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::SyncError;

pub(super) const FORMAT: u32 = 1;
pub(super) const MANIFEST: &str = "manifest.json";

/// The archive's table of contents: every other member's sha256 and size.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub format: u32,
    pub members: BTreeMap<String, Member>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct Member {
    pub sha256: String,
    pub size: u64,
}

/// Bounds on what reading one archive may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest `manifest.json` read (an export's lists ~150 bytes a member, so the
    /// default holds about 400,000 members).
    pub manifest_bytes: u64,
    /// The most the members may unpack to in all; the free space where they are
    /// unpacked bounds it further.
    pub unpacked_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            manifest_bytes: 64 << 20,
            unpacked_bytes: u64::MAX,
        }
    }
}

/// The archive is damaged (or cut short): exporting again fixes it.
pub(super) fn damaged(archive: &Path, what: impl std::fmt::Display) -> anyhow::Error {
    SyncError::failed(format!("{}: {what}", archive.display()))
        .with_hint("the archive is damaged or incomplete: export it again")
        .into()
}

/// The archive holds something `clearml export` never writes.
pub(super) fn refused(archive: &Path, what: impl std::fmt::Display) -> anyhow::Error {
    SyncError::failed(format!("{}: {what}", archive.display()))
        .with_hint("import reads only archives written by `clearml export`; nothing was copied")
        .into()
}

/// A name or id from the archive as it may appear in a one-line message: quoted, control
/// characters escaped, cut at 100 characters.
pub(super) fn shown(text: &str) -> String {
    let cut: String = text.chars().take(100).collect();
    let more = if cut.len() < text.len() { "…" } else { "" };
    format!("'{}{more}'", cut.escape_debug())
}

/// A member name that stays inside the unpack folder: relative, `/`-separated parts,
/// none empty, `.` or `..`.
pub(super) fn safe_member(name: &str) -> bool {
    !name.is_empty()
        && !name.contains('\0')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Unpack `input` (the archive `archive` names, read twice) into the empty folder `dir`;
/// the checked manifest.
pub(super) fn unpack<R: Read + Seek>(
    archive: &Path,
    mut input: R,
    dir: &Path,
    limits: Limits,
) -> anyhow::Result<Manifest> {
    let room = Room::of(dir, limits);
    let (manifest, sizes) = scan(archive, &mut input, limits, &room)?;
    check_against_headers(archive, &manifest, &sizes, &room)?;
    input.seek(SeekFrom::Start(0)).map_err(|e| {
        SyncError::failed(format!("{}: cannot read it twice: {e}", archive.display()))
            .with_hint("give import the archive as a regular file, not a pipe")
    })?;
    extract(archive, input, dir, &manifest)?;
    Ok(manifest)
}

/// How much may be unpacked, and why not more.
struct Room {
    bytes: u64,
    /// The folder whose free space is the bound, when it is tighter than the limit.
    free_in: Option<PathBuf>,
}

impl Room {
    fn of(dir: &Path, limits: Limits) -> Room {
        match clearml_api::files::free_bytes(dir) {
            Some((at, free)) if free < limits.unpacked_bytes => Room {
                bytes: free,
                free_in: Some(at),
            },
            _ => Room {
                bytes: limits.unpacked_bytes,
                free_in: None,
            },
        }
    }

    fn exceeded(&self, archive: &Path, need: &str) -> anyhow::Error {
        match &self.free_in {
            Some(at) => SyncError::failed(format!(
                "{}: unpacking it needs {need} but {} has {} free",
                archive.display(),
                at.display(),
                self.bytes
            ))
            .with_hint("free space there, or set TMPDIR to a folder on a larger disk")
            .into(),
            None => refused(
                archive,
                format!("it unpacks to {need}, more than the {} allowed", self.bytes),
            ),
        }
    }
}

/// The member an entry is, refused unless it is a regular file with a safe name.
fn member_name<R: Read>(archive: &Path, entry: &tar::Entry<R>) -> anyhow::Result<String> {
    let name = entry
        .path()
        .map_err(|e| damaged(archive, e))?
        .to_string_lossy()
        .into_owned();
    let kind = entry.header().entry_type();
    if !kind.is_file() {
        let what = match kind {
            tar::EntryType::Symlink => "a symbolic link",
            tar::EntryType::Link => "a hard link",
            tar::EntryType::Directory => "a directory",
            tar::EntryType::Char | tar::EntryType::Block => "a device",
            tar::EntryType::Fifo => "a FIFO",
            _ => "not a regular file",
        };
        return Err(refused(
            archive,
            format!(
                "member {} is {what}: an export holds only regular files",
                shown(&name)
            ),
        ));
    }
    if !safe_member(&name) {
        return Err(refused(
            archive,
            format!("member {} is not a plain relative path", shown(&name)),
        ));
    }
    Ok(name)
}

/// First pass: the manifest and every other member's size from its header; no member
/// is written, and the pass stops once the members outgrow the room.
fn scan<R: Read>(
    archive: &Path,
    input: R,
    limits: Limits,
    room: &Room,
) -> anyhow::Result<(Manifest, BTreeMap<String, u64>)> {
    let decoder = zstd::Decoder::new(input).map_err(|e| damaged(archive, e))?;
    let mut tar = tar::Archive::new(decoder);
    let mut sizes = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    let mut total = 0u64;
    for entry in tar.entries().map_err(|e| damaged(archive, e))? {
        let mut entry = entry.map_err(|e| damaged(archive, e))?;
        let name = member_name(archive, &entry)?;
        let size = entry.size();
        if name == MANIFEST {
            if manifest.is_some() {
                return Err(refused(archive, format!("{MANIFEST} is there twice")));
            }
            if size > limits.manifest_bytes {
                return Err(refused(
                    archive,
                    format!(
                        "{MANIFEST} is {size} bytes, more than the {} this clearml reads",
                        limits.manifest_bytes
                    ),
                ));
            }
            let reader = BufReader::new((&mut entry).take(size));
            manifest = Some(
                serde_json::from_reader(reader)
                    .map_err(|e| damaged(archive, format!("{MANIFEST}: {e}")))?,
            );
            continue;
        }
        if sizes.insert(name.clone(), size).is_some() {
            return Err(refused(
                archive,
                format!("member {} is there twice", shown(&name)),
            ));
        }
        total = total.saturating_add(size);
        if total > room.bytes {
            return Err(room.exceeded(archive, &format!("more than {total} bytes")));
        }
    }
    let manifest = manifest.ok_or_else(|| damaged(archive, format!("no {MANIFEST}")))?;
    Ok((manifest, sizes))
}

/// The manifest and the headers agree: same members, same sizes, and they fit.
fn check_against_headers(
    archive: &Path,
    manifest: &Manifest,
    sizes: &BTreeMap<String, u64>,
    room: &Room,
) -> anyhow::Result<()> {
    if manifest.format != FORMAT {
        return Err(SyncError::unusable(format!(
            "{}: archive format {} (this clearml reads format {FORMAT})",
            archive.display(),
            manifest.format
        ))
        .into());
    }
    let mut need = 0u64;
    for (name, declared) in &manifest.members {
        if !safe_member(name) || name == MANIFEST {
            return Err(refused(
                archive,
                format!("the manifest lists {}, not a member name", shown(name)),
            ));
        }
        match sizes.get(name) {
            None => {
                return Err(damaged(
                    archive,
                    format!("member {} is missing", shown(name)),
                ));
            }
            Some(&size) if size != declared.size => {
                return Err(refused(
                    archive,
                    format!(
                        "member {} is {size} bytes but the manifest says {}",
                        shown(name),
                        declared.size
                    ),
                ));
            }
            Some(_) => need = need.saturating_add(declared.size),
        }
    }
    if let Some(extra) = sizes.keys().find(|k| !manifest.members.contains_key(*k)) {
        return Err(damaged(
            archive,
            format!("member {} is not in the manifest", shown(extra)),
        ));
    }
    if need > room.bytes {
        return Err(room.exceeded(archive, &format!("{need} bytes")));
    }
    Ok(())
}

/// Second pass: write each listed member into `dir`, reading at most its declared size
/// (one byte more is the sign of a changed archive), and check its sha256.
fn extract<R: Read>(
    archive: &Path,
    input: R,
    dir: &Path,
    manifest: &Manifest,
) -> anyhow::Result<()> {
    let decoder = zstd::Decoder::new(input).map_err(|e| damaged(archive, e))?;
    let mut tar = tar::Archive::new(decoder);
    let mut done = BTreeSet::new();
    for entry in tar.entries().map_err(|e| damaged(archive, e))? {
        let entry = entry.map_err(|e| damaged(archive, e))?;
        let name = member_name(archive, &entry)?;
        if name == MANIFEST {
            continue;
        }
        let Some(want) = manifest.members.get(&name) else {
            return Err(damaged(
                archive,
                format!("member {} is not in the manifest", shown(&name)),
            ));
        };
        if !done.insert(name.clone()) {
            return Err(refused(
                archive,
                format!("member {} is there twice", shown(&name)),
            ));
        }
        let got = write_member(archive, entry, dir, &name, want.size)?;
        if got != *want {
            return Err(damaged(
                archive,
                format!(
                    "member {} does not match its sha256 in the manifest",
                    shown(&name)
                ),
            ));
        }
    }
    if let Some(missing) = manifest.members.keys().find(|k| !done.contains(*k)) {
        return Err(damaged(
            archive,
            format!("member {} is missing", shown(missing)),
        ));
    }
    Ok(())
}

/// Copy one member to `dir/name` (a new file), stopping at the first byte past `limit`.
fn write_member<R: Read>(
    archive: &Path,
    entry: tar::Entry<R>,
    dir: &Path,
    name: &str,
    limit: u64,
) -> anyhow::Result<Member> {
    let cannot = |e: std::io::Error| {
        SyncError::failed(format!(
            "{}: cannot unpack member {} into {}: {e}",
            archive.display(),
            shown(name),
            dir.display()
        ))
    };
    let dest = dir.join(name);
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).map_err(cannot)?;
    }
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&dest)
        .map_err(cannot)?;
    let mut bounded = entry.take(limit.saturating_add(1));
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = bounded.read(&mut buf).map_err(|e| damaged(archive, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        if size > limit {
            return Err(refused(
                archive,
                format!(
                    "member {} is larger than the {limit} bytes the manifest says",
                    shown(name)
                ),
            ));
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(cannot)?;
    }
    Ok(Member {
        sha256: hex::encode(hasher.finalize()),
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_stay_inside() {
        assert!(safe_member("events/abc.jsonl"));
        assert!(safe_member("files/1"));
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../b",
            "./x",
            "files/",
            "files//1",
            "a\0b",
        ] {
            assert!(!safe_member(bad), "{bad:?}");
        }
    }

    #[test]
    fn names_in_messages_are_quoted_escaped_and_cut() {
        assert_eq!(shown("files/1"), "'files/1'");
        assert_eq!(shown("a\x1b[31mb"), "'a\\u{1b}[31mb'");
        assert!(shown(&"я".repeat(500)).ends_with("…'"));
    }
}
