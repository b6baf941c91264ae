//! Reading an archive: its central directory, and extracting members on several threads.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use flate2::{Crc, Decompress, FlushDecompress};

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
    let name = member_name(flags, name_bytes)?;
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
pub(super) fn apply_zip64(extra: &[u8], m: &mut Member) -> std::io::Result<()> {
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
/// calling `done(name, path, sha256 hex)` after each; an error from `done` stops the
/// extraction. Every member is checked against its declared size (nothing inflates past it)
/// and its CRC-32. With `hash`, its sha256 is computed from the bytes written (never by
/// reading them back) and passed to `done`; without, `done` gets `None` (the caller has
/// proven the archive itself, e.g. by its sha256). Unsafe names fail the whole archive
/// before anything is written.
///
/// Members are extracted by up to `threads` threads, each with its own handle on the
/// archive (inflating and hashing are CPU-bound; one chunk often holds a whole version).
pub fn extract(
    archive: &Path,
    dir: &Path,
    want: impl Fn(&str) -> bool,
    done: impl Fn(&str, &Path, Option<&str>) -> std::io::Result<()> + Sync,
    threads: usize,
    hash: bool,
) -> std::io::Result<usize> {
    extract_with(archive, dir, want, done, (threads, hash), None)
}

/// [`extract`], taking the members that `early` extracted while the archive downloaded
/// (see [`Early`]) when they are the very members of this archive; the rest, and every
/// member when `hash` is asked, are extracted here. `early`'s unused files are removed.
pub fn extract_with(
    archive: &Path,
    dir: &Path,
    want: impl Fn(&str) -> bool,
    done: impl Fn(&str, &Path, Option<&str>) -> std::io::Result<()> + Sync,
    (threads, hash): (usize, bool),
    early: Option<&Early>,
) -> std::io::Result<usize> {
    let result = extract_inner(archive, dir, want, done, (threads, hash), early);
    if let Some(e) = early {
        e.discard();
    }
    result
}

fn extract_inner(
    archive: &Path,
    dir: &Path,
    want: impl Fn(&str) -> bool,
    done: impl Fn(&str, &Path, Option<&str>) -> std::io::Result<()> + Sync,
    (threads, hash): (usize, bool),
    early: Option<&Early>,
) -> std::io::Result<usize> {
    let mut f = File::open(archive)?;
    let members = read_directory(&mut f)?;
    let archive_len = f.metadata()?.len();
    let early = early.filter(|e| !hash && e.is_of(&f));
    let jobs = chosen(&members, dir, want)?;
    // Each folder once, before any file (not one create_dir_all per member).
    let parents: BTreeSet<&Path> = jobs.iter().filter_map(|(_, t)| t.parent()).collect();
    for p in parents {
        std::fs::create_dir_all(p)?;
    }
    let threads = threads.clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let worker = |f: File| -> std::io::Result<usize> {
        let mut scratch = Scratch::new(hash);
        let mut count = 0;
        while !stop.load(Ordering::Relaxed) {
            let Some((m, target)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let one = match early.and_then(|e| e.take(m)) {
                Some(tmp) => commit(&tmp, target).map(|()| None),
                None => extract_member(&f, archive_len, m, target, &mut scratch),
            }
            .and_then(|sha| done(&m.name, target, sha.as_deref()));
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

/// Where member `m`'s bytes start, after checking its local header and that they fit in
/// the archive.
fn data_start(f: &File, archive_len: u64, m: &Member) -> std::io::Result<u64> {
    let mut lh = [0u8; 30];
    f.read_exact_at(&mut lh, m.local_header_offset)?;
    if u32_at(&lh, 0)? != LOCAL_SIG {
        return Err(bad(format!("bad local header for {:?}", m.name)));
    }
    let skip = u16_at(&lh, 26)? as u64 + u16_at(&lh, 28)? as u64;
    let start = m.local_header_offset + 30 + skip;
    if start
        .checked_add(m.compressed_size)
        .is_none_or(|e| e > archive_len)
    {
        return Err(bad(format!("member {:?} runs past the archive", m.name)));
    }
    if !matches!(m.method, METHOD_STORED | METHOD_DEFLATED) {
        return Err(bad(format!(
            "member {:?} uses compression method {} (only stored and deflated are read)",
            m.name, m.method
        )));
    }
    Ok(start)
}

/// Bytes `pos..end` of a file, read with `pread` (the handle is shared, never seeked).
struct Span<'f> {
    f: &'f File,
    pos: u64,
    end: u64,
}

impl Read for Span<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = buf.len().min((self.end - self.pos) as usize);
        if want == 0 {
            return Ok(0);
        }
        let n = self.f.read_at(&mut buf[..want], self.pos)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        self.pos += n as u64;
        Ok(n)
    }
}

/// A reader of member `m`'s bytes (starting at `start`), inflated.
fn member_reader<'f>(f: &'f File, start: u64, m: &Member) -> Box<dyn Read + 'f> {
    let raw = Span {
        f,
        pos: start,
        end: start + m.compressed_size,
    };
    if m.method == METHOD_STORED {
        Box::new(raw)
    } else {
        Box::new(flate2::read::DeflateDecoder::new(BufReader::with_capacity(
            1 << 16,
            raw,
        )))
    }
}

