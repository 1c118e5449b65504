//! `arcana completions SHELL`: shell completion scripts generated from the clap definition.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::ui;

pub fn run(args: CompletionsArgs) -> Result<()> {
    let mut command = Cli::command();
    // Generated into memory first: clap_complete panics when its writer fails, `ui` does not.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "arcana", &mut script);
    ui::print_bytes(&script);
    Ok(())
}
