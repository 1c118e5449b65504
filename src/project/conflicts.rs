//! Telling files arcana generated from files the user edited, before anything is overwritten.
//!
//! `arcana.toml` keeps a `[files]` table with a content hash of every file arcana created. When
//! a later command would create a file that already exists, the hash says whether the file is
//! still as generated (safe to replace) or was edited (a conflict). Conflicts stop the command
//! unless the user chose `--force` (overwrite) or `--skip-existing` (keep theirs).

use std::collections::BTreeMap;
use std::fs;

use sha2::{Digest, Sha256};
use toml_edit::{DocumentMut, Item, Table, value};

use crate::error::UserError;
use crate::plan::{Change, Plan};

/// What to do with a file the user edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnConflict {
    /// Stop before writing and list the conflicts.
    #[default]
    Stop,
    /// Overwrite the user's file.
    Force,
    /// Keep the user's file and leave it out of the plan.
    SkipExisting,
}

/// The recorded hash of a file's contents: the first 16 bytes of SHA-256, hex encoded.
pub fn hash(contents: &[u8]) -> String {
    let digest = Sha256::digest(contents);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The `[files]` table of `arcana.toml`: path to recorded hash.
pub fn recorded(manifest_text: &str) -> BTreeMap<String, String> {
    let Ok(doc) = manifest_text.parse::<DocumentMut>() else {
        return BTreeMap::new();
    };
    doc.get("files")
        .and_then(Item::as_table_like)
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Records the hashes of files a command created or replaced in `arcana.toml`'s `[files]`
/// table, keeping the rest of the text (comments included) as it was.
pub fn record<'a>(
    manifest_text: &str,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let Ok(mut doc) = manifest_text.parse::<DocumentMut>() else {
        return manifest_text.to_string();
    };
    if !doc.contains_key("files") {
        let mut table = Table::new();
        table.decor_mut().set_prefix(
            "\n# Content hashes of the files arcana created, to tell them from files you edited.\n",
        );
        doc["files"] = Item::Table(table);
    }
    if let Some(table) = doc["files"].as_table_mut() {
        for (path, contents) in files {
            table.insert(path, value(hash(contents.as_bytes())));
        }
    }
    doc.to_string()
}

/// Drops the recorded hashes of `paths` (files a command removed) from `[files]`.
pub fn forget<'a>(manifest_text: &str, paths: impl IntoIterator<Item = &'a str>) -> String {
    let Ok(mut doc) = manifest_text.parse::<DocumentMut>() else {
        return manifest_text.to_string();
    };
    if let Some(table) = doc.get_mut("files").and_then(Item::as_table_mut) {
        for path in paths {
            table.remove(path);
        }
    }
    doc.to_string()
}

/// The outcome of checking a plan against the files on disk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Files left out of the plan, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Files the user edited that `--force` overwrites.
    pub overwritten: Vec<String>,
}

