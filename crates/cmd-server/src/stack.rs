//! `server up|down|status|logs|doctor|backup|restore|render`: the official stack.
use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use crate::cli::{
    BackupArgs, DoctorArgs, DownArgs, LogsArgs, RenderArgs, RenderFormat, RestoreArgs, StackArgs,
    UpArgs,
};
use crate::error::CliError;
use clearml_cmd_core::Ctx;
use clearml_stack::doctor::{self, Level};
use clearml_stack::{backup, docker, lifecycle, online, render, spec::Stack, spec::StackChoices};

/// The stack flags as the stack layer takes them.
pub(crate) fn choices(a: &StackArgs) -> StackChoices {
    StackChoices {
        data_dir: a.data_dir.clone(),
        server_version: a.server_version.clone(),
        images: a.images.clone(),
        registry: a.registry.clone(),
        bind: a.bind.clone(),
        ports: a.ports.clone(),
        env: a.env.clone(),
        with_agent_services: a.with_agent_services,
    }
}

pub fn render(args: RenderArgs) -> anyhow::Result<()> {
    let stack = Stack::resolve(&choices(&args.stack))?;
    let text = match args.render_format {
        RenderFormat::Compose => render::compose(&stack),
        RenderFormat::HelmValues => render::helm_values(&stack),
    };
    print!("{text}");
    Ok(())
}

pub async fn doctor(ctx: &Ctx, args: DoctorArgs) -> anyhow::Result<()> {
    let engine = docker::connect().await;
    let stack = lifecycle::resolve(&choices(&args.stack), engine.as_ref().ok()).await?;
    let mut findings = doctor::check(
        engine.as_ref().map_err(crate::error::one_line),
        &stack,
        args.fix,
    )
    .await;
    if let Ok(e) = &engine {
        let running = doctor::check_running(e, &stack, args.fix, &findings).await;
        findings.extend(running);
    }
    doctor::print(&findings, &ctx.out);
    let failed = findings.iter().filter(|f| f.level == Level::Fail).count();
    if failed > 0 {
        return Err(CliError::failure(format!("{failed} check(s) failed"))
            .with_hint("apply the fixes above (some with 'clearml server doctor --fix')")
            .into());
    }
    Ok(())
}

pub async fn status(ctx: &Ctx, args: StackArgs) -> anyhow::Result<()> {
    let engine = docker::connect().await?;
    let stack = lifecycle::resolve(&choices(&args), Some(&engine)).await?;
    let (healthy, present) = lifecycle::status(&engine, &stack, &ctx.out).await?;
    if healthy {
        Ok(())
    } else if present == 0 {
        Err(CliError::failure("the stack is not running")
            .with_hint("start it with 'clearml server up'")
            .into())
    } else {
        Err(CliError::failure("the stack is degraded")
            .with_hint("see 'clearml server logs SERVICE' for the services not ready, or run 'clearml server up'")
            .into())
    }
}

pub async fn logs(args: LogsArgs) -> anyhow::Result<()> {
    let engine = docker::connect().await?;
    let stack = lifecycle::resolve(&choices(&args.stack), Some(&engine)).await?;
    lifecycle::logs(
        &engine,
        &stack,
        &args.services,
        args.follow,
        args.tail,
        args.since.as_deref(),
    )
    .await
}

