//! `model list|show|publish|pull`: one file per verb.

pub mod json;
pub mod list;
pub mod publish;
pub mod pull;
pub mod show;

use clearml_cmd_core::{api, cli, config, error, files, output};

use crate::api::Client;
use crate::cli::ModelCommand;
use crate::config::Settings;
use clearml_cmd_core::Ctx;

pub async fn run(ctx: &Ctx, cmd: ModelCommand) -> anyhow::Result<()> {
    let settings = Settings::load(&ctx.config)?;
    let client = Client::from_settings(&settings)?;
    match cmd {
        ModelCommand::List(a) => list::run(ctx, &client, a).await,
        ModelCommand::Show { model, project } => {
            show::run(ctx, &client, &model, project.as_deref()).await
        }
        ModelCommand::Publish(a) => publish::run(ctx, &client, &settings, a).await,
        ModelCommand::Pull(a) => pull::run(ctx, &client, &settings, a).await,
    }
}
