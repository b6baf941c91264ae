//! The built-in ClearML-compatible server: API + file server in one process, SQLite.
//!
//! Layout: `router` (paths, bodies, auth, envelope) → `services::*` (one module per API
//! service) → `store` (SQLite: all SQL lives there) with `query` (the get_all query
//! language, translated into the store's filters); `activity` (workers, their machine
//! statistics and queue samples, in memory); `fileserver` (streaming uploads/downloads),
//! `web` (the web UI on the web port), `auth`/`credentials`.

mod activity;
pub mod admin;
mod auth;
mod browser;
mod connections;
mod credentials;
mod doc_fields;
pub mod endpoints;
mod envelope;
pub mod error;
mod fileserver;
mod instance;
pub mod limits;
mod query;
mod readers;
mod router;
mod services;
mod store;
mod web;

/// What the server does with the bytes a client sends before any handler runs: the body
/// parsed under its bounds, the query string merged into it, a URL path decoded, an object
/// path mapped under the files dir. Public so that `fuzz/` drives exactly this code.
pub mod decoding {
    pub use super::fileserver::{decoded_path, resolve};
    pub use super::router::{BodyKind, merge_query, parse_body};
}

use anyhow::Context;
use clearml_wire::Identity;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Shared by every request.
pub struct AppState {
    /// The one connection that writes.
    pub store: Mutex<store::Store>,
    /// Read-only connections for listings (see `readers`).
    pub readers: readers::Readers,
    pub signer: auth::TokenSigner,
    pub credentials: credentials::Credentials,
    /// Scroll positions of get_all scrolls (id → next offset); like the real server's Redis
    /// state they do not outlive the process.
    pub scrolls: Mutex<HashMap<String, (usize, std::time::Instant)>>,
    /// Where the debug-image and plot viewers and iteration pages stand
    /// (`events.get_debug_image_sample`, `events.debug_images` and the like: id → state),
    /// kept like scrolls.
    pub sample_states: Mutex<HashMap<String, (Value, std::time::Instant)>>,
    /// Registered workers, their machine statistics and queue samples (the real server
    /// keeps these in Redis and Elasticsearch).
    pub workers: Mutex<activity::Activity>,
    /// Serving containers (id → entry), like the real server's Redis entries with their
    /// timeout: see `services::serving`.
    pub serving: Mutex<HashMap<String, Value>>,
    pub files_dir: PathBuf,
    /// Bounds the blocking threads serving API calls (and so the reader connections): every
    /// extra thread costs memory (malloc arenas, stacks).
    pub db_slots: tokio::sync::Semaphore,
    /// Web UI pages rendered at once: slots of their own, so pages (however costly) never
    /// hold the API's `db_slots` and make API calls wait.
    pub web_slots: tokio::sync::Semaphore,
    /// Memory (KiB) that request bodies being read, parsed and handled may hold at once:
    /// see `limits`.
    pub body_budget: tokio::sync::Semaphore,
    /// The same for anonymous calls (open endpoints), apart: they cannot starve the rest.
    pub anonymous_budget: tokio::sync::Semaphore,
    /// The `debug.panic` test hook (off unless `PANIC_ENDPOINT_ENV` is set at start).
    pub panic_endpoint: bool,
    pub api_url: OnceLock<String>,
    pub files_url: OnceLock<String>,
    /// The web UI's base URL: its pages may use the session cookie on the API.
    pub web_url: OnceLock<String>,
    /// Tokens ended by a logout before their expiry (sha256 of the token → its expiry),
    /// kept in the meta table so a restart does not bring them back.
    pub revoked_tokens: Mutex<HashMap<String, i64>>,
}

/// Set to `1` when `serve` starts, this enables `debug.panic` (authenticated): a request
/// to it panics in its handler. Only tests use it, to prove a panicking request fails
/// alone (500) and the server goes on serving.
pub const PANIC_ENDPOINT_ENV: &str = "CLEARML_SERVE_TEST_PANIC_ENDPOINT";

/// Scroll states expire after this long, as the real server's do.
const SCROLL_TTL: std::time::Duration = std::time::Duration::from_secs(600);

impl AppState {
    /// A token's signature and expiry, and that the key it was issued for still exists:
    /// revoking a key ends its tokens.
    pub fn verify_token(&self, token: &str) -> Result<auth::ServeClaims, envelope::ApiError> {
        let claims = self.signer.verify(token)?;
        if !self.credentials.is_live(&claims.key) {
            return Err(envelope::ApiError::invalid_token(
                "the key it was issued for was revoked",
            ));
        }
        let revoked = self
            .revoked_tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if revoked.contains_key(&token_digest(token)) {
            return Err(envelope::ApiError::invalid_token("logged out"));
        }
        Ok(claims)
    }

