//! The journal of an apply under way, so that a command killed at any instruction is finished
//! or undone by the next one instead of leaving a half-changed project.
//!
//! Before the first change to a project, [`crate::apply`] writes `.arcana/journal`: every file
//! it will write (its target, the temporary file the new contents go to first, and for a file
//! that exists, a backup of the original), and every folder it will create. The journal moves
//! through three states, each written atomically (temporary file, fsync, rename, fsync of the
//! folder):
//!
//! - `prepared`: temporaries and backups are being written; no target has changed. Recovery
//!   removes the temporaries, backups and new folders: the project is as it was.
//! - `committed`: every temporary and backup is complete and durable. Recovery renames the
//!   temporaries still present over their targets (a missing one was already moved) and
//!   removes the backups: the project is as the command meant it.
//! - `rolling_back`: a rename failed in a running command, which is putting the originals back.
//!   Recovery does the same: backups renamed over their targets, created files removed.
//!
//! The format is JSON, one object: `{"arcana_journal": 1, "command", "pid", "state", "files":
//! [{"target", "temp", "backup", "delete"}], "dirs"}`, paths relative to the project root (absolute for
//! a target outside it, reached through a symbolic link).

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::error::UserError;
use crate::project::lock::STATE_DIR;

/// The journal file, relative to the project root.
pub const JOURNAL_FILE: &str = ".arcana/journal";
/// Where the journal is written before it is renamed into place.
pub const JOURNAL_TEMP: &str = ".arcana/journal.tmp";
const VERSION: u64 = 1;

/// How far an apply had got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Prepared,
    Committed,
    RollingBack,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Prepared => "prepared",
            State::Committed => "committed",
            State::RollingBack => "rolling_back",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "prepared" => Some(State::Prepared),
            "committed" => Some(State::Committed),
            "rolling_back" => Some(State::RollingBack),
            _ => None,
        }
    }
}

/// One file the apply writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where the contents go (a symbolic link already followed).
    pub target: PathBuf,
    /// The temporary file holding the new contents until it is renamed over the target.
    pub temp: PathBuf,
    /// The original of a file that existed (None for a file the apply creates).
    pub backup: Option<PathBuf>,
    /// The apply removes the target (no temporary is written; the backup keeps the original).
    pub delete: bool,
}

/// The journal of one apply; paths are absolute in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    /// The command line that ran the apply, for the recovery note.
    pub command: String,
    pub pid: u32,
    pub state: State,
    pub files: Vec<Entry>,
    /// Folders the apply creates, parents first.
    pub dirs: Vec<PathBuf>,
}

impl Journal {
    /// Writes the journal of the project at `root` atomically and durably.
    pub fn write(&self, root: &Path) -> Result<()> {
        let text = self.to_json(root)?;
        let temp = root.join(JOURNAL_TEMP);
        let path = root.join(JOURNAL_FILE);
        let written = (|| -> io::Result<()> {
            let mut file = File::create(&temp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::rename(&temp, &path)?;
            sync_dir(&root.join(STATE_DIR))
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temp);
        }
        written.with_context(|| format!("writing `{}`", path.display()))
    }

    /// Reads the journal of the project at `root`, if an apply left one.
    pub fn read(root: &Path) -> Result<Option<Self>> {
        let path = root.join(JOURNAL_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading `{}`", path.display())),
        };
        Self::from_json(root, &text).map(Some).map_err(|why| {
            UserError::new(format!(
                "`{JOURNAL_FILE}` cannot be read ({why}); it records a command that was interrupted"
            ))
            .hint(format!(
                "Check the files it names against your version control, then delete `{}` and run the command again",
                path.display()
            ))
            .into()
        })
    }

    /// Removes the journal of the project at `root` (and its temporary, if any).
    pub fn remove(root: &Path) -> Result<()> {
        let _ = fs::remove_file(root.join(JOURNAL_TEMP));
        let path = root.join(JOURNAL_FILE);
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing `{}`", path.display())),
        }
        sync_dir(&root.join(STATE_DIR)).with_context(|| format!("removing `{}`", path.display()))
    }

    fn to_json(&self, root: &Path) -> Result<String> {
        let rel = |p: &Path| -> Result<String> {
            let shown = p.strip_prefix(root).unwrap_or(p);
            shown
                .to_str()
                .map(str::to_string)
                .with_context(|| format!("`{}` is not a UTF-8 path", p.display()))
        };
        let mut files = Vec::with_capacity(self.files.len());
        for entry in &self.files {
            files.push(json!({
                "target": rel(&entry.target)?,
                "temp": rel(&entry.temp)?,
                "backup": entry.backup.as_deref().map(rel).transpose()?,
                "delete": entry.delete,
            }));
        }
        let dirs: Vec<String> = self.dirs.iter().map(|d| rel(d)).collect::<Result<_>>()?;
        let value = json!({
            "arcana_journal": VERSION,
            "command": self.command,
            "pid": self.pid,
            "state": self.state.as_str(),
            "files": files,
            "dirs": dirs,
        });
        let mut text = serde_json::to_string_pretty(&value).context("encoding the journal")?;
        text.push('\n');
        Ok(text)
    }

