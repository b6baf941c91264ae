//! Which tasks an action touches: ids, unique id prefixes, exact names, or the filters of
//! `task list`. Everything is resolved before anything changes, so a typo in the fifth
//! argument leaves the first four untouched.

use serde_json::{Value, json};

use std::io::IsTerminal;

use super::query;
use crate::Ctx;
use crate::api::Client;
use crate::api::lookup;
use crate::cli::TaskSelectArgs;
use crate::error::CliError;
use crate::output::Listing;

/// The fields an action needs to show and report a task.
const PICK_FIELDS: &[&str] = &["id", "name", "status", "project.name"];

/// The shortest id prefix taken as a prefix (shorter hex words are names).
const MIN_PREFIX: usize = 6;

/// A selected task, as shown before and after the action.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    pub id: String,
    pub name: String,
    pub status: String,
    pub project: Option<String>,
}

impl Picked {
    fn from_value(t: &Value) -> Picked {
        let project = t
            .get("project")
            .map(query::ref_name)
            .filter(|p| !p.is_empty());
        Picked {
            id: t["id"].as_str().unwrap_or_default().to_string(),
            name: t["name"].as_str().unwrap_or_default().to_string(),
            status: t["status"].as_str().unwrap_or_default().to_string(),
            project,
        }
    }

    /// The 8-character id people read in tables.
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(8)]
    }
}

/// Whether any `task list` filter is set (the positional tasks aside).
fn has_filters(s: &TaskSelectArgs) -> bool {
    s.recursive
        || !s.status.is_empty()
        || !s.tag.is_empty()
        || s.name.is_some()
        || s.user.is_some()
        || s.since.is_some()
        || s.until.is_some()
        || s.older_than.is_some()
        || s.archived
}

/// The tasks `sel` names, in the order given (duplicates once). `archived_filter`: what
/// filters select when --archived is not given (`task unarchive` looks at archived ones).
pub async fn resolve(
    client: &Client,
    sel: &TaskSelectArgs,
    archived_filter: bool,
) -> anyhow::Result<Vec<Picked>> {
    if !sel.tasks.is_empty() {
        if has_filters(sel) {
            return Err(
                CliError::usage("give tasks by id/name or by filters, not both")
                    .with_hint("drop the TASK arguments to act on what the filters select")
                    .into(),
            );
        }
        let project = match &sel.project {
            Some(p) => Some(lookup::project_id(client, p).await?),
            None => None,
        };
        let mut picked: Vec<Picked> = Vec::new();
        for arg in &sel.tasks {
            for t in by_argument(client, arg.trim(), project.as_deref()).await? {
                if !picked.iter().any(|p| p.id == t.id) {
                    picked.push(t);
                }
            }
        }
        return Ok(picked);
    }
    if !has_filters(sel) && sel.project.is_none() {
        return Err(CliError::usage("no tasks given")
            .with_hint("name tasks by id, short id or name, or select them with filters (--project, --status, --older-than, ...)")
            .into());
    }
    let filters = filters(client, sel, archived_filter).await?;
    let body = query::list_body(&filters, &only());
    let tasks = client
        .get_all("tasks.get_all_ex", &body, "tasks", None)
        .await?;
    Ok(tasks.iter().map(Picked::from_value).collect())
}

fn only() -> Vec<String> {
    PICK_FIELDS.iter().map(|s| s.to_string()).collect()
}

