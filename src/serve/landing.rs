//! The web port: no UI, a small page saying where the API and file server are, so the
//! three hosts are distinct and derive from each other the way clearml-init expects.

use axum::response::Html;

pub fn page(api_url: &str, files_url: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>ClearML (built-in server)</title></head>\n\
         <body><h1>ClearML built-in server</h1>\n\
         <p>This is <code>clearml server serve</code>: an API and file server without the web UI.</p>\n\
         <ul><li>API server: <a href=\"{api}/debug.ping\">{api}</a></li>\n\
         <li>File server: <a href=\"{files}\">{files}</a></li></ul>\n\
         <p>Point <code>clearml init</code> at this address, or use the credentials block printed when the server first started.</p>\n\
         </body></html>\n",
        api = api_url,
        files = files_url
    ))
}
