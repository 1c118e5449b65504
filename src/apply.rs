//! Applying a plan: the only code in arcana that writes to disk.
//!
//! Every apply is all or nothing, also when the process is killed at any instruction:
//!
//! - Changes to an existing project run under the project lock ([`lock_project`], which also
//!   recovers an apply a killed command left behind) and a journal
//!   ([`crate::project::journal`]): new contents go to temporary siblings of their targets and
//!   originals are backed up, all made durable before the journal is marked committed; only
//!   then are the temporaries renamed over their targets. The next command rolls an interrupted
//!   apply forward (committed) or back (not yet), and says so with a `note:`.
//! - A new project is written into a hidden staging directory and moved into place with one
//!   rename, under a lock on the directory that receives it; staging directories of killed runs
//!   are removed by the next one. An existing empty destination (`--path .`, a symbolic link to
//!   an empty directory) is kept and filled: the staged tree is marked complete with one rename,
//!   then its entries are moved in (`arcana.toml` last), which the next run finishes if needed.
//!
//! Files keep what the user gave them: CRLF line endings, a UTF-8 byte order mark and the file
//! mode; a symbolic link is written through (never replaced), and a read-only file is only
//! written with `--force`.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use console::style;

use crate::error::UserError;
use crate::plan::{Change, Plan};
use crate::project::journal::{self, Entry, Journal, State};
use crate::project::lock::{DirLock, ProjectLock, STATE_DIR};
use crate::project::manifest;

/// Writes the plan to disk, all or nothing.
pub fn apply(plan: &Plan) -> Result<()> {
    if plan.new_root {
        apply_new_root(plan)
    } else {
        apply_in_place(plan)
    }
}

// ---------------------------------------------------------------------------------------------
// The project lock and recovery

/// Projects this process holds the lock of (canonical roots).
static HELD: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The lock on a project, held by this process until dropped.
#[derive(Debug)]
pub struct Locked {
    _lock: ProjectLock,
    key: PathBuf,
}

impl Drop for Locked {
    fn drop(&mut self) {
        if let Ok(mut held) = HELD.lock()
            && let Some(at) = held.iter().position(|k| *k == self.key)
        {
            held.remove(at);
        }
    }
}

/// Locks the project at `root` for a command that writes (waiting briefly for another command)
/// and recovers an apply that an interrupted command left, printing a `note:` saying how.
///
/// Commands take it before they read what they plan from (manifest, migrations, wiring), so
/// that two commands never plan from the same state. [`apply`] takes it itself when the caller
/// did not.
pub fn lock_project(root: &Path) -> Result<Locked> {
    let key = canonical(root);
    let lock = ProjectLock::acquire(root)?;
    if let Ok(mut held) = HELD.lock() {
        held.push(key.clone());
    }
    let locked = Locked { _lock: lock, key };
    if let Some(message) = recover(root)? {
        note(&message);
    }
    Ok(locked)
}

/// For commands that only read (`--dry-run`): says so when an interrupted apply is waiting to
/// be recovered, since what they show is computed from the files as that apply left them.
pub fn note_interrupted(root: &Path) {
    if let Ok(Some(journal)) = Journal::read(root) {
        note(&format!(
            "`{}` was interrupted; the next command that writes finishes or undoes it first, so this plan may differ from what that command will do",
            journal.command
        ));
    }
}

fn is_held(root: &Path) -> bool {
    let key = canonical(root);
    HELD.lock().is_ok_and(|held| held.contains(&key))
}

fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Finishes or undoes the apply an interrupted command left in the project at `root`; returns
/// what was done. The caller holds the project lock.
pub fn recover(root: &Path) -> Result<Option<String>> {
    let Some(journal) = Journal::read(root)? else {
        let partial = root.join(journal::JOURNAL_TEMP);
        if partial.exists() {
            Journal::remove(root)?;
        }
        return Ok(None);
    };
    let what = format!("`{}` (process {})", journal.command, journal.pid);
    let message = match journal.state {
        State::Prepared => {
            undo_prepared(&journal);
            format!(
                "{what} was interrupted before it changed any file; removed what it had prepared, the project is as it was before it"
            )
        }
        State::Committed => {
            finish(&journal)?;
            format!(
                "{what} was interrupted while moving its files into place; finished it ({} files), the project is as that command meant it",
                journal.files.len()
            )
        }
        State::RollingBack => {
            roll_back(&journal)?;
            format!(
                "{what} was interrupted while undoing a failed write; restored the files it had changed, the project is as it was before it"
            )
        }
    };
    Journal::remove(root)?;
    Ok(Some(message))
}

fn note(message: &str) {
    eprintln!("{} {message}", style("note:").cyan().bold());
}

/// Removes the temporaries, backups and folders of an apply that changed no target.
fn undo_prepared(journal: &Journal) {
    for entry in &journal.files {
        let _ = fs::remove_file(&entry.temp);
        if let Some(backup) = &entry.backup {
            let _ = fs::remove_file(backup);
        }
    }
    remove_dirs(&journal.dirs);
}

