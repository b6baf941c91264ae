//! `clearml server upgrade --to VERSION`: backup, steps, counts, and the way back.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::UpgradeArgs;
use crate::error::{CliError, Exit};
use crate::stack::parse_timeout;
use clearml_cmd_core::Ctx;
use clearml_stack::backup::{self, Manifest};
use clearml_stack::spec::{Choices, Stack, StackChoices};
use clearml_stack::upgrade::{self, Counts};
use clearml_stack::{PullPolicy, docker, lifecycle};

/// The plan: where the stack is, where it goes, through which stacks, with which backup.
struct Plan {
    current: Stack,
    stacks: Vec<Stack>,
    backup: PathBuf,
    keys: Option<(String, String)>,
}

pub async fn run(ctx: &Ctx, args: UpgradeArgs) -> anyhow::Result<()> {
    let timeout = parse_timeout(&args.timeout)?;
    let flags = StackChoices {
        images: args.images.clone(),
        ..Default::default()
    };
    let images = Choices::from_flags(&flags)?.images;
    let engine = docker::connect().await;
    let located = StackChoices {
        data_dir: args.data_dir.clone(),
        ..Default::default()
    };
    let current = lifecycle::resolve(&located, engine.as_ref().ok()).await?;
    let plan = make_plan(current, &args, &images)?;
    tell_plan(ctx, &plan, args.dry_run);
    if args.dry_run {
        report(ctx, &plan, "planned", None, None);
        return Ok(());
    }
    let engine = engine?;
    upgrade::check_images(&engine, &plan.stacks).await?;
    let before = match &plan.keys {
        Some(k) => Some(
            upgrade::counts(&engine, &plan.current, k)
                .await
                .map_err(|e| anyhow::anyhow!("cannot count the data before the upgrade (is the stack up?): {e}; nothing was changed"))?,
        ),
        None => {
            ctx.out.warn("the API server's env holds no CLEARML_API_ACCESS_KEY/SECRET_KEY: projects, tasks and models are not counted");
            None
        }
    };
    if let Some(c) = before {
        ctx.out.info(format!("before: {c}"));
    }
    // From here on Ctrl-C is ours: the backup is finished first (the old stack then starts
    // again), the steps are cut short and rolled back; the rollback itself runs to its end.
    let interrupt = on_interrupt();
    let manifest = backed_up(&engine, &plan, ctx, &interrupt).await?;
    let mut changed = interrupt.clone();
    let stepped = tokio::select! {
        r = steps(&engine, &plan, before, timeout, ctx) => r,
        _ = changed.wait_for(|i| *i) => {
            ctx.out.warn("interrupted: rolling back (this runs to its end)");
            Err(anyhow::anyhow!("interrupted"))
        }
    };
    match stepped {
        Ok(after) => {
            let to = &args.to;
            ctx.out.info(format!(
                "upgraded server {} to {to}; backup kept at {}",
                plan.current.version,
                plan.backup.display()
            ));
            report(ctx, &plan, "upgraded", before, after);
            Ok(())
        }
        Err(e) => Err(roll_back(
            &engine,
            &plan,
            &manifest,
            e,
            timeout,
            ctx,
            *interrupt.borrow(),
        )
        .await
        .into()),
    }
}

/// A flag that turns true at the first Ctrl-C (SIGINT no longer ends the process).
fn on_interrupt() -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = tx.send(true);
        }
    });
    rx
}

fn make_plan(
    current: Stack,
    args: &UpgradeArgs,
    images: &BTreeMap<String, String>,
) -> anyhow::Result<Plan> {
    let versions = upgrade::steps(&current.version, &args.to)?;
    let none = BTreeMap::new();
    let stacks = versions
        .iter()
        .map(|v| upgrade::step_stack(&current, v, if *v == args.to { images } else { &none }))
        .collect();
    let backup = args.backup.clone().unwrap_or_else(|| {
        upgrade::default_backup_path(&current.data_dir, &current.version, &args.to)
    });
    if backup.starts_with(&current.data_dir) {
        return Err(
            CliError::usage("the backup cannot be inside the data dir it archives")
                .with_hint("choose --backup elsewhere")
                .into(),
        );
    }
    let keys = upgrade::api_keys(&current);
    Ok(Plan {
        current,
        stacks,
        backup,
        keys,
    })
}

fn tell_plan(ctx: &Ctx, plan: &Plan, dry_run: bool) {
    let prefix = if dry_run { "dry run: would " } else { "" };
    ctx.out.info(format!(
        "{prefix}stop server {} in {} and back it up to {} (then read it back and verify it)",
        plan.current.version,
        plan.current.data_dir.display(),
        plan.backup.display()
    ));
    for (i, s) in plan.stacks.iter().enumerate() {
        let api = s
            .service("apiserver")
            .map(|a| a.image.as_str())
            .unwrap_or("-");
        ctx.out.info(format!(
            "{prefix}step {}: start server {} (apiserver image {api}) and wait until it is ready",
            i + 1,
            s.version
        ));
    }
    ctx.out.info(format!(
        "{prefix}compare projects, tasks and models with the counts before; on any failure restore the backup and start server {} again",
        plan.current.version
    ));
}

