//! The view model of `arcana add resource`: typed structs that the resource templates render,
//! so a misspelt context key is a compile error here rather than an empty string in Python.
//!
//! Per-type text comes from the field-type table ([`crate::render::types`]) with its
//! placeholders filled for one field; what is computed here is structural: names in every case,
//! proto field numbers, which imports each generated file needs, and which field each generated
//! test exercises. The templates show the shape of every generated file.

use std::collections::BTreeMap;

use anyhow::Result;
use heck::{ToTitleCase, ToUpperCamelCase};
use serde::Serialize;
use serde_json::Value;

use crate::error::UserError;
use crate::render::types::{self, StackTable, TypeRow};
use crate::spec::fields::{Field, TypeArg};
use crate::spec::proto::ProtoNumbers;
use crate::spec::resource::{MAX_FIELD_LENGTH, MAX_IDENTIFIER, Names, Target};

/// The longest enum field name plus enum class (resource class + field in CamelCase) whose
/// model annotation, `name: Mapped[Class | None] = mapped_column(`, fits ruff's 100 columns.
const MAX_ENUM_FIELD_AND_CLASS: usize = 62;

/// Class names generated for every resource, which an enum class must not take.
const GENERATED_SUFFIXES: &[&str] = &[
    "",
    "Create",
    "Update",
    "Response",
    "Page",
    "Repository",
    "RepositoryImpl",
    "Service",
    "ServiceImpl",
    "Servicer",
    "CreateSchema",
    "UpdateSchema",
    "Schema",
    "PageSchema",
    "PageQuerySchema",
];

/// Import lines the view model adds for structural reasons (optional values, references,
/// required fields, JSON text), beside those of the field-type table.
const MAYBE: &str = "from app.core.values import maybe";
const PRESENT: &str = "from tests.grpc.decode import present";
const TYPE_CHECKING: &str = "from typing import TYPE_CHECKING";
const RELATIONSHIP: &str = "from sqlalchemy.orm import relationship";
const FIELD_VALIDATOR: &str = "from pydantic import field_validator";
const NOT_NULL: &str = "from app.dto.validation import not_null";
const JSON: &str = "import json";

/// Every import line the view model adds itself (for [`crate::spec::reserved`]).
pub const STRUCTURAL_IMPORTS: &[&str] = &[
    MAYBE,
    PRESENT,
    TYPE_CHECKING,
    RELATIONSHIP,
    FIELD_VALIDATOR,
    NOT_NULL,
    JSON,
];

/// One sample value in the three forms the tests need.
#[derive(Debug, Clone, Serialize)]
pub struct SampleView {
    pub python: String,
    pub json: String,
    pub proto: String,
}

/// An enum member: `DRAFT = "draft"`.
#[derive(Debug, Clone, Serialize)]
pub struct MemberView {
    pub member: String,
    pub value: String,
}

/// What a reference points at.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TargetView {
    pub snake: String,
    pub class: String,
    pub human: String,
    pub table: String,
    pub builtin_user: bool,
}

/// Everything the templates need about one field.
#[derive(Debug, Clone, Serialize)]
pub struct FieldView {
    pub name: String,
    pub column: String,
    pub human: String,
    pub kind: String,
    pub spec: String,
    pub optional: bool,
    pub unique: bool,
    pub indexed: bool,
    pub is_ref: bool,
    pub is_enum: bool,
    pub any_json: bool,
    /// The Python type of the value (`Decimal`, `dt.time`, `ProductStatus`).
    pub python: String,
    /// What `Mapped[...]` holds: the type, `| None` when optional.
    pub mapped: String,
    pub sqlalchemy: String,
    pub explicit_nullable: bool,
    pub alembic: String,
    pub pydantic: String,
    pub proto: String,
    pub proto_message: bool,
    pub proto_comment: Option<String>,
    /// Field numbers in the response, create and update messages.
    pub proto_number: usize,
    pub proto_create_number: usize,
    pub proto_update_number: usize,
    pub to_proto: Option<String>,
    pub from_json: Option<String>,
    pub from_proto: Option<String>,
    pub exact_json: bool,
    pub sample_a: Option<SampleView>,
    pub sample_b: Option<SampleView>,
    pub invalid_json: Option<String>,
    pub invalid_proto: Option<String>,
    pub enum_class: String,
    pub enum_members: Vec<MemberView>,
    pub target: Option<TargetView>,
    /// The stack's facts for this type (`templates/stacks/<stack>/types.toml`), filled.
    pub stack: BTreeMap<String, Value>,
    /// Database identifiers the field needs, to check PostgreSQL's length limit.
    #[serde(skip)]
    identifiers: Vec<String>,
    #[serde(skip)]
    row: &'static TypeRow,
    #[serde(skip)]
    stack_imports: Vec<String>,
    #[serde(skip)]
    sample_proto_imports: Vec<String>,
}

