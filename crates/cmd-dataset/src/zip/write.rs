//! Writing an archive member by member, as Python's `zipfile` reads it: deflated, or
//! stored when a sample of the file does not compress (media, archives, random bytes:
//! deflating them costs most of the time of making a chunk and of inflating it again,
//! and saves nothing).

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use flate2::{Compress, Compression, Crc, FlushCompress};

use super::*;

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

/// How much of a file is deflated to judge whether deflating it is worth it.
const SAMPLE: usize = 16 * 1024;
/// A sample that deflates to more than this share (in percent) of its size is stored.
const STORE_ABOVE_PERCENT: usize = 95;

/// Writes an archive member by member, to a seekable file.
pub struct Writer {
    out: BufWriter<File>,
    offset: u64,
    central: Vec<u8>,
    entries: u64,
    level: u32,
    /// The sample's bytes, its deflated bytes, and the deflater that judges it.
    sample: (Vec<u8>, Vec<u8>, Compress),
}

impl Writer {
    pub fn create(path: &Path, level: u32) -> std::io::Result<Writer> {
        Ok(Writer {
            out: BufWriter::with_capacity(1 << 16, File::create(path)?),
            offset: 0,
            central: Vec::new(),
            entries: 0,
            level,
            sample: (
                vec![0u8; SAMPLE],
                Vec::with_capacity(SAMPLE + 1024),
                Compress::new(Compression::new(level), false),
            ),
        })
    }

    /// The method member `input` is written with: stored when its first [`SAMPLE`] bytes
    /// do not deflate below [`STORE_ABOVE_PERCENT`] of their size (or at level 0), else
    /// deflated. Only a judgement: both read back the same.
    fn method_for(&mut self, input: &File) -> std::io::Result<u16> {
        if self.level == 0 {
            return Ok(METHOD_STORED);
        }
        let (raw, packed, deflater) = &mut self.sample;
        let mut n = 0;
        while n < raw.len() {
            match input.read_at(&mut raw[n..], n as u64)? {
                0 => break,
                got => n += got,
            }
        }
        if n == 0 {
            return Ok(METHOD_DEFLATED);
        }
        packed.clear();
        deflater.reset();
        deflater
            .compress_vec(&raw[..n], packed, FlushCompress::Finish)
            .map_err(std::io::Error::other)?;
        let stored = packed.len() * 100 > n * STORE_ABOVE_PERCENT;
        Ok(if stored {
            METHOD_STORED
        } else {
            METHOD_DEFLATED
        })
    }

    /// Add the file `src` as member `name` (a relative path with `/`).
    pub fn add_file(&mut self, name: &str, src: &Path) -> std::io::Result<()> {
        let mut input = File::open(src)?;
        let declared = input.metadata()?.len();
        let (time, date) = dos_time(src);
        let method = self.method_for(&input)?;
        let header = Header {
            method,
            // A member that may need 64-bit sizes carries a ZIP64 extra in its local header.
            zip64_local: declared >= U32_MAX - (1 << 20),
            flags: if name.is_ascii() { 0 } else { FLAG_UTF8 },
            time,
            date,
            offset: self.offset,
        };
        let (lh, fixup_at, extra_at) = header.local(name);
        self.out.write_all(&lh)?;
        let data_start = header.offset + lh.len() as u64;
        let sizes = if method == METHOD_STORED {
            self.store_from(&mut input)?
        } else {
            self.deflate_from(&mut input)?
        };
        if !header.zip64_local && (sizes.size >= U32_MAX || sizes.compressed >= U32_MAX) {
            return Err(bad(format!(
                "{} grew past 4 GiB while being archived",
                src.display()
            )));
        }
        self.patch_local(&header, fixup_at, extra_at, &sizes)?;
        self.offset = data_start + sizes.compressed;
        self.out.get_mut().seek(SeekFrom::Start(self.offset))?;
        header.central(name, &sizes, &mut self.central);
        self.entries += 1;
        Ok(())
    }

    /// Compress `input` into the archive, counting what goes in and out.
    fn deflate_from(&mut self, input: &mut File) -> std::io::Result<Sizes> {
        let counted = CountingWriter {
            inner: &mut self.out,
            count: 0,
        };
        let mut enc =
            flate2::write::DeflateEncoder::new(counted, flate2::Compression::new(self.level));
        let (crc32, size) = copy_counted(input, &mut enc)?;
        let compressed = enc.finish()?.count;
        Ok(Sizes {
            crc32,
            size,
            compressed,
        })
    }

    /// Copy `input` into the archive as it is, counting it.
    fn store_from(&mut self, input: &mut File) -> std::io::Result<Sizes> {
        let (crc32, size) = copy_counted(input, &mut self.out)?;
        Ok(Sizes {
            crc32,
            size,
            compressed: size,
        })
    }

