//! `clearml server users list|add|passwd|remove`: the Docker stack's fixed users. The file
//! and what the server does with it are in `clearml_stack::users`; this is the command side:
//! the password prompt, the restart of the API server alone, and the login that proves it.
use std::collections::HashMap;
use std::io::{IsTerminal, Read};

use super::json::UserRow;
use crate::cli::{
    StackArgs, UserAddArgs, UserEditArgs, UserPasswdArgs, UserRemoveArgs, UsersCommand,
};
use crate::error::CliError;
use crate::output::{Format, Listing, shape_value};
use crate::stack::choices;
use clearml_cmd_core::Ctx;
use clearml_stack::users::{self, Stored, User, UsersFile};
use clearml_stack::{docker, lifecycle, ready, spec::Stack};

pub async fn run(ctx: &Ctx, cmd: UsersCommand) -> anyhow::Result<()> {
    match cmd {
        UsersCommand::List(a) => list(ctx, a).await,
        UsersCommand::Add(a) => add(ctx, a).await,
        UsersCommand::Passwd(a) => passwd(ctx, a).await,
        UsersCommand::Remove(a) => remove(ctx, a).await,
    }
}

async fn list(ctx: &Ctx, a: StackArgs) -> anyhow::Result<()> {
    let engine = docker::connect().await.ok();
    let stack = lifecycle::resolve(&choices(&a), engine.as_ref()).await?;
    let file = UsersFile::load(&stack.data_dir)?;
    let mut l = Listing::new(["username", "name", "password"]);
    for u in &file.users {
        let (stored, problem) = match file.stored(u) {
            Stored::Hashed => ("bcrypt", None),
            Stored::Plain => ("plain text", None),
            Stored::Broken(why) => ("unusable", Some(why)),
        };
        let row = UserRow {
            username: u.username.clone(),
            name: u.name.clone(),
            password: stored.to_string(),
            problem: problem.clone(),
        };
        let shown = problem.map_or(stored.to_string(), |p| format!("unusable: {p}"));
        l.push(
            vec![u.username.clone(), u.name.clone(), shown],
            shape_value(&row),
        );
    }
    ctx.out.listing(&l);
    let path = file.path.display();
    if file.users.is_empty() || !file.enabled {
        ctx.out.info(format!(
            "fixed users are off in {path}: the web UI's login takes any name"
        ));
    } else if ctx.out.format != Format::Json {
        ctx.out
            .info(format!("{} user(s) in {path}", file.users.len()));
    }
    if let Some(e) = &engine
        && pending_restart(e, &stack, &file).await?.is_some()
    {
        ctx.out.warn("the API server has not loaded the latest change: it restarts with the next 'clearml server users' change, or 'clearml server up'");
    }
    Ok(())
}

async fn add(ctx: &Ctx, a: UserAddArgs) -> anyhow::Result<()> {
    users::check_username(&a.username)?;
    let name = a.name.clone().unwrap_or_else(|| a.username.clone());
    users::check_display_name(&name)?;
    let (engine, stack) = open(&a.edit.stack).await?;
    let mut file = UsersFile::load(&stack.data_dir)?;
    let existing = file.find(&a.username).cloned();
    if a.edit.dry_run {
        let plan = match &existing {
            Some(_) => format!("{} exists: nothing to add", a.username),
            None => format!(
                "would add {} ({name}) to {}",
                a.username,
                file.path.display()
            ),
        };
        return dry_run(ctx, &file, &plan);
    }
    let password = read_password(&a.edit, &a.username)?;
    let changed = match existing {
        Some(u) if u.name == name && file.password_matches(&u, &password) => false,
        Some(_) => {
            return Err(
                CliError::usage(format!("the user {} already exists", a.username))
                    .with_hint("change the password with 'clearml server users passwd USERNAME'")
                    .into(),
            );
        }
        None => {
            hash_existing(ctx, &mut file)?;
            let stored = users::hash(&password)?;
            file.users.push(User {
                username: a.username.clone(),
                name,
                password: stored,
                company: None,
            });
            true
        }
    };
    let changed = changed || !file.enabled;
    file.enabled = true;
    let what = format!("added {}", a.username);
    let login = Some((a.username.as_str(), password.as_str()));
    apply(ctx, &engine, &stack, file, changed, &what, login).await
}