/// The import lines each generated file needs for its fields (sorted and merged later).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Imports {
    pub model: Vec<String>,
    pub dto: Vec<String>,
    pub migration: Vec<String>,
    pub servicer: Vec<String>,
    pub samples: Vec<String>,
    pub rest_test: Vec<String>,
    pub grpc_test: Vec<String>,
    pub schema: Vec<String>,
}

/// The template context of one resource.
#[derive(Debug, Clone, Serialize)]
pub struct ResourceView {
    pub project_snake: String,
    pub snake: String,
    pub plural: String,
    pub class: String,
    pub plural_class: String,
    pub kebab_plural: String,
    pub human: String,
    pub human_plural: String,
    pub title: String,
    pub title_plural: String,
    pub article: &'static str,
    pub var: String,
    pub table: String,
    pub service_attr: String,
    pub fields: Vec<FieldView>,
    pub ref_fields: Vec<FieldView>,
    pub unique_fields: Vec<FieldView>,
    pub enum_fields: Vec<FieldView>,
    pub json_fields: Vec<FieldView>,
    pub exact_json_fields: Vec<FieldView>,
    pub targets: Vec<TargetView>,
    pub imports: Imports,
    pub has_refs: bool,
    pub has_unique: bool,
    pub has_plain: bool,
    pub has_enum: bool,
    /// Columns a PATCH may not set to null (required fields), quoted.
    pub not_null_columns: Vec<String>,
    /// Required columns whose type admits null (`json`), which a create must refuse as null.
    pub create_not_null_columns: Vec<String>,
    pub clear_field: Option<FieldView>,
    pub required_field: Option<FieldView>,
    pub invalid_json_field: Option<FieldView>,
    pub invalid_proto_field: Option<FieldView>,
    pub response_created_number: usize,
    pub response_updated_number: usize,
    pub update_clear_number: usize,
    /// `reserved` lines for removed fields in the response and update messages, and in the
    /// create request.
    pub proto_reserved: Vec<String>,
    pub proto_create_reserved: Vec<String>,
    pub revision: String,
    /// `"0001"` or `None`, as Python.
    pub down_revision: String,
    pub down_revision_text: String,
    pub features: Value,
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Two distinct decimal literals that fit `precision` and `scale`: `19.99` and `5.50` for
/// (12, 2).
pub fn decimal_samples(precision: u32, scale: u32) -> (String, String) {
    let int_digits = precision - scale;
    let (ia, ib) = match int_digits {
        0 => ("0".to_string(), "0".to_string()),
        1 => ("9".to_string(), "5".to_string()),
        _ => ("19".to_string(), "5".to_string()),
    };
    if scale == 0 {
        return (ia, ib);
    }
    let fa = "9".repeat(scale as usize);
    let fb = format!("5{}", "0".repeat(scale as usize - 1));
    (format!("{ia}.{fa}"), format!("{ib}.{fb}"))
}

/// Two distinct, realistic strings for a field, at most `max` characters long.
pub fn string_samples(name: &str, max: usize) -> (String, String) {
    let last = name.rsplit('_').next().unwrap_or(name);
    let human = name.replace('_', " ").to_title_case();
    let (a, b) = match (name, last) {
        (_, "email") => ("ada@example.com".into(), "grace@example.com".into()),
        (_, "url" | "website" | "link" | "homepage") => (
            "https://example.com/first".into(),
            "https://example.com/second".into(),
        ),
        (_, "phone") => ("+1 555 0100".into(), "+1 555 0199".into()),
        (_, "sku" | "code" | "reference" | "ref" | "number") => {
            ("SKU-0001".into(), "SKU-0002".into())
        }
        (_, "slug") => ("desk-lamp".into(), "office-chair".into()),
        ("first_name", _) => ("Ada".into(), "Grace".into()),
        ("last_name" | "surname", _) => ("Lovelace".into(), "Hopper".into()),
        (_, "city") => ("Lisbon".into(), "Oslo".into()),
        (_, "country") => ("Portugal".into(), "Norway".into()),
        (_, "color" | "colour") => ("red".into(), "blue".into()),
        (_, "currency") => ("EUR".into(), "USD".into()),
        (_, "name" | "title" | "label") => ("Desk Lamp".into(), "Office Chair".into()),
        _ => (format!("{human} one"), format!("{human} two")),
    };
    if a.len() <= max && b.len() <= max {
        return (a, b);
    }
    let short = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let (sa, sb) = (short(&a, max), short(&b, max));
    if sa != sb {
        return (sa, sb);
    }
    ("a".repeat(max.min(3)), "b".repeat(max.min(3)))
}

/// The placeholder values of one field (see the top of `templates/resource/types.toml`).
fn placeholders(
    field: &Field,
    names: &Names,
    target: Option<&Target>,
) -> BTreeMap<&'static str, String> {
    let mut vars: BTreeMap<&'static str, String> = BTreeMap::new();
    vars.insert("name", field.name.clone());
    vars.insert("column", field.column());
    vars.insert("human", field.name.replace('_', " "));
    vars.insert("resource", names.snake.clone());
    vars.insert(
        "enum_class",
        format!("{}{}", names.class, field.name.to_upper_camel_case()),
    );
    vars.insert("constraint", format!("{}_{}", names.snake, field.name));
    match &field.arg {
        TypeArg::Length(n) => {
            vars.insert("max_length", n.to_string());
            vars.insert("max_length_plus_one", (n + 1).to_string());
            let (a, b) = string_samples(&field.name, *n as usize);
            vars.insert("string_a", a);
            vars.insert("string_b", b);
        }
        TypeArg::Digits { precision, scale } => {
            vars.insert("precision", precision.to_string());
            vars.insert("scale", scale.to_string());
            let (a, b) = decimal_samples(*precision, *scale);
            vars.insert("decimal_a", a);
            vars.insert("decimal_b", b);
        }
        TypeArg::Values(values) => {
            let a = &values[0];
            let b = values.get(1).unwrap_or(a);
            let quoted: Vec<String> = values.iter().map(|v| quote(v)).collect();
            vars.insert("values_quoted", quoted.join(", "));
            vars.insert("values_list", values.join(", "));
            vars.insert("value_a", a.clone());
            vars.insert("value_b", b.clone());
            vars.insert("member_a", a.to_uppercase());
            vars.insert("member_b", b.to_uppercase());
        }
        TypeArg::Target(_) => {
            if let Some(t) = target {
                vars.insert("target_table", t.table().to_string());
                vars.insert("target_human", t.names.human.clone());
            }
        }
        TypeArg::None => {}
    }
    vars
}

