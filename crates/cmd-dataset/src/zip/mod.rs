//! The ZIP archives dataset chunks are stored in (what Python's `zipfile` writes and reads):
//! stored and deflated members, ZIP64 sizes and offsets, UTF-8 names. Written from the
//! format (PKWARE's APPNOTE), not from any implementation.
//!
//! Reading is defensive: a chunk comes from a server, so member names are checked (no
//! absolute paths, no `..`, no backslashes, no NUL), every member is extracted through
//! [`safe_join`], its length must be the declared one (no decompression bomb past it) and
//! its CRC-32 must match.

mod read;
mod write;

use std::path::{Component, Path, PathBuf};

pub use read::{extract, list};
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
