//! `task list`: filters, pages past the server's cap, columns.

use super::query;
use crate::api::Client;
use crate::api::lookup;
use crate::cli::TaskListArgs;
use crate::error::CliError;
use crate::output::Listing;
use clearml_cmd_core::Ctx;

pub async fn run(ctx: &Ctx, client: &Client, a: TaskListArgs) -> anyhow::Result<()> {
    let columns = query::parse_columns(&a.columns)?;
    let now = chrono::Utc::now();
    let mut filters = query::Filters {
        recursive: a.recursive,
        status: a.status,
        types: a.task_type,
        tags: a.tag,
        name_regex: a.name,
        search: a.search,
        archived: a.archived,
        since: a
            .since
            .as_deref()
            .map(|s| query::parse_time_bound(s, now))
            .transpose()?,
        until: a
            .until
            .as_deref()
            .map(|s| query::parse_time_bound(s, now))
            .transpose()?,
        order_by: query::order_by(a.sort.as_deref())?,
        ..Default::default()
    };
    if let Some(regex) = &filters.name_regex {
        query::check_name_regex(regex)?;
    }
    if let Some(p) = &a.project {
        filters.project_ids = vec![lookup::project_id(client, p).await?];
    } else if a.recursive {
        return Err(CliError::usage("--recursive needs --project").into());
    }
    if let Some(u) = &a.user {
        filters.user_ids = vec![lookup::user_id(client, u).await?];
    }
    let only = query::only_fields(&columns);
    let body = query::list_body(&filters, &only);
    let limit = if a.all { None } else { Some(a.limit) };
    let tasks = client
        .get_all("tasks.get_all_ex", &body, "tasks", limit)
        .await?;
    let count = tasks.len();
    let mut listing = Listing::new(columns.iter().map(|c| c.header()));
    for t in tasks {
        let (row, json) = query::row_json(&t, &columns);
        listing.push(row, json);
    }
    ctx.out.listing(&listing);
    if !a.all && count == a.limit {
        ctx.out.info(format!(
            "(first {} tasks; --all for every one, --limit N for more)",
            a.limit
        ));
    }
    Ok(())
}
