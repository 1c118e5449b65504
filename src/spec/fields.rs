//! The field spec language of `arcana add resource`: `name:type[:arg][:modifier...]`.
//!
//! Parsing and validation happen before anything is planned, so a typo is reported with the
//! offending spec and the fix instead of surfacing as broken Python.

use std::fmt;

use heck::ToSnakeCase;

use crate::error::UserError;
use crate::render::types::{ArgKind, TypeRow, TypeTable};
use crate::spec::names::{self, PYTHON_KEYWORDS};
use crate::spec::reserved;

/// The help text that documents the syntax (shown by `arcana add resource --help`), with the
/// types from the field-type table.
pub fn syntax_help() -> String {
    format!(
        "Fields are written NAME:TYPE[:ARG][:MODIFIER...]\n\nTypes:\n{}\nModifiers (any order): optional (nullable, may be omitted), unique, index",
        TypeTable::get().help()
    )
}

/// The argument a field's type takes, parsed (see [`ArgKind`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeArg {
    None,
    Length(u32),
    Digits { precision: u32, scale: u32 },
    Values(Vec<String>),
    Target(String),
}

/// One validated field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// snake_case attribute name; for a `ref` field the relationship name (`customer`).
    pub name: String,
    /// The type's canonical keyword in the field-type table (`string`, `decimal`, `time`, ...).
    pub kind: String,
    pub arg: TypeArg,
    pub optional: bool,
    pub unique: bool,
    pub indexed: bool,
}

impl Field {
    /// The column / attribute that holds the value: `customer_id` for a reference.
    pub fn column(&self) -> String {
        match self.arg {
            TypeArg::Target(_) => format!("{}_id", self.name),
            _ => self.name.clone(),
        }
    }

    /// The resource a reference field points at.
    pub fn target(&self) -> Option<&str> {
        match &self.arg {
            TypeArg::Target(target) => Some(target),
            _ => None,
        }
    }

    /// The values of an enum field (empty for other types).
    pub fn values(&self) -> &[String] {
        match &self.arg {
            TypeArg::Values(values) => values,
            _ => &[],
        }
    }

    /// The type's row in the field-type table.
    pub fn row(&self) -> &'static TypeRow {
        TypeTable::get().row(&self.kind)
    }
}

impl fmt::Display for Field {
    /// The canonical spec, as recorded in `arcana.toml` and accepted back by the parser.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.kind)?;
        match &self.arg {
            TypeArg::None => {}
            TypeArg::Length(max_length) => write!(f, ":{max_length}")?,
            TypeArg::Digits { precision, scale } => write!(f, ":{precision},{scale}")?,
            TypeArg::Values(values) => write!(f, ":{}", values.join(","))?,
            TypeArg::Target(target) => write!(f, ":{target}")?,
        }
        for (on, word) in [
            (self.optional, "optional"),
            (self.unique, "unique"),
            (self.indexed, "index"),
        ] {
            if on {
                write!(f, ":{word}")?;
            }
        }
        Ok(())
    }
}

/// Names a field cannot take in any stack, with the reason. Every resource already has these
/// attributes, or they shadow an attribute of SQLAlchemy's declarative base, Pydantic models or
/// generated protobuf messages. A stack adds its own in `templates/stacks/<stack>/types.toml`.
const RESERVED_FIELDS: &[(&str, &str)] = &[
    ("id", "every resource already has an `id` primary key"),
    ("created_at", "every resource already records `created_at`"),
    ("updated_at", "every resource already records `updated_at`"),
    (
        "metadata",
        "it shadows `metadata` of SQLAlchemy's declarative base",
    ),
    (
        "registry",
        "it shadows `registry` of SQLAlchemy's declarative base",
    ),
    (
        "query",
        "it shadows the legacy `query` attribute of SQLAlchemy models",
    ),
    (
        "session",
        "it is used for the database session throughout the generated code",
    ),
    (
        "descriptor",
        "it shadows `DESCRIPTOR` of generated protobuf messages",
    ),
    ("page", "it is the pagination parameter of list endpoints"),
    ("size", "it is the pagination parameter of list endpoints"),
    (
        "clear",
        "it names the list of fields to null in update requests",
    ),
    (
        "self",
        "it is the conventional name of the instance in Python methods",
    ),
    (
        "cls",
        "it is the conventional name of the class in Python class methods",
    ),
];

const MODIFIERS: &[&str] = &["optional", "unique", "index", "indexed"];

