//! Binary-level tests of the names and fields that would produce a broken project: each is
//! refused with exit 2, an `error:` and a `hint:` line, and nothing written. The lists of
//! clashing names are derived from the templates (`src/spec/reserved.rs`); these cases are the
//! ones found by generating projects from them.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{arcana, tree};

fn project(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "shop", "--no-input"])
        .args(args)
        .assert()
        .success();
    let root = tmp.path().join("shop");
    (tmp, root)
}

/// Runs `arcana add resource ARGS` and checks it is refused cleanly, mentioning `why`.
fn refused(root: &Path, args: &[&str], why: &str) {
    let before = tree(root);
    let out = arcana()
        .current_dir(root)
        .args(["add", "resource"])
        .args(args)
        .arg("--no-input")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains("error:") && stderr.contains("hint:"),
        "{args:?}: {stderr}"
    );
    assert!(
        stderr.contains(why),
        "{args:?}: expected `{why}` in {stderr}"
    );
    assert_eq!(tree(root), before, "{args:?} wrote something");
}

#[test]
fn resource_names_that_cannot_work() {
    let (_tmp, root) = project(&[]);
    for (name, why) in [
        ("s", "singular is empty"),
        ("none", "Python keyword"),
        ("true", "Python keyword"),
        ("false", "Python keyword"),
        ("session_factory", "imports"),
        ("not_found_error", "imports"),
        ("mapping", "imports"),
        ("protocol", "imports"),
        ("conflict_error", "imports"),
        ("validation_failed_error", "imports"),
        ("refresh_token", "reserved"),
    ] {
        refused(&root, &[name, "title:string"], why);
    }
}

#[test]
fn names_that_differ_only_by_underscores() {
    let (_tmp, root) = project(&[]);
    arcana()
        .current_dir(&root)
        .args(["add", "resource", "item2", "title:string", "--no-input"])
        .assert()
        .success();
    refused(&root, &["item_2", "title:string"], "class `Item2`");
    for (a, b) in [("ab1", "ab_1"), ("a1", "a_1"), ("v1", "v_1")] {
        refused(
            &root,
            &["gadget", &format!("{a}:int"), &format!("{b}:int")],
            "same JSON name",
        );
    }
}

#[test]
fn field_names_and_values_that_cannot_work() {
    let (_tmp, root) = project(&[]);
    for field in [
        "dict:json",
        "bool:bool",
        "dt:date",
        "classmethod:int",
        "changes:text",
        "json:json",
        "copy:text",
        "schema:text",
    ] {
        refused(&root, &["gadget", field], "cannot name a field");
    }
    for field in [
        "kind:enum:a;b",
        "kind:enum:'a',b",
        "kind:enum:a b,c",
        "kind:enum:None,True",
    ] {
        refused(&root, &["gadget", field], "not a valid enum value");
    }
    refused(
        &root,
        &["gadget", "kind:enum:only:unique"],
        "at least two values",
    );
    let long = format!("{}:string", "a".repeat(37));
    refused(&root, &["gadget", &long], "too long");
}

#[test]
fn without_auth_user_is_free_and_referencable() {
    let (_tmp, root) = project(&["--no-auth"]);
    refused(&root, &["memo", "owner:ref:user"], "add resource user");
    for args in [
        vec!["user", "name:string:80", "email:email:unique"],
        vec!["memo", "owner:ref:user", "body:text"],
    ] {
        arcana()
            .current_dir(&root)
            .args(["add", "resource"])
            .args(&args)
            .arg("--no-input")
            .assert()
            .success();
    }
    let model = fs::read_to_string(root.join("app/model/memo.py")).unwrap();
    assert!(model.contains("ForeignKey(\"users.id\")"), "{model}");
    assert!(root.join("app/model/user.py").is_file());
}

#[test]
fn project_names_of_the_dependency_closure() {
    for name in [
        "blinker",
        "greenlet",
        "mako",
        "markupsafe",
        "packaging",
        "typing-extensions",
        "setuptools",
        "hatchling",
        "fastapi",
        "uvicorn",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = arcana()
            .current_dir(tmp.path())
            .args(["new", name, "--no-input"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(
            fs::read_dir(tmp.path()).unwrap().next().is_none(),
            "{name} wrote something"
        );
    }
}
