//! `pipeline run|status|list|schedule|stats`: a TOML pipeline run on ClearML agents, and the runs the
//! server holds (ours and the SDK's PipelineController's alike). One file per verb.

pub mod json;
pub mod list;
pub mod run;
pub mod schedule;
pub mod stats;
pub mod status;

use clearml_cmd_core::{api, chart, cli, config, error, notify, output};
use clearml_pipeline as pipeline;

use crate::api::Client;
use crate::cli::PipelineCommand;
use crate::config::Settings;
use clearml_cmd_core::Ctx;

pub async fn run(ctx: &Ctx, cmd: PipelineCommand) -> anyhow::Result<()> {
    match cmd {
        PipelineCommand::Run(a) => run::run(ctx, a).await,
        PipelineCommand::Status(a) => status::run(ctx, a).await,
        PipelineCommand::List(a) => list::run(ctx, a).await,
        PipelineCommand::Schedule(a) => schedule::run(ctx, a).await,
        PipelineCommand::Stats(a) => stats::run(ctx, a).await,
    }
}

fn client(ctx: &Ctx) -> anyhow::Result<(Client, Settings)> {
    let settings = Settings::load(&ctx.config)?;
    Ok((Client::from_settings(&settings)?, settings))
}
