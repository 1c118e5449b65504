//! Binary-level tests of how arcana treats what is on disk: the manifest's schema, line endings,
//! byte order marks, modes, links and read-only files, Alembic revision ids, destinations and
//! `--path`, the project lock, and a full disk. Every refusal exits 2 and writes nothing.

mod support;

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use support::*;

const PRODUCT: &[&str] = &["product", "name:string:80", "price:decimal"];

fn add(root: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    arcana()
        .current_dir(root)
        .args(["add", "resource"])
        .args(args)
        .arg("--no-input")
        .assert()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: no `{from}`", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn manifest_values_of_the_wrong_kind_are_refused_naming_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    let manifest = root.join("arcana.toml");
    let original = fs::read_to_string(&manifest).unwrap();
    // Without the built-in user's record, as projects generated before it have (it is
    // implied), so that `[resources]` can be replaced by a value below.
    let at = original.find("\n# The built-in user").unwrap();
    let original = original[..=at].to_string();
    // (text removed, line put first, key named): top-level keys go before `[project]`.
    let cases = [
        ("[resources]\n", "resources = {}\n", "`resources`"),
        ("[resources]\n", "resources = \"x\"\n", "`resources`"),
        ("", "files = {}\n", "`files`"),
        ("grpc = true", "", "`[features] grpc`"),
    ];
    for (from, first, key) in cases {
        let text = if first.is_empty() {
            original.replacen(from, "grpc = \"yes\"", 1)
        } else {
            format!("{first}{}", original.replacen(from, "", 1))
        };
        fs::write(&manifest, &text).unwrap();
        let before = tree(&root);
        for command in [
            &["info"][..],
            &["add", "resource", "tag", "name:string", "--no-input"][..],
        ] {
            arcana()
                .current_dir(&root)
                .args(command)
                .assert()
                .code(2)
                .stderr(predicate::str::contains(key))
                .stderr(predicate::str::contains("hint:"));
            assert_eq!(tree(&root), before, "{text}");
        }
    }
}

#[test]
fn crlf_line_endings_and_a_byte_order_mark_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    for file in ["app/wiring.py", "arcana.toml"] {
        let path = root.join(file);
        let text = fs::read_to_string(&path).unwrap().replace('\n', "\r\n");
        let text = if file == "arcana.toml" {
            format!("\u{feff}{text}")
        } else {
            text
        };
        fs::write(&path, text).unwrap();
    }
    add(&root, PRODUCT).success();
    for file in ["app/wiring.py", "arcana.toml"] {
        let bytes = fs::read(root.join(file)).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("product"), "{file} was not changed");
        let bare = text.replace("\r\n", "").matches('\n').count();
        assert_eq!(bare, 0, "{file} has LF line endings");
    }
    let manifest = fs::read(root.join("arcana.toml")).unwrap();
    assert!(manifest.starts_with("\u{feff}".as_bytes()), "BOM dropped");
    // And the next command still reads it.
    add(&root, &["tag", "name:string"]).success();
    assert_whole(&root, &["product", "tag"]);
}

#[cfg(unix)]
#[test]
fn modes_are_kept_and_read_only_files_need_force() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    let wiring = root.join("app/wiring.py");
    fs::set_permissions(&wiring, fs::Permissions::from_mode(0o640)).unwrap();
    add(&root, &["tag", "name:string"]).success();
    let mode = fs::metadata(&wiring).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);

    fs::set_permissions(&wiring, fs::Permissions::from_mode(0o444)).unwrap();
    let before = tree(&root);
    add(&root, PRODUCT)
        .code(2)
        .stderr(predicate::str::contains("`app/wiring.py` is read-only"))
        .stderr(predicate::str::contains("hint:").and(predicate::str::contains("--force")));
    assert_eq!(tree(&root), before);

    add(&root, &[PRODUCT, &["--force"]].concat()).success();
    let mode = fs::metadata(&wiring).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444, "still read-only");
    assert_whole(&root, &["product", "tag"]);
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_is_written_through_and_stays_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    let shared = tmp.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::rename(root.join("app/wiring.py"), shared.join("wiring.py")).unwrap();
    std::os::unix::fs::symlink(shared.join("wiring.py"), root.join("app/wiring.py")).unwrap();
    add(&root, PRODUCT).success();
    let link = fs::symlink_metadata(root.join("app/wiring.py")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    let target = fs::read_to_string(shared.join("wiring.py")).unwrap();
    assert!(
        target.contains("ProductServiceImpl"),
        "the target was not updated"
    );
    assert_eq!(
        fs::read_dir(&shared).unwrap().count(),
        1,
        "no temporary left"
    );
    assert_whole(&root, &["product"]);

    // A link to nothing is refused, and stays.
    fs::remove_file(shared.join("wiring.py")).unwrap();
    let before = tree(&root);
    add(&root, &["tag", "name:string"])
        .code(2)
        .stderr(predicate::str::contains("`app/wiring.py`"));
    assert_eq!(tree(&root), before);
}

