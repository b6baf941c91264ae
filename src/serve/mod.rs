//! The built-in ClearML-compatible server: API + file server in one process, SQLite.
//!
//! (Skeleton: the built-in server work fills it in.)

use crate::cli::ServeArgs;
use crate::output::Output;

pub async fn run(args: &ServeArgs, out: &Output) -> anyhow::Result<()> {
    let _ = (args, out);
    anyhow::bail!("clearml server serve is not implemented yet")
}