    /// Patch the local header in place, once the CRC and sizes are known.
    fn patch_local(
        &mut self,
        h: &Header,
        fixup_at: usize,
        extra_at: usize,
        s: &Sizes,
    ) -> std::io::Result<()> {
        self.out.flush()?;
        let file = self.out.get_mut();
        let mut fix = Vec::with_capacity(12);
        fix.extend_from_slice(&s.crc32.to_le_bytes());
        if h.zip64_local {
            fix.extend_from_slice(&(U32_MAX as u32).to_le_bytes());
            fix.extend_from_slice(&(U32_MAX as u32).to_le_bytes());
        } else {
            fix.extend_from_slice(&(s.compressed as u32).to_le_bytes());
            fix.extend_from_slice(&(s.size as u32).to_le_bytes());
        }
        file.seek(SeekFrom::Start(h.offset + fixup_at as u64))?;
        file.write_all(&fix)?;
        if h.zip64_local {
            let mut ex = Vec::with_capacity(16);
            ex.extend_from_slice(&s.size.to_le_bytes());
            ex.extend_from_slice(&s.compressed.to_le_bytes());
            file.seek(SeekFrom::Start(h.offset + extra_at as u64 + 4))?;
            file.write_all(&ex)?;
        }
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

/// Copy all of `input` to `out`: the CRC-32 and length of what was copied.
fn copy_counted(input: &mut File, out: &mut impl Write) -> std::io::Result<(u32, u64)> {
    let mut crc = Crc::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return Ok((crc.sum(), size));
        }
        crc.update(&buf[..n]);
        size += n as u64;
        out.write_all(&buf[..n])?;
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

/// What a member's headers say about it besides its sizes.
struct Header {
    /// Stored or deflated.
    method: u16,
    zip64_local: bool,
    flags: u16,
    time: u16,
    date: u16,
    /// Where its local header starts.
    offset: u64,
}

/// A member's CRC-32 and sizes, known once it is compressed.
struct Sizes {
    crc32: u32,
    size: u64,
    compressed: u64,
}

impl Header {
    /// The local header, with the CRC and sizes zero (patched later): the bytes, where the
    /// CRC and sizes are, where the extra field is.
    fn local(&self, name: &str) -> (Vec<u8>, usize, usize) {
        let mut lh = Vec::with_capacity(30 + name.len() + 20);
        lh.extend_from_slice(&LOCAL_SIG.to_le_bytes());
        lh.extend_from_slice(&(if self.zip64_local { 45u16 } else { 20u16 }).to_le_bytes());
        lh.extend_from_slice(&self.flags.to_le_bytes());
        lh.extend_from_slice(&self.method.to_le_bytes());
        lh.extend_from_slice(&self.time.to_le_bytes());
        lh.extend_from_slice(&self.date.to_le_bytes());
        let fixup_at = lh.len();
        lh.extend_from_slice(&[0u8; 12]); // crc, sizes: patched once known
        lh.extend_from_slice(&(name.len() as u16).to_le_bytes());
        lh.extend_from_slice(&(if self.zip64_local { 20u16 } else { 0u16 }).to_le_bytes());
        lh.extend_from_slice(name.as_bytes());
        let extra_at = lh.len();
        if self.zip64_local {
            lh.extend_from_slice(&ZIP64_EXTRA.to_le_bytes());
            lh.extend_from_slice(&16u16.to_le_bytes());
            lh.extend_from_slice(&[0u8; 16]);
        }
        (lh, fixup_at, extra_at)
    }

    /// Append the member's central directory entry to `c`.
    fn central(&self, name: &str, s: &Sizes, c: &mut Vec<u8>) {
        let mut extra64 = Vec::new();
        if s.size >= U32_MAX {
            extra64.extend_from_slice(&s.size.to_le_bytes());
        }
        if s.compressed >= U32_MAX {
            extra64.extend_from_slice(&s.compressed.to_le_bytes());
        }
        if self.offset >= U32_MAX {
            extra64.extend_from_slice(&self.offset.to_le_bytes());
        }
        c.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
        c.extend_from_slice(&(0x0300u16 | 45).to_le_bytes()); // made by: Unix
        let needed: u16 = if extra64.is_empty() && !self.zip64_local {
            20
        } else {
            45
        };
        c.extend_from_slice(&needed.to_le_bytes());
        c.extend_from_slice(&self.flags.to_le_bytes());
        c.extend_from_slice(&self.method.to_le_bytes());
        c.extend_from_slice(&self.time.to_le_bytes());
        c.extend_from_slice(&self.date.to_le_bytes());
        c.extend_from_slice(&s.crc32.to_le_bytes());
        c.extend_from_slice(&(s.compressed.min(U32_MAX) as u32).to_le_bytes());
        c.extend_from_slice(&(s.size.min(U32_MAX) as u32).to_le_bytes());
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
        c.extend_from_slice(&(self.offset.min(U32_MAX) as u32).to_le_bytes());
        c.extend_from_slice(name.as_bytes());
        if !extra64.is_empty() {
            c.extend_from_slice(&ZIP64_EXTRA.to_le_bytes());
            c.extend_from_slice(&(extra64.len() as u16).to_le_bytes());
            c.extend_from_slice(&extra64);
        }
    }
}
