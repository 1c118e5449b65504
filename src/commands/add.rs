//! `arcana add resource`: add an entity through every layer of an existing project.
//!
//! Everything is decided before anything is written: the name and fields are validated, the
//! references resolved against `arcana.toml`, the migration chained after the single Alembic
//! head, every new file rendered and every registration injected in memory. Only then does
//! [`apply::apply`] write the plan, all or nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};
use heck::ToSnakeCase;
use tera::Context;
use toml_edit::DocumentMut;

use crate::cli::{AddArgs, AddCommand, AddResourceArgs};
use crate::error::UserError;
use crate::plan::{Change, Plan};
use crate::project::conflicts::{self, OnConflict, Report};
use crate::project::inject::{self, Injection};
use crate::project::manifest::{self, Manifest};
use crate::project::migrations;
use crate::render::types;
use crate::render::view::ResourceView;
use crate::render::{hoist, pyfmt, templates};
use crate::spec::features::Features;
use crate::spec::fields::{self, Field};
use crate::spec::proto::ProtoNumbers;
use crate::spec::resource::{self, Names, Target};
use crate::{apply, ui};

/// Template folder of the layers every stack shares.
pub const BASE_TEMPLATES: &str = "resource/base";

pub fn run(args: AddArgs) -> Result<()> {
    match args.what {
        AddCommand::Resource(args) => run_resource(args),
        AddCommand::Field(args) => super::add_field::run(args),
    }
}

/// The outcome of planning a resource.
#[derive(Debug)]
pub enum Outcome {
    /// The resource exists with the same fields: nothing to do.
    Unchanged { names: Names },
    /// The files to create and change, and what happened to files that already existed.
    Planned {
        names: Names,
        plan: Plan,
        report: Report,
    },
}

fn run_resource(args: AddResourceArgs) -> Result<()> {
    let started = Instant::now();
    let start = match &args.path {
        Some(path) => path.clone(),
        None => std::env::current_dir().context("reading the current directory")?,
    };
    let manifest = Manifest::discover(&start)?;
    let interactive = super::interactive(args.no_input);
    let raw_name = match &args.name {
        Some(name) => name.clone(),
        None if interactive => dialoguer::Input::<String>::new()
            .with_prompt("Resource name (singular, e.g. product)")
            .interact_text()
            .context("reading the resource name")?,
        None => {
            return Err(UserError::new("Missing the resource name")
                .hint("Pass it first: `arcana add resource product name:string price:decimal`")
                .into());
        }
    };
    if super::evolve::is_builtin_user(&manifest, &raw_name) {
        // The built-in user is extended field by field, exactly as `arcana add field user`.
        let fields = args.fields.clone();
        let extend = crate::cli::AddFieldArgs {
            resource: Some(raw_name),
            fields: args.fields,
            default: Vec::new(),
            options: crate::cli::EvolveOptions {
                path: args.path,
                dry_run: args.dry_run,
                json: args.json,
                no_input: args.no_input,
                force: args.force,
                skip_existing: args.skip_existing,
            },
        };
        return super::add_field::run(extend).map_err(|e| match e.downcast::<UserError>() {
            Ok(user) if user.hint.as_deref().is_some_and(|h| h.contains("--default")) => {
                let spec = fields
                    .iter()
                    .find(|f| user.message.contains(f.as_str()))
                    .cloned()
                    .unwrap_or_else(|| "NAME:TYPE".to_string());
                UserError::new(user.message)
                    .hint(format!(
                        "Add it with `arcana add field user {spec} --default VALUE` (the migration sets it for existing rows), or as `{spec}:optional`"
                    ))
                    .into()
            }
            Ok(user) => user.into(),
            Err(other) => other,
        });
    }
    let builtin_users = Features::from_manifest(&manifest).auth;
    let (names, note) = resource::resource_names(&raw_name, builtin_users)?;
    if let Some(note) = note {
        ui::note(&note);
    }
    let specs = if !args.fields.is_empty() {
        args.fields.clone()
    } else if interactive {
        prompt_fields(&names)?
    } else {
        return Err(UserError::new(format!(
            "Missing the fields of `{}` (FIELD arguments)",
            names.snake
        ))
        .hint(format!(
            "Pass them after the name, e.g. `arcana add resource {} name:string:80 price:decimal`; `arcana add resource --help` lists the types",
            names.snake
        ))
        .into());
    };
    let fields = fields::parse_fields(&specs)?;
    let on = if args.force {
        OnConflict::Force
    } else if args.skip_existing {
        OnConflict::SkipExisting
    } else {
        OnConflict::Stop
    };
    // Plan and apply under the project lock, from what is on disk once it is held.
    let _lock = if args.dry_run {
        apply::note_interrupted(&manifest.root);
        None
    } else {
        Some(apply::lock_project(&manifest.root)?)
    };
    let manifest = Manifest::load(&manifest.root)?;
    match plan(&manifest, names, fields, on)? {
        Outcome::Unchanged { .. } if args.json => {
            // `--json` prints one JSON document, here a plan with nothing in it.
            ui::print_plan(&Plan::in_project(manifest.root.clone()), true);
            Ok(())
        }
        Outcome::Unchanged { names } => {
            ui::print_success(&format!(
                "Resource `{}` already exists with these fields; nothing to change",
                names.snake
            ));
            Ok(())
        }
        Outcome::Planned {
            names,
            plan,
            report,
        } => {
            for (path, why) in &report.skipped {
                ui::skipped(path, why);
            }
            for path in &report.overwritten {
                ui::overwritten(path);
            }
            if args.dry_run {
                ui::print_plan(&plan, args.json);
                return Ok(());
            }
            let plan = Plan {
                force: args.force,
                ..plan
            };
            apply::apply(&plan)?;
            let created = plan.created().count();
            let changed = plan.updated().count();
            ui::print_success(&format!(
                "Added resource `{}` ({created} files created, {changed} changed) in {}ms",
                names.snake,
                started.elapsed().as_millis()
            ));
            let url = format!("REST: /api/v1/{}", names.kebab_plural);
            let grpc = Features::from_manifest(&manifest).grpc;
            let mut next: Vec<(&str, &str)> =
                vec![("uv run alembic upgrade head", "create the table")];
            if grpc {
                next.push(("make codegen", "compile the new proto"));
            }
            next.push(("make test", "run the tests of every layer"));
            next.push((
                &url,
                if grpc {
                    "gRPC: the Get/List/Create/Update/Delete service"
                } else {
                    "GET/POST on the collection, GET/PATCH/DELETE on /{id}"
                },
            ));
            ui::print_next_steps(&next);
            Ok(())
        }
    }
}

