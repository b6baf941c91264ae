//! `clearml init`: the clap types.

use super::*;

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// File to write (default: the SDK's choice: $CLEARML_CONFIG_FILE, else ~/clearml.conf)
    #[arg(long, short = 'F', value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Web application URL (e.g. http://localhost:8080)
    #[arg(long, value_name = "URL")]
    pub web_host: Option<String>,
    /// File server URL (e.g. http://localhost:8081)
    #[arg(long, value_name = "URL")]
    pub files_host: Option<String>,
    /// Access key (from the web UI's "Create new credentials")
    #[arg(long, value_name = "KEY")]
    pub access_key: Option<String>,
    /// Secret key on the command line (visible to other users via ps; prefer --secret-key-stdin)
    #[arg(long, value_name = "SECRET")]
    pub secret_key: Option<String>,
    /// Read the secret key from the first line of stdin
    #[arg(long, conflicts_with = "secret_key")]
    pub secret_key_stdin: bool,
    /// The pasted credentials block from the web UI, from FILE or '-' for stdin
    #[arg(long, value_name = "FILE|-")]
    pub credentials: Option<String>,
    /// Do not check the credentials against the server before writing
    #[arg(long)]
    pub no_verify: bool,
    /// Never prompt (also implied when stdin is not a terminal)
    #[arg(long)]
    pub non_interactive: bool,
    /// Replace the api block of an existing file without asking (a .bak copy is kept); without
    /// it, non-interactive mode refuses an existing file (exit 2)
    #[arg(long)]
    pub force: bool,
}
