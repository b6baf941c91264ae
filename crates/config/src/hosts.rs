//! The three server URLs: normalising what a person types (protocol §1.5), deriving the
//! other two hosts from one as clearml-init does (§1.6), and the SDK's own runtime
//! derivation of the web and files hosts from the API host (§2.3).

/// The SDK's defaults when nothing is configured (the hosted service).
pub const DEFAULT_API: &str = "https://api.clear.ml";
pub const DEFAULT_WEB: &str = "https://app.clear.ml";
pub const DEFAULT_FILES: &str = "https://files.clear.ml";

/// A URL split the way these rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostUrl {
    pub scheme: String,
    /// host[:port] (userinfo kept if present)
    pub netloc: String,
    /// Path as written, possibly empty or with a trailing '/'.
    pub path: String,
}

impl HostUrl {
    /// Split `scheme://netloc/path?query#fragment` (query and fragment are dropped).
    pub fn parse(url: &str) -> Option<HostUrl> {
        let (scheme, rest) = url.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let end = rest.find(['?', '#']).unwrap_or(rest.len());
        let rest = &rest[..end];
        let (netloc, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if netloc.is_empty() || netloc.contains(char::is_whitespace) {
            return None;
        }
        Some(HostUrl {
            scheme,
            netloc: netloc.to_string(),
            path: path.to_string(),
        })
    }

    /// The explicit port, if any (Python's `urlparse(...).port`).
    pub fn port(&self) -> Option<u16> {
        let hostport = self.netloc.rsplit('@').next().unwrap_or(&self.netloc);
        let after_host = if hostport.starts_with('[') {
            hostport.split_once(']').map(|(_, r)| r)?
        } else {
            hostport
        };
        after_host
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
    }

    pub fn to_url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.netloc, self.path)
    }

    fn with_netloc(&self, netloc: String) -> String {
        format!("{}://{}{}", self.scheme, netloc, self.path)
    }
}

/// clearml-init's `verify_url`: add a scheme when missing (`http://` when a port is given,
/// else `https://`), accept only http/https, drop query and fragment.
pub fn normalize_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty URL".into());
    }
    let lower = text.to_ascii_lowercase();
    let with_scheme = if lower.starts_with("http://") || lower.starts_with("https://") {
        text.to_string()
    } else if text.contains("://") {
        return Err(format!("'{text}' is not an http:// or https:// URL"));
    } else if text.contains(':') {
        format!("http://{text}")
    } else {
        format!("https://{text}")
    };
    HostUrl::parse(&with_scheme)
        .map(|u| u.to_url())
        .ok_or_else(|| format!("'{text}' is not a valid URL"))
}

/// The three hosts derived from one (clearml-init's `parse_known_host`). A `None` means
/// clearml-init could not tell (custom ports): ask for it or take it from a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub api: Option<String>,
    pub web: Option<String>,
    pub files: Option<String>,
    /// What clearml-init would have said about the derivation.
    pub note: Option<String>,
}

fn replace_prefix(host: &HostUrl, from: &str, to: &str) -> String {
    host.with_netloc(format!("{to}{}", &host.netloc[from.len()..]))
}

fn replace_port(host: &HostUrl, from: u16, to: u16) -> String {
    host.with_netloc(
        host.netloc
            .replacen(&format!(":{from}"), &format!(":{to}"), 1),
    )
}

impl Derived {
    /// No host derived, and why.
    fn nothing(note: String) -> Derived {
        Derived {
            api: None,
            web: None,
            files: None,
            note: Some(note),
        }
    }
}

/// Derive api/web/files from a seed URL (already normalised).
pub fn derive_from(seed: &str) -> Derived {
    let Some(u) = HostUrl::parse(seed) else {
        return Derived::nothing(format!("could not parse {seed}"));
    };
    let seed = u.to_url();
    let n = &u.netloc;
    let mk = |api: String, web: String, files: String, note: Option<String>| Derived {
        api: Some(api),
        web: Some(web),
        files: Some(files),
        note,
    };
    // clearml-init's own names: the web app on app., the API on api., files on files.
    for (web, api, files) in [
        ("demoapp.", "demoapi.", "demofiles."),
        ("app.", "api.", "files."),
    ] {
        if n.starts_with(web) {
            return mk(
                replace_prefix(&u, web, api),
                seed.clone(),
                replace_prefix(&u, web, files),
                None,
            );
        }
        if n.starts_with(api) {
            return mk(
                seed.clone(),
                replace_prefix(&u, api, web),
                replace_prefix(&u, api, files),
                Some(format!(
                    "{n} is the api server, we need the web server: using '{web}' for the web application"
                )),
            );
        }
    }
    match u.port() {
        Some(8008) => mk(
            seed.clone(),
            replace_port(&u, 8008, 8080),
            replace_port(&u, 8008, 8081),
            Some("port 8008 is the api port: using 8080 for the web application".into()),
        ),
        Some(8080) => mk(
            replace_port(&u, 8080, 8008),
            seed.clone(),
            replace_port(&u, 8080, 8081),
            None,
        ),
        None => mk(
            u.with_netloc(format!("{n}:8008")),
            seed.clone(),
            u.with_netloc(format!("{n}:8081")),
            Some(format!(
                "web app on the standard port ({}): assuming the api on port 8008 and files on 8081",
                u.scheme
            )),
        ),
        Some(port) => Derived::nothing(format!(
            "cannot derive the other hosts from port {port} (only 8080/8008 or app./api. names are known)"
        )),
    }
}

