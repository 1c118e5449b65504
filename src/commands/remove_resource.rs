//! `arcana remove resource NAME`: take a resource out of every layer.
//!
//! Refused while another resource references it. Otherwise: a revision after the single head
//! drops the table (its downgrade recreates it), every file `add resource` generated for it is
//! removed (an edited one only with `--force`; `--skip-existing` keeps it and says so), every
//! line it injected at a marker is taken out again, and its entry leaves `arcana.toml`.

use anyhow::Result;
use heck::ToSnakeCase;

use crate::cli::RemoveResourceArgs;
use crate::commands::add;
use crate::error::UserError;
use crate::plan::{Change, Plan};
use crate::project::conflicts::{OnConflict, Report};
use crate::project::inject::{self, Injection};
use crate::project::manifest::{Manifest, ResourceEntry};
use crate::render::view::ResourceView;
use crate::spec::features::Features;
use crate::spec::inflect;
use crate::spec::resource;

use super::evolve::{self, Recording, Session};

pub fn run(args: RemoveResourceArgs) -> Result<()> {
    let session = Session::open(&args.options)?;
    let raw = evolve::resource_arg(&args.name, &session, "arcana remove resource coupon")?;
    if session.interactive && !args.options.dry_run {
        let sure = dialoguer::Confirm::new()
            .with_prompt(format!(
                "Remove `{raw}`: its table (in a migration), files and registrations?"
            ))
            .default(false)
            .interact()?;
        if !sure {
            return Err(UserError::new("Not removed")
                .hint("Nothing was written; `--dry-run` shows what would change")
                .into());
        }
    }
    match plan(&session.manifest, &raw, session.on)? {
        Outcome::Unchanged(message) => evolve::unchanged(&session, &args.options, &message),
        Outcome::Planned {
            plan,
            report,
            summary,
        } => {
            let mut next = vec![("uv run alembic upgrade head", "drop the table")];
            next.push(("make test", "run the tests of every layer"));
            evolve::finish(&session, &args.options, plan, &report, &summary, &next)
        }
    }
}

/// What `remove resource` will do.
#[derive(Debug)]
pub enum Outcome {
    Unchanged(String),
    Planned {
        plan: Plan,
        report: Report,
        summary: String,
    },
}

/// The resources referencing `name`, directly or through each other, in the order they can be
/// removed (each before the ones it references).
pub fn dependents(resources: &[ResourceEntry], name: &str) -> Vec<String> {
    let references = |entry: &ResourceEntry, target: &str| {
        resource::entry_fields(entry).iter().any(|f| {
            f.target()
                .is_some_and(|t| inflect::singularize(&t.to_snake_case()) == target)
        })
    };
    // Everything that depends on `name`, transitively.
    let mut found: Vec<String> = Vec::new();
    let mut queue = vec![name.to_string()];
    while let Some(current) = queue.pop() {
        for entry in resources {
            if entry.name != name
                && entry.name != current
                && !found.contains(&entry.name)
                && references(entry, &current)
            {
                found.push(entry.name.clone());
                queue.push(entry.name.clone());
            }
        }
    }
    // Removal order: a resource no remaining one references goes first.
    let mut order = Vec::new();
    let mut left = found;
    while !left.is_empty() {
        let at = left
            .iter()
            .position(|candidate| {
                !left.iter().any(|other| {
                    other != candidate
                        && resources
                            .iter()
                            .find(|e| e.name == *other)
                            .is_some_and(|e| references(e, candidate))
                })
            })
            .unwrap_or(0);
        order.push(left.remove(at));
    }
    order
}

