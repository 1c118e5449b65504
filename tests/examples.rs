//! `examples/myservice` must be exactly what the current binary generates.
//!
//! Every template change therefore shows up as a reviewable diff of real Python. Regenerate the
//! example with `ARCANA_UPDATE_EXAMPLES=1 cargo test --test examples`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Files that differ on every run by design (the random secret) or that tools create.
const IGNORED: &[&str] = &[".env"];
const IGNORED_DIRS: &[&str] = &[
    ".git",
    ".venv",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "generated",
];

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn snapshot(root: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| !IGNORED_DIRS.iter().any(|d| e.file_name() == *d))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if IGNORED.contains(&rel.as_str()) || rel.ends_with(".db") || rel == "uv.lock" {
                return None;
            }
            Some((rel, fs::read_to_string(e.path()).unwrap()))
        })
        .collect()
}

fn generate(into: &Path) -> PathBuf {
    let script = fs::read_to_string(example_dir().join("regenerate.txt")).unwrap();
    let mut project = into.to_path_buf();
    for line in script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let args: Vec<&str> = line.split_whitespace().collect();
        Command::cargo_bin("arcana")
            .unwrap()
            .current_dir(&project)
            .args(&args)
            .assert()
            .success();
        if args[0] == "new" {
            project = into.join(args[1]);
        }
    }
    project
}

#[test]
fn example_matches_generator_output() {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = generate(tmp.path());
    let name = fresh.file_name().unwrap().to_owned();
    let checked_in = example_dir().join(&name);
    if std::env::var_os("ARCANA_UPDATE_EXAMPLES").is_some() {
        if checked_in.exists() {
            fs::remove_dir_all(&checked_in).unwrap();
        }
        for (rel, contents) in snapshot(&fresh) {
            let target = checked_in.join(rel);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, contents).unwrap();
        }
        return;
    }
    let expected = snapshot(&checked_in);
    let actual = snapshot(&fresh);
    let mut problems = Vec::new();
    for (path, contents) in &actual {
        match expected.get(path) {
            None => problems.push(format!("missing from examples: {path}")),
            Some(old) if old != contents => {
                let diff = similar::TextDiff::from_lines(old, contents);
                problems.push(format!(
                    "differs: {path}\n{}",
                    diff.unified_diff()
                        .context_radius(2)
                        .header("examples", "generated")
                ));
            }
            Some(_) => {}
        }
    }
    for path in expected.keys().filter(|p| !actual.contains_key(*p)) {
        problems.push(format!("no longer generated: {path}"));
    }
    assert!(
        problems.is_empty(),
        "examples/ is out of date; run `ARCANA_UPDATE_EXAMPLES=1 cargo test --test examples`\n{}",
        problems.join("\n")
    );
}