fn fill_all(items: &[String], vars: &BTreeMap<&str, String>) -> Result<Vec<String>> {
    items.iter().map(|i| types::fill(i, vars)).collect()
}

fn fill_opt(item: &Option<String>, vars: &BTreeMap<&str, String>) -> Result<Option<String>> {
    item.as_ref().map(|i| types::fill(i, vars)).transpose()
}

/// Fills every string of a stack row, and joins its `request`/`response` arguments behind the
/// stack's `[modifiers]` into `create`, `update` and `response` argument lists.
fn stack_view(
    stack: &StackTable,
    field: &Field,
    vars: &BTreeMap<&str, String>,
) -> Result<(BTreeMap<String, Value>, Vec<String>)> {
    let mut out = BTreeMap::new();
    let mut imports = Vec::new();
    let Some(row) = stack.types.get(&field.kind) else {
        return Ok((out, imports));
    };
    let strings = |key: &str| -> Result<Vec<String>> {
        let items: Vec<String> = row
            .get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        fill_all(&items, vars)
    };
    for (key, value) in row {
        let value = match value {
            toml::Value::String(s) => Value::String(types::fill(s, vars)?),
            toml::Value::Array(_) => Value::from(strings(key)?),
            toml::Value::Boolean(b) => Value::Bool(*b),
            other => Value::String(format!("{other:?}")),
        };
        out.insert(key.clone(), value);
    }
    imports.extend(strings("imports")?);
    if !stack.modifiers.is_empty() {
        let presence = if field.optional {
            "optional"
        } else {
            "required"
        };
        for (mode, args) in [
            ("create", "request"),
            ("update", "request"),
            ("response", "response"),
        ] {
            let mut list = stack
                .modifiers
                .get(&format!("{mode}_{presence}"))
                .cloned()
                .unwrap_or_default();
            list.extend(strings(args)?);
            out.insert(mode.to_string(), Value::String(list.join(", ")));
        }
    }
    Ok((out, imports))
}

