//! Stress tests of the lock and the journal, in a bounded number of rounds: concurrent
//! commands lose nothing, and a command killed at any point is finished or undone by the next
//! one, with no duplicate migration. After every round the project is compared byte for byte
//! with one made without interference, and checked whole (manifest, wiring, one migration
//! chain). Each test prints its outcome counts (`cargo test --test stress -- --nocapture`).

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::*;

const PRODUCT: &[&str] = &["product", "name:string:80", "price:decimal", "stock:int"];
const TAG: &[&str] = &["tag", "name:string:40:unique"];

fn add_command(root: &Path, resource: &[&str]) -> Command {
    let mut cmd = arcana_process();
    cmd.current_dir(root)
        .args(["add", "resource"])
        .args(resource)
        .arg("--no-input");
    cmd
}

fn run(mut cmd: Command) -> Output {
    cmd.output().unwrap()
}

/// Starts a command with its output captured.
fn spawn(mut cmd: Command) -> std::process::Child {
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A pristine project and the trees that adding `sequences` of resources to copies of it gives.
struct Fixture {
    _tmp: tempfile::TempDir,
    base: PathBuf,
    pristine: PathBuf,
    rounds: usize,
}

impl Fixture {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().to_path_buf();
        let pristine = new_project(&base, "shop");
        Self {
            _tmp: tmp,
            base,
            pristine,
            rounds: 0,
        }
    }

    /// A fresh copy of the pristine project.
    fn copy(&mut self) -> PathBuf {
        self.rounds += 1;
        let root = self.base.join(format!("round-{}", self.rounds));
        copy_tree(&self.pristine, &root);
        root
    }

    /// The tree after adding `resources` in order to a copy, without interference.
    fn reference(&mut self, resources: &[&[&str]]) -> BTreeMap<String, Vec<u8>> {
        let root = self.copy();
        for resource in resources {
            let output = run(add_command(&root, resource));
            assert!(output.status.success(), "{}", text(&output.stderr));
        }
        tree(&root)
    }
}

#[cfg(unix)]
fn signal(output: &std::process::ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(output)
}

#[cfg(not(unix))]
fn signal(_: &std::process::ExitStatus) -> Option<i32> {
    None
}

#[test]
fn two_adds_at_once_both_land() {
    let mut fixture = Fixture::new();
    let product_then_tag = fixture.reference(&[PRODUCT, TAG]);
    let tag_then_product = fixture.reference(&[TAG, PRODUCT]);
    let (mut first, mut second) = (0, 0);
    for _ in 0..6 {
        let root = fixture.copy();
        let a = spawn(add_command(&root, PRODUCT));
        let b = spawn(add_command(&root, TAG));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success(), "{}", text(&a.stderr));
        assert!(b.status.success(), "{}", text(&b.stderr));
        let got = tree(&root);
        if got == product_then_tag {
            first += 1;
        } else if got == tag_then_product {
            second += 1;
        } else {
            panic!("neither order: {:?}", differences(&product_then_tag, &got));
        }
        assert_whole(&root, &["product", "tag"]);
    }
    eprintln!("two adds at once: 6 rounds, product first {first}, tag first {second}");
}

#[test]
fn the_same_add_twice_at_once_adds_it_once() {
    let mut fixture = Fixture::new();
    let once = fixture.reference(&[PRODUCT]);
    for _ in 0..4 {
        let root = fixture.copy();
        let a = spawn(add_command(&root, PRODUCT));
        let b = spawn(add_command(&root, PRODUCT));
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success(), "{}", text(&a.stderr));
        assert!(b.status.success(), "{}", text(&b.stderr));
        let said = format!("{}{}", text(&a.stdout), text(&b.stdout));
        assert!(said.contains("already exists"), "{said}");
        assert_eq!(tree(&root), once);
        assert_whole(&root, &["product"]);
    }
}

/// Re-runs the interrupted add and checks the project came out as without the interruption;
/// returns what the next command did: "rolled back", "finished" or "nothing".
fn recover_and_check(root: &Path, reference: &BTreeMap<String, Vec<u8>>) -> &'static str {
    let pending = root.join(".arcana/journal").exists();
    let output = run(add_command(root, PRODUCT));
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let outcome = if !pending {
        "nothing"
    } else if stderr.contains("before it changed any file") {
        "rolled back"
    } else if stderr.contains("finished it") {
        "finished"
    } else {
        panic!("a journal was left, but no note: {stderr}");
    };
    let got = tree(root);
    assert_eq!(&got, reference, "{:?}", differences(reference, &got));
    assert_whole(root, &["product"]);
    // And once more: nothing to do, no second migration.
    let output = run(add_command(root, PRODUCT));
    assert!(text(&output.stdout).contains("already exists"));
    assert_eq!(&tree(root), reference);
    outcome
}

