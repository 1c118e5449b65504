//! What `add field`, `remove field` and `remove resource` share: finding the resource in
//! `arcana.toml`, rendering it as arcana generated it last time and as it is to be, and
//! planning every file of the resource from one to the other without losing an edit.
//!
//! The base of a three-way merge is the previous rendering: the resource's recorded fields and
//! proto numbers rendered again by the same templates, which is exactly what arcana wrote
//! (the hash recorded in `[files]` is the hash of that rendering, also after a merge, so a
//! merged file stays "edited" and is merged again next time).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context as _, Result};
use tera::Context;

use crate::cli::EvolveOptions;
use crate::commands::add;
use crate::error::UserError;
use crate::plan::{Change, Plan};
use crate::project::conflicts::{self, OnConflict, Report};
use crate::project::manifest::{Manifest, ResourceEntry};
use crate::project::merge::{self, Merged};
use crate::project::migrations;
use crate::render::{hoist, pyfmt, templates};
use crate::spec::features::Features;
use crate::spec::fields::Field;
use crate::spec::proto::ProtoNumbers;
use crate::spec::resource::{self, Names, Target};
use crate::spec::user;
use crate::{apply, ui};

/// A resource as `arcana.toml` records it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub names: Names,
    pub entry: ResourceEntry,
    pub fields: Vec<Field>,
    pub numbers: ProtoNumbers,
    /// The built-in user of auth: `fields` are the ones added to it.
    pub builtin: bool,
}

/// The project manifest, loaded under the project lock (none for a dry run).
pub struct Session {
    pub manifest: Manifest,
    pub on: OnConflict,
    pub interactive: bool,
    pub started: Instant,
    _lock: Option<apply::Locked>,
}

impl Session {
    pub fn open(options: &EvolveOptions) -> Result<Self> {
        let started = Instant::now();
        let start = match &options.path {
            Some(path) => path.clone(),
            None => std::env::current_dir().context("reading the current directory")?,
        };
        let manifest = Manifest::discover(&start)?;
        let lock = if options.dry_run {
            apply::note_interrupted(&manifest.root);
            None
        } else {
            Some(apply::lock_project(&manifest.root)?)
        };
        let manifest = Manifest::load(&manifest.root)?;
        let on = if options.force {
            OnConflict::Force
        } else if options.skip_existing {
            OnConflict::SkipExisting
        } else {
            OnConflict::Stop
        };
        Ok(Self {
            manifest,
            on,
            interactive: super::interactive(options.no_input),
            started,
            _lock: lock,
        })
    }
}

/// Asks for a resource name on a terminal, or explains the missing argument.
pub fn resource_arg(given: &Option<String>, session: &Session, usage: &str) -> Result<String> {
    if let Some(name) = given {
        return Ok(name.clone());
    }
    let known: Vec<String> = session
        .manifest
        .resources()
        .into_iter()
        .map(|r| r.name)
        .collect();
    if session.interactive && !known.is_empty() {
        let at = dialoguer::Select::new()
            .with_prompt("Resource")
            .items(&known)
            .default(0)
            .interact()
            .context("reading the resource")?;
        return Ok(known[at].clone());
    }
    Err(UserError::new("Missing the resource name")
        .hint(format!("Pass it first: `{usage}`"))
        .into())
}

/// Whether `raw` names the built-in user of a project with auth (in any case and number).
pub fn is_builtin_user(manifest: &Manifest, raw: &str) -> bool {
    Features::from_manifest(manifest).auth
        && crate::spec::inflect::singularize(&heck::ToSnakeCase::to_snake_case(raw.trim()))
            == user::NAME
}

/// The built-in user as recorded (or implied, for a project generated before the record).
fn find_user(manifest: &Manifest) -> Result<Recorded> {
    let entry = manifest.builtin_user().unwrap_or_else(user::implied_entry);
    let fields = resource::entry_fields(&entry);
    if fields.len() != entry.fields.len() {
        return Err(UserError::new(
            "`arcana.toml` records fields of `user` this arcana cannot read",
        )
        .hint("Use the arcana version that generated the project (see `arcana info`)")
        .into());
    }
    let numbers = user::numbers(&entry, &fields);
    Ok(Recorded {
        names: Names::from_snake(user::NAME),
        entry,
        fields,
        numbers,
        builtin: true,
    })
}

