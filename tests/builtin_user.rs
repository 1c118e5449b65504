//! Binary-level tests of the built-in user in a project with auth: `arcana add resource user`
//! and `add field user` extend it, say so, and change nothing the second time; clashes with
//! its built-in columns are refused before anything is written; `arcana info` lists it; a
//! manifest without its record (an older project) still works.

mod support;

use std::fs;

use predicates::prelude::*;
use support::{arcana, new_project, tree};

#[test]
fn add_resource_user_extends_the_builtin_user_once() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    arcana()
        .current_dir(&root)
        .args([
            "add",
            "resource",
            "user",
            "email:email",
            "nickname:string:40:optional",
        ])
        .args(["--no-input"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "`user` is built in; added `nickname:string:40:optional`",
        ));
    let model = fs::read_to_string(root.join("app/model/user.py")).unwrap();
    assert!(model.contains("nickname: Mapped[str | None] = mapped_column(String(40))"));
    let proto = fs::read_to_string(root.join("protos/shop/v1/auth.proto")).unwrap();
    assert!(proto.contains("optional string nickname = 6;"), "{proto}");
    let before = tree(&root);
    arcana()
        .current_dir(&root)
        .args([
            "add",
            "field",
            "user",
            "nickname:string:40:optional",
            "--no-input",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing to change"));
    assert_eq!(tree(&root), before);
    arcana()
        .current_dir(&root)
        .arg("info")
        .assert()
        .success()
        .stdout(predicate::str::contains("password_hash:string:255"))
        .stdout(predicate::str::contains("internal, not exposed"))
        .stdout(predicate::str::is_match(r"nickname:string:40:optional\s+proto 6").unwrap());
}

#[test]
fn clashes_with_builtin_columns_are_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    let before = tree(&root);
    let cases: &[(&[&str], &str)] = &[
        (
            &["add", "resource", "user", "email:int"],
            "clashes with the built-in field",
        ),
        (
            &["add", "field", "user", "password_hash:string"],
            "internal column",
        ),
        (
            &["add", "field", "user", "password:string"],
            "auth requests already use it",
        ),
        (
            &["add", "field", "user", "boss:ref:user"],
            "cannot be added",
        ),
        (
            &["add", "field", "user", "handle:string:unique"],
            "distinct value",
        ),
        (&["remove", "field", "user", "full_name"], "built-in field"),
        (&["remove", "resource", "user"], "`user` is built in"),
    ];
    for (args, message) in cases {
        arcana()
            .current_dir(&root)
            .args(*args)
            .arg("--no-input")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(*message))
            .stderr(predicate::str::contains("hint:"));
    }
    assert_eq!(tree(&root), before);
}

#[test]
fn a_manifest_without_the_user_record_implies_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = new_project(tmp.path(), "shop");
    let path = root.join("arcana.toml");
    let text = fs::read_to_string(&path).unwrap();
    let at = text.find("\n# The built-in user").unwrap();
    fs::write(&path, &text[..=at]).unwrap();
    arcana()
        .current_dir(&root)
        .args(["add", "field", "user", "age:int:optional", "--no-input"])
        .assert()
        .success();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("[resources.user]"), "{text}");
    assert!(text.contains("age = 6"), "{text}");
}