    /// End `token` now (a logout): it no longer verifies, on any port, after a restart too.
    /// Expired entries are dropped as new ones come; past `MAX_REVOKED_TOKENS` the ones
    /// closest to their own expiry go first.
    pub fn revoke_token(&self, store: &store::Store, token: &str) -> anyhow::Result<()> {
        let Ok(claims) = self.signer.verify(token) else {
            return Ok(()); // expired or forged: nothing to end
        };
        let mut revoked = self
            .revoked_tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let now = chrono::Utc::now().timestamp();
        revoked.retain(|_, exp| *exp > now);
        while revoked.len() >= MAX_REVOKED_TOKENS {
            let soonest = revoked
                .iter()
                .min_by_key(|(_, exp)| **exp)
                .map(|(k, _)| k.clone());
            match soonest {
                Some(k) => revoked.remove(&k),
                None => break,
            };
        }
        revoked.insert(token_digest(token), claims.claims.exp);
        store.meta_set(REVOKED_TOKENS_META, &serde_json::to_string(&*revoked)?)?;
        Ok(())
    }

    /// Where a scroll stands; `None` for unknown or expired ids (a new scroll starts).
    pub fn scroll_get(&self, id: Option<&str>) -> Option<usize> {
        let scrolls = self.scrolls.lock().unwrap_or_else(|p| p.into_inner());
        scrolls
            .get(id?)
            .filter(|(_, at)| at.elapsed() < SCROLL_TTL)
            .map(|(pos, _)| *pos)
    }

    pub fn scroll_put(&self, id: &str, pos: usize) {
        let mut scrolls = self.scrolls.lock().unwrap_or_else(|p| p.into_inner());
        scrolls.retain(|_, (_, at)| at.elapsed() < SCROLL_TTL);
        scrolls.insert(id.to_string(), (pos, std::time::Instant::now()));
    }

    /// A sample viewer's state; `None` for unknown or expired ids.
    pub fn sample_state(&self, id: &str) -> Option<Value> {
        let states = self.sample_states.lock().unwrap_or_else(|p| p.into_inner());
        states
            .get(id)
            .filter(|(_, at)| at.elapsed() < SCROLL_TTL)
            .map(|(v, _)| v.clone())
    }

    /// Keep a sample viewer's state; past `MAX_SAMPLE_STATES` the oldest goes.
    pub fn put_sample_state(&self, id: &str, state: Value) {
        let mut states = self.sample_states.lock().unwrap_or_else(|p| p.into_inner());
        states.retain(|_, (_, at)| at.elapsed() < SCROLL_TTL);
        if states.len() >= MAX_SAMPLE_STATES && !states.contains_key(id) {
            let oldest = states
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                states.remove(&k);
            }
        }
        states.insert(id.to_string(), (state, std::time::Instant::now()));
    }
}

/// Sample viewer states kept at most (each holds a task's variant list).
const MAX_SAMPLE_STATES: usize = 10_000;

/// Web pages rendered at once (more wait for a slot): two keep a core free for the API
/// on a small machine while a few people browse.
const WEB_SLOTS: usize = 2;

/// Logged-out tokens remembered at most (about 100 bytes each in the meta table).
const MAX_REVOKED_TOKENS: usize = 10_000;
/// The meta table's key for them.
const REVOKED_TOKENS_META: &str = "revoked_tokens";

/// How a revoked token is remembered: never the token itself.
fn token_digest(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// One API call being served.
pub struct Call<'a> {
    pub state: &'a AppState,
    pub store: &'a mut store::Store,
    pub body: Value,
    /// The objects of a JSON-lines (batch) body.
    pub lines: Option<Vec<Value>>,
    pub endpoint: String,
    /// The API version the client asked for (the path's `/vX.Y/`, else the server's own):
    /// behaviour the real server switches by version switches on this.
    pub version: endpoints::Version,
    pub identity: Identity,
    /// The access key the caller authenticated with (`None` for anonymous open endpoints).
    pub access_key: Option<String>,
    /// The token the caller authenticated with (`None` for a key pair or anonymous): what
    /// a logout ends.
    pub token: Option<String>,
    /// A `Set-Cookie` value the answer carries (`auth.login` / `auth.logout`).
    pub set_cookie: Option<String>,
}

/// `$XDG_DATA_HOME/clearml/serve`, else `~/.local/share/clearml/serve`.
pub fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("clearml/serve");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/share/clearml/serve")
}

