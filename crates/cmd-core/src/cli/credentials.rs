//! `clearml credentials`: the clap types.

use super::*;

#[derive(Debug, Subcommand)]
pub enum CredentialsCommand {
    /// Make a new key pair for the user of the configured credentials and print it as the
    /// web UI shows it (a clearml.conf api block: `clearml init --credentials -` takes it);
    /// the secret is shown only this once
    Create {
        /// A label to tell the pair apart later (e.g. "ci-bot")
        #[arg(long)]
        label: Option<String>,
        /// Say what would be made; make nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// The key pairs of the configured user: access key, label, last use (never secrets)
    List,
    /// Revoke key pairs: they stop logging in, and their tokens stop working
    Revoke {
        /// Access keys to revoke (every one must exist, else nothing is revoked)
        #[arg(value_name = "ACCESS_KEY", required = true)]
        access_keys: Vec<String>,
        /// Also revoke the pair this command authenticates with (it locks this
        /// clearml.conf out)
        #[arg(long)]
        force: bool,
        /// Say what would be revoked; revoke nothing
        #[arg(long)]
        dry_run: bool,
    },
}