/// Moves the temporaries still present over their targets and drops the backups.
fn finish(journal: &Journal) -> Result<()> {
    for entry in &journal.files {
        if entry.delete {
            match fs::remove_file(&entry.target) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(e)
                        .with_context(|| format!("removing `{}`", entry.target.display()));
                }
                _ => continue,
            }
        }
        if fs::symlink_metadata(&entry.temp).is_ok() {
            fs::rename(&entry.temp, &entry.target)
                .with_context(|| format!("finishing `{}`", entry.target.display()))?;
        }
    }
    sync_parents(journal.files.iter().map(|e| e.target.as_path()));
    for entry in &journal.files {
        if let Some(backup) = &entry.backup {
            let _ = fs::remove_file(backup);
        }
    }
    Ok(())
}

/// Puts every original back and removes every created file and folder.
fn roll_back(journal: &Journal) -> Result<()> {
    let mut failed = None;
    for entry in journal.files.iter().rev() {
        let restored = match &entry.backup {
            Some(backup) if fs::symlink_metadata(backup).is_ok() => restore(backup, entry),
            // Already restored.
            Some(_) => Ok(()),
            None => match fs::remove_file(&entry.target) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        };
        let _ = fs::remove_file(&entry.temp);
        if let Err(e) = restored {
            failed.get_or_insert((entry.target.clone(), e));
        }
    }
    remove_dirs(&journal.dirs);
    sync_parents(journal.files.iter().map(|e| e.target.as_path()));
    match failed {
        None => Ok(()),
        Some((target, e)) => Err(e).with_context(|| format!("restoring `{}`", target.display())),
    }
}

/// Renames a backup over its target, or copies it when it lives on another filesystem.
fn restore(backup: &Path, entry: &Entry) -> io::Result<()> {
    if fs::rename(backup, &entry.target).is_ok() {
        return Ok(());
    }
    fs::copy(backup, &entry.temp)?;
    fs::rename(&entry.temp, &entry.target)?;
    fs::remove_file(backup)
}

// ---------------------------------------------------------------------------------------------
// Changing an existing project

/// One file to write, resolved against the disk.
struct Target {
    /// Where the contents go: the planned path, or the file a symbolic link there points to.
    path: PathBuf,
    temp: PathBuf,
    backup: Option<PathBuf>,
    bytes: Vec<u8>,
    permissions: Option<fs::Permissions>,
    /// The target is removed rather than written.
    delete: bool,
}

fn apply_in_place(plan: &Plan) -> Result<()> {
    if plan.changes.is_empty() {
        return Ok(());
    }
    let _own_lock = if is_held(&plan.root) {
        None
    } else {
        Some(lock_project(&plan.root)?)
    };
    let root = plan.root.as_path();
    let pid = std::process::id();
    let mut targets = Vec::with_capacity(plan.changes.len());
    let mut seen = HashSet::new();
    for (index, change) in plan.changes.iter().enumerate() {
        let target = resolve(plan, change, index, pid)?;
        if !seen.insert(target.path.clone()) {
            return Err(UserError::new(format!(
                "`{}` is the same file as another one arcana writes (through a symbolic link)",
                change.path()
            ))
            .hint("Replace the link with a regular file; nothing was written")
            .into());
        }
        targets.push(target);
    }
    let dirs = missing_dirs(targets.iter().map(|t| t.path.as_path()));
    let mut journal = Journal {
        command: command_line(),
        pid,
        state: State::Prepared,
        files: targets
            .iter()
            .map(|t| Entry {
                target: t.path.clone(),
                temp: t.temp.clone(),
                backup: t.backup.clone(),
                delete: t.delete,
            })
            .collect(),
        dirs: dirs.clone(),
    };
    journal.write(root)?;
    crash_point();
    let staged = stage(root, &targets, &dirs).and_then(|()| {
        journal.state = State::Committed;
        journal.write(root)
    });
    if let Err(err) = staged {
        undo_prepared(&journal);
        let _ = Journal::remove(root);
        return Err(err);
    }
    crash_point();
    for target in &targets {
        let done = if target.delete {
            fs::remove_file(&target.path)
        } else {
            fs::rename(&target.temp, &target.path)
        };
        if let Err(e) = done {
            journal.state = State::RollingBack;
            let _ = journal.write(root);
            let undone = roll_back(&journal);
            let err = anyhow::Error::new(e).context(format!("writing `{}`", target.path.display()));
            return match undone {
                Ok(()) => {
                    let _ = Journal::remove(root);
                    Err(err)
                }
                // The journal stays for the next command to finish the rollback.
                Err(undo) => Err(err.context(format!("and undoing the other changes: {undo:#}"))),
            };
        }
        crash_point();
    }
    sync_parents(targets.iter().map(|t| t.path.as_path()));
    for target in &targets {
        if let Some(backup) = &target.backup {
            let _ = fs::remove_file(backup);
        }
    }
    crash_point();
    Journal::remove(root)
}