    fn from_json(root: &Path, text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let version = value.get("arcana_journal").and_then(Value::as_u64);
        if version != Some(VERSION) {
            return Err(format!(
                "format {} is not {VERSION}; a different arcana version wrote it",
                version.map_or("missing".to_string(), |v| v.to_string())
            ));
        }
        let path = |v: &Value, key: &str| -> Result<PathBuf, String> {
            let text = v.as_str().ok_or_else(|| format!("`{key}` is not a path"))?;
            if text.is_empty() {
                return Err(format!("`{key}` is empty"));
            }
            Ok(root.join(text))
        };
        let state = value
            .get("state")
            .and_then(Value::as_str)
            .and_then(State::parse)
            .ok_or("`state` is missing or unknown")?;
        let mut files = Vec::new();
        for entry in value
            .get("files")
            .and_then(Value::as_array)
            .ok_or("`files` is missing")?
        {
            let backup = match entry.get("backup") {
                None | Some(Value::Null) => None,
                Some(v) => Some(path(v, "backup")?),
            };
            files.push(Entry {
                target: path(entry.get("target").unwrap_or(&Value::Null), "target")?,
                temp: path(entry.get("temp").unwrap_or(&Value::Null), "temp")?,
                backup,
                delete: entry
                    .get("delete")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            });
        }
        let mut dirs = Vec::new();
        for dir in value
            .get("dirs")
            .and_then(Value::as_array)
            .ok_or("`dirs` is missing")?
        {
            dirs.push(path(dir, "dirs")?);
        }
        Ok(Self {
            command: value
                .get("command")
                .and_then(Value::as_str)
                .unwrap_or("arcana")
                .to_string(),
            pid: value
                .get("pid")
                .and_then(Value::as_u64)
                .and_then(|p| u32::try_from(p).ok())
                .unwrap_or(0),
            state,
            files,
            dirs,
        })
    }
}

/// Makes a folder's entries (files created, renamed or removed in it) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(root: &Path) -> Journal {
        Journal {
            command: "arcana add resource product name:string".into(),
            pid: 42,
            state: State::Prepared,
            files: vec![
                Entry {
                    target: root.join("app/wiring.py"),
                    temp: root.join("app/.arcana-tmp-42-0"),
                    backup: Some(root.join(".arcana/backup-0")),
                    delete: false,
                },
                Entry {
                    target: PathBuf::from("/elsewhere/shared.py"),
                    temp: PathBuf::from("/elsewhere/.arcana-tmp-42-1"),
                    backup: None,
                    delete: true,
                },
            ],
            dirs: vec![root.join("app/new"), root.join("app/new/deeper")],
        }
    }

    #[test]
    fn round_trips_with_paths_relative_to_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join(STATE_DIR)).unwrap();
        let mut journal = sample(tmp.path());
        journal.write(tmp.path()).unwrap();
        let text = fs::read_to_string(tmp.path().join(JOURNAL_FILE)).unwrap();
        assert!(text.contains("\"target\": \"app/wiring.py\""), "{text}");
        assert!(text.contains("\"/elsewhere/shared.py\""), "{text}");
        assert!(text.contains("\"state\": \"prepared\""), "{text}");
        assert_eq!(Journal::read(tmp.path()).unwrap(), Some(journal.clone()));

        journal.state = State::Committed;
        journal.write(tmp.path()).unwrap();
        assert_eq!(
            Journal::read(tmp.path()).unwrap().unwrap().state,
            State::Committed
        );
        assert!(!tmp.path().join(JOURNAL_TEMP).exists());

        Journal::remove(tmp.path()).unwrap();
        assert_eq!(Journal::read(tmp.path()).unwrap(), None);
        Journal::remove(tmp.path()).unwrap();
    }

    #[test]
    fn an_unreadable_journal_is_refused_with_a_hint() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join(STATE_DIR)).unwrap();
        for text in [
            "not json",
            "{\"arcana_journal\": 99}",
            "{\"arcana_journal\": 1, \"state\": \"odd\", \"files\": [], \"dirs\": []}",
            "{\"arcana_journal\": 1, \"state\": \"committed\", \"files\": [{\"target\": \"\"}], \"dirs\": []}",
        ] {
            fs::write(tmp.path().join(JOURNAL_FILE), text).unwrap();
            let err = Journal::read(tmp.path()).unwrap_err();
            let user = err.downcast_ref::<UserError>().expect(text);
            assert!(user.message.contains(".arcana/journal"), "{user:?}");
            assert!(user.hint.as_deref().unwrap().contains("delete"), "{user:?}");
        }
    }
}
