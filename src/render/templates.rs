//! The templates embedded in the binary and how they turn into files.
//!
//! Templates live in `templates/` and are compiled into the binary with `include_dir`, so
//! generation needs neither the network nor Python. A file whose name ends in `.tera` is rendered
//! with Tera and loses the suffix; every other file is copied byte for byte (most of a project is
//! plain Python that needs no variables, and copying it keeps generation fast). Path segments are
//! translated too: `dot-gitignore` becomes `.gitignore` (so the templates do not act on this
//! repository), and `__project_snake__` becomes the project's snake-case name.
//!
//! Rendering goes through [`crate::render::hoist`], which decides variables, conditions and loops itself
//! and leaves only what it cannot decide to Tera's (slow) parser; the output is Tera's.

use anyhow::{Context as _, Result, anyhow};
use include_dir::{Dir, include_dir};
use tera::{Context, Tera};

use crate::render::hoist;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The suffix of files rendered with Tera (all others are copied as they are).
pub const TERA_SUFFIX: &str = ".tera";

/// One rendered file, with its path relative to the project root (always `/`-separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub contents: String,
}

/// Values substituted into path segments, such as `("__project_snake__", "order_service")`.
pub type PathVars<'a> = [(&'a str, &'a str)];

/// Renders every template below `root` (a folder of `templates/`), sorted by output path.
pub fn render_tree(
    root: &str,
    context: &Context,
    path_vars: &PathVars<'_>,
) -> Result<Vec<RenderedFile>> {
    let sources = files_under(root)?;
    let value = context.clone().into_json();
    let mut chunks: Vec<String> = Vec::new();
    let mut done: Vec<(&str, String)> = Vec::new();
    let mut left: Vec<(&str, String)> = Vec::new();
    for (path, body) in &sources {
        if !path.ends_with(TERA_SUFFIX) {
            done.push((path, body.to_string()));
            continue;
        }
        match hoist::prerender(body, &value, &mut chunks) {
            Ok(text) => done.push((path, text)),
            Err(template) => left.push((path, template)),
        }
    }
    if !left.is_empty() {
        let mut tera = Tera::default();
        tera.add_raw_templates(left.iter().map(|(p, t)| (*p, t.as_str())))
            .with_context(|| format!("templates in `{root}` do not parse"))?;
        let mut context = context.clone();
        context.insert(hoist::STATIC_VAR, &chunks);
        for (path, _) in &left {
            let text = tera
                .render(path, &context)
                .with_context(|| format!("rendering template `{path}`"))?;
            done.push((path, text));
        }
    }
    let mut files: Vec<RenderedFile> = done
        .into_iter()
        .map(|(source, contents)| {
            let relative = source
                .strip_prefix(root)
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(source);
            RenderedFile {
                path: output_path(relative, path_vars),
                contents,
            }
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Renders a shared layer and the stack's layer on top of it (e.g. `project/base` and
/// `project/flask`), sorted by output path. A path produced by both is a template bug.
pub fn render_layers(
    base: &str,
    stack: &str,
    context: &Context,
    path_vars: &PathVars<'_>,
) -> Result<Vec<RenderedFile>> {
    let mut files = render_tree(base, context, path_vars)?;
    for file in render_tree(stack, context, path_vars)? {
        if files.iter().any(|f| f.path == file.path) {
            anyhow::bail!(
                "template `{}` exists in both `{base}` and `{stack}`",
                file.path
            );
        }
        files.push(file);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The names of the stacks embedded in this build: the folders of `templates/stacks/` that hold
/// a `stack.toml`, sorted.
pub fn stack_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = TEMPLATES
        .get_dir("stacks")
        .map(|dir| {
            dir.dirs()
                .filter(|d| d.get_file(d.path().join("stack.toml")).is_some())
                .filter_map(|d| d.path().file_name().and_then(|n| n.to_str()))
                .collect()
        })
        .unwrap_or_default();
    names.sort_unstable();
    names
}

/// The text of one embedded template.
pub fn source(path: &str) -> Result<&'static str> {
    TEMPLATES
        .get_file(path)
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| anyhow!("template `{path}` is not embedded in this build"))
}

/// Every embedded file below `root` as `(path, text)`, paths relative to `templates/`.
pub fn files_under(root: &str) -> Result<Vec<(&'static str, &'static str)>> {
    let dir = TEMPLATES
        .get_dir(root)
        .ok_or_else(|| anyhow!("template folder `{root}` is not embedded in this build"))?;
    let mut files = Vec::new();
    collect(dir, &mut files);
    Ok(files)
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(&'static str, &'static str)>) {
    for file in dir.files() {
        let path = file.path().to_str().expect("template paths are UTF-8");
        let body = file.contents_utf8().expect("templates are UTF-8 text");
        out.push((path, body));
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

/// Maps a template path to the path of the file it produces.
pub fn output_path(relative: &str, path_vars: &PathVars<'_>) -> String {
    relative
        .split('/')
        .map(|segment| {
            let segment = segment.strip_suffix(TERA_SUFFIX).unwrap_or(segment);
            let segment = match segment.strip_prefix("dot-") {
                Some(rest) => format!(".{rest}"),
                None => segment.to_string(),
            };
            path_vars
                .iter()
                .fold(segment, |s, (from, to)| s.replace(from, to))
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_translate_dots_suffixes_and_variables() {
        let vars = [("__project_snake__", "order_service")];
        assert_eq!(output_path("dot-gitignore", &vars), ".gitignore");
        assert_eq!(
            output_path("dot-github/workflows/ci.yml.tera", &vars),
            ".github/workflows/ci.yml"
        );
        assert_eq!(
            output_path("protos/__project_snake__/v1/auth.proto.tera", &vars),
            "protos/order_service/v1/auth.proto"
        );
        assert_eq!(output_path("app/wiring.py", &vars), "app/wiring.py");
    }
}
