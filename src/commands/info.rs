//! `arcana info`: what `arcana.toml` says about the current project.

use anyhow::Result;
use console::style;

use crate::cli::InfoArgs;
use crate::project::manifest::{Manifest, ResourceEntry};
use crate::ui;

pub fn run(args: InfoArgs) -> Result<()> {
    let start = match args.path {
        Some(path) => path,
        None => std::env::current_dir()?,
    };
    let manifest = Manifest::discover(&start)?;
    ui::print(&render(&manifest));
    Ok(())
}

/// The report, as plain text with optional colour.
pub fn render(manifest: &Manifest) -> String {
    let mut out = String::new();
    let label = |s: &str| style(format!("{s:<10}")).bold().to_string();
    out.push_str(&format!("{} {}\n", label("project"), manifest.name()));
    out.push_str(&format!("{} {}\n", label("path"), manifest.root.display()));
    out.push_str(&format!("{} {}\n", label("stack"), manifest.stack()));
    out.push_str(&format!(
        "{} {}\n",
        label("arcana"),
        manifest.arcana_version()
    ));
    let features: Vec<String> = manifest
        .features()
        .into_iter()
        .map(|(name, on)| format!("{name} ({})", if on { "on" } else { "off" }))
        .collect();
    out.push_str(&format!("{} {}\n", label("features"), features.join(", ")));
    if crate::spec::features::Features::from_manifest(manifest).auth {
        let user = manifest
            .builtin_user()
            .unwrap_or_else(crate::spec::user::implied_entry);
        let facts = crate::spec::user::facts();
        out.push_str(&format!(
            "{} {} ({}), built in; `arcana add field user NAME:TYPE` adds fields\n",
            label("user"),
            style("user").cyan(),
            user.plural
        ));
        for field in &facts.builtin {
            let name = field.split(':').next().unwrap_or(field);
            let shown = if facts.internal.iter().any(|i| i == name) {
                "internal, not exposed".to_string()
            } else {
                match facts.proto.get(name) {
                    Some(number) => format!("proto {number}"),
                    None => String::new(),
                }
            };
            out.push_str(&format!("    {field:<36} {shown}\n"));
        }
        push_fields(&mut out, &user);
    }
    let resources = manifest.resources();
    if resources.is_empty() {
        out.push_str(&format!(
            "{} none yet (add one with `arcana add resource NAME FIELD:TYPE ...`)\n",
            label("resources")
        ));
    } else {
        out.push_str(&format!("{}\n", label("resources")));
        for resource in resources {
            out.push_str(&format!(
                "  {} ({})\n",
                style(&resource.name).cyan(),
                resource.plural
            ));
            push_fields(&mut out, &resource);
        }
    }
    out
}

/// The recorded fields of a resource with their proto numbers, and the removed ones.
fn push_fields(out: &mut String, resource: &ResourceEntry) {
    for field in &resource.fields {
        let name = field.split(':').next().unwrap_or(field);
        match resource.proto.get(name) {
            Some(number) => out.push_str(&format!("    {field:<36} proto {number}\n")),
            None => out.push_str(&format!("    {field}\n")),
        }
    }
    if !resource.reserved.is_empty() {
        let removed: Vec<String> = resource
            .reserved
            .iter()
            .map(|(name, number)| format!("{name} = {number}"))
            .collect();
        out.push_str(&format!(
            "    removed, reserved in the proto: {}\n",
            removed.join(", ")
        ));
    }
}