/// Write a file readable by the owner only, atomically (temp file + rename).
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// serve.json path removed at process exit even when the process leaves through
/// `std::process::exit` (Ctrl-C in main), via atexit.
static SERVE_JSON: OnceLock<PathBuf> = OnceLock::new();

extern "C" fn remove_serve_json() {
    if let Some(p) = SERVE_JSON.get() {
        let _ = std::fs::remove_file(p);
    }
}

fn url_of(addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        addr.ip().to_string()
    };
    if host.contains(':') {
        format!("http://[{host}]:{}", addr.port())
    } else {
        format!("http://{host}:{}", addr.port())
    }
}

/// Where and how to serve (`clearml server serve`'s flags).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// None: [`default_data_dir`], made private (0700).
    pub data_dir: Option<PathBuf>,
    /// The address to listen on.
    pub host: String,
    /// 0 for each port: this data dir's last port if free, else any free one.
    pub api_port: u16,
    pub files_port: u16,
    pub web_port: u16,
}

/// Where the server's status lines go: stderr, as the CLI prints its messages (info lines
/// hidden by `--quiet`, warnings always; a password in a URL is never printed).
#[derive(Debug, Clone, Copy, Default)]
pub struct Notices {
    pub quiet: bool,
}

impl Notices {
    /// A status line (suppressed when quiet).
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            Self::line(format_args!("{}", clearml_error::redact_urls(msg.as_ref())));
        }
    }

    /// A warning (shown even when quiet).
    pub fn warn(&self, msg: impl AsRef<str>) {
        Self::line(format_args!(
            "warning: {}",
            clearml_error::redact_urls(msg.as_ref())
        ));
    }

    /// One line on stderr. A stderr nobody reads any more (a closed pipe) loses the line:
    /// it does not panic as `eprintln!` would, and the server goes on.
    fn line(text: std::fmt::Arguments<'_>) {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "{text}");
    }
}

pub async fn run(args: &ServeOptions, out: &Notices) -> anyhow::Result<()> {
    limit_malloc_arenas();
    connections::ignore_sigpipe();
    connections::raise_open_file_limit();
    let data_dir = prepare_data_dir(args)?;
    // One server per data dir: taken before anything in it is touched.
    let _lock = instance::lock_data_dir(&data_dir)?;
    // Bind before creating anything a failed start would leave behind half-announced (a
    // generated key pair nobody was shown).
    let last_run = instance::LastRun::load(&data_dir);
    let listeners = Listeners::bind(args, &last_run, out).await?;
    let urls = listeners.urls()?;
    let opened = Opened::open(&data_dir, out)?;
    let state = opened.state.clone();
    let _ = state.api_url.set(urls.api.clone());
    let _ = state.files_url.set(urls.files.clone());
    let _ = state.web_url.set(urls.web.clone());
    listeners.remember(&data_dir, &last_run, &urls, out)?;
    // All listeners are bound: announce.
    let serve_json = announce(&data_dir, &opened, &urls, out)?;
    listeners.serve(state, out).await?;
    let _ = std::fs::remove_file(&serve_json);
    Ok(())
}

