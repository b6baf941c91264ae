//! The `--json` shapes of `clearml sync|export|import`, documented in docs/json-output.md.

use serde::{Deserialize, Serialize};

use clearml_sync::{Counts, Report};

/// `sync --json` and `import --json`: what was copied (or, with `--dry-run`, would be).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub dry_run: bool,
    pub projects_created: u64,
    pub queues_created: u64,
    pub tasks: ObjectCounts,
    pub models: ObjectCounts,
    pub events: u64,
    pub files: u64,
    pub bytes: u64,
    pub seconds: f64,
    /// Objects the target refused (or that could not be read), with the reason.
    pub skipped: Vec<SkippedObject>,
    /// What could not be reproduced exactly, with how often it happened.
    pub notes: Vec<Note>,
    /// The state file used (none in a dry run).
    pub state_file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectCounts {
    /// New on the target.
    pub copied: u64,
    /// Copied before and changed since.
    pub updated: u64,
    pub unchanged: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedObject {
    /// project, task or model.
    pub kind: String,
    /// The source id.
    pub id: String,
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub note: String,
    pub count: u64,
}

/// `export --json`: what went into the archive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exported {
    pub archive: String,
    pub tasks: u64,
    pub models: u64,
    pub events: u64,
    pub files: u64,
    /// Bytes of the files (before compression).
    pub bytes: u64,
    /// Size of the archive.
    pub archive_bytes: u64,
    pub seconds: f64,
}

impl Summary {
    pub fn from_report(r: &Report, dry_run: bool, state: Option<&std::path::Path>) -> Summary {
        let c: &Counts = &r.counts;
        Summary {
            dry_run,
            projects_created: c.projects_created,
            queues_created: c.queues_created,
            tasks: ObjectCounts {
                copied: c.tasks_copied,
                updated: c.tasks_updated,
                unchanged: c.tasks_unchanged,
            },
            models: ObjectCounts {
                copied: c.models_copied,
                updated: c.models_updated,
                unchanged: c.models_unchanged,
            },
            events: c.events,
            files: c.files,
            bytes: c.bytes,
            seconds: (r.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            skipped: r
                .skipped
                .iter()
                .map(|s| SkippedObject {
                    kind: s.kind.to_string(),
                    id: s.id.clone(),
                    name: s.name.clone(),
                    reason: s.reason.clone(),
                })
                .collect(),
            notes: r
                .notes
                .iter()
                .map(|(note, count)| Note {
                    note: note.clone(),
                    count: *count,
                })
                .collect(),
            state_file: state.map(|p| p.display().to_string()),
        }
    }

    /// The human-readable summary (stdout).
    pub fn text(&self) -> String {
        use super::human_bytes;
        let verb = if self.dry_run { "would copy" } else { "copied" };
        let mut out = format!(
            "{verb}: {} new task(s), {} changed ({} unchanged); {} new model(s), {} changed ({} unchanged); {} event(s); {} file(s), {}; {} project(s) and {} queue(s) created; {:.1} s\n",
            self.tasks.copied,
            self.tasks.updated,
            self.tasks.unchanged,
            self.models.copied,
            self.models.updated,
            self.models.unchanged,
            self.events,
            self.files,
            human_bytes(self.bytes),
            self.projects_created,
            self.queues_created,
            self.seconds,
        );
        for s in &self.skipped {
            out.push_str(&format!(
                "skipped {} '{}' ({}): {}\n",
                s.kind,
                crate::output::escape_control(&s.name),
                s.id,
                s.reason
            ));
        }
        for n in &self.notes {
            out.push_str(&format!("note: {} ({}x)\n", n.note, n.count));
        }
        if let Some(state) = &self.state_file {
            out.push_str(&format!("state: {state}\n"));
        }
        out
    }
}
