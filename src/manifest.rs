//! `arcana.toml`, the manifest a generated project carries.
//!
//! It records the arcana version, the stack and features chosen at `arcana new`, and the
//! resources added since. Later commands find the project by walking up to this file.

use std::path::{Path, PathBuf};

/// The manifest's file name.
pub const FILE_NAME: &str = "arcana.toml";

/// Walks up from `start` to the nearest directory holding `arcana.toml`.
pub fn find_project_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(FILE_NAME).is_file())
        .map(Path::to_path_buf)
}
