//! `clearml import` of hostile archives, each built here member by member: an archive
//! that points outside itself, a bomb (members larger than declared, a huge manifest, more
//! than the disk holds) or a member that is not a regular file is refused with one line
//! naming the archive and the member, before anything reaches the target; a well-formed
//! crafted archive imports.

use crate::common::{Serve, clearml};
use crate::serve::{client, ok, token, unique};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

const SOURCE_FILES: &str = "http://source.invalid:8081";

/// One tar member: its type, name and bytes (`zeros` of them when set: the bombs).
struct M {
    name: String,
    kind: tar::EntryType,
    bytes: Vec<u8>,
    zeros: Option<u64>,
    link: Option<String>,
}

fn member(name: &str, bytes: &[u8]) -> M {
    M {
        name: name.into(),
        kind: tar::EntryType::Regular,
        bytes: bytes.to_vec(),
        zeros: None,
        link: None,
    }
}

fn zeros(name: &str, n: u64) -> M {
    M {
        zeros: Some(n),
        ..member(name, b"")
    }
}

fn special(name: &str, kind: tar::EntryType, link: Option<&str>) -> M {
    M {
        kind,
        link: link.map(Into::into),
        ..member(name, b"")
    }
}

/// The manifest an honest exporter writes for these members (zeros listed at their size).
fn manifest_of(members: &[M]) -> Value {
    let mut listed = serde_json::Map::new();
    for m in members {
        let (sha, size) = match m.zeros {
            Some(n) => {
                let mut h = Sha256::new();
                std::io::copy(&mut std::io::repeat(0).take(n), &mut h).unwrap();
                (hex::encode(h.finalize()), n)
            }
            None => (hex::encode(Sha256::digest(&m.bytes)), m.bytes.len() as u64),
        };
        listed.insert(m.name.clone(), json!({"sha256": sha, "size": size}));
    }
    json!({"format": 1, "members": listed})
}

/// Write `members` then `manifest` (its raw bytes) as a `.tar.zst`.
fn write_archive(path: &Path, members: &[M], manifest: &[u8]) {
    write_archive_streamed(path, members, manifest.len() as u64, manifest);
}

/// [`write_archive`] with a manifest of `len` bytes read from `manifest`.
fn write_archive_streamed(path: &Path, members: &[M], len: u64, manifest: impl Read) {
    let file = std::fs::File::create(path).unwrap();
    let mut tar = tar::Builder::new(zstd::Encoder::new(file, 1).unwrap());
    for m in members {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(m.kind);
        h.set_mode(0o600);
        h.set_mtime(0);
        if let Some(link) = &m.link {
            h.set_link_name(link).unwrap();
        }
        match m.zeros {
            Some(n) => {
                h.set_size(n);
                tar.append_data(&mut h, &m.name, std::io::repeat(0).take(n))
                    .unwrap();
            }
            None => {
                h.set_size(m.bytes.len() as u64);
                tar.append_data(&mut h, &m.name, m.bytes.as_slice())
                    .unwrap();
            }
        }
    }
    let mut h = tar::Header::new_gnu();
    h.set_size(len);
    h.set_mode(0o600);
    tar.append_data(&mut h, "manifest.json", manifest).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
}

/// An export's snapshot: one project, one task (its events counted), one artifact URL
/// mapped to `file_member`.
fn snapshot(project: &str, task_id: &str, file_member: &str) -> Vec<u8> {
    let artifact = format!("{SOURCE_FILES}/{project}/задача.{task_id}/artifacts/a/данные.txt");
    serde_json::to_vec(&json!({
        "format": 1,
        "origin": "http://source.invalid:8008",
        "files_host": SOURCE_FILES,
        "exported_at": "2026-12-06T00:00:00Z",
        "projects": [{"id": "p1", "name": project}],
        "tasks": [{
            "id": task_id, "name": "задача", "project": "p1", "type": "training",
            "status": "created", "last_update": "2026-12-06T00:00:00Z",
            "execution": {"artifacts": [
                {"key": "данные", "type": "custom", "mode": "output", "uri": artifact}
            ]}
        }],
        "models": [],
        "queues": [],
        "files": {artifact: file_member},
        "event_totals": {task_id: 1},
    }))
    .unwrap()
}

fn event_line(task: &str) -> Vec<u8> {
    let ev = json!({"type": "log", "task": task, "timestamp": 1, "iter": 0,
                    "worker": "w", "level": "info", "msg": "строка из архива"});
    let mut line = serde_json::to_vec(&ev).unwrap();
    line.push(b'\n');
    line
}

/// A target server, a home with its clearml.conf, and a TMPDIR of the import's own.
struct Target {
    s: Serve,
    tok: String,
    home: tempfile::TempDir,
    conf: PathBuf,
    tmp: tempfile::TempDir,
}