fn report(ctx: &Ctx, plan: &Plan, result: &str, before: Option<Counts>, after: Option<Counts>) {
    let to = plan
        .stacks
        .last()
        .map(|s| s.version.clone())
        .unwrap_or_default();
    if ctx.out.format == crate::output::Format::Json {
        let r = super::json::UpgradeReport {
            from: plan.current.version.clone(),
            to,
            steps: plan.stacks.iter().map(upgrade::describe).collect(),
            backup: plan.backup.clone(),
            result: result.to_string(),
            counts_before: before,
            counts_after: after,
        };
        ctx.out.json(&crate::output::shape_value(&r));
        return;
    }
    let path: Vec<&str> = plan.stacks.iter().map(|s| s.version.as_str()).collect();
    println!(
        "{result}: {} -> {} (backup {})",
        plan.current.version,
        path.join(" -> "),
        plan.backup.display()
    );
}

/// Stop the stack, write the backup and read it back. A failure starts the old stack again.
async fn backed_up(
    engine: &docker::Engine,
    plan: &Plan,
    ctx: &Ctx,
    interrupt: &tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<Manifest> {
    let stopped = lifecycle::stop_running(engine, &plan.current).await?;
    let (data, out, version, project) = (
        plan.current.data_dir.clone(),
        plan.backup.clone(),
        plan.current.version.clone(),
        plan.current.project.clone(),
    );
    let made = tokio::task::spawn_blocking(move || {
        let m = backup::write_archive(&data, &out, &version, &project)?;
        upgrade::verify_archive(&out, &m)?;
        Ok::<_, anyhow::Error>(m)
    })
    .await?;
    if *interrupt.borrow() {
        lifecycle::start_again(engine, &plan.current, &stopped, &ctx.out).await?;
        let kept = match &made {
            Ok(_) => format!("; the backup is kept at {}", plan.backup.display()),
            Err(_) => String::new(),
        };
        return Err(CliError::new(
            Exit::Interrupted,
            format!(
                "interrupted during the backup: the upgrade did not start and server {} runs as before{kept}",
                plan.current.version
            ),
        )
        .into());
    }
    match made {
        Ok(m) => {
            ctx.out.info(format!(
                "backup verified: {} ({} files)",
                plan.backup.display(),
                m.files.len()
            ));
            Ok(m)
        }
        Err(e) => {
            lifecycle::start_again(engine, &plan.current, &stopped, &ctx.out).await?;
            Err(e.context("the upgrade did not start; the stack runs as before"))
        }
    }
}

/// Each step's stack up and ready, then the counts compared; the counts after.
async fn steps(
    engine: &docker::Engine,
    plan: &Plan,
    before: Option<Counts>,
    timeout: Duration,
    ctx: &Ctx,
) -> anyhow::Result<Option<Counts>> {
    for s in &plan.stacks {
        ctx.out.info(format!("starting server {}", s.version));
        lifecycle::up_ready(engine, s, PullPolicy::Never, timeout, &ctx.out)
            .await
            .map_err(|e| anyhow::anyhow!("server {} did not become ready: {e:#}", s.version))?;
    }
    let (Some(before), Some(keys)) = (before, &plan.keys) else {
        return Ok(None);
    };
    let last = plan.stacks.last().unwrap_or(&plan.current);
    let after = upgrade::counts(engine, last, keys)
        .await
        .map_err(|e| anyhow::anyhow!("cannot count the data after the upgrade: {e}"))?;
    ctx.out.info(format!("after: {after}"));
    if after != before {
        anyhow::bail!("data lost in the upgrade: before {before}, after {after}");
    }
    Ok(Some(after))
}

/// Restore the backup and start the old version; the error says what happened.
async fn roll_back(
    engine: &docker::Engine,
    plan: &Plan,
    manifest: &Manifest,
    cause: anyhow::Error,
    timeout: Duration,
    ctx: &Ctx,
    interrupted: bool,
) -> CliError {
    let old = &plan.current.version;
    let exit = if interrupted {
        Exit::Interrupted
    } else {
        Exit::Failure
    };
    ctx.out
        .warn(format!("upgrade failed: {cause:#}; restoring the backup"));
    let back = async {
        lifecycle::stop_running(engine, &plan.current).await?;
        let (file, m, data, v) = (
            plan.backup.clone(),
            manifest.clone(),
            plan.current.data_dir.clone(),
            old.clone(),
        );
        tokio::task::spawn_blocking(move || backup::extract_verified(&file, &m, &data, &v))
            .await??;
        lifecycle::up_ready(engine, &plan.current, PullPolicy::Never, timeout, &ctx.out)
            .await
            .map(|_| ())
    };
    let restore_hint = |p: &Path| format!("clearml server restore --version {old} {}", p.display());
    match back.await {
        Ok(()) => CliError::new(
            exit,
            format!(
                "upgrade failed ({cause:#}); the backup was restored and server {old} is running again"
            ),
        )
        .with_hint(format!("the backup stays at {}", plan.backup.display())),
        Err(e) => CliError::new(
            exit,
            format!("upgrade failed ({cause:#}) and the rollback failed too ({e:#})"),
        )
        .with_hint(format!("restore by hand: {}", restore_hint(&plan.backup))),
    }
}
