//! `task list`: filters, pages past the server's cap, columns.

use super::{query, rows, select};
use crate::api::Client;
use crate::cli::TaskListArgs;
use crate::output::{Format, JsonArray, Listing};
use clearml_cmd_core::Ctx;
use serde_json::value::RawValue;

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
    // Rows are made page by page while the later pages are still on their way, and each
    // page is dropped once made. `--json` makes each task's object from its text in the
    // answer (no value built, no table cells, no dates formatted); nothing is printed
    // unless every page arrived.
    let count = if ctx.out.format == Format::Json {
        let plan = rows::JsonRows::new(&columns);
        let mut out = JsonArray::default();
        let row = |task: &RawValue| plan.make(task);
        client
            .get_all_pages_with("tasks.get_all_ex", &body, "tasks", limit, row, |page| {
                page.iter().for_each(|made| out.push_made(made))
            })
            .await?;
        ctx.out.json_array(&out);
        out.len()
    } else {
        let mut listing = Listing::new(columns.iter().map(|c| c.header()));
        client
            .get_all_pages("tasks.get_all_ex", &body, "tasks", limit, |page| {
                for t in &page {
                    let (row, json) = rows::row_json(t, &columns);
                    listing.push(row, json);
                }
            })
            .await?;
        ctx.out.listing(&listing);
        listing.rows.len()
    };
    if !a.all && count == a.limit {
        ctx.out.info(format!(
            "(first {} tasks; --all for every one, --limit N for more)",
            a.limit
        ));
    }
    Ok(())
}
