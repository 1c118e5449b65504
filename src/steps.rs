//! Running slow external steps (git, uv, protoc, pytest) with progress and a summary.
//!
//! Each step shows a spinner with its name while it runs (only on a terminal), then one line
//! with its outcome and duration. A failing step prints its captured output and stops the
//! sequence; files already generated stay where they are.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::UserError;
use crate::ui;

/// One external command to run in the project directory.
#[derive(Debug, Clone)]
pub struct Step {
    pub title: String,
    pub program: String,
    pub args: Vec<String>,
}

impl Step {
    pub fn new(title: &str, program: &str, args: &[&str]) -> Self {
        Self {
            title: title.to_string(),
            program: program.to_string(),
            args: args.iter().map(|a| (*a).to_string()).collect(),
        }
    }

    fn command_line(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Runs the steps in order in `dir`; stops at the first failure with an error naming it.
pub fn run_all(dir: &Path, steps: &[Step]) -> Result<Vec<Duration>> {
    let mut durations = Vec::with_capacity(steps.len());
    for step in steps {
        durations.push(run_one(dir, step)?);
    }
    Ok(durations)
}

fn run_one(dir: &Path, step: &Step) -> Result<Duration> {
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(step.title.clone());
    spinner.enable_steady_tick(Duration::from_millis(100));
    let started = Instant::now();
    let output = Command::new(&step.program)
        .args(&step.args)
        .current_dir(dir)
        .env_remove("VIRTUAL_ENV")
        .output();
    spinner.finish_and_clear();
    let elapsed = started.elapsed();
    let output = match output {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            ui::print_step(&step.title, false, None);
            return Err(UserError::new(format!(
                "`{}` is not installed or not on PATH",
                step.program
            ))
            .hint(missing_tool_hint(&step.program))
            .into());
        }
        Err(err) => return Err(err).with_context(|| format!("running `{}`", step.command_line())),
    };
    if output.status.success() {
        ui::print_step(&step.title, true, Some(elapsed));
        return Ok(elapsed);
    }
    ui::print_step(&step.title, false, Some(elapsed));
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let mut tail: Vec<&str> = text.lines().rev().take(60).collect();
    tail.reverse();
    ui::print_step_output(&tail);
    Err(UserError::new(format!(
        "Step `{}` failed: `{}` exited with {}",
        step.title,
        step.command_line(),
        output.status
    ))
    .hint(format!(
        "The generated files are in place; fix the problem above and run `{}` in `{}`",
        step.command_line(),
        dir.display()
    ))
    .into())
}

fn missing_tool_hint(program: &str) -> String {
    match program {
        "uv" => "Install uv (`pip install uv`, or see https://docs.astral.sh/uv/), then run `uv sync && uv run pytest` in the project".to_string(),
        "git" => "Install git, or pass `--no-git` to `arcana new`".to_string(),
        other => format!("Install `{other}` and try again"),
    }
}

/// Whether git already knows who commits (otherwise the first commit uses a neutral identity).
pub fn git_identity_configured(dir: &Path) -> bool {
    ["user.name", "user.email"].iter().all(|key| {
        Command::new("git")
            .args(["config", "--get", key])
            .current_dir(dir)
            .output()
            .is_ok_and(|o| o.status.success() && !o.stdout.is_empty())
    })
}
