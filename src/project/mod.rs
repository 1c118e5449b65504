//! What arcana reads from and reconciles with an existing generated project: its manifest
//! (`arcana.toml`), files the user changed, the Alembic head and the `# arcana:` markers.

pub mod conflicts;
pub mod inject;
pub mod manifest;
pub mod migrations;
