//! The templates embedded in the binary and how they turn into files.
//!
//! Templates live in `templates/` and are compiled into the binary with `include_dir`, so
//! generation needs neither the network nor Python. A file whose name ends in `.tera` is rendered
//! with Tera and loses the suffix; every other file is copied byte for byte (most of a project is
//! plain Python that needs no variables, and copying it keeps generation fast). Path segments are
//! translated too: `dot-gitignore` becomes `.gitignore` (so the templates do not act on this
//! repository), and `__project_snake__` becomes the project's snake-case name.
//!
//! Most `.tera` files only substitute a few names (`{{ project_snake }}`). Those are rendered by
//! plain substitution, which gives the same text as Tera without paying for Tera's parser; only
//! templates with tags (`{% ... %}`), comments or expressions go through Tera.

use anyhow::{Context as _, Result, anyhow};
use include_dir::{Dir, include_dir};
use tera::{Context, Tera};

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

const TERA_SUFFIX: &str = ".tera";

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
    let dir = TEMPLATES
        .get_dir(root)
        .ok_or_else(|| anyhow!("template folder `{root}` is not embedded in this build"))?;
    let mut sources = Vec::new();
    collect(dir, &mut sources);

    let mut simple: Vec<Option<String>> = Vec::with_capacity(sources.len());
    for (path, body) in &sources {
        simple.push(if path.ends_with(TERA_SUFFIX) {
            substitute(body, context)
        } else {
            None
        });
    }
    let mut tera = Tera::default();
    let raw: Vec<(&str, &str)> = sources
        .iter()
        .zip(&simple)
        .filter(|((path, _), done)| path.ends_with(TERA_SUFFIX) && done.is_none())
        .map(|((path, body), _)| (*path, *body))
        .collect();
    tera.add_raw_templates(raw)
        .with_context(|| format!("templates in `{root}` do not parse"))?;

    let mut files = Vec::with_capacity(sources.len());
    for ((source, body), done) in sources.into_iter().zip(simple) {
        let relative = source
            .strip_prefix(root)
            .and_then(|p| p.strip_prefix('/'))
            .unwrap_or(source);
        let contents = if let Some(text) = done {
            text
        } else if source.ends_with(TERA_SUFFIX) {
            tera.render(source, context)
                .with_context(|| format!("rendering template `{source}`"))?
        } else {
            body.to_string()
        };
        files.push(RenderedFile {
            path: output_path(relative, path_vars),
            contents,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Renders a template that only uses `{{ name }}` with string variables by direct substitution.
/// Returns `None` when the template needs Tera (tags, comments, filters, non-string values).
pub fn substitute(body: &str, context: &Context) -> Option<String> {
    if body.contains("{%") || body.contains("{#") {
        return None;
    }
    let mut out = String::with_capacity(body.len() + 256);
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let name = after[..end].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        out.push_str(context.get(name)?.as_str()?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// Renders a single template file (path relative to `templates/`) with Tera.
pub fn render_one(path: &str, context: &Context) -> Result<String> {
    let body = source(path)?;
    Tera::one_off(body, context, false).with_context(|| format!("rendering template `{path}`"))
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
    fn substitution_matches_tera_and_defers_what_it_cannot_do() {
        let mut ctx = Context::new();
        ctx.insert("project_snake", "order_service");
        ctx.insert("count", &3);
        let body = "package {{ project_snake }}.v1;\nname = \"{{project_snake}}\"\n";
        let expected = Tera::one_off(body, &ctx, false).unwrap();
        assert_eq!(substitute(body, &ctx).as_deref(), Some(expected.as_str()));
        assert_eq!(substitute("{% if x %}y{% endif %}", &ctx), None);
        assert_eq!(substitute("{{ project_snake | upper }}", &ctx), None);
        assert_eq!(substitute("{{ missing }}", &ctx), None);
        assert_eq!(substitute("{{ count }}", &ctx), None);
        assert_eq!(substitute("{# note #}", &ctx), None);
    }

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
