//! Command-line definition: clap structs only, no behaviour.
//!
//! Each subcommand's arguments are resolved into settings by its module in [`crate::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ROOT_EXAMPLES: &str = "\
Examples:
  arcana new myservice                 Generate a complete service in ./myservice
  arcana new billing --path services/billing --no-input
  arcana new myservice --dry-run       Show the files that would be written
  arcana info                          Show the current project's stack and resources
  arcana completions zsh > ~/.zfunc/_arcana";

/// Generate and grow Python backend services in the Arcana Clean Architecture.
#[derive(Debug, Parser)]
#[command(name = "arcana", version, about, after_help = ROOT_EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a new service: REST + gRPC, PostgreSQL, Redis, Celery, JWT auth, CI and deployment.
    New(NewArgs),
    /// Show the project's stack, features and resources (from `arcana.toml`).
    Info(InfoArgs),
    /// Print a shell completion script, e.g. `arcana completions bash > /etc/bash_completion.d/arcana`.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Project directory (default: the project containing the current directory).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

const NEW_EXAMPLES: &str = "\
Examples:
  arcana new myservice
  arcana new order-service --path ~/code/orders
  arcana new myservice --dry-run
  arcana new myservice --install      Also git init, uv sync, compile protos and run the tests

The name may be written as `order-service`, `order_service` or `OrderService`; the directory
keeps the name as written, the Python distribution is `order-service` and identifiers that need
one (proto package, database) use `order_service`.";

#[derive(Debug, Args)]
#[command(after_help = NEW_EXAMPLES)]
pub struct NewArgs {
    /// Name of the service (letters, digits, `-` and `_`; starts with a letter).
    pub name: Option<String>,

    /// Directory to generate into [default: ./NAME]. It must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,

    /// Web stack for the REST adapter [default: flask; asked when a terminal is attached].
    #[arg(long, value_enum)]
    pub stack: Option<Stack>,

    /// Print the plan (every file that would be created) and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// After generating: `git init` + first commit, `uv sync`, proto compilation and the first
    /// test run, each shown with its duration [asked when a terminal is attached].
    #[arg(long, conflicts_with_all = ["dry_run", "no_install"])]
    pub install: bool,

    /// Do not install or run anything after generating, and do not ask.
    #[arg(long)]
    pub no_install: bool,

    /// With `--dry-run`, print the plan as JSON.
    #[arg(long, requires = "dry_run")]
    pub json: bool,

    /// Never prompt; fail with a message naming the missing argument instead.
    #[arg(long)]
    pub no_input: bool,
}

/// The web stacks arcana can generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Stack {
    /// Flask + flask-smorest (Marshmallow validation, OpenAPI), served by gunicorn.
    Flask,
}

impl Stack {
    /// Every stack, in the order prompts offer them.
    pub const ALL: &'static [Stack] = &[Stack::Flask];

    /// One line describing the stack in prompts.
    pub fn describe(self) -> &'static str {
        match self {
            Stack::Flask => {
                "flask: Flask + flask-smorest (Marshmallow validation, OpenAPI), gunicorn"
            }
        }
    }

    /// The name used in `arcana.toml` and the template folder.
    pub fn as_str(self) -> &'static str {
        match self {
            Stack::Flask => "flask",
        }
    }
}