/// Follows a symbolic link, checks the target against the plan and the user's wishes, and
/// computes the bytes to write; writes nothing.
fn resolve(plan: &Plan, change: &Change, index: usize, pid: u32) -> Result<Target> {
    let shown = change.path();
    let planned = plan.absolute(shown);
    let (path, existing) = match fs::symlink_metadata(&planned) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => (planned, None),
        Err(e) => return Err(e).with_context(|| format!("reading `{}`", planned.display())),
        Ok(meta) if meta.file_type().is_symlink() => match fs::canonicalize(&planned) {
            Ok(real) => {
                let meta =
                    fs::metadata(&real).with_context(|| format!("reading `{}`", real.display()))?;
                (real, Some(meta))
            }
            Err(_) => {
                let to = fs::read_link(&planned).unwrap_or_default();
                return Err(UserError::new(format!(
                    "`{shown}` is a symbolic link to `{}`, which does not exist",
                    to.display()
                ))
                .hint("Restore the file it points to, or replace the link with a regular file; nothing was written")
                .into());
            }
        },
        Ok(meta) => (planned, Some(meta)),
    };
    if let Some(meta) = &existing
        && !meta.is_file()
    {
        return Err(UserError::new(format!(
            "`{shown}` is not a regular file, and arcana needs to write one there"
        ))
        .hint("Move it out of the way and run the command again; nothing was written")
        .into());
    }
    let rerun = "Nothing was written; run the command again (another program changed the project while arcana was planning)";
    let mut delete = false;
    let (bytes, permissions, backup) = match (change, existing) {
        (Change::Create { contents, .. }, None) => (contents.as_bytes().to_vec(), None, None),
        (Change::Create { .. }, Some(_)) => {
            return Err(UserError::new(format!(
                "`{shown}` appeared after arcana planned to create it"
            ))
            .hint(rerun)
            .into());
        }
        (Change::Update { .. }, None) => {
            return Err(UserError::new(format!(
                "`{shown}` disappeared after arcana planned to change it"
            ))
            .hint(rerun)
            .into());
        }
        (Change::Update { before, after, .. }, Some(meta)) => {
            let disk = fs::read(&path).with_context(|| format!("reading `{}`", path.display()))?;
            if String::from_utf8_lossy(&disk) != before.as_str() {
                return Err(UserError::new(format!(
                    "`{shown}` changed after arcana planned to change it"
                ))
                .hint(rerun)
                .into());
            }
            if meta.permissions().readonly() && !plan.force {
                return Err(UserError::new(format!("`{shown}` is read-only")).hint(format!(
                    "Nothing was written. Make it writable (`chmod u+w {shown}`), or re-run with `--force` to write it anyway (it stays read-only)"
                ))
                .into());
            }
            let backup = plan
                .root
                .join(STATE_DIR)
                .join(format!("backup-{pid}-{index}"));
            (
                conform(after, &disk),
                Some(meta.permissions()),
                Some(backup),
            )
        }
        (Change::Delete { .. }, None) => {
            return Err(UserError::new(format!(
                "`{shown}` disappeared after arcana planned to remove it"
            ))
            .hint(rerun)
            .into());
        }
        (Change::Delete { before, .. }, Some(_)) => {
            if path != plan.absolute(shown) {
                return Err(UserError::new(format!(
                    "`{shown}` is a symbolic link, and arcana would remove the file it points to"
                ))
                .hint("Remove the link yourself, or replace it with the file; nothing was written")
                .into());
            }
            let disk = fs::read(&path).with_context(|| format!("reading `{}`", path.display()))?;
            if String::from_utf8_lossy(&disk) != before.as_str() {
                return Err(UserError::new(format!(
                    "`{shown}` changed after arcana planned to remove it"
                ))
                .hint(rerun)
                .into());
            }
            delete = true;
            let backup = plan
                .root
                .join(STATE_DIR)
                .join(format!("backup-{pid}-{index}"));
            (Vec::new(), None, Some(backup))
        }
    };
    let temp = path.with_file_name(format!(".arcana-tmp-{pid}-{index}"));
    Ok(Target {
        path,
        temp,
        backup,
        bytes,
        permissions,
        delete,
    })
}

