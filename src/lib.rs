//! `arcana` generates Python backend services in the Arcana Clean Architecture and grows them.
//!
//! The crate is split by responsibility, in the order a command flows through it:
//! [`cli`] parses arguments, [`spec`] validates what the user asked for, [`render`] turns it
//! into file contents from the embedded templates, [`project`] reads and reconciles an existing
//! project, [`plan`] describes every file to create or change in memory, [`apply`] is the only
//! module that writes to disk, and [`ui`] talks to the terminal. [`commands`] holds one module
//! per subcommand that strings these together.

pub mod apply;
pub mod cli;
pub mod commands;
pub mod error;
pub mod plan;
pub mod project;
pub mod render;
pub mod spec;
pub mod steps;
pub mod ui;

use std::process::ExitCode;

use clap::Parser;

use crate::error::UserError;

/// Exit code for a problem with the user's input or environment that the user can fix.
pub const EXIT_USER_ERROR: u8 = 2;
/// Exit code for a failure inside arcana or while writing files.
pub const EXIT_FAILURE: u8 = 1;

/// Runs the command line and maps the outcome to an exit code.
pub fn run() -> ExitCode {
    ui::init_colors();
    let cli = cli::Cli::parse();
    let outcome = commands::dispatch(cli).and_then(|()| match ui::stdout_error() {
        Some(err) => Err(anyhow::Error::new(err).context("writing the output to stdout")),
        None => Ok(()),
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => match err.downcast_ref::<UserError>() {
            Some(user) => {
                ui::print_user_error(user);
                ExitCode::from(EXIT_USER_ERROR)
            }
            None => {
                ui::print_failure(&err);
                ExitCode::from(EXIT_FAILURE)
            }
        },
    }
}
