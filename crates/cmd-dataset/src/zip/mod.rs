//! The ZIP archives dataset chunks are stored in (what Python's `zipfile` writes and reads):
//! stored and deflated members, ZIP64 sizes and offsets, UTF-8 names. Written from the
//! format (PKWARE's APPNOTE), not from any implementation.
//!
//! Reading is defensive: a chunk comes from a server, so member names are checked (no
//! absolute paths, no `..`, no backslashes, no NUL), every member is extracted through
//! [`safe_join`], its length must be the declared one (no decompression bomb past it) and
//! its CRC-32 must match.

mod early;
mod read;
mod write;

use std::path::{Component, Path, PathBuf};

pub use early::Early;
pub use read::{extract, extract_with, list};
pub use write::Writer;

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
/// Members up to this size (packed and unpacked) are read with one call and inflated with
/// one call into a buffer of their exact size, then written with one call: no stream state
/// carried across calls, no window copies, a few syscalls a file. Larger ones stream.
const WHOLE_MEMBER: u64 = 4 << 20;

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

/// A member's name from its header's bytes and flags.
fn member_name(flags: u16, bytes: &[u8]) -> std::io::Result<String> {
    if flags & FLAG_UTF8 != 0 || bytes.is_ascii() {
        String::from_utf8(bytes.to_vec()).map_err(|_| bad("member name is not UTF-8"))
    } else {
        // Python reads unflagged names as cp437; our writer always flags non-ASCII.
        Ok(bytes.iter().map(|&b| cp437(b)).collect())
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

/// Test data: `zip` written by our writer (level 6) from `files` (name, bytes), each
/// staged as `src<i>` beside it.
#[cfg(test)]
pub(crate) fn write_archive(zip: &Path, files: &[(&str, Vec<u8>)]) {
    let dir = zip.parent().expect("an archive in a directory");
    let mut w = Writer::create(zip, 6).unwrap();
    for (i, (name, data)) in files.iter().enumerate() {
        let src = dir.join(format!("src{i}"));
        std::fs::write(&src, data).unwrap();
        w.add_file(name, &src).unwrap();
    }
    w.finish().unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(data: &[u8]) -> String {
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(data))
    }

    /// An archive of four members with non-ASCII names: a small text, a compressible
    /// 100 kB file, an empty one, and one past WHOLE_MEMBER (streamed rather than inflated
    /// in one call); with each member's name and bytes.
    fn four_members(dir: &Path) -> (PathBuf, Vec<(&'static str, Vec<u8>)>) {
        let big: Vec<u8> = (0..WHOLE_MEMBER + 3).map(|i| (i % 251) as u8).collect();
        let files = vec![
            ("daten/größe.txt", b"hello hello hello hello".to_vec()),
            ("数据/файл.bin", vec![7u8; 100_000]),
            ("empty", vec![]),
            ("groß/большой.bin", big),
        ];
        let zip = dir.join("x.zip");
        write_archive(&zip, files.as_slice());
        (zip, files)
    }

    #[test]
    fn round_trip_with_non_ascii_names() {
        let dir = tempfile::tempdir().unwrap();
        let (zip, files) = four_members(dir.path());
        let m = list(&zip).unwrap();
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].name, "daten/größe.txt");
        assert_eq!(m[1].size, 100_000);
        let out = dir.path().join("out");
        let seen = std::sync::Mutex::new(vec![]);
        let n = extract(
            &zip,
            &out,
            |_| true,
            |n, _, sha| {
                seen.lock()
                    .unwrap()
                    .push((n.to_string(), sha.unwrap().to_string()));
                Ok(())
            },
            3,
            true,
        )
        .unwrap();
        assert_eq!(n, 4);
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        for (name, data) in &files {
            assert_eq!(&std::fs::read(out.join(name)).unwrap(), data, "{name}");
            // The sha256 computed while writing is that of the bytes written.
            let got = seen.iter().find(|(n, _)| n == name).unwrap();
            assert_eq!(got.1, sha(data), "{name}");
        }

        // Without hashing, `done` gets no sha256 and the files are the same.
        let out2 = dir.path().join("out2");
        let n = extract(
            &zip,
            &out2,
            |_| true,
            |_, _, sha| {
                assert!(sha.is_none());
                Ok(())
            },
            2,
            false,
        )
        .unwrap();
        assert_eq!(n, 4);
        for (name, data) in &files {
            assert_eq!(&std::fs::read(out2.join(name)).unwrap(), data, "{name}");
        }
    }

    #[test]
    fn members_that_do_not_compress_are_stored_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        // xorshift64: bytes deflate cannot shrink (as in media or archives).
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..300_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let files = [
            ("bilder/фото.jpg", noise),
            (
                "tabelle/größe.csv",
                b"zeile;wert;\xe5\x80\xbc\n".repeat(20_000),
            ),
            ("leer", vec![]),
        ];
        let zip = dir.path().join("c.zip");
        let mut w = Writer::create(&zip, 1).unwrap();
        for (i, (name, data)) in files.iter().enumerate() {
            let src = dir.path().join(format!("s{i}"));
            std::fs::write(&src, data).unwrap();
            w.add_file(name, &src).unwrap();
        }
        w.finish().unwrap();
        let m = list(&zip).unwrap();
        assert_eq!(m[0].method, METHOD_STORED);
        assert_eq!(m[0].compressed_size, m[0].size);
        assert_eq!(m[1].method, METHOD_DEFLATED);
        assert!(m[1].compressed_size * 20 < m[1].size, "{:?}", m[1]);
        let out = dir.path().join("o");
        let n = extract(&zip, &out, |_| true, |_, _, _| Ok(()), 2, true).unwrap();
        assert_eq!(n, 3);
        for (name, data) in &files {
            assert_eq!(&std::fs::read(out.join(name)).unwrap(), data, "{name}");
        }
    }

    #[test]
    fn an_error_from_done_fails_the_extraction_whichever_thread_meets_it() {
        let dir = tempfile::tempdir().unwrap();
        let (zip, _) = four_members(dir.path());
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
                true,
            )
            .unwrap_err();
            assert!(err.to_string().contains("mismatch"), "{err}");
        }
    }

    #[test]
    fn a_flipped_bit_fails_the_crc_on_both_paths() {
        let dir = tempfile::tempdir().unwrap();
        for (i, len) in [(0, 50_000u64), (1, WHOLE_MEMBER + 1)] {
            // Stored deflate blocks (level 0): the flipped byte stays one byte, the inflate
            // succeeds and only the CRC-32 can tell.
            let data: Vec<u8> = (0..len)
                .map(|j| (j.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect();
            let src = dir.path().join(format!("s{i}"));
            std::fs::write(&src, &data).unwrap();
            let zip = dir.path().join(format!("c{i}.zip"));
            let mut w = Writer::create(&zip, 0).unwrap();
            w.add_file("файл", &src).unwrap();
            w.finish().unwrap();
            let mut bytes = std::fs::read(&zip).unwrap();
            bytes[200] ^= 0x01;
            std::fs::write(&zip, &bytes).unwrap();
            let out = dir.path().join(format!("o{i}"));
            let err = extract(&zip, &out, |_| true, |_, _, _| Ok(()), 1, false).unwrap_err();
            assert!(err.to_string().contains("CRC-32"), "{err}");
            assert!(!out.join("файл").exists());
        }
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
        let err = extract(
            &zip,
            &dir.path().join("o"),
            |_| true,
            |_, _, _| Ok(()),
            2,
            false,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unsafe member name"), "{err}");
        assert!(!dir.path().join("evil").exists());

        // A member whose declared size is smaller than what it inflates to, small (inflated
        // in one call) and large (streamed).
        let zip2 = dir.path().join("y.zip");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![2u8; (WHOLE_MEMBER + 5) as usize]).unwrap();
        let mut bytes = vec![];
        for src in [&a, &big] {
            let mut w = Writer::create(&zip2, 6).unwrap();
            w.add_file("bomb", src).unwrap();
            w.finish().unwrap();
            bytes = std::fs::read(&zip2).unwrap();
            let cd = bytes
                .windows(4)
                .position(|w| w == CENTRAL_SIG.to_le_bytes())
                .unwrap();
            bytes[cd + 24..cd + 28].copy_from_slice(&10u32.to_le_bytes());
            std::fs::write(&zip2, &bytes).unwrap();
            let err = extract(
                &zip2,
                &dir.path().join("o2"),
                |_| true,
                |_, _, _| Ok(()),
                2,
                false,
            )
            .unwrap_err();
            assert!(err.to_string().contains("inflates past"), "{err}");
            assert!(!dir.path().join("o2/bomb").exists());
        }

        // Garbage and a truncated archive.
        std::fs::write(&zip2, b"PK\x05\x06 not really").unwrap();
        assert!(list(&zip2).is_err());
        std::fs::write(&zip2, &bytes[..bytes.len() - 10]).unwrap();
        assert!(list(&zip2).is_err());
    }
}
