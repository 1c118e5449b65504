//! `arcana add resource` asking for what is missing, through a real pseudo-terminal.

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
fn asks_for_the_name_and_the_fields_until_an_empty_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_arcana"))
        .args(["new", "shop", "--no-input"])
        .current_dir(tmp.path())
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    let root = tmp.path().join("shop");
    let mut session = spawn_in(&root, &["add", "resource"]);
    session.expect("Resource name").unwrap();
    session.send_line("products").unwrap();
    session.expect("Field of `product`").unwrap();
    session.send_line("title:strng").unwrap();
    session.expect("`strng` is not a known type").unwrap();
    session.send_line("title:string:120").unwrap();
    session.expect("Another field").unwrap();
    session.send_line("price:decimal").unwrap();
    session.expect("Another field").unwrap();
    session.send_line("").unwrap();
    session.expect("Added resource `product`").unwrap();
    session.expect(Eof).unwrap();
    let manifest = std::fs::read_to_string(root.join("arcana.toml")).unwrap();
    assert!(manifest.contains("\"title:string:120\""), "{manifest}");
    assert!(manifest.contains("\"price:decimal:12,2\""), "{manifest}");
}