/// Creates the folders, writes every temporary and backup, and makes them durable.
fn stage(root: &Path, targets: &[Target], dirs: &[PathBuf]) -> Result<()> {
    for dir in dirs {
        match fs::create_dir(dir) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                return Err(e).with_context(|| format!("creating `{}`", dir.display()));
            }
            _ => {}
        }
        crash_point();
    }
    let mut written: Vec<PathBuf> = Vec::with_capacity(targets.len() * 2);
    for target in targets {
        if !target.delete {
            write_file(&target.temp, &target.bytes, target.permissions.as_ref())
                .with_context(|| format!("writing `{}`", target.temp.display()))?;
            written.push(target.temp.clone());
            crash_point();
        }
        if let Some(backup) = &target.backup {
            let _ = fs::remove_file(backup);
            // A hard link keeps the original file itself, mode included; a copy where links
            // are not possible (another filesystem).
            if fs::hard_link(&target.path, backup).is_err() {
                fs::copy(&target.path, backup)
                    .with_context(|| format!("backing up `{}`", target.path.display()))?;
                written.push(backup.clone());
            }
            crash_point();
        }
    }
    let mut dirs: Vec<PathBuf> = parents(written.iter().map(PathBuf::as_path));
    dirs.push(root.join(STATE_DIR));
    sync_all(&written, false)
        .and_then(|()| sync_all(&dirs, true))
        .context("making the new contents durable")
}

fn write_file(path: &Path, bytes: &[u8], permissions: Option<&fs::Permissions>) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    file.write_all(bytes)?;
    if let Some(permissions) = permissions {
        file.set_permissions(permissions.clone())?;
    }
    Ok(())
}

/// The distinct folders holding `paths`.
fn parents<'a>(paths: impl Iterator<Item = &'a Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for dir in paths.filter_map(Path::parent) {
        if !out.iter().any(|d| d == dir) {
            out.push(dir.to_path_buf());
        }
    }
    out
}

/// fsyncs files (or folders) side by side: the filesystem commits concurrent requests together,
/// so twenty files cost about one sync instead of twenty.
fn sync_all(paths: &[PathBuf], dirs: bool) -> io::Result<()> {
    const THREADS: usize = 8;
    if paths.is_empty() {
        return Ok(());
    }
    let chunk = paths.len().div_ceil(THREADS);
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|group| {
                scope.spawn(move || -> io::Result<()> {
                    for path in group {
                        if dirs {
                            journal::sync_dir(path)?;
                        } else {
                            fs::File::open(path)?.sync_all()?;
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(io::Error::other("sync failed")))
        })
    })
}

/// Makes the entries of the folders holding `paths` durable (best effort).
fn sync_parents<'a>(paths: impl Iterator<Item = &'a Path>) {
    let _ = sync_all(&parents(paths), true);
}

/// The folders that must be created to hold `paths`, parents first.
fn missing_dirs<'a>(paths: impl Iterator<Item = &'a Path>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for path in paths {
        let mut missing = Vec::new();
        let mut cursor = path.parent();
        while let Some(dir) = cursor {
            if dir.as_os_str().is_empty() || out.iter().any(|d| d == dir) || dir.exists() {
                break;
            }
            missing.push(dir.to_path_buf());
            cursor = dir.parent();
        }
        out.extend(missing.into_iter().rev());
    }
    out
}

fn remove_dirs(created: &[PathBuf]) {
    for dir in created.iter().rev() {
        let _ = fs::remove_dir(dir);
    }
}

const BOM: &str = "\u{feff}";

/// `after` in the conventions of the file it replaces: its byte order mark and, when most of
/// its lines end in CRLF, CRLF line endings.
fn conform(after: &str, disk: &[u8]) -> Vec<u8> {
    let text = after.strip_prefix(BOM).unwrap_or(after);
    let mut out = String::with_capacity(text.len() + text.len() / 16 + 3);
    if disk.starts_with(BOM.as_bytes()) {
        out.push_str(BOM);
    }
    if uses_crlf(disk) {
        for piece in text.split_inclusive('\n') {
            match piece.strip_suffix('\n') {
                Some(line) => {
                    out.push_str(line.strip_suffix('\r').unwrap_or(line));
                    out.push_str("\r\n");
                }
                None => out.push_str(piece),
            }
        }
    } else {
        out.push_str(text);
    }
    out.into_bytes()
}

fn uses_crlf(bytes: &[u8]) -> bool {
    let lf = bytes.iter().filter(|&&b| b == b'\n').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    crlf > 0 && crlf * 2 >= lf
}

/// The command line that runs this apply, printable: control characters escaped, shortened.
fn command_line() -> String {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let line = format!("arcana {}", args.join(" "));
    let mut shown: String = line
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .take(160)
        .collect();
    if shown.chars().count() == 160 {
        shown.push('…');
    }
    shown.trim_end().to_string()
}

// ---------------------------------------------------------------------------------------------
// Creating a new project

