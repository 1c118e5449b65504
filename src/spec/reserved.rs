//! Names that a resource or a field cannot take because the generated code already uses them,
//! derived from the code itself so that the list cannot fall behind the templates.
//!
//! A resource's class (`Mapping`, `SessionFactory`) or variable (`session_factory`) and a field's
//! attribute (`bool`, `dt`, `changes`) are identifiers in the same modules and class bodies as
//! the names the templates import, Python's builtins and the attributes of the base classes the
//! generated classes inherit from; a clash makes the project fail to import or type-check. The
//! imported names are read from the embedded templates' import lines, once per process.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::render::templates;

/// Python 3.11's builtins (`dir(builtins)`) that are lowercase, as a field or a variable would
/// shadow them.
pub const PYTHON_BUILTINS: &[&str] = &[
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "copyright",
    "credits",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "exit",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "license",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "quit",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
];

/// Attributes of the classes generated models and DTOs inherit from that a field would shadow:
/// Pydantic's `BaseModel` (its deprecated v1 methods; `model_*` is refused as a prefix) and the
/// generated DTOs' own `changes()`.
pub const BASE_CLASS_ATTRIBUTES: &[&str] = &[
    "changes",
    "construct",
    "copy",
    "dict",
    "from_orm",
    "json",
    "parse_file",
    "parse_obj",
    "parse_raw",
    "schema",
    "schema_json",
    "update_forward_refs",
    "validate",
];

/// Project files into which a resource's names are registered (`# arcana:` markers).
const REGISTRATION_FILES: &[&str] = &[
    "project/base/app/wiring.py.tera",
    "project/base/app/grpc/server.py.tera",
    "project/base/app/model/__init__.py.tera",
];

/// Where a resource's fields become identifiers: class bodies of the entity, the DTOs and the
/// stacks' request schemas. A field named like a name these modules import shadows it.
const CLASS_BODY_MODULES: &[&str] = &["/app/model/", "/app/dto/", "/app/controller/schemas/"];

/// The identifiers the import lines of a resource's modules bring in (`Mapping`, `dt`,
/// `mapped_column`, `maybe`, ...): the resource templates of every stack, the imports the
/// field-type tables and the view model add, and the project files the resource is registered
/// in. Template expressions are skipped. A resource's variable (`product`) must not take one.
pub fn resource_imports() -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| imports_of(|_| true, true))
}

/// The identifiers imported where fields become class attributes (see [`CLASS_BODY_MODULES`]),
/// with the imports of the field-type tables and the view model.
pub fn class_body_imports() -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        imports_of(
            |path| CLASS_BODY_MODULES.iter().any(|m| path.contains(m)),
            false,
        )
    })
}

fn imports_of(template: impl Fn(&str) -> bool, registrations: bool) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut sources: Vec<&str> = Vec::new();
    for root in ["resource", "stacks"] {
        for (path, body) in templates::files_under(root).unwrap_or_default() {
            if path.ends_with(".py.tera") && template(path) {
                sources.push(body);
            } else if path.ends_with("types.toml") {
                // Import lines are quoted strings of the tables.
                for quoted in body.split('"').skip(1).step_by(2) {
                    if quoted.starts_with("from ") || quoted.starts_with("import ") {
                        sources.push(quoted);
                    }
                }
            }
        }
    }
    if registrations {
        for path in REGISTRATION_FILES {
            sources.extend(templates::source(path).ok());
        }
    }
    sources.extend(crate::render::view::STRUCTURAL_IMPORTS);
    for source in sources {
        collect_imports(source, &mut names);
    }
    names
}

/// Every class-like (capitalised) name the import lines of any generated module bring in.
pub fn imported_classes() -> &'static BTreeSet<String> {
    static NAMES: OnceLock<BTreeSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = BTreeSet::new();
        for (path, body) in templates::files_under("project").unwrap_or_default() {
            if path.ends_with(".py") || path.ends_with(".py.tera") {
                collect_imports(body, &mut names);
            }
        }
        names.extend(resource_imports().iter().cloned());
        names.retain(|n| n.starts_with(|c: char| c.is_ascii_uppercase()));
        names
    })
}

