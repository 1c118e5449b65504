//! One module per subcommand; [`dispatch`] routes parsed arguments to them.

pub mod add;
pub mod completions;
pub mod info;
pub mod new;

use anyhow::Result;

use crate::cli::{Cli, Command};

/// Runs the subcommand the user asked for.
pub fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::New(args) => new::run(args),
        Command::Add(args) => add::run(args),
        Command::Info(args) => info::run(args),
        Command::Completions(args) => completions::run(args),
    }
}

/// Whether arcana may ask questions: a terminal on both ends and no `--no-input`.
pub fn interactive(no_input: bool) -> bool {
    !no_input
        && console::Term::stdout().is_term()
        && console::user_attended_stderr()
        && std::io::IsTerminal::is_terminal(&std::io::stdin())
}