#[test]
fn an_add_killed_at_each_step_is_recovered_by_the_next() {
    if !cfg!(debug_assertions) {
        return; // The crash points exist in debug builds only.
    }
    let mut fixture = Fixture::new();
    let reference = fixture.reference(&[PRODUCT]);
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut points = Vec::new();
    // Spread over the ~50 steps of this add: the journal, temporaries and backups, the commit,
    // the renames, the end.
    for at in [
        1, 2, 3, 6, 10, 16, 22, 27, 28, 29, 30, 31, 35, 42, 48, 49, 50, 51, 52, 53, 54, 55, 56, 60,
        80,
    ] {
        let root = fixture.copy();
        let mut cmd = add_command(&root, PRODUCT);
        cmd.env("ARCANA_CRASH_AT", at.to_string());
        let output = run(cmd);
        if output.status.success() {
            // Past the last step: nothing was interrupted.
            assert_eq!(tree(&root), reference);
            break;
        }
        assert_eq!(signal(&output.status), Some(6), "{}", text(&output.stderr));
        points.push(at);
        *outcomes
            .entry(recover_and_check(&root, &reference))
            .or_default() += 1;
    }
    assert!(points.len() >= 10, "only {points:?} interrupted");
    assert!(
        outcomes.get("rolled back").is_some_and(|n| *n > 0),
        "{outcomes:?}"
    );
    assert!(
        outcomes.get("finished").is_some_and(|n| *n > 0),
        "{outcomes:?}"
    );
    eprintln!("add aborted at steps {points:?}: next command {outcomes:?}");
}

#[test]
fn an_add_killed_at_random_moments_is_recovered_by_the_next() {
    let mut fixture = Fixture::new();
    let reference = fixture.reference(&[PRODUCT]);
    // How long an add takes here, to spread the kills over it.
    let timing = fixture.copy();
    let started = Instant::now();
    assert!(run(add_command(&timing, PRODUCT)).status.success());
    let duration = started.elapsed();
    let rounds = 8u32;
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    for round in 0..rounds {
        let root = fixture.copy();
        let mut child = add_command(&root, PRODUCT)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(duration * round / rounds + Duration::from_millis(2));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let killed = if status.success() { "ended" } else { "killed" };
        let outcome = recover_and_check(&root, &reference);
        *outcomes.entry(killed).or_default() += 1;
        *outcomes.entry(outcome).or_default() += 1;
    }
    eprintln!("add killed at random moments ({rounds} rounds over {duration:?}): {outcomes:?}");
}

/// The entries of a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_new_killed_at_each_step_is_cleaned_up_or_finished_by_the_next() {
    if !cfg!(debug_assertions) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let reference = tree_without_secrets(&new_project(tmp.path(), "reference"));
    let plan = arcana()
        .current_dir(tmp.path())
        .args(["new", "planned", "--no-input", "--dry-run", "--json"])
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let files = plan["created"].as_array().unwrap().len();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    // Into a missing directory (staged beside it: a step per file, then the rename) and into an
    // existing empty one (staged inside, marked complete, then a step per entry moved in).
    for existing in [false, true] {
        for at in [
            1,
            2,
            files / 2,
            files + 1,
            files + 2,
            files + 3,
            files + 10,
            files + 60,
        ] {
            let parent = tmp.path().join(format!("{existing}-{at}"));
            fs::create_dir(&parent).unwrap();
            if existing {
                fs::create_dir(parent.join("reference")).unwrap();
            }
            let new = || {
                let mut cmd = arcana_process();
                cmd.current_dir(&parent)
                    .args(["new", "reference", "--no-input"]);
                cmd
            };
            let mut cmd = new();
            cmd.env("ARCANA_CRASH_AT", at.to_string());
            let output = run(cmd);
            let key = if output.status.success() {
                "not interrupted".to_string()
            } else {
                assert_eq!(signal(&output.status), Some(6), "{}", text(&output.stderr));
                let again = run(new());
                let stderr = text(&again.stderr);
                match again.status.code() {
                    Some(0) => format!("next new: created ({})", note_kind(&stderr)),
                    Some(2) => {
                        assert!(stderr.contains("not empty"), "{stderr}");
                        format!("next new: refused, project there ({})", note_kind(&stderr))
                    }
                    _ => panic!("{stderr}"),
                }
            };
            assert_eq!(names(&parent), vec!["reference"], "{key}");
            let got = tree_without_secrets(&parent.join("reference"));
            assert_eq!(got, reference, "{key}: {:?}", differences(&reference, &got));
            *outcomes.entry(key).or_default() += 1;
        }
    }
    eprintln!(
        "new ({files} files) aborted at 8 steps, into a missing and an empty directory: {outcomes:?}"
    );
}

fn note_kind(stderr: &str) -> &'static str {
    if stderr.contains("note: finished") {
        "finished the move"
    } else if stderr.contains("note: removed") {
        "removed the staging folder"
    } else {
        "no note"
    }
}

#[test]
fn two_news_of_one_name_at_once_give_one_project_and_a_clear_refusal() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = tree_without_secrets(&new_project(tmp.path(), "nn"));
    for round in 0..6 {
        let parent = tmp.path().join(format!("round-{round}"));
        fs::create_dir(&parent).unwrap();
        let new = || {
            let mut cmd = arcana_process();
            cmd.current_dir(&parent).args(["new", "nn", "--no-input"]);
            spawn(cmd)
        };
        let (a, b) = (new(), new());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        let mut codes = [a.status.code(), b.status.code()];
        codes.sort();
        assert_eq!(
            codes,
            [Some(0), Some(2)],
            "{}{}",
            text(&a.stderr),
            text(&b.stderr)
        );
        let loser = if a.status.success() { &b } else { &a };
        let stderr = text(&loser.stderr);
        assert!(
            stderr.contains("already exists and is not empty"),
            "{stderr}"
        );
        assert!(stderr.contains("hint:"), "{stderr}");
        assert_eq!(names(&parent), vec!["nn"]);
        assert_eq!(tree_without_secrets(&parent.join("nn")), reference);
    }
}
