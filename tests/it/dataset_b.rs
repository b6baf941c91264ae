//! `clearml dataset get` killed mid-download and rerun, and a file server on a URL path
//! behind a reverse proxy (clearml-server#261), both with real processes in between: a
//! throttling TCP relay and an HTTP proxy that strips the path prefix.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::{self, ACCESS_KEY, SDK_NO_SUBPROCESS, SECRET_KEY, Serve};
use crate::dataset::write;
use crate::dataset::{
    added_dataset, closed_dataset, files_under, noise, ok, ok_as, same_tree, tree, unique,
};
use clearml_cmd_dataset::json::{DatasetDeleted, DatasetGet, DatasetShow};

/// A TCP relay to a file server: answers flow back at most 64 KiB per `pause_us`
/// microseconds (0: unthrottled), and GET requests for `.zip` objects are counted.
struct Relay {
    url: String,
    pause_us: Arc<AtomicU64>,
    zip_gets: Arc<AtomicUsize>,
}

fn relay(upstream: &str) -> Relay {
    let up = upstream.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let pause_us = Arc::new(AtomicU64::new(0));
    let zip_gets = Arc::new(AtomicUsize::new(0));
    let (pause, gets) = (pause_us.clone(), zip_gets.clone());
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&up) else {
                continue;
            };
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let gets = gets.clone();
            std::thread::spawn(move || pump(client, server, |buf| count_zip_gets(buf, &gets)));
            let pause = pause.clone();
            std::thread::spawn(move || {
                pump(s2, c2, |_| {
                    let us = pause.load(Ordering::Relaxed);
                    if us > 0 {
                        std::thread::sleep(Duration::from_micros(us));
                    }
                })
            });
        }
    });
    Relay {
        url,
        pause_us,
        zip_gets,
    }
}

/// Copy `from` to `to` in pieces of at most 64 KiB, calling `seen` on each.
fn pump(mut from: TcpStream, mut to: TcpStream, seen: impl Fn(&[u8])) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 || to.write_all(&buf[..n]).is_err() {
            break;
        }
        seen(&buf[..n]);
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

fn count_zip_gets(buf: &[u8], gets: &AtomicUsize) {
    let text = String::from_utf8_lossy(buf);
    for line in text.split("\r\n") {
        if line.starts_with("GET /") && line.ends_with(" HTTP/1.1") && line.contains(".zip") {
            gets.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A clearml.conf in `home` for the shared server's API with `files` as its file server.
fn conf_with_files(serve: &Serve, home: &Path, files: &str) {
    let text = format!(
        "api {{\n  api_server: {api}\n  web_server: {api}\n  files_server: {files}\n  credentials {{\"access_key\": \"{ACCESS_KEY}\", \"secret_key\": \"{SECRET_KEY}\"}}\n}}\n{SDK_NO_SUBPROCESS}",
        api = serve.api_url
    );
    std::fs::write(home.join("clearml.conf"), text).unwrap();
}

/// Files in `dir` (recursively) whose name ends in `.part`.
fn part_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".part") {
                out.push(p);
            }
        }
    }
    out
}

/// Issue 24: `get` SIGKILLed in the middle of a chunk, then run again: the result is
/// byte-equal, no file under its final name was ever partial, the chunks already extracted
/// are not fetched again and the interrupted one resumes from its `.part`.
#[test]
fn killed_get_resumes_without_fetching_finished_chunks_again() {
    let serve = Serve::shared();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let relay = relay(&serve.files_url);
    conf_with_files(serve, home, &relay.url);
    let src = home.join("src");
    // Six chunks of one file each (768 KiB files, 1 MiB chunks).
    for i in 0..6u64 {
        write(
            &src,
            &format!("Größe/файл-{i}.bin"),
            &noise(768 * 1024, 900 + i),
        );
    }
    let project = unique("it-ds-kill-get Прерван");
    let id = added_dataset(home, &project, "прерванный", &src);
    ok(
        home,
        &["dataset", "close", "--id", &id, "--chunk-size", "1"],
    );
    let shown: DatasetShow = ok_as(home, &["dataset", "show", &id, "--json"]);
    assert_eq!(shown.chunks.len(), 6, "{shown:?}");

    // About 1 MiB/s: each chunk takes most of a second.
    relay.pause_us.store(60_000, Ordering::Relaxed);
    let out = home.join("out");
    let cache = home.join(".clearml-cache");
    let mut child = common::clearml(home)
        .args([
            "dataset",
            "get",
            &id,
            "-o",
            out.to_str().unwrap(),
            "--parallel",
            "1",
        ])
        .env("CLEARML_CACHE_DIR", &cache)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let finished = |d: &Path| files_under(d) - part_files(d).len();
    let deadline = Instant::now() + Duration::from_secs(90);
    // Two chunks extracted and the third one part-way down.
    while !(finished(&out) >= 2
        && part_files(&cache)
            .iter()
            .any(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 100_000)))
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        status.code().is_none(),
        "get ended before it could be killed"
    );
    let done_before = finished(&out);
    assert!(
        (2..6).contains(&done_before),
        "{done_before} files at the kill"
    );
    // Whatever has its final name is whole.
    let want = tree(&src);
    for (rel, bytes) in tree(&out) {
        if !rel.ends_with(".part") {
            assert!(
                want[&rel] == bytes,
                "{rel} is under its final name but not whole"
            );
        }
    }

    relay.pause_us.store(0, Ordering::Relaxed);
    relay.zip_gets.store(0, Ordering::Relaxed);
    let again: DatasetGet = ok_as(
        home,
        &["dataset", "get", &id, "-o", out.to_str().unwrap(), "--json"],
    );
    assert_eq!(again.chunks_skipped as usize, done_before, "{again:?}");
    assert_eq!(
        again.chunks_downloaded as usize,
        6 - done_before,
        "{again:?}"
    );
    assert!(again.resumed_bytes > 100_000, "{again:?}");
    assert_eq!(
        relay.zip_gets.load(Ordering::Relaxed),
        6 - done_before,
        "a chunk already extracted was requested again"
    );
    same_tree(&tree(&out), &want);
    assert!(part_files(&out).is_empty() && part_files(&cache).is_empty());
}

