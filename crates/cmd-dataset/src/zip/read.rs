//! Reading an archive: its central directory, and extracting members on several threads.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use flate2::Crc;

use super::*;

/// The members of the archive at `path`, in central-directory order.
pub fn list(path: &Path) -> std::io::Result<Vec<Member>> {
    let mut f = File::open(path)?;
    read_directory(&mut f)
}

/// Where the central directory is: `(entries, size, offset)`, from the end record (and the
/// ZIP64 end record when a locator points at one).
fn end_record(f: &mut File, len: u64) -> std::io::Result<(u64, u64, u64)> {
    if len < 22 {
        return Err(bad("not a zip archive (too short)"));
    }
    // The end record is within the last 22 + 65535 (comment) bytes.
    let tail_len = len.min(22 + 0xFFFF);
    f.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    f.read_exact(&mut tail)?;
    let eocd = (0..=tail.len() - 22)
        .rev()
        .find(|&i| u32_at(&tail, i).ok() == Some(EOCD_SIG))
        .ok_or_else(|| bad("not a zip archive (no end of central directory)"))?;
    let entries = u16_at(&tail, eocd + 10)? as u64;
    let cd_size = u32_at(&tail, eocd + 12)? as u64;
    let cd_offset = u32_at(&tail, eocd + 16)? as u64;
    if eocd < 20 || u32_at(&tail, eocd - 20)? != EOCD64_LOCATOR_SIG {
        return Ok((entries, cd_size, cd_offset));
    }
    // ZIP64: a locator right before the end record points at the 64-bit end record.
    let rec_offset = u64_at(&tail, eocd - 20 + 8)?;
    if rec_offset + 56 > len {
        return Err(bad("bad zip64 end record offset"));
    }
    f.seek(SeekFrom::Start(rec_offset))?;
    let mut rec = [0u8; 56];
    f.read_exact(&mut rec)?;
    if u32_at(&rec, 0)? != EOCD64_SIG {
        return Err(bad("bad zip64 end record"));
    }
    Ok((u64_at(&rec, 32)?, u64_at(&rec, 40)?, u64_at(&rec, 48)?))
}

pub(super) fn read_directory(f: &mut File) -> std::io::Result<Vec<Member>> {
    let len = f.metadata()?.len();
    let (entries, cd_size, cd_offset) = end_record(f, len)?;
    if cd_offset.checked_add(cd_size).is_none_or(|e| e > len) {
        return Err(bad("central directory outside the archive"));
    }
    // Each entry takes at least 46 bytes: a count past that is a lie.
    if entries > cd_size / 46 + 1 {
        return Err(bad("central directory entry count does not fit its size"));
    }
    f.seek(SeekFrom::Start(cd_offset))?;
    let mut cd = vec![0u8; cd_size as usize];
    f.read_exact(&mut cd)?;
    let mut members = Vec::with_capacity(entries as usize);
    let mut at = 0usize;
    for _ in 0..entries {
        let (m, next) = central_entry(&cd, at)?;
        members.push(m);
        at = next;
    }
    Ok(members)
}

/// The central directory entry at `at`, and where the next one starts.
fn central_entry(cd: &[u8], at: usize) -> std::io::Result<(Member, usize)> {
    if u32_at(cd, at)? != CENTRAL_SIG {
        return Err(bad("bad central directory entry"));
    }
    let flags = u16_at(cd, at + 8)?;
    let name_len = u16_at(cd, at + 28)? as usize;
    let extra_len = u16_at(cd, at + 30)? as usize;
    let comment_len = u16_at(cd, at + 32)? as usize;
    let name_bytes = cd
        .get(at + 46..at + 46 + name_len)
        .ok_or_else(|| bad("truncated member name"))?;
    let extra = cd
        .get(at + 46 + name_len..at + 46 + name_len + extra_len)
        .ok_or_else(|| bad("truncated extra field"))?;
    let name = if flags & FLAG_UTF8 != 0 || name_bytes.is_ascii() {
        String::from_utf8(name_bytes.to_vec()).map_err(|_| bad("member name is not UTF-8"))?
    } else {
        // Python reads unflagged names as cp437; our writer always flags non-ASCII.
        name_bytes.iter().map(|&b| cp437(b)).collect()
    };
    let mut m = Member {
        is_dir: name.ends_with('/'),
        name,
        method: u16_at(cd, at + 10)?,
        crc32: u32_at(cd, at + 16)?,
        compressed_size: u32_at(cd, at + 20)? as u64,
        size: u32_at(cd, at + 24)? as u64,
        local_header_offset: u32_at(cd, at + 42)? as u64,
    };
    apply_zip64(extra, &mut m)?;
    Ok((m, at + 46 + name_len + extra_len + comment_len))
}

