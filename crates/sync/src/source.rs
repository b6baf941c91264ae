//! Where a copy reads from: a live server over the public API ([`ApiSource`]) or an
//! unpacked export archive (`archive::ArchiveSource`); the engine sees only [`Source`].

use std::path::Path;

use serde_json::{Value, json};

use super::Endpoint;
use super::events::Cursor;

/// Read access to everything a copy needs.
#[allow(async_fn_in_trait)] // used through generics on one thread, never as dyn or Send
pub trait Source {
    /// The source's API URL (for an archive: the server it was exported from).
    fn origin(&self) -> &str;
    /// The file server whose URLs are copied with the data.
    fn files_host(&self) -> &str;
    /// Every project, hidden ones too: id, name, description, tags, system_tags.
    async fn projects(&self) -> anyhow::Result<Vec<Value>>;
    /// Every task in these projects, all fields.
    async fn tasks(&self, project_ids: &[String]) -> anyhow::Result<Vec<Value>>;
    /// Models in these projects, and those with these ids wherever they are.
    async fn models(&self, project_ids: &[String], ids: &[String]) -> anyhow::Result<Vec<Value>>;
    /// Every queue: id and name.
    async fn queues(&self) -> anyhow::Result<Vec<Value>>;
    /// How many events the task has (the real server stops counting at 10,000).
    async fn event_total(&self, task: &str) -> anyhow::Result<u64>;
    /// Every event of the task, oldest first.
    async fn events(&self, task: &str) -> anyhow::Result<Vec<Value>>;
    /// The next page of the task's events (empty: all read); `cursor` starts as
    /// [`Cursor::new`]. By default everything at once, from [`Source::events`].
    async fn next_events(&self, task: &str, cursor: &mut Cursor) -> anyhow::Result<Vec<Value>> {
        if std::mem::replace(&mut cursor.started, true) {
            return Ok(Vec::new());
        }
        self.events(task).await
    }
    /// Copy the file at `url` (on [`Source::files_host`]) to `dest`; its size.
    async fn fetch_file(&self, url: &str, dest: &Path) -> anyhow::Result<u64>;
    /// The size of the file at `url`, when known without fetching it.
    async fn file_size(&self, url: &str) -> Option<u64>;
}

/// A live server.
pub struct ApiSource<'a> {
    pub end: &'a Endpoint,
}

impl Source for ApiSource<'_> {
    fn origin(&self) -> &str {
        self.end.client.api_host()
    }

    fn files_host(&self) -> &str {
        &self.end.files_host
    }

    async fn projects(&self) -> anyhow::Result<Vec<Value>> {
        self.end
            .client
            .get_all(
                "projects.get_all",
                &json!({"search_hidden": true,
                        "only_fields": ["id", "name", "description", "tags", "system_tags"]}),
                "projects",
                None,
            )
            .await
    }

    async fn tasks(&self, project_ids: &[String]) -> anyhow::Result<Vec<Value>> {
        if project_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut all = Vec::new();
        // A bounded id list per query: a query string stays small on any server.
        for chunk in project_ids.chunks(100) {
            all.extend(
                self.end
                    .client
                    .get_all(
                        "tasks.get_all",
                        &json!({"project": chunk, "search_hidden": true, "order_by": ["created"]}),
                        "tasks",
                        None,
                    )
                    .await?,
            );
        }
        Ok(all)
    }

    async fn models(&self, project_ids: &[String], ids: &[String]) -> anyhow::Result<Vec<Value>> {
        let mut all: Vec<Value> = Vec::new();
        for chunk in project_ids.chunks(100) {
            all.extend(
                self.end
                    .client
                    .get_all("models.get_all", &json!({"project": chunk}), "models", None)
                    .await?,
            );
        }
        let missing: Vec<&String> = ids
            .iter()
            .filter(|id| !all.iter().any(|m| m["id"].as_str() == Some(id.as_str())))
            .collect();
        for chunk in missing.chunks(100) {
            all.extend(
                self.end
                    .client
                    .get_all("models.get_all", &json!({"id": chunk}), "models", None)
                    .await?,
            );
        }
        Ok(all)
    }

    async fn queues(&self) -> anyhow::Result<Vec<Value>> {
        self.end
            .client
            .get_all(
                "queues.get_all",
                &json!({"only_fields": ["id", "name"]}),
                "queues",
                None,
            )
            .await
    }

    async fn event_total(&self, task: &str) -> anyhow::Result<u64> {
        super::events::event_total(&self.end.client, task).await
    }

    async fn events(&self, task: &str) -> anyhow::Result<Vec<Value>> {
        let mut all = Vec::new();
        let mut cursor = Cursor::new();
        loop {
            let page = self.next_events(task, &mut cursor).await?;
            if page.is_empty() {
                return Ok(all);
            }
            all.extend(page);
        }
    }

    async fn next_events(&self, task: &str, cursor: &mut Cursor) -> anyhow::Result<Vec<Value>> {
        super::events::next_page(&self.end.client, task, cursor).await
    }

    async fn fetch_file(&self, url: &str, dest: &Path) -> anyhow::Result<u64> {
        let bearer = self
            .end
            .client
            .bearer()
            .await
            .map_err(clearml_api::into_anyhow)?;
        let got = clearml_api::files::download(
            self.end.client.http(),
            url,
            dest,
            Some(&bearer),
            &clearml_api::files::Expect::default(),
            false,
        )
        .await?;
        Ok(got.size)
    }

    async fn file_size(&self, url: &str) -> Option<u64> {
        let bearer = self.end.client.bearer().await.ok()?;
        let resp = self
            .end
            .client
            .http()
            .head(url)
            .bearer_auth(bearer)
            .send()
            .await
            .ok()?;
        // The header itself: reqwest's content_length() is the body's length, 0 for HEAD.
        resp.status()
            .is_success()
            .then(|| resp.headers().get(reqwest::header::CONTENT_LENGTH))
            .flatten()
            .and_then(|v| v.to_str().ok()?.trim().parse().ok())
    }
}