/// Asks for fields one at a time until an empty answer.
fn prompt_fields(names: &Names) -> Result<Vec<String>> {
    ui::prompt_help(&fields::syntax_help());
    let mut specs: Vec<String> = Vec::new();
    loop {
        let prompt = if specs.is_empty() {
            format!("Field of `{}` (NAME:TYPE)", names.snake)
        } else {
            "Another field (empty to finish)".to_string()
        };
        let spec: String = dialoguer::Input::new()
            .with_prompt(prompt)
            .allow_empty(!specs.is_empty())
            .validate_with(|input: &String| -> Result<(), String> {
                if input.trim().is_empty() {
                    return Ok(());
                }
                fields::parse_field(input)
                    .map(|_| ())
                    .map_err(|e| e.message)
            })
            .interact_text()
            .context("reading a field")?;
        if spec.trim().is_empty() {
            return Ok(specs);
        }
        specs.push(spec.trim().to_string());
    }
}

/// Plans the resource `names` with `fields` in the project of `manifest`; writes nothing.
///
/// A file the resource would create that already exists is left out when identical, replaced
/// when arcana generated it and it was not edited since (per the hashes in `arcana.toml`), and
/// otherwise handled as `on` says (by default the command stops and names the files).
pub fn plan(
    manifest: &Manifest,
    names: Names,
    fields: Vec<Field>,
    on: OnConflict,
) -> Result<Outcome> {
    let existing = manifest.resources();
    if let Some(entry) = existing.iter().find(|r| r.name == names.snake) {
        let mut wanted: Vec<String> = fields.iter().map(Field::to_string).collect();
        let mut recorded: Vec<String> = resource::entry_fields(entry)
            .iter()
            .map(Field::to_string)
            .collect();
        wanted.sort();
        recorded.sort();
        if wanted == recorded {
            return Ok(Outcome::Unchanged { names });
        }
        return Err(UserError::new(format!(
            "Resource `{}` already exists with other fields ({})",
            names.snake,
            entry.fields.join(" ")
        ))
        .hint(format!(
            "Grow it with `arcana add field {name} FIELD...`, shrink it with `arcana remove field {name} NAME...`, or choose another name",
            name = names.snake
        ))
        .into());
    }
    if let Some(entry) = existing
        .iter()
        .find(|r| Names::from_snake(&r.name).class == names.class)
    {
        return Err(UserError::new(format!(
            "Resource `{}` would have the class `{}` of the existing resource `{}`",
            names.snake, names.class, entry.name
        ))
        .hint("Choose a name that differs by more than underscores")
        .into());
    }
    if let Some(entry) = existing.iter().find(|r| r.plural == names.plural) {
        return Err(UserError::new(format!(
            "Resource `{}` already uses the table `{}`",
            entry.name, names.plural
        ))
        .hint("Choose another name")
        .into());
    }
    let stack = manifest.stack().to_string();
    let features = Features::from_manifest(manifest);
    if templates::source(&format!("resource/injections/{stack}.toml.tera")).is_err() {
        return Err(UserError::new(format!(
            "This arcana cannot add resources to a `{stack}` project"
        ))
        .hint("Use the arcana version that generated the project (see `arcana info`)")
        .into());
    }
    let mut with_targets = Vec::with_capacity(fields.len());
    for field in fields {
        let target = resource::resolve_target(&field, &names, &existing, features.auth)?;
        with_targets.push((field, target));
    }
    let root = manifest.root.clone();
    let project_snake = manifest.name().to_snake_case();
    let proto_dir = format!("protos/{project_snake}/v1");
    if features.grpc && !root.join(&proto_dir).is_dir() {
        return Err(UserError::new(format!(
            "`{proto_dir}` is missing from the project"
        ))
        .hint("Restore the protos directory generated by `arcana new` (the proto package is named after the project)")
        .into());
    }
    let order: Vec<&str> = with_targets.iter().map(|(f, _)| f.name.as_str()).collect();
    let numbers = ProtoNumbers::sequential(&order);

    let revisions = migrations::read_revisions(&root)?;
    let head = migrations::head(&revisions)?;
    let slug = format!("create_{}", names.plural);
    let dropped = format!("_drop_{}.py", names.plural);
    if !revisions.iter().any(|r| r.file.ends_with(&dropped)) {
        migrations::ensure_new_slug(&revisions, &slug, &names.snake)?;
    }
    let revision = migrations::next_revision_id(&revisions, head, &slug);
    let rendered_resource = render(
        manifest,
        &names,
        &with_targets,
        &numbers,
        Some((&revision, &slug, head.map(|h| h.id.as_str()))),
    )?;
    let view = rendered_resource.view;
    let context = rendered_resource.context;

    let mut plan = Plan::in_project(root.clone());
    let mut rendered: Vec<String> = Vec::new();
    for (path, contents) in rendered_resource.files {
        rendered.push(path.clone());
        plan.changes.push(Change::Create { path, contents });
    }

    let report = conflicts::check(&mut plan, &conflicts::recorded(&manifest.text), on)?;

    for (path, injections) in injections(&stack, &context)? {
        let before = read_registration_file(&root, &path)?;
        let injections: Vec<Injection> = injections
            .into_iter()
            .map(|i| fit_injection(&before, i))
            .collect();
        let after = inject::inject(&path, &before, &injections)?;
        if after != before {
            plan.changes.push(Change::Update {
                path,
                before,
                after,
            });
        }
    }

    let specs: Vec<String> = view.fields.iter().map(|f| f.spec.clone()).collect();
    let written: Vec<(&str, &str)> = plan
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Create { path, contents }
            | Change::Update {
                path,
                after: contents,
                ..
            } if rendered.contains(path) => Some((path.as_str(), contents.as_str())),
            _ => None,
        })
        .collect();
    let after = conflicts::record(
        &manifest.with_resource(&names.snake, &names.plural, &specs, &numbers),
        written,
    );
    plan.changes.push(Change::Update {
        path: manifest::FILE_NAME.to_string(),
        before: manifest.text.clone(),
        after,
    });
    Ok(Outcome::Planned {
        names,
        plan,
        report,
    })
}

