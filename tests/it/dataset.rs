//! `clearml dataset …` against `clearml server serve` and the real Python SDK, both ways:
//! what the SDK makes we read byte-equal, what we make the SDK's `get_local_copy` reads
//! byte-equal (child versions with removed and modified files, non-ASCII names), resumed
//! `get` and killed `upload`, `delete` leaving nothing on the file server, hostile states.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{self, Serve};
use clearml_cmd_dataset::json::{
    DatasetChange, DatasetCreated, DatasetDeleted, DatasetDiff, DatasetGet, DatasetRow,
    DatasetShow, DatasetVerify,
};

fn run(home: &Path, args: &[&str]) -> Output {
    common::clearml(home)
        .args(args)
        .env("CLEARML_CACHE_DIR", home.join(".clearml-cache"))
        .output()
        .expect("run clearml")
}

pub(crate) fn ok(home: &Path, args: &[&str]) -> String {
    let out = run(home, args);
    assert!(
        out.status.success(),
        "clearml {args:?}: {}",
        common::shown(&out)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub(crate) fn ok_as<T: serde::de::DeserializeOwned>(home: &Path, args: &[&str]) -> T {
    let text = ok(home, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not the documented shape ({e}): {text}"))
}

pub(crate) fn unique(prefix: &str) -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{:x}", t % 0x00FF_FFFF_FFFF)
}

/// Pseudo-random bytes (incompressible enough to make real chunks).
pub(crate) fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub(crate) fn write(root: &Path, rel: &str, data: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

/// Every file under `root` (links followed) as relative path -> bytes.
pub(crate) fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

pub(crate) fn same_tree(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) {
    let ka: Vec<&String> = a.keys().collect();
    let kb: Vec<&String> = b.keys().collect();
    assert_eq!(ka, kb, "different file lists");
    for (k, v) in a {
        assert!(v == &b[k], "{k} differs");
    }
}

/// A new dataset `name` in `project` with the folder `dir` added (not uploaded); its id.
pub(crate) fn added_dataset(home: &Path, project: &str, name: &str, dir: &Path) -> String {
    let id = ok(
        home,
        &["dataset", "create", "--project", project, "--name", name],
    )
    .trim()
    .to_string();
    ok(
        home,
        &["dataset", "add", "--id", &id, dir.to_str().unwrap()],
    );
    id
}

/// A new dataset `name` in `project` holding the folder `dir`, closed; its id.
pub(crate) fn closed_dataset(home: &Path, project: &str, name: &str, dir: &Path) -> String {
    let id = added_dataset(home, project, name, dir);
    ok(home, &["dataset", "close", "--id", &id]);
    id
}

/// The first version's files and the second version's changes (non-ASCII names,
/// a removed and a modified file, a file in a new folder).
fn sources(dir: &Path) -> (PathBuf, PathBuf) {
    let v1 = dir.join("v1");
    write(&v1, "a.txt", b"alpha\n");
    write(&v1, "b.txt", b"to be removed\n");
    write(&v1, "mod.txt", b"old content\n");
    write(&v1, "数据/файл.txt", "данные 数据\n".as_bytes());
    write(&v1, "Größe/ä ö.bin", &noise(200_000, 1));
    let v2 = dir.join("v2");
    write(&v2, "mod.txt", b"new content, longer than before\n");
    write(&v2, "neu/новый.txt", b"new file\n");
    (v1, v2)
}

/// What the second version holds: v1 without b.txt, with v2 over it.
fn expected_child(v1: &Path, v2: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut t = tree(v1);
    t.remove("b.txt");
    t.extend(tree(v2));
    t
}

fn sdk(serve: &Serve, home: &Path, cache: &Path, script: &str) -> Value {
    let conf = home.join("clearml.conf");
    if !conf.exists() {
        serve.write_conf(home);
    }
    let out = common::run_sdk(
        script,
        &conf,
        &[("CLEARML_CACHE_DIR", cache.to_str().unwrap())],
    );
    let last = out
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON from the SDK: {out}"));
    serde_json::from_str(last).unwrap()
}

/// Where `get` keeps a chunk while downloading it (the SDK's `datasets` cache naming).
fn chunk_part(cache: &Path, url: &str) -> PathBuf {
    use md5::Digest;
    let hash = hex::encode(md5::Md5::digest(url.as_bytes()));
    let last = url.rsplit('/').next().unwrap();
    cache
        .join("storage_manager/datasets")
        .join(format!("{hash}.{last}.part"))
}

/// The file behind a files-server URL, in the server's data dir.
fn served_file(serve: &Serve, url: &str) -> PathBuf {
    let rest = url
        .strip_prefix(&serve.files_url)
        .unwrap()
        .trim_start_matches('/');
    let rest = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .unwrap();
    serve.data_dir.join("files").join(rest.as_ref())
}

pub(crate) fn files_under(dir: &Path) -> usize {
    if !dir.exists() {
        return 0;
    }
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn sdk_made_dataset_is_read_byte_equal_and_get_resumes() {
    let (home, serve) = common::shared_home();
    let home = home.path();
    let (v1, v2) = sources(home);
    let project = unique("it-ds-sdk Проект");
    let name = "набор данных";
    let sdk_cache = home.join("sdk-cache");
    let made = sdk(
        serve,
        home,
        &sdk_cache,
        &format!(
            r#"
import json
from clearml import Dataset
p = Dataset.create(dataset_project={project:?}, dataset_name={name:?})
p.add_files({v1:?})
p.upload()
p.finalize()
c = Dataset.create(dataset_project={project:?}, dataset_name={name:?}, parent_datasets=[p.id])
c.remove_files("b.txt")
c.add_files({v2:?})
c.upload()
c.finalize()
print(json.dumps({{"parent": p.id, "child": c.id, "copy": Dataset.get(dataset_id=c.id).get_local_copy()}}))
"#,
            v1 = v1.to_str().unwrap(),
            v2 = v2.to_str().unwrap(),
        ),
    );
    let parent = made["parent"].as_str().unwrap();
    let child = made["child"].as_str().unwrap();
    let sdk_copy = tree(Path::new(made["copy"].as_str().unwrap()));
    same_tree(&sdk_copy, &expected_child(&v1, &v2));

    // list: the latest version by default, both with --all-versions.
    let rows: Vec<DatasetRow> = ok_as(home, &["dataset", "list", "--project", &project, "--json"]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].id, child);
    assert_eq!(rows[0].version.as_deref(), Some("1.0.1"));
    assert_eq!(rows[0].project, project);
    assert_eq!(rows[0].file_count, Some(5));
    let all: Vec<DatasetRow> = ok_as(
        home,
        &[
            "dataset",
            "list",
            "--project",
            &project,
            "--all-versions",
            "--json",
        ],
    );
    assert_eq!(all.len(), 2);

    // show: parents and the changes against them.
    let shown: DatasetShow = ok_as(
        home,
        &[
            "dataset",
            "show",
            name,
            "--project",
            &project,
            "--files",
            "--json",
        ],
    );
    assert_eq!(shown.row.id, child);
    assert_eq!(shown.parents, vec![parent.to_string()]);
    assert_eq!(
        (
            shown.changes.added,
            shown.changes.modified,
            shown.changes.removed
        ),
        (1, 1, 1)
    );
    assert_eq!(shown.files.as_ref().unwrap().len(), 5);
    let diff: DatasetDiff = ok_as(home, &["dataset", "diff", parent, child, "--json"]);
    assert_eq!(diff.added, vec!["neu/новый.txt"]);
    assert_eq!(diff.removed, vec!["b.txt"]);
    assert_eq!(diff.changed, vec!["mod.txt"]);

    // get: byte-equal to the SDK's copy.
    let out = home.join("ours");
    let got: DatasetGet = ok_as(
        home,
        &[
            "dataset",
            "get",
            name,
            "--project",
            &project,
            "-o",
            out.to_str().unwrap(),
            "--parallel",
            "3",
            "--json",
        ],
    );
    assert_eq!(
        (got.files, got.chunks_downloaded, got.chunks_skipped),
        (5, 2, 0)
    );
    same_tree(&tree(&out), &sdk_copy);
    // An older version by --version.
    let old = home.join("old");
    ok(
        home,
        &[
            "dataset",
            "get",
            name,
            "--project",
            &project,
            "--version",
            "1.0.0",
            "-o",
            old.to_str().unwrap(),
        ],
    );
    same_tree(&tree(&old), &tree(&v1));

    // verify: fine, then a changed file is named and fails the command.
    let v: DatasetVerify = ok_as(
        home,
        &["dataset", "verify", child, out.to_str().unwrap(), "--json"],
    );
    assert!(v.ok && v.files == 5);
    std::fs::write(out.join("a.txt"), b"alphA\n").unwrap();
    let bad = run(
        home,
        &["dataset", "verify", child, out.to_str().unwrap(), "--json"],
    );
    assert_eq!(bad.status.code(), Some(1), "{}", common::shown(&bad));
    let v: DatasetVerify = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(v.mismatched, vec!["a.txt"]);

    // An interrupted get: a file of the parent's chunk gone (so that chunk is needed again)
    // and half of that chunk already downloaded; the child's chunk is complete in DIR.
    std::fs::remove_file(out.join("a.txt")).unwrap();
    let pshow: DatasetShow = ok_as(home, &["dataset", "show", parent, "--json"]);
    let url = pshow.chunks[0].url.as_str().unwrap().to_string();
    let whole = std::fs::read(served_file(serve, &url)).unwrap();
    let part = chunk_part(&home.join(".clearml-cache"), &url);
    std::fs::create_dir_all(part.parent().unwrap()).unwrap();
    std::fs::write(&part, &whole[..whole.len() / 2]).unwrap();
    let again: DatasetGet = ok_as(
        home,
        &[
            "dataset",
            "get",
            child,
            "-o",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(
        (again.chunks_downloaded, again.chunks_skipped),
        (1, 1),
        "{again:?}"
    );
    assert_eq!(again.resumed_bytes, (whole.len() / 2) as u64);
    same_tree(&tree(&out), &sdk_copy);
}

/// Our chunks of `id` store what does not compress (noise) and deflate what does (a
/// table); Python's `zipfile` reads (and CRC-checks) every member of both kinds.
fn stored_and_deflated_members_are_read_by_python(serve: &Serve, home: &Path, id: &str) {
    let shown: DatasetShow = ok_as(home, &["dataset", "show", id, "--json"]);
    let chunks: Vec<String> = shown
        .chunks
        .iter()
        .map(|c| {
            served_file(serve, c.url.as_str().unwrap())
                .display()
                .to_string()
        })
        .collect();
    let methods = sdk(
        serve,
        home,
        &home.join("sdk-cache-zip"),
        &format!(
            r#"
import json, zipfile
m = {{}}
for z in {chunks:?}:
    with zipfile.ZipFile(z) as f:
        for i in f.infolist():
            f.read(i)
            m[i.filename] = i.compress_type
print(json.dumps(m))
"#
        ),
    );
    for noise in ["Größe/ä ö.bin", "big/части-0.bin", "big/части-2.bin"] {
        assert_eq!(methods[noise], 0, "{noise} is stored: {methods}");
    }
    assert_eq!(methods["tabelle/größe.csv"], 8, "deflated: {methods}");
}

#[test]
fn our_dataset_is_read_byte_equal_by_the_sdk_and_link_mode_is_a_cache_hit() {
    let (home, serve) = common::shared_home();
    let home = home.path();
    let (v1, v2) = sources(home);
    // Enough data for several 1 MiB chunks.
    for i in 0..3 {
        write(&v1, &format!("big/части-{i}.bin"), &noise(700_000, 10 + i));
    }
    write(
        &v1,
        "tabelle/größe.csv",
        "zeile;wert;значение\n".repeat(5_000).as_bytes(),
    );
    let project = unique("it-ds-ours Projekt");
    let name = "Bilder 图像";
    let created: DatasetCreated = ok_as(
        home,
        &[
            "dataset",
            "create",
            "--project",
            &project,
            "--name",
            name,
            "--json",
        ],
    );
    assert_eq!(created.version, "1.0.0");
    let parent = created.id.clone();
    // Without --id: the dataset created last here (and the command says so).
    let added = run(home, &["dataset", "add", v1.to_str().unwrap()]);
    assert!(added.status.success(), "{}", common::shown(&added));
    assert!(String::from_utf8_lossy(&added.stderr).contains(&parent));
    let up: DatasetChange = ok_as(home, &["dataset", "upload", "--chunk-size", "1", "--json"]);
    assert!(up.chunks_uploaded >= 3, "{up:?}");
    assert_eq!(up.pending, 0);
    ok(home, &["dataset", "close", "--id", &parent]);
    stored_and_deflated_members_are_read_by_python(serve, home, &parent);

    let child: DatasetCreated = ok_as(
        home,
        &[
            "dataset",
            "create",
            "--name",
            name,
            "--parents",
            &parent,
            "--json",
        ],
    );
    assert_eq!(child.version, "1.0.1");
    assert_eq!(child.project, project);
    let child = child.id;
    let rm: DatasetChange = ok_as(
        home,
        &["dataset", "remove", "--id", &child, "b.txt", "--json"],
    );
    assert_eq!(rm.removed, 1);
    let add: DatasetChange = ok_as(
        home,
        &[
            "dataset",
            "add",
            "--id",
            &child,
            v2.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!((add.added, add.modified), (1, 1));
    ok(home, &["dataset", "close", "--id", &child]);
    ok(home, &["dataset", "publish", "--id", &child]);
    let shown: DatasetShow = ok_as(home, &["dataset", "show", &child, "--json"]);
    assert_eq!(shown.row.status, "published");
    assert_eq!(
        (
            shown.changes.added,
            shown.changes.modified,
            shown.changes.removed
        ),
        (1, 1, 1)
    );

    // The SDK reads both versions byte-equal.
    let got = sdk(
        serve,
        home,
        &home.join("sdk-cache-a"),
        &format!(
            r#"
import json
from clearml import Dataset
c = Dataset.get(dataset_project={project:?}, dataset_name={name:?})
print(json.dumps({{"child_id": c.id, "parent": Dataset.get(dataset_id={parent:?}).get_local_copy(), "child": c.get_local_copy(),
  "removed": c.list_removed_files(), "modified": c.list_modified_files(), "added": c.list_added_files()}}))
"#
        ),
    );
    assert_eq!(got["child_id"], child.as_str());
    same_tree(
        &tree(Path::new(got["parent"].as_str().unwrap())),
        &tree(&v1),
    );
    same_tree(
        &tree(Path::new(got["child"].as_str().unwrap())),
        &expected_child(&v1, &v2),
    );
    assert_eq!(got["removed"], serde_json::json!(["b.txt"]));
    assert_eq!(got["modified"], serde_json::json!(["mod.txt"]));
    assert_eq!(got["added"], serde_json::json!(["neu/новый.txt"]));

    // --link fills the SDK's cache: its get_local_copy then uses our files as they are.
    let cache_b = home.join("sdk-cache-b");
    let linked = home.join("linked");
    let g = common::clearml(home)
        .args([
            "dataset",
            "get",
            &child,
            "--link",
            "-o",
            linked.to_str().unwrap(),
            "--json",
        ])
        .env("CLEARML_CACHE_DIR", &cache_b)
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", common::shown(&g));
    same_tree(&tree(&linked), &expected_child(&v1, &v2));
    let own = cache_b.join(format!("storage_manager/datasets/ds_{child}/mod.txt"));
    let inode =
        |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::symlink_metadata(p).unwrap());
    let before = inode(&own);
    let got = sdk(
        serve,
        home,
        &cache_b,
        &format!(
            "import json\nfrom clearml import Dataset\nprint(json.dumps({{\"p\": Dataset.get(dataset_id={child:?}).get_local_copy()}}))\n"
        ),
    );
    assert_eq!(
        Path::new(got["p"].as_str().unwrap()),
        cache_b.join(format!("storage_manager/datasets/ds_{child}"))
    );
    assert_eq!(
        inode(&own),
        before,
        "the SDK re-extracted the version: not a cache hit"
    );
}

#[test]
fn killed_upload_resumes_without_a_duplicate_chunk() {
    let (home, serve) = common::shared_home();
    let home = home.path();
    let src = home.join("src");
    for i in 0..40 {
        write(
            &src,
            &format!("часть/{i:02}.bin"),
            &noise(512 * 1024, 100 + i),
        );
    }
    let project = unique("it-ds-kill");
    let id = added_dataset(home, &project, "killed", &src);
    let folder = serve
        .data_dir
        .join("files")
        .join(format!("{project}/.datasets/killed/killed.{id}/artifacts"));
    let zips = |f: &Path| -> usize {
        let mut n = 0;
        if let Ok(rd) = std::fs::read_dir(f) {
            for d in rd.flatten() {
                if let Ok(inner) = std::fs::read_dir(d.path()) {
                    n += inner
                        .flatten()
                        .filter(|e| e.path().extension().is_some_and(|x| x == "zip"))
                        .count();
                }
            }
        }
        n
    };
    let mut child = common::clearml(home)
        .args([
            "dataset",
            "upload",
            "--id",
            &id,
            "--chunk-size",
            "1",
            "--parallel",
            "1",
        ])
        .env("CLEARML_CACHE_DIR", home.join(".clearml-cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while zips(&folder) < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        status.code().is_none(),
        "the upload finished before it could be killed"
    );
    let mid: DatasetShow = ok_as(home, &["dataset", "show", &id, "--json"]);
    assert!(mid.pending > 0 && mid.pending < 40, "{mid:?}");

    let rest: DatasetChange = ok_as(
        home,
        &[
            "dataset",
            "upload",
            "--id",
            &id,
            "--chunk-size",
            "1",
            "--json",
        ],
    );
    assert_eq!(rest.pending, 0);
    ok(home, &["dataset", "close", "--id", &id]);
    let done: DatasetShow = ok_as(home, &["dataset", "show", &id, "--files", "--json"]);
    let files = done.files.unwrap();
    assert_eq!(files.len(), 40);
    let used: std::collections::BTreeSet<String> =
        files.iter().map(|f| f.chunk.clone().unwrap()).collect();
    assert_eq!(
        used.len(),
        done.chunks.len(),
        "a chunk the state does not use: {:?}",
        done.chunks
    );
    assert_eq!(
        zips(&folder),
        done.chunks.len(),
        "a chunk file left on the file server"
    );
    // 2 files of 512 KiB per 1 MiB chunk.
    assert_eq!(done.chunks.len(), 20);
    let out = home.join("out");
    ok(home, &["dataset", "get", &id, "-o", out.to_str().unwrap()]);
    same_tree(&tree(&out), &tree(&src));
}

#[test]
fn delete_refuses_a_parent_in_use_and_leaves_no_file_behind() {
    let (home, serve) = common::shared_home();
    let home = home.path();
    let (v1, v2) = sources(home);
    let project = unique("it-ds-del Löschen");
    let p = closed_dataset(home, &project, "gone", &v1);
    let c = ok(
        home,
        &[
            "dataset",
            "create",
            "--name",
            "gone",
            "--parents",
            &p,
            "--project",
            &project,
        ],
    )
    .trim()
    .to_string();
    ok(home, &["dataset", "sync", "--id", &c, v2.to_str().unwrap()]);
    ok(home, &["dataset", "close", "--id", &c]);
    let folder = serve
        .data_dir
        .join("files")
        .join(format!("{project}/.datasets/gone"));
    assert!(files_under(&folder) >= 4);

    let refused = run(home, &["dataset", "delete", &p]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{}",
        common::shown(&refused)
    );
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("is a parent of") && err.contains(&c), "{err}");
    // One error line (a warning about another test's broken dataset may come before it).
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );

    let deleted: Vec<DatasetDeleted> =
        ok_as(home, &["dataset", "delete", &c, "--with-files", "--json"]);
    assert_eq!(deleted.len(), 1);
    assert!(deleted[0].files_deleted >= 2);
    ok(
        home,
        &[
            "dataset",
            "delete",
            "gone",
            "--project",
            &project,
            "--all-versions",
            "--with-files",
        ],
    );
    assert_eq!(
        files_under(&folder),
        0,
        "files left under {}",
        folder.display()
    );
    let left: Vec<DatasetRow> = ok_as(
        home,
        &[
            "dataset",
            "list",
            "--project",
            &project,
            "--all-versions",
            "--include-drafts",
            "--json",
        ],
    );
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn hostile_state_and_tampered_chunk_are_refused() {
    let (home, serve) = common::shared_home();
    let home = home.path();
    let (v1, _) = sources(home);
    let project = unique("it-ds-hostile");
    let id = closed_dataset(home, &project, "evil", &v1);
    let shown: DatasetShow = ok_as(home, &["dataset", "show", &id, "--json"]);
    let out = home.join("deep/out");

    // A chunk changed on the server: its sha256 no longer matches; nothing is extracted.
    let chunk = served_file(serve, shown.chunks[0].url.as_str().unwrap());
    let good = std::fs::read(&chunk).unwrap();
    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0xFF;
    std::fs::write(&chunk, &bad).unwrap();
    let r = run(home, &["dataset", "get", &id, "-o", out.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1), "{}", common::shown(&r));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("sha256"),
        "{}",
        common::shown(&r)
    );
    assert_eq!(files_under(&out), 0);
    std::fs::write(&chunk, &good).unwrap();

    // A state naming a path outside the folder.
    let state_url = format!(
        "{}/{project}/.datasets/evil/evil.{id}/artifacts/state/state.json",
        serve.files_url
    );
    let state_file = served_file(serve, &state_url);
    let text = std::fs::read_to_string(&state_file).unwrap();
    std::fs::write(
        &state_file,
        text.replace("\"a.txt\"", "\"../../escape.txt\""),
    )
    .unwrap();
    let r = run(home, &["dataset", "get", &id, "-o", out.to_str().unwrap()]);
    assert_ne!(r.status.code(), Some(0), "{}", common::shown(&r));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("unsafe path"), "{err}");
    assert!(!home.join("escape.txt").exists() && !home.join("deep/escape.txt").exists());

    // Names the server would refuse are refused before anything is made.
    let short = run(
        home,
        &["dataset", "create", "--project", &project, "--name", "ab"],
    );
    assert_eq!(short.status.code(), Some(2), "{}", common::shown(&short));
    let slash = run(
        home,
        &[
            "dataset",
            "create",
            "--project",
            &project,
            "--name",
            "a/b/c",
        ],
    );
    assert_eq!(slash.status.code(), Some(2), "{}", common::shown(&slash));
}

#[test]
fn datasets_page_in_headless_chromium() {
    use crate::web_ui::cdp;
    let (home, serve) = common::shared_home();
    let home = home.path();
    let (v1, v2) = sources(home);
    let project = unique("it-ds-web Веб");
    let name = "<img src=x onerror=alert(1)> Данные 数据";
    let p = ok(
        home,
        &["dataset", "create", "--project", &project, "--name", name],
    )
    .trim()
    .to_string();
    ok(home, &["dataset", "add", "--id", &p, v1.to_str().unwrap()]);
    ok(home, &["dataset", "close", "--id", &p]);
    let c = ok(
        home,
        &["dataset", "create", "--name", name, "--parents", &p],
    )
    .trim()
    .to_string();
    ok(home, &["dataset", "add", "--id", &c, v2.to_str().unwrap()]);
    ok(home, &["dataset", "remove", "--id", &c, "b.txt"]);
    ok(home, &["dataset", "close", "--id", &c]);
    let shown: DatasetShow = ok_as(home, &["dataset", "show", &c, "--files", "--json"]);
    let files = shown.files.unwrap().len();

    let mut b = cdp::Browser::start(1280, 860);
    b.open(&format!("{}/datasets", serve.web_url));
    b.eval(&format!(
        "document.getElementById('access_key').value = {:?}; \
         document.getElementById('secret_key').value = {:?}; \
         document.querySelector('form.login').submit(); true",
        common::ACCESS_KEY,
        common::SECRET_KEY
    ));
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(b.eval("location.pathname"), "/datasets");
    let errors = b.console_errors();
    assert!(errors.is_empty(), "console errors {errors:?}");
    // Our dataset's row, its name as text, its latest version linked.
    let row = b.eval(&format!(
        "[...document.querySelectorAll('#datasets tbody tr')].map(r => r.innerText).find(t => t.includes({project:?})) || ''"
    ));
    let row = row.as_str().unwrap();
    assert!(row.contains(name) && row.contains("1.0.1"), "{row}");
    assert_eq!(b.eval("document.querySelectorAll('script').length"), 1);
    let href = b.eval(&format!(
        "[...document.querySelectorAll('#datasets a')].map(a => a.getAttribute('href')).find(h => h.endsWith({c:?}))"
    ));
    let href = href.as_str().unwrap().to_string();
    assert!(href.starts_with("/datasets/simple/"), "{href}");
    b.open(&format!("{}{href}", serve.web_url));
    let errors = b.console_errors();
    assert!(errors.is_empty(), "console errors {errors:?}");
    assert_eq!(
        b.eval("document.querySelectorAll('#files tbody tr').length"),
        files as u64
    );
    assert_eq!(
        b.eval("document.querySelectorAll('#lineage g.node').length"),
        2
    );
    assert_eq!(
        b.eval("document.querySelectorAll('#lineage path.edge').length"),
        1
    );
    assert_eq!(
        b.eval("[...document.querySelectorAll('#files td')].some(td => td.textContent == '数据/файл.txt')"),
        true
    );
    // Each chunk links to its file on the file server.
    let chunk = b.eval("document.querySelector('#chunks a').href");
    let chunk = chunk.as_str().unwrap().to_string();
    assert!(chunk.starts_with(&serve.files_url), "{chunk}");
    assert_eq!(
        b.eval("document.body.innerText.includes('<img src=x onerror=alert(1)>')"),
        true
    );
    assert_eq!(b.eval("document.querySelectorAll('img').length"), 0);
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    b.screenshot(&shots.join("dataset-version.png"));
    // The versions page lists both.
    b.eval("document.querySelector('.crumbs a:nth-of-type(2)').click(); true");
    b.wait_event("Page.loadEventFired", Duration::from_secs(30));
    assert_eq!(
        b.eval("document.querySelectorAll('#versions tbody tr').length"),
        2
    );
}
