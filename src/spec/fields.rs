//! The field spec language of `arcana add resource`: `name:type[:arg][:modifier...]`.
//!
//! Parsing and validation happen before anything is planned, so a typo is reported with the
//! offending spec and the fix instead of surfacing as broken Python.

use std::fmt;

use heck::ToSnakeCase;

use crate::error::UserError;
use crate::spec::names::{self, PYTHON_KEYWORDS};

/// The help text that documents the syntax (shown by `arcana add resource --help`).
pub const SYNTAX_HELP: &str = "\
Fields are written NAME:TYPE[:ARG][:MODIFIER...]

Types:
  string[:N]            text up to N characters (default 255)    title:string:120
  text                  unbounded text                          body:text
  int | bigint          32-bit / 64-bit integer                  stock:int
  float                 double precision number                  rating:float
  decimal[:P,S]         exact number, P digits, S decimals (12,2) price:decimal:10,2
  bool                  true / false                            active:bool
  date | datetime       calendar date / timezone-aware instant   released_on:date
  uuid                  UUID                                    sku:uuid
  json                  any JSON value                          attributes:json
  enum:A,B,C            one of the listed values                status:enum:draft,published
  ref[:RESOURCE]        id of another resource (foreign key)    customer:ref  owner:ref:user

Modifiers (any order): optional (nullable, may be omitted), unique, index";

/// Column types a field can have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    String { max_length: u32 },
    Text,
    Int,
    BigInt,
    Float,
    Decimal { precision: u32, scale: u32 },
    Bool,
    Date,
    DateTime,
    Uuid,
    Json,
    Enum { values: Vec<String> },
    Ref { target: String },
}

impl FieldType {
    /// The type's keyword as written in a field spec and recorded in `arcana.toml`.
    pub fn keyword(&self) -> &'static str {
        match self {
            FieldType::String { .. } => "string",
            FieldType::Text => "text",
            FieldType::Int => "int",
            FieldType::BigInt => "bigint",
            FieldType::Float => "float",
            FieldType::Decimal { .. } => "decimal",
            FieldType::Bool => "bool",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Uuid => "uuid",
            FieldType::Json => "json",
            FieldType::Enum { .. } => "enum",
            FieldType::Ref { .. } => "ref",
        }
    }
}

/// One validated field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// snake_case attribute name; for a `ref` field the relationship name (`customer`).
    pub name: String,
    pub ty: FieldType,
    pub optional: bool,
    pub unique: bool,
    pub indexed: bool,
}

impl Field {
    /// The column / attribute that holds the value: `customer_id` for a reference.
    pub fn column(&self) -> String {
        match self.ty {
            FieldType::Ref { .. } => format!("{}_id", self.name),
            _ => self.name.clone(),
        }
    }
}