impl FieldView {
    fn new(
        field: &Field,
        names: &Names,
        target: Option<&Target>,
        number: u32,
        stack: &StackTable,
    ) -> Result<Self> {
        let row = field.row();
        let vars = placeholders(field, names, target);
        let python = types::fill(&row.python, &vars)?;
        let mapped = if row.any_json || !field.optional {
            python.clone()
        } else {
            format!("{python} | None")
        };
        let sample = |i: usize| -> Result<Option<SampleView>> {
            let Some(s) = row.samples.get(i) else {
                return Ok(None);
            };
            let python = types::fill(&s.python, &vars)?;
            let json = match &s.json {
                Some(j) => types::fill(j, &vars)?,
                None => python.clone(),
            };
            let proto = match &s.proto {
                Some(p) => types::fill(p, &vars)?,
                None => json.clone(),
            };
            Ok(Some(SampleView {
                python,
                json,
                proto,
            }))
        };
        let table = &names.plural;
        let column = field.column();
        let mut identifiers = vec![
            format!("ix_{table}_{column}"),
            format!("uq_{table}_{column}"),
        ];
        if let Some(t) = target {
            identifiers.push(format!("fk_{table}_{column}_{}", t.table()));
        }
        if field.target().is_none() && !field.values().is_empty() {
            identifiers.push(format!("ck_{table}_{}_{}", names.snake, field.name));
        }
        let (stack, stack_imports) = stack_view(stack, field, &vars)?;
        let mut sample_proto_imports = Vec::new();
        for s in &row.samples {
            sample_proto_imports.extend(fill_all(&s.proto_imports, &vars)?);
        }
        Ok(Self {
            name: field.name.clone(),
            column,
            human: field.name.replace('_', " "),
            kind: field.kind.clone(),
            spec: field.to_string(),
            optional: field.optional,
            unique: field.unique,
            indexed: field.indexed || row.always_indexed,
            is_ref: field.target().is_some(),
            is_enum: matches!(field.arg, TypeArg::Values(_)),
            any_json: row.any_json,
            python,
            mapped,
            sqlalchemy: types::fill(&row.sqlalchemy, &vars)?,
            explicit_nullable: row.explicit_nullable,
            alembic: types::fill(&row.alembic, &vars)?,
            pydantic: types::fill(&row.pydantic, &vars)?,
            proto: row.proto.clone(),
            proto_message: row.proto_message,
            proto_comment: fill_opt(&row.proto_comment, &vars)?,
            proto_number: number as usize,
            proto_create_number: number as usize - 1,
            proto_update_number: number as usize,
            to_proto: fill_opt(&row.to_proto, &vars)?,
            from_json: fill_opt(&row.from_json, &vars)?,
            from_proto: fill_opt(&row.from_proto, &vars)?.or(fill_opt(&row.from_json, &vars)?),
            exact_json: row.exact_json,
            sample_a: sample(0)?,
            sample_b: sample(1)?,
            invalid_json: fill_opt(&row.invalid_json, &vars)?,
            invalid_proto: fill_opt(&row.invalid_proto, &vars)?,
            enum_class: vars["enum_class"].clone(),
            enum_members: field
                .values()
                .iter()
                .map(|v| MemberView {
                    member: v.to_uppercase(),
                    value: v.clone(),
                })
                .collect(),
            target: target.map(|t| TargetView {
                snake: t.names.snake.clone(),
                class: t.names.class.clone(),
                human: t.names.human.clone(),
                table: t.table().to_string(),
                builtin_user: t.builtin_user,
            }),
            stack,
            identifiers,
            row,
            stack_imports,
            sample_proto_imports,
        })
    }
}

impl ResourceView {
    /// The view of resource `names` with its fields (and their reference targets), for the
    /// project `project_snake` of stack `stack`.
    pub fn new(
        names: &Names,
        fields: &[(Field, Option<Target>)],
        project_snake: &str,
        stack: &str,
        features: Value,
    ) -> Result<Self> {
        let order: Vec<&str> = fields.iter().map(|(f, _)| f.name.as_str()).collect();
        let numbers = ProtoNumbers::sequential(&order);
        Self::numbered(names, fields, project_snake, stack, features, &numbers)
    }