async fn passwd(ctx: &Ctx, a: UserPasswdArgs) -> anyhow::Result<()> {
    users::check_username(&a.username)?;
    let (engine, stack) = open(&a.edit.stack).await?;
    let mut file = UsersFile::load(&stack.data_dir)?;
    let Some(user) = file.find(&a.username).cloned() else {
        return Err(not_found(std::slice::from_ref(&a.username), &file));
    };
    if a.edit.dry_run {
        let plan = format!(
            "would change the password of {} in {}",
            a.username,
            file.path.display()
        );
        return dry_run(ctx, &file, &plan);
    }
    let password = read_password(&a.edit, &a.username)?;
    let changed = !file.password_matches(&user, &password);
    if changed {
        hash_existing(ctx, &mut file)?;
        let stored = users::hash(&password)?;
        if let Some(u) = file.users.iter_mut().find(|u| u.username == a.username) {
            u.password = stored;
        }
    }
    let what = format!("changed the password of {}", a.username);
    let login = Some((a.username.as_str(), password.as_str()));
    apply(ctx, &engine, &stack, file, changed, &what, login).await
}

async fn remove(ctx: &Ctx, a: UserRemoveArgs) -> anyhow::Result<()> {
    for u in &a.usernames {
        users::check_username(u)?;
    }
    let (engine, stack) = open(&a.stack).await?;
    let mut file = UsersFile::load(&stack.data_dir)?;
    let missing: Vec<String> = a
        .usernames
        .iter()
        .filter(|u| file.find(u).is_none())
        .cloned()
        .collect();
    if missing.len() == a.usernames.len()
        && pending_restart(&engine, &stack, &file).await?.is_some()
    {
        // A rerun after an interrupted removal: the file is done, the restart is not.
        return apply(ctx, &engine, &stack, file, false, "removed", None).await;
    }
    if !missing.is_empty() {
        return Err(not_found(&missing, &file));
    }
    if file.enabled && file.users.len() <= a.usernames.len() {
        return Err(
            CliError::usage("that would remove every user: nobody could log in")
                .with_hint("add another user first ('clearml server users add USERNAME')")
                .into(),
        );
    }
    let what = format!("removed {}", a.usernames.join(", "));
    if a.dry_run {
        return dry_run(
            ctx,
            &file,
            &format!("would have {what} from {}", file.path.display()),
        );
    }
    file.users.retain(|u| !a.usernames.contains(&u.username));
    apply(ctx, &engine, &stack, file, true, &what, None).await
}

fn not_found(names: &[String], file: &UsersFile) -> anyhow::Error {
    CliError::not_found(format!(
        "no user {} in {}",
        names.join(", "),
        file.path.display()
    ))
    .with_hint("see 'clearml server users list'")
    .into()
}

/// The engine (edits restart the API server, so Docker must answer first) and the stack.
async fn open(a: &StackArgs) -> anyhow::Result<(docker::Engine, Stack)> {
    let engine = docker::connect().await?;
    let stack = lifecycle::resolve(&choices(a), Some(&engine)).await?;
    Ok((engine, stack))
}

fn dry_run(ctx: &Ctx, file: &UsersFile, plan: &str) -> anyhow::Result<()> {
    ctx.out.info(format!("dry run: {plan}"));
    let plain = file
        .users
        .iter()
        .filter(|u| file.stored(u) == Stored::Plain)
        .count();
    if plain > 0 {
        ctx.out.info(format!(
            "dry run: would store {plain} plain password(s) hashed"
        ));
    }
    ctx.out
        .info("dry run: would restart the API server and log the user in; nothing changed");
    Ok(())
}

/// Write the file when it changed, restart the API server when it runs an older file,
/// then log `login` in through it.
async fn apply(
    ctx: &Ctx,
    engine: &docker::Engine,
    stack: &Stack,
    mut file: UsersFile,
    changed: bool,
    what: &str,
    login: Option<(&str, &str)>,
) -> anyhow::Result<()> {
    if changed {
        hash_existing(ctx, &mut file)?;
        let f = file.clone();
        let backup = tokio::task::spawn_blocking(move || f.save()).await??;
        let kept = backup
            .map(|b| format!(" (previous file: {})", b.display()))
            .unwrap_or_default();
        ctx.out
            .info(format!("{what} in {}{kept}", file.path.display()));
    } else {
        ctx.out
            .info(format!("{} is already as asked", file.path.display()));
    }
    let running = match pending_restart(engine, stack, &file).await? {
        Some(id) => {
            restart_api(ctx, engine, stack, &id).await?;
            true
        }
        None => api_running(engine, stack).await?.is_some(),
    };
    if !running {
        ctx.out.info(
            "the API server is not running: the change applies at the next 'clearml server up'",
        );
        return Ok(());
    }
    if let Some((user, password)) = login {
        prove_login(stack, user, password).await?;
        ctx.out
            .info(format!("{user} logs in (auth.login answered 200)"));
    }
    Ok(())
}

