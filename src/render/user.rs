//! The files of the built-in user (`templates/user/`): its model, DTOs, schemas, proto, servicer
//! conversions and test samples, rendered from the fields added to it.
//!
//! `arcana new` renders them with no field added; `arcana add field user` and `remove field
//! user` render them for the recorded fields (the base of the three-way merge) and for the new
//! ones. The template variable `user` is the view of a resource named `user` holding only the
//! added fields, plus the lists the shared test samples need.

use anyhow::Result;
use serde_json::Value;
use tera::Context;

use crate::render::templates::{self, RenderedFile};
use crate::render::view::ResourceView;
use crate::render::{pyfmt, types};
use crate::spec::features::Features;
use crate::spec::fields::Field;
use crate::spec::proto::ProtoNumbers;
use crate::spec::resource::Names;
use crate::spec::stack::StackData;

/// The folder of the files shared by every stack.
pub const BASE_TEMPLATES: &str = "user/base";

/// A Python tuple of quoted names: `()`, `("a",)`, `("a", "b")`.
fn tuple(names: &[String]) -> String {
    match names {
        [] => "()".to_string(),
        [one] => format!("(\"{one}\",)"),
        _ => {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            format!("({})", quoted.join(", "))
        }
    }
}

/// The `user` template variable for the added `fields` and their proto `numbers`.
pub fn view(
    project_snake: &str,
    stack: &str,
    features: Features,
    fields: &[Field],
    numbers: &ProtoNumbers,
) -> Result<Value> {
    let names = Names::from_snake(crate::spec::user::NAME);
    let with: Vec<(Field, Option<_>)> = fields.iter().map(|f| (f.clone(), None)).collect();
    let view = ResourceView::numbered(
        &names,
        &with,
        project_snake,
        stack,
        features.to_value(),
        numbers,
    )?;
    view.check(&types::stack_table(stack)?.reserved_fields)?;
    let mut value = serde_json::to_value(&view)?;
    let columns = |optional: Option<bool>| -> Vec<String> {
        fields
            .iter()
            .filter(|f| optional.is_none_or(|o| f.optional == o))
            .map(Field::column)
            .collect()
    };
    let required: Vec<Value> = view
        .fields
        .iter()
        .filter(|f| !f.optional)
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    value["required_fields"] = Value::Array(required);
    value["added_tuple"] = Value::String(tuple(&columns(None)));
    value["required_tuple"] = Value::String(tuple(&columns(Some(false))));
    value["optional_tuple"] = Value::String(tuple(&columns(Some(true))));
    Ok(value)
}

/// Renders the user's files for `context` (which holds `project_snake`, `features` and
/// `user`); files that render to nothing (the enumerations module without enum fields) are
/// left out, and the Python files get their imports sorted once fields were added.
pub fn render(
    context: &Context,
    stack: &StackData,
    features: Features,
    added: bool,
    project_snake: &str,
) -> Result<Vec<RenderedFile>> {
    let vars = [("__project_snake__", project_snake)];
    // A stack without files of its own for the user (fastapi: its DTOs are its schemas) has
    // no folder here.
    let stack_root = format!("user/{}", stack.name);
    let files = if templates::files_under(&stack_root).is_ok() {
        templates::render_layers(BASE_TEMPLATES, &stack_root, context, &vars)?
    } else {
        templates::render_tree(BASE_TEMPLATES, context, &vars)?
    };
    let files = features.filter_with("project", &stack.parts, files, &vars)?;
    Ok(files
        .into_iter()
        .filter(|f| !f.contents.trim().is_empty())
        .map(|f| {
            let contents = if added && f.path.ends_with(".py") {
                pyfmt::wrap_long_lines(&pyfmt::organize_imports(&f.contents))
            } else {
                f.contents
            };
            RenderedFile {
                path: f.path,
                contents,
            }
        })
        .collect())
}

/// The user's files in the project of `manifest` for the added `fields` and `numbers`, as
/// `(path, contents)`.
pub fn render_for(
    manifest: &crate::project::manifest::Manifest,
    fields: &[Field],
    numbers: &ProtoNumbers,
) -> Result<Vec<(String, String)>> {
    use heck::ToSnakeCase;
    let project_snake = manifest.name().to_snake_case();
    let features = Features::from_manifest(manifest);
    let stack = StackData::load(manifest.stack())?;
    let mut context = Context::new();
    context.insert("project_snake", &project_snake);
    context.insert("features", &features.to_value());
    context.insert(
        "user",
        &view(&project_snake, manifest.stack(), features, fields, numbers)?,
    );
    Ok(render(
        &context,
        &stack,
        features,
        !fields.is_empty(),
        &project_snake,
    )?
    .into_iter()
    .map(|f| (f.path, f.contents))
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_are_formatted_as_ruff_formats_them() {
        assert_eq!(tuple(&[]), "()");
        assert_eq!(tuple(&["a".into()]), "(\"a\",)");
        assert_eq!(tuple(&["a".into(), "b".into()]), "(\"a\", \"b\")");
    }
}
