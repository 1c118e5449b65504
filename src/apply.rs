//! Applying a plan: the only code in arcana that writes to disk.
//!
//! A new project is written into a hidden staging directory beside its destination and moved
//! into place with one rename, so an interrupted run never leaves half a project behind. Changes
//! to an existing project are written to temporary siblings first and then renamed over their
//! targets; if any step fails, every file already touched is restored.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::plan::{Change, Plan};

/// Writes the plan to disk, all or nothing.
pub fn apply(plan: &Plan) -> Result<()> {
    if plan.new_root {
        apply_new_root(plan)
    } else {
        apply_in_place(plan)
    }
}

fn apply_new_root(plan: &Plan) -> Result<()> {
    let root = &plan.root;
    let parent = match root.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .with_context(|| format!("creating directory `{}`", parent.display()))?;
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".to_string());
    let staging = parent.join(format!(".{name}.arcana-staging-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)
            .with_context(|| format!("removing stale `{}`", staging.display()))?;
    }
    let result = write_all(&staging, &plan.changes).and_then(|()| {
        if root.exists() {
            // The destination was checked to be an empty directory; rename cannot replace it
            // on every platform, so remove it first.
            fs::remove_dir(root)
                .with_context(|| format!("replacing empty directory `{}`", root.display()))?;
        }
        fs::rename(&staging, root)
            .with_context(|| format!("moving the project into `{}`", root.display()))
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn write_all(base: &Path, changes: &[Change]) -> Result<()> {
    let mut made: HashSet<PathBuf> = HashSet::new();
    for change in changes {
        let Change::Create { path, contents } = change else {
            bail!(
                "a new project can only create files, not change `{}`",
                change.path()
            );
        };
        let target = base.join(path);
        if let Some(dir) = target.parent()
            && !made.contains(dir)
        {
            fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
            made.extend(dir.ancestors().map(Path::to_path_buf));
        }
        fs::write(&target, contents).with_context(|| format!("writing `{}`", target.display()))?;
    }
    Ok(())
}

/// What to restore for one target if the transaction has to roll back.
struct Undo {
    target: PathBuf,
    original: Option<Vec<u8>>,
}

fn apply_in_place(plan: &Plan) -> Result<()> {
    // Stage every new content next to its target before touching any target.
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let stage = |staged: &mut Vec<(PathBuf, PathBuf)>,
                 created_dirs: &mut Vec<PathBuf>|
     -> Result<()> {
        for change in &plan.changes {
            let target = plan.absolute(change.path());
            let contents = match change {
                Change::Create { contents, .. } => contents,
                Change::Update { after, .. } => after,
            };
            if let Some(dir) = target.parent() {
                create_dirs(dir, created_dirs)?;
            }
            let temp = temp_sibling(&target);
            fs::write(&temp, contents).with_context(|| format!("writing `{}`", temp.display()))?;
            staged.push((temp, target));
        }
        Ok(())
    };
    if let Err(err) = stage(&mut staged, &mut created_dirs) {
        for (temp, _) in &staged {
            let _ = fs::remove_file(temp);
        }
        remove_dirs(&created_dirs);
        return Err(err);
    }

    let mut undo: Vec<Undo> = Vec::new();
    for (index, (temp, target)) in staged.iter().enumerate() {
        let original = match fs::read(target) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => {
                rollback(&undo, &staged[index..], &created_dirs);
                return Err(e).with_context(|| format!("reading `{}`", target.display()));
            }
        };
        if let Err(e) = fs::rename(temp, target) {
            rollback(&undo, &staged[index..], &created_dirs);
            return Err(e).with_context(|| format!("writing `{}`", target.display()));
        }
        undo.push(Undo {
            target: target.clone(),
            original,
        });
    }
    Ok(())
}

fn rollback(done: &[Undo], pending: &[(PathBuf, PathBuf)], created_dirs: &[PathBuf]) {
    for (temp, _) in pending {
        let _ = fs::remove_file(temp);
    }
    for step in done.iter().rev() {
        let _ = match &step.original {
            Some(bytes) => fs::write(&step.target, bytes),
            None => fs::remove_file(&step.target),
        };
    }
    remove_dirs(created_dirs);
}

fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<()> {
    let mut missing = Vec::new();
    let mut cursor = Some(dir);
    while let Some(d) = cursor {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        missing.push(d.to_path_buf());
        cursor = d.parent();
    }
    for d in missing.into_iter().rev() {
        fs::create_dir(&d).with_context(|| format!("creating `{}`", d.display()))?;
        created.push(d);
    }
    Ok(())
}

fn remove_dirs(created: &[PathBuf]) {
    for d in created.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

fn temp_sibling(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.arcana-tmp-{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap()
    }

    #[test]
    fn new_project_is_moved_into_an_empty_destination() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("svc");
        fs::create_dir(&root).unwrap();
        let plan = Plan::new_project(
            root.clone(),
            [
                ("a/b.txt".to_string(), "b".to_string()),
                ("c.txt".to_string(), "c".to_string()),
            ],
        );
        apply(&plan).unwrap();
        assert_eq!(read(&root.join("a/b.txt")), "b");
        assert_eq!(read(&root.join("c.txt")), "c");
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging directory is left behind");
    }

    #[test]
    fn in_place_changes_create_and_update() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x.py"), "old\n").unwrap();
        let mut plan = Plan::in_project(tmp.path().to_path_buf());
        plan.changes.push(Change::Update {
            path: "x.py".into(),
            before: "old\n".into(),
            after: "new\n".into(),
        });
        plan.changes.push(Change::Create {
            path: "pkg/sub/y.py".into(),
            contents: "y\n".into(),
        });
        apply(&plan).unwrap();
        assert_eq!(read(&tmp.path().join("x.py")), "new\n");
        assert_eq!(read(&tmp.path().join("pkg/sub/y.py")), "y\n");
    }

    #[test]
    fn failure_rolls_back_every_touched_file() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x.py"), "old\n").unwrap();
        // A directory where a file should go makes the last rename fail.
        fs::create_dir_all(tmp.path().join("blocked/inner")).unwrap();
        let mut plan = Plan::in_project(tmp.path().to_path_buf());
        plan.changes.push(Change::Update {
            path: "x.py".into(),
            before: "old\n".into(),
            after: "new\n".into(),
        });
        plan.changes.push(Change::Create {
            path: "new/file.py".into(),
            contents: "n\n".into(),
        });
        plan.changes.push(Change::Create {
            path: "blocked".into(),
            contents: "never\n".into(),
        });
        assert!(apply(&plan).is_err());
        assert_eq!(read(&tmp.path().join("x.py")), "old\n");
        assert!(!tmp.path().join("new").exists());
        let names: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.contains("arcana-tmp")), "{names:?}");
    }
}