fn apply_new_root(plan: &Plan) -> Result<()> {
    let root = destination(&plan.root)?;
    let Some(parent) = root.parent().map(Path::to_path_buf) else {
        return Err(UserError::new(format!(
            "`{}` cannot hold a project: it is the root of the filesystem",
            plan.root.display()
        ))
        .hint("Choose another destination with `--path DIR`")
        .into());
    };
    let mut made = Vec::new();
    create_dirs(&parent, &mut made)?;
    let result = (|| -> Result<()> {
        // The parent, so that every run creating this directory is excluded; the directory
        // itself when the parent cannot be opened (a parent without read permission).
        let locked = if fs::File::open(&parent).is_err() && root.is_dir() {
            &root
        } else {
            &parent
        };
        let _lock = DirLock::acquire(locked)?;
        sweep_staging(&parent);
        match fs::symlink_metadata(&root) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                into_new_dir(&parent, &root, &plan.changes)
            }
            Err(e) => Err(e).with_context(|| format!("reading `{}`", root.display())),
            Ok(meta) if meta.is_dir() => {
                recover_in_dir(&root)?;
                ensure_empty(&root, &plan.root)?;
                into_empty_dir(&root, &plan.changes)
            }
            Ok(_) => Err(UserError::new(format!(
                "`{}` exists and is not a directory",
                plan.root.display()
            ))
            .hint("Choose another destination with `--path DIR`")
            .into()),
        }
    })();
    if result.is_err() {
        remove_dirs(&made);
    }
    result
}

/// The absolute destination with `.` and `..` resolved and symbolic links followed, the way
/// the directory will be reached; nothing is created.
pub fn destination(path: &Path) -> Result<PathBuf> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .context("reading the current directory")?
            .join(path)
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => out.push(component.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(part) => {
                if part.len() > 255 {
                    return Err(UserError::new(format!(
                        "`{}…` is too long for a directory name ({} bytes; at most 255)",
                        part.to_string_lossy().chars().take(40).collect::<String>(),
                        part.len()
                    ))
                    .hint("Choose a shorter destination with `--path DIR`")
                    .into());
                }
                out.push(part);
                if fs::symlink_metadata(&out).is_ok_and(|m| m.file_type().is_symlink()) {
                    out = fs::canonicalize(&out).map_err(|_| {
                        UserError::new(format!(
                            "`{}` is a symbolic link to a directory that does not exist",
                            out.display()
                        ))
                        .hint("Create the directory it points to, or choose another destination with `--path DIR`")
                    })?;
                }
            }
        }
    }
    Ok(out)
}

fn ensure_empty(dir: &Path, shown: &Path) -> Result<()> {
    let mut entries = fs::read_dir(dir).with_context(|| format!("reading `{}`", dir.display()))?;
    if entries.next().is_some() {
        return Err(UserError::new(format!(
            "`{}` already exists and is not empty",
            shown.display()
        ))
        .hint("Choose another destination with `--path DIR`, or remove the directory first")
        .into());
    }
    Ok(())
}

/// Whether `dir` holds what an interrupted `arcana new` left in it (a staging folder), which
/// the next `arcana new` into it removes or finishes under the lock before checking that the
/// directory is empty: validation must not refuse such a directory as "not empty".
pub fn holds_interrupted_new(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(STAGING) || name.starts_with(STAGED)
        })
    })
}

const STAGING: &str = ".arcana-staging-";
const STAGED: &str = ".arcana-staged-";

/// Removes staging directories of `arcana new` runs that were killed (under the directory lock,
/// every one is: a running `new` holds the lock).
fn sweep_staging(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.')
            && name.contains(".arcana-staging-")
            && entry.file_type().is_ok_and(|t| t.is_dir())
            && fs::remove_dir_all(entry.path()).is_ok()
        {
            note(&format!(
                "removed `{}`, the unfinished files of an interrupted `arcana new`",
                entry.path().display()
            ));
        }
    }
}

/// Writes the project beside `root` and renames it into place.
fn into_new_dir(parent: &Path, root: &Path, changes: &[Change]) -> Result<()> {
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".to_string());
    let short: String = name
        .char_indices()
        .take_while(|(i, c)| i + c.len_utf8() <= 100)
        .map(|(_, c)| c)
        .collect();
    let staging = parent.join(format!(".{short}{STAGING}{}", std::process::id()));
    fs::create_dir(&staging).with_context(|| format!("creating `{}`", staging.display()))?;
    crash_point();
    let result = write_all(&staging, changes).and_then(|()| {
        fs::rename(&staging, root)
            .with_context(|| format!("moving the project into `{}`", root.display()))
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result?;
    crash_point();
    let _ = journal::sync_dir(parent);
    Ok(())
}

/// Fills the existing empty directory `root`, keeping the directory itself.
fn into_empty_dir(root: &Path, changes: &[Change]) -> Result<()> {
    let pid = std::process::id();
    let staging = root.join(format!("{STAGING}{pid}"));
    fs::create_dir(&staging).with_context(|| format!("creating `{}`", staging.display()))?;
    crash_point();
    if let Err(err) = write_all(&staging, changes) {
        let _ = fs::remove_dir_all(&staging);
        return Err(err);
    }
    // The commit point: from here on, the next run finishes the move.
    let staged = root.join(format!("{STAGED}{pid}"));
    if let Err(e) = fs::rename(&staging, &staged) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e).with_context(|| format!("writing into `{}`", root.display()));
    }
    crash_point();
    move_entries(&staged, root)
}