pub async fn backup(ctx: &Ctx, args: BackupArgs) -> anyhow::Result<()> {
    if args.dry_run {
        ctx.out.info(if args.online {
            format!(
                "dry run: would dump MongoDB, save Redis and snapshot Elasticsearch inside their running containers, copy the file server's folder live, and write {}",
                args.out.display()
            )
        } else {
            format!(
                "dry run: would stop the stack, write {} and start it again",
                args.out.display()
            )
        });
        if let Some(keep) = args.keep {
            for p in backup::prune_candidates(&args.out, keep as usize)? {
                println!("{}", p.display());
                ctx.out.info(format!(
                    "dry run: --keep {keep} would delete {}",
                    p.display()
                ));
            }
        }
        return Ok(());
    }
    let engine = docker::connect().await?;
    let stack = lifecycle::resolve(&choices(&args.stack), Some(&engine)).await?;
    let version = lifecycle::server_version(&stack).await;
    let manifest = if args.online {
        online::backup(&engine, &stack, &args.out, &version, &ctx.out).await?
    } else {
        offline_backup(ctx, &engine, &stack, &args, version).await?
    };
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    // Only once the new archive is complete: older ones of its series beyond --keep go.
    let mut pruned = Vec::new();
    if let Some(keep) = args.keep {
        for p in backup::prune_candidates(&args.out, keep as usize)? {
            match std::fs::remove_file(&p) {
                Ok(()) => {
                    ctx.out
                        .info(format!("--keep {keep}: deleted {}", p.display()));
                    pruned.push(p);
                }
                Err(e) => ctx.out.warn(format!(
                    "--keep {keep}: cannot delete {} ({e})",
                    p.display()
                )),
            }
        }
    }
    if ctx.out.format == crate::output::Format::Json {
        let done = crate::json::BackupDone {
            file: args.out.clone(),
            bytes: size,
            files: manifest.files.len(),
            server_version: manifest.server_version.clone(),
            created: manifest.created.clone(),
            online: manifest.online,
            pruned,
        };
        ctx.out.json(&crate::output::shape_value(&done));
    } else {
        println!("{}", args.out.display());
        ctx.out.info(format!(
            "{}backup of server {} ({} files, {} bytes)",
            if manifest.online { "online " } else { "" },
            manifest.server_version,
            manifest.files.len(),
            size
        ));
    }
    Ok(())
}

/// Stop the stack, archive the data dir, start it again.
async fn offline_backup(
    ctx: &Ctx,
    engine: &docker::Engine,
    stack: &Stack,
    args: &BackupArgs,
    version: String,
) -> anyhow::Result<backup::Manifest> {
    let stopped = lifecycle::stop_running(engine, stack).await?;
    if !stopped.is_empty() {
        ctx.out.info(format!(
            "stopped {} services for a consistent backup",
            stopped.len()
        ));
    }
    let (data_dir, out_path, project) = (
        stack.data_dir.clone(),
        args.out.clone(),
        stack.project.clone(),
    );
    then_start_again(engine, stack, &stopped, ctx, move || {
        backup::write_archive(&data_dir, &out_path, &version, &project)
    })
    .await
}

pub async fn restore(ctx: &Ctx, args: RestoreArgs) -> anyhow::Result<()> {
    let engine = docker::connect().await?;
    let stack = lifecycle::resolve(&choices(&args.stack), Some(&engine)).await?;
    let file = args.file.clone();
    let manifest = tokio::task::spawn_blocking(move || backup::read_manifest(&file)).await??;
    if let Some(warning) = backup::check_upgrade_path(&manifest.server_version, &stack.version)? {
        ctx.out.warn(warning);
    }
    let has_data = std::fs::read_dir(&stack.data_dir).is_ok_and(|mut d| d.next().is_some());
    if has_data {
        confirm_typed(
            args.yes,
            &format!("replace {}", stack.data_dir.display()),
            &format!(
                "Replace {} with the backup of server {} made {}? Type 'restore' to confirm: ",
                stack.data_dir.display(),
                manifest.server_version,
                manifest.created
            ),
            "restore",
            "not confirmed; nothing changed",
        )?;
    }
    if manifest.online {
        online::restore(&engine, &stack, &args.file, &manifest, &ctx.out).await?;
        ctx.out.info(format!(
            "restored the online backup of server {} ({} files, MongoDB dump, Elasticsearch snapshot {}) into {}",
            manifest.server_version,
            manifest.files.len(),
            manifest.es_snapshot.as_deref().unwrap_or("?"),
            stack.data_dir.display()
        ));
        return Ok(());
    }
    let stopped = lifecycle::stop_running(&engine, &stack).await?;
    let (file, data_dir, target, m) = (
        args.file.clone(),
        stack.data_dir.clone(),
        stack.version.clone(),
        manifest.clone(),
    );
    then_start_again(&engine, &stack, &stopped, ctx, move || {
        backup::extract_verified(&file, &m, &data_dir, &target)
    })
    .await?;
    ctx.out.info(format!(
        "restored {} files of server {} into {}",
        manifest.files.len(),
        manifest.server_version,
        stack.data_dir.display()
    ));
    Ok(())
}

