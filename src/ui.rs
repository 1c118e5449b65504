//! Everything arcana prints: errors, warnings, plans, reports and summaries.
//!
//! `STYLE.md` at the repository root says how arcana speaks; this module is the only place that
//! writes to the terminal, so the style is kept here. Results (reports, plans, summaries, shell
//! scripts) go to stdout; diagnostics (`error:`, `warning:`, `note:`, the output of a failed
//! step) go to stderr. Colour is decoration only: every line reads the same with `NO_COLOR` set
//! or when piped.
//!
//! Writing never panics. A closed stdout (`arcana info | head -1`) means the reader has what it
//! wanted: further output is dropped and the command carries on to its normal exit code. Any
//! other failure to write stdout (a full disk behind a redirection) is kept and reported by
//! [`stdout_error`] so that the command exits with an error instead of claiming success.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use console::{Style, style};
use similar::TextDiff;

use crate::error::UserError;
use crate::plan::{Change, Plan};

/// Set once stdout cannot take more output; everything after is dropped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// The first failure to write stdout other than a closed pipe.
static STDOUT_ERROR: Mutex<Option<io::Error>> = Mutex::new(None);

/// Turns colours off when `NO_COLOR` is set (any non-empty value), as <https://no-color.org> asks.
pub fn init_colors() {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        console::set_colors_enabled(false);
        console::set_colors_enabled_stderr(false);
    }
}

/// Writes a result to stdout. A closed pipe stops the output silently; another failure is
/// remembered for [`stdout_error`]. Never panics.
pub fn print_bytes(bytes: &[u8]) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = io::stdout().lock();
    if let Err(err) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if err.kind() != io::ErrorKind::BrokenPipe
            && let Ok(mut slot) = STDOUT_ERROR.lock()
        {
            slot.get_or_insert(err);
        }
    }
}

/// Writes result text to stdout as it is (see [`print_bytes`]).
pub fn print(text: &str) {
    print_bytes(text.as_bytes());
}

/// Writes one line of result text to stdout (see [`print_bytes`]).
pub fn print_line(line: &str) {
    print(&format!("{line}\n"));
}

/// The failure to write stdout, other than a closed pipe, if one happened: the command's output
/// is incomplete and it must not exit with success.
pub fn stdout_error() -> Option<io::Error> {
    STDOUT_ERROR.lock().ok().and_then(|mut slot| slot.take())
}

