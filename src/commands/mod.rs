//! One module per subcommand; [`dispatch`] routes parsed arguments to them.

pub mod add;
pub mod add_field;
pub mod completions;
pub mod evolve;
pub mod info;
pub mod new;
pub mod remove_field;
pub mod remove_resource;

use anyhow::Result;

use crate::cli::{Cli, Command, RemoveCommand};

/// Runs the subcommand the user asked for.
pub fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::New(args) => new::run(args),
        Command::Add(args) => add::run(args),
        Command::Remove(args) => match args.what {
            RemoveCommand::Field(args) => remove_field::run(args),
            RemoveCommand::Resource(args) => remove_resource::run(args),
        },
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
