//! Extracting a chunk while it downloads. A chunk's members follow one another, each after
//! a local header that gives its name, sizes and CRC-32 (what Python's `zipfile` and our
//! writer put there), so a member can be inflated as soon as its bytes are on disk, long
//! before the central directory at the end arrives. Such early files are only candidates:
//! each is checked against its local header's size and CRC-32 and kept under a temporary
//! name, and [`super::extract_with`] renames it into place only after the whole archive
//! passed its sha256 and only when the central directory names the very same member (same
//! offset, name, method, sizes and CRC-32) of the very same file. Anything unusual (a data
//! descriptor, a name seen twice, an unsafe name, a restarted download) ends the early
//! pass; the members it did not do are extracted the ordinary way.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use super::read::{Scratch, apply_zip64, write_member};
use super::*;

/// How often a follower looks again for more of the download.
const POLL: Duration = Duration::from_millis(3);
/// Local header flags that end the early pass: encrypted, sizes in a data descriptor.
const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DESCRIPTOR: u16 = 1 << 3;

/// The members extracted while an archive downloaded, by local header offset: the member
/// as its local header describes it, and its temporary file.
#[derive(Debug, Default)]
pub struct Early {
    /// (device, inode) of the file followed: a restarted download is another file.
    file: Option<(u64, u64)>,
    done: Mutex<HashMap<u64, (Member, PathBuf)>>,
}

impl Early {
    /// Follow the download being written to `part`, extracting with `threads` threads the
    /// members for which `want(name)` holds into temporary files under `dir`, until
    /// `finished` is set and everything written is read (or the early pass ends).
    pub fn follow(
        part: &Path,
        dir: &Path,
        want: impl Fn(&str) -> bool,
        finished: &AtomicBool,
        threads: usize,
    ) -> Early {
        let f = loop {
            let fin = finished.load(Ordering::Acquire);
            match File::open(part) {
                Ok(f) => break f,
                Err(_) if fin => return Early::default(),
                Err(_) => std::thread::sleep(POLL),
            }
        };
        let Ok(meta) = f.metadata() else {
            return Early::default();
        };
        let early = Early {
            file: Some((meta.dev(), meta.ino())),
            done: Mutex::new(HashMap::new()),
        };
        let stop = AtomicBool::new(false);
        let (tx, rx) = mpsc::sync_channel::<(Member, u64, PathBuf)>(64);
        let rx = Mutex::new(rx);
        std::thread::scope(|scope| {
            for _ in 0..threads.max(1) {
                scope.spawn(|| {
                    let mut scratch = Scratch::new(false);
                    // The receiver's lock is held only while taking a job.
                    let next = || rx.lock().ok()?.recv().ok();
                    while let Some((m, start, tmp)) = next() {
                        if stop.load(Ordering::Relaxed) {
                            continue;
                        }
                        match write_member(&f, start, &m, &tmp, &mut scratch) {
                            Ok(_) => {
                                if let Ok(mut d) = early.done.lock() {
                                    d.insert(m.local_header_offset, (m, tmp));
                                }
                            }
                            Err(_) => stop.store(true, Ordering::Relaxed),
                        }
                    }
                });
            }
            walk(&f, dir, &want, finished, &stop, &tx);
            drop(tx);
        });
        early
    }

    /// Whether `f` is the file that was followed.
    pub(super) fn is_of(&self, f: &File) -> bool {
        f.metadata()
            .is_ok_and(|m| self.file == Some((m.dev(), m.ino())))
    }

    /// The temporary file of member `m` (from the central directory) when it was
    /// extracted early from the same member.
    pub(super) fn take(&self, m: &Member) -> Option<PathBuf> {
        let mut done = self.done.lock().ok()?;
        let (seen, _) = done.get(&m.local_header_offset)?;
        let same = seen.name == m.name
            && seen.method == m.method
            && seen.crc32 == m.crc32
            && seen.size == m.size
            && seen.compressed_size == m.compressed_size;
        if !same {
            return None;
        }
        done.remove(&m.local_header_offset).map(|(_, tmp)| tmp)
    }

    /// Remove the temporary files that were not taken.
    pub fn discard(&self) {
        if let Ok(mut done) = self.done.lock() {
            for (_, (_, tmp)) in done.drain() {
                let _ = std::fs::remove_file(tmp);
            }
        }
    }