async fn filters(
    client: &Client,
    sel: &TaskSelectArgs,
    archived_filter: bool,
) -> anyhow::Result<query::Filters> {
    let now = chrono::Utc::now();
    let bound = |s: &Option<String>| {
        s.as_deref()
            .map(|s| query::parse_time_bound(s, now))
            .transpose()
    };
    let older_than = match &sel.older_than {
        Some(d) => {
            let age = crate::parse_duration("--older-than", d)?;
            let cutoff = now - chrono::Duration::from_std(age).unwrap_or_default();
            Some(cutoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        }
        None => None,
    };
    let mut f = query::Filters {
        recursive: sel.recursive,
        status: sel.status.clone(),
        tags: sel.tag.clone(),
        name_regex: sel.name.clone(),
        archived: sel.archived || archived_filter,
        since: bound(&sel.since)?,
        until: bound(&sel.until)?,
        updated_before: older_than,
        ..Default::default()
    };
    if let Some(regex) = &f.name_regex {
        query::check_name_regex(regex)?;
    }
    if let Some(p) = &sel.project {
        f.project_ids = vec![lookup::project_id(client, p).await?];
    } else if sel.recursive {
        return Err(CliError::usage("--recursive needs --project").into());
    }
    if let Some(u) = &sel.user {
        f.user_ids = vec![lookup::user_id(client, u).await?];
    }
    Ok(f)
}

/// One TASK argument: a full id, else a unique id prefix, else every task of that exact name.
async fn by_argument(
    client: &Client,
    arg: &str,
    project: Option<&str>,
) -> anyhow::Result<Vec<Picked>> {
    if lookup::looks_like_id(arg) {
        let found = client
            .get_all(
                "tasks.get_all_ex",
                &json!({"id": [arg], "only_fields": PICK_FIELDS}),
                "tasks",
                Some(1),
            )
            .await?;
        if let Some(t) = found.first() {
            return Ok(vec![Picked::from_value(t)]);
        }
    } else if is_id_prefix(arg) {
        let prefix = arg.to_ascii_lowercase();
        let found = client
            .get_all(
                "tasks.get_all_ex",
                &json!({
                    "_any_": {"pattern": format!("^{prefix}"), "fields": ["id"]},
                    "only_fields": PICK_FIELDS,
                }),
                "tasks",
                None,
            )
            .await?;
        // Checked here too: a server that ignored the pattern must not select everything.
        let matching: Vec<Picked> = found
            .iter()
            .map(Picked::from_value)
            .filter(|t| t.id.to_ascii_lowercase().starts_with(&prefix))
            .collect();
        match matching.len() {
            0 => {}
            1 => return Ok(matching),
            n => {
                let some: Vec<&str> = matching.iter().take(5).map(|t| t.id.as_str()).collect();
                return Err(CliError::usage(format!(
                    "the id prefix '{arg}' matches {n} tasks ({}{})",
                    some.join(", "),
                    if n > 5 { ", ..." } else { "" }
                ))
                .with_hint("give more characters of the id")
                .into());
            }
        }
    }
    let mut body = json!({
        "name": lookup::exact_regex(arg),
        "only_fields": PICK_FIELDS,
        "order_by": ["-last_update"],
    });
    if let Some(p) = project {
        body["project"] = json!([p]);
    }
    let found = client
        .get_all("tasks.get_all_ex", &body, "tasks", None)
        .await?;
    let named: Vec<Picked> = found
        .iter()
        .map(Picked::from_value)
        .filter(|t| t.name == arg)
        .collect();
    if named.is_empty() {
        return Err(
            CliError::not_found(format!("no task with id, id prefix or name '{arg}'"))
                .with_hint("see 'clearml task list'; nothing was changed")
                .into(),
        );
    }
    Ok(named)
}

/// One task for a single-task command (`clone`, `edit`): by id, unique prefix, or name
/// (the latest updated of that name, with a warning when several share it).
pub async fn one(client: &Client, arg: &str) -> anyhow::Result<Picked> {
    let mut found = by_argument(client, arg.trim(), None).await?;
    // by_argument returns names newest first and never an empty list.
    if found.len() > 1 {
        lookup::warn_ambiguous("tasks", arg, &json!({"id": found[0].id}));
    }
    Ok(found.remove(0))
}

/// A hex word long enough to be read as an id prefix (the 8-character short ids).
pub fn is_id_prefix(s: &str) -> bool {
    (MIN_PREFIX..32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What the action will touch, on stderr, then a yes/no question on the terminal. Without
/// a terminal (a script, CI) the answer must come as --yes: exit 2, nothing changed.
pub fn confirm(ctx: &Ctx, what: &str, picked: &[Picked]) -> anyhow::Result<()> {
    const SHOWN: usize = 20;
    let mut listing = Listing::new(["id", "name", "status", "project"]);
    for t in picked.iter().take(SHOWN) {
        listing.push(
            vec![
                t.short_id().to_string(),
                t.name.clone(),
                t.status.clone(),
                t.project.clone().unwrap_or_default(),
            ],
            Value::Null,
        );
    }
    confirm_listing(ctx, what, &listing, picked.len().saturating_sub(SHOWN))
}

/// Ask on the terminal whether to `what`, after showing `listing` (and how many rows more
/// there are); without a terminal, refuse (exit 2, nothing changed).
pub fn confirm_listing(
    ctx: &Ctx,
    what: &str,
    listing: &Listing,
    more: usize,
) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(
            CliError::usage(format!("refusing to {what} without confirmation"))
                .with_hint(
                    "pass --yes to confirm (or --dry-run to see the list); nothing was changed",
                )
                .into(),
        );
    }
    eprintln!("{}", listing.to_table(ctx.out.color));
    if more > 0 {
        eprintln!("... and {more} more");
    }
    let theme: Box<dyn dialoguer::theme::Theme> = if ctx.out.color {
        Box::new(dialoguer::theme::ColorfulTheme::default())
    } else {
        Box::new(dialoguer::theme::SimpleTheme)
    };
    let yes = dialoguer::Confirm::with_theme(theme.as_ref())
        .with_prompt(format!("{}?", capitalize(what)))
        .default(false)
        .wait_for_newline(true)
        .interact()
        .map_err(|e| match e {
            dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => {
                anyhow::Error::new(CliError::new(
                    crate::error::Exit::Interrupted,
                    "interrupted; nothing changed",
                ))
            }
            dialoguer::Error::IO(io) => {
                anyhow::Error::new(io).context("cannot read from the terminal")
            }
        })?;
    if yes {
        Ok(())
    } else {
        Err(CliError::failure(format!("not confirmed: did not {what}; nothing changed")).into())
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_hex_words_of_six_to_31_characters() {
        assert!(is_id_prefix("6aab12cd"));
        assert!(is_id_prefix("ABCDEF"));
        assert!(!is_id_prefix("abcde"), "too short: a name");
        assert!(!is_id_prefix("train-model"));
        assert!(!is_id_prefix(&"a".repeat(32)), "a full id");
    }

    #[test]
    fn picked_reads_the_projection() {
        let t = json!({"id": "0123456789abcdef0123456789abcdef", "name": "Обучение",
                       "status": "created", "project": {"id": "p", "name": "Проект"}});
        let p = Picked::from_value(&t);
        assert_eq!(p.short_id(), "01234567");
        assert_eq!(p.project.as_deref(), Some("Проект"));
        assert_eq!(p.name, "Обучение");
        let bare = Picked::from_value(&json!({"id": "x"}));
        assert_eq!(bare.project, None);
    }

    #[test]
    fn tasks_and_filters_do_not_mix_and_nothing_selects_nothing() {
        let sel = TaskSelectArgs {
            tasks: vec!["a".into()],
            status: vec!["failed".into()],
            ..Default::default()
        };
        assert!(has_filters(&sel));
        assert!(!has_filters(&TaskSelectArgs::default()));
    }
}