/// Which host a seed URL is (the web app unless it looks like the API).
pub fn seed_is_api(seed: &str) -> bool {
    HostUrl::parse(seed).is_some_and(|u| {
        u.netloc.starts_with("api.") || u.netloc.starts_with("demoapi.") || u.port() == Some(8008)
    })
}

/// The SDK's web host when none is configured (`Session.get_app_server_host`).
pub fn sdk_web_from_api(api: &str) -> Option<String> {
    if api == DEFAULT_API {
        return Some(DEFAULT_WEB.into());
    }
    if api.contains("://demoapi.") {
        return Some(api.replacen("://demoapi.", "://demoapp.", 1));
    }
    if api.contains("://api.") {
        return Some(api.replacen("://api.", "://app.", 1));
    }
    let u = HostUrl::parse(api)?;
    if u.port() == Some(8008) {
        return Some(api.replacen(":8008", ":8080", 1));
    }
    None
}

/// The SDK's files host when none is configured (`Session.get_files_server_host`), from
/// the API host and the web host in force.
pub fn sdk_files_from(api: &str, web: &str) -> Option<String> {
    if api == DEFAULT_API {
        return Some(DEFAULT_FILES.into());
    }
    let u = HostUrl::parse(web)?;
    let netloc = if let Some(port) = u.port() {
        u.netloc.replacen(&format!(":{port}"), ":8081", 1)
    } else if let Some(rest) = u.netloc.strip_prefix("demoapp.") {
        format!("demofiles.{rest}")
    } else if let Some(rest) = u.netloc.strip_prefix("app.") {
        format!("files.{rest}")
    } else {
        format!("{}:8081", u.netloc)
    };
    Some(u.with_netloc(netloc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_adds_the_scheme_like_clearml_init() {
        assert_eq!(
            normalize_url("localhost:8080").unwrap(),
            "http://localhost:8080"
        );
        assert_eq!(normalize_url("localhost").unwrap(), "https://localhost");
        assert_eq!(
            normalize_url("app.clear.ml").unwrap(),
            "https://app.clear.ml"
        );
        assert_eq!(
            normalize_url(" https://h:1/p?q=1#f ").unwrap(),
            "https://h:1/p"
        );
        assert!(normalize_url("ftp://h").is_err());
        assert!(normalize_url("").is_err());
        assert!(normalize_url("http://").is_err());
    }

    #[test]
    fn derivation_table_of_the_protocol() {
        let d = derive_from("http://localhost:8080");
        assert_eq!(d.api.as_deref(), Some("http://localhost:8008"));
        assert_eq!(d.files.as_deref(), Some("http://localhost:8081"));
        assert_eq!(d.web.as_deref(), Some("http://localhost:8080"));

        let d = derive_from("https://app.clear.ml");
        assert_eq!(d.api.as_deref(), Some("https://api.clear.ml"));
        assert_eq!(d.files.as_deref(), Some("https://files.clear.ml"));

        let d = derive_from("https://clearml.example.com");
        assert_eq!(d.api.as_deref(), Some("https://clearml.example.com:8008"));
        assert_eq!(d.files.as_deref(), Some("https://clearml.example.com:8081"));

        let d = derive_from("http://h:8080/clearml");
        assert_eq!(d.api.as_deref(), Some("http://h:8008/clearml"));
        assert_eq!(d.files.as_deref(), Some("http://h:8081/clearml"));

        let d = derive_from("https://api.example.com");
        assert_eq!(d.web.as_deref(), Some("https://app.example.com"));
        assert_eq!(d.files.as_deref(), Some("https://files.example.com"));
        assert!(d.note.is_some());

        let d = derive_from("https://demoapp.demo.clear.ml");
        assert_eq!(d.api.as_deref(), Some("https://demoapi.demo.clear.ml"));
        assert_eq!(d.files.as_deref(), Some("https://demofiles.demo.clear.ml"));

        let d = derive_from("http://h:8008");
        assert_eq!(d.web.as_deref(), Some("http://h:8080"));
        assert_eq!(d.files.as_deref(), Some("http://h:8081"));

        let d = derive_from("http://h:9080");
        assert_eq!((d.api, d.web, d.files), (None, None, None));
    }

    #[test]
    fn sdk_runtime_derivation() {
        assert_eq!(sdk_web_from_api(DEFAULT_API).as_deref(), Some(DEFAULT_WEB));
        assert_eq!(
            sdk_web_from_api("http://h:8008").as_deref(),
            Some("http://h:8080")
        );
        assert_eq!(
            sdk_web_from_api("https://api.x.com").as_deref(),
            Some("https://app.x.com")
        );
        assert_eq!(sdk_web_from_api("http://h:9000"), None);
        assert_eq!(
            sdk_files_from("http://h:8008", "http://h:8080").as_deref(),
            Some("http://h:8081")
        );
        assert_eq!(
            sdk_files_from("https://api.x.com", "https://app.x.com").as_deref(),
            Some("https://files.x.com")
        );
        assert_eq!(
            sdk_files_from("http://h:9000", "https://web.x.com").as_deref(),
            Some("https://web.x.com:8081")
        );
        assert_eq!(
            sdk_files_from("http://h:9000", "http://x//y").as_deref(),
            Some("http://x:8081//y")
        );
    }
}