/// Rewrites `plan` so that it never silently replaces a user's file.
///
/// A planned creation whose target exists becomes: nothing (identical content), a replacement
/// (unchanged since arcana generated it, per `recorded`), or a conflict handled by `on`.
pub fn check(
    plan: &mut Plan,
    recorded: &BTreeMap<String, String>,
    on: OnConflict,
) -> Result<Report, UserError> {
    let mut report = Report::default();
    let mut conflicts = Vec::new();
    let mut kept = Vec::with_capacity(plan.changes.len());
    for change in std::mem::take(&mut plan.changes) {
        let Change::Create { path, contents } = change else {
            kept.push(change);
            continue;
        };
        let Ok(existing) = fs::read(plan.absolute(&path)) else {
            kept.push(Change::Create { path, contents });
            continue;
        };
        if existing == contents.as_bytes() {
            report
                .skipped
                .push((path, "already up to date".to_string()));
            continue;
        }
        let before = String::from_utf8_lossy(&existing).into_owned();
        let unedited = recorded.get(&path).is_some_and(|h| *h == hash(&existing));
        if unedited {
            kept.push(Change::Update {
                path,
                before,
                after: contents,
            });
            continue;
        }
        match on {
            OnConflict::Stop => conflicts.push(path),
            OnConflict::Force => {
                report.overwritten.push(path.clone());
                kept.push(Change::Update {
                    path,
                    before,
                    after: contents,
                });
            }
            OnConflict::SkipExisting => {
                report
                    .skipped
                    .push((path, "kept your version (--skip-existing)".to_string()));
            }
        }
    }
    plan.changes = kept;
    if conflicts.is_empty() {
        return Ok(report);
    }
    let list: Vec<String> = conflicts.iter().map(|p| format!("`{p}`")).collect();
    Err(UserError::new(format!(
        "{} file(s) already exist and differ from what arcana generated: {}",
        conflicts.len(),
        list.join(", ")
    ))
    .hint("Nothing was written. Re-run with `--force` to overwrite them, or `--skip-existing` to keep your versions"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_in(dir: &std::path::Path, files: &[(&str, &str)]) -> Plan {
        let mut plan = Plan::in_project(dir.to_path_buf());
        for (path, contents) in files {
            plan.changes.push(Change::Create {
                path: (*path).into(),
                contents: (*contents).into(),
            });
        }
        plan
    }

    #[test]
    fn hashes_are_recorded_in_the_manifest_keeping_comments() {
        let text = "# keep me\n[project]\nstack = \"flask\"\n";
        let text = record(text, [("app/model/product.py", "x\n")]);
        assert!(text.starts_with("# keep me\n"));
        let text = record(&text, [("app/service/product_service.py", "y\n")]);
        let hashes = recorded(&text);
        assert_eq!(hashes.len(), 2);
        assert_eq!(hashes["app/model/product.py"], hash(b"x\n"));
        assert_eq!(text.matches("[files]").count(), 1);
    }

    #[test]
    fn hashes_are_stable() {
        assert_eq!(hash(b"abc"), "ba7816bf8f01cfea414140de5dae2223");
    }

    #[test]
    fn new_files_pass_and_identical_files_are_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("same.py"), "x\n").unwrap();
        let mut plan = plan_in(tmp.path(), &[("new.py", "n\n"), ("same.py", "x\n")]);
        let report = check(&mut plan, &BTreeMap::new(), OnConflict::Stop).unwrap();
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(
            report.skipped,
            vec![("same.py".to_string(), "already up to date".to_string())]
        );
    }

    #[test]
    fn unedited_generated_files_are_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("gen.py"), "old\n").unwrap();
        let recorded = BTreeMap::from([("gen.py".to_string(), hash(b"old\n"))]);
        let mut plan = plan_in(tmp.path(), &[("gen.py", "new\n")]);
        check(&mut plan, &recorded, OnConflict::Stop).unwrap();
        assert!(matches!(&plan.changes[0], Change::Update { after, .. } if after == "new\n"));
    }

    #[test]
    fn edited_files_stop_force_or_skip() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("mine.py"), "edited\n").unwrap();
        let recorded = BTreeMap::from([("mine.py".to_string(), hash(b"generated\n"))]);

        let mut plan = plan_in(
            tmp.path(),
            &[("mine.py", "generated again\n"), ("other.py", "o\n")],
        );
        let err = check(&mut plan, &recorded, OnConflict::Stop).unwrap_err();
        assert!(err.message.contains("`mine.py`"), "{}", err.message);
        assert!(err.hint.unwrap().contains("--force"));

        let mut plan = plan_in(tmp.path(), &[("mine.py", "generated again\n")]);
        let report = check(&mut plan, &recorded, OnConflict::Force).unwrap();
        assert_eq!(report.overwritten, vec!["mine.py".to_string()]);
        assert!(matches!(&plan.changes[0], Change::Update { before, .. } if before == "edited\n"));

        let mut plan = plan_in(tmp.path(), &[("mine.py", "generated again\n")]);
        let report = check(&mut plan, &recorded, OnConflict::SkipExisting).unwrap();
        assert!(plan.changes.is_empty());
        assert_eq!(report.skipped[0].0, "mine.py");
    }

    #[test]
    fn files_unknown_to_the_manifest_are_conflicts() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("hand.py"), "by hand\n").unwrap();
        let mut plan = plan_in(tmp.path(), &[("hand.py", "generated\n")]);
        assert!(check(&mut plan, &BTreeMap::new(), OnConflict::Stop).is_err());
    }
}
