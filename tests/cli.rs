//! Binary-level tests of `arcana`: exit codes, messages, and what lands on disk.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn arcana() -> Command {
    let mut cmd = Command::cargo_bin("arcana").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

fn file_count(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count()
}

#[test]
fn help_lists_commands_and_examples() {
    arcana()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("new"))
        .stdout(predicate::str::contains("Examples:"));
    arcana()
        .args(["new", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--dry-run"))
        .stdout(predicate::str::contains("--no-input"));
}

#[test]
fn version_is_printed() {
    arcana()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn new_generates_a_project_with_manifest_and_secret() {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "order-service", "--no-input"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Created `order-service`"))
        .stdout(predicate::str::contains("uv run pytest"));
    let root = tmp.path().join("order-service");
    let manifest = fs::read_to_string(root.join("arcana.toml")).unwrap();
    assert!(manifest.contains("name = \"order-service\""), "{manifest}");
    assert!(manifest.contains("stack = \"flask\""), "{manifest}");
    let env = fs::read_to_string(root.join(".env")).unwrap();
    let secret = env
        .lines()
        .find_map(|l| l.strip_prefix("JWT_SECRET="))
        .expect(".env sets JWT_SECRET");
    assert_eq!(secret.len(), 64);
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));
    let gitignore = fs::read_to_string(root.join(".gitignore")).unwrap();
    assert!(
        gitignore.lines().any(|l| l.trim() == ".env"),
        ".env is never tracked"
    );
    assert!(root.join("protos/order_service/v1/auth.proto").is_file());
    let pyproject = fs::read_to_string(root.join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("name = \"order-service\""));
}

#[test]
fn each_project_gets_its_own_secret() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["one", "two"] {
        arcana()
            .current_dir(tmp.path())
            .args(["new", &format!("svc-{name}"), "--no-input"])
            .assert()
            .success();
    }
    let one = fs::read_to_string(tmp.path().join("svc-one/.env")).unwrap();
    let two = fs::read_to_string(tmp.path().join("svc-two/.env")).unwrap();
    assert_ne!(one, two);
}

#[test]
fn path_option_chooses_the_destination() {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args([
            "new",
            "billing",
            "--path",
            "services/billing-api",
            "--no-input",
        ])
        .assert()
        .success();
    assert!(
        tmp.path()
            .join("services/billing-api/arcana.toml")
            .is_file()
    );
    assert!(!tmp.path().join("billing").exists());
}

#[test]
fn empty_destination_directory_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("svc")).unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "svc", "--no-input"])
        .assert()
        .success();
    assert!(tmp.path().join("svc/arcana.toml").is_file());
}

#[test]
fn bad_names_are_refused_with_a_hint_and_nothing_is_written() {
    let cases = [
        ("", "The project name is empty"),
        ("9lives", "must start with a letter"),
        ("my service", "not a valid project name"),
        ("class", "Python keyword"),
        ("json", "standard library module `json`"),
        ("flask", "clashes with `flask`"),
        ("celery", "clashes with `celery`"),
    ];
    for (name, message) in cases {
        let tmp = tempfile::tempdir().unwrap();
        arcana()
            .current_dir(tmp.path())
            .args(["new", name, "--no-input"])
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains(format!("error: {message}"))
                    .or(predicate::str::contains(message)),
            )
            .stderr(predicate::str::contains("hint: "));
        assert_eq!(
            fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "{name:?} wrote files"
        );
    }
}

#[test]
fn missing_name_without_a_terminal_names_the_argument() {
    arcana()
        .args(["new", "--no-input"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error: Missing the project name"))
        .stderr(predicate::str::contains(
            "hint: Pass it as the first argument",
        ));
}

#[test]
fn non_empty_destination_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("svc")).unwrap();
    fs::write(tmp.path().join("svc/notes.txt"), "mine").unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "svc", "--no-input"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`svc` already exists and is not empty",
        ))
        .stderr(predicate::str::contains(
            "hint: Choose another destination with `--path DIR`",
        ));
    assert_eq!(
        fs::read_to_string(tmp.path().join("svc/notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(file_count(&tmp.path().join("svc")), 1);
}

#[test]
fn destination_that_is_a_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("svc"), "file").unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "svc", "--no-input"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("exists and is not a directory"));
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "svc", "--dry-run", "--no-input"])
        .assert()
        .success()
        .stdout(predicate::str::contains("dry run: nothing written"))
        .stdout(predicate::str::contains("create app/wiring.py"))
        .stdout(predicate::str::contains("create arcana.toml"));
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[cfg(unix)]
#[test]
fn unwritable_parent_fails_without_leaving_anything() {
    use std::os::unix::fs::PermissionsExt;
    if nix_is_root() {
        return; // root ignores directory permissions
    }
    let tmp = tempfile::tempdir().unwrap();
    let locked = tmp.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    arcana()
        .current_dir(&locked)
        .args(["new", "svc", "--no-input"])
        .assert()
        .code(1);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(fs::read_dir(&locked).unwrap().count(), 0);
}

