//! What every command crate shares: the command surface (`cli`: every clap type), the
//! context a command runs with ([`Ctx`]), the exit codes at the surface (`error`), webhook
//! notifications, and the parts of the task commands other groups reuse (`task`: columns
//! and filters, the task selection and its confirmation, console lines, the JSON shapes).
//! The commands themselves are the `clearml-cmd-*` crates; the binary dispatches to them.

pub mod cli;
pub mod error;
pub mod notify;
pub mod task;

// The libraries, by the module names the commands use.
pub use clearml_api as api;
pub use clearml_api::files;
pub use clearml_chart as chart;
pub use clearml_config as config;
pub use clearml_config::duration;
use clearml_launch as launch;
pub use clearml_output as output;
use clearml_pipeline as pipeline;
use clearml_stack as stack;
use clearml_sync as sync;
pub use clearml_wire as wire;

use crate::output::Output;

impl From<&crate::cli::GlobalArgs> for crate::config::Inputs {
    fn from(g: &crate::cli::GlobalArgs) -> Self {
        crate::config::Inputs {
            config: g.config.clone(),
            api_host: g.api_host.clone(),
            insecure: g.insecure,
            ca_bundle: g.ca_bundle.clone(),
            request_timeout: g.request_timeout,
        }
    }
}

fn output_options(g: &crate::cli::GlobalArgs) -> output::Options {
    output::Options {
        format: g.output_format(),
        quiet: g.quiet,
        verbose: g.verbose,
        no_color: g.no_color,
    }
}

/// What every command gets: the global flags, the configuration inputs and the output
/// settings made from them.
pub struct Ctx {
    pub global: crate::cli::GlobalArgs,
    pub config: crate::config::Inputs,
    pub out: Output,
}

impl Ctx {
    /// The context for a command line's global flags.
    pub fn new(global: crate::cli::GlobalArgs) -> Ctx {
        Ctx {
            out: Output::new(output_options(&global)),
            config: (&global).into(),
            global,
        }
    }
}

/// A duration flag's value (see [`crate::duration::parse`]); `flag` names the option in
/// the usage error.
pub fn parse_duration(
    flag: &str,
    text: &str,
) -> Result<std::time::Duration, crate::error::CliError> {
    crate::duration::parse(text).map_err(|e| {
        crate::error::CliError::usage(format!("{flag} {e}"))
            .with_hint(format!("e.g. {flag} 90 (seconds), {flag} 90s or {flag} 5m"))
    })
}

/// A byte count as people read it (`1.5 MiB`).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod duration_tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn bare_numbers_are_seconds_and_units_still_work() {
        assert_eq!(
            parse_duration("--timeout", "120").unwrap(),
            Duration::from_secs(120)
        );
        assert_eq!(
            parse_duration("--timeout", "1.5").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(
            parse_duration("--timeout", "5m").unwrap(),
            Duration::from_secs(300)
        );
        assert_eq!(
            parse_duration("--timeout", " 90s ").unwrap(),
            Duration::from_secs(90)
        );
        for bad in ["-1", "NaN", "inf", "5 parsecs", ""] {
            let e = parse_duration("--timeout", bad).unwrap_err();
            assert!(e.to_string().contains("--timeout"), "{bad}: {e}");
        }
    }
}
