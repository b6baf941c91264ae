//! `server up|down|status|logs|doctor|backup|restore|render`: the official stack.
use super::Ctx;
use crate::cli::{RenderFormat, ServerCommand};
use crate::stack::{render, spec::Stack};

pub async fn run(ctx: &Ctx, cmd: ServerCommand) -> anyhow::Result<()> {
    match cmd {
        ServerCommand::Render(args) => {
            let stack = Stack::resolve(&args.stack)?;
            let text = match args.render_format {
                RenderFormat::Compose => render::compose(&stack),
                RenderFormat::HelmValues => render::helm_values(&stack),
            };
            print!("{text}");
            Ok(())
        }
        other => {
            let _ = ctx;
            anyhow::bail!("clearml server {other:?} is not implemented yet")
        }
    }
}