/// Finds `raw` among the resources of the manifest (the built-in user included).
pub fn find(manifest: &Manifest, raw: &str) -> Result<Recorded> {
    if is_builtin_user(manifest, raw) {
        return find_user(manifest);
    }
    let builtin_users = Features::from_manifest(manifest).auth;
    let (names, _) = resource::resource_names(raw, builtin_users)?;
    let resources = manifest.resources();
    let Some(entry) = resources.iter().find(|r| r.name == names.snake).cloned() else {
        let known: Vec<String> = resources.iter().map(|r| format!("`{}`", r.name)).collect();
        let hint = if known.is_empty() {
            "The project has no resources yet; add one with `arcana add resource NAME FIELD...`"
                .to_string()
        } else {
            format!("The resources are {} (see `arcana info`)", known.join(", "))
        };
        return Err(UserError::new(format!(
            "`{}` is not a resource of this project",
            names.snake
        ))
        .hint(hint)
        .into());
    };
    let names = Names::from_snake(&entry.name);
    let fields = resource::entry_fields(&entry);
    if fields.len() != entry.fields.len() {
        return Err(UserError::new(format!(
            "`arcana.toml` records fields of `{}` this arcana cannot read",
            entry.name
        ))
        .hint("Use the arcana version that generated the project (see `arcana info`)")
        .into());
    }
    let order: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let numbers = ProtoNumbers::from_recorded(&order, &entry.proto, &entry.reserved);
    Ok(Recorded {
        names,
        entry,
        fields,
        numbers,
        builtin: false,
    })
}

/// The fields with their reference targets resolved against the project's resources.
pub fn with_targets(
    manifest: &Manifest,
    names: &Names,
    fields: &[Field],
) -> Result<Vec<(Field, Option<Target>)>> {
    let existing = manifest.resources();
    let auth = Features::from_manifest(manifest).auth;
    fields
        .iter()
        .map(|f| {
            let target = resource::resolve_target(f, names, &existing, auth)?;
            Ok((f.clone(), target))
        })
        .collect()
}

/// Renders the resource's files (no migration) for `fields` and `numbers`; for the built-in
/// user, its files for the fields added to it.
pub fn render_files(
    manifest: &Manifest,
    names: &Names,
    fields: &[Field],
    numbers: &ProtoNumbers,
) -> Result<(Context, Vec<(String, String)>)> {
    if is_builtin_user(manifest, &names.snake) {
        let files = crate::render::user::render_for(manifest, fields, numbers)?;
        return Ok((Context::new(), files));
    }
    let with = with_targets(manifest, names, fields)?;
    let rendered = add::render(manifest, names, &with, numbers, None)?;
    Ok((rendered.context, rendered.files))
}

/// The manifest's new text with the resource recorded with the fields `specs` and `numbers`.
pub fn record(
    manifest: &Manifest,
    recorded: &Recorded,
    specs: &[String],
    numbers: &ProtoNumbers,
) -> String {
    if recorded.builtin {
        return manifest.with_builtin_user(
            specs,
            &user::recorded_numbers(numbers),
            &numbers.reserved,
        );
    }
    manifest.with_resource(
        &recorded.names.snake,
        &recorded.names.plural,
        specs,
        numbers,
    )
}

/// Files whose planned contents are recorded in `[files]`, and files to forget there.
#[derive(Debug, Default)]
pub struct Recording {
    pub hashes: Vec<(String, String)>,
    pub forget: Vec<String>,
}

/// A conflicting file and its hunks.
type Conflict = (String, Vec<String>);

fn read(root: &Path, path: &str) -> Result<Option<String>> {
    match fs::read(root.join(path)) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading `{path}`")),
    }
}