impl Target {
    fn start() -> Target {
        let s = Serve::start();
        let home = tempfile::tempdir().unwrap();
        let conf = s.write_conf(home.path());
        let tok = token(&s);
        Target {
            s,
            tok,
            home,
            conf,
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    /// `clearml import ARCHIVE --to CONF`, its files at most `max_file` bytes and its
    /// data segment at most `max_data` (the kernel stops it past either).
    fn import(&self, archive: &Path, max_file: u64, max_data: u64) -> Output {
        let mut cmd = clearml(self.home.path());
        cmd.args(["import", archive.to_str().unwrap(), "--to"])
            .arg(&self.conf)
            .env("TMPDIR", self.tmp.path())
            .stdin(Stdio::null());
        unsafe {
            cmd.pre_exec(move || {
                for (resource, max) in [
                    (libc::RLIMIT_FSIZE, max_file),
                    (libc::RLIMIT_DATA, max_data),
                ] {
                    let lim = libc::rlimit {
                        rlim_cur: max,
                        rlim_max: max,
                    };
                    if libc::setrlimit(resource, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        cmd.output().unwrap()
    }

    /// The project named `name` on the target, if any.
    fn project(&self, name: &str) -> Option<Value> {
        let found = ok(
            &self.s,
            &self.tok,
            "projects.get_all",
            json!({"name": format!("^{}$", regex::escape(name))}),
        );
        found["projects"].as_array().unwrap().first().cloned()
    }

    /// The import was refused: exit 1, one line on stderr naming the archive and `what`,
    /// nothing of `project` on the target and nothing left in the TMPDIR.
    fn assert_refused(&self, out: &Output, archive: &Path, project: &str, what: &[&str]) {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{archive:?}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "not one line: {err}");
        let name = archive.file_name().unwrap().to_str().unwrap();
        assert!(lines[0].contains(name), "the archive is not named: {err}");
        for w in what {
            assert!(lines[0].contains(w), "{w:?} is not in: {err}");
        }
        assert!(
            self.project(project).is_none(),
            "{archive:?} reached the target"
        );
        let left: Vec<_> = std::fs::read_dir(self.tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    }
}

const NO_LIMIT: u64 = libc::RLIM_INFINITY;

#[test]
fn import_reads_only_members_the_manifest_lists_inside_the_archive() {
    let t = Target::start();
    let work = tempfile::tempdir().unwrap();
    let task = "0123456789abcdef0123456789abcdef";

    // The crafted format is right: a well-formed archive imports, file and events included.
    let project = unique("Импорт-ок");
    let good = work.path().join("хороший.tar.zst");
    let members = [
        member("files/1", "данные für 测试".as_bytes()),
        member(&format!("events/{task}.jsonl"), &event_line(task)),
        member("snapshot.json", &snapshot(&project, task, "files/1")),
    ];
    write_archive(
        &good,
        &members,
        &serde_json::to_vec(&manifest_of(&members)).unwrap(),
    );
    let out = t.import(&good, NO_LIMIT, NO_LIMIT);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pid = t.project(&project).expect("imported")["id"].clone();
    let tasks = ok(&t.s, &t.tok, "tasks.get_all", json!({"project": [pid]}));
    let copied = &tasks["tasks"][0];
    let uri = copied["execution"]["artifacts"][0]["uri"].as_str().unwrap();
    let r = client().get(uri).bearer_auth(&t.tok).send().unwrap();
    assert_eq!(r.text().unwrap(), "данные für 测试");
    let events = ok(
        &t.s,
        &t.tok,
        "events.get_task_log",
        json!({"task": copied["id"]}),
    );
    assert_eq!(events["events"][0]["msg"], "строка из архива", "{events}");

    // A secret next to the archive.
    let secret = work.path().join("secret-ключ.txt");
    std::fs::write(&secret, "SECRET-KEY-не-для-вас").unwrap();

    // The file map points at a local file: absolute, or climbing out of the archive.
    let climbing = format!("files/{}{}", "../".repeat(12), secret.display());
    for (label, target) in [
        ("absolute", secret.to_str().unwrap().to_string()),
        ("climbing", climbing),
        ("unlisted", "files/2".to_string()),
        ("not-a-file", "snapshot.json".to_string()),
    ] {
        let project = unique("Импорт-карта");
        let archive = work.path().join(format!("карта-{label}.tar.zst"));
        let members = [
            member("files/1", b"x"),
            member("snapshot.json", &snapshot(&project, task, &target)),
        ];
        write_archive(
            &archive,
            &members,
            &serde_json::to_vec(&manifest_of(&members)).unwrap(),
        );
        let out = t.import(&archive, NO_LIMIT, NO_LIMIT);
        let shown = target.chars().take(40).collect::<String>();
        t.assert_refused(&out, &archive, &project, &["maps", &shown]);
    }

    // A task id of `../` segments leads to a .jsonl outside the archive.
    std::fs::write(work.path().join("outside.jsonl"), event_line(task)).unwrap();
    let project = unique("Импорт-id");
    let evil = "../../../../../../../../../../..".to_string()
        + &work.path().join("outside").display().to_string();
    let archive = work.path().join("id.tar.zst");
    let mut snap: Value = serde_json::from_slice(&snapshot(&project, &evil, "files/1")).unwrap();
    snap["files"] = json!({});
    snap["tasks"][0]["execution"]["artifacts"] = json!([]);
    let members = [member("snapshot.json", &serde_json::to_vec(&snap).unwrap())];
    write_archive(
        &archive,
        &members,
        &serde_json::to_vec(&manifest_of(&members)).unwrap(),
    );
    let out = t.import(&archive, NO_LIMIT, NO_LIMIT);
    t.assert_refused(&out, &archive, &project, &["task id", "is not an id"]);
}

#[test]
fn import_refuses_bombs_before_writing_them() {
    let t = Target::start();
    let work = tempfile::tempdir().unwrap();
    let task = "0123456789abcdef0123456789abcdef";
    // Far below what the members claim: the kernel stops an import that writes or
    // allocates it.
    let max_file = 16 << 20;
    let max_data = 256 << 20;

    // A member far larger than the manifest declares (64 MiB of zeros, declared 1 byte).
    let project = unique("Бомба-член");
    let archive = work.path().join("член.tar.zst");
    let members = [
        zeros("files/1", 64 << 20),
        member("snapshot.json", &snapshot(&project, task, "files/1")),
    ];
    let mut manifest = manifest_of(&members);
    manifest["members"]["files/1"]["size"] = json!(1);
    write_archive(&archive, &members, &serde_json::to_vec(&manifest).unwrap());
    let out = t.import(&archive, max_file, max_data);
    t.assert_refused(
        &out,
        &archive,
        &project,
        &["'files/1'", "67108864 bytes but the manifest says 1"],
    );

    // A 400 MB manifest.json (spaces inside the JSON): refused from its header, never
    // read into memory.
    let project = unique("Бомба-манифест");
    let archive = work.path().join("манифест.tar.zst");
    let members = [member(
        "snapshot.json",
        &snapshot(&project, task, "files/1"),
    )];
    let listed = serde_json::to_vec(&manifest_of(&members)).unwrap();
    let (head, tail) = listed.split_at(listed.len() - 1);
    let spaces = 400_000_000u64;
    let len = listed.len() as u64 + spaces;
    let manifest = head.chain(std::io::repeat(b' ').take(spaces)).chain(tail);
    write_archive_streamed(&archive, &members, len, manifest);
    let out = t.import(&archive, max_file, max_data);
    t.assert_refused(
        &out,
        &archive,
        &project,
        &[&format!("manifest.json is {len} bytes, more than the")],
    );

    // Members declared (manifest and header) larger than the disk holds: refused before
    // one byte is written, naming where the space is missing.
    let project = unique("Бомба-диск");
    let archive = work.path().join("диск.tar.zst");
    let huge: u64 = 1 << 55;
    {
        // The header claims 2^55 bytes; the data never follows (the check is the header's).
        let file = std::fs::File::create(&archive).unwrap();
        let mut enc = zstd::Encoder::new(file, 1).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_path("files/1").unwrap();
        h.set_size(huge);
        h.set_mode(0o600);
        h.set_cksum();
        std::io::Write::write_all(&mut enc, h.as_bytes()).unwrap();
        enc.finish().unwrap();
    }
    let out = t.import(&archive, max_file, max_data);
    let tmp = t.tmp.path().display().to_string();
    t.assert_refused(&out, &archive, &project, &["free", &tmp]);
}

#[test]
fn import_refuses_links_devices_fifos_and_directories_naming_the_member() {
    let t = Target::start();
    let work = tempfile::tempdir().unwrap();
    let task = "0123456789abcdef0123456789abcdef";
    let cases = [
        (
            "symlink",
            tar::EntryType::Symlink,
            Some("/etc/passwd"),
            "a symbolic link",
        ),
        (
            "hardlink",
            tar::EntryType::Link,
            Some("snapshot.json"),
            "a hard link",
        ),
        ("device", tar::EntryType::Char, None, "a device"),
        ("fifo", tar::EntryType::Fifo, None, "a FIFO"),
        ("directory", tar::EntryType::Directory, None, "a directory"),
    ];
    for (label, kind, link, what) in cases {
        let project = unique("Импорт-тип");
        let archive = work.path().join(format!("тип-{label}.tar.zst"));
        // Listed in the manifest as an empty file, as the old reader took it.
        let members = [
            member("snapshot.json", &snapshot(&project, task, "files/1")),
            special("files/1", kind, link),
        ];
        write_archive(
            &archive,
            &members,
            &serde_json::to_vec(&manifest_of(&members)).unwrap(),
        );
        let out = t.import(&archive, NO_LIMIT, NO_LIMIT);
        t.assert_refused(&out, &archive, &project, &["member 'files/1'", what]);
    }
}
