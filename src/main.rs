//! `clearml`: set up, run and administer ClearML from one binary.
//!
//! The command line (`cli`, in `clearml-cmd-core`) and the command groups are crates under
//! `crates/` (docs/architecture.md); this binary starts the runtime, sets up panics and
//! signals, and dispatches (`dispatch`). It is a bin alone, with no library of its own in
//! between, so touching one command file recompiles that group's crate and links.

mod alloc;
mod dispatch;

use clearml_cmd_core::{cli, error};
use clearml_output as output;
use clearml_serve as serve;

use clap::Parser;

#[global_allocator]
static ALLOC: alloc::SplitAlloc = alloc::SplitAlloc;

fn main() {
    run_cli()
}

/// Parses the command line, runs the command and exits the process with its code.
fn run_cli() -> ! {
    quiet_panics();
    let cli = cli::Cli::parse();
    init_logging(cli.global.verbose, cli.global.quiet);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(error::Exit::Failure.code());
        }
    };
    let own_interrupt = dispatch::handles_interrupt(&cli.command);
    let interrupt_hint = dispatch::interrupt_hint(&cli.command);
    let code = runtime.block_on(async {
        let interrupt = async {
            if own_interrupt {
                std::future::pending::<()>().await
            }
            let _ = tokio::signal::ctrl_c().await;
        };
        tokio::select! {
            result = dispatch::run(cli) => match result {
                Ok(()) => 0,
                Err(err) if ended_by_closed_stdout(&err) => output::STDOUT_CLOSED,
                Err(err) => {
                    eprintln!("error: {}", error::one_line(&err));
                    exit_of(&err).code()
                }
            },
            _ = interrupt => {
                match interrupt_hint {
                    Some(hint) => eprintln!("interrupted: {hint}"),
                    None => eprintln!("interrupted"),
                }
                error::Exit::Interrupted.code()
            }
        }
    });
    // Leave without waiting for background tasks (e.g. a hung connection) to finish.
    runtime.shutdown_background();
    std::process::exit(code);
}

/// The exit for an error chain: the command core's mapping plus the built-in server's
/// [`serve::error::ServeError`], which only the binary (and `cmd-server`) depends on.
fn exit_of(err: &anyhow::Error) -> error::Exit {
    use serve::error::ServeError;
    error::exit_of_with(err, |e| {
        e.downcast_ref::<ServeError>().map(|s| match s {
            ServeError::Invalid(_) => error::Exit::Usage,
            ServeError::Failed(_) => error::Exit::Failure,
        })
    })
}

/// Whether a panic comes from stdout's reader having gone (`clearml task list | head -1`
/// once `head` has left): `print!`'s own message, or any panic while stdout is a pipe
/// nobody reads (a writer that `expect`s its writes, as clap_complete's does).
///
/// SIGPIPE stays ignored (Rust's default) for the whole process: at its default it also
/// fires on a socket a server closed mid-upload (hyper writes with `writev`, which has no
/// MSG_NOSIGNAL) and killed the command silently instead of letting it report the server.
/// So a closed stdout shows up here, as a failed print, and ends the run quietly.
fn is_stdout_closed(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let payload = info.payload();
    let msg = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("");
    (msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe"))
        || stdout_reader_gone()
}

/// A command that stopped on a write to stdout after its reader left (`task logs -f`,
/// `server logs -f` into `grep -m1`) ends as a filter would, without an error line.
fn ended_by_closed_stdout(err: &anyhow::Error) -> bool {
    let broken_pipe = err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    broken_pipe && stdout_reader_gone()
}

/// A pipe's write end polls as an error once its last reader has closed.
fn stdout_reader_gone() -> bool {
    let mut fd = libc::pollfd {
        fd: libc::STDOUT_FILENO,
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    let ready = unsafe { libc::poll(&mut fd, 1, 0) };
    ready == 1 && fd.revents & libc::POLLERR != 0
}

/// A panic message can quote the data being handled (a slice of clearml.conf, secret key
/// included, was one); print only where the bug is. RUST_BACKTRACE=1 shows everything.
/// A print to a closed stdout is no bug: it ends the run as a filter's would.
fn quiet_panics() {
    let verbose = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if is_stdout_closed(info) {
            std::process::exit(output::STDOUT_CLOSED);
        }
        if verbose {
            return default_hook(info);
        }
        let at = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!(
            "error: internal error{at} (a bug; please report it with the command that was run)"
        );
    }));
}

/// Logs go to stderr; `-v` shows one line per request, `-vv` debug. RUST_LOG overrides.
fn init_logging(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("clearml={level},warn")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