/// Plans every file of the resource from the `before` rendering to the `after` one: files the
/// user did not edit are replaced (or removed), edited ones merged three-way with `before` as
/// the base; conflicts are handled as `on` says, and stop the command by default, naming each
/// file with its hunks, before anything is written.
pub fn plan_files(
    plan: &mut Plan,
    manifest_text: &str,
    before: &[(String, String)],
    after: &[(String, String)],
    on: OnConflict,
    recording: &mut Recording,
) -> Result<Report> {
    let recorded = conflicts::recorded(manifest_text);
    let base: BTreeMap<&str, &str> = before
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let mut report = Report::default();
    let mut conflicting: Vec<Conflict> = Vec::new();
    let unedited = |path: &str, disk: &str| {
        recorded
            .get(path)
            .is_some_and(|h| *h == conflicts::hash(disk.as_bytes()))
            || base.get(path).is_some_and(|b| *b == disk)
    };
    for (path, contents) in after {
        let Some(disk) = read(&plan.root, path)? else {
            plan.changes.push(Change::Create {
                path: path.clone(),
                contents: contents.clone(),
            });
            recording.hashes.push((path.clone(), contents.clone()));
            continue;
        };
        if disk == *contents {
            recording.hashes.push((path.clone(), contents.clone()));
            continue;
        }
        let merged = if unedited(path, &disk) {
            Merged::Clean(contents.clone())
        } else {
            match base.get(path.as_str()) {
                Some(b) => merge::merge(b, &disk, contents),
                None => Merged::Conflict(Vec::new()),
            }
        };
        match (merged, on) {
            (Merged::Clean(text), _) => {
                if text != disk {
                    plan.changes.push(Change::Update {
                        path: path.clone(),
                        before: disk,
                        after: text,
                    });
                }
                recording.hashes.push((path.clone(), contents.clone()));
            }
            (Merged::Conflict(hunks), OnConflict::Stop) => conflicting.push((path.clone(), hunks)),
            (Merged::Conflict(_), OnConflict::Force) => {
                report.overwritten.push(path.clone());
                plan.changes.push(Change::Update {
                    path: path.clone(),
                    before: disk,
                    after: contents.clone(),
                });
                recording.hashes.push((path.clone(), contents.clone()));
            }
            (Merged::Conflict(_), OnConflict::SkipExisting) => report.skipped.push((
                path.clone(),
                "kept your version, which conflicts with arcana's (--skip-existing)".into(),
            )),
        }
    }
    for (path, _) in before {
        if after.iter().any(|(p, _)| p == path) {
            continue;
        }
        let Some(disk) = read(&plan.root, path)? else {
            recording.forget.push(path.clone());
            continue;
        };
        let edited = !unedited(path, &disk);
        match (edited, on) {
            (false, _) | (true, OnConflict::Force) => {
                if edited {
                    report.overwritten.push(path.clone());
                }
                plan.changes.push(Change::Delete {
                    path: path.clone(),
                    before: disk,
                });
                recording.forget.push(path.clone());
            }
            (true, OnConflict::Stop) => conflicting.push((path.clone(), Vec::new())),
            (true, OnConflict::SkipExisting) => report.skipped.push((
                path.clone(),
                "kept your edited file, which arcana no longer generates (--skip-existing)".into(),
            )),
        }
    }
    if conflicting.is_empty() {
        return Ok(report);
    }
    let mut message = format!(
        "{} file(s) you edited conflict with arcana's new version:",
        conflicting.len()
    );
    for (path, hunks) in &conflicting {
        message.push_str(&format!("\n  `{path}`"));
        if hunks.is_empty() {
            let what = if after.iter().any(|(p, _)| p == path) {
                "edited, and arcana has no earlier version to merge with"
            } else {
                "edited, and arcana would remove it"
            };
            message.push_str(&format!(" ({what})"));
        }
        for hunk in hunks {
            for line in hunk.lines() {
                message.push_str(&format!("\n      {line}"));
            }
        }
    }
    Err(UserError::new(message)
        .hint("Nothing was written. Re-run with `--force` to take arcana's version, or `--skip-existing` to keep yours")
        .into())
}

/// Renders a revision template of `templates/resource/revisions/` after the single head and
/// returns its path and text.
pub fn revision(
    root: &Path,
    template: &str,
    slug: &str,
    context: &mut Context,
) -> Result<(String, String)> {
    let revisions = migrations::read_revisions(root)?;
    let head = migrations::head(&revisions)?;
    let id = migrations::next_revision_id(&revisions, head, slug);
    let down = head.map(|h| h.id.as_str());
    context.insert("revision", &id);
    context.insert(
        "down_revision",
        &down
            .map(|d| serde_json::to_string(d).expect("strings serialize"))
            .unwrap_or_else(|| "None".into()),
    );
    context.insert("down_revision_text", down.unwrap_or(""));
    let path = format!("resource/revisions/{template}.py.tera");
    let text = hoist::render_str(&path, templates::source(&path)?, context)?;
    let text = pyfmt::wrap_long_lines(&pyfmt::organize_imports(&text));
    Ok((format!("{}/{id}_{slug}.py", migrations::VERSIONS_DIR), text))
}

