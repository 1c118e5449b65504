//! `arcana remove field RESOURCE NAME...`: shrink a resource.
//!
//! A revision after the single head drops the columns (its downgrade adds them back, nullable,
//! as their values are gone); the proto keeps the removed numbers and names `reserved`; every
//! generated file of the resource is rendered again and merged into the user's edits.

use anyhow::Result;
use heck::ToSnakeCase;
use tera::Context;

use crate::cli::RemoveFieldArgs;
use crate::error::UserError;
use crate::plan::{Change, Plan};
use crate::project::conflicts::{OnConflict, Report};
use crate::project::manifest::Manifest;
use crate::render::view::ResourceView;
use crate::spec::features::Features;
use crate::spec::fields::Field;

use crate::spec::user;

use super::evolve::{self, Recording, Session};

pub fn run(args: RemoveFieldArgs) -> Result<()> {
    let session = Session::open(&args.options)?;
    let raw = evolve::resource_arg(
        &args.resource,
        &session,
        "arcana remove field product weight",
    )?;
    let names = if !args.names.is_empty() {
        args.names.clone()
    } else if session.interactive {
        let recorded = evolve::find(&session.manifest, &raw)?;
        let items: Vec<String> = recorded.fields.iter().map(Field::to_string).collect();
        let chosen = dialoguer::MultiSelect::new()
            .with_prompt("Fields to remove (space to select, enter to confirm)")
            .items(&items)
            .interact()?;
        chosen
            .into_iter()
            .map(|i| recorded.fields[i].name.clone())
            .collect()
    } else {
        return Err(UserError::new("Missing the names of the fields to remove")
            .hint(format!(
                "Pass them after the resource, e.g. `arcana remove field {raw} weight`"
            ))
            .into());
    };
    match plan(&session.manifest, &raw, &names, session.on)? {
        Outcome::Unchanged(message) => evolve::unchanged(&session, &args.options, &message),
        Outcome::Planned {
            plan,
            report,
            summary,
        } => {
            let next = evolve::next_steps(&session.manifest);
            evolve::finish(&session, &args.options, plan, &report, &summary, &next)
        }
    }
}

/// What `remove field` will do.
#[derive(Debug)]
pub enum Outcome {
    /// Every field named was removed before.
    Unchanged(String),
    Planned {
        plan: Plan,
        report: Report,
        summary: String,
    },
}

/// Plans removing the fields `names` from the resource `raw`; writes nothing.
pub fn plan(manifest: &Manifest, raw: &str, names: &[String], on: OnConflict) -> Result<Outcome> {
    let recorded = evolve::find(manifest, raw)?;
    let resource = &recorded.names;
    let mut removing: Vec<Field> = Vec::new();
    let mut already: Vec<String> = Vec::new();
    for given in names {
        let name = given.trim().to_snake_case();
        if let Some(field) = recorded
            .fields
            .iter()
            .find(|f| f.name == name || f.column() == name)
        {
            if !removing.contains(field) {
                removing.push(field.clone());
            }
            continue;
        }
        if recorded.builtin
            && user::facts()
                .builtin
                .iter()
                .any(|spec| spec.split(':').next() == Some(name.as_str()))
        {
            return Err(UserError::new(format!(
                "`{name}` is a built-in field of `user`, which the auth module needs"
            ))
            .hint(
                "Only fields added with `arcana add field user` can be removed (see `arcana info`)",
            )
            .into());
        }
        let column_id = format!("{name}_id");
        if recorded.numbers.reserved.contains_key(&name)
            || recorded.numbers.reserved.contains_key(&column_id)
        {
            already.push(name);
            continue;
        }
        let known: Vec<String> = recorded
            .fields
            .iter()
            .map(|f| format!("`{}`", f.name))
            .collect();
        let hint = if known.is_empty() {
            "No field was added to it yet; only added fields can be removed (see `arcana info`)"
                .to_string()
        } else {
            format!("Its fields are {} (see `arcana info`)", known.join(", "))
        };
        return Err(
            UserError::new(format!("`{}` has no field `{name}`", resource.snake))
                .hint(hint)
                .into(),
        );
    }
    if removing.is_empty() {
        let list: Vec<String> = already.iter().map(|n| format!("`{n}`")).collect();
        return Ok(Outcome::Unchanged(format!(
            "{} already removed from `{}`; nothing to change",
            list.join(", "),
            resource.snake
        )));
    }
    let after_fields: Vec<Field> = recorded
        .fields
        .iter()
        .filter(|f| !removing.contains(f))
        .cloned()
        .collect();
    if after_fields.is_empty() && !recorded.builtin {
        return Err(UserError::new(format!(
            "`{}` would have no fields left",
            resource.snake
        ))
        .hint(format!(
            "Add the new field first (`arcana add field {} NAME:TYPE`), or remove the whole resource with `arcana remove resource {}`",
            resource.snake, resource.snake
        ))
        .into());
    }
    let mut numbers = recorded.numbers.clone();
    for f in &removing {
        numbers = numbers.without(&f.name, &f.column());
    }

    let (_, before) =
        evolve::render_files(manifest, resource, &recorded.fields, &recorded.numbers)?;
    let (_, after) = evolve::render_files(manifest, resource, &after_fields, &numbers)?;

    let with = evolve::with_targets(manifest, resource, &removing)?;
    let view = ResourceView::numbered(
        resource,
        &with,
        &manifest.name().to_snake_case(),
        manifest.stack(),
        Features::from_manifest(manifest).to_value(),
        &recorded.numbers,
    )?;
    let mut context = Context::from_serialize(&view)?;
    let columns: Vec<String> = removing.iter().map(Field::column).collect();
    let required: Vec<String> = removing
        .iter()
        .filter(|f| !f.optional)
        .map(|f| format!("`{}`", f.column()))
        .collect();
    let mut summary = format!(
        "Remove {} from {}.\n\nDowngrade adds the columns back without their values",
        columns.join(", "),
        resource.plural
    );
    if required.is_empty() {
        summary.push('.');
    } else {
        summary.push_str(&format!(
            "; required ones come back nullable, as their values cannot be restored: {}.",
            required.join(", ")
        ));
    }
    context.insert("summary", &evolve::wrap(&summary));
    let slug = evolve::slug("remove", &columns, "from", &resource.plural);
    let (migration, text) = evolve::revision(&manifest.root, "remove_fields", &slug, &mut context)?;

    let mut plan = Plan::in_project(manifest.root.clone());
    let mut recording = Recording::default();
    plan.changes.push(Change::Create {
        path: migration.clone(),
        contents: text.clone(),
    });
    recording.hashes.push((migration, text));
    let report = evolve::plan_files(
        &mut plan,
        &manifest.text,
        &before,
        &after,
        on,
        &mut recording,
    )?;
    let specs: Vec<String> = after_fields.iter().map(Field::to_string).collect();
    let text = evolve::record(manifest, &recorded, &specs, &numbers);
    plan.changes
        .push(evolve::manifest_change(manifest, text, &recording));
    let shown: Vec<String> = removing.iter().map(|f| format!("`{}`", f.name)).collect();
    Ok(Outcome::Planned {
        plan,
        report,
        summary: if recorded.builtin {
            format!("`user` is built in; removed {}", shown.join(", "))
        } else {
            format!("Removed {} from `{}`", shown.join(", "), resource.snake)
        },
    })
}