    /// [`ResourceView::new`] with the proto numbers recorded for the resource; `numbers` must
    /// hold every field.
    pub fn numbered(
        names: &Names,
        fields: &[(Field, Option<Target>)],
        project_snake: &str,
        stack: &str,
        features: Value,
        numbers: &ProtoNumbers,
    ) -> Result<Self> {
        let stack_table = types::stack_table(stack)?;
        let views: Vec<FieldView> = fields
            .iter()
            .map(|(f, t)| {
                FieldView::new(f, names, t.as_ref(), numbers.number(&f.name), stack_table)
            })
            .collect::<Result<_>>()?;
        let grpc = features
            .get("grpc")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let imports = imports(&views, names, grpc)?;
        let of = |pred: &dyn Fn(&FieldView) -> bool| -> Vec<FieldView> {
            views.iter().filter(|f| pred(f)).cloned().collect()
        };
        let first = |pred: &dyn Fn(&FieldView) -> bool| -> Option<FieldView> {
            views.iter().find(|f| pred(f)).cloned()
        };
        let mut targets: Vec<TargetView> = Vec::new();
        for t in views.iter().filter_map(|f| f.target.as_ref()) {
            if !targets.iter().any(|o| o.snake == t.snake) {
                targets.push(t.clone());
            }
        }
        // Sorted by module, as isort wants the imports of the `TYPE_CHECKING` block.
        targets.sort_by(|a, b| a.snake.cmp(&b.snake));
        let n = names;
        Ok(Self {
            project_snake: project_snake.to_string(),
            snake: n.snake.clone(),
            plural: n.plural.clone(),
            class: n.class.clone(),
            plural_class: n.plural_class.clone(),
            kebab_plural: n.kebab_plural.clone(),
            human: n.human.clone(),
            human_plural: n.human_plural.clone(),
            title: capitalize(&n.human),
            title_plural: capitalize(&n.human_plural),
            article: n.article,
            var: n.snake.clone(),
            table: n.plural.clone(),
            service_attr: format!("{}_service", n.snake),
            ref_fields: of(&|f| f.is_ref),
            unique_fields: of(&|f| f.unique),
            enum_fields: of(&|f| f.is_enum),
            json_fields: of(&|f| f.any_json),
            exact_json_fields: of(&|f| f.exact_json),
            has_refs: views.iter().any(|f| f.is_ref),
            has_unique: views.iter().any(|f| f.unique),
            has_plain: views.iter().any(|f| !f.is_ref),
            has_enum: views.iter().any(|f| f.is_enum),
            not_null_columns: views
                .iter()
                .filter(|f| !f.optional)
                .map(|f| quote(&f.column))
                .collect(),
            create_not_null_columns: views
                .iter()
                .filter(|f| !f.optional && f.any_json)
                .map(|f| quote(&f.column))
                .collect(),
            clear_field: first(&|f| f.optional),
            required_field: first(&|f| !f.optional),
            invalid_json_field: first(&|f| f.invalid_json.is_some()),
            invalid_proto_field: first(&|f| f.invalid_proto.is_some()),
            response_created_number: numbers.created_at as usize,
            response_updated_number: numbers.updated_at as usize,
            update_clear_number: numbers.clear as usize,
            proto_reserved: numbers.reserved_lines(false),
            proto_create_reserved: numbers.reserved_lines(true),
            revision: String::new(),
            down_revision: "None".to_string(),
            down_revision_text: String::new(),
            targets,
            imports,
            fields: views,
            features,
        })
    }

    /// Chains the resource's migration after `down_revision` as revision `revision`.
    pub fn with_revision(mut self, revision: &str, down_revision: Option<&str>) -> Self {
        self.revision = revision.to_string();
        self.down_revision = down_revision.map(quote).unwrap_or_else(|| "None".into());
        self.down_revision_text = down_revision.unwrap_or("").to_string();
        self
    }