/// Wraps prose for a docstring at 99 columns (ruff's limit is 100), words kept whole.
pub fn wrap(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            if !line.is_empty() && line.len() + 1 + word.len() > 99 {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines.join("\n")
}

/// A value as a docstring may show it: short, and nothing that could end or escape the string.
pub fn shown(value: &str) -> String {
    let safe = value.len() <= 40
        && !value.contains('\\')
        && !value.contains('"')
        && value.chars().all(|c| !c.is_control());
    if safe {
        format!("`{value}`")
    } else {
        "the value in `server_default` below".to_string()
    }
}

/// A slug naming `columns` of `table`, short enough for a file name.
pub fn slug(verb: &str, columns: &[String], link: &str, table: &str) -> String {
    let mut joined = columns.join("_");
    if joined.len() > 40 {
        joined = format!("{}_and_more", columns[0]);
    }
    format!("{verb}_{joined}_{link}_{table}")
}

/// The manifest change: the new text with the hashes recorded and forgotten.
pub fn manifest_change(manifest: &Manifest, text: String, recording: &Recording) -> Change {
    let text = conflicts::forget(&text, recording.forget.iter().map(String::as_str));
    let after = conflicts::record(
        &text,
        recording
            .hashes
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str())),
    );
    Change::Update {
        path: crate::project::manifest::FILE_NAME.to_string(),
        before: manifest.text.clone(),
        after,
    }
}

/// Prints the report, then the plan (dry run) or applies it; says so when nothing changes.
pub fn finish(
    session: &Session,
    options: &EvolveOptions,
    plan: Plan,
    report: &Report,
    done: &str,
    next: &[(&str, &str)],
) -> Result<()> {
    for (path, why) in &report.skipped {
        ui::skipped(path, why);
    }
    for path in &report.overwritten {
        ui::overwritten(path);
    }
    if options.dry_run {
        ui::print_plan(&plan, options.json);
        return Ok(());
    }
    let plan = Plan {
        force: options.force,
        ..plan
    };
    apply::apply(&plan)?;
    let created = plan.created().count();
    let changed = plan.updated().count();
    let removed = plan.deleted().count();
    let removed = if removed > 0 {
        format!(", {removed} removed")
    } else {
        String::new()
    };
    ui::print_success(&format!(
        "{done} ({created} files created, {changed} changed{removed}) in {}ms",
        session.started.elapsed().as_millis()
    ));
    ui::print_next_steps(next);
    Ok(())
}

/// Says that there is nothing to do (a JSON plan with nothing in it for `--json`).
pub fn unchanged(session: &Session, options: &EvolveOptions, message: &str) -> Result<()> {
    if options.json {
        ui::print_plan(&Plan::in_project(session.manifest.root.clone()), true);
    } else {
        ui::print_success(message);
    }
    Ok(())
}

/// The usual next steps after a migration was written.
pub fn next_steps(manifest: &Manifest) -> Vec<(&'static str, &'static str)> {
    let mut next = vec![("uv run alembic upgrade head", "apply the migration")];
    if Features::from_manifest(manifest).grpc {
        next.push(("make codegen", "compile the changed proto"));
    }
    next.push(("make test", "run the tests of every layer"));
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docstrings_wrap_and_show_only_safe_values() {
        let long = format!("Add {} to products.", ["a_long_column"; 12].join(", "));
        let wrapped = wrap(&long);
        assert!(wrapped.lines().count() > 1);
        assert!(wrapped.lines().all(|l| l.len() <= 99), "{wrapped}");
        assert_eq!(wrap("one\n\ntwo"), "one\n\ntwo");
        assert_eq!(shown("0"), "`0`");
        assert!(!shown("a\"\"\"b").contains('"'));
        assert!(!shown(&"x".repeat(80)).contains("xxx"));
    }

    #[test]
    fn slugs_stay_short() {
        let columns: Vec<String> = (0..10).map(|i| format!("column_{i}")).collect();
        assert_eq!(
            slug("add", &columns, "to", "products"),
            "add_column_0_and_more_to_products"
        );
        assert_eq!(
            slug("remove", &["weight".to_string()], "from", "products"),
            "remove_weight_from_products"
        );
    }
}