#[test]
fn revision_ids_are_read_the_way_alembic_reads_them() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    add(&root, PRODUCT).success();
    let versions = root.join("migrations/versions");
    edit(
        &versions.join("0002_create_products.py"),
        "revision: str = \"0002\"",
        "revision = (\n    '0002'\n)",
    );
    add(&root, &["tag", "name:string"]).success();
    let tag = fs::read_to_string(versions.join("0003_create_tags.py")).unwrap();
    assert!(
        tag.contains("down_revision: str | Sequence[str] | None = \"0002\""),
        "{tag}"
    );
    assert_whole(&root, &["product", "tag"]);

    edit(
        &versions.join("0003_create_tags.py"),
        "revision: str = \"0003\"",
        "revision = next_id()",
    );
    add(&root, &["post", "title:string"])
        .code(2)
        .stderr(predicate::str::contains("0003_create_tags.py"));
}

#[test]
fn a_create_table_migration_without_its_resource_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    let manifest = fs::read_to_string(root.join("arcana.toml")).unwrap();
    add(&root, PRODUCT).success();
    // What an interrupted run of an older arcana left: files, but no record.
    fs::write(root.join("arcana.toml"), manifest).unwrap();
    let before = tree(&root);
    add(&root, &[PRODUCT, &["--force"]].concat())
        .code(2)
        .stderr(predicate::str::contains("0002_create_products.py"));
    assert_eq!(tree(&root), before);
}

#[test]
fn overlong_project_names_are_refused_before_any_write() {
    let tmp = tempfile::tempdir().unwrap();
    for len in [240, 10_000] {
        let name = "a".repeat(len);
        arcana()
            .current_dir(tmp.path())
            .args(["new", &name, "--no-input"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "is {len} characters long"
            )))
            .stderr(predicate::str::contains("hint:"))
            .stderr(predicate::function(|s: &str| s.len() < 400));
    }
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn path_dot_fills_the_current_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("here");
    fs::create_dir(&dir).unwrap();
    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(&dir).unwrap().ino()
    };
    arcana()
        .current_dir(&dir)
        .args(["new", "shop", "--path", ".", "--no-input"])
        .assert()
        .success();
    assert!(dir.join("arcana.toml").is_file());
    assert!(dir.join("app/wiring.py").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        assert_eq!(
            fs::metadata(&dir).unwrap().ino(),
            inode,
            "the directory is kept"
        );
    }
    assert_eq!(leftovers(&dir), Vec::<String>::new());
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
    add(&dir, PRODUCT).success();
    assert_whole(&dir, &["product"]);
}

#[cfg(unix)]
#[test]
fn path_as_a_symlink_to_an_empty_directory_works() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink(&real, tmp.path().join("link")).unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "shop", "--path", "link", "--no-input"])
        .assert()
        .success();
    assert!(
        fs::symlink_metadata(tmp.path().join("link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(real.join("arcana.toml").is_file());
    let mut names: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["link", "real"]);
}

#[test]
fn path_with_dot_dot_leaves_no_directory_behind() {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "shop", "--path", "x/../y", "--no-input"])
        .assert()
        .success();
    assert!(tmp.path().join("y/arcana.toml").is_file());
    assert!(!tmp.path().join("x").exists(), "an empty `x` is left");
    assert_eq!(leftovers(tmp.path()), Vec::<String>::new());
}

#[test]
fn add_with_a_path_that_does_not_exist_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    let before = tree(&root);
    arcana()
        .current_dir(tmp.path())
        .args(["add", "resource", "product", "name:string", "--no-input"])
        .args(["--path", "shop/nonexistent/deeper"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`shop/nonexistent/deeper` does not exist",
        ))
        .stderr(predicate::str::contains("hint:"));
    assert_eq!(tree(&root), before);
}

