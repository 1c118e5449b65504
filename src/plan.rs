//! The plan: every file a command will create or change, computed in memory.
//!
//! Commands build a [`Plan`] and validate it completely before [`crate::apply`] writes anything,
//! so a refused command leaves the tree untouched and `--dry-run` is just the plan printed.

use std::path::{Path, PathBuf};

/// One change to one file, with paths relative to [`Plan::root`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A file that does not exist yet.
    Create { path: String, contents: String },
    /// An existing file whose contents change from `before` to `after`.
    Update {
        path: String,
        before: String,
        after: String,
    },
    /// An existing file to remove; `before` is what the plan expects on disk.
    Delete { path: String, before: String },
}

impl Change {
    /// The path relative to the plan's root.
    pub fn path(&self) -> &str {
        match self {
            Change::Create { path, .. }
            | Change::Update { path, .. }
            | Change::Delete { path, .. } => path,
        }
    }
}

/// Everything a command will write, rooted at one directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The project directory the paths are relative to.
    pub root: PathBuf,
    /// Whether the root itself is created (a new project), so the whole tree can be staged and
    /// moved into place at once.
    pub new_root: bool,
    pub changes: Vec<Change>,
    /// Whether files the user made read-only may be written (`--force`); they stay read-only.
    pub force: bool,
}

impl Plan {
    /// A plan that creates a whole new project at `root`.
    pub fn new_project(root: PathBuf, files: impl IntoIterator<Item = (String, String)>) -> Self {
        let changes = files
            .into_iter()
            .map(|(path, contents)| Change::Create { path, contents })
            .collect();
        Self {
            root,
            new_root: true,
            changes,
            force: false,
        }
    }

    /// A plan that changes files inside an existing project.
    pub fn in_project(root: PathBuf) -> Self {
        Self {
            root,
            new_root: false,
            changes: Vec::new(),
            force: false,
        }
    }

    /// The absolute location of a planned path.
    pub fn absolute(&self, relative: &str) -> PathBuf {
        self.root.join(Path::new(relative))
    }

    /// Files created by the plan.
    pub fn created(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| matches!(c, Change::Create { .. }))
    }

    /// Files changed by the plan.
    pub fn updated(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| matches!(c, Change::Update { .. }))
    }

    /// Files removed by the plan.
    pub fn deleted(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| matches!(c, Change::Delete { .. }))
    }

    /// True when applying the plan would not change anything.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}
