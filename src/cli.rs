//! Command-line definition: clap structs only, no behaviour.
//!
//! Each subcommand's arguments are resolved into settings by its module in [`crate::commands`].

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand};

use crate::render::templates;
use crate::spec::stack::StackData;

const ROOT_EXAMPLES: &str = "\
Examples:
  arcana new myservice                 Generate a complete service in ./myservice
  arcana new billing --path services/billing --no-input
  arcana new myservice --dry-run       Show the files that would be written
  arcana add resource product name:string:80:unique price:decimal stock:int
                                       Add an entity through every layer (inside a project)
  arcana add field product weight:decimal:8,3:optional
                                       Grow a resource: migration, proto, every layer, tests
  arcana remove field product weight   Drop a field (its proto number stays reserved)
  arcana remove resource coupon        Drop a resource's table, files and registrations
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
    /// Add to the current project: `arcana add resource NAME FIELD...`.
    Add(AddArgs),
    /// Remove from the current project: `arcana remove field RESOURCE NAME...`,
    /// `arcana remove resource NAME`.
    Remove(RemoveArgs),
    /// Show the project's stack, features and resources (from `arcana.toml`).
    Info(InfoArgs),
    /// Print a shell completion script, e.g. `arcana completions bash > /etc/bash_completion.d/arcana`.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(subcommand)]
    pub what: AddCommand,
}

#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// Add an entity through every layer: model, migration, DTOs, repository, service, REST,
    /// gRPC, wiring, test fake and tests.
    Resource(AddResourceArgs),
    /// Add fields to an existing resource: a new migration, new proto fields (existing numbers
    /// kept), and every generated file of the resource brought up to date, edits merged.
    Field(AddFieldArgs),
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(subcommand)]
    pub what: RemoveCommand,
}

#[derive(Debug, Subcommand)]
pub enum RemoveCommand {
    /// Remove fields from a resource: a migration dropping the columns, their proto numbers and
    /// names reserved, every generated file of the resource brought up to date.
    Field(RemoveFieldArgs),
    /// Remove a resource: a migration dropping its table, its generated files, its proto, its
    /// registrations and its entry in `arcana.toml`.
    Resource(RemoveResourceArgs),
}

/// What `add field`, `remove field` and `remove resource` share.
#[derive(Debug, Args)]
pub struct EvolveOptions {
    /// Project directory (default: the project containing the current directory).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,

    /// Print the plan (files created, changed and removed, with diffs) and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// With `--dry-run`, print the plan as JSON.
    #[arg(long, requires = "dry_run")]
    pub json: bool,

    /// Never prompt; fail with a message naming the missing argument instead.
    #[arg(long)]
    pub no_input: bool,

    /// Take arcana's version of files you edited where your edits conflict with it (and remove
    /// edited files that are no longer generated).
    #[arg(long, conflicts_with = "skip_existing")]
    pub force: bool,

    /// Keep your version of files you edited where your edits conflict with arcana's.
    #[arg(long)]
    pub skip_existing: bool,
}

const ADD_FIELD_EXAMPLES: &str = "\
Examples:
  arcana add field product weight:decimal:8,3:optional
  arcana add field product sku:string:20:unique --default SKU-0000
  arcana add field product stock:int active:bool --default stock=0 --default active=true
  arcana add field product color:enum:red,blue:optional --dry-run

A required field needs a value for the rows the table already holds: `--default VALUE` (or
`--default NAME=VALUE` for several) sets it for them in the migration; or add the field with
`:optional`. Existing proto field numbers never change; the new fields get new ones. Files of
the resource you edited are merged with arcana's new version (a conflict stops the command
before anything is written). Then run `uv run alembic upgrade head`.";

#[derive(Debug, Args)]
#[command(after_help = ADD_FIELD_EXAMPLES)]
pub struct AddFieldArgs {
    /// The resource, e.g. `product`.
    pub resource: Option<String>,

    /// Fields as NAME:TYPE[:ARG][:MODIFIER...] (as for `arcana add resource`).
    #[arg(value_name = "FIELD")]
    pub fields: Vec<String>,

    /// The value existing rows get for a required field: `VALUE` when one required field is
    /// added, else `NAME=VALUE` (repeatable).
    #[arg(long, value_name = "[NAME=]VALUE")]
    pub default: Vec<String>,

    #[command(flatten)]
    pub options: EvolveOptions,
}

const REMOVE_FIELD_EXAMPLES: &str = "\
Examples:
  arcana remove field product weight
  arcana remove field product weight color --dry-run

The migration drops the columns (its downgrade adds them back, nullable, without their values).
The proto keeps the removed numbers and names `reserved`, so they are never reused.";

#[derive(Debug, Args)]
#[command(after_help = REMOVE_FIELD_EXAMPLES)]
pub struct RemoveFieldArgs {
    /// The resource, e.g. `product`.
    pub resource: Option<String>,

    /// Names of the fields to remove.
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,

    #[command(flatten)]
    pub options: EvolveOptions,
}

const REMOVE_RESOURCE_EXAMPLES: &str = "\
Examples:
  arcana remove resource coupon
  arcana remove resource coupon --dry-run

Refused while another resource references it. The migration drops the table (its downgrade
recreates it, empty). Files you edited are kept unless `--force`; `--skip-existing` keeps them
and says so.";

#[derive(Debug, Args)]
#[command(after_help = REMOVE_RESOURCE_EXAMPLES)]
pub struct RemoveResourceArgs {
    /// The resource, e.g. `coupon`.
    pub name: Option<String>,