/// The ZIP64 extra field: the 64-bit values, in this order, of the fields that are
/// saturated in the entry.
fn apply_zip64(extra: &[u8], m: &mut Member) -> std::io::Result<()> {
    let mut e = 0usize;
    while e + 4 <= extra.len() {
        let id = u16_at(extra, e)?;
        let n = u16_at(extra, e + 2)? as usize;
        let body = extra
            .get(e + 4..e + 4 + n)
            .ok_or_else(|| bad("truncated extra field"))?;
        if id == ZIP64_EXTRA {
            let mut p = 0usize;
            for field in [
                &mut m.size,
                &mut m.compressed_size,
                &mut m.local_header_offset,
            ] {
                if *field == U32_MAX {
                    *field = u64_at(body, p)?;
                    p += 8;
                }
            }
        }
        e += 4 + n;
    }
    Ok(())
}

/// The members to extract with their targets, in archive order (so each thread reads
/// forward). A name that occurs twice is extracted once, from its last member (what a
/// sequential extraction leaves behind). Unsafe names fail the whole archive.
fn chosen<'m>(
    members: &'m [Member],
    dir: &Path,
    want: impl Fn(&str) -> bool,
) -> std::io::Result<Vec<(&'m Member, PathBuf)>> {
    let mut jobs: Vec<(&Member, PathBuf)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for m in members {
        let target = safe_join(dir, &m.name)
            .ok_or_else(|| bad(format!("unsafe member name {:?}", m.name)))?;
        if m.is_dir || !want(&m.name) {
            continue;
        }
        match index.get(m.name.as_str()) {
            Some(&i) => jobs[i] = (m, target),
            None => {
                index.insert(&m.name, jobs.len());
                jobs.push((m, target));
            }
        }
    }
    jobs.sort_by_key(|(m, _)| m.local_header_offset);
    Ok(jobs)
}