/// Parses and validates every field spec, refusing duplicates.
pub fn parse_fields(specs: &[String]) -> Result<Vec<Field>, UserError> {
    let mut fields: Vec<Field> = Vec::with_capacity(specs.len());
    for spec in specs {
        let field = parse_field(spec)?;
        if let Some(other) = fields.iter().find(|f| {
            f.name == field.name
                || f.column() == field.column()
                || proto_json_name(&f.column()) == proto_json_name(&field.column())
        }) {
            if other.name != field.name && other.column() != field.column() {
                return Err(UserError::new(format!(
                    "Fields `{other}` and `{spec}` would have the same JSON name in the proto (`{}`), which protoc refuses",
                    proto_json_name(&field.column())
                ))
                .hint("Rename one of them so they differ by more than underscores"));
            }
            return Err(UserError::new(format!(
                "Field `{}` is given twice (`{other}` and `{spec}`)",
                field.name
            ))
            .hint("Give each field once; rename one of them"));
        }
        fields.push(field);
    }
    Ok(fields)
}

/// The JSON name protoc derives for a proto field (`ab_1` and `ab1` are both `ab1`): two fields
/// with the same one do not compile.
fn proto_json_name(column: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in column.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses one `name:type[:arg][:modifier...]` spec.
pub fn parse_field(spec: &str) -> Result<Field, UserError> {
    let bad = |why: String, hint: String| {
        Err(UserError::new(format!("Invalid field `{spec}`: {why}")).hint(hint))
    };
    let mut parts = spec.trim().split(':');
    let raw_name = parts.next().unwrap_or_default();
    let Some(raw_type) = parts.next() else {
        return bad(
            "it has no type".into(),
            format!(
                "Write it as NAME:TYPE, e.g. `{raw_name}:string`; see `arcana add resource --help`"
            ),
        );
    };
    let rest: Vec<&str> = parts.collect();
    let mut name = field_name(spec, raw_name)?;
    let type_word = raw_type.to_ascii_lowercase();
    let table = TypeTable::get();
    let Some((kind, row)) = table.lookup(&type_word) else {
        return bad(
            format!("`{type_word}` is not a known type"),
            format!("Use one of {}", table.keywords()),
        );
    };
    let given = rest.first().filter(|a| !is_modifier(a)).copied();
    let (arg, modifier_start) = match row.arg {
        None => (TypeArg::None, 0),
        Some(ArgKind::Length) => {
            let text = given.or(row.default.as_deref()).unwrap_or_default();
            match text.parse::<u32>() {
                Ok(n) if (1..=65_535).contains(&n) => {
                    (TypeArg::Length(n), usize::from(given.is_some()))
                }
                _ => {
                    return bad(
                        format!("`{text}` is neither a length (1 to 65535) nor a modifier"),
                        format!(
                            "Write a length and modifiers, e.g. `{raw_name}:{kind}:120:unique`"
                        ),
                    );
                }
            }
        }
        Some(ArgKind::Digits) => {
            let text = given.or(row.default.as_deref()).unwrap_or_default();
            let parsed = text.split_once(',').and_then(|(p, s)| {
                Some((p.trim().parse::<u32>().ok()?, s.trim().parse::<u32>().ok()?))
            });
            match parsed {
                Some((precision, scale)) if (1..=38).contains(&precision) && scale <= precision => {
                    (
                        TypeArg::Digits { precision, scale },
                        usize::from(given.is_some()),
                    )
                }
                _ => {
                    return bad(
                        format!("`{text}` is not PRECISION,SCALE"),
                        format!(
                            "Write it as `{raw_name}:{kind}:10,2` (1 to 38 digits, scale at most the precision)"
                        ),
                    );
                }
            }
        }
        Some(ArgKind::Values) => {
            let Some(arg) = given else {
                return bad(
                    format!("an {kind} needs its values"),
                    format!("List them after the type, e.g. `{raw_name}:{kind}:draft,published`"),
                );
            };
            (TypeArg::Values(enum_values(spec, arg)?), 1)
        }
        Some(ArgKind::Target) => {
            if let Some(stripped) = name.strip_suffix("_id") {
                name = stripped.to_string();
            }
            match given {
                Some(target) => (TypeArg::Target(target.to_snake_case()), 1),
                None => (TypeArg::Target(name.clone()), 0),
            }
        }
    };
    let mut field = Field {
        name,
        kind: kind.to_string(),
        arg,
        optional: false,
        unique: false,
        indexed: false,
    };
    for modifier in &rest[modifier_start..] {
        match modifier.to_ascii_lowercase().as_str() {
            "optional" => field.optional = true,
            "unique" => field.unique = true,
            "index" | "indexed" => field.indexed = true,
            "" => {
                return bad(
                    "it has an empty part (`::`)".into(),
                    "Separate the parts with single colons".into(),
                );
            }
            other => {
                return bad(
                    format!("`{other}` is not a modifier of `{}`", field.kind),
                    "Modifiers are optional, unique and index, e.g. `email:string:unique`".into(),
                );
            }
        }
    }
    if field.unique && field.values().len() == 1 {
        return bad(
            format!("a unique `{}` field needs at least two values", field.kind),
            "Add values, or drop `:unique` (one value cannot be unique across rows)".into(),
        );
    }
    if !row.indexable && (field.unique || field.indexed) {
        return bad(
            format!("a `{}` field cannot be unique or indexed", field.kind),
            "Use `string:N` for a unique or indexed text value".into(),
        );
    }
    Ok(field)
}

fn is_modifier(word: &&str) -> bool {
    MODIFIERS.contains(&word.to_ascii_lowercase().as_str())
}

fn field_name(spec: &str, raw: &str) -> Result<String, UserError> {
    if !names::is_name_like(raw) {
        return Err(UserError::new(format!(
            "Invalid field `{spec}`: `{raw}` is not a valid field name"
        ))
        .hint("Start with a letter and use letters, digits and `_`, e.g. `unit_price:decimal`"));
    }
    let name = raw.to_snake_case();
    if PYTHON_KEYWORDS.contains(&name.as_str()) {
        return Err(UserError::new(format!(
            "Invalid field `{spec}`: `{name}` is a Python keyword"
        ))
        .hint(format!("Rename it, e.g. `{name}_value` or `is_{name}`")));
    }
    if let Some((_, why)) = RESERVED_FIELDS.iter().find(|(n, _)| *n == name) {
        return Err(UserError::new(format!(
            "Invalid field `{spec}`: `{name}` is reserved because {why}"
        ))
        .hint(format!("Rename it, e.g. `{name}_value`")));
    }
    if let Some(why) = reserved::field_clash(&name) {
        return Err(UserError::new(format!(
            "Invalid field `{spec}`: `{name}` cannot name a field: {why}"
        ))
        .hint(format!("Rename it, e.g. `{name}_value`")));
    }
    if name.starts_with("model_") || name.starts_with('_') {
        return Err(UserError::new(format!(
            "Invalid field `{spec}`: `{name}` would clash with Pydantic's `model_` namespace"
        ))
        .hint(format!(
            "Rename it, e.g. `{}`",
            name.trim_start_matches('_').replacen("model_", "item_", 1)
        )));
    }
    Ok(name)
}

fn enum_values(spec: &str, arg: &str) -> Result<Vec<String>, UserError> {
    let mut values: Vec<String> = Vec::new();
    for raw in arg.split(',') {
        let raw = raw.trim();
        // Only a change of case is applied: anything else would store another value than the
        // one written (`a b` or `'a'` are refused, not turned into `a_b` or `a`).
        let value = raw.to_ascii_lowercase();
        let ok = value.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && raw.to_snake_case() == value;
        let keyword = PYTHON_KEYWORDS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&value));
        if !ok || keyword {
            return Err(UserError::new(format!(
                "Invalid field `{spec}`: `{raw}` is not a valid enum value"
            ))
            .hint("Use lowercase words such as `draft,published,archived`"));
        }
        if values.contains(&value) {
            return Err(UserError::new(format!(
                "Invalid field `{spec}`: enum value `{value}` is listed twice"
            ))
            .hint("List each value once"));
        }
        values.push(value);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(spec: &str) -> Field {
        parse_field(spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
    }

    fn err(spec: &str) -> UserError {
        parse_field(spec).expect_err(spec)
    }

    #[test]
    fn parses_every_type() {
        let arg = |spec: &str| {
            let f = ok(spec);
            (f.kind, f.arg)
        };
        assert_eq!(arg("title:string"), ("string".into(), TypeArg::Length(255)));
        assert_eq!(arg("title:str:80"), ("string".into(), TypeArg::Length(80)));
        for (spec, kind) in [
            ("body:text", "text"),
            ("stock:int", "int"),
            ("stock:integer", "int"),
            ("views:bigint", "bigint"),
            ("rating:float", "float"),
            ("active:boolean", "bool"),
            ("born_on:date", "date"),
            ("seen_at:timestamp", "datetime"),
            ("opens_at:time", "time"),
            ("contact:email", "email"),
            ("sku:uuid", "uuid"),
            ("attributes:json", "json"),
        ] {
            assert_eq!(arg(spec), (kind.into(), TypeArg::None), "{spec}");
        }
        let digits = |precision, scale| TypeArg::Digits { precision, scale };
        assert_eq!(arg("price:decimal"), ("decimal".into(), digits(12, 2)));
        assert_eq!(arg("price:numeric:10,3"), ("decimal".into(), digits(10, 3)));
        assert_eq!(
            arg("status:enum:draft,Published"),
            (
                "enum".into(),
                TypeArg::Values(vec!["draft".into(), "published".into()])
            )
        );
    }

    #[test]
    fn references_name_the_relationship_and_target() {
        let f = ok("customer:ref");
        assert_eq!(
            (f.name.as_str(), f.column()),
            ("customer", "customer_id".to_string())
        );
        assert_eq!(f.target(), Some("customer"));
        let f = ok("owner_id:ref:user:optional");
        assert_eq!(f.name, "owner");
        assert_eq!(f.target(), Some("user"));
        assert!(f.optional);
        assert_eq!(
            ok("buyer:references:OrderItem").target(),
            Some("order_item")
        );
    }

    #[test]
    fn modifiers_in_any_order_and_case() {
        let f = ok("email:string:120:Unique:index:optional");
        assert!(f.unique && f.indexed && f.optional);
        let f = ok("code:string:unique");
        assert_eq!(f.arg, TypeArg::Length(255));
        assert!(f.unique && !f.optional);
        assert_eq!(ok("unitPrice:decimal").name, "unit_price");
    }

    #[test]
    fn display_round_trips() {
        for spec in [
            "title:string:80:optional:unique:index",
            "price:decimal:10,2",
            "status:enum:a,b",
            "owner:ref:user",
            "x:json",
            "opens_at:time:optional",
            "contact:email:unique",
        ] {
            assert_eq!(ok(spec).to_string(), spec);
            assert_eq!(ok(&ok(spec).to_string()), ok(spec));
        }
    }

    #[test]
    fn refuses_bad_specs_with_hints() {
        assert!(err("title").message.contains("has no type"));
        assert!(
            err("title:strng")
                .message
                .contains("`strng` is not a known type")
        );
        assert!(
            err("title:string:abc")
                .message
                .contains("`abc` is neither a length")
        );
        assert!(
            err("title:string:0")
                .message
                .contains("is neither a length")
        );
        assert!(err("price:decimal:2,5").message.contains("PRECISION,SCALE"));
        assert!(err("status:enum").message.contains("needs its values"));
        assert!(err("status:enum:a,a").message.contains("listed twice"));
        assert!(
            err("status:enum:1x")
                .message
                .contains("not a valid enum value")
        );
        assert!(err("class:string").message.contains("Python keyword"));
        assert_eq!(
            err("class:string").hint.as_deref(),
            Some("Rename it, e.g. `class_value` or `is_class`")
        );
        assert!(err("metadata:json").message.contains("SQLAlchemy"));
        assert!(err("id:int").message.contains("already has an `id`"));
        assert!(err("model_name:string").message.contains("Pydantic"));
        assert!(err("9a:int").message.contains("not a valid field name"));
        assert!(
            err("title:text:sorted")
                .message
                .contains("`sorted` is not a modifier of `text`")
        );
        assert!(err("body:text:unique").message.contains("cannot be unique"));
        assert!(
            err("x:json:index")
                .message
                .contains("cannot be unique or indexed")
        );
        assert!(err("title:strng").hint.unwrap().contains("time, uuid"));
    }

    #[test]
    fn refuses_duplicates() {
        let specs = vec!["title:string".to_string(), "Title:text".to_string()];
        assert!(
            parse_fields(&specs)
                .unwrap_err()
                .message
                .contains("given twice")
        );
        let specs = vec!["owner:ref:user".to_string(), "owner_id:int".to_string()];
        assert!(parse_fields(&specs).is_err());
        for (a, b) in [("ab1", "ab_1"), ("a1", "a_1"), ("v_1", "v1")] {
            let specs = vec![format!("{a}:int"), format!("{b}:int")];
            assert!(
                parse_fields(&specs)
                    .unwrap_err()
                    .message
                    .contains("same JSON name"),
                "{a} {b}"
            );
        }
    }
}
