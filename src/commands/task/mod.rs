//! `task list|show|compare|wait`: one file per verb; the pure parts (query building,
//! comparison rows) in modules of their own; the charts are `crate::chart`.

pub mod compare;
pub mod comparison;
pub mod json;
pub mod list;
pub mod query;
pub mod show;
pub mod wait;

use super::Ctx;
use crate::api::Client;
use crate::cli::TaskCommand;
use crate::config::Settings;

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
    }
}