/// One extracting thread's reusable buffers and inflater (the whole-member path).
pub(super) struct Scratch {
    packed: Vec<u8>,
    plain: Vec<u8>,
    inflater: Decompress,
    hash: bool,
}

impl Scratch {
    pub(super) fn new(hash: bool) -> Scratch {
        Scratch {
            packed: Vec::new(),
            plain: Vec::new(),
            inflater: Decompress::new(false),
            hash,
        }
    }
}

/// The length and CRC-32 checks every member passes, whichever path extracted it.
fn check_member(m: &Member, written: u64, crc: u32) -> std::io::Result<()> {
    if written > m.size {
        return Err(bad(format!(
            "member {:?} inflates past its declared {} bytes",
            m.name, m.size
        )));
    }
    if written != m.size {
        return Err(bad(format!(
            "member {:?} has {written} bytes, its header says {}",
            m.name, m.size
        )));
    }
    if crc != m.crc32 {
        return Err(bad(format!("member {:?} fails its CRC-32 check", m.name)));
    }
    Ok(())
}

/// A small member (see [`WHOLE_MEMBER`]) read and inflated in one call each, checked, and
/// written to `out`; its sha256 when asked.
fn whole_member(
    f: &File,
    start: u64,
    m: &Member,
    out: &mut File,
    s: &mut Scratch,
) -> std::io::Result<Option<String>> {
    s.packed.resize(m.compressed_size as usize, 0);
    f.read_exact_at(&mut s.packed, start)?;
    let plain: &[u8] = if m.method == METHOD_STORED {
        &s.packed
    } else {
        // One byte of room past the declared size: a member that inflates past it fills it.
        s.plain.clear();
        s.plain.reserve_exact(m.size as usize + 1);
        s.inflater.reset(false);
        s.inflater
            .decompress_vec(&s.packed, &mut s.plain, FlushDecompress::Finish)
            .map_err(|e| {
                bad(format!(
                    "member {:?} is not valid deflate data: {e}",
                    m.name
                ))
            })?;
        &s.plain
    };
    let mut crc = Crc::new();
    crc.update(plain);
    check_member(m, plain.len() as u64, crc.sum())?;
    out.write_all(plain)?;
    Ok(s.hash.then(|| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(plain))
    }))
}

/// Copy a member's bytes to `out`, checking its length and CRC-32; its sha256 when asked.
fn copy_checked(
    reader: &mut dyn Read,
    out: &mut impl Write,
    m: &Member,
    hash: bool,
) -> std::io::Result<Option<String>> {
    use sha2::Digest;
    let mut crc = Crc::new();
    let mut sha = hash.then(sha2::Sha256::new);
    let mut buf = vec![0u8; 1 << 16];
    let mut written = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        written += n as u64;
        if written > m.size {
            return check_member(m, written, 0).map(|()| None);
        }
        crc.update(&buf[..n]);
        if let Some(sha) = sha.as_mut() {
            sha.update(&buf[..n]);
        }
        out.write_all(&buf[..n])?;
    }
    out.flush()?;
    check_member(m, written, crc.sum())?;
    Ok(sha.map(|s| hex::encode(s.finalize())))
}

/// Extract one member to `target`: written under a temporary name, renamed when whole and
/// checked, so a file under its final name is never partial. Returns its sha256 when the
/// scratch asks for it.
fn extract_member(
    f: &File,
    archive_len: u64,
    m: &Member,
    target: &Path,
    scratch: &mut Scratch,
) -> std::io::Result<Option<String>> {
    let start = data_start(f, archive_len, m)?;
    let tmp = crate::files::partial_path(target);
    let sha = write_member(f, start, m, &tmp, scratch)?;
    commit(&tmp, target)?;
    Ok(sha)
}

/// Member `m` (its bytes at `start` of `f`) inflated and checked into `tmp`, which is
/// removed when anything fails. Its sha256 when the scratch asks for it.
pub(super) fn write_member(
    f: &File,
    start: u64,
    m: &Member,
    tmp: &Path,
    scratch: &mut Scratch,
) -> std::io::Result<Option<String>> {
    let mut out = File::create(tmp)?;
    let result = if m.size <= WHOLE_MEMBER && m.compressed_size <= WHOLE_MEMBER {
        whole_member(f, start, m, &mut out, scratch)
    } else {
        let mut reader = member_reader(f, start, m);
        let mut out = BufWriter::with_capacity(1 << 16, &mut out);
        copy_checked(&mut reader, &mut out, m, scratch.hash)
    };
    drop(out);
    if result.is_err() {
        let _ = std::fs::remove_file(tmp);
    }
    result
}

/// A whole, checked `tmp` renamed to `target`. rename replaces a file or a link (left by
/// an earlier copy) but not a folder: a folder where the file goes is removed first, only
/// then (no stat per file).
fn commit(tmp: &Path, target: &Path) -> std::io::Result<()> {
    if let Err(e) = std::fs::rename(tmp, target) {
        if !std::fs::symlink_metadata(target).is_ok_and(|m| m.is_dir()) {
            let _ = std::fs::remove_file(tmp);
            return Err(e);
        }
        std::fs::remove_dir_all(target)?;
        std::fs::rename(tmp, target)?;
    }
    Ok(())
}
