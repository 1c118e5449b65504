//! Locks that keep two arcana commands from changing the same files at once.
//!
//! Two `arcana add` runs in one project would otherwise both read the same manifest, migration
//! head and wiring, and the second write would silently drop the first one's resource. Every
//! command that writes therefore plans and applies under an exclusive OS lock (`flock(2)` on
//! Unix, through [`std::fs::File::lock`]), which the kernel releases when the process ends, so
//! a killed command never leaves a stale lock behind.
//!
//! - A project is locked through `.arcana/lock` in its root. The file exists only while a
//!   command holds it (the holder removes it before letting go, and a file left by a killed
//!   process is taken over by the next command), so a finished command leaves no trace.
//! - A new project is locked through the directory that will hold it (its parent), which
//!   needs no file at all: nothing is left beside the new project.
//!
//! A second command waits up to [`timeout`] (5 s unless `ARCANA_LOCK_TIMEOUT` says otherwise,
//! in seconds) and then refuses with a hint that names the lock.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::error::UserError;

/// The folder in a project root holding the lock and the journal of an apply under way.
pub const STATE_DIR: &str = ".arcana";
/// The lock file, relative to the project root.
pub const LOCK_FILE: &str = ".arcana/lock";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(20);

/// How long a command waits for a lock held by another one.
pub fn timeout() -> Duration {
    std::env::var("ARCANA_LOCK_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// An exclusive lock on a project, released (and its file removed) when dropped.
#[derive(Debug)]
pub struct ProjectLock {
    file: File,
    path: PathBuf,
    root: PathBuf,
}

impl ProjectLock {
    /// Takes the lock of the project at `root`, waiting up to [`timeout`] for another command.
    pub fn acquire(root: &Path) -> Result<Self> {
        Self::acquire_within(root, timeout())
    }

    /// Takes the lock of the project at `root`, waiting up to `wait`.
    pub fn acquire_within(root: &Path, wait: Duration) -> Result<Self> {
        let dir = root.join(STATE_DIR);
        let path = root.join(LOCK_FILE);
        let deadline = Instant::now() + wait;
        loop {
            fs::create_dir_all(&dir).with_context(|| format!("creating `{}`", dir.display()))?;
            let file = match OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
            {
                Ok(file) => file,
                // The holder removed the folder between our create_dir_all and open.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(e).with_context(|| format!("opening `{}`", path.display()));
                }
            };
            match file.try_lock() {
                Ok(()) => {
                    // The previous holder may have removed the file after we opened it: the
                    // lock only counts if it is on the file the path names now.
                    if same_file(&file, &path) {
                        return Ok(Self {
                            file,
                            path,
                            root: root.to_path_buf(),
                        });
                    }
                    continue;
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking `{}`", path.display()));
                }
            }
            drop(file);
            if Instant::now() >= deadline {
                return Err(busy(&path, wait).into());
            }
            thread::sleep(POLL);
        }
    }

    /// The locked project's root.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        // Remove the file while still holding it, then the folder if nothing else is in it (a
        // journal left for recovery keeps it); closing the file releases the lock.
        let _ = fs::remove_file(&self.path);
        if let Some(dir) = self.path.parent() {
            let _ = fs::remove_dir(dir);
        }
        let _ = self.file.unlock();
    }
}

/// An exclusive lock on a directory itself, for commands that create something inside it.
#[derive(Debug)]
pub struct DirLock {
    file: File,
}

impl DirLock {
    /// Locks `dir` (which must exist), waiting up to [`timeout`].
    pub fn acquire(dir: &Path) -> Result<Self> {
        let wait = timeout();
        let file = File::open(dir).with_context(|| format!("opening `{}`", dir.display()))?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { file }),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking `{}`", dir.display()));
                }
            }
            if Instant::now() >= deadline {
                return Err(UserError::new(format!(
                    "Another arcana command is creating a project in `{}`; waited {:.0?} for it",
                    dir.display(),
                    wait
                ))
                .hint(format!(
                    "Wait for it to finish and run the command again (it holds a lock on the directory `{}`, released when it ends)",
                    dir.display()
                ))
                .into());
            }
            thread::sleep(POLL);
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

fn busy(path: &Path, wait: Duration) -> UserError {
    UserError::new(format!(
        "Another arcana command is changing this project; waited {wait:.0?} for its lock"
    ))
    .hint(format!(
        "Wait for it to finish and run the command again. The lock is `{}`; it is held only while a command runs (a killed command releases it), so do not delete it",
        path.display()
    ))
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_then_refuses_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let held = ProjectLock::acquire_within(tmp.path(), Duration::ZERO).unwrap();
        assert!(tmp.path().join(LOCK_FILE).is_file());
        let started = Instant::now();
        let err = ProjectLock::acquire_within(tmp.path(), Duration::from_millis(100)).unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(100));
        let user = err.downcast_ref::<UserError>().unwrap();
        assert!(
            user.hint.as_deref().unwrap().contains(".arcana/lock"),
            "{user:?}"
        );
        drop(held);
        assert!(
            !tmp.path().join(STATE_DIR).exists(),
            "the lock leaves nothing"
        );
        ProjectLock::acquire_within(tmp.path(), Duration::ZERO).unwrap();
    }

    #[test]
    fn a_waiting_command_gets_the_lock_when_the_holder_ends() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let held = ProjectLock::acquire_within(&root, Duration::ZERO).unwrap();
        let waiter = {
            let root = root.clone();
            thread::spawn(move || ProjectLock::acquire_within(&root, Duration::from_secs(5)))
        };
        thread::sleep(Duration::from_millis(60));
        drop(held);
        let lock = waiter.join().unwrap().unwrap();
        assert!(same_file(&lock.file, &root.join(LOCK_FILE)));
    }

    #[test]
    fn a_lock_file_left_behind_is_taken_over() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join(STATE_DIR)).unwrap();
        fs::write(tmp.path().join(LOCK_FILE), "").unwrap();
        ProjectLock::acquire_within(tmp.path(), Duration::ZERO).unwrap();
    }

    #[test]
    fn the_state_folder_is_kept_when_it_holds_a_journal() {
        let tmp = tempfile::tempdir().unwrap();
        let lock = ProjectLock::acquire_within(tmp.path(), Duration::ZERO).unwrap();
        fs::write(tmp.path().join(STATE_DIR).join("journal"), "{}").unwrap();
        drop(lock);
        assert!(tmp.path().join(STATE_DIR).join("journal").is_file());
        assert!(!tmp.path().join(LOCK_FILE).exists());
    }

    #[test]
    fn directory_locks_exclude_each_other() {
        let tmp = tempfile::tempdir().unwrap();
        let held = DirLock::acquire(tmp.path()).unwrap();
        let other = File::open(tmp.path()).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop(held);
        other.try_lock().unwrap();
    }
}