/// A resource rendered through every layer.
pub struct Rendered {
    pub view: ResourceView,
    pub context: Context,
    /// Output path and contents of every file, formatted; the migration only when a revision
    /// was given.
    pub files: Vec<(String, String)>,
}

/// Renders the resource `names` with `fields` and their proto `numbers` in the project of
/// `manifest`: the same inputs give the same files, which is how later commands know what
/// arcana generated before. `revision` is `(id, slug, down_revision)` of its create-table
/// migration, which is left out without it.
pub fn render(
    manifest: &Manifest,
    names: &Names,
    fields: &[(Field, Option<Target>)],
    numbers: &ProtoNumbers,
    revision: Option<(&str, &str, Option<&str>)>,
) -> Result<Rendered> {
    let stack = manifest.stack().to_string();
    let features = Features::from_manifest(manifest);
    let project_snake = manifest.name().to_snake_case();
    let view = ResourceView::numbered(
        names,
        fields,
        &project_snake,
        &stack,
        features.to_value(),
        numbers,
    )?;
    view.check(&types::stack_table(&stack)?.reserved_fields)?;
    let (id, slug, down) = revision.unwrap_or(("", "", None));
    let migration = format!("{id}_{slug}");
    let view = view.with_revision(id, down);
    let context = Context::from_serialize(&view).context("building the template context")?;
    let vars = [
        ("__project_snake__", project_snake.as_str()),
        ("__resource_snake__", names.snake.as_str()),
        ("__migration__", migration.as_str()),
    ];
    let files = templates::render_layers(
        BASE_TEMPLATES,
        &format!("resource/{stack}"),
        &context,
        &vars,
    )?;
    let files = features.filter("resource", files, &vars)?;
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        // A template that renders to nothing has nothing to say for this resource (the
        // enumerations module of a resource without enum fields, for example).
        if file.contents.trim().is_empty() {
            continue;
        }
        if revision.is_none() && file.path.starts_with(migrations::VERSIONS_DIR) {
            continue;
        }
        let contents = if file.path.ends_with(".py") {
            pyfmt::wrap_long_lines(&pyfmt::organize_imports(&file.contents))
        } else {
            file.contents
        };
        out.push((file.path, contents));
    }
    Ok(Rendered {
        view,
        context,
        files: out,
    })
}

