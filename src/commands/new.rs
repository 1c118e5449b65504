//! `arcana new`: generate a complete service.
//!
//! Resolves the arguments (prompting only when a terminal is attached), validates the name and
//! destination, renders the shared layers plus the chosen web stack into a plan, and applies it
//! in one step. Then, unless `--no-git`, makes the project a git repository (as `cargo new`
//! does: not inside an existing work tree, and only a warning when git is missing), and with
//! `--install` runs `uv sync`, commits the whole project with its `uv.lock`, compiles the protos
//! and runs the tests.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, Result};
use tera::Context;

use crate::cli::{NewArgs, Stack};
use crate::error::UserError;
use crate::plan::Plan;
use crate::render::templates;
use crate::render::user as render_user;
use crate::spec::features::{Feature, Features};
use crate::spec::names::{self, ProjectName};
use crate::spec::stack::StackData;
use crate::spec::user;
use crate::steps::{self, Step};
use crate::{apply, ui};

/// Template folder holding every layer shared by all web stacks.
pub const BASE_TEMPLATES: &str = "project/base";

/// Settings for one `arcana new` run, resolved from arguments and prompts.
#[derive(Debug, Clone)]
pub struct NewSettings {
    pub name: ProjectName,
    pub destination: PathBuf,
    pub stack: Stack,
    pub features: Features,
    pub dry_run: bool,
    pub json: bool,
    pub install: bool,
    pub git: bool,
}

pub fn run(args: NewArgs) -> Result<()> {
    let started = Instant::now();
    let settings = resolve(args)?;
    let plan = plan(&settings, &random_secret()?)?;
    if settings.dry_run {
        ui::print_plan(&plan, settings.json);
        return Ok(());
    }
    apply::apply(&plan)?;
    ui::print_success(&format!(
        "Created `{}` ({} files, {} stack, {}) in {}ms",
        settings.destination.display(),
        plan.changes.len(),
        settings.stack.as_str(),
        describe_features(settings.features),
        started.elapsed().as_millis()
    ));
    let repository = settings.git && init_repository(&settings.destination);
    if settings.install {
        ui::print_blank_line();
        steps::run_all(
            &settings.destination,
            &install_steps(&settings.destination, settings.features, repository),
        )?;
    }
    let cd = format!("cd {}", settings.destination.display());
    let mut next: Vec<(&str, &str)> = vec![(cd.as_str(), "enter the project")];
    if !settings.install {
        next.push((
            "uv sync",
            "install dependencies into .venv and write uv.lock (commit it)",
        ));
        next.push(("uv run pytest", "run the test suite"));
    }
    let others: Vec<&str> = [
        (settings.features.grpc, "make grpc"),
        (settings.features.worker, "make worker"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, command)| *command)
    .collect();
    let serve = if others.is_empty() {
        "serve REST on :8000".to_string()
    } else {
        format!("serve REST on :8000 ({} for the others)", others.join(", "))
    };
    next.push(("make run", serve.as_str()));
    next.push((
        "arcana add resource NAME FIELD:TYPE ...",
        "add an entity through every layer",
    ));
    ui::print_next_steps(&next);
    Ok(())
}

/// Makes `project` a git repository unless it lies inside one already; whether it is a new one.
///
/// Nothing here fails the command: the project is complete without git, so a missing or failing
/// git is a warning that says what to run instead.
fn init_repository(project: &Path) -> bool {
    let inside = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(project)
        .output();
    match inside {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            ui::warning_with_hint(
                &format!(
                    "`git` is not installed or not on PATH; `{}` is not a git repository",
                    project.display()
                ),
                &format!(
                    "Install git and run `git init` in `{}`, or pass `--no-git` to skip this step",
                    project.display()
                ),
            );
            return false;
        }
        Ok(output) if output.status.success() => {
            let top = String::from_utf8_lossy(&output.stdout).trim().to_string();
            ui::note(&format!(
                "`{}` is inside the git work tree `{top}`; no repository of its own was created",
                project.display()
            ));
            return false;
        }
        _ => {}
    }
    match Command::new("git")
        .args(["init", "-q"])
        .current_dir(project)
        .output()
    {
        Ok(output) if output.status.success() => {
            ui::print_step("git init", true, None);
            true
        }
        Ok(output) => {
            ui::warning_with_hint(
                &format!(
                    "`git init` failed in `{}`: {}",
                    project.display(),
                    String::from_utf8_lossy(&output.stderr).trim()
                ),
                &format!(
                    "Run `git init` in `{}` once the problem is fixed, or pass `--no-git`",
                    project.display()
                ),
            );
            false
        }
        Err(err) => {
            ui::warning_with_hint(
                &format!("Could not run `git init` in `{}`: {err}", project.display()),
                &format!(
                    "Run `git init` in `{}` yourself, or pass `--no-git`",
                    project.display()
                ),
            );
            false
        }
    }
}

