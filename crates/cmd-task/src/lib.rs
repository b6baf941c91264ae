//! `task list|show|compare|wait`, the actions (`bulk`: enqueue, abort, delete, ... on a
//! selection), `clone` and `edit`: one file per verb; the pure parts (query building,
//! comparison rows) in modules of their own; the charts are `crate::chart`.

pub mod bulk;
pub mod clone;
pub mod compare;
pub mod comparison;
pub mod edit;
pub mod launch;
pub mod list;
pub mod show;
pub mod wait;

pub mod queue;

pub use clearml_cmd_core::task::{json, logs, query, rows, select};
use clearml_cmd_core::{api, chart, cli, config, error, notify, output};

use crate::api::Client;
use crate::cli::TaskCommand;
use crate::config::Settings;
use bulk::Action;
use clearml_cmd_core::Ctx;

pub async fn run(ctx: &Ctx, cmd: TaskCommand) -> anyhow::Result<()> {
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    match cmd {
        TaskCommand::List(args) => list::run(ctx, &client, args).await,
        TaskCommand::Show { task, project } => {
            show::run(ctx, &client, &task, project.as_deref()).await
        }
        TaskCommand::Compare(args) => compare::run(ctx, &client, args).await,
        TaskCommand::Wait(args) => wait::run(ctx, &client, args).await,
        TaskCommand::Logs(args) => logs::run(ctx, &client, args).await,
        TaskCommand::Clone(args) => clone::run(ctx, &client, args).await,
        TaskCommand::Edit(args) => edit::run(ctx, &client, args).await,
        TaskCommand::Launch(args) => launch::run(ctx, &client, args).await,
        TaskCommand::Enqueue { select, queue } => {
            let queue = match queue {
                Some(q) => Some(bulk::queue_id(&client, &q).await?),
                None => None,
            };
            bulk::run(ctx, &client, select, Action::Enqueue { queue }).await
        }
        TaskCommand::Dequeue { select } => bulk::run(ctx, &client, select, Action::Dequeue).await,
        TaskCommand::Abort { select, force } => {
            bulk::run(ctx, &client, select, Action::Abort { force }).await
        }
        TaskCommand::Reset {
            select,
            force,
            clear_all,
        } => bulk::run(ctx, &client, select, Action::Reset { force, clear_all }).await,
        TaskCommand::Archive { select } => bulk::run(ctx, &client, select, Action::Archive).await,
        TaskCommand::Unarchive { select } => {
            bulk::run(ctx, &client, select, Action::Unarchive).await
        }
        TaskCommand::Publish { select, force } => {
            bulk::run(ctx, &client, select, Action::Publish { force }).await
        }
        TaskCommand::Delete { select, force } => {
            bulk::run(ctx, &client, select, Action::Delete { force }).await
        }
        TaskCommand::Tag {
            select,
            add,
            remove,
        } => {
            if add.is_empty() && remove.is_empty() {
                return Err(crate::error::CliError::usage("nothing to tag")
                    .with_hint("give --add TAG and/or --remove TAG")
                    .into());
            }
            bulk::run(ctx, &client, select, Action::Tag { add, remove }).await
        }
        TaskCommand::Move { select, to } => {
            let target = bulk::move_target(&client, &to).await?;
            bulk::run(ctx, &client, select, Action::Move { target }).await
        }
    }
}
