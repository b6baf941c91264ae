//! The `import` archive reader (`sync::archive::ArchiveSource::read`): zstd, tar headers,
//! the manifest, the two passes and the snapshot checks, then what the copy engine reads
//! back (events, file sizes, file copies). No panic, no hang, memory and disk bounded by
//! the limits. The first byte picks the input: odd, the rest is a bare tar stream the
//! target compresses (so mutations reach the tar and JSON layers); even, the rest is the
//! `.tar.zst` as a user would give it.
#![no_main]

use std::io::Cursor;
use std::path::Path;

use clearml_sync::archive::ArchiveSource;
use clearml_sync::{Limits, Source};
use libfuzzer_sys::fuzz_target;

const LIMITS: Limits = Limits {
    manifest_bytes: 1 << 20,
    unpacked_bytes: 4 << 20,
};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let archive = if mode & 1 == 1 {
        match zstd::encode_all(rest, 1) {
            Ok(a) => a,
            Err(_) => return,
        }
    } else {
        rest.to_vec()
    };
    let Ok(src) = ArchiveSource::read(Path::new("fuzz.tar.zst"), Cursor::new(archive), LIMITS)
    else {
        return;
    };
    let fetched = std::env::temp_dir().join(format!("clearml-fuzz-fetch-{}", std::process::id()));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let projects: Vec<String> = src
            .projects()
            .await
            .unwrap()
            .iter()
            .filter_map(|p| p["id"].as_str().map(String::from))
            .collect();
        for t in src.tasks(&projects).await.unwrap() {
            let id = t["id"].as_str().unwrap();
            let _ = src.event_total(id).await;
            let _ = src.events(id).await;
            for a in t["execution"]["artifacts"].as_array().into_iter().flatten() {
                let url = a["uri"].as_str().unwrap_or_default();
                if src.file_size(url).await.is_some() {
                    // A mapped file is a checked member: copying it must work.
                    src.fetch_file(url, &fetched).await.unwrap();
                }
            }
        }
    });
    let _ = std::fs::remove_file(&fetched);
});