/// Adds the names bound by the import statements of `source` (Python, possibly with Tera tags).
fn collect_imports(source: &str, names: &mut BTreeSet<String>) {
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        let mut line = line.trim_start();
        // A line may start with Tera tags that end a loop or a condition.
        while let Some(close) = (line.starts_with("{%") || line.starts_with("{{"))
            .then(|| line.find(if line.starts_with("{%") { "%}" } else { "}}" }))
            .flatten()
        {
            line = line[close + 2..].trim_start();
        }
        let imported = if let Some(rest) = line.strip_prefix("from ") {
            let Some((_, what)) = rest.split_once(" import ") else {
                continue;
            };
            let mut what = what.to_string();
            if what.trim_start().starts_with('(') {
                for more in lines.by_ref() {
                    what.push(' ');
                    what.push_str(more);
                    if more.contains(')') {
                        break;
                    }
                }
            }
            what
        } else if let Some(rest) = line.strip_prefix("import ") {
            rest.to_string()
        } else {
            continue;
        };
        let imported = imported.replace(['(', ')'], " ");
        for item in imported.split(',') {
            let item = item.split('#').next().unwrap_or_default().trim();
            // `a as b` binds `b`; `import a.b` binds `a`.
            let bound = item.rsplit(" as ").next().unwrap_or(item).trim();
            let bound = bound.split('.').next().unwrap_or(bound);
            if !bound.is_empty()
                && !bound.contains(['{', '}', ' '])
                && bound.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                names.insert(bound.to_string());
            }
        }
    }
}

/// Why a field named `name` cannot work, if it cannot.
pub fn field_clash(name: &str) -> Option<String> {
    if PYTHON_BUILTINS.contains(&name) {
        return Some(format!(
            "`{name}` is a Python builtin the generated classes use"
        ));
    }
    if BASE_CLASS_ATTRIBUTES.contains(&name) {
        return Some(format!(
            "`{name}` is an attribute of the generated DTOs' base class"
        ));
    }
    if class_body_imports().contains(name) {
        return Some(format!("`{name}` is a name the generated code imports"));
    }
    None
}

/// Why a resource whose class is `class` and variable is `snake` cannot work, if it cannot.
/// Without the built-in users module, `User` is free.
pub fn resource_clash(snake: &str, class: &str, builtin_users: bool) -> Option<String> {
    if imported_classes().contains(class) && (builtin_users || class != "User") {
        return Some(format!(
            "its class `{class}` is a name the generated code imports"
        ));
    }
    if resource_imports().contains(snake) || PYTHON_BUILTINS.contains(&snake) {
        return Some(format!(
            "`{snake}` would shadow a Python builtin or a name the generated code imports"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_are_read_from_every_form() {
        let mut names = BTreeSet::new();
        collect_imports(
            "import datetime as dt\nfrom typing import Any, Protocol\nfrom x import (\n    a,\n    b as c,\n)\nfrom app.dto.{{ snake }}_dto import {{ class }}Create\n    import grpc\n{% endfor %}from y import z\n",
            &mut names,
        );
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(names, ["Any", "Protocol", "a", "c", "dt", "grpc", "z"]);
    }

    #[test]
    fn the_templates_imports_are_found() {
        for name in [
            "Mapping",
            "Protocol",
            "SessionFactory",
            "NotFoundError",
            "ConflictError",
            "ValidationFailedError",
            "dt",
            "mapped_column",
            "field_validator",
        ] {
            assert!(
                resource_imports().contains(name) || imported_classes().contains(name),
                "`{name}`"
            );
        }
    }

    #[test]
    fn clashes_name_the_reason() {
        assert!(field_clash("bool").unwrap().contains("builtin"));
        assert!(field_clash("changes").unwrap().contains("base class"));
        assert!(field_clash("dt").unwrap().contains("imports"));
        assert!(field_clash("nickname").is_none());
        assert!(field_clash("text").is_none() && field_clash("time").is_none());
        assert!(field_clash("status").is_none() && field_clash("count").is_none());
        assert!(resource_clash("mapping", "Mapping", true).is_some());
        assert!(resource_clash("session_factory", "SessionFactory", true).is_some());
        assert!(resource_clash("protocol", "Protocol", true).is_some());
        assert!(resource_clash("product", "Product", true).is_none());
        assert!(resource_clash("user", "User", true).is_some());
        assert!(resource_clash("user", "User", false).is_none());
    }
}
