//! Snapshots of what `arcana` prints: help, plans, errors and summaries, with temporary paths
//! and durations replaced so that the output is the same on every run.

use std::path::Path;

use assert_cmd::Command;

fn arcana() -> Command {
    let mut cmd = Command::cargo_bin("arcana").unwrap();
    cmd.env("NO_COLOR", "1").env("COLUMNS", "100");
    cmd
}

/// Replaces `dir` with `[TMP]` and every `<digits>ms` with `[N]ms`.
fn normalize(text: &[u8], dir: &Path) -> String {
    let text = String::from_utf8_lossy(text).replace(&dir.display().to_string(), "[TMP]");
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if !digits.is_empty() {
            let is_ms = c == 'm' && chars.peek() == Some(&'s');
            out.push_str(if is_ms { "[N]" } else { &digits });
            digits.clear();
        }
        out.push(c);
    }
    out.push_str(&digits);
    out
}

fn stdout_of(args: &[&str], dir: &Path) -> String {
    let output = arcana().current_dir(dir).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?} failed: {output:?}");
    normalize(&output.stdout, dir)
}

/// Exit code and stderr of a command that must fail.
fn failure_of(args: &[&str], dir: &Path) -> String {
    let output = arcana().current_dir(dir).args(args).output().unwrap();
    assert!(!output.status.success(), "{args:?} succeeded");
    format!(
        "exit code {}\n{}",
        output.status.code().unwrap_or(-1),
        normalize(&output.stderr, dir)
    )
}

#[test]
fn help() {
    let tmp = tempfile::tempdir().unwrap();
    insta::assert_snapshot!("help", stdout_of(&["--help"], tmp.path()));
    insta::assert_snapshot!("new_help", stdout_of(&["new", "--help"], tmp.path()));
}

#[test]
fn new_summary_and_next_steps() {
    let tmp = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(
        "new_without_grpc_and_worker",
        stdout_of(
            &["new", "shop", "--no-input", "--no-grpc", "--no-worker"],
            tmp.path()
        )
    );
}

#[test]
fn new_dry_run_without_any_part() {
    let tmp = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(
        "new_dry_run_minimal",
        stdout_of(
            &[
                "new",
                "lean",
                "--dry-run",
                "--no-grpc",
                "--no-cache",
                "--no-worker",
                "--no-auth",
            ],
            tmp.path()
        )
    );
}

#[test]
fn new_errors() {
    let tmp = tempfile::tempdir().unwrap();
    insta::assert_snapshot!(
        "new_keyword_name",
        failure_of(&["new", "class", "--no-input"], tmp.path())
    );
    insta::assert_snapshot!(
        "new_missing_name",
        failure_of(&["new", "--no-input"], tmp.path())
    );
}

#[test]
fn add_dry_run_and_conflicts() {
    let tmp = tempfile::tempdir().unwrap();
    stdout_of(
        &["new", "shop", "--no-input", "--no-grpc", "--no-auth"],
        tmp.path(),
    );
    let root = tmp.path().join("shop");
    insta::assert_snapshot!(
        "add_dry_run",
        stdout_of(
            &["add", "resource", "note", "body:text", "--dry-run"],
            &root
        )
    );
    std::fs::create_dir_all(root.join("app/dto")).unwrap();
    std::fs::write(root.join("app/dto/note_dto.py"), "# mine\n").unwrap();
    insta::assert_snapshot!(
        "add_conflict",
        failure_of(
            &["add", "resource", "note", "body:text", "--no-input"],
            &root
        )
    );
    insta::assert_snapshot!(
        "add_ref_user_without_auth",
        failure_of(
            &["add", "resource", "memo", "owner:ref:user", "--no-input"],
            &root
        )
    );
}