#[test]
fn dry_run_json_for_an_existing_resource_is_one_json_document() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    add(&root, PRODUCT).success();
    let before = tree(&root);
    let output = arcana()
        .current_dir(&root)
        .args(["add", "resource"])
        .args(PRODUCT)
        .args(["--dry-run", "--json", "--no-input"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let value: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(value["created"], serde_json::json!([]));
    assert_eq!(value["changed"], serde_json::json!([]));
    assert_eq!(tree(&root), before);
}

#[test]
fn a_held_lock_makes_a_second_command_wait_then_refuse_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    fs::create_dir(root.join(".arcana")).unwrap();
    let lock = fs::File::create(root.join(".arcana/lock")).unwrap();
    lock.lock().unwrap();
    let before = tree(&root);
    let started = std::time::Instant::now();
    arcana()
        .current_dir(&root)
        .args(["add", "resource"])
        .args(PRODUCT)
        .arg("--no-input")
        .env("ARCANA_LOCK_TIMEOUT", "0.3")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Another arcana command is changing this project",
        ))
        .stderr(predicate::str::contains("hint:").and(predicate::str::contains(".arcana/lock")));
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    assert_eq!(tree(&root), before);
    drop(lock);
    add(&root, PRODUCT).success();
    assert_whole(&root, &["product"]);
}

#[test]
fn a_dry_run_neither_waits_for_the_lock_nor_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    fs::create_dir(root.join(".arcana")).unwrap();
    let lock = fs::File::create(root.join(".arcana/lock")).unwrap();
    lock.lock().unwrap();
    let before = tree(&root);
    arcana()
        .current_dir(&root)
        .args(["add", "resource"])
        .args(PRODUCT)
        .args(["--dry-run", "--no-input"])
        .env("ARCANA_LOCK_TIMEOUT", "0")
        .assert()
        .success();
    assert_eq!(tree(&root), before);
}

#[test]
fn stale_staging_folders_of_new_are_removed_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join(".nn.arcana-staging-4000000/app")).unwrap();
    fs::write(tmp.path().join(".nn.arcana-staging-4000000/app/x.py"), "x").unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "nn", "--no-input"])
        .assert()
        .success()
        .stderr(predicate::str::contains("note:"));
    let names: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["nn"]);
}

/// A full disk, simulated with a file size limit: every write past it fails (EFBIG).
#[cfg(target_os = "linux")]
#[test]
fn a_write_error_leaves_nothing_behind() {
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    let pristine = new_project(tmp.path(), "shop");
    let mut outcomes = Vec::new();
    for limit in [0u64, 64, 1024, 2048, 4096] {
        let root = tmp.path().join(format!("limit-{limit}"));
        copy_tree(&pristine, &root);
        let before = tree(&root);
        let mut cmd = arcana_process();
        cmd.current_dir(&root)
            .args([
                "add",
                "resource",
                "product",
                "name:string:80",
                "price:decimal",
            ])
            .arg("--no-input");
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let rlimit = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let output = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(1), "limit {limit}: {stderr}");
        assert!(stderr.contains("error:"), "{stderr}");
        assert_eq!(
            tree(&root),
            before,
            "limit {limit} left {:?}",
            differences(&before, &tree(&root))
        );
        outcomes.push(limit);
    }
    assert_eq!(outcomes.len(), 5);
}

#[test]
fn control_characters_in_a_project_name_are_shown_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let output = arcana()
        .current_dir(tmp.path())
        .args(["new", "a\u{7}b\u{1b}[31m", "--no-input"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        !stderr.chars().any(|c| c.is_control() && c != '\n'),
        "{stderr:?}"
    );
    assert!(stderr.contains("a\\u{7}b\\u{1b}[31m"), "{stderr}");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_dry_run_after_an_interruption_says_so_and_recovers_nothing() {
    if !cfg!(debug_assertions) {
        return; // The crash points exist in debug builds only.
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    let crashed = arcana()
        .current_dir(&root)
        .args(["add", "resource"])
        .args(PRODUCT)
        .arg("--no-input")
        .env("ARCANA_CRASH_AT", "5")
        .output()
        .unwrap();
    assert!(!crashed.status.success());
    assert!(root.join(".arcana/journal").is_file());
    let before = tree(&root);
    arcana()
        .current_dir(&root)
        .args([
            "add",
            "resource",
            "tag",
            "name:string",
            "--dry-run",
            "--no-input",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("note:").and(predicate::str::contains("was interrupted")));
    assert_eq!(tree(&root), before);
    add(&root, &["tag", "name:string"])
        .success()
        .stderr(predicate::str::contains("note:"));
    assert_whole(&root, &["tag"]);
}
