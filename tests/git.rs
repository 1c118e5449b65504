//! `arcana new` and git: a repository by default, `--no-git`, none inside an existing work tree,
//! a warning (never a failure) without git, and the first commit of `--install` holding the
//! whole project with its `uv.lock`.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;
use support::arcana;

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// The directory holding the real `git`, to build a PATH with it and nothing else.
fn git_dir() -> PathBuf {
    let output = Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    let path = PathBuf::from(String::from_utf8(output.stdout).unwrap().trim());
    path.parent().unwrap().to_path_buf()
}

#[test]
fn new_creates_a_repository_without_committing() {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "svc", "--no-input"])
        .assert()
        .success()
        .stdout(predicate::str::contains("✔ git init"))
        .stdout(predicate::str::contains("write uv.lock (commit it)"));
    let project = tmp.path().join("svc");
    assert_eq!(git(&project, &["rev-parse", "--show-toplevel"]).trim(), {
        project.canonicalize().unwrap().display().to_string()
    });
    // Nothing is committed: the first commit is the user's, as after `cargo new`.
    assert!(
        !Command::new("git")
            .args(["rev-parse", "--verify", "HEAD"])
            .current_dir(&project)
            .output()
            .unwrap()
            .status
            .success()
    );
    // `.env` holds the JWT secret and stays out of git.
    let untracked = git(
        &project,
        &["status", "--porcelain", "--untracked-files=all"],
    );
    assert!(untracked.contains("?? pyproject.toml"), "{untracked}");
    assert!(!untracked.contains(".env\n"), "{untracked}");
}

#[test]
fn no_git_skips_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "svc", "--no-input", "--no-git"])
        .assert()
        .success()
        .stdout(predicate::str::contains("git init").not());
    assert!(tmp.path().join("svc/arcana.toml").is_file());
    assert!(!tmp.path().join("svc/.git").exists());
}

#[test]
fn no_repository_inside_an_existing_work_tree() {
    let tmp = tempfile::tempdir().unwrap();
    git(tmp.path(), &["init", "-q"]);
    fs::create_dir(tmp.path().join("services")).unwrap();
    arcana()
        .current_dir(tmp.path().join("services"))
        .args(["new", "svc", "--no-input"])
        .assert()
        .success()
        .stdout(predicate::str::contains("git init").not())
        .stderr(predicate::str::contains(
            "note: `svc` is inside the git work tree",
        ));
    assert!(!tmp.path().join("services/svc/.git").exists());
    assert!(tmp.path().join("services/svc/arcana.toml").is_file());
}

#[test]
fn missing_git_is_a_warning_with_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let empty_path = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .env("PATH", empty_path.path())
        .args(["new", "svc", "--no-input"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: `git` is not installed or not on PATH; `svc` is not a git repository",
        ))
        .stderr(predicate::str::contains(
            "hint: Install git and run `git init` in `svc`, or pass `--no-git`",
        ));
    assert!(tmp.path().join("svc/arcana.toml").is_file());
    assert!(!tmp.path().join("svc/.git").exists());
}

/// A stand-in for uv: `uv sync` writes a lock, every other command succeeds.
fn fake_uv(dir: &Path) {
    let uv = dir.join("uv");
    fs::write(
        &uv,
        "#!/bin/sh\nif [ \"$1\" = sync ]; then echo 'version = 1' > uv.lock; fi\nexit 0\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&uv, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn install_commits_the_whole_project_with_its_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let tools = tempfile::tempdir().unwrap();
    fake_uv(tools.path());
    let path = format!("{}:{}", tools.path().display(), git_dir().display());
    arcana()
        .current_dir(tmp.path())
        .env("PATH", path)
        .env("HOME", tmp.path()) // no user identity: the commit uses arcana's
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["new", "svc", "--install"])
        .assert()
        .success()
        .stdout(predicate::str::contains("✔ uv sync"))
        .stdout(predicate::str::contains("✔ first commit (with uv.lock)"))
        .stdout(predicate::str::contains("✔ first test run"));
    let project = tmp.path().join("svc");
    let log = git(&project, &["log", "--format=%s"]);
    assert_eq!(log, "Initial commit from arcana new\n");
    let tracked = git(&project, &["ls-files"]);
    for file in [
        "uv.lock",
        "pyproject.toml",
        "app/wiring.py",
        ".gitignore",
        "arcana.toml",
    ] {
        assert!(
            tracked.lines().any(|l| l == file),
            "{file} not in\n{tracked}"
        );
    }
    assert!(!tracked.lines().any(|l| l == ".env"), "{tracked}");
    assert_eq!(git(&project, &["status", "--porcelain"]), "");
}

#[cfg(unix)]
#[test]
fn install_with_no_git_runs_the_steps_without_a_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let tools = tempfile::tempdir().unwrap();
    fake_uv(tools.path());
    arcana()
        .current_dir(tmp.path())
        .env("PATH", tools.path())
        .args(["new", "svc", "--install", "--no-git"])
        .assert()
        .success()
        .stdout(predicate::str::contains("✔ uv sync"))
        .stdout(predicate::str::contains("first commit").not());
    assert!(tmp.path().join("svc/uv.lock").is_file());
    assert!(!tmp.path().join("svc/.git").exists());
}
