//! Everything arcana prints: errors, plans and summaries.
//!
//! Output follows one style: `error:` / `hint:` prefixes, names in backticks, and colour only as
//! decoration, so the text reads the same with `NO_COLOR` set or when piped.

use std::fmt::Write as _;

use console::{Style, style};
use similar::TextDiff;

use crate::error::UserError;
use crate::plan::{Change, Plan};

/// Turns colours off when `NO_COLOR` is set (any non-empty value), as <https://no-color.org> asks.
pub fn init_colors() {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        console::set_colors_enabled(false);
        console::set_colors_enabled_stderr(false);
    }
}

/// Prints an error the user can fix, with its hint.
pub fn print_user_error(err: &UserError) {
    eprintln!("{} {}", style("error:").red().bold(), err.message);
    if let Some(hint) = &err.hint {
        eprintln!("{} {}", style("hint:").cyan().bold(), hint);
    }
}

/// Prints an internal failure with its chain of causes.
pub fn print_failure(err: &anyhow::Error) {
    eprintln!("{} {}", style("error:").red().bold(), err);
    for cause in err.chain().skip(1) {
        eprintln!("  {} {}", style("caused by:").dim(), cause);
    }
}

/// A success line, e.g. `Created order-service in 12ms`.
pub fn print_success(message: &str) {
    println!("{} {}", style("✔").green().bold(), message);
}

/// Prints commands the user can run next.
pub fn print_next_steps(steps: &[(&str, &str)]) {
    println!();
    println!("{}", style("Next steps:").bold());
    let width = steps.iter().map(|(cmd, _)| cmd.len()).max().unwrap_or(0);
    for (cmd, what) in steps {
        println!(
            "  {}  {}",
            style(format!("{cmd:width$}")).cyan(),
            style(what).dim()
        );
    }
}

/// Prints a plan for `--dry-run`: as JSON for tools, otherwise as text with diffs.
pub fn print_plan(plan: &Plan, json: bool) {
    if json {
        print!("{}", plan_json(plan));
    } else {
        print!("{}", render_plan(plan));
    }
}

/// Renders a plan for `--dry-run`: every created file, every changed file with a unified diff.
pub fn render_plan(plan: &Plan) -> String {
    let mut out = String::new();
    let created = plan.created().count();
    let updated = plan.updated().count();
    let _ = writeln!(
        out,
        "Plan for `{}`: {created} file(s) to create, {updated} file(s) to change (dry run: nothing written)",
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
            Change::Create { .. } => None,
        })
        .collect();
    let value = serde_json::json!({
        "root": plan.root.display().to_string(),
        "created": created,
        "changed": changed,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn contents_len(change: &Change) -> usize {
    match change {
        Change::Create { contents, .. } => contents.len(),
        Change::Update { after, .. } => after.len(),
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
