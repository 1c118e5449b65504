//! Helpers shared by the robustness and stress tests: projects, trees and whole-project checks.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use arcana::project::manifest::Manifest;
use arcana::project::migrations;

pub fn arcana() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("arcana").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// The arcana binary as a plain process, for tests that spawn, kill or limit it.
pub fn arcana_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_arcana"));
    cmd.env("NO_COLOR", "1");
    cmd
}

/// `arcana new NAME` in `dir`; returns the project root.
pub fn new_project(dir: &Path, name: &str) -> PathBuf {
    arcana()
        .current_dir(dir)
        .args(["new", name, "--no-input"])
        .assert()
        .success();
    dir.join(name)
}

/// Copies a directory tree (files, folders and symbolic links).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        let kind = entry.file_type();
        if kind.is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file (with its contents) and every folder (as `DIR`) under `root`, hidden ones too,
/// except the git repository that `arcana new` makes after writing the project (`.git`).
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || e.file_name() != ".git")
        .map(Result::unwrap)
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let contents = if e.file_type().is_dir() {
                b"DIR".to_vec()
            } else if e.file_type().is_symlink() {
                format!("LINK {}", fs::read_link(e.path()).unwrap().display()).into_bytes()
            } else {
                fs::read(e.path()).unwrap()
            };
            (rel, contents)
        })
        .collect()
}

/// The same, without `.env` (it holds a random secret per project).
pub fn tree_without_secrets(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = tree(root);
    files.remove(".env");
    files
}

/// Names of the differing entries of two trees, for assertion messages.
pub fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut out: Vec<String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(v))
        .map(|(k, _)| format!("-{k}"))
        .collect();
    out.extend(
        b.iter()
            .filter(|(k, v)| a.get(*k) != Some(v))
            .map(|(k, _)| format!("+{k}")),
    );
    out
}

/// Files arcana uses while it works, which must never outlive a command.
pub fn leftovers(root: &Path) -> Vec<String> {
    tree(root)
        .into_keys()
        .filter(|p| {
            p.contains("arcana-tmp")
                || p.contains("arcana-staging")
                || p.contains("arcana-staged")
                || p.starts_with(".arcana")
        })
        .collect()
}

/// Checks that a project is whole: the manifest parses and records `resources`, every
/// resource is registered in the wiring, and the migrations form one chain with one
/// create-table revision per resource.
pub fn assert_whole(root: &Path, resources: &[&str]) {
    assert_eq!(
        leftovers(root),
        Vec::<String>::new(),
        "temporary files left"
    );
    let manifest = Manifest::load(root).unwrap();
    let recorded: Vec<String> = manifest.resources().into_iter().map(|r| r.name).collect();
    let mut wanted: Vec<String> = resources.iter().map(|r| r.to_string()).collect();
    let mut sorted = recorded.clone();
    sorted.sort();
    wanted.sort();
    assert_eq!(sorted, wanted, "resources in arcana.toml");
    let wiring = fs::read_to_string(root.join("app/wiring.py")).unwrap();
    let models = fs::read_to_string(root.join("app/model/__init__.py")).unwrap();
    for resource in resources {
        assert!(
            wiring.contains(&format!("from app.service.{resource}_service import")),
            "{resource} is not wired"
        );
        assert!(
            models.contains(&format!("from app.model.{resource} import")),
            "{resource} is not imported by the models"
        );
    }
    let revisions = migrations::read_revisions(root).unwrap();
    let head = migrations::head(&revisions).unwrap();
    assert!(head.is_some());
    // One chain: every revision but the first follows exactly one other.
    let ids: Vec<&str> = revisions.iter().map(|r| r.id.as_str()).collect();
    for revision in &revisions[1..] {
        assert_eq!(revision.down.len(), 1, "{revision:?}");
        assert!(ids.contains(&revision.down[0].as_str()), "{revision:?}");
    }
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate revision ids: {ids:?}");
    assert_eq!(revisions.len(), 1 + resources.len(), "{ids:?}");
    for resource in resources {
        let creating = revisions
            .iter()
            .filter(|r| r.file.ends_with(&format!("_create_{resource}s.py")))
            .count();
        assert_eq!(creating, 1, "create-table migrations of {resource}");
    }
}
