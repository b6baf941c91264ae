//! `model pull`: download a model's weights (file server, http(s), or a local file),
//! verified, to a path.

use std::path::{Path, PathBuf};

use super::show::find_model;
use crate::api::Client;
use crate::cli::ModelPullArgs;
use crate::config::Settings;
use crate::error::CliError;
use crate::files;
use clearml_cmd_core::Ctx;

/// How a model URI is fetched.
#[derive(Debug, PartialEq)]
pub enum Source {
    Http(String),
    Local(PathBuf),
}

pub fn classify_uri(uri: &str) -> Result<Source, CliError> {
    if uri.starts_with("http://") || uri.starts_with("https://") {
        return Ok(Source::Http(uri.to_string()));
    }
    if let Some(rest) = uri.strip_prefix("file://") {
        let decoded = percent_encoding::percent_decode_str(rest)
            .decode_utf8_lossy()
            .to_string();
        return Ok(Source::Local(PathBuf::from(decoded)));
    }
    if uri.starts_with('/') {
        return Ok(Source::Local(PathBuf::from(uri)));
    }
    let scheme = uri.split("://").next().unwrap_or(uri);
    Err(CliError::failure(format!(
        "downloading from {scheme}:// is not supported yet ({uri})"
    ))
    .with_hint("use the SDK (Model(id).get_local_copy()) for cloud storage"))
}

pub async fn run(
    ctx: &Ctx,
    client: &Client,
    settings: &Settings,
    a: ModelPullArgs,
) -> anyhow::Result<()> {
    let model = pick_model(ctx, client, &a).await?;
    let uri = model["uri"].as_str().unwrap_or("").to_string();
    if uri.is_empty() || uri.ends_with("/uploading_file") {
        return Err(CliError::not_found(format!(
            "model {} has no weights file yet",
            model["id"].as_str().unwrap_or("")
        ))
        .into());
    }
    let meta =
        |k: &str| -> Option<String> { model["metadata"][k]["value"].as_str().map(str::to_string) };
    let expect = files::Expect {
        size: meta("size").and_then(|s| s.parse().ok()),
        sha256: meta("sha256"),
    };
    let local = match classify_uri(&uri)? {
        Source::Local(p) => pull_local(p, a.output.as_deref()).await?,
        Source::Http(url) => pull_http(ctx, client, settings, &a, &url, &expect).await?,
    };
    println!("{}", local.display());
    Ok(())
}

/// The model the id, or the name (newest; said on stderr), means.
async fn pick_model(
    ctx: &Ctx,
    client: &Client,
    a: &ModelPullArgs,
) -> anyhow::Result<serde_json::Value> {
    match (&a.id, &a.name) {
        (Some(id), _) => find_model(client, id, a.project.as_deref(), false).await,
        (None, Some(name)) => {
            let model =
                newest_by_name(client, name, a.project.as_deref(), a.published_only).await?;
            ctx.out.info(format!(
                "pulling model {} ({}, {}, created {})",
                name,
                model["id"].as_str().unwrap_or(""),
                if model["ready"] == true {
                    "published"
                } else {
                    "draft"
                },
                model["created"].as_str().unwrap_or("?"),
            ));
            Ok(model)
        }
        (None, None) => Err(CliError::usage("give a model id or --name").into()),
    }
}

/// A file:// model: the file itself, or a copy at --output.
async fn pull_local(p: PathBuf, output: Option<&Path>) -> anyhow::Result<PathBuf> {
    if !p.exists() {
        return Err(CliError::not_found(format!(
            "{} (the model's file:// URI) does not exist here",
            p.display()
        ))
        .into());
    }
    match output {
        Some(out) => {
            let dest = output_target(out, &p);
            tokio::fs::copy(&p, &dest).await?;
            Ok(dest)
        }
        None => Ok(p),
    }
}

