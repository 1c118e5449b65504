//! `arcana` generates Python backend services in the Arcana Clean Architecture and grows them.
//!
//! The crate is split by responsibility, in the order a command flows through it:
//! [`cli`] parses arguments, [`names`] validates what the user asked for, [`templates`] renders
//! the embedded templates, [`plan`] describes every file to create or change in memory,
//! [`apply`] is the only module that writes to disk, and [`ui`] talks to the terminal.
//! [`commands`] holds one module per subcommand that strings these together.

pub mod apply;
pub mod cli;
pub mod commands;
pub mod conflicts;
pub mod error;
pub mod features;
pub mod fields;
pub mod hoist;
pub mod inflect;
pub mod inject;
pub mod manifest;
pub mod migrations;
pub mod names;
pub mod plan;
pub mod pyfmt;
pub mod resource;
pub mod steps;
pub mod templates;
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
    match commands::dispatch(cli) {
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