/// Passes on only what is under `/clearml/files/`, without that prefix (a reverse proxy
/// publishing the file server on a URL path); anything else is counted and answered 404.
struct UnderPrefix(Arc<AtomicUsize>);

const PREFIX: &str = "clearml/files/";

impl crate::hostile::Tamper for UnderPrefix {
    fn request(&self, req: &mut crate::hostile::Request) {
        // `/clearml/files` itself is the file server's root (the SDK posts there).
        match req.path.strip_prefix(PREFIX.trim_end_matches('/')) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => {
                req.path = rest.trim_start_matches('/').to_string()
            }
            _ => {
                self.0.fetch_add(1, Ordering::Relaxed);
                req.path = "outside-the-prefix/404".into();
            }
        }
    }
}

/// clearml-server#261: the file server published on a URL path. Our `upload` stores and
/// our `get` reads through it, the SDK reads what we made and we read what the SDK made,
/// and `delete --with-files` removes the chunks; nothing ever misses the prefix.
#[test]
fn a_file_server_on_a_url_path_works_both_ways() {
    let serve = Serve::shared();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let outside = Arc::new(AtomicUsize::new(0));
    let proxy = crate::hostile::proxy(&serve.files_url, UnderPrefix(outside.clone()));
    let files = format!("{}/{}", proxy.url, PREFIX.trim_end_matches('/'));
    conf_with_files(serve, home, &files);
    let src = home.join("src");
    write(&src, "数据/файл.txt", "данные 数据\n".as_bytes());
    write(&src, "Größe/ä ö.bin", &noise(300_000, 261));
    let project = unique("it-ds-prefix Präfix");
    let ours = closed_dataset(home, &project, "unter Pfad", &src);
    let shown: DatasetShow = ok_as(home, &["dataset", "show", &ours, "--json"]);
    let chunk = shown.chunks[0].url.as_str().unwrap().to_string();
    assert!(chunk.starts_with(&format!("{files}/")), "{chunk}");
    let out = home.join("ours");
    let got: DatasetGet = ok_as(
        home,
        &[
            "dataset",
            "get",
            &ours,
            "-o",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(got.files, 2);
    same_tree(&tree(&out), &tree(&src));

    let sdk_cache = home.join("sdk-cache");
    let printed = common::run_sdk(
        &format!(
            r#"
import json
from clearml import Dataset
theirs = Dataset.create(dataset_project={project:?}, dataset_name="vom SDK")
theirs.add_files({src:?})
theirs.upload()
theirs.finalize()
print(json.dumps({{"copy": Dataset.get(dataset_id={ours:?}).get_local_copy(), "theirs": theirs.id}}))
"#,
            src = src.to_str().unwrap(),
        ),
        &home.join("clearml.conf"),
        &[("CLEARML_CACHE_DIR", sdk_cache.to_str().unwrap())],
    );
    let made: serde_json::Value =
        serde_json::from_str(printed.lines().rfind(|l| l.starts_with('{')).unwrap()).unwrap();
    same_tree(
        &tree(Path::new(made["copy"].as_str().unwrap())),
        &tree(&src),
    );
    let theirs = made["theirs"].as_str().unwrap();
    let out2 = home.join("theirs");
    ok(
        home,
        &["dataset", "get", theirs, "-o", out2.to_str().unwrap()],
    );
    same_tree(&tree(&out2), &tree(&src));

    // Behind a URL path the SDK stores a non-ASCII project name percent-encoded (and
    // records the URL encoded twice): each dataset's files are found by its id.
    let stored = |id: &str| {
        let mut n = 0;
        let mut stack = vec![serve.data_dir.join("files")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.to_string_lossy().contains(id) {
                    n += 1;
                }
            }
        }
        n
    };
    for id in [ours.as_str(), theirs] {
        assert!(stored(id) >= 2, "{id}: {}", stored(id));
        let gone: Vec<DatasetDeleted> =
            ok_as(home, &["dataset", "delete", id, "--with-files", "--json"]);
        assert!(gone[0].files_deleted >= 2, "{gone:?}");
        assert_eq!(stored(id), 0, "{id}: chunks left on the file server");
    }
    assert_eq!(
        outside.load(Ordering::Relaxed),
        0,
        "a request missed the prefix"
    );
}