/// Moves every entry of `from` into `to` (`arcana.toml` last, so that a project is only
/// recognised once complete) and removes `from`.
fn move_entries(from: &Path, to: &Path) -> Result<()> {
    let mut names: Vec<std::ffi::OsString> = fs::read_dir(from)
        .with_context(|| format!("reading `{}`", from.display()))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<io::Result<_>>()
        .with_context(|| format!("reading `{}`", from.display()))?;
    names.sort_by_key(|n| n.as_os_str() == OsStr::new(manifest::FILE_NAME));
    for name in names {
        fs::rename(from.join(&name), to.join(&name)).with_context(|| {
            format!(
                "moving `{}` into `{}`",
                name.to_string_lossy(),
                to.display()
            )
        })?;
        crash_point();
    }
    fs::remove_dir(from).with_context(|| format!("removing `{}`", from.display()))?;
    let _ = journal::sync_dir(to);
    Ok(())
}

/// Finishes (or removes) what an interrupted `arcana new` into the existing directory `root`
/// left there.
fn recover_in_dir(root: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(root) else {
        return Ok(());
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(n, _)| n.starts_with(STAGING) || n.starts_with(STAGED))
        .collect();
    found.sort();
    for (name, path) in found {
        if name.starts_with(STAGED) {
            move_entries(&path, root)?;
            note(&format!(
                "finished the interrupted `arcana new` that was filling `{}`",
                root.display()
            ));
        } else if fs::remove_dir_all(&path).is_ok() {
            note(&format!(
                "removed `{}`, the unfinished files of an interrupted `arcana new`",
                path.display()
            ));
        }
    }
    Ok(())
}

