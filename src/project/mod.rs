//! What arcana reads from and reconciles with an existing generated project: its manifest
//! (`arcana.toml`), files the user changed, the Alembic head and the `# arcana:` markers, and
//! the lock and journal that keep commands from interfering or leaving a project half-changed.

pub mod conflicts;
pub mod inject;
pub mod journal;
pub mod lock;
pub mod manifest;
pub mod merge;
pub mod migrations;
