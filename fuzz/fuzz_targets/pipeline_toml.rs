//! The pipeline file loader (`clearml pipeline run FILE`): TOML parse, validation, the
//! DAG and its references, with `--param` overrides; every problem rendered with its
//! line and column.
#![no_main]

use clearml_pipeline::spec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let overrides = [("dataset".to_string(), "Ω".to_string())];
    match spec::parse(text, &overrides) {
        Ok(spec) => {
            for step in &spec.steps {
                let _ = spec.static_parameters(step);
                let _ = spec.queue_of(step);
            }
        }
        // Rendering computes line/column from byte offsets: it must not panic.
        Err(problems) => {
            for p in problems {
                let _ = p.render("f.toml", text);
            }
        }
    }
});