impl fmt::Display for Field {
    /// The canonical spec, as recorded in `arcana.toml` and accepted back by the parser.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.name, self.ty.keyword())?;
        match &self.ty {
            FieldType::String { max_length } => write!(f, ":{max_length}")?,
            FieldType::Decimal { precision, scale } => write!(f, ":{precision},{scale}")?,
            FieldType::Enum { values } => write!(f, ":{}", values.join(","))?,
            FieldType::Ref { target } => write!(f, ":{target}")?,
            _ => {}
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

/// Names a field cannot take, with the reason. Every resource already has these attributes,
/// or they shadow an attribute of SQLAlchemy's declarative base, Marshmallow schemas, Pydantic
/// models or generated protobuf messages.
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
    ("fields", "it shadows `fields` of Marshmallow schemas"),
    ("opts", "it shadows `opts` of Marshmallow schemas"),
    ("context", "it shadows `context` of Marshmallow schemas"),
    ("validate", "it shadows `validate` of Marshmallow schemas"),
    ("load", "it shadows `load` of Marshmallow schemas"),
    ("dump", "it shadows `dump` of Marshmallow schemas"),
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
        if let Some(other) = fields
            .iter()
            .find(|f| f.name == field.name || f.column() == field.column())
        {
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
    let (ty, modifier_start) = match type_word.as_str() {
        "string" | "str" => match rest.first().filter(|a| !is_modifier(a)) {
            Some(arg) => match arg.parse::<u32>() {
                Ok(n) if (1..=65_535).contains(&n) => (FieldType::String { max_length: n }, 1),
                _ => {
                    return bad(
                        format!("`{arg}` is neither a length (1 to 65535) nor a modifier"),
                        "Write a length and modifiers, e.g. `title:string:120:unique`".into(),
                    );
                }
            },
            None => (FieldType::String { max_length: 255 }, 0),
        },
        "text" => (FieldType::Text, 0),
        "int" | "integer" => (FieldType::Int, 0),
        "bigint" => (FieldType::BigInt, 0),
        "float" => (FieldType::Float, 0),
        "decimal" | "numeric" => match rest.first().filter(|a| !is_modifier(a)) {
            Some(arg) => {
                let parsed = arg.split_once(',').and_then(|(p, s)| {
                    Some((p.trim().parse::<u32>().ok()?, s.trim().parse::<u32>().ok()?))
                });
                match parsed {
                    Some((precision, scale)) if (1..=38).contains(&precision) && scale <= precision => {
                        (FieldType::Decimal { precision, scale }, 1)
                    }
                    _ => return bad(format!("`{arg}` is not PRECISION,SCALE"), "Write it as `price:decimal:10,2` (1 to 38 digits, scale at most the precision)".into()),
                }
            }
            None => (
                FieldType::Decimal {
                    precision: 12,
                    scale: 2,
                },
                0,
            ),
        },
        "bool" | "boolean" => (FieldType::Bool, 0),
        "date" => (FieldType::Date, 0),
        "datetime" | "timestamp" => (FieldType::DateTime, 0),
        "uuid" => (FieldType::Uuid, 0),
        "json" => (FieldType::Json, 0),
        "enum" => {
            let Some(arg) = rest.first().filter(|a| !is_modifier(a)) else {
                return bad(
                    "an enum needs its values".into(),
                    format!("List them after the type, e.g. `{raw_name}:enum:draft,published`"),
                );
            };
            (
                FieldType::Enum {
                    values: enum_values(spec, arg)?,
                },
                1,
            )
        }
        "ref" | "references" | "belongs_to" => {
            if let Some(stripped) = name.strip_suffix("_id") {
                name = stripped.to_string();
            }
            match rest.first().filter(|a| !is_modifier(a)) {
                Some(target) => (
                    FieldType::Ref {
                        target: target.to_snake_case(),
                    },
                    1,
                ),
                None => (
                    FieldType::Ref {
                        target: name.clone(),
                    },
                    0,
                ),
            }
        }
        other => {
            return bad(
                format!("`{other}` is not a known type"),
                "Use one of string, text, int, bigint, float, decimal, bool, date, datetime, uuid, json, enum, ref".into(),
            );
        }
    };
    let mut field = Field {
        name,
        ty,
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
                    format!("`{other}` is not a modifier of `{}`", field.ty.keyword()),
                    "Modifiers are optional, unique and index, e.g. `email:string:unique`".into(),
                );
            }
        }
    }
    if matches!(field.ty, FieldType::Json | FieldType::Text) && (field.unique || field.indexed) {
        return bad(
            format!(
                "a `{}` field cannot be unique or indexed",
                field.ty.keyword()
            ),
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
        let value = raw.trim().to_snake_case();
        let ok = value.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok || PYTHON_KEYWORDS.contains(&value.as_str()) {
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
        assert_eq!(ok("title:string").ty, FieldType::String { max_length: 255 });
        assert_eq!(
            ok("title:string:80").ty,
            FieldType::String { max_length: 80 }
        );
        assert_eq!(ok("body:text").ty, FieldType::Text);
        assert_eq!(ok("stock:int").ty, FieldType::Int);
        assert_eq!(ok("views:bigint").ty, FieldType::BigInt);
        assert_eq!(ok("rating:float").ty, FieldType::Float);
        assert_eq!(
            ok("price:decimal").ty,
            FieldType::Decimal {
                precision: 12,
                scale: 2
            }
        );
        assert_eq!(
            ok("price:decimal:10,3").ty,
            FieldType::Decimal {
                precision: 10,
                scale: 3
            }
        );
        assert_eq!(ok("active:bool").ty, FieldType::Bool);
        assert_eq!(ok("born_on:date").ty, FieldType::Date);
        assert_eq!(ok("seen_at:datetime").ty, FieldType::DateTime);
        assert_eq!(ok("sku:uuid").ty, FieldType::Uuid);
        assert_eq!(ok("attributes:json").ty, FieldType::Json);
        assert_eq!(
            ok("status:enum:draft,Published").ty,
            FieldType::Enum {
                values: vec!["draft".into(), "published".into()]
            }
        );
    }

    #[test]
    fn references_name_the_relationship_and_target() {
        let f = ok("customer:ref");
        assert_eq!(
            (f.name.as_str(), f.column()),
            ("customer", "customer_id".to_string())
        );
        assert_eq!(
            f.ty,
            FieldType::Ref {
                target: "customer".into()
            }
        );
        let f = ok("owner_id:ref:user:optional");
        assert_eq!(f.name, "owner");
        assert_eq!(
            f.ty,
            FieldType::Ref {
                target: "user".into()
            }
        );
        assert!(f.optional);
        assert_eq!(
            ok("buyer:references:OrderItem").ty,
            FieldType::Ref {
                target: "order_item".into()
            }
        );
    }

    #[test]
    fn modifiers_in_any_order_and_case() {
        let f = ok("email:string:120:Unique:index:optional");
        assert!(f.unique && f.indexed && f.optional);
        let f = ok("code:string:unique");
        assert_eq!(f.ty, FieldType::String { max_length: 255 });
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
    }
}