/// Plans removing the resource `raw`; writes nothing.
pub fn plan(manifest: &Manifest, raw: &str, on: OnConflict) -> Result<Outcome> {
    if evolve::is_builtin_user(manifest, raw) {
        return Err(UserError::new(
            "`user` is built in: the auth module needs it, so it cannot be removed",
        )
        .hint("Remove the fields you added to it with `arcana remove field user NAME...`")
        .into());
    }
    let builtin_users = Features::from_manifest(manifest).auth;
    let (names, _) = resource::resource_names(raw, builtin_users)?;
    let resources = manifest.resources();
    if !resources.iter().any(|r| r.name == names.snake) {
        let dropped = format!("_drop_{}.py", names.plural);
        let revisions = crate::project::migrations::read_revisions(&manifest.root)?;
        if revisions.iter().any(|r| r.file.ends_with(&dropped)) {
            return Ok(Outcome::Unchanged(format!(
                "`{}` was already removed; nothing to change",
                names.snake
            )));
        }
    }
    let recorded = evolve::find(manifest, raw)?;
    let names = &recorded.names;
    let order = dependents(&resources, &names.snake);
    if !order.is_empty() {
        let quoted: Vec<String> = order.iter().map(|n| format!("`{n}`")).collect();
        let commands: Vec<String> = order
            .iter()
            .chain(std::iter::once(&names.snake))
            .map(|n| format!("`arcana remove resource {n}`"))
            .collect();
        return Err(UserError::new(format!(
            "`{}` is referenced by {}",
            names.snake,
            quoted.join(", ")
        ))
        .hint(format!(
            "Nothing was written. Remove the references first (`arcana remove field RESOURCE FIELD`), or the resources in this order: {}",
            commands.join(", then ")
        ))
        .into());
    }

    let (context, before) =
        evolve::render_files(manifest, names, &recorded.fields, &recorded.numbers)?;
    let mut plan = Plan::in_project(manifest.root.clone());
    let mut recording = Recording::default();

    let with = evolve::with_targets(manifest, names, &recorded.fields)?;
    let view = ResourceView::numbered(
        names,
        &with,
        &manifest.name().to_snake_case(),
        manifest.stack(),
        Features::from_manifest(manifest).to_value(),
        &recorded.numbers,
    )?;
    let mut revision_context = tera::Context::from_serialize(&view)?;
    let slug = format!("drop_{}", names.plural);
    let (migration, text) =
        evolve::revision(&manifest.root, "drop_table", &slug, &mut revision_context)?;
    plan.changes.push(Change::Create {
        path: migration.clone(),
        contents: text.clone(),
    });
    recording.hashes.push((migration, text));

    let report = evolve::plan_files(&mut plan, &manifest.text, &before, &[], on, &mut recording)?;

    for (path, injections) in add::injections(manifest.stack(), &context)? {
        let before = add::read_registration_file(&manifest.root, &path)?;
        let injections: Vec<Injection> = injections
            .into_iter()
            .map(|i| add::fit_injection(&before, i))
            .collect();
        let after = inject::remove(&path, &before, &injections)?;
        if after != before {
            plan.changes.push(Change::Update {
                path,
                before,
                after,
            });
        }
    }

    let text = manifest.without_resource(&names.snake);
    plan.changes
        .push(evolve::manifest_change(manifest, text, &recording));
    Ok(Outcome::Planned {
        plan,
        report,
        summary: format!("Removed resource `{}`", names.snake),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn entry(name: &str, fields: &[&str]) -> ResourceEntry {
        ResourceEntry {
            name: name.into(),
            plural: inflect::pluralize(name),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            proto: BTreeMap::new(),
            reserved: BTreeMap::new(),
        }
    }

    #[test]
    fn dependents_come_in_removal_order() {
        let resources = vec![
            entry("customer", &["name:string"]),
            entry("order", &["customer:ref", "total:decimal"]),
            entry("order_line", &["order:ref", "note:text"]),
            entry("tag", &["name:string"]),
        ];
        assert_eq!(
            dependents(&resources, "customer"),
            vec!["order_line".to_string(), "order".to_string()]
        );
        assert!(dependents(&resources, "tag").is_empty());
        assert_eq!(
            dependents(&resources, "order"),
            vec!["order_line".to_string()]
        );
    }
}