    #[command(flatten)]
    pub options: EvolveOptions,
}

fn add_resource_help() -> String {
    format!(
        "{}\n\n{}",
        crate::spec::fields::syntax_help(),
        "\
Examples:
  arcana add resource product name:string:80:unique price:decimal:10,2 stock:int
  arcana add resource OrderItem product:ref quantity:int note:text:optional
  arcana add resource post title:string status:enum:draft,published author:ref:user
  arcana add resource tag name:string:40:unique --dry-run

The name may be written as `order_item`, `OrderItem` or `order-item`, singular or plural; it
becomes `OrderItem` (classes), `order_items` (table) and `/api/v1/order-items` (URL). Run it
inside a project generated by `arcana new`; it records the resource in `arcana.toml`."
    )
}

#[derive(Debug, Args)]
#[command(after_help = add_resource_help())]
pub struct AddResourceArgs {
    /// Name of the entity, e.g. `product` or `OrderItem`.
    pub name: Option<String>,

    /// Fields as NAME:TYPE[:ARG][:MODIFIER...], e.g. `price:decimal:10,2` (see below).
    #[arg(value_name = "FIELD")]
    pub fields: Vec<String>,

    /// Project directory (default: the project containing the current directory).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,

    /// Print the plan (files created and changed, with diffs) and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// With `--dry-run`, print the plan as JSON (created files, changed files with diffs).
    #[arg(long, requires = "dry_run")]
    pub json: bool,

    /// Never prompt; fail with a message naming the missing argument instead.
    #[arg(long)]
    pub no_input: bool,

    /// Overwrite files of the resource that exist and were edited (they are listed).
    #[arg(long, conflicts_with = "skip_existing")]
    pub force: bool,

    /// Keep files of the resource that exist and were edited; create the others.
    #[arg(long)]
    pub skip_existing: bool,
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
  arcana new myservice --no-grpc --no-worker  REST only, without Celery
  arcana new myservice --install              Also uv sync, commit with uv.lock, compile protos, run the tests
  arcana new myservice --no-git               Without a git repository

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
    #[arg(long, value_parser = stack_parser())]
    pub stack: Option<Stack>,

    /// Print the plan (every file that would be created) and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// After generating: `uv sync` (writing `uv.lock`), the first commit of the whole project
    /// with its lock, proto compilation and the first test run, each shown with its duration
    /// [asked when a terminal is attached].
    #[arg(long, conflicts_with_all = ["dry_run", "no_install"])]
    pub install: bool,

    /// Do not create a git repository (one is created by default, except inside an existing
    /// git work tree).
    #[arg(long)]
    pub no_git: bool,

    /// Do not install or run anything after generating, and do not ask.
    #[arg(long)]
    pub no_install: bool,

    /// Leave out gRPC (protos, gRPC server, servicers) [optional parts are asked when a terminal
    /// is attached and none of the `--no-*` part flags is given].
    #[arg(long, help_heading = "Optional parts (all on by default)")]
    pub no_grpc: bool,

    /// Leave out the Redis read-through cache.
    #[arg(long, help_heading = "Optional parts (all on by default)")]
    pub no_cache: bool,

    /// Leave out the Celery worker and background jobs.
    #[arg(long, help_heading = "Optional parts (all on by default)")]
    pub no_worker: bool,

    /// Leave out users and JWT auth; endpoints are then public.
    #[arg(long, help_heading = "Optional parts (all on by default)")]
    pub no_auth: bool,

    /// With `--dry-run`, print the plan as JSON.
    #[arg(long, requires = "dry_run")]
    pub json: bool,

    /// Never prompt; fail with a message naming the missing argument instead.
    #[arg(long)]
    pub no_input: bool,
}

/// A web stack arcana can generate: a folder `templates/stacks/<name>/` with its `stack.toml`.
/// The stacks are data; adding one adds folders, not a variant here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stack(&'static str);

impl Stack {
    /// The default stack, and the first one prompts offer.
    pub const DEFAULT: Stack = Stack("flask");

    /// Every stack embedded in this build, the default first, then by name.
    pub fn all() -> Vec<Stack> {
        let mut names = templates::stack_names();
        names.sort_by_key(|name| (*name != Self::DEFAULT.0, *name));
        names.into_iter().map(Stack).collect()
    }

    /// The stack called `name`, if this build has it.
    pub fn named(name: &str) -> Option<Stack> {
        Self::all().into_iter().find(|s| s.0 == name)
    }

    /// One line describing the stack (its `describe` in `stack.toml`), for prompts and help.
    pub fn describe(self) -> String {
        let describe = StackData::load(self.0)
            .map(|data| data.describe)
            .unwrap_or_default();
        format!("{}: {describe}", self.0)
    }

    /// The name used in `arcana.toml` and the template folders.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// `--stack`: the possible values are the stacks embedded in this build, with their description.
fn stack_parser() -> impl clap::builder::TypedValueParser<Value = Stack> {
    let values = Stack::all().into_iter().map(|stack| {
        let help = stack.describe();
        let help = help
            .split_once(": ")
            .map_or(help.clone(), |(_, h)| h.to_string());
        clap::builder::PossibleValue::new(stack.as_str()).help(help)
    });
    clap::builder::PossibleValuesParser::new(values)
        .map(|name| Stack::named(&name).expect("clap accepts only embedded stacks"))
}
