//! `task list`: filters, pages past the server's cap, columns.

use super::{query, select};
use crate::api::Client;
use crate::cli::TaskListArgs;
use crate::output::Listing;
use clearml_cmd_core::Ctx;

pub async fn run(ctx: &Ctx, client: &Client, a: TaskListArgs) -> anyhow::Result<()> {
    let columns = query::parse_columns(&a.columns)?;
    let mut filters = select::filters_of(&a.filter, chrono::Utc::now())?;
    filters.types = a.task_type;
    filters.search = a.search;
    filters.order_by = query::order_by(a.sort.as_deref())?;
    select::find_named(client, a.project.as_deref(), &a.filter, &mut filters).await?;
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
