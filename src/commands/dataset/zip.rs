//! The ZIP archives dataset chunks are stored in (what Python's `zipfile` writes and reads):
//! stored and deflated members, ZIP64 sizes and offsets, UTF-8 names. Written from the
//! format (PKWARE's APPNOTE), not from any implementation.
//!
//! Reading is defensive: a chunk comes from a server, so member names are checked (no
//! absolute paths, no `..`, no backslashes, no NUL), every member is extracted through
//! [`safe_join`], its length must be the declared one (no decompression bomb past it) and
//! its CRC-32 must match.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};

use flate2::Crc;

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EXTRA: u16 = 0x0001;
const FLAG_UTF8: u16 = 1 << 11;
const METHOD_STORED: u16 = 0;
const METHOD_DEFLATED: u16 = 8;
const U32_MAX: u64 = 0xFFFF_FFFF;

/// One member of an archive, from its central directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub name: String,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub size: u64,
    pub local_header_offset: u64,
    pub is_dir: bool,
}

fn bad(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

fn u16_at(b: &[u8], at: usize) -> std::io::Result<u16> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| bad("truncated zip record"))
}

fn u32_at(b: &[u8], at: usize) -> std::io::Result<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| bad("truncated zip record"))
}

fn u64_at(b: &[u8], at: usize) -> std::io::Result<u64> {
    b.get(at..at + 8)
        .map(|s| u64::from_le_bytes(s.try_into().unwrap_or_default()))
        .ok_or_else(|| bad("truncated zip record"))
}

/// The members of the archive at `path`, in central-directory order.
pub fn list(path: &Path) -> std::io::Result<Vec<Member>> {
    let mut f = File::open(path)?;
    read_directory(&mut f)
}

