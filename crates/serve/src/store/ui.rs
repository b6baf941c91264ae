//! Queries only the web UI needs: figures per project the API has no call for.

use super::Store;
use super::error::StoreResult;
use std::collections::HashMap;

/// What the projects page shows of a project beyond `projects.get_all_ex`'s stats.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProjectActivity {
    /// Models of the project, archived ones left out.
    pub models: usize,
    /// The newest `last_update` of its tasks (ISO text, as stored).
    pub last_task_update: Option<String>,
}

/// `system_tags` (a JSON array column) does not hold "archived".
const NOT_ARCHIVED: &str =
    "NOT EXISTS (SELECT 1 FROM json_each(coalesce(system_tags, '[]')) WHERE value = 'archived')";

impl Store {
    /// Per project id: its model count and when its tasks last changed.
    pub fn project_activity(&self) -> StoreResult<HashMap<String, ProjectActivity>> {
        let mut out: HashMap<String, ProjectActivity> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT project, COUNT(*) FROM models WHERE project IS NOT NULL AND {NOT_ARCHIVED} GROUP BY project"
        ))?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (p, n) = row?;
            out.entry(p).or_default().models = n as usize;
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT project, MAX(last_update) FROM tasks WHERE project IS NOT NULL GROUP BY project",
        )?;
        for row in stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })? {
            let (p, t) = row?;
            out.entry(p).or_default().last_task_update = t;
        }
        Ok(out)
    }
}