/// Writes one diagnostic line to stderr. A stderr that cannot be written to has no one
/// reading it, so failures are ignored.
fn diagnostic(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// Prints an error the user can fix, with its hint.
pub fn print_user_error(err: &UserError) {
    diagnostic(&format!("{} {}", style("error:").red().bold(), err.message));
    if let Some(hint) = &err.hint {
        diagnostic(&format!("{} {}", style("hint:").cyan().bold(), hint));
    }
}

/// Prints an internal failure with its chain of causes.
pub fn print_failure(err: &anyhow::Error) {
    diagnostic(&format!("{} {}", style("error:").red().bold(), err));
    for cause in err.chain().skip(1) {
        diagnostic(&format!("  {} {}", style("caused by:").dim(), cause));
    }
}

/// A `warning:` line: something the user should know that did not stop the command.
pub fn warning(message: &str) {
    diagnostic(&format!("{} {message}", style("warning:").yellow().bold()));
}

/// A `warning:` line with a `hint:` under it that says what to run.
pub fn warning_with_hint(message: &str, hint: &str) {
    warning(message);
    diagnostic(&format!("{} {hint}", style("hint:").cyan().bold()));
}

/// A `note:` line: how arcana read the user's input, when that may surprise.
pub fn note(message: &str) {
    diagnostic(&format!("{} {message}", style("note:").cyan().bold()));
}

/// A file the plan leaves alone, and why.
pub fn skipped(path: &str, why: &str) {
    diagnostic(&format!(
        "{} `{path}`: {why}",
        style("skip:").yellow().bold()
    ));
}

/// A file the user edited whose edits `--force` replaces.
pub fn overwritten(path: &str) {
    diagnostic(&format!(
        "{} `{path}` (your edits are replaced, `--force`)",
        style("overwrite:").yellow().bold()
    ));
}

/// Explanatory text shown before interactive prompts (prompts are on stderr too).
pub fn prompt_help(text: &str) {
    diagnostic(text);
}

/// A success line, e.g. `Created order-service in 12ms`.
pub fn print_success(message: &str) {
    print_line(&format!("{} {}", style("✔").green().bold(), message));
}

/// An empty line between sections of a report.
pub fn print_blank_line() {
    print_line("");
}

/// The outcome of one external step: `✔ uv sync (3.1s)`, or `✘ uv sync (3.1s)` when it failed
/// (`✘ uv sync` when it could not start).
pub fn print_step(title: &str, ok: bool, elapsed: Option<Duration>) {
    let mark = if ok {
        style("✔").green().bold()
    } else {
        style("✘").red().bold()
    };
    match elapsed {
        Some(elapsed) => print_line(&format!(
            "{mark} {title} {}",
            style(format!("({:.1}s)", elapsed.as_secs_f64())).dim()
        )),
        None => print_line(&format!("{mark} {title}")),
    }
}

/// The captured output of a failed step, one `│`-prefixed line each, on stderr.
pub fn print_step_output(lines: &[&str]) {
    for line in lines {
        diagnostic(&format!("  {} {line}", style("│").dim()));
    }
}

/// Prints commands the user can run next.
pub fn print_next_steps(steps: &[(&str, &str)]) {
    let mut out = String::from("\n");
    let _ = writeln!(out, "{}", style("Next steps:").bold());
    let width = steps.iter().map(|(cmd, _)| cmd.len()).max().unwrap_or(0);
    for (cmd, what) in steps {
        let _ = writeln!(
            out,
            "  {}  {}",
            style(format!("{cmd:width$}")).cyan(),
            style(what).dim()
        );
    }
    print(&out);
}

/// Prints a plan for `--dry-run`: as JSON for tools, otherwise as text with diffs.
pub fn print_plan(plan: &Plan, json: bool) {
    if json {
        print(&plan_json(plan));
    } else {
        print(&render_plan(plan));
    }
}

/// Renders a plan for `--dry-run`: every created file, every changed file with a unified diff.
pub fn render_plan(plan: &Plan) -> String {
    let mut out = String::new();
    let created = plan.created().count();
    let updated = plan.updated().count();
    let deleted = plan.deleted().count();
    let removing = if deleted > 0 {
        format!(", {deleted} file(s) to remove")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "Plan for `{}`: {created} file(s) to create, {updated} file(s) to change{removing} (dry run: nothing written)",
        plan.root.display()
    );
    for change in &plan.changes {
        match change {
            Change::Create { path, contents } => {
                let lines = contents.lines().count();
                let _ = writeln!(out, "  {} {path} ({lines} lines)", style("create").green());
            }
            Change::Update {
                path,
                before,
                after,
            } => {
                let _ = writeln!(out, "  {} {path}", style("change").yellow());
                out.push_str(&unified_diff(path, before, after));
            }
            Change::Delete { path, before } => {
                let lines = before.lines().count();
                let _ = writeln!(out, "  {} {path} ({lines} lines)", style("remove").red());
            }
        }
    }
    out
}

/// The plan as JSON for tools and CI: created files, changed files with unified diffs.
pub fn plan_json(plan: &Plan) -> String {
    let created: Vec<_> = plan
        .created()
        .map(|c| serde_json::json!({ "path": c.path(), "bytes": contents_len(c) }))
        .collect();
    let changed: Vec<_> = plan
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Update {
                path,
                before,
                after,
            } => Some(serde_json::json!({
                "path": path,
                "diff": TextDiff::from_lines(before.as_str(), after.as_str())
                    .unified_diff()
                    .context_radius(2)
                    .header(&format!("a/{path}"), &format!("b/{path}"))
                    .to_string(),
            })),
            Change::Create { .. } | Change::Delete { .. } => None,
        })
        .collect();
    let removed: Vec<_> = plan.deleted().map(|c| c.path()).collect();
    let value = serde_json::json!({
        "root": plan.root.display().to_string(),
        "created": created,
        "changed": changed,
        "removed": removed,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn contents_len(change: &Change) -> usize {
    match change {
        Change::Create { contents, .. } => contents.len(),
        Change::Update { after, .. } => after.len(),
        Change::Delete { .. } => 0,
    }
}

/// A unified diff of one file, coloured when colours are on.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    let diff = TextDiff::from_lines(before, after);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    let added = Style::new().green();
    let removed = Style::new().red();
    let mut out = String::new();
    for line in text.lines() {
        let styled = if line.starts_with('+') && !line.starts_with("+++") {
            added.apply_to(line).to_string()
        } else if line.starts_with('-') && !line.starts_with("---") {
            removed.apply_to(line).to_string()
        } else {
            line.to_string()
        };
        let _ = writeln!(out, "    {styled}");
    }
    out
}
