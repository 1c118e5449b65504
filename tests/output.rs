//! How arcana behaves when its output goes somewhere unusual: a pipe closed by its reader
//! (`arcana info | head -1`), a device that refuses writes, a tool reading `--json`.
//!
//! A reader that closed the pipe has what it wanted: the command stops writing and exits as it
//! would have (0 after a successful run), without a panic. Any other failure to write stdout is
//! an error (exit 1) with an `error:` line, since the output is incomplete.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn arcana() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_arcana"));
    command.env("NO_COLOR", "1");
    command
}

/// Runs `command` with stdout a pipe whose read end is closed before the command starts, so
/// that its first write to stdout fails with a broken pipe.
fn with_closed_stdout(mut command: Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    command
        .stdout(writer)
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn assert_clean_exit(output: &Output, what: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "`{what}` panicked:\n{stderr}");
    assert_eq!(
        output.status.code(),
        Some(0),
        "`{what}` exit status with a closed stdout; stderr:\n{stderr}"
    );
}

fn project(dir: &Path) -> PathBuf {
    let status = arcana()
        .current_dir(dir)
        .args(["new", "shop", "--no-input"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    dir.join("shop")
}

#[test]
fn info_into_a_closed_pipe_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    let mut command = arcana();
    command.arg("info").arg("--path").arg(&root);
    assert_clean_exit(&with_closed_stdout(command), "arcana info");
}

#[test]
fn completions_into_a_closed_pipe_exit_0() {
    for shell in ["bash", "zsh", "fish"] {
        let mut command = arcana();
        command.args(["completions", shell]);
        assert_clean_exit(
            &with_closed_stdout(command),
            &format!("arcana completions {shell}"),
        );
    }
}

#[test]
fn completions_read_one_line_then_closed_exit_0() {
    // `arcana completions bash | head -1`: the reader takes a line and goes away while arcana
    // may still be writing.
    let mut child = arcana()
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(!first.is_empty());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[test]
fn new_dry_run_into_a_closed_pipe_exits_0_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for json in [false, true] {
        let mut command = arcana();
        command
            .current_dir(tmp.path())
            .args(["new", "shop", "--no-input", "--dry-run"]);
        if json {
            command.arg("--json");
        }
        assert_clean_exit(&with_closed_stdout(command), "arcana new --dry-run");
        assert!(!tmp.path().join("shop").exists());
    }
}

#[test]
fn new_into_a_closed_pipe_generates_the_project_and_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let mut command = arcana();
    command
        .current_dir(tmp.path())
        .args(["new", "shop", "--no-input"]);
    assert_clean_exit(&with_closed_stdout(command), "arcana new");
    assert!(tmp.path().join("shop/arcana.toml").is_file());
}

#[test]
fn add_dry_run_into_a_closed_pipe_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    let mut command = arcana();
    command
        .args(["add", "resource", "product", "name:string", "--dry-run"])
        .arg("--path")
        .arg(&root)
        .arg("--no-input");
    assert_clean_exit(&with_closed_stdout(command), "arcana add --dry-run");
    assert!(!root.join("app/model/product.py").exists());
}

#[test]
fn a_stdout_that_refuses_writes_is_an_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not on this system
    };
    let output = arcana()
        .args(["completions", "bash"])
        .stdout(full)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: writing the output to stdout"),
        "{stderr}"
    );
}

/// `--json` prints exactly one JSON document on stdout, whatever else happens.
fn assert_one_json_document(output: &Output, what: &str) -> serde_json::Value {
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(
        output.status.success(),
        "`{what}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("`{what}` did not print one JSON document ({e}):\n{stdout}"))
}

#[test]
fn json_output_is_one_document() {
    let tmp = tempfile::tempdir().unwrap();
    let output = arcana()
        .current_dir(tmp.path())
        .args(["new", "shop", "--no-input", "--dry-run", "--json"])
        .output()
        .unwrap();
    let plan = assert_one_json_document(&output, "new --dry-run --json");
    assert!(!plan["created"].as_array().unwrap().is_empty());

    let root = project(tmp.path());
    let add = |dry_run: bool| {
        let mut command = arcana();
        command
            .args(["add", "resource", "product", "name:string", "--no-input"])
            .arg("--path")
            .arg(&root);
        if dry_run {
            command.args(["--dry-run", "--json"]);
        }
        command.output().unwrap()
    };
    let plan = assert_one_json_document(&add(true), "add --dry-run --json");
    assert!(!plan["created"].as_array().unwrap().is_empty());
    assert!(add(false).status.success());
    // The resource exists with the same fields now: still one document, with nothing in it.
    let plan = assert_one_json_document(&add(true), "add --dry-run --json (unchanged)");
    assert!(plan["created"].as_array().unwrap().is_empty());
    assert!(plan["changed"].as_array().unwrap().is_empty());
}

/// `arcana new` asking for the project name on a terminal that is then closed (the terminal
/// window shut, the ssh connection lost). With SIGHUP ignored (`nohup`, some multiplexers) the
/// prompt's read fails: that is an error exit, not a panic.
#[cfg(unix)]
#[test]
fn a_terminal_closed_at_a_prompt_is_an_error_not_a_panic() {
    use std::fs::File;
    use std::os::fd::FromRawFd;
    use std::os::unix::process::CommandExt;

    let (mut master, slave) = unsafe {
        let (mut master, mut slave) = (0, 0);
        let made = libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        );
        assert_eq!(made, 0, "openpty");
        // Not inherited: a child holding the master side would keep the terminal open.
        libc::fcntl(master, libc::F_SETFD, libc::FD_CLOEXEC);
        libc::fcntl(slave, libc::F_SETFD, libc::FD_CLOEXEC);
        (File::from_raw_fd(master), File::from_raw_fd(slave))
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut command = arcana();
    command
        .arg("new")
        .current_dir(tmp.path())
        .env("TERM", "xterm")
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY as _, 0);
            libc::signal(libc::SIGHUP, libc::SIG_IGN);
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    drop(command); // the parent's copies of the terminal's slave side
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("Project name") {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    assert!(
        String::from_utf8_lossy(&seen).contains("Project name"),
        "no prompt: {}",
        String::from_utf8_lossy(&seen)
    );
    drop(master);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`arcana new` still waits at its prompt after the terminal closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1), "{status:?}");
    assert!(!tmp.path().join("shop").exists());
}