/// The post-generation steps of `--install`.
///
/// With a repository, the first commit comes right after `uv sync` and holds the whole project
/// with its `uv.lock`: every checkout of that commit installs exactly the versions the first
/// test run used (`uv sync --locked`, as CI and the Dockerfile do). The test run comes after it,
/// so a failing test leaves the generated project committed as generated.
pub fn install_steps(project: &Path, features: Features, repository: bool) -> Vec<Step> {
    let mut steps = vec![Step::new("uv sync", "uv", &["sync"])];
    if repository {
        steps.extend(commit_steps(project));
    }
    if features.grpc {
        steps.push(Step::new(
            "compile protos",
            "uv",
            &["run", "python", "-m", "app.grpc.codegen"],
        ));
    }
    steps.push(Step::new("first test run", "uv", &["run", "pytest", "-q"]));
    steps
}

/// `git add -A` and the first commit (with a neutral identity when git knows none).
fn commit_steps(project: &Path) -> [Step; 2] {
    let mut commit = vec!["commit", "-q", "-m", "Initial commit from arcana new"];
    if !steps::git_identity_configured(project) {
        commit.splice(
            0..0,
            [
                "-c",
                "user.name=arcana",
                "-c",
                "user.email=arcana@localhost",
            ],
        );
    }
    [
        Step::new("git add", "git", &["add", "-A"]),
        Step::new("first commit (with uv.lock)", "git", &commit),
    ]
}

/// "all optional parts" or the list of parts that are on, for the summary line.
fn describe_features(features: Features) -> String {
    let enabled = features.enabled();
    if enabled.len() == Feature::ALL.len() {
        "all optional parts".to_string()
    } else if enabled.is_empty() {
        "no optional parts".to_string()
    } else {
        enabled.join(", ")
    }
}

/// The optional parts: from the `--no-*` flags when any is given, else asked on a terminal,
/// else all on.
fn resolve_features(args: &NewArgs, interactive: bool) -> Result<Features> {
    let flags = [
        (Feature::Grpc, args.no_grpc),
        (Feature::Cache, args.no_cache),
        (Feature::Worker, args.no_worker),
        (Feature::Auth, args.no_auth),
    ];
    let mut features = Features::all();
    if flags.iter().any(|(_, off)| *off) {
        for (feature, off) in flags {
            features.set(feature, !off);
        }
        return Ok(features);
    }
    if interactive {
        let items: Vec<&str> = Feature::ALL.iter().map(|f| f.describe()).collect();
        let chosen = dialoguer::MultiSelect::new()
            .with_prompt("Optional parts (space toggles, enter accepts)")
            .items(&items)
            .defaults(&[true; 4])
            .interact()
            .context("reading the optional parts")?;
        for (index, feature) in Feature::ALL.iter().enumerate() {
            features.set(*feature, chosen.contains(&index));
        }
    }
    Ok(features)
}

/// Turns arguments into settings, asking for a missing name when a terminal is attached.
pub fn resolve(args: NewArgs) -> Result<NewSettings> {
    let interactive = super::interactive(args.no_input);
    let raw = match args.name.clone() {
        Some(name) => name,
        None if interactive => dialoguer::Input::<String>::new()
            .with_prompt("Project name")
            .interact_text()
            .context("reading the project name")?,
        None => {
            return Err(UserError::new("Missing the project name")
                .hint("Pass it as the first argument: `arcana new order-service`")
                .into());
        }
    };
    let name = names::project_name(&raw)?;
    let stack = match args.stack {
        Some(stack) => stack,
        None if interactive && Stack::all().len() > 1 => {
            let stacks = Stack::all();
            let items: Vec<String> = stacks.iter().map(|s| s.describe()).collect();
            let index = dialoguer::Select::new()
                .with_prompt("Web stack")
                .items(&items)
                .default(0)
                .interact()
                .context("reading the web stack")?;
            stacks[index]
        }
        None => Stack::DEFAULT,
    };
    let features = resolve_features(&args, interactive)?;
    let destination = args.path.unwrap_or_else(|| PathBuf::from(&name.raw));
    check_destination(&destination)?;
    let install = if args.install {
        true
    } else if args.no_install || args.dry_run || !interactive {
        false
    } else {
        dialoguer::Confirm::new()
            .with_prompt(
                "Install dependencies and run the tests now (uv sync, first commit, protos, pytest)?",
            )
            .default(true)
            .interact()
            .context("reading the install choice")?
    };
    Ok(NewSettings {
        name,
        destination,
        stack,
        features,
        dry_run: args.dry_run,
        json: args.json,
        install,
        git: !args.no_git && !args.dry_run,
    })
}

/// Refuses a destination that is a file or a non-empty directory.
fn check_destination(path: &Path) -> Result<(), UserError> {
    if !path.exists() {
        return Ok(());
    }
    if !path.is_dir() {
        return Err(UserError::new(format!(
            "`{}` exists and is not a directory",
            path.display()
        ))
        .hint("Choose another destination with `--path DIR`"));
    }
    if apply::holds_interrupted_new(path) {
        return Ok(()); // Recovered, then checked again, under the lock.
    }
    let mut entries = fs::read_dir(path).map_err(|e| {
        UserError::new(format!("Cannot read `{}`: {e}", path.display()))
            .hint("Choose another destination with `--path DIR`")
    })?;
    if entries.next().is_some() {
        return Err(UserError::new(format!(
            "`{}` already exists and is not empty",
            path.display()
        ))
        .hint("Choose another destination with `--path DIR`, or remove the directory first"));
    }
    Ok(())
}