    /// Refuses fields whose generated identifiers would clash or be too long, and field names
    /// the stack reserves.
    pub fn check(&self, reserved: &BTreeMap<String, String>) -> Result<(), UserError> {
        let generated: Vec<String> = GENERATED_SUFFIXES
            .iter()
            .map(|s| format!("{}{s}", self.class))
            .collect();
        if self.table.len() + 3 > MAX_IDENTIFIER {
            return Err(
                UserError::new(format!("`{}` is too long for a table name", self.table))
                    .hint("Choose a shorter resource name"),
            );
        }
        for view in &self.fields {
            let spec = &view.spec;
            if let Some(why) = reserved.get(&view.name) {
                return Err(UserError::new(format!(
                    "Invalid field `{spec}`: `{}` is reserved because {why}",
                    view.name
                ))
                .hint(format!("Rename it, e.g. `{}_value`", view.name)));
            }
            if view.name.len() > MAX_FIELD_LENGTH {
                return Err(UserError::new(format!(
                    "Field name `{}` is too long ({} characters, at most {MAX_FIELD_LENGTH})",
                    view.name,
                    view.name.len()
                ))
                .hint("Choose a shorter field name"));
            }
            if view.is_enum && generated.contains(&view.enum_class) {
                return Err(UserError::new(format!(
                    "Field `{spec}` would generate the enum class `{}`, which clashes with a generated class",
                    view.enum_class
                ))
                .hint(format!("Rename the field, e.g. `{}_kind`", view.name)));
            }
            if view.is_enum && view.name.len() + view.enum_class.len() > MAX_ENUM_FIELD_AND_CLASS {
                return Err(UserError::new(format!(
                    "Field `{spec}` would generate the enum class `{}`, too long beside the field name for the generated lines ({} characters together, at most {MAX_ENUM_FIELD_AND_CLASS})",
                    view.enum_class,
                    view.name.len() + view.enum_class.len()
                ))
                .hint("Choose a shorter field or resource name"));
            }
            for identifier in &view.identifiers {
                if identifier.len() > MAX_IDENTIFIER {
                    return Err(UserError::new(format!(
                        "Field `{spec}` would need the database identifier `{identifier}`, longer than PostgreSQL's {MAX_IDENTIFIER} characters"
                    ))
                    .hint("Choose a shorter field or resource name"));
                }
            }
            if view.is_ref && view.unique {
                return Err(UserError::new(format!(
                    "Field `{spec}`: a reference cannot be unique yet"
                ))
                .hint(format!(
                    "Drop `:unique` (the column is indexed either way): `{}`",
                    spec.replace(":unique", "")
                )));
            }
        }
        Ok(())
    }
}