    /// How many members were extracted early and not yet taken.
    pub fn len(&self) -> usize {
        self.done.lock().map_or(0, |d| d.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Wait until `f` holds `n` bytes: false when the download finished (or the pass stopped)
/// short of them.
fn wait_for(f: &File, n: u64, finished: &AtomicBool, stop: &AtomicBool) -> bool {
    loop {
        let fin = finished.load(Ordering::Acquire);
        let Ok(len) = f.metadata().map(|m| m.len()) else {
            return false;
        };
        if len >= n {
            return true;
        }
        if fin || stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(POLL);
    }
}

/// Read the local headers in order, sending each wanted member whose bytes are on disk to
/// the extracting threads; stop at the central directory or anything unusual.
fn walk(
    f: &File,
    dir: &Path,
    want: &impl Fn(&str) -> bool,
    finished: &AtomicBool,
    stop: &AtomicBool,
    tx: &mpsc::SyncSender<(Member, u64, PathBuf)>,
) {
    let mut at = 0u64;
    let mut seen: HashSet<String> = HashSet::new();
    let mut made: HashSet<PathBuf> = HashSet::new();
    let mut head = [0u8; 30];
    while !stop.load(Ordering::Relaxed) && wait_for(f, at + 30, finished, stop) {
        if f.read_exact_at(&mut head, at).is_err() || u32_at(&head, 0).ok() != Some(LOCAL_SIG) {
            return;
        }
        let Some((m, start)) = local_member(f, at, &head, finished, stop) else {
            return;
        };
        let Some(end) = start.checked_add(m.compressed_size) else {
            return;
        };
        if !m.is_dir && want(&m.name) {
            let Some(target) = safe_join(dir, &m.name) else {
                return;
            };
            if !matches!(m.method, METHOD_STORED | METHOD_DEFLATED) || !seen.insert(m.name.clone())
            {
                return;
            }
            if let Some(p) = target.parent()
                && !made.contains(p)
            {
                if std::fs::create_dir_all(p).is_err() {
                    return;
                }
                made.insert(p.to_path_buf());
            }
            if !wait_for(f, end, finished, stop) {
                return;
            }
            let tmp = crate::files::partial_path(&target);
            if tx.send((m, start, tmp)).is_err() {
                return;
            }
        }
        at = end;
    }
}

/// The member whose local header (its fixed 30 bytes in `head`) is at `at`, and where its
/// bytes start; `None` for what the early pass does not handle.
fn local_member(
    f: &File,
    at: u64,
    head: &[u8; 30],
    finished: &AtomicBool,
    stop: &AtomicBool,
) -> Option<(Member, u64)> {
    let flags = u16_at(head, 6).ok()?;
    if flags & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR) != 0 {
        return None;
    }
    let name_len = u16_at(head, 26).ok()? as u64;
    let extra_len = u16_at(head, 28).ok()? as u64;
    let start = at + 30 + name_len + extra_len;
    if !wait_for(f, start, finished, stop) {
        return None;
    }
    let mut var = vec![0u8; (name_len + extra_len) as usize];
    f.read_exact_at(&mut var, at + 30).ok()?;
    let (name_bytes, extra) = var.split_at(name_len as usize);
    let name = member_name(flags, name_bytes).ok()?;
    let mut m = Member {
        is_dir: name.ends_with('/'),
        name,
        method: u16_at(head, 8).ok()?,
        crc32: u32_at(head, 14).ok()?,
        compressed_size: u32_at(head, 18).ok()? as u64,
        size: u32_at(head, 22).ok()? as u64,
        local_header_offset: 0,
    };
    // A local ZIP64 field holds both sizes (no offset).
    apply_zip64(extra, &mut m).ok()?;
    m.local_header_offset = at;
    Some((m, start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::Arc;

    /// An archive of `files` (name, bytes) written by our writer: its bytes.
    fn archive(dir: &Path, files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let zip = dir.join("src.zip");
        super::super::write_archive(&zip, files);
        std::fs::read(&zip).unwrap()
    }

    /// `bytes` written to `part` in small pieces by another thread (a download), while
    /// `Early::follow` extracts; then `finished`. Returns what was extracted early.
    fn follow_a_download(bytes: &[u8], part: &Path, out: &Path) -> Early {
        let finished = Arc::new(AtomicBool::new(false));
        let writer = {
            let (bytes, part, finished) = (bytes.to_vec(), part.to_path_buf(), finished.clone());
            std::thread::spawn(move || {
                let mut f = File::create(&part).unwrap();
                for piece in bytes.chunks(7_919) {
                    f.write_all(piece).unwrap();
                    std::thread::sleep(Duration::from_micros(200));
                }
                finished.store(true, Ordering::Release);
            })
        };
        let early = Early::follow(part, out, |_| true, &finished, 2);
        writer.join().unwrap();
        early
    }

    fn files() -> Vec<(&'static str, Vec<u8>)> {
        let big: Vec<u8> = (0..WHOLE_MEMBER + 10).map(|i| (i % 253) as u8).collect();
        vec![
            ("daten/größe.txt", b"gro\xc3\x9fe ".repeat(5_000)),
            (
                "数据/файл.bin",
                (0..70_000u32).map(|i| (i * 7 % 256) as u8).collect(),
            ),
            ("empty", vec![]),
            ("groß/большой.bin", big),
        ]
    }

    fn parts_under(dir: &Path) -> Vec<PathBuf> {
        let mut found = vec![];
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.to_string_lossy().ends_with(".part") {
                    found.push(p);
                }
            }
        }
        found
    }

    /// A scratch folder, the archive of [`files`], where it downloads to and is extracted.
    struct Case {
        dir: tempfile::TempDir,
        files: Vec<(&'static str, Vec<u8>)>,
        bytes: Vec<u8>,
        part: PathBuf,
        zip: PathBuf,
        out: PathBuf,
    }

    impl Case {
        fn new() -> Case {
            let dir = tempfile::tempdir().unwrap();
            let files = files();
            let bytes = archive(dir.path(), &files);
            let at = |n: &str| dir.path().join(n);
            let (part, zip, out) = (at("c.zip.part"), at("c.zip"), at("out"));
            Case {
                dir,
                files,
                bytes,
                part,
                zip,
                out,
            }
        }
    }

    #[test]
    fn members_extracted_while_downloading_are_taken_once_the_archive_is_whole() {
        // The folder stays until the end of the test.
        let Case {
            dir: _dir,
            files,
            bytes,
            part,
            zip,
            out,
        } = Case::new();
        let early = follow_a_download(&bytes, &part, &out);
        // Every member was extracted before the download ended, none under its name yet.
        assert_eq!(early.len(), files.len());
        assert!(!out.join("daten/größe.txt").exists());
        std::fs::rename(&part, &zip).unwrap();
        let n = extract_with(
            &zip,
            &out,
            |_| true,
            |_, _, _| Ok(()),
            (2, false),
            Some(&early),
        )
        .unwrap();
        assert_eq!(n, files.len());
        assert!(early.is_empty(), "every early file was taken");
        for (name, data) in &files {
            assert_eq!(&std::fs::read(out.join(name)).unwrap(), data, "{name}");
        }
        assert_eq!(parts_under(&out), Vec::<PathBuf>::new());
    }

    #[test]
    fn early_files_of_another_file_or_a_disagreeing_directory_are_not_used() {
        let Case {
            dir,
            files,
            bytes,
            part,
            zip,
            out,
        } = Case::new();
        // A restarted download: the final archive is another file (here with the same
        // bytes); nothing early is taken, every file is extracted from it, no leftovers.
        let early = follow_a_download(&bytes, &part, &out);
        assert_eq!(early.len(), files.len());
        std::fs::remove_file(&part).unwrap();
        std::fs::write(&zip, &bytes).unwrap();
        let n = extract_with(
            &zip,
            &out,
            |_| true,
            |_, _, _| Ok(()),
            (1, false),
            Some(&early),
        )
        .unwrap();
        assert_eq!(n, files.len());
        assert!(early.is_empty());
        assert_eq!(
            std::fs::read(out.join("数据/файл.bin")).unwrap(),
            files[1].1
        );
        assert_eq!(parts_under(&out), Vec::<PathBuf>::new());

        // The central directory gives a member another CRC-32 than its local header: the
        // early file is not taken, the ordinary extraction fails, nothing is left behind.
        let out2 = dir.path().join("out2");
        let mut tampered = bytes.clone();
        let cd = tampered
            .windows(4)
            .position(|w| w == CENTRAL_SIG.to_le_bytes())
            .unwrap();
        tampered[cd + 16] ^= 0xFF;
        let early = follow_a_download(&tampered, &part, &out2);
        assert_eq!(early.len(), files.len());
        std::fs::rename(&part, &zip).unwrap();
        let err = extract_with(
            &zip,
            &out2,
            |_| true,
            |_, _, _| Ok(()),
            (1, false),
            Some(&early),
        )
        .unwrap_err();
        assert!(err.to_string().contains("CRC-32"), "{err}");
        assert!(!out2.join(files[0].0).exists());
        assert_eq!(parts_under(&out2), Vec::<PathBuf>::new());

        // With hashing asked (a chunk without a sha256), early files are never used.
        let out3 = dir.path().join("out3");
        let early = follow_a_download(&bytes, &part, &out3);
        std::fs::rename(&part, &zip).unwrap();
        let n = extract_with(
            &zip,
            &out3,
            |_| true,
            |_, _, sha| {
                assert!(sha.is_some());
                Ok(())
            },
            (2, true),
            Some(&early),
        )
        .unwrap();
        assert_eq!(n, files.len());
        assert_eq!(parts_under(&out3), Vec::<PathBuf>::new());
    }

    #[test]
    fn a_download_that_never_starts_or_is_cut_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let files = files();
        let bytes = archive(dir.path(), &files);
        let out = dir.path().join("out");
        // Finished before any byte arrived.
        let early = Early::follow(
            &dir.path().join("none.part"),
            &out,
            |_| true,
            &AtomicBool::new(true),
            2,
        );
        assert!(early.is_empty());
        // Cut half-way: what was extracted early is discarded by the caller.
        let part = dir.path().join("c.zip.part");
        let early = follow_a_download(&bytes[..bytes.len() / 2], &part, &out);
        assert!(early.len() < files.len(), "{}", early.len());
        early.discard();
        assert_eq!(parts_under(&out), Vec::<PathBuf>::new());
    }
}
