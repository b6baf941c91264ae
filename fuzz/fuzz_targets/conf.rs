//! The clearml.conf reader (parse + resolve) on any text: no panic, no hang, bounded
//! memory. Includes are relative to the working directory; environment lookups find
//! nothing, so a run does not depend on the machine.
#![no_main]

use clearml_config::hocon;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let no_env = |_: &str| None;
    let env = hocon::Env { var: &no_env };
    match hocon::parse_str(text, None, &env) {
        Ok(doc) => {
            let _ = doc.root.to_json();
            // Spans must be valid slices of the text (`init` splices the file with them).
            for span in &doc.spans {
                assert!(span.start <= span.end && span.end <= text.len());
                assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            }
        }
        Err(e) => {
            // Errors name a place in the text, never beyond it.
            assert!(
                e.pos.line >= 1 && e.pos.line <= text.lines().count() + 1,
                "{e}"
            );
        }
    }
});