pub fn read_registration_file(root: &Path, path: &str) -> Result<String> {
    let full: PathBuf = root.join(path);
    match fs::read_to_string(&full) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(UserError::new(format!(
            "`{path}` is missing; `arcana add resource` registers the resource there"
        ))
        .hint("Restore the file generated by `arcana new` (with its `# arcana:` markers)")
        .into()),
        Err(e) => Err(e).with_context(|| format!("reading `{}`", full.display())),
    }
}

/// The injections of the base layers and the stack, grouped by file in declaration order.
pub fn injections(stack: &str, context: &Context) -> Result<Vec<(String, Vec<Injection>)>> {
    let mut grouped: BTreeMap<String, Vec<Injection>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for name in ["base", stack] {
        let path = format!("resource/injections/{name}.toml.tera");
        let text = hoist::render_str(&path, templates::source(&path)?, context)?;
        let doc: DocumentMut = text
            .parse()
            .with_context(|| format!("template `{path}` is not valid TOML"))?;
        let entries = doc
            .get("inject")
            .and_then(|i| i.as_array_of_tables())
            .with_context(|| format!("template `{path}` has no [[inject]] entries"))?;
        for entry in entries {
            let get = |key: &str| {
                entry
                    .get(key)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .with_context(|| format!("an [[inject]] entry of `{path}` has no `{key}`"))
            };
            let file = get("file")?;
            let injection = Injection::new(&get("point")?, &get("text")?);
            if !grouped.contains_key(&file) {
                order.push(file.clone());
            }
            grouped.entry(file).or_default().push(injection);
        }
    }
    Ok(order
        .into_iter()
        .map(|file| {
            let injections = grouped.remove(&file).unwrap_or_default();
            (file, injections)
        })
        .collect())
}

/// Lays out an injection's lines for the indentation of its marker in `text`, so that long
/// lines come out the way ruff formats them.
pub fn fit_injection(text: &str, injection: Injection) -> Injection {
    let marker = inject::marker(&injection.point);
    let indent = text
        .lines()
        .find(|l| l.trim() == marker)
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(0);
    let pad = " ".repeat(indent);
    let indented: Vec<String> = injection
        .lines
        .iter()
        .map(|l| {
            let line = format!("{pad}{l}");
            if line.trim_start().starts_with("from ") {
                pyfmt::organize_imports(&line)
            } else {
                line
            }
        })
        .collect();
    let fitted = pyfmt::wrap_long_lines(&indented.join("\n"));
    Injection {
        point: injection.point,
        lines: fitted
            .lines()
            .map(|l| l.strip_prefix(pad.as_str()).unwrap_or(l).to_string())
            .collect(),
    }
}
