//! `arcana info`: what `arcana.toml` says about the current project.

use anyhow::Result;
use console::style;

use crate::cli::InfoArgs;
use crate::project::manifest::Manifest;
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
    }
    out
}
