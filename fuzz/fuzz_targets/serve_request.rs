//! The built-in server's request decoding: the query string merged into the body
//! (dotted keys, `[]` lists), the JSON / JSON-lines body, the URL path, and multipart
//! field names mapped to files. Input: the query string, a newline, then the body; the
//! body is read both as JSON and as a multipart stream with boundary `fuzzb`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

use clearml_serve::decoding;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (query, body) = (&data[..split], data.get(split + 1..).unwrap_or(&[]));
    let query = String::from_utf8_lossy(query);

    // API port: body, then the query string merged into it.
    // The bound the router gives an authenticated caller (limits::MAX_EXPANDED_CAP).
    // Each way the router reads a body (by its Content-Type).
    for kind in [
        decoding::BodyKind::Json,
        decoding::BodyKind::JsonLines,
        decoding::BodyKind::Form,
    ] {
        if let Ok((mut value, _lines)) =
            decoding::parse_body(body, kind, clearml_serve::limits::MAX_EXPANDED)
            && let Some(map) = value.as_object_mut()
        {
            let _ = decoding::merge_query(map, &query);
            let _ = serde_json::to_vec(&value);
        }
    }

    // File server: the path, then each multipart field's name under that prefix.
    let root = Path::new("/nonexistent-fuzz-root");
    let prefix = decoding::decoded_path(&query).trim_matches('/').to_string();
    let stream = futures_util::stream::once(async move {
        Ok::<_, std::convert::Infallible>(bytes::Bytes::copy_from_slice(body))
    });
    let mut multipart = multer::Multipart::new(stream, "fuzzb");
    runtime().block_on(async {
        while let Ok(Some(field)) = multipart.next_field().await {
            let name = field
                .name()
                .filter(|n| !n.is_empty())
                .or(field.file_name())
                .unwrap_or("")
                .to_string();
            let object = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{}", name.trim_start_matches('/'))
            };
            // The invariant the upload relies on: a target never escapes the files dir.
            if let Some(target) = decoding::resolve(root, &object) {
                assert!(target.starts_with(root), "{object:?} -> {target:?}");
            }
            let _ = field.bytes().await;
        }
    });
});