/// The import lines each generated file needs for the fields it holds.
fn imports(fields: &[FieldView], names: &Names, grpc: bool) -> Result<Imports> {
    let mut out = Imports::default();
    let vars = |f: &FieldView| {
        BTreeMap::from([
            ("resource", names.snake.clone()),
            ("enum_class", f.enum_class.clone()),
        ])
    };
    let add = |list: &mut Vec<String>, f: &FieldView, items: &[String]| -> Result<()> {
        list.extend(fill_all(items, &vars(f))?);
        Ok(())
    };
    for f in fields {
        let row = f.row;
        add(&mut out.model, f, &row.python_imports)?;
        add(&mut out.model, f, &row.sqlalchemy_imports)?;
        add(&mut out.dto, f, &row.pydantic_imports)?;
        if !f.any_json {
            // The response DTO annotates with `mapped`; a JSON value keeps its pydantic type.
            add(&mut out.dto, f, &row.python_imports)?;
        }
        add(&mut out.migration, f, &row.alembic_imports)?;
        out.schema.extend(f.stack_imports.iter().cloned());
        if f.to_proto.is_some() {
            add(&mut out.servicer, f, &row.to_proto_imports)?;
            if f.optional {
                out.servicer
                    .push("from app.core.values import maybe".into());
            }
        }
        if f.any_json {
            out.servicer.push(JSON.into());
        }
        if f.is_ref {
            continue;
        }
        add(&mut out.samples, f, &row.python_imports)?;
        if grpc {
            out.samples.extend(f.sample_proto_imports.iter().cloned());
        }
        if f.from_json.is_some() {
            let items = if row.from_json_imports.is_empty() {
                &row.python_imports
            } else {
                &row.from_json_imports
            };
            add(&mut out.rest_test, f, items)?;
            if f.optional {
                out.rest_test
                    .push("from app.core.values import maybe".into());
            }
        }
        if f.from_proto.is_some() {
            let items = if row.from_proto.is_some() {
                &row.from_proto_imports
            } else if row.from_json_imports.is_empty() {
                &row.python_imports
            } else {
                &row.from_json_imports
            };
            add(&mut out.grpc_test, f, items)?;
            if f.optional {
                out.grpc_test
                    .push("from app.core.values import maybe".into());
            }
        }
        if f.optional {
            out.grpc_test.push(PRESENT.into());
        }
    }
    if fields.iter().any(|f| f.is_ref) {
        out.model.push("from typing import TYPE_CHECKING".into());
        out.model
            .push("from sqlalchemy.orm import relationship".into());
    }
    if fields.iter().any(|f| !f.optional) {
        out.dto.push("from pydantic import field_validator".into());
        out.dto
            .push("from app.dto.validation import not_null".into());
    }
    for list in [
        &mut out.model,
        &mut out.dto,
        &mut out.migration,
        &mut out.servicer,
        &mut out.samples,
        &mut out.rest_test,
        &mut out.grpc_test,
        &mut out.schema,
    ] {
        let mut seen = std::collections::BTreeSet::new();
        list.retain(|line| seen.insert(line.clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::fields::parse_field;

    fn resource(specs: &[&str]) -> ResourceView {
        let names = Names::from_snake("product");
        let fields: Vec<(Field, Option<Target>)> = specs
            .iter()
            .map(|spec| {
                let field = parse_field(spec).unwrap();
                let target = field.target().map(|t| Target {
                    names: Names::from_snake(t),
                    builtin_user: t == "user",
                });
                (field, target)
            })
            .collect();
        let features = serde_json::json!({"grpc": true, "auth": true, "cache": true});
        ResourceView::new(&names, &fields, "shop", "flask", features).unwrap()
    }

    fn field(spec: &str) -> FieldView {
        resource(&[spec]).fields.remove(0)
    }

    #[test]
    fn arguments_fill_the_per_type_facts() {
        let name = field("name:string:80:unique");
        assert_eq!(name.sqlalchemy, "String(80)");
        assert_eq!(name.alembic, "sa.String(length=80)");
        assert_eq!(name.pydantic, "Annotated[Text, Field(max_length=80)]");
        assert_eq!(name.invalid_proto.as_deref(), Some(r#""x" * 81"#));
        let price = field("price:decimal:10,3");
        assert_eq!(price.sqlalchemy, "ExactDecimal(10, 3)");
        assert_eq!(price.sample_a.unwrap().json, r#""19.999""#);
        let status = field("status:enum:draft,live");
        assert_eq!(status.python, "ProductStatus");
        assert_eq!(
            status.alembic,
            r#"sa.Enum("draft", "live", name="product_status", native_enum=False, create_constraint=True)"#
        );
        let sample = status.sample_a.unwrap();
        assert_eq!(
            (sample.python.as_str(), sample.json.as_str()),
            ("ProductStatus.DRAFT", r#""draft""#)
        );
        let owner = field("owner:ref:user:optional");
        assert_eq!(owner.sqlalchemy, r#"ForeignKey("users.id")"#);
        assert_eq!(owner.mapped, "int | None");
        assert!(owner.indexed && owner.sample_a.is_none());
    }

    #[test]
    fn optional_values_and_json() {
        assert_eq!(
            field("seen_at:datetime:optional").mapped,
            "dt.datetime | None"
        );
        let data = field("data:json:optional");
        assert_eq!(data.mapped, "Any");
        assert!(data.any_json && data.explicit_nullable);
        assert_eq!(
            field("data:json").sample_a.unwrap().proto,
            r#"'{"color": "red", "tags": ["new", "sale"]}'"#
        );
    }

    #[test]
    fn time_and_email_come_from_the_table() {
        let opens = field("opens_at:time");
        assert_eq!(
            (
                opens.sqlalchemy.as_str(),
                opens.alembic.as_str(),
                opens.pydantic.as_str()
            ),
            ("Time", "sa.Time()", "TimeOfDay")
        );
        assert_eq!(opens.to_proto.as_deref(), Some("dt.time.isoformat"));
        let contact = field("contact:email:unique");
        assert_eq!(contact.alembic, "sa.String(length=320)");
        assert_eq!(contact.pydantic, "Email");
        let sample = contact.sample_a.unwrap();
        assert_eq!(sample.python, r#""ada@example.com""#);
        assert_eq!(sample.json, r#""Ada@Example.com""#);
    }

    #[test]
    fn proto_numbers_follow_the_field_order() {
        let view = resource(&["name:string", "stock:int", "seen_at:datetime"]);
        let numbers: Vec<(usize, usize, usize)> = view
            .fields
            .iter()
            .map(|f| (f.proto_number, f.proto_create_number, f.proto_update_number))
            .collect();
        assert_eq!(numbers, vec![(2, 1, 2), (3, 2, 3), (4, 3, 4)]);
        assert_eq!(
            (view.response_created_number, view.response_updated_number),
            (5, 6)
        );
        assert_eq!(view.update_clear_number, 5);
        assert!(view.fields[2].proto_message);
    }

    #[test]
    fn each_file_imports_what_its_fields_need() {
        let view = resource(&[
            "price:decimal:optional",
            "status:enum:a,b",
            "owner:ref:user",
            "note:text",
        ]);
        let i = &view.imports;
        assert!(i.model.contains(&"from decimal import Decimal".to_string()));
        assert!(
            i.model
                .contains(&"from app.domain.product import ProductStatus".to_string())
        );
        assert!(
            i.model
                .contains(&"from sqlalchemy.orm import relationship".to_string())
        );
        assert!(
            !i.dto.iter().any(|l| l.contains("app.model")),
            "{:?}",
            i.dto
        );
        assert!(
            i.servicer
                .contains(&"from app.grpc.convert import decimal_text".to_string())
        );
        assert!(
            i.servicer
                .contains(&"from app.core.values import maybe".to_string())
        );
        assert!(
            i.rest_test
                .contains(&"from app.core.values import maybe".to_string())
        );
        assert!(
            i.grpc_test
                .contains(&"from tests.grpc.decode import present".to_string())
        );
        assert!(
            i.schema.contains(
                &"from app.controller.schemas.common import DECIMAL_METADATA, DecimalString"
                    .to_string()
            )
        );
        let plain = resource(&["note:text"]);
        assert!(plain.imports.servicer.is_empty() && plain.imports.rest_test.is_empty());
    }

    #[test]
    fn stack_arguments_follow_the_modifiers() {
        let name = field("name:string:80");
        assert_eq!(name.stack["field"], "fields.String");
        assert_eq!(
            name.stack["create"],
            "required=True, validate=validate.Length(max=80)"
        );
        assert_eq!(name.stack["update"], "validate=validate.Length(max=80)");
        assert_eq!(name.stack["response"], "required=True");
        let note = field("note:text:optional");
        assert_eq!(note.stack["update"], "allow_none=True");
        assert_eq!(note.stack["response"], "required=True, allow_none=True");
    }

    #[test]
    fn samples_are_distinct_and_valid() {
        assert_eq!(decimal_samples(12, 2), ("19.99".into(), "5.50".into()));
        assert_eq!(decimal_samples(3, 3), ("0.999".into(), "0.500".into()));
        assert_eq!(decimal_samples(1, 0), ("9".into(), "5".into()));
        assert_eq!(
            string_samples("email", 255),
            ("ada@example.com".into(), "grace@example.com".into())
        );
        let (a, b) = string_samples("nickname", 9);
        assert!(a.len() <= 9 && b.len() <= 9 && a != b);
        let (a, b) = string_samples("x", 1);
        assert_eq!((a.as_str(), b.as_str()), ("a", "b"));
        for (keyword, row) in types::TypeTable::get().rows() {
            if let [a, b] = row.samples.as_slice() {
                assert_ne!(a.python, b.python, "`{keyword}` samples are equal");
            }
        }
    }

    #[test]
    fn check_refuses_clashing_reserved_and_overlong_fields() {
        let reserved = &types::stack_table("flask").unwrap().reserved_fields;
        let err = resource(&["create:enum:a,b"]).check(reserved).unwrap_err();
        assert!(err.message.contains("ProductCreate"));
        let err = resource(&["owner:ref:user:unique"])
            .check(reserved)
            .unwrap_err();
        assert!(err.message.contains("cannot be unique"));
        assert_eq!(
            err.hint.as_deref().map(|h| h.contains("`owner:ref:user`")),
            Some(true)
        );
        let err = resource(&["load:string"]).check(reserved).unwrap_err();
        assert!(err.message.contains("Marshmallow"), "{}", err.message);
        let long = format!("{}:string", "a".repeat(37));
        let err = resource(&[&long]).check(reserved).unwrap_err();
        assert!(err.message.contains("too long"));
        assert!(
            resource(&["name:string", "note:text"])
                .check(reserved)
                .is_ok()
        );
    }
}