fn read_directory(f: &mut File) -> std::io::Result<Vec<Member>> {
    let len = f.metadata()?.len();
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
    let mut entries = u16_at(&tail, eocd + 10)? as u64;
    let mut cd_size = u32_at(&tail, eocd + 12)? as u64;
    let mut cd_offset = u32_at(&tail, eocd + 16)? as u64;
    // ZIP64: a locator right before the end record points at the 64-bit end record.
    if eocd >= 20 && u32_at(&tail, eocd - 20)? == EOCD64_LOCATOR_SIG {
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
        entries = u64_at(&rec, 32)?;
        cd_size = u64_at(&rec, 40)?;
        cd_offset = u64_at(&rec, 48)?;
    }
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
        if u32_at(&cd, at)? != CENTRAL_SIG {
            return Err(bad("bad central directory entry"));
        }
        let flags = u16_at(&cd, at + 8)?;
        let method = u16_at(&cd, at + 10)?;
        let crc32 = u32_at(&cd, at + 16)?;
        let mut compressed_size = u32_at(&cd, at + 20)? as u64;
        let mut size = u32_at(&cd, at + 24)? as u64;
        let name_len = u16_at(&cd, at + 28)? as usize;
        let extra_len = u16_at(&cd, at + 30)? as usize;
        let comment_len = u16_at(&cd, at + 32)? as usize;
        let mut local_header_offset = u32_at(&cd, at + 42)? as u64;
        let name_bytes = cd
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| bad("truncated member name"))?;
        let extra = cd
            .get(at + 46 + name_len..at + 46 + name_len + extra_len)
            .ok_or_else(|| bad("truncated extra field"))?;
        // ZIP64 extra: the 64-bit values, in this order, of the fields that are saturated.
        let mut e = 0usize;
        while e + 4 <= extra.len() {
            let id = u16_at(extra, e)?;
            let n = u16_at(extra, e + 2)? as usize;
            let body = extra
                .get(e + 4..e + 4 + n)
                .ok_or_else(|| bad("truncated extra field"))?;
            if id == ZIP64_EXTRA {
                let mut p = 0usize;
                if size == U32_MAX {
                    size = u64_at(body, p)?;
                    p += 8;
                }
                if compressed_size == U32_MAX {
                    compressed_size = u64_at(body, p)?;
                    p += 8;
                }
                if local_header_offset == U32_MAX {
                    local_header_offset = u64_at(body, p)?;
                }
            }
            e += 4 + n;
        }
        let name = if flags & FLAG_UTF8 != 0 || name_bytes.is_ascii() {
            String::from_utf8(name_bytes.to_vec()).map_err(|_| bad("member name is not UTF-8"))?
        } else {
            // Python reads unflagged names as cp437; our writer always flags non-ASCII.
            name_bytes.iter().map(|&b| cp437(b)).collect()
        };
        members.push(Member {
            is_dir: name.ends_with('/'),
            name,
            method,
            crc32,
            compressed_size,
            size,
            local_header_offset,
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(members)
}

/// cp437's upper half for the rare archive with legacy names (box drawing and the like
/// become the Unicode replacement character: such names are not valid dataset paths).
fn cp437(b: u8) -> char {
    const HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿";
    if b < 0x80 {
        b as char
    } else {
        HIGH.chars()
            .nth((b - 0x80) as usize)
            .unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

/// Whether a member name is a safe relative path (no root, no `..`, no backslash, no NUL,
/// not empty): the only names extracted.
pub fn safe_name(name: &str) -> bool {
    if name.is_empty() || name.contains('\\') || name.contains('\0') || name.starts_with('/') {
        return false;
    }
    Path::new(name)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// `dir/name` for a [`safe_name`], else `None`.
pub fn safe_join(dir: &Path, name: &str) -> Option<PathBuf> {
    safe_name(name).then(|| dir.join(name.trim_end_matches('/')))
}

/// Extract every file member of `archive` into `dir` for which `want(name)` is true,
/// calling `done(name, path, sha256 hex)` after each (the sha256 is computed while the
/// member is written, never by reading it back); an error from `done` stops the
/// extraction. Unsafe names fail the whole archive before anything is written.
///
/// Members are extracted by up to `threads` threads, each with its own handle on the
/// archive (inflating and hashing are CPU-bound; one chunk often holds a whole version).
/// A name that occurs twice is extracted once, from its last member (what a sequential
/// extraction leaves behind).
pub fn extract(
    archive: &Path,
    dir: &Path,
    want: impl Fn(&str) -> bool,
    done: impl Fn(&str, &Path, &str) -> std::io::Result<()> + Sync,
    threads: usize,
) -> std::io::Result<usize> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let mut f = File::open(archive)?;
    let members = read_directory(&mut f)?;
    let archive_len = f.metadata()?.len();
    let mut jobs: Vec<(&Member, PathBuf)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for m in &members {
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
    // In archive order, so each thread reads forward.
    jobs.sort_by_key(|(m, _)| m.local_header_offset);
    let threads = threads.clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let worker = |mut f: File| -> std::io::Result<usize> {
        let mut count = 0;
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(count);
            }
            let Some((m, target)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                return Ok(count);
            };
            let one = (|| {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                // A link or folder where the file goes (left by an earlier copy) is replaced.
                if let Ok(meta) = std::fs::symlink_metadata(target)
                    && !meta.is_file()
                {
                    if meta.is_dir() {
                        std::fs::remove_dir_all(target)?;
                    } else {
                        std::fs::remove_file(target)?;
                    }
                }
                let sha = extract_member(&mut f, archive_len, m, target)?;
                done(&m.name, target, &sha)
            })();
            if let Err(e) = one {
                stop.store(true, Ordering::Relaxed);
                return Err(e);
            }
            count += 1;
        }
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

fn extract_member(
    f: &mut File,
    archive_len: u64,
    m: &Member,
    target: &Path,
) -> std::io::Result<String> {
    use sha2::Digest;
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
    let raw = (&mut *f).take(m.compressed_size);
    let mut reader: Box<dyn Read> = match m.method {
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
    };
    // Written under a temporary name, renamed when whole and checked.
    let tmp = crate::files::partial_path(target);
    let out = File::create(&tmp)?;
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut crc = Crc::new();
    let mut sha = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut written = 0u64;
    let result = (|| {
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
        Ok(())
    })();
    drop(out);
    match result {
        Ok(()) => {
            std::fs::rename(&tmp, target)?;
            Ok(hex::encode(sha.finalize()))
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// DOS date and time of a file's modification time (UTC), as zip headers hold them.
fn dos_time(path: &Path) -> (u16, u16) {
    use chrono::{Datelike, Timelike};
    let t: chrono::DateTime<chrono::Utc> = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(Into::into)
        .unwrap_or_else(|_| chrono::Utc::now());
    if t.year() < 1980 {
        return (0, (1 << 5) | 1);
    }
    let time = ((t.hour() as u16) << 11) | ((t.minute() as u16) << 5) | (t.second() as u16 / 2);
    let date = (((t.year() - 1980) as u16) << 9) | ((t.month() as u16) << 5) | t.day() as u16;
    (time, date)
}

/// Writes an archive member by member (deflated), to a seekable file.
pub struct Writer {
    out: BufWriter<File>,
    offset: u64,
    central: Vec<u8>,
    entries: u64,
    level: u32,
}

impl Writer {
    pub fn create(path: &Path, level: u32) -> std::io::Result<Writer> {
        Ok(Writer {
            out: BufWriter::with_capacity(1 << 16, File::create(path)?),
            offset: 0,
            central: Vec::new(),
            entries: 0,
            level,
        })
    }

    /// Add the file `src` as member `name` (a relative path with `/`).
    pub fn add_file(&mut self, name: &str, src: &Path) -> std::io::Result<()> {
        let mut input = File::open(src)?;
        let declared = input.metadata()?.len();
        let (time, date) = dos_time(src);
        // A member that may need 64-bit sizes carries a ZIP64 extra in its local header.
        let zip64_local = declared >= U32_MAX - (1 << 20);
        let flags = if name.is_ascii() { 0 } else { FLAG_UTF8 };
        let header_offset = self.offset;
        let mut lh = Vec::with_capacity(30 + name.len() + 20);
        lh.extend_from_slice(&LOCAL_SIG.to_le_bytes());
        lh.extend_from_slice(&(if zip64_local { 45u16 } else { 20u16 }).to_le_bytes());
        lh.extend_from_slice(&flags.to_le_bytes());
        lh.extend_from_slice(&METHOD_DEFLATED.to_le_bytes());
        lh.extend_from_slice(&time.to_le_bytes());
        lh.extend_from_slice(&date.to_le_bytes());
        let fixup_at = lh.len();
        lh.extend_from_slice(&[0u8; 12]); // crc, sizes: patched once known
        lh.extend_from_slice(&(name.len() as u16).to_le_bytes());
        lh.extend_from_slice(&(if zip64_local { 20u16 } else { 0u16 }).to_le_bytes());
        lh.extend_from_slice(name.as_bytes());
        let extra_at = lh.len();
        if zip64_local {
            lh.extend_from_slice(&ZIP64_EXTRA.to_le_bytes());
            lh.extend_from_slice(&16u16.to_le_bytes());
            lh.extend_from_slice(&[0u8; 16]);
        }
        self.out.write_all(&lh)?;
        let data_start = header_offset + lh.len() as u64;

        // Compress, counting what goes in and out.
        let mut crc = Crc::new();
        let mut size = 0u64;
        let counted = CountingWriter {
            inner: &mut self.out,
            count: 0,
        };
        let mut enc =
            flate2::write::DeflateEncoder::new(counted, flate2::Compression::new(self.level));
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = input.read(&mut buf)?;
            if n == 0 {
                break;
            }
            crc.update(&buf[..n]);
            size += n as u64;
            enc.write_all(&buf[..n])?;
        }
        let counted = enc.finish()?;
        let compressed = counted.count;
        let crc32 = crc.sum();
        if !zip64_local && (size >= U32_MAX || compressed >= U32_MAX) {
            return Err(bad(format!(
                "{} grew past 4 GiB while being archived",
                src.display()
            )));
        }
        // Patch the local header in place.
        self.out.flush()?;
        let file = self.out.get_mut();
        let mut fix = Vec::with_capacity(12);
        fix.extend_from_slice(&crc32.to_le_bytes());
        if zip64_local {
            fix.extend_from_slice(&(U32_MAX as u32).to_le_bytes());
            fix.extend_from_slice(&(U32_MAX as u32).to_le_bytes());
        } else {
            fix.extend_from_slice(&(compressed as u32).to_le_bytes());
            fix.extend_from_slice(&(size as u32).to_le_bytes());
        }
        file.seek(SeekFrom::Start(header_offset + fixup_at as u64))?;
        file.write_all(&fix)?;
        if zip64_local {
            let mut ex = Vec::with_capacity(16);
            ex.extend_from_slice(&size.to_le_bytes());
            ex.extend_from_slice(&compressed.to_le_bytes());
            file.seek(SeekFrom::Start(header_offset + extra_at as u64 + 4))?;
            file.write_all(&ex)?;
        }
        self.offset = data_start + compressed;
        file.seek(SeekFrom::Start(self.offset))?;

        // Its central directory entry.
        let mut extra64 = Vec::new();
        if size >= U32_MAX {
            extra64.extend_from_slice(&size.to_le_bytes());
        }
        if compressed >= U32_MAX {
            extra64.extend_from_slice(&compressed.to_le_bytes());
        }
        if header_offset >= U32_MAX {
            extra64.extend_from_slice(&header_offset.to_le_bytes());
        }
        let c = &mut self.central;
        c.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
        c.extend_from_slice(&(0x0300u16 | 45).to_le_bytes()); // made by: Unix
        c.extend_from_slice(
            &(if extra64.is_empty() && !zip64_local {
                20u16
            } else {
                45u16
            })
            .to_le_bytes(),
        );
        c.extend_from_slice(&flags.to_le_bytes());
        c.extend_from_slice(&METHOD_DEFLATED.to_le_bytes());
        c.extend_from_slice(&time.to_le_bytes());
        c.extend_from_slice(&date.to_le_bytes());
        c.extend_from_slice(&crc32.to_le_bytes());
        c.extend_from_slice(&(compressed.min(U32_MAX) as u32).to_le_bytes());
        c.extend_from_slice(&(size.min(U32_MAX) as u32).to_le_bytes());
        c.extend_from_slice(&(name.len() as u16).to_le_bytes());
        let extra_len = if extra64.is_empty() {
            0
        } else {
            4 + extra64.len()
        };
        c.extend_from_slice(&(extra_len as u16).to_le_bytes());
        c.extend_from_slice(&0u16.to_le_bytes()); // comment
        c.extend_from_slice(&0u16.to_le_bytes()); // disk
        c.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        c.extend_from_slice(&((0o100644u32) << 16).to_le_bytes()); // regular file, rw-r--r--
        c.extend_from_slice(&(header_offset.min(U32_MAX) as u32).to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        if !extra64.is_empty() {
            c.extend_from_slice(&ZIP64_EXTRA.to_le_bytes());
            c.extend_from_slice(&(extra64.len() as u16).to_le_bytes());
            c.extend_from_slice(&extra64);
        }
        self.entries += 1;
        Ok(())
    }

    /// Write the central directory and the end records; returns the archive's size.
    pub fn finish(mut self) -> std::io::Result<u64> {
        let cd_offset = self.offset;
        let cd_size = self.central.len() as u64;
        self.out.write_all(&self.central)?;
        let mut end = Vec::new();
        let need64 = self.entries >= 0xFFFF || cd_offset >= U32_MAX || cd_size >= U32_MAX;
        if need64 {
            let rec_offset = cd_offset + cd_size;
            end.extend_from_slice(&EOCD64_SIG.to_le_bytes());
            end.extend_from_slice(&44u64.to_le_bytes());
            end.extend_from_slice(&(0x0300u16 | 45).to_le_bytes());
            end.extend_from_slice(&45u16.to_le_bytes());
            end.extend_from_slice(&0u32.to_le_bytes());
            end.extend_from_slice(&0u32.to_le_bytes());
            end.extend_from_slice(&self.entries.to_le_bytes());
            end.extend_from_slice(&self.entries.to_le_bytes());
            end.extend_from_slice(&cd_size.to_le_bytes());
            end.extend_from_slice(&cd_offset.to_le_bytes());
            end.extend_from_slice(&EOCD64_LOCATOR_SIG.to_le_bytes());
            end.extend_from_slice(&0u32.to_le_bytes());
            end.extend_from_slice(&rec_offset.to_le_bytes());
            end.extend_from_slice(&1u32.to_le_bytes());
        }
        end.extend_from_slice(&EOCD_SIG.to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        let n16 = self.entries.min(0xFFFF) as u16;
        end.extend_from_slice(&n16.to_le_bytes());
        end.extend_from_slice(&n16.to_le_bytes());
        end.extend_from_slice(&(cd_size.min(U32_MAX) as u32).to_le_bytes());
        end.extend_from_slice(&(cd_offset.min(U32_MAX) as u32).to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.out.write_all(&end)?;
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        Ok(cd_offset + cd_size + end.len() as u64)
    }
}

struct CountingWriter<'a, W: Write> {
    inner: &'a mut W,
    count: u64,
}

impl<W: Write> Write for CountingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_non_ascii_names() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, b"hello hello hello hello").unwrap();
        let b = dir.path().join("b");
        std::fs::write(&b, vec![7u8; 100_000]).unwrap();
        let e = dir.path().join("e");
        std::fs::write(&e, b"").unwrap();
        let zip = dir.path().join("x.zip");
        let mut w = Writer::create(&zip, 6).unwrap();
        w.add_file("daten/größe.txt", &a).unwrap();
        w.add_file("数据/файл.bin", &b).unwrap();
        w.add_file("empty", &e).unwrap();
        w.finish().unwrap();
        let m = list(&zip).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].name, "daten/größe.txt");
        assert_eq!(m[1].size, 100_000);
        let out = dir.path().join("out");
        let seen = std::sync::Mutex::new(vec![]);
        let n = extract(
            &zip,
            &out,
            |_| true,
            |n, _, sha| {
                seen.lock().unwrap().push((n.to_string(), sha.to_string()));
                Ok(())
            },
            3,
        )
        .unwrap();
        assert_eq!(n, 3);
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        // The sha256 computed while writing is that of the bytes written.
        assert_eq!(
            seen[0],
            (
                "daten/größe.txt".to_string(),
                hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                    b"hello hello hello hello"
                ))
            )
        );
        assert_eq!(
            seen.iter().find(|(n, _)| n == "数据/файл.bin").unwrap().1,
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(vec![7u8; 100_000]))
        );
        // An error from `done` fails the extraction, whichever thread meets it.
        for threads in [1, 3] {
            let err = extract(
                &zip,
                &dir.path().join(format!("bad{threads}")),
                |_| true,
                |n, _, _| {
                    if n == "数据/файл.bin" {
                        Err(bad("sha256 mismatch"))
                    } else {
                        Ok(())
                    }
                },
                threads,
            )
            .unwrap_err();
            assert!(err.to_string().contains("mismatch"), "{err}");
        }
        assert_eq!(
            std::fs::read(out.join("daten/größe.txt")).unwrap(),
            b"hello hello hello hello"
        );
        assert_eq!(
            std::fs::read(out.join("数据/файл.bin")).unwrap(),
            vec![7u8; 100_000]
        );
        assert_eq!(std::fs::read(out.join("empty")).unwrap(), b"");
    }

    #[test]
    fn hostile_names_and_lies_are_refused() {
        for n in ["../x", "/etc/passwd", "a/../../x", "a\\b", "", "a\0b"] {
            assert!(!safe_name(n), "{n:?}");
        }
        assert!(safe_name("a/b/c.txt"));
        assert!(safe_name("./a"));
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, vec![1u8; 5000]).unwrap();
        let zip = dir.path().join("x.zip");
        let mut w = Writer::create(&zip, 6).unwrap();
        w.add_file("../evil", &a).unwrap();
        w.finish().unwrap();
        let err = extract(&zip, &dir.path().join("o"), |_| true, |_, _, _| Ok(()), 2).unwrap_err();
        assert!(err.to_string().contains("unsafe member name"), "{err}");
        assert!(!dir.path().join("evil").exists());

        // A member whose declared size is smaller than what it inflates to.
        let zip2 = dir.path().join("y.zip");
        let mut w = Writer::create(&zip2, 6).unwrap();
        w.add_file("bomb", &a).unwrap();
        w.finish().unwrap();
        let mut bytes = std::fs::read(&zip2).unwrap();
        let cd = bytes
            .windows(4)
            .position(|w| w == CENTRAL_SIG.to_le_bytes())
            .unwrap();
        bytes[cd + 24..cd + 28].copy_from_slice(&10u32.to_le_bytes());
        std::fs::write(&zip2, &bytes).unwrap();
        let err =
            extract(&zip2, &dir.path().join("o2"), |_| true, |_, _, _| Ok(()), 2).unwrap_err();
        assert!(err.to_string().contains("inflates past"), "{err}");

        // Garbage and a truncated archive.
        std::fs::write(&zip2, b"PK\x05\x06 not really").unwrap();
        assert!(list(&zip2).is_err());
        std::fs::write(&zip2, &bytes[..bytes.len() - 10]).unwrap();
        assert!(list(&zip2).is_err());
    }
}
