//! Interactive prompts, driven through a real pseudo-terminal.

#![cfg(unix)]

use std::process::Command;
use std::time::Duration;

use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};

fn spawn_in(dir: &std::path::Path, args: &[&str]) -> OsSession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_arcana"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut session = Session::spawn(command).expect("spawn arcana in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

#[test]
fn new_asks_for_a_missing_name_the_stack_the_optional_parts_and_the_install_step() {
    let tmp = tempfile::tempdir().unwrap();
    let mut session = spawn_in(tmp.path(), &["new"]);
    session.expect("Project name").unwrap();
    session.send_line("pty-svc").unwrap();
    session.expect("Web stack").unwrap();
    session.expect("fastapi: FastAPI").unwrap();
    // Down selects the second stack (fastapi); enter accepts.
    session.send("\x1b[B").unwrap();
    session.send("\r").unwrap();
    session.expect("Optional parts").unwrap();
    session.expect("auth: users").unwrap();
    // Space toggles the highlighted part (gRPC, the first) off; enter accepts.
    session.send(" ").unwrap();
    session.send("\r").unwrap();
    session
        .expect("Install dependencies and run the tests now")
        .unwrap();
    session.send_line("n").unwrap();
    session.expect("Created `pty-svc` (").unwrap();
    session.expect("cache, worker, auth)").unwrap();
    session.expect(Eof).unwrap();
    let manifest = std::fs::read_to_string(tmp.path().join("pty-svc/arcana.toml")).unwrap();
    assert!(manifest.contains("grpc = false"), "{manifest}");
    assert!(manifest.contains("auth = true"), "{manifest}");
    assert!(manifest.contains("stack = \"fastapi\""), "{manifest}");
    assert!(!tmp.path().join("pty-svc/app/grpc").exists());
    assert!(tmp.path().join("pty-svc/app/asgi.py").exists());
}

#[test]
fn part_flags_skip_the_optional_parts_prompt() {
    let tmp = tempfile::tempdir().unwrap();
    let mut session = spawn_in(
        tmp.path(),
        &[
            "new",
            "flags-svc",
            "--stack",
            "flask",
            "--no-worker",
            "--no-install",
        ],
    );
    session.expect("Created `flags-svc`").unwrap();
    session.expect(Eof).unwrap();
    let manifest = std::fs::read_to_string(tmp.path().join("flags-svc/arcana.toml")).unwrap();
    assert!(manifest.contains("worker = false"), "{manifest}");
    assert!(manifest.contains("grpc = true"), "{manifest}");
}

#[test]
fn a_bad_name_typed_at_the_prompt_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut session = spawn_in(tmp.path(), &["new"]);
    session.expect("Project name").unwrap();
    session.send_line("class").unwrap();
    session.expect("is a Python keyword").unwrap();
    session.expect(Eof).unwrap();
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn no_input_never_prompts_even_on_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let mut session = spawn_in(tmp.path(), &["new", "--no-input"]);
    session.expect("Missing the project name").unwrap();
    session.expect(Eof).unwrap();
}