#[cfg(unix)]
fn nix_is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn install_failure_names_the_step_and_keeps_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let empty_path = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .env("PATH", empty_path.path())
        .args(["new", "svc", "--install"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("Created `svc`"))
        .stderr(predicate::str::contains(
            "warning: `git` is not installed or not on PATH",
        ))
        .stderr(predicate::str::contains(
            "error: `uv` is not installed or not on PATH",
        ))
        .stderr(predicate::str::contains("hint: "));
    assert!(tmp.path().join("svc/arcana.toml").is_file());
}

#[test]
fn install_conflicts_with_dry_run() {
    arcana()
        .args(["new", "svc", "--install", "--dry-run"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn dry_run_json_lists_created_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = arcana()
        .current_dir(tmp.path())
        .args(["new", "svc", "--dry-run", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plan: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let created = plan["created"].as_array().unwrap();
    assert!(created.iter().any(|f| f["path"] == "app/wiring.py"));
    assert!(created.iter().any(|f| f["path"] == ".gitignore"));
    assert_eq!(plan["changed"].as_array().unwrap().len(), 0);
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn info_reports_the_manifest_and_refuses_outside_a_project() {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .arg("info")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not inside an arcana project"))
        .stderr(predicate::str::contains("hint: "));
    arcana()
        .current_dir(tmp.path())
        .args(["new", "shop", "--no-input"])
        .assert()
        .success();
    arcana()
        .current_dir(tmp.path().join("shop/app"))
        .arg("info")
        .assert()
        .success()
        .stdout(predicate::str::contains("project    shop"))
        .stdout(predicate::str::contains("stack      flask"))
        .stdout(predicate::str::contains("grpc (on)"));
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        arcana()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("arcana"));
    }
}

#[test]
fn no_color_output_has_no_escape_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let assert = arcana()
        .current_dir(tmp.path())
        .args(["new", "class", "--no-input"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert!(stderr.starts_with("error: `class` is a Python keyword"));
}

#[test]
fn part_flags_leave_out_their_files_and_are_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "lean", "--no-input", "--no-grpc", "--no-worker"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cache, auth)"))
        .stdout(predicate::str::contains("make grpc").not())
        .stdout(predicate::str::contains("make worker").not());
    let root = tmp.path().join("lean");
    for gone in [
        "app/grpc",
        "protos",
        "tests/grpc",
        "app/tasks",
        "k8s/worker.yaml",
    ] {
        assert!(!root.join(gone).exists(), "{gone} should not exist");
    }
    for kept in ["app/repository/cache_repository.py", "app/core/security.py"] {
        assert!(root.join(kept).is_file(), "{kept} should exist");
    }
    let manifest = fs::read_to_string(root.join("arcana.toml")).unwrap();
    for line in [
        "grpc = false",
        "cache = true",
        "worker = false",
        "auth = true",
    ] {
        assert!(manifest.contains(line), "{line} in {manifest}");
    }
    arcana()
        .current_dir(&root)
        .arg("info")
        .assert()
        .success()
        .stdout(predicate::str::contains("grpc (off)"))
        .stdout(predicate::str::contains("cache (on)"));
}

#[test]
fn a_dry_run_without_parts_plans_none_of_their_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = arcana()
        .current_dir(tmp.path())
        .args(["new", "svc", "--dry-run", "--json"])
        .args(["--no-grpc", "--no-cache", "--no-worker", "--no-auth"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plan: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let paths: Vec<&str> = plan["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"app/wiring.py"));
    for part in ["grpc", "cache", "tasks", "auth", "security", "user"] {
        assert!(
            !paths.iter().any(|p| p.contains(part)),
            "a file of `{part}` is planned: {paths:?}"
        );
    }
}