/// The data dir, created; made private (0700) when it is ours: created now, or the
/// default location. A --data-dir that already existed (perhaps a shared folder) keeps
/// its mode; what we write in it is private anyway.
fn prepare_data_dir(args: &ServeOptions) -> anyhow::Result<PathBuf> {
    let data_dir = args.data_dir.clone().unwrap_or_else(default_data_dir);
    let ours = !data_dir.exists() || args.data_dir.is_none();
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create the data dir {}", data_dir.display()))?;
    if ours {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&data_dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(data_dir)
}

/// The three ports: API, file server, web UI.
struct Listeners {
    api: tokio::net::TcpListener,
    files: tokio::net::TcpListener,
    web: tokio::net::TcpListener,
}

/// The base URLs the listeners answer on.
struct Urls {
    api: String,
    files: String,
    web: String,
}

impl Listeners {
    async fn bind(
        args: &ServeOptions,
        last_run: &instance::LastRun,
        out: &Notices,
    ) -> anyhow::Result<Listeners> {
        let host = args.host.as_str();
        let bind = |requested, remembered, what| {
            instance::bind_preferring(host, requested, remembered, what, out)
        };
        Ok(Listeners {
            api: bind(args.api_port, last_run.api_port, "api server").await?,
            files: bind(args.files_port, last_run.files_port, "files server").await?,
            web: bind(args.web_port, last_run.web_port, "web server").await?,
        })
    }

    fn urls(&self) -> anyhow::Result<Urls> {
        Ok(Urls {
            api: url_of(self.api.local_addr()?),
            files: url_of(self.files.local_addr()?),
            web: url_of(self.web.local_addr()?),
        })
    }

    /// Keep this run's ports for the next one; warn when stored file URLs went stale.
    fn remember(
        &self,
        data_dir: &Path,
        last_run: &instance::LastRun,
        urls: &Urls,
        out: &Notices,
    ) -> anyhow::Result<()> {
        let files_url = &urls.files;
        if let Some(old) = last_run.files_url.as_deref().filter(|u| u != files_url) {
            out.warn(format!(
                "the file server moved from {old} to {files_url} since the last run: file URLs \
                 stored before (models, artifacts) still name {old}; restart with --files-port {} \
                 to keep them working",
                old.rsplit(':').next().unwrap_or("PORT")
            ));
        }
        instance::LastRun {
            api_port: Some(self.api.local_addr()?.port()),
            files_port: Some(self.files.local_addr()?.port()),
            web_port: Some(self.web.local_addr()?.port()),
            files_url: Some(files_url.clone()),
        }
        .save(data_dir)
    }

    /// Serve until Ctrl-C or SIGTERM, then give in-flight requests a moment.
    async fn serve(self, state: Arc<AppState>, out: &Notices) -> anyhow::Result<()> {
        let files_app = fileserver::router(state.clone());
        let web_app = web_router(state.clone());
        let api_app = api_router(state);
        let shutdown = shutdown_signal();
        let (tx, _) = tokio::sync::broadcast::channel::<()>(1);
        let wait = |tx: &tokio::sync::broadcast::Sender<()>| {
            let mut rx = tx.subscribe();
            async move {
                let _ = rx.recv().await;
            }
        };
        // One count over the three ports: a client's connections to any of them add up.
        let counts = Arc::new(connections::ConnectionCounts::default());
        let api = connections::serve(self.api, api_app, counts.clone(), wait(&tx));
        let files = connections::serve(self.files, files_app, counts.clone(), wait(&tx));
        let web = connections::serve(self.web, web_app, counts, wait(&tx));
        let servers = async { tokio::join!(api, files, web) };
        tokio::pin!(servers);
        tokio::select! {
            _ = &mut servers => {}
            _ = shutdown => {
                out.info("shutting down");
                let _ = tx.send(());
                // Give in-flight requests a moment; then leave.
                let _ = tokio::time::timeout(std::time::Duration::from_secs(5), servers).await;
            }
        }
        Ok(())
    }
}

/// The API app: every path goes to the router (paths, bodies, auth, envelope).
pub fn api_router(state: Arc<AppState>) -> axum::Router {
    axum::Router::new()
        .fallback(router::handle)
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(state)
}

/// The web UI app (read-only pages behind the login cookie).
pub fn web_router(state: Arc<AppState>) -> axum::Router {
    web::router(state)
}

/// The file server app (uploads and downloads under the data dir's `files/`).
pub fn files_router(state: Arc<AppState>) -> axum::Router {
    fileserver::router(state)
}

/// A data dir opened for serving: the database, its secrets and the key pairs. No socket
/// is involved, so tests can drive [`api_router`] in-process.
pub struct Opened {
    pub state: Arc<AppState>,
    origin: credentials::Origin,
}

impl Opened {
    pub fn open(data_dir: &Path, out: &Notices) -> anyhow::Result<Opened> {
        let files_dir = data_dir.join("files");
        std::fs::create_dir_all(&files_dir)?;
        // Before anything is served, so no upload of this run is mistaken for a leftover.
        match fileserver::clean_upload_leftovers(&files_dir) {
            Ok(0) => {}
            Ok(n) => out.info(format!(
                "removed {n} partial upload(s) left by an interrupted run"
            )),
            Err(e) => out.warn(format!(
                "cannot clean partial uploads in {}: {e}",
                files_dir.display()
            )),
        }
        let db_path = data_dir.join("clearml.sqlite");
        store::make_private(&db_path)?;
        // Bringing an older file up to date rebuilds indexes and counts every scalar into
        // its buckets: seconds per million events, with nothing served meanwhile.
        if let Some(found) = store::older_layout(&db_path) {
            out.info(format!(
                "updating the database in {} from layout {found} to {} (once; a large one takes a while)",
                data_dir.display(),
                store::SCHEMA_VERSION
            ));
        }
        let store = store::Store::open(&db_path)
            .with_context(|| format!("cannot open the database in {}", data_dir.display()))?;
        let company = meta_or_random(&store, "company", 16)?;
        let token_secret = meta_or_random(&store, "token_secret", 32)?;
        services::queues::ensure_default_queue(&store, &company)?;
        let (credentials, origin) = credentials::Credentials::load_or_create(data_dir)?;
        credentials.load_stored(&store)?;
        let revoked_tokens: HashMap<String, i64> = store
            .meta_get(REVOKED_TOKENS_META)?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default();
        let activity = activity::Activity::load(&store)?;
        let state = Arc::new(AppState {
            store: Mutex::new(store),
            readers: readers::Readers::new(db_path),
            signer: auth::TokenSigner::new(token_secret.into_bytes(), company),
            credentials,
            scrolls: Mutex::new(HashMap::new()),
            sample_states: Mutex::new(HashMap::new()),
            workers: Mutex::new(activity),
            serving: Mutex::new(HashMap::new()),
            files_dir,
            db_slots: tokio::sync::Semaphore::new(4),
            web_slots: tokio::sync::Semaphore::new(WEB_SLOTS),
            body_budget: tokio::sync::Semaphore::new(limits::BUDGET_KIB),
            anonymous_budget: tokio::sync::Semaphore::new(limits::ANONYMOUS_BUDGET_KIB),
            panic_endpoint: std::env::var(PANIC_ENDPOINT_ENV).is_ok_and(|v| v == "1"),
            api_url: OnceLock::new(),
            files_url: OnceLock::new(),
            web_url: OnceLock::new(),
            revoked_tokens: Mutex::new(revoked_tokens),
        });
        Ok(Opened { state, origin })
    }

    /// The key pair the server accepts first (the one printed for a new data dir).
    pub fn primary_key_pair(&self) -> (&str, &str) {
        let p = &self.state.credentials.primary;
        (&p.access_key, &p.secret_key)
    }
}

/// A value kept in the database's meta table, made up at the first start.
fn meta_or_random(store: &store::Store, key: &str, bytes: usize) -> anyhow::Result<String> {
    if let Some(v) = store.meta_get(key)? {
        return Ok(v);
    }
    let v = random_hex(bytes);
    store.meta_set(key, &v)?;
    Ok(v)
}

/// serve.json (where this server answers, for tools and tests), the credentials (printed
/// until they first log in), and the one line saying where the server is. Returns the
/// path of serve.json, removed again when the server stops.
fn announce(
    data_dir: &Path,
    opened: &Opened,
    urls: &Urls,
    out: &Notices,
) -> anyhow::Result<PathBuf> {
    let Urls { api, files, web } = urls;
    let serve_json = data_dir.join("serve.json");
    let info = json!({
        "api_url": api, "files_url": files, "web_url": web,
        "pid": std::process::id(), "access_key": opened.state.credentials.primary.access_key,
        "data_dir": data_dir,
    });
    write_private_atomic(&serve_json, serde_json::to_string_pretty(&info)?.as_bytes())?;
    if SERVE_JSON.set(serve_json.clone()).is_ok() {
        unsafe {
            libc::atexit(remove_serve_json);
        }
    }
    let credentials_file = data_dir.join("credentials.json");
    match opened.origin {
        credentials::Origin::Environment => {
            out.info("credentials from the environment (CLEARML_API_ACCESS_KEY / CLEARML_API_SECRET_KEY)");
        }
        credentials::Origin::Stored { used: true } => {
            out.info(format!("credentials in {}", credentials_file.display()))
        }
        credentials::Origin::Generated | credentials::Origin::Stored { used: false } => {
            out.info(format!(
                "credentials for this server below (printed on every start until they first \
                 log in; stored in {})",
                credentials_file.display()
            ));
            let (access_key, secret_key) = opened.primary_key_pair();
            // A closed stdout is no reason to stop serving: the block comes again next start.
            use std::io::Write;
            let _ = writeln!(
                std::io::stdout(),
                "api {{\n  web_server: {web}\n  api_server: {api}\n  files_server: {files}\n  \
                 credentials {{\n    \"access_key\" = \"{access_key}\"\n    \"secret_key\" = \"{secret_key}\"\n  }}\n}}",
            );
        }
    }
    out.info(format!(
        "clearml server serve: api {api}  files {files}  web {web}  (data in {})",
        data_dir.display()
    ));
    Ok(serve_json)
}

/// glibc gives each thread that allocates its own malloc arena (up to 8 per core), which
/// inflates RSS of a server whose requests hop between threads; two arenas are plenty here.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let term_fut = async {
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term_fut => {}
    }
}
