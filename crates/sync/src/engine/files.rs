//! Files moved from the source's file server to the target's, each once.

use super::*;

impl<S: Source> Engine<'_, S> {
    // ------------------------------------------------------------ files

    /// Where a source file will live on the target (unchanged when it is not the
    /// source file server's, or files are not copied).
    pub(super) fn planned_url(&self, url: &str) -> String {
        match file_path(url, self.src.files_host()) {
            Some(path) if self.opts.with_files && !self.dst.files_host.is_empty() => {
                file_url(&self.dst.files_host, &path)
            }
            _ => url.to_string(),
        }
    }

    /// Copy one file from the source's file server to the target's; its target URL.
    pub(super) async fn copy_file(&self, url: &str) -> anyhow::Result<String> {
        let Some(path) = file_path(url, self.src.files_host()) else {
            return Ok(url.to_string());
        };
        if !self.opts.with_files {
            return Ok(url.to_string());
        }
        if let Some(done) = self.state.borrow().files.get(url) {
            return Ok(done.clone());
        }
        if self.dst.files_host.is_empty() {
            return Err(SyncError::unusable("the target has no file server configured")
                .with_hint("set api.files_server in the target's clearml.conf (or CLEARML_FILES_HOST), or use --metadata-only")
                .into());
        }
        if self.opts.dry_run {
            let size = self.src.file_size(url).await.unwrap_or(0);
            let mut r = self.report.borrow_mut();
            r.counts.files += 1;
            r.counts.bytes += size;
            return Ok(self.planned_url(url));
        }
        let seq = self.file_seq.get() + 1;
        self.file_seq.set(seq);
        let local = self.tmp.join(format!("file-{seq}"));
        let size = match self.src.fetch_file(url, &local).await {
            Ok(size) => size,
            Err(e) if kind_of(&e) == Some(Kind::AuthRefused) => return Err(e),
            Err(e) => {
                let _ = std::fs::remove_file(&local);
                return Err(SourceFileMissing(one_line(&e)).into());
            }
        };
        let bearer = self
            .dst
            .client
            .bearer()
            .await
            .map_err(clearml_api::into_anyhow)?;
        let up = clearml_api::files::upload(
            self.dst.client.http(),
            &self.dst.files_host,
            &path,
            &local,
            Some(&bearer),
            false,
            self.dst.client.request_timeout(),
        )
        .await;
        let _ = std::fs::remove_file(&local);
        let up = up?;
        self.state
            .borrow_mut()
            .files
            .insert(url.to_string(), up.url.clone());
        let mut r = self.report.borrow_mut();
        r.counts.files += 1;
        r.counts.bytes += size;
        Ok(up.url)
    }

    /// [`Engine::copy_file`] for a file of source object `owner` (kind, id, name): one the
    /// source cannot give is listed as the source's (the copy keeps the source's URL and
    /// the owner is not marked done, so a later run tries again); the rest goes on.
    pub(super) async fn copy_file_of(
        &self,
        url: &str,
        owner: (&'static str, &str, &str),
    ) -> anyhow::Result<String> {
        match self.copy_file(url).await {
            Err(e) if e.is::<SourceFileMissing>() => {
                let (kind, id, name) = owner;
                self.incomplete.borrow_mut().insert(id.to_string());
                self.report.borrow_mut().skipped.push(Skipped {
                    kind: "file",
                    id: url.to_string(),
                    name: format!("of {kind} '{name}' ({id})"),
                    reason: format!("the source cannot give it: {e}"),
                });
                Ok(url.to_string())
            }
            other => other,
        }
    }
}
