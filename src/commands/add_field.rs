//! `arcana add field RESOURCE FIELD...`: grow an existing resource.
//!
//! Planned in memory like `add resource`: the new fields are validated against the resource's
//! recorded ones (and the names its removed fields reserved), required fields get `--default`
//! values checked against their type, the proto numbers are extended (never renumbered), a
//! revision after the single head adds the columns, and every generated file of the resource
//! is rendered again and merged into the user's edits ([`super::evolve::plan_files`]).

use anyhow::Result;
use tera::Context;

use crate::cli::AddFieldArgs;
use crate::error::UserError;
use crate::plan::Plan;
use crate::project::conflicts::Report;
use crate::project::manifest::Manifest;
use crate::render::view::ResourceView;
use crate::spec::defaults;
use crate::spec::features::Features;
use crate::spec::fields::{self, Field};
use crate::spec::user;
use heck::ToSnakeCase;

use super::evolve::{self, Recording, Session};

pub fn run(args: AddFieldArgs) -> Result<()> {
    let session = Session::open(&args.options)?;
    let raw = evolve::resource_arg(
        &args.resource,
        &session,
        "arcana add field product weight:decimal:optional",
    )?;
    let specs = if !args.fields.is_empty() {
        args.fields.clone()
    } else if session.interactive {
        vec![
            dialoguer::Input::<String>::new()
                .with_prompt("Field (NAME:TYPE[:ARG][:MODIFIER...])")
                .validate_with(|input: &String| -> Result<(), String> {
                    fields::parse_field(input)
                        .map(|_| ())
                        .map_err(|e| e.message)
                })
                .interact_text()?,
        ]
    } else {
        return Err(UserError::new("Missing the fields to add (FIELD arguments)")
            .hint(format!(
                "Pass them after the resource, e.g. `arcana add field {raw} weight:decimal:optional`"
            ))
            .into());
    };
    let wanted = fields::parse_fields(&specs)?;
    match plan(&session.manifest, &raw, wanted, &args.default, session.on)? {
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

/// What `add field` will do.
#[derive(Debug)]
pub enum Outcome {
    /// Every field is already there as given.
    Unchanged(String),
    Planned {
        plan: Plan,
        report: Report,
        summary: String,
    },
}

/// Splits `--default` arguments over the required fields being added.
fn defaults_for(
    required: &[&Field],
    given: &[String],
    resource: &str,
) -> Result<Vec<(String, String)>, UserError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for arg in given {
        let named = arg
            .split_once('=')
            .filter(|(name, _)| required.iter().any(|f| f.name == *name));
        let (name, value) = match named {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None if required.len() == 1 => (required[0].name.clone(), arg.clone()),
            None if required.is_empty() => {
                return Err(UserError::new(format!(
                    "`--default {arg}` has no required field to apply to"
                ))
                .hint(
                    "Defaults are for required fields added to a table with rows; drop `--default`",
                ));
            }
            None => {
                let names: Vec<&str> = required.iter().map(|f| f.name.as_str()).collect();
                return Err(UserError::new(format!(
                    "`--default {arg}` does not say which of the required fields {} it is for",
                    names.join(", ")
                ))
                .hint(format!("Write it as `--default {}={arg}`", names[0])));
            }
        };
        if out.iter().any(|(n, _)| *n == name) {
            return Err(
                UserError::new(format!("`--default` is given twice for `{name}`"))
                    .hint("Give one value per field"),
            );
        }
        out.push((name, value));
    }
    for field in required {
        if !out.iter().any(|(n, _)| *n == field.name) {
            return Err(UserError::new(format!(
                "`{field}` is required, and the rows `{resource}` already holds need a value for it"
            ))
            .hint(format!(
                "Give one with `--default {}=VALUE` (the migration sets it for existing rows), or add the field as `{field}:optional`",
                field.name
            )));
        }
    }
    Ok(out)
}

/// Plans adding `wanted` to the resource `raw`; writes nothing.
pub fn plan(
    manifest: &Manifest,
    raw: &str,
    wanted: Vec<Field>,
    given_defaults: &[String],
    on: crate::project::conflicts::OnConflict,
) -> Result<Outcome> {
    let recorded = evolve::find(manifest, raw)?;
    let names = &recorded.names;
    let mut adding: Vec<Field> = Vec::new();
    for field in wanted {
        let field = if recorded.builtin {
            match user::check(field)? {
                user::Given::Builtin => continue,
                user::Given::New(field) => field,
            }
        } else {
            field
        };
        if let Some(old) = recorded.fields.iter().find(|f| f.name == field.name) {
            if *old == field {
                continue;
            }
            return Err(UserError::new(format!(
                "`{}` already has the field `{old}`",
                names.snake
            ))
            .hint(format!(
                "arcana does not change a field's type or modifiers; remove it first (`arcana remove field {} {}`) and add one with another name",
                names.snake, old.name
            ))
            .into());
        }
        let column = field.column();
        if recorded.numbers.reserved.contains_key(&column) {
            return Err(UserError::new(format!(
                "`{column}` was a field of `{}` and was removed: its name stays reserved in the proto so old clients never misread it",
                names.snake
            ))
            .hint("Choose another name for the new field")
            .into());
        }
        if let Some(clash) = recorded
            .fields
            .iter()
            .chain(adding.iter())
            .find(|f| f.column() == column)
        {
            return Err(UserError::new(format!(
                "`{field}` would use the column `{column}`, which `{clash}` already uses"
            ))
            .hint("Choose another name")
            .into());
        }
        adding.push(field);
    }
    if adding.is_empty() {
        let what = if recorded.builtin {
            "`user` is built in and already has these fields; nothing to change".to_string()
        } else {
            format!(
                "`{}` already has these fields; nothing to change",
                names.snake
            )
        };
        return Ok(Outcome::Unchanged(what));
    }
    let required: Vec<&Field> = adding.iter().filter(|f| !f.optional).collect();
    let defaults = defaults_for(&required, given_defaults, &names.snake)?;
    let mut server_defaults: Vec<(String, String)> = Vec::new();
    for (name, value) in &defaults {
        let field = adding
            .iter()
            .find(|f| f.name == *name)
            .expect("defaults name added fields");
        server_defaults.push((field.column(), defaults::server_default(field, value)?));
    }

    let mut after_fields = recorded.fields.clone();
    after_fields.extend(adding.iter().cloned());
    let added_names: Vec<&str> = adding.iter().map(|f| f.name.as_str()).collect();
    let numbers = recorded.numbers.with_added(&added_names);

    let (_, before) = evolve::render_files(manifest, names, &recorded.fields, &recorded.numbers)?;
    let (_, after) = evolve::render_files(manifest, names, &after_fields, &numbers)?;

    // The revision's view holds only the added fields.
    let with = evolve::with_targets(manifest, names, &adding)?;
    let view = ResourceView::numbered(
        names,
        &with,
        &manifest.name().to_snake_case(),
        manifest.stack(),
        Features::from_manifest(manifest).to_value(),
        &numbers,
    )?;
    let mut value = serde_json::to_value(&view)?;
    if let Some(list) = value.get_mut("fields").and_then(|v| v.as_array_mut()) {
        for f in list {
            let column = f["column"].as_str().unwrap_or_default().to_string();
            if let Some((_, expr)) = server_defaults.iter().find(|(c, _)| *c == column) {
                f["server_default"] = serde_json::Value::String(expr.clone());
            }
        }
    }
    let columns: Vec<String> = adding.iter().map(Field::column).collect();
    let mut context = Context::from_value(value)?;
    let mut summary = format!("Add {} to {}.", columns.join(", "), names.plural);
    if !defaults.is_empty() {
        let shown: Vec<String> = defaults
            .iter()
            .map(|(name, value)| format!("{name} = {}", evolve::shown(value)))
            .collect();
        summary.push_str(&format!(
            "\n\nThe rows already in the table get {} (a server default during this migration only).",
            shown.join(", ")
        ));
    }
    context.insert("summary", &evolve::wrap(&summary));
    context.insert("has_defaults", &!defaults.is_empty());
    let slug = evolve::slug("add", &columns, "to", &names.plural);
    let (migration, text) = evolve::revision(&manifest.root, "add_fields", &slug, &mut context)?;

    let mut plan = Plan::in_project(manifest.root.clone());
    let mut recording = Recording::default();
    plan.changes.push(crate::plan::Change::Create {
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
    let shown: Vec<String> = adding.iter().map(|f| format!("`{f}`")).collect();
    let summary = if recorded.builtin {
        format!("`user` is built in; added {}", shown.join(", "))
    } else {
        format!("Added {} to `{}`", shown.join(", "), names.snake)
    };
    Ok(Outcome::Planned {
        plan,
        report,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::fields::parse_field;

    #[test]
    fn defaults_go_to_the_required_fields() {
        let stock = parse_field("stock:int").unwrap();
        let active = parse_field("active:bool").unwrap();
        let one = defaults_for(&[&stock], &["0".into()], "product").unwrap();
        assert_eq!(one, vec![("stock".to_string(), "0".to_string())]);
        let two = defaults_for(
            &[&stock, &active],
            &["active=true".into(), "stock=5".into()],
            "product",
        )
        .unwrap();
        assert_eq!(two.len(), 2);
        let err = defaults_for(&[&stock, &active], &["5".into()], "product").unwrap_err();
        assert!(err.hint.unwrap().contains("--default stock=5"));
        let err = defaults_for(&[&stock], &[], "product").unwrap_err();
        assert!(err.hint.unwrap().contains(":optional"));
        assert!(defaults_for(&[], &["x".into()], "product").is_err());
    }
}
