//! What `clearml dataset get` reads from a server: a chunk archive (`dataset::zip`: the
//! central directory, ZIP64 records, local headers, stored and deflated members) and a
//! `state` document. No panic, no hang; every extracted file stays inside the target
//! folder. The first byte picks the input: odd, the
//! rest is a state JSON; even, the rest is a chunk archive, its bit 1 whether the files are
//! hashed while written (a chunk without a sha256) or not (one whose sha256 was checked).
#![no_main]

use clearml_cmd_dataset::{state::State, zip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        if let Ok(s) = State::parse(rest) {
            for f in &s.dataset_file_entries {
                assert!(zip::safe_name(&f.relative_path));
            }
            let _ = s.versions_in_order();
        }
        return;
    }
    let base = std::env::temp_dir().join(format!("clearml-fuzz-chunk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let archive = base.join("chunk.zip");
    std::fs::write(&archive, rest).unwrap();
    let out = base.join("out");
    let _ = zip::list(&archive);
    let _ = zip::extract(
        &archive,
        &out,
        |_| true,
        |name, path, _| {
            assert!(path.starts_with(&out), "{name:?} extracted outside");
            assert!(std::fs::metadata(path).unwrap().is_file());
            Ok(())
        },
        // Two threads: the parallel extraction `dataset get` uses.
        2,
        mode & 2 != 0,
    );
    let _ = std::fs::remove_dir_all(&base);
});
