//! `clearml`: set up, run and administer ClearML from one binary.
//!
//! The command line (`cli`) and the commands on top of the libraries under `crates/`
//! (docs/architecture.md); `main.rs` only calls [`run_cli`]. The libraries are re-exported
//! under their module names, so the integration tests and the fuzz targets reach them
//! through `clearml::…`.

pub mod commands;
pub use clearml_cmd_core::{cli, error, notify};

// The libraries under crates/, by the module names the commands (and the tests) use.
pub use clearml_api as api;
pub use clearml_api::files;
pub use clearml_chart as chart;
pub use clearml_chart::comparison;
pub use clearml_config as config;
pub use clearml_config::duration;
pub use clearml_launch as launch;
pub use clearml_output as output;
pub use clearml_pipeline as pipeline;
pub use clearml_serve as serve;
pub use clearml_stack as stack;
pub use clearml_sync as sync;
pub use clearml_wire as wire;

use clap::Parser;

/// Parses the command line, runs the command and exits the process with its code.
pub fn run_cli() -> ! {
    restore_default_sigpipe();
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
    let own_interrupt = commands::handles_interrupt(&cli.command);
    let interrupt_hint = commands::interrupt_hint(&cli.command);
    let code = runtime.block_on(async {
        let interrupt = async {
            if own_interrupt {
                std::future::pending::<()>().await
            }
            let _ = tokio::signal::ctrl_c().await;
        };
        tokio::select! {
            result = commands::run(cli) => match result {
                Ok(()) => 0,
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

/// Rust ignores SIGPIPE, so `clearml task list | head -1` would panic on the first write
/// after `head` exits. Like any Unix filter, die quietly by the signal instead.
/// `server serve` ignores it again (`clearml_serve::connections::ignore_sigpipe`): a
/// client closing its connection must not end the server.
fn restore_default_sigpipe() {
    // SAFETY: setting a signal disposition to the default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// A panic message can quote the data being handled (a slice of clearml.conf, secret key
/// included, was one); print only where the bug is. RUST_BACKTRACE=1 shows everything.
fn quiet_panics() {
    if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
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