/// Run `work` (blocking file work on the data dir) while the `stopped` services are down,
/// then start them again even when it failed: a backup or restore must not leave the stack
/// down.
async fn then_start_again<T: Send + 'static>(
    engine: &docker::Engine,
    stack: &Stack,
    stopped: &HashMap<String, String>,
    ctx: &Ctx,
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let done = tokio::task::spawn_blocking(work).await?;
    let restarted = lifecycle::start_again(engine, stack, stopped, &ctx.out).await;
    let value = done?;
    restarted?;
    Ok(value)
}

pub fn parse_timeout(text: &str) -> Result<Duration, CliError> {
    clearml_cmd_core::parse_duration("--timeout", text)
}

pub async fn up(ctx: &Ctx, args: UpArgs) -> anyhow::Result<()> {
    let timeout = parse_timeout(&args.timeout)?;
    let engine = docker::connect().await?;
    let stack = lifecycle::resolve(&choices(&args.stack), Some(&engine)).await?;
    preflight(&engine, &stack, args.skip_doctor, ctx).await?;
    lifecycle::up(&engine, &stack, args.pull.into(), timeout, &ctx.out).await
}

/// The doctor before `up`: warnings are shown, a failure blocks unless --skip-doctor.
pub async fn preflight(
    engine: &docker::Engine,
    stack: &Stack,
    skip: bool,
    ctx: &Ctx,
) -> anyhow::Result<()> {
    let findings = doctor::check(Ok(engine), stack, false).await;
    let mut failed = Vec::new();
    for f in &findings {
        let fix = f
            .fix
            .as_deref()
            .map(|x| format!(" (fix: {x})"))
            .unwrap_or_default();
        match f.level {
            Level::Ok => {}
            // `up` creates missing data dirs itself.
            Level::Warn if f.check == "data dir" => {}
            Level::Warn => ctx.out.warn(format!("{}: {}{fix}", f.check, f.detail)),
            Level::Fail if skip => ctx.out.warn(format!(
                "{}: {} [ignored: --skip-doctor]{fix}",
                f.check, f.detail
            )),
            Level::Fail => {
                eprintln!("fail: {}: {}{fix}", f.check, f.detail);
                failed.push(f.check.clone());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::failure(format!("preflight check failed: {}", failed.join(", ")))
            .with_hint("apply the fixes above, or pass --skip-doctor where a check cannot pass (e.g. CI containers)")
            .into())
    }
}

/// Ask for `word` on a terminal before a destructive `action` ("delete DIR"); without a
/// terminal, --yes is required.
fn confirm_typed(
    yes: bool,
    action: &str,
    question: &str,
    word: &str,
    refused: &str,
) -> anyhow::Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(
            CliError::usage(format!("refusing to {action} without confirmation"))
                .with_hint("pass --yes to confirm when not on a terminal")
                .into(),
        );
    }
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if line.trim() == word {
        Ok(())
    } else {
        Err(CliError::failure(refused).into())
    }
}

pub async fn down(ctx: &Ctx, args: DownArgs) -> anyhow::Result<()> {
    let engine = docker::connect().await?;
    let stack = lifecycle::resolve(&choices(&args.stack), Some(&engine)).await?;
    if args.purge {
        // Ask before touching anything, so a "no" leaves the stack as it was.
        let dir = stack.data_dir.display();
        confirm_typed(
            args.yes,
            &format!("delete {dir}"),
            &format!("This deletes {dir} and all ClearML data in it. Type 'purge' to confirm: "),
            "purge",
            "not confirmed; nothing deleted",
        )?;
    }
    lifecycle::down(&engine, &stack, &ctx.out).await?;
    if args.purge && stack.data_dir.exists() {
        std::fs::remove_dir_all(&stack.data_dir)
            .map_err(|e| anyhow::anyhow!("cannot delete {}: {e}", stack.data_dir.display()))?;
        ctx.out
            .info(format!("deleted {}", stack.data_dir.display()));
    }
    Ok(())
}