/// Extract every file member of `archive` into `dir` for which `want(name)` is true,
/// calling `done(name, path, sha256 hex)` after each (the sha256 is computed while the
/// member is written, never by reading it back); an error from `done` stops the
/// extraction. Unsafe names fail the whole archive before anything is written.
///
/// Members are extracted by up to `threads` threads, each with its own handle on the
/// archive (inflating and hashing are CPU-bound; one chunk often holds a whole version).
pub fn extract(
    archive: &Path,
    dir: &Path,
    want: impl Fn(&str) -> bool,
    done: impl Fn(&str, &Path, &str) -> std::io::Result<()> + Sync,
    threads: usize,
) -> std::io::Result<usize> {
    let mut f = File::open(archive)?;
    let members = read_directory(&mut f)?;
    let archive_len = f.metadata()?.len();
    let jobs = chosen(&members, dir, want)?;
    // Each folder once, before any file (not one create_dir_all per member).
    let parents: BTreeSet<&Path> = jobs.iter().filter_map(|(_, t)| t.parent()).collect();
    for p in parents {
        std::fs::create_dir_all(p)?;
    }
    let threads = threads.clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let worker = |mut f: File| -> std::io::Result<usize> {
        let mut count = 0;
        while !stop.load(Ordering::Relaxed) {
            let Some((m, target)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let one = extract_member(&mut f, archive_len, m, target)
                .and_then(|sha| done(&m.name, target, &sha));
            if let Err(e) = one {
                stop.store(true, Ordering::Relaxed);
                return Err(e);
            }
            count += 1;
        }
        Ok(count)
    };
    if threads == 1 {
        return worker(f);
    }
    let handles: Vec<File> = (1..threads)
        .map(|_| File::open(archive))
        .collect::<std::io::Result<_>>()?;
    std::thread::scope(|scope| {
        let spawned: Vec<_> = handles
            .into_iter()
            .map(|h| {
                let worker = &worker;
                scope.spawn(move || worker(h))
            })
            .collect();
        let mut result = worker(f);
        for h in spawned {
            let r = h
                .join()
                .unwrap_or_else(|_| Err(bad("an extracting thread panicked")));
            result = match (result, r) {
                (Ok(a), Ok(b)) => Ok(a + b),
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
        }
        result
    })
}

/// A reader of member `m`'s bytes, inflated, after checking its local header.
fn member_reader<'f>(
    f: &'f mut File,
    archive_len: u64,
    m: &Member,
) -> std::io::Result<Box<dyn Read + 'f>> {
    f.seek(SeekFrom::Start(m.local_header_offset))?;
    let mut lh = [0u8; 30];
    f.read_exact(&mut lh)?;
    if u32_at(&lh, 0)? != LOCAL_SIG {
        return Err(bad(format!("bad local header for {:?}", m.name)));
    }
    let skip = u16_at(&lh, 26)? as u64 + u16_at(&lh, 28)? as u64;
    let data_start = m.local_header_offset + 30 + skip;
    if data_start
        .checked_add(m.compressed_size)
        .is_none_or(|e| e > archive_len)
    {
        return Err(bad(format!("member {:?} runs past the archive", m.name)));
    }
    f.seek(SeekFrom::Start(data_start))?;
    let raw = f.take(m.compressed_size);
    Ok(match m.method {
        METHOD_STORED => Box::new(raw),
        METHOD_DEFLATED => Box::new(flate2::read::DeflateDecoder::new(BufReader::with_capacity(
            1 << 16,
            raw,
        ))),
        other => {
            return Err(bad(format!(
                "member {:?} uses compression method {other} (only stored and deflated are read)",
                m.name
            )));
        }
    })
}

/// Copy a member's bytes to `out`, checking its length and CRC-32; its sha256.
fn copy_checked(
    reader: &mut dyn Read,
    out: &mut impl Write,
    m: &Member,
) -> std::io::Result<String> {
    use sha2::Digest;
    let mut crc = Crc::new();
    let mut sha = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut written = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        written += n as u64;
        if written > m.size {
            return Err(bad(format!(
                "member {:?} inflates past its declared {} bytes",
                m.name, m.size
            )));
        }
        crc.update(&buf[..n]);
        sha.update(&buf[..n]);
        out.write_all(&buf[..n])?;
    }
    out.flush()?;
    if written != m.size {
        return Err(bad(format!(
            "member {:?} has {written} bytes, its header says {}",
            m.name, m.size
        )));
    }
    if crc.sum() != m.crc32 {
        return Err(bad(format!("member {:?} fails its CRC-32 check", m.name)));
    }
    Ok(hex::encode(sha.finalize()))
}

/// Extract one member to `target`: written under a temporary name, renamed when whole and
/// checked, so a file under its final name is never partial. Returns its sha256.
fn extract_member(
    f: &mut File,
    archive_len: u64,
    m: &Member,
    target: &Path,
) -> std::io::Result<String> {
    let mut reader = member_reader(f, archive_len, m)?;
    let tmp = crate::files::partial_path(target);
    let mut out = BufWriter::with_capacity(1 << 16, File::create(&tmp)?);
    let result = copy_checked(&mut reader, &mut out, m);
    drop(out);
    let sha = match result {
        Ok(sha) => sha,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    // rename replaces a file or a link (left by an earlier copy) but not a folder: a
    // folder where the file goes is removed first, only then (no stat per file).
    if let Err(e) = std::fs::rename(&tmp, target) {
        if !std::fs::symlink_metadata(target).is_ok_and(|m| m.is_dir()) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        std::fs::remove_dir_all(target)?;
        std::fs::rename(&tmp, target)?;
    }
    Ok(sha)
}
