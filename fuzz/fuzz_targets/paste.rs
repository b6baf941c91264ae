//! The pasted-credentials parser (`clearml init`): reading the paste from a terminal
//! line by line, then parsing it, in both terminal and Jupyter modes.
#![no_main]

use clearml_config::paste;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for jupyter in [false, true] {
        let mut input = std::io::Cursor::new(text.as_bytes());
        if let Ok(read) = paste::read_paste(&mut input, jupyter) {
            let _ = paste::parse_paste(&read);
        }
    }
    let _ = paste::parse_paste(text);
});
