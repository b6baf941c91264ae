//! Where a copy reads from: a live server over the public API ([`ApiSource`]) or an
//! unpacked export archive (`archive::ArchiveSource`); the engine sees only [`Source`].

use std::path::Path;

use serde_json::{Value, json};

use super::Endpoint;

/// Events asked for per scroll page.
const EVENTS_PAGE: usize = 2000;

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
        event_total(&self.end.client, task).await
    }

    async fn events(&self, task: &str) -> anyhow::Result<Vec<Value>> {
        all_events(&self.end.client, task).await
    }

    async fn fetch_file(&self, url: &str, dest: &Path) -> anyhow::Result<u64> {
        let bearer = self
            .end
            .client
            .bearer()
            .await
            .map_err(crate::api::into_anyhow)?;
        let got = crate::files::download(
            self.end.client.http(),
            url,
            dest,
            Some(&bearer),
            &crate::files::Expect::default(),
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
        resp.status()
            .is_success()
            .then(|| resp.content_length())
            .flatten()
    }
}

/// How many events a task has on the server `client` talks to.
pub async fn event_total(client: &crate::api::Client, task: &str) -> anyhow::Result<u64> {
    let data = client
        .call(
            "events.get_task_events",
            &json!({"task": task, "batch_size": 1, "order": "asc"}),
        )
        .await?;
    Ok(data["total"].as_u64().unwrap_or(0))
}

/// Every event of a task, oldest first, through the events scroll.
pub async fn all_events(client: &crate::api::Client, task: &str) -> anyhow::Result<Vec<Value>> {
    let mut events = Vec::new();
    let mut scroll: Option<String> = None;
    loop {
        let mut body = json!({"task": task, "batch_size": EVENTS_PAGE, "order": "asc"});
        if let Some(s) = &scroll {
            body["scroll_id"] = json!(s);
        }
        let mut data = client.call("events.get_task_events", &body).await?;
        let batch = match data.get_mut("events").map(Value::take) {
            Some(Value::Array(v)) => v,
            _ => Vec::new(),
        };
        if batch.is_empty() {
            break;
        }
        events.extend(batch);
        scroll = data["scroll_id"].as_str().map(str::to_string);
        // A total under the real server's cap is exact: stop there, so a server that
        // ignored the scroll id cannot keep this reading the first page forever.
        let total = data["total"].as_u64().unwrap_or(u64::MAX);
        if scroll.is_none() || (total < 10_000 && events.len() as u64 >= total) {
            break;
        }
    }
    if scroll.is_some() {
        // Free the server's scroll early (it would expire on its own).
        let _ = client
            .call("events.clear_scroll", &json!({"scroll_id": scroll}))
            .await;
    }
    Ok(events)
}