/// Plain passwords already in the file are stored hashed from the first change on.
fn hash_existing(ctx: &Ctx, file: &mut UsersFile) -> anyhow::Result<()> {
    let hashed = file.hash_plain_passwords()?;
    if hashed > 0 {
        ctx.out
            .info(format!("stored {hashed} plain password(s) hashed"));
    }
    Ok(())
}

/// The running API server's container id.
async fn api_running(engine: &docker::Engine, stack: &Stack) -> anyhow::Result<Option<String>> {
    let containers = engine.containers(&stack.project).await?;
    Ok(containers
        .iter()
        .find(|c| {
            docker::service_of(c) == Some("apiserver") && c.state.as_deref() == Some("running")
        })
        .and_then(|c| c.id.clone()))
}

/// The running API server's id when it started before the users file was last written
/// (it reads the users at start only).
async fn pending_restart(
    engine: &docker::Engine,
    stack: &Stack,
    file: &UsersFile,
) -> anyhow::Result<Option<String>> {
    let Some(id) = api_running(engine, stack).await? else {
        return Ok(None);
    };
    let Ok(modified) = std::fs::metadata(&file.path).and_then(|m| m.modified()) else {
        return Ok(None);
    };
    let started = engine
        .inspect(&id)
        .await?
        .and_then(|c| c.state?.started_at)
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok());
    let modified: chrono::DateTime<chrono::Utc> = modified.into();
    Ok(match started {
        Some(t) if t >= modified => None,
        _ => Some(id),
    })
}

/// Stop and start the API server alone, and wait until it answers again.
async fn restart_api(
    ctx: &Ctx,
    engine: &docker::Engine,
    stack: &Stack,
    id: &str,
) -> anyhow::Result<()> {
    ctx.out
        .info("restarting the API server (it reads its users at start)");
    engine.stop(id).await?;
    let ids = HashMap::from([("apiserver".to_string(), id.to_string())]);
    lifecycle::start_again(engine, stack, &ids, &ctx.out).await
}

/// `auth.login` with Basic username:password, the web app's login for fixed users.
async fn prove_login(stack: &Stack, user: &str, password: &str) -> anyhow::Result<()> {
    let url = stack
        .url_of("apiserver")
        .ok_or_else(|| CliError::failure("the stack publishes no API server port"))?;
    let resp = ready::http_client()
        .post(format!("{url}/auth.login"))
        .basic_auth(user, Some(password))
        .json(&serde_json::json!({}))
        .send()
        .await
        .map_err(|e| CliError::unreachable(format!("auth.login at {url}: {e}")))?;
    let status = resp.status().as_u16();
    if status == 200 {
        return Ok(());
    }
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    let msg = body["meta"]["result_msg"]
        .as_str()
        .unwrap_or("no message")
        .to_string();
    Err(CliError::auth(format!(
        "the API server refused {user}'s login after the restart (HTTP {status}: {msg})"
    ))
    .with_hint("see 'clearml server logs apiserver'; the previous users file is apiserver.conf.bak beside it")
    .into())
}

/// The password from stdin's first line (--password-stdin) or a prompt on a terminal.
fn read_password(a: &UserEditArgs, user: &str) -> anyhow::Result<String> {
    let password = if a.password_stdin {
        let mut buf = String::new();
        std::io::stdin()
            .lock()
            .take(4096)
            .read_to_string(&mut buf)
            .map_err(|e| CliError::usage(format!("cannot read the password from stdin: {e}")))?;
        let line = buf.split('\n').next().unwrap_or_default();
        line.strip_suffix('\r').unwrap_or(line).to_string()
    } else if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        dialoguer::Password::new()
            .with_prompt(format!("Password for {user}"))
            .with_confirmation("Repeat it", "the passwords differ")
            .interact()?
    } else {
        return Err(CliError::usage(
            "no password: give it on stdin with --password-stdin, or run on a terminal to be asked",
        )
        .into());
    };
    users::check_password(&password)?;
    Ok(password)
}