/// The template variables of a new project; `stack` holds the stack's `stack.toml` facts.
pub fn context(settings: &NewSettings, stack: &StackData, jwt_secret: &str) -> Context {
    let mut ctx = Context::new();
    ctx.insert("project_name", &settings.name.raw);
    ctx.insert("project_kebab", &settings.name.kebab);
    ctx.insert("project_snake", &settings.name.snake);
    ctx.insert("project_title", &settings.name.title);
    ctx.insert("stack", &stack.to_value());
    ctx.insert("arcana_version", env!("CARGO_PKG_VERSION"));
    ctx.insert("jwt_secret", jwt_secret);
    ctx.insert("features", &settings.features.to_value());
    ctx
}

/// Renders the shared layers and the stack's adapter into a plan; nothing is written.
pub fn plan(settings: &NewSettings, jwt_secret: &str) -> Result<Plan> {
    let stack = StackData::load(settings.stack.as_str())?;
    let mut ctx = context(settings, &stack, jwt_secret);
    let vars = [("__project_snake__", settings.name.snake.as_str())];
    let stack_root = format!("project/{}", stack.name);
    let mut files = templates::render_layers(BASE_TEMPLATES, &stack_root, &ctx, &vars)?;
    if settings.features.auth {
        // The built-in user's files, with no field added to it yet.
        let numbers = user::numbers(&user::implied_entry(), &[]);
        let view = render_user::view(
            &settings.name.snake,
            stack.name.as_str(),
            settings.features,
            &[],
            &numbers,
        )?;
        ctx.insert("user", &view);
        let rendered =
            render_user::render(&ctx, &stack, settings.features, false, &settings.name.snake)?;
        for file in rendered {
            if files.iter().any(|f| f.path == file.path) {
                anyhow::bail!("template `{}` exists in `project/` and `user/`", file.path);
            }
            files.push(file);
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    let files = settings
        .features
        .filter_with("project", &stack.parts, files, &vars)?;
    Ok(Plan::new_project(
        settings.destination.clone(),
        files.into_iter().map(|f| (f.path, f.contents)),
    ))
}

/// A 256-bit random secret, hex encoded, for the project's `.env`.
pub fn random_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(features: Features) -> Vec<String> {
        let settings = NewSettings {
            name: names::project_name("shop").unwrap(),
            destination: PathBuf::from("shop"),
            stack: Stack::DEFAULT,
            features,
            dry_run: true,
            json: false,
            install: false,
            git: false,
        };
        plan(&settings, "secret")
            .unwrap()
            .changes
            .iter()
            .map(|c| c.path().to_string())
            .collect()
    }

    /// Whether yamllint's `line-length` (100, `allow-non-breakable-inline-mappings`) accepts it.
    fn yaml_line_fits(line: &str) -> bool {
        if line.chars().count() <= 100 {
            return true;
        }
        let item = line.trim_start().trim_start_matches("- ");
        let value = item.split_once(": ").map_or(item, |(_, value)| value);
        !value.trim().contains(' ')
    }

    #[test]
    fn yaml_files_fit_100_columns_with_the_longest_project_name() {
        let name = "a".repeat(names::MAX_PROJECT_NAME_LEN);
        for stack in Stack::all() {
            let settings = NewSettings {
                name: names::project_name(&name).unwrap(),
                destination: PathBuf::from(&name),
                stack,
                features: Features::all(),
                dry_run: true,
                json: false,
                install: false,
                git: false,
            };
            let plan = plan(&settings, "secret").unwrap();
            let yaml: Vec<_> = plan
                .changes
                .iter()
                .filter(|c| c.path().ends_with(".yml") || c.path().ends_with(".yaml"))
                .collect();
            assert!(yaml.len() >= 5, "{}", yaml.len());
            for change in yaml {
                let crate::plan::Change::Create { contents, .. } = change else {
                    panic!("{change:?}");
                };
                for line in contents.lines() {
                    assert!(yaml_line_fits(line), "{}: {line}", change.path());
                }
            }
        }
    }

    #[test]
    fn stack_data_is_never_copied_and_its_part_lists_apply() {
        let all = paths(Features::all());
        assert!(
            all.iter()
                .all(|p| !p.ends_with(".toml") || p == "pyproject.toml" || p == "arcana.toml"),
            "{all:?}"
        );
        let stack = StackData::load("flask").unwrap();
        let auth_files: Vec<&String> = stack
            .parts
            .iter()
            .filter(|(f, _)| *f == Feature::Auth)
            .flat_map(|(_, files)| files)
            .collect();
        assert!(!auth_files.is_empty());
        for file in &auth_files {
            assert!(all.contains(file), "{file}");
        }
        let mut no_auth = Features::all();
        no_auth.set(Feature::Auth, false);
        let without = paths(no_auth);
        for file in &auth_files {
            assert!(!without.contains(file), "{file}");
        }
        assert!(without.contains(&"tests/rest_client.py".to_string()));
    }
}