/// An http(s) model: to --output or the SDK's cache, reusing a verified copy there
/// unless --force, resuming a partial download.
async fn pull_http(
    ctx: &Ctx,
    client: &Client,
    settings: &Settings,
    a: &ModelPullArgs,
    url: &str,
    expect: &files::Expect,
) -> anyhow::Result<PathBuf> {
    let dest = match &a.output {
        Some(out) => output_target(out, Path::new(url.rsplit('/').next().unwrap_or("model"))),
        None => {
            let configured = settings
                .file_config
                .get_path("sdk.storage.cache.default_base_dir")
                .and_then(|n| n.value.as_text());
            files::cache_path(&files::cache_dir(configured.as_deref()), url)
        }
    };
    let files_host = settings.files_host.value.trim_end_matches('/');
    // The SDK sends the token only to the configured files server.
    let bearer = if !files_host.is_empty() && url.starts_with(files_host) {
        Some(client.bearer().await.map_err(crate::api::into_anyhow)?)
    } else {
        None
    };
    let reuse = if a.force {
        None
    } else {
        let ours = a.output.is_none();
        verified_copy(client, url, &dest, expect, bearer.as_deref(), ours).await
    };
    if let Some(how) = reuse {
        ctx.out.info(match a.output {
            None => format!("using the cached copy ({how})"),
            Some(_) => format!("using {} already there ({how})", dest.display()),
        });
        return Ok(dest);
    }
    let got = files::download(
        client.http(),
        url,
        &dest,
        bearer.as_deref(),
        expect,
        ctx.out.progress,
    )
    .await?;
    if got.resumed_from > 0 {
        ctx.out
            .info(format!("resumed from {} bytes", got.resumed_from));
    }
    // Without a recorded checksum, show the one computed so it can be compared.
    ctx.out.info(match expect.sha256 {
        Some(_) => format!("downloaded {} bytes, sha256 verified", got.size),
        None => format!("downloaded {} bytes (sha256 {})", got.size, got.sha256),
    });
    Ok(dest)
}

/// The model a name means: the newest published one of that name, else (unless
/// `published_only`) the newest draft — the SDK registers models as drafts, so a name
/// alone must find them too.
async fn newest_by_name(
    client: &Client,
    name: &str,
    project: Option<&str>,
    published_only: bool,
) -> anyhow::Result<serde_json::Value> {
    let published = find_model(client, name, project, true).await;
    if published_only || published.is_ok() {
        return published;
    }
    find_model(client, name, project, false).await
}

/// Whether the file already at `dest` is the model's, and how that was checked. A file
/// counts only when verified: by the model's sha256; without one, only in the cache
/// (`in_cache`), by its size against the model's and the server's `Content-Length`. A file
/// the user named with `-o` is never taken on its size alone: we did not write it.
async fn verified_copy(
    client: &Client,
    url: &str,
    dest: &Path,
    expect: &files::Expect,
    bearer: Option<&str>,
    in_cache: bool,
) -> Option<&'static str> {
    let len = tokio::fs::metadata(dest)
        .await
        .ok()
        .filter(|m| m.is_file())?
        .len();
    if expect.size.is_some_and(|s| s != len) {
        return None;
    }
    if let Some(want) = &expect.sha256 {
        let have = files::sha256_file(dest).await.ok()?;
        return want
            .eq_ignore_ascii_case(&have)
            .then_some("sha256 verified");
    }
    if !in_cache {
        return None;
    }
    let mut head = client.http().head(url);
    if let Some(b) = bearer {
        head = head.bearer_auth(b);
    }
    let resp = head.send().await.ok()?;
    let server_len = resp
        .headers()
        .get(reqwest::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse::<u64>()
        .ok()?;
    (resp.status().is_success() && server_len == len).then_some("same size as on the server")
}

/// `-o PATH`: a directory gets the file's own name inside it.
fn output_target(out: &Path, source: &Path) -> PathBuf {
    if out.is_dir() {
        out.join(source.file_name().unwrap_or_default())
    } else {
        out.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_kinds() {
        assert_eq!(
            classify_uri("http://h/x").unwrap(),
            Source::Http("http://h/x".into())
        );
        assert_eq!(
            classify_uri("file:///tmp/a%20b.pt").unwrap(),
            Source::Local("/tmp/a b.pt".into())
        );
        let e = classify_uri("s3://bucket/m.pt").unwrap_err();
        assert_eq!(
            e.to_string().split(':').next().unwrap(),
            "downloading from s3"
        );
        assert!(e.to_string().contains("s3://bucket/m.pt"));
    }
}