fn write_all(base: &Path, changes: &[Change]) -> Result<()> {
    let mut made: HashSet<PathBuf> = HashSet::new();
    for change in changes {
        let Change::Create { path, contents } = change else {
            anyhow::bail!(
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
        crash_point();
    }
    Ok(())
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
        match fs::create_dir(&d) {
            Ok(()) => created.push(d),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e).with_context(|| format!("creating `{}`", d.display())),
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Fault injection for the crash tests

/// In debug builds, `ARCANA_CRASH_AT=N` aborts the process (no destructors, no cleanup: what
/// `kill -9` leaves) at the N-th point where an apply has just changed the disk, so that tests
/// can check recovery from every one of them.
#[cfg(debug_assertions)]
fn crash_point() {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static AT: OnceLock<Option<u64>> = OnceLock::new();
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let at = *AT.get_or_init(|| {
        std::env::var("ARCANA_CRASH_AT")
            .ok()
            .and_then(|v| v.parse().ok())
    });
    if let Some(at) = at
        && COUNT.fetch_add(1, Ordering::SeqCst) + 1 == at
    {
        std::process::abort();
    }
}

#[cfg(not(debug_assertions))]
fn crash_point() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn update(path: &str, before: &str, after: &str) -> Change {
        Change::Update {
            path: path.into(),
            before: before.into(),
            after: after.into(),
        }
    }

    #[test]
    fn new_project_is_moved_into_a_missing_destination() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("svc");
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
        assert_eq!(
            names(tmp.path()),
            vec!["svc"],
            "no staging directory is left"
        );
    }

    #[test]
    fn an_empty_destination_is_kept_and_filled() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("svc");
        fs::create_dir(&root).unwrap();
        let link = tmp.path().join("link");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&root, &link).unwrap();
        #[cfg(not(unix))]
        let link = root.clone();
        let plan = Plan::new_project(
            link.clone(),
            [
                ("arcana.toml".to_string(), "m".to_string()),
                ("a/b.txt".to_string(), "b".to_string()),
            ],
        );
        apply(&plan).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
                || cfg!(not(unix))
        );
        assert_eq!(names(&root), vec!["a", "arcana.toml"]);
    }

    #[test]
    fn a_non_empty_destination_is_refused_under_the_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("svc");
        fs::create_dir(&root).unwrap();
        fs::write(root.join("mine"), "x").unwrap();
        let plan = Plan::new_project(root.clone(), [("c.txt".to_string(), "c".to_string())]);
        let err = apply(&plan).unwrap_err();
        assert!(err.downcast_ref::<UserError>().is_some(), "{err:#}");
        assert_eq!(names(&root), vec!["mine"]);
    }

    #[test]
    fn destinations_are_normalised_without_creating_anything() {
        let tmp = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(tmp.path()).unwrap();
        assert_eq!(destination(&base.join("x/../y")).unwrap(), base.join("y"));
        assert_eq!(destination(&base.join("./y/.")).unwrap(), base.join("y"));
        assert!(!base.join("x").exists());
        let long = "a".repeat(300);
        assert!(destination(&base.join(long)).is_err());
    }

    #[test]
    fn stale_staging_directories_are_removed_by_the_next_new() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join(".old.arcana-staging-99999/app")).unwrap();
        let plan = Plan::new_project(
            tmp.path().join("svc"),
            [("c.txt".to_string(), "c".to_string())],
        );
        apply(&plan).unwrap();
        assert_eq!(names(tmp.path()), vec!["svc"]);
    }

    #[test]
    fn in_place_changes_create_and_update() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x.py"), "old\n").unwrap();
        let mut plan = Plan::in_project(tmp.path().to_path_buf());
        plan.changes.push(update("x.py", "old\n", "new\n"));
        plan.changes.push(Change::Create {
            path: "pkg/sub/y.py".into(),
            contents: "y\n".into(),
        });
        apply(&plan).unwrap();
        assert_eq!(read(&tmp.path().join("x.py")), "new\n");
        assert_eq!(read(&tmp.path().join("pkg/sub/y.py")), "y\n");
        assert_eq!(
            names(tmp.path()),
            vec!["pkg", "x.py"],
            "no lock, journal or backup left"
        );
    }

    #[test]
    fn a_directory_in_the_way_is_refused_before_any_write() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x.py"), "old\n").unwrap();
        fs::create_dir_all(tmp.path().join("blocked/inner")).unwrap();
        let mut plan = Plan::in_project(tmp.path().to_path_buf());
        plan.changes.push(update("x.py", "old\n", "new\n"));
        plan.changes.push(Change::Create {
            path: "new/file.py".into(),
            contents: "n\n".into(),
        });
        plan.changes.push(Change::Create {
            path: "blocked".into(),
            contents: "never\n".into(),
        });
        let err = apply(&plan).unwrap_err();
        assert!(err.downcast_ref::<UserError>().is_some(), "{err:#}");
        assert_eq!(read(&tmp.path().join("x.py")), "old\n");
        assert_eq!(names(tmp.path()), vec!["blocked", "x.py"]);
    }

    #[test]
    fn line_endings_and_byte_order_marks_are_kept() {
        assert_eq!(conform("a\nb\n", b"x\r\ny\r\n"), b"a\r\nb\r\n");
        assert_eq!(conform("a\r\nb", b"x\r\ny\r\n"), b"a\r\nb");
        assert_eq!(conform("a\nb\n", b"x\ny\n"), b"a\nb\n");
        assert_eq!(conform("a\n", b"\xef\xbb\xbfx\n"), "\u{feff}a\n".as_bytes());
        assert_eq!(
            conform("\u{feff}a\n", b"\xef\xbb\xbfx\r\n"),
            "\u{feff}a\r\n".as_bytes()
        );
        assert_eq!(conform("\u{feff}a\n", b"x\n"), b"a\n");
    }

    #[cfg(unix)]
    #[test]
    fn modes_links_and_read_only_files_are_respected() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::write(root.join("run.sh"), "old\n").unwrap();
        fs::set_permissions(root.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(root.join("real.py"), "old\n").unwrap();
        std::os::unix::fs::symlink("real.py", root.join("link.py")).unwrap();
        let mut plan = Plan::in_project(root.to_path_buf());
        plan.changes.push(update("run.sh", "old\n", "new\n"));
        plan.changes.push(update("link.py", "old\n", "new\n"));
        apply(&plan).unwrap();
        let mode = fs::metadata(root.join("run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert!(
            fs::symlink_metadata(root.join("link.py"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(read(&root.join("real.py")), "new\n");

        fs::set_permissions(root.join("run.sh"), fs::Permissions::from_mode(0o444)).unwrap();
        let mut plan = Plan::in_project(root.to_path_buf());
        plan.changes.push(update("run.sh", "new\n", "newer\n"));
        let err = apply(&plan).unwrap_err();
        let user = err.downcast_ref::<UserError>().unwrap();
        assert!(user.message.contains("read-only"), "{user:?}");
        assert!(user.hint.as_deref().unwrap().contains("--force"));
        assert_eq!(read(&root.join("run.sh")), "new\n");
        plan.force = true;
        apply(&plan).unwrap();
        assert_eq!(read(&root.join("run.sh")), "newer\n");
        let mode = fs::metadata(root.join("run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o444);

        std::os::unix::fs::symlink("gone.py", root.join("dangling.py")).unwrap();
        let mut plan = Plan::in_project(root.to_path_buf());
        plan.changes.push(Change::Create {
            path: "dangling.py".into(),
            contents: "x\n".into(),
        });
        let err = apply(&plan).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err:#}");
        assert!(
            fs::symlink_metadata(root.join("dangling.py"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn a_removal_is_applied_and_recovered_like_a_write() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::write(root.join("gone.py"), "old\n").unwrap();
        fs::write(root.join("kept.py"), "a\n").unwrap();
        let mut plan = Plan::in_project(root.to_path_buf());
        plan.changes.push(Change::Delete {
            path: "gone.py".into(),
            before: "old\n".into(),
        });
        plan.changes.push(Change::Update {
            path: "kept.py".into(),
            before: "a\n".into(),
            after: "b\n".into(),
        });
        apply(&plan).unwrap();
        assert!(!root.join("gone.py").exists());
        assert_eq!(read(&root.join("kept.py")), "b\n");

        // Killed after the commit point: the next command finishes the removal; killed before
        // it: the file is still there.
        fs::write(root.join("gone.py"), "old\n").unwrap();
        let _lock = lock_project(root).unwrap();
        let entry = Entry {
            target: root.join("gone.py"),
            temp: root.join(".arcana-tmp-1-0"),
            backup: Some(root.join(".arcana/backup-1-0")),
            delete: true,
        };
        let mut journal = Journal {
            command: "arcana remove resource product".into(),
            pid: 1,
            state: State::Committed,
            files: vec![entry.clone()],
            dirs: vec![],
        };
        fs::hard_link(&entry.target, entry.backup.as_ref().unwrap()).unwrap();
        journal.write(root).unwrap();
        recover(root).unwrap().unwrap();
        assert!(!root.join("gone.py").exists());
        assert!(!entry.backup.as_ref().unwrap().exists());

        fs::write(root.join("gone.py"), "old\n").unwrap();
        journal.state = State::Prepared;
        fs::hard_link(&entry.target, entry.backup.as_ref().unwrap()).unwrap();
        journal.write(root).unwrap();
        recover(root).unwrap().unwrap();
        assert_eq!(read(&root.join("gone.py")), "old\n");

        // Rolling back puts a removed file back from its backup.
        journal.state = State::RollingBack;
        fs::hard_link(&entry.target, entry.backup.as_ref().unwrap()).unwrap();
        fs::remove_file(&entry.target).unwrap();
        journal.write(root).unwrap();
        recover(root).unwrap().unwrap();
        assert_eq!(read(&root.join("gone.py")), "old\n");
    }

    #[test]
    fn recovery_rolls_a_prepared_apply_back_and_a_committed_one_forward() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::write(root.join("a.py"), "old\n").unwrap();
        let _lock = lock_project(root).unwrap();
        let entry = Entry {
            target: root.join("a.py"),
            temp: root.join(".arcana-tmp-1-0"),
            backup: Some(root.join(".arcana/backup-1-0")),
            delete: false,
        };
        let created = Entry {
            target: root.join("new/b.py"),
            temp: root.join("new/.arcana-tmp-1-1"),
            backup: None,
            delete: false,
        };
        let mut journal = Journal {
            command: "arcana add resource product".into(),
            pid: 1,
            state: State::Prepared,
            files: vec![entry.clone(), created.clone()],
            dirs: vec![root.join("new")],
        };
        let prepare = |journal: &Journal| {
            fs::create_dir_all(root.join("new")).unwrap();
            fs::write(&entry.temp, "new\n").unwrap();
            fs::hard_link(&entry.target, entry.backup.as_ref().unwrap()).unwrap();
            fs::write(&created.temp, "b\n").unwrap();
            journal.write(root).unwrap();
        };

        prepare(&journal);
        let note = recover(root).unwrap().unwrap();
        assert!(note.contains("before it changed any file"), "{note}");
        assert_eq!(read(&root.join("a.py")), "old\n");
        assert_eq!(names(root), vec![".arcana", "a.py"]);
        assert_eq!(names(&root.join(".arcana")), vec!["lock"]);

        journal.state = State::Committed;
        prepare(&journal);
        fs::rename(&entry.temp, &entry.target).unwrap();
        let note = recover(root).unwrap().unwrap();
        assert!(note.contains("finished it (2 files)"), "{note}");
        assert_eq!(read(&root.join("a.py")), "new\n");
        assert_eq!(read(&root.join("new/b.py")), "b\n");
        assert_eq!(names(&root.join(".arcana")), vec!["lock"]);
        assert_eq!(names(&root.join("new")), vec!["b.py"]);
        assert_eq!(recover(root).unwrap(), None);

        // A rename failed in the running command, which died while putting originals back.
        fs::remove_dir_all(root.join("new")).unwrap();
        fs::write(root.join("a.py"), "old\n").unwrap();
        journal.state = State::RollingBack;
        prepare(&journal);
        fs::rename(&entry.temp, &entry.target).unwrap();
        fs::rename(&created.temp, &created.target).unwrap();
        let note = recover(root).unwrap().unwrap();
        assert!(note.contains("restored the files"), "{note}");
        assert_eq!(read(&root.join("a.py")), "old\n");
        assert_eq!(names(root), vec![".arcana", "a.py"]);
        assert_eq!(names(&root.join(".arcana")), vec!["lock"]);
    }
}
