//! The view model of `arcana add resource`: every name and per-field, per-layer string the
//! resource templates need, computed once here so the templates stay plain Python.
//!
//! A [`ResourceView`] is built from a validated name, the parsed fields and the project's
//! existing resources (for references). It decides the column type, the migration column, the
//! Marshmallow and Pydantic validation, the proto type and field numbers, the conversions in the
//! servicer and two distinct realistic sample values per field for the generated tests.

use heck::{ToTitleCase, ToUpperCamelCase};
use serde_json::{Map, Value, json};

use crate::error::UserError;
use crate::render::pyfmt::{Expr, sequence};
use crate::spec::fields::{Field, FieldType};
use crate::spec::resource::{MAX_FIELD_LENGTH, MAX_IDENTIFIER, Names, Target};

/// One of two sample values of a field, in each representation the tests need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// Python expression of the value as DTOs and entities hold it.
    pub py: Expr,
    /// Python expression of the value in a REST JSON body.
    pub json: Expr,
    /// Python expression of the value in a gRPC request message.
    pub proto: Expr,
}

/// Everything the templates need about one field.
#[derive(Debug, Clone)]
pub struct FieldView {
    pub field: Field,
    pub names: Names,
    pub target: Option<Target>,
}

fn atom(s: impl Into<String>) -> Expr {
    Expr::Atom(s.into())
}

fn call(head: impl Into<String>, args: Vec<Expr>) -> Expr {
    Expr::Call {
        head: head.into(),
        args,
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// Renders `prefix` + `expr` + `suffix` at `indent`, the way ruff lays it out.
fn line(indent: usize, expr: &Expr, suffix: &str) -> String {
    expr.render(indent, suffix)
}

impl FieldView {
    /// Attribute holding the value: the column (`owner_id` for a reference).
    pub fn column(&self) -> String {
        self.field.column()
    }

    fn ty(&self) -> &FieldType {
        &self.field.ty
    }

    /// `ProductStatus` for an enum field.
    pub fn enum_class(&self) -> String {
        format!(
            "{}{}",
            self.names.class,
            self.field.name.to_upper_camel_case()
        )
    }

    fn enum_values(&self) -> &[String] {
        match self.ty() {
            FieldType::Enum { values } => values,
            _ => &[],
        }
    }

    /// Whether the column carries an index (references always do).
    pub fn indexed(&self) -> bool {
        self.field.indexed || matches!(self.ty(), FieldType::Ref { .. })
    }

    /// The Python type of the value (entity and response).
    pub fn py_type(&self) -> String {
        match self.ty() {
            FieldType::String { .. } | FieldType::Text => "str".into(),
            FieldType::Int | FieldType::BigInt | FieldType::Ref { .. } => "int".into(),
            FieldType::Float => "float".into(),
            FieldType::Decimal { .. } => "Decimal".into(),
            FieldType::Bool => "bool".into(),
            FieldType::Date => "dt.date".into(),
            FieldType::DateTime => "dt.datetime".into(),
            FieldType::Uuid => "UUID".into(),
            FieldType::Json => "Any".into(),
            FieldType::Enum { .. } => self.enum_class(),
        }
    }

    fn optional_type(&self, ty: &str) -> String {
        if self.field.optional {
            format!("{ty} | None")
        } else {
            ty.to_string()
        }
    }

    /// The entity attribute line(s), indented for the class body.
    pub fn model_lines(&self) -> Vec<String> {
        let column = self.column();
        let mut args: Vec<Expr> = Vec::new();
        let mapped = match self.ty() {
            FieldType::Json => "Mapped[Any]".to_string(),
            _ => format!("Mapped[{}]", self.optional_type(&self.py_type())),
        };
        match self.ty() {
            FieldType::String { max_length } => args.push(atom(format!("String({max_length})"))),
            FieldType::Text => args.push(atom("Text")),
            FieldType::Int => args.push(atom("Integer")),
            FieldType::BigInt => args.push(atom("BigInteger")),
            FieldType::Float => args.push(atom("Double")),
            FieldType::Decimal { precision, scale } => {
                args.push(atom(format!("Numeric({precision}, {scale})")))
            }
            FieldType::Bool => args.push(atom("Boolean")),
            FieldType::Date => args.push(atom("Date")),
            FieldType::DateTime => {}
            FieldType::Uuid => args.push(atom("Uuid")),
            FieldType::Json => args.push(atom("_JSON_VALUE")),
            FieldType::Enum { .. } => args.push(call(
                "Enum",
                vec![
                    atom(self.enum_class()),
                    atom(format!("name={}", quote(&self.constraint_name()))),
                    atom("native_enum=False"),
                    atom("create_constraint=True"),
                    atom("values_callable=_enum_values"),
                ],
            )),
            FieldType::Ref { .. } => args.push(atom(format!(
                "ForeignKey({})",
                quote(&format!("{}.id", self.target_table()))
            ))),
        }
        if matches!(self.ty(), FieldType::Json) {
            args.push(atom(format!(
                "nullable={}",
                if self.field.optional { "True" } else { "False" }
            )));
        }
        if self.field.unique {
            args.push(atom("unique=True"));
        }
        if self.indexed() {
            args.push(atom("index=True"));
        }
        let head = format!("{column}: {mapped} = mapped_column");
        let mut lines = vec![line(4, &call(head, args), "")];
        if let Some(target) = &self.target {
            let class = &target.names.class;
            let ty = if self.field.optional {
                format!("\"{class} | None\"")
            } else {
                format!("\"{class}\"")
            };
            lines.push(line(
                4,
                &call(
                    format!("{}: Mapped[{ty}] = relationship", self.field.name),
                    vec![atom(format!("foreign_keys=[{column}]"))],
                ),
                "",
            ));
        }
        lines
    }

    /// Import lines the entity module needs for this field (merged and sorted later).
    pub fn model_imports(&self) -> Vec<&'static str> {
        match self.ty() {
            FieldType::String { .. } => vec!["from sqlalchemy import String"],
            FieldType::Text => vec!["from sqlalchemy import Text"],
            FieldType::Int => vec!["from sqlalchemy import Integer"],
            FieldType::BigInt => vec!["from sqlalchemy import BigInteger"],
            FieldType::Float => vec!["from sqlalchemy import Double"],
            FieldType::Decimal { .. } => {
                vec![
                    "from decimal import Decimal",
                    "from sqlalchemy import Numeric",
                ]
            }
            FieldType::Bool => vec!["from sqlalchemy import Boolean"],
            FieldType::Date => vec!["import datetime as dt", "from sqlalchemy import Date"],
            FieldType::DateTime => vec!["import datetime as dt"],
            FieldType::Uuid => vec!["from uuid import UUID", "from sqlalchemy import Uuid"],
            FieldType::Json => vec![
                "from typing import Any",
                "from sqlalchemy import JSON",
                "from sqlalchemy.dialects import postgresql",
            ],
            FieldType::Enum { .. } => vec!["import enum", "from sqlalchemy import Enum"],
            FieldType::Ref { .. } => vec![
                "from typing import TYPE_CHECKING",
                "from sqlalchemy import ForeignKey",
                "from sqlalchemy.orm import relationship",
            ],
        }
    }

    fn target_table(&self) -> String {
        self.target
            .as_ref()
            .map(|t| t.table().to_string())
            .unwrap_or_default()
    }

    /// `product_status`: the name of an enum's CHECK constraint.
    fn constraint_name(&self) -> String {
        format!("{}_{}", self.names.snake, self.field.name)
    }

    /// The `sa.Column(...)` line of the migration, indented for `op.create_table(`.
    pub fn migration_column(&self) -> String {
        let ty = match self.ty() {
            FieldType::String { max_length } => atom(format!("sa.String(length={max_length})")),
            FieldType::Text => atom("sa.Text()"),
            FieldType::Int => atom("sa.Integer()"),
            FieldType::BigInt => atom("sa.BigInteger()"),
            FieldType::Float => atom("sa.Double()"),
            FieldType::Decimal { precision, scale } => {
                atom(format!("sa.Numeric(precision={precision}, scale={scale})"))
            }
            FieldType::Bool => atom("sa.Boolean()"),
            FieldType::Date => atom("sa.Date()"),
            FieldType::DateTime => atom("sa.DateTime(timezone=True)"),
            FieldType::Uuid => atom("sa.Uuid()"),
            FieldType::Json => atom("sa.JSON().with_variant(postgresql.JSONB(), \"postgresql\")"),
            FieldType::Enum { values } => {
                let mut args: Vec<Expr> = values.iter().map(|v| atom(quote(v))).collect();
                args.push(atom(format!("name={}", quote(&self.constraint_name()))));
                args.push(atom("native_enum=False"));
                args.push(atom("create_constraint=True"));
                call("sa.Enum", args)
            }
            FieldType::Ref { .. } => atom("sa.BigInteger().with_variant(sa.Integer(), \"sqlite\")"),
        };
        let nullable = if self.field.optional { "True" } else { "False" };
        line(
            8,
            &call(
                "sa.Column",
                vec![
                    atom(quote(&self.column())),
                    ty,
                    atom(format!("nullable={nullable}")),
                ],
            ),
            ",",
        )
    }

    /// Constraint lines of `op.create_table(` (foreign key, unique constraint).
    pub fn migration_constraints(&self, table: &str) -> Vec<String> {
        let column = self.column();
        let mut out = Vec::new();
        if let Some(target) = &self.target {
            out.push(line(
                8,
                &call(
                    "sa.ForeignKeyConstraint",
                    vec![
                        atom(format!("[{}]", quote(&column))),
                        atom(format!("[{}]", quote(&format!("{}.id", target.table())))),
                        atom(format!(
                            "name=op.f({})",
                            quote(&format!("fk_{table}_{column}_{}", target.table()))
                        )),
                    ],
                ),
                ",",
            ));
        }
        if self.field.unique && !self.indexed() {
            out.push(line(
                8,
                &call(
                    "sa.UniqueConstraint",
                    vec![
                        atom(quote(&column)),
                        atom(format!(
                            "name=op.f({})",
                            quote(&format!("uq_{table}_{column}"))
                        )),
                    ],
                ),
                ",",
            ));
        }
        out
    }

    /// `(create_index line, drop_index line)` when the column is indexed.
    pub fn migration_index(&self, table: &str) -> Option<(String, String)> {
        if !self.indexed() {
            return None;
        }
        let column = self.column();
        let name = quote(&format!("ix_{table}_{column}"));
        let unique = if self.field.unique { "True" } else { "False" };
        let create = line(
            4,
            &call(
                "op.create_index",
                vec![
                    atom(format!("op.f({name})")),
                    atom(quote(table)),
                    atom(format!("[{}]", quote(&column))),
                    atom(format!("unique={unique}")),
                ],
            ),
            "",
        );
        let drop = line(
            4,
            &call(
                "op.drop_index",
                vec![
                    atom(format!("op.f({name})")),
                    atom(format!("table_name={}", quote(table))),
                ],
            ),
            "",
        );
        Some((create, drop))
    }

    /// Constraint and index names, to check them against PostgreSQL's identifier limit.
    pub fn identifiers(&self, table: &str) -> Vec<String> {
        let column = self.column();
        let mut out = vec![
            format!("ix_{table}_{column}"),
            format!("uq_{table}_{column}"),
        ];
        if let Some(target) = &self.target {
            out.push(format!("fk_{table}_{column}_{}", target.table()));
        }
        if matches!(self.ty(), FieldType::Enum { .. }) {
            out.push(format!("ck_{table}_{}", self.constraint_name()));
        }
        out
    }

    /// The Pydantic type of the value in create/update requests.
    pub fn dto_type(&self) -> String {
        match self.ty() {
            FieldType::String { max_length } => format!("String{max_length}"),
            FieldType::Text => "str".into(),
            FieldType::Int => "Int32".into(),
            FieldType::BigInt => "Int64".into(),
            FieldType::Float => "Float64".into(),
            FieldType::Decimal { precision, scale } => format!("Decimal{precision}_{scale}"),
            FieldType::Bool => "bool".into(),
            FieldType::Date => "dt.date".into(),
            FieldType::DateTime => "AwareDatetime".into(),
            FieldType::Uuid => "UUID".into(),
            FieldType::Json => "JsonValue".into(),
            FieldType::Enum { .. } => self.enum_class(),
            FieldType::Ref { .. } => "RowId".into(),
        }
    }

    /// The module-level alias the DTO type needs, if any: `(name, definition)`.
    pub fn dto_alias(&self) -> Option<(String, String)> {
        let definition = match self.ty() {
            FieldType::String { max_length } => {
                format!("Annotated[str, Field(max_length={max_length})]")
            }
            FieldType::Int => "Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]".into(),
            FieldType::BigInt => "Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]".into(),
            FieldType::Float => "Annotated[float, Field(allow_inf_nan=False)]".into(),
            FieldType::Decimal { precision, scale } => {
                format!("Annotated[Decimal, Field(max_digits={precision}, decimal_places={scale})]")
            }
            FieldType::Ref { .. } => "Annotated[int, Field(ge=1)]".into(),
            _ => return None,
        };
        Some((self.dto_type(), definition))
    }

    /// The field line of the create DTO.
    pub fn dto_create(&self) -> String {
        let column = self.column();
        match (self.ty(), self.field.optional) {
            (FieldType::Json, true) => format!("{column}: JsonValue = None"),
            (FieldType::Json, false) => format!("{column}: JsonValue"),
            (_, true) => format!("{column}: {} | None = None", self.dto_type()),
            (_, false) => format!("{column}: {}", self.dto_type()),
        }
    }

    /// The field line of the partial update DTO.
    pub fn dto_update(&self) -> String {
        let column = self.column();
        match self.ty() {
            FieldType::Json => format!("{column}: JsonValue = None"),
            _ => format!("{column}: {} | None = None", self.dto_type()),
        }
    }

    /// The field line of the response DTO.
    pub fn dto_response(&self) -> String {
        let column = self.column();
        match self.ty() {
            FieldType::Json => format!("{column}: JsonValue"),
            _ => format!("{column}: {}", self.optional_type(&self.py_type())),
        }
    }

    fn ma_field(&self, mode: MaMode) -> String {
        let (class, mut args): (&str, Vec<Expr>) = match self.ty() {
            FieldType::String { max_length } => (
                "fields.String",
                vec![atom(format!("validate=validate.Length(max={max_length})"))],
            ),
            FieldType::Text => ("fields.String", vec![]),
            FieldType::Int => (
                "fields.Integer",
                vec![atom("strict=True"), atom("validate=INT32_RANGE")],
            ),
            FieldType::BigInt => (
                "fields.Integer",
                vec![atom("strict=True"), atom("validate=INT64_RANGE")],
            ),
            FieldType::Float => ("fields.Float", vec![atom("allow_nan=False")]),
            FieldType::Decimal { .. } => (
                "fields.Decimal",
                vec![atom("as_string=True"), atom("metadata=DECIMAL_METADATA")],
            ),
            FieldType::Bool => ("fields.Boolean", vec![]),
            FieldType::Date => ("fields.Date", vec![]),
            FieldType::DateTime => ("fields.AwareDateTime", vec![]),
            FieldType::Uuid => ("fields.UUID", vec![]),
            FieldType::Json => ("fields.Raw", vec![atom("metadata=JSON_METADATA")]),
            FieldType::Enum { .. } => (
                "fields.String",
                vec![atom(format!(
                    "validate=validate.OneOf({})",
                    self.enum_values_constant()
                ))],
            ),
            FieldType::Ref { .. } => (
                "fields.Integer",
                vec![atom("strict=True"), atom("validate=validate.Range(min=1)")],
            ),
        };
        if mode == MaMode::Response {
            // Responses are dumped, not validated; keep only what documents the value.
            args.retain(|a| {
                let Expr::Atom(a) = a else { return true };
                a.starts_with("as_string") || a.starts_with("metadata") || a.contains("OneOf")
            });
        }
        let mut lead: Vec<Expr> = Vec::new();
        match mode {
            MaMode::Create if !self.field.optional => lead.push(atom("required=True")),
            MaMode::Response => lead.push(atom("required=True")),
            _ => {}
        }
        if self.field.optional {
            lead.push(atom("allow_none=True"));
        }
        lead.extend(args);
        line(4, &call(format!("{} = {class}", self.column()), lead), "")
    }

    /// `STATUS_VALUES`, the list of an enum's values in the schema module.
    pub fn enum_values_constant(&self) -> String {
        format!("{}_VALUES", self.field.name.to_uppercase())
    }

    /// The enum's values as a Python list literal.
    pub fn enum_values_literal(&self) -> String {
        let quoted: Vec<String> = self.enum_values().iter().map(|v| quote(v)).collect();
        format!("[{}]", quoted.join(", "))
    }

    /// `(MEMBER, "value")` pairs of an enum.
    pub fn enum_members(&self) -> Vec<(String, String)> {
        self.enum_values()
            .iter()
            .map(|v| (v.to_uppercase(), v.clone()))
            .collect()
    }

    /// The proto type of the value.
    pub fn proto_type(&self) -> &'static str {
        match self.ty() {
            FieldType::Int => "int32",
            FieldType::BigInt | FieldType::Ref { .. } => "int64",
            FieldType::Float => "double",
            FieldType::Bool => "bool",
            FieldType::DateTime => "google.protobuf.Timestamp",
            _ => "string",
        }
    }

    fn proto_is_message(&self) -> bool {
        matches!(self.ty(), FieldType::DateTime)
    }

    /// A proto comment describing the encoding, when the proto type does not say it all.
    pub fn proto_comment(&self) -> Option<String> {
        let what = match self.ty() {
            FieldType::String { max_length } => format!("At most {max_length} characters."),
            FieldType::Decimal { precision, scale } => format!(
                "Decimal number as a string ({precision} digits, {scale} after the point), e.g. \"{}\".",
                decimal_samples(*precision, *scale).0
            ),
            FieldType::Date => "ISO 8601 date, e.g. \"2024-05-17\".".into(),
            FieldType::Uuid => "UUID, e.g. \"6f1c8e2a-3b4d-4c5e-9f60-7a8b9c0d1e2f\".".into(),
            FieldType::Json => "Any JSON value, as JSON text.".into(),
            FieldType::Enum { values } => format!("One of: {}.", values.join(", ")),
            FieldType::Ref { .. } => {
                let target = self.target.as_ref().map(|t| t.names.human.clone());
                format!(
                    "Id of the {} ({}).",
                    self.field.name.replace('_', " "),
                    target.unwrap_or_default()
                )
            }
            _ => return None,
        };
        Some(what)
    }

    /// The field's declaration in a message at `number`; `presence` adds `optional`.
    pub fn proto_decl(&self, number: usize, presence: bool) -> String {
        let optional = if presence && !self.proto_is_message() {
            "optional "
        } else {
            ""
        };
        format!(
            "{optional}{} {} = {number};",
            self.proto_type(),
            self.column()
        )
    }

    /// The servicer's conversion of a DTO value to its proto representation, if not the
    /// identity: a callable name applied to the value.
    fn to_proto_converter(&self) -> Option<&'static str> {
        match self.ty() {
            FieldType::Decimal { .. } => Some("_decimal_text"),
            FieldType::Date => Some("dt.date.isoformat"),
            FieldType::DateTime => Some("to_timestamp"),
            FieldType::Uuid | FieldType::Enum { .. } => Some("str"),
            FieldType::Json => Some("json.dumps"),
            _ => None,
        }
    }

    /// The keyword argument building the response message from the DTO `var`.
    pub fn to_proto_kwarg(&self, var: &str) -> String {
        let column = self.column();
        let value = format!("{var}.{column}");
        let expr = match (self.to_proto_converter(), self.field.optional) {
            (None, _) => atom(format!("{column}={value}")),
            (Some(conv), false) => call(format!("{column}={conv}"), vec![atom(value)]),
            (Some(conv), true) => call(format!("{column}=_maybe"), vec![atom(conv), atom(value)]),
        };
        line(8, &expr, ",")
    }

    /// Whether converting to proto needs `_maybe` (optional and not the identity).
    pub fn needs_maybe_to_proto(&self) -> bool {
        self.field.optional && self.to_proto_converter().is_some()
    }

    /// Decoder of the REST JSON representation back to the Python value, if not the identity.
    fn json_decoder(&self) -> Option<String> {
        match self.ty() {
            FieldType::Decimal { .. } => Some("Decimal".into()),
            FieldType::Date => Some("dt.date.fromisoformat".into()),
            FieldType::DateTime => Some("dt.datetime.fromisoformat".into()),
            FieldType::Uuid => Some("UUID".into()),
            FieldType::Enum { .. } => Some(self.enum_class()),
            _ => None,
        }
    }

    /// Decoder of the proto representation back to the Python value, if not the identity.
    fn proto_decoder(&self) -> Option<String> {
        match self.ty() {
            FieldType::Json => Some("json.loads".into()),
            FieldType::DateTime => Some("_datetime".into()),
            _ => self.json_decoder(),
        }
    }

    /// Whether decoding REST JSON needs `_maybe`.
    pub fn needs_maybe_from_json(&self) -> bool {
        self.field.optional && self.json_decoder().is_some()
    }

    /// Whether decoding a message needs `_maybe`.
    pub fn needs_maybe_from_proto(&self) -> bool {
        self.field.optional && self.proto_decoder().is_some()
    }

    /// `"price": Decimal(product["price"]),` in the REST test's `values()`.
    pub fn from_json_entry(&self, var: &str) -> String {
        let column = self.column();
        let key = quote(&column);
        let value = format!("{var}[{key}]");
        let expr = match (self.json_decoder(), self.field.optional) {
            (None, _) => atom(format!("{key}: {value}")),
            (Some(dec), false) => call(format!("{key}: {dec}"), vec![atom(value)]),
            (Some(dec), true) => call(format!("{key}: _maybe"), vec![atom(dec), atom(value)]),
        };
        line(8, &expr, ",")
    }

    /// `"price": Decimal(product.price),` in the gRPC test's `values()`.
    pub fn from_proto_entry(&self, var: &str) -> String {
        let column = self.column();
        let key = quote(&column);
        let value = if self.field.optional {
            call("_present", vec![atom(var), atom(key.clone())])
        } else {
            atom(format!("{var}.{column}"))
        };
        let expr = match (self.proto_decoder(), self.field.optional) {
            (None, false) => atom(format!("{key}: {var}.{column}")),
            (None, true) => call(
                format!("{key}: _present"),
                vec![atom(var), atom(key.clone())],
            ),
            (Some(dec), false) => call(format!("{key}: {dec}"), vec![value]),
            (Some(dec), true) => call(format!("{key}: _maybe"), vec![atom(dec), value]),
        };
        line(8, &expr, ",")
    }

    /// The two sample values (A, B) of a non-reference field.
    pub fn samples(&self) -> (Sample, Sample) {
        let same = |py: String| Sample {
            py: atom(py.clone()),
            json: atom(py.clone()),
            proto: atom(py),
        };
        match self.ty() {
            FieldType::String { max_length } => {
                let (a, b) = string_samples(&self.field.name, *max_length as usize);
                (same(quote(&a)), same(quote(&b)))
            }
            FieldType::Text => {
                let human = self.field.name.replace('_', " ");
                (
                    same(quote(&format!("A first {human}."))),
                    same(quote(&format!("A second {human}."))),
                )
            }
            FieldType::Int => (same("42".into()), same("7".into())),
            FieldType::BigInt => (same("9_000_000_000".into()), same("12".into())),
            FieldType::Float => (same("4.5".into()), same("3.25".into())),
            FieldType::Bool => (same("True".into()), same("False".into())),
            FieldType::Decimal { precision, scale } => {
                let (a, b) = decimal_samples(*precision, *scale);
                let sample = |v: &str| Sample {
                    py: call("Decimal", vec![atom(quote(v))]),
                    json: atom(quote(v)),
                    proto: atom(quote(v)),
                };
                (sample(&a), sample(&b))
            }
            FieldType::Date => {
                let sample = |y: u32, m: u32, d: u32| Sample {
                    py: call(
                        "dt.date",
                        vec![
                            atom(y.to_string()),
                            atom(m.to_string()),
                            atom(d.to_string()),
                        ],
                    ),
                    json: atom(quote(&format!("{y}-{m:02}-{d:02}"))),
                    proto: atom(quote(&format!("{y}-{m:02}-{d:02}"))),
                };
                (sample(2024, 5, 17), sample(2023, 11, 2))
            }
            FieldType::DateTime => {
                let a = call(
                    "dt.datetime",
                    ["2024", "5", "17", "9", "30", "0", "123456", "tzinfo=dt.UTC"]
                        .map(atom)
                        .to_vec(),
                );
                let b = call(
                    "dt.datetime",
                    ["2023", "11", "2", "18", "45", "30", "tzinfo=dt.UTC"]
                        .map(atom)
                        .to_vec(),
                );
                (
                    Sample {
                        json: atom(quote("2024-05-17T09:30:00.123456+00:00")),
                        proto: call("to_timestamp", vec![a.clone()]),
                        py: a,
                    },
                    Sample {
                        json: atom(quote("2023-11-02T18:45:30+00:00")),
                        proto: call("to_timestamp", vec![b.clone()]),
                        py: b,
                    },
                )
            }
            FieldType::Uuid => {
                let sample = |v: &str| Sample {
                    py: call("UUID", vec![atom(quote(v))]),
                    json: atom(quote(v)),
                    proto: atom(quote(v)),
                };
                (
                    sample("6f1c8e2a-3b4d-4c5e-9f60-7a8b9c0d1e2f"),
                    sample("0b7e4c1d-9a2f-4e8b-8c3d-5f6a7b8c9d0e"),
                )
            }
            FieldType::Json => {
                let sample = |v: &str| Sample {
                    py: atom(v),
                    json: atom(v),
                    proto: atom(format!("'{v}'")),
                };
                (
                    sample(r#"{"color": "red", "tags": ["new", "sale"]}"#),
                    sample(r#"{"color": "blue", "size": 3}"#),
                )
            }
            FieldType::Enum { values } => {
                let a = &values[0];
                let b = values.get(1).unwrap_or(a);
                let sample = |v: &str| Sample {
                    py: atom(format!("{}.{}", self.enum_class(), v.to_uppercase())),
                    json: atom(quote(v)),
                    proto: atom(quote(v)),
                };
                (sample(a), sample(b))
            }
            FieldType::Ref { .. } => (same("1".into()), same("1".into())),
        }
    }

    /// A REST JSON value that fails validation for this field, if one exists.
    pub fn invalid_json(&self) -> Option<String> {
        Some(match self.ty() {
            FieldType::String { .. } | FieldType::Text => "12345".into(),
            FieldType::Int | FieldType::BigInt | FieldType::Float | FieldType::Decimal { .. } => {
                quote("many")
            }
            FieldType::Bool => quote("maybe"),
            FieldType::Date | FieldType::DateTime => quote("not-a-date"),
            FieldType::Uuid => quote("not-a-uuid"),
            FieldType::Enum { .. } => quote(&format!("not_a_{}", self.field.name)),
            FieldType::Ref { .. } => quote("first"),
            FieldType::Json => return None,
        })
    }

    /// A gRPC request value that fails validation for this field, if one exists.
    pub fn invalid_proto(&self) -> Option<String> {
        Some(match self.ty() {
            FieldType::String { max_length } => format!("\"x\" * {}", max_length + 1),
            FieldType::Decimal { .. } => quote("many"),
            FieldType::Date => quote("not-a-date"),
            FieldType::Uuid => quote("not-a-uuid"),
            FieldType::Json => quote("{not json"),
            FieldType::Enum { .. } => quote(&format!("not_a_{}", self.field.name)),
            FieldType::Float => "float(\"nan\")".into(),
            _ => return None,
        })
    }

    /// The JSON view of this field for the templates.
    pub fn to_value(&self, var: &str, index: usize) -> Value {
        let (a, b) = self.samples();
        let table = &self.names.plural;
        let index_lines = self.migration_index(table);
        {
            let mut map = Map::new();
            map.insert("name".into(), json!(self.field.name));
            map.insert("column".into(), json!(self.column()));
            map.insert("human".into(), json!(self.field.name.replace('_', " ")));
            map.insert("kind".into(), json!(self.ty().keyword()));
            map.insert("optional".into(), json!(self.field.optional));
            map.insert("unique".into(), json!(self.field.unique));
            map.insert("is_ref".into(), json!(self.target.is_some()));
            map.insert(
                "is_json".into(),
                json!(matches!(self.ty(), FieldType::Json)),
            );
            map.insert(
                "is_enum".into(),
                json!(matches!(self.ty(), FieldType::Enum { .. })),
            );
            map.insert("model_lines".into(), json!(self.model_lines()));
            map.insert("model_imports".into(), json!(self.model_imports()));
            map.insert("migration_column".into(), json!(self.migration_column()));
            map.insert(
                "migration_constraints".into(),
                json!(self.migration_constraints(table)),
            );
            map.insert(
                "migration_create_index".into(),
                json!(index_lines.as_ref().map(|(c, _)| c.clone())),
            );
            map.insert(
                "migration_drop_index".into(),
                json!(index_lines.as_ref().map(|(_, d)| d.clone())),
            );
            map.insert("dto_create".into(), json!(self.dto_create()));
            map.insert("dto_update".into(), json!(self.dto_update()));
            map.insert("dto_response".into(), json!(self.dto_response()));
            map.insert("ma_create".into(), json!(self.ma_field(MaMode::Create)));
            map.insert("ma_update".into(), json!(self.ma_field(MaMode::Update)));
            map.insert("ma_response".into(), json!(self.ma_field(MaMode::Response)));
            map.insert("enum_class".into(), json!(self.enum_class()));
            map.insert(
                "enum_members".into(),
                json!(
                    self.enum_members()
                        .iter()
                        .map(|(m, v)| json!({"member": m, "value": v}))
                        .collect::<Vec<_>>()
                ),
            );
            map.insert(
                "enum_values_constant".into(),
                json!(self.enum_values_constant()),
            );
            map.insert(
                "enum_values_literal".into(),
                json!(self.enum_values_literal()),
            );
            map.insert("proto_comment".into(), json!(self.proto_comment()));
            map.insert(
                "proto_response".into(),
                json!(self.proto_decl(index + 2, self.field.optional)),
            );
            map.insert(
                "proto_create".into(),
                json!(self.proto_decl(index + 1, true)),
            );
            map.insert(
                "proto_update".into(),
                json!(self.proto_decl(index + 2, true)),
            );
            map.insert("to_proto".into(), json!(self.to_proto_kwarg(var)));
            map.insert("from_json".into(), json!(self.from_json_entry("body")));
            map.insert("from_proto".into(), json!(self.from_proto_entry("message")));
            map.insert(
                "sample_py_a".into(),
                json!(line(4, &prefixed(&self.column(), &a.py), ",")),
            );
            map.insert(
                "sample_py_b".into(),
                json!(line(4, &prefixed(&self.column(), &b.py), ",")),
            );
            map.insert(
                "sample_json_a".into(),
                json!(line(4, &prefixed(&self.column(), &a.json), ",")),
            );
            map.insert(
                "sample_json_b".into(),
                json!(line(4, &prefixed(&self.column(), &b.json), ",")),
            );
            map.insert(
                "sample_proto_a".into(),
                json!(line(4, &prefixed(&self.column(), &a.proto), ",")),
            );
            map.insert(
                "sample_proto_b".into(),
                json!(line(4, &prefixed(&self.column(), &b.proto), ",")),
            );
            map.insert("invalid_json".into(), json!(self.invalid_json()));
            map.insert("invalid_proto".into(), json!(self.invalid_proto()));
            map.insert(
                "target_class".into(),
                json!(self.target.as_ref().map(|t| t.names.class.clone())),
            );
            map.insert(
                "target_snake".into(),
                json!(self.target.as_ref().map(|t| t.names.snake.clone())),
            );
            map.insert(
                "target_human".into(),
                json!(self.target.as_ref().map(|t| t.names.human.clone())),
            );
            map.insert(
                "target_builtin_user".into(),
                json!(self.target.as_ref().is_some_and(|t| t.builtin_user)),
            );
            Value::Object(map)
        }
    }
}

/// `"key": value` as an expression, keeping a call splittable.
fn prefixed(key: &str, value: &Expr) -> Expr {
    match value {
        Expr::Atom(v) => atom(format!("{}: {v}", quote(key))),
        Expr::Call { head, args } => call(format!("{}: {head}", quote(key)), args.clone()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MaMode {
    Create,
    Update,
    Response,
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

/// The whole resource, ready to render.
#[derive(Debug, Clone)]
pub struct ResourceView {
    pub names: Names,
    pub fields: Vec<FieldView>,
    pub project_snake: String,
}

impl ResourceView {
    pub fn new(names: Names, fields: Vec<(Field, Option<Target>)>, project_snake: &str) -> Self {
        let views = fields
            .into_iter()
            .map(|(field, target)| FieldView {
                field,
                names: names.clone(),
                target,
            })
            .collect();
        Self {
            names,
            fields: views,
            project_snake: project_snake.to_string(),
        }
    }

    /// Refuses fields whose generated identifiers would clash or be too long.
    pub fn check(&self) -> Result<(), UserError> {
        let generated: Vec<String> = [
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
        ]
        .iter()
        .map(|s| format!("{}{s}", self.names.class))
        .collect();
        let table = &self.names.plural;
        if table.len() + 3 > MAX_IDENTIFIER {
            return Err(
                UserError::new(format!("`{table}` is too long for a table name"))
                    .hint("Choose a shorter resource name"),
            );
        }
        for view in &self.fields {
            let field = &view.field;
            if field.name.len() > MAX_FIELD_LENGTH {
                return Err(UserError::new(format!(
                    "Field name `{}` is too long ({} characters, at most {MAX_FIELD_LENGTH})",
                    field.name,
                    field.name.len()
                ))
                .hint("Choose a shorter field name"));
            }
            if matches!(field.ty, FieldType::Enum { .. }) && generated.contains(&view.enum_class())
            {
                return Err(UserError::new(format!(
                    "Field `{field}` would generate the enum class `{}`, which clashes with a generated class",
                    view.enum_class()
                ))
                .hint(format!("Rename the field, e.g. `{}_kind`", field.name)));
            }
            for identifier in view.identifiers(table) {
                if identifier.len() > MAX_IDENTIFIER {
                    return Err(UserError::new(format!(
                        "Field `{field}` would need the database identifier `{identifier}`, longer than PostgreSQL's {MAX_IDENTIFIER} characters"
                    ))
                    .hint("Choose a shorter field or resource name"));
                }
            }
            if matches!(field.ty, FieldType::Ref { .. }) && field.unique {
                return Err(UserError::new(format!(
                    "Field `{field}`: a reference cannot be unique yet"
                ))
                .hint(format!(
                    "Drop `:unique` (the column is indexed either way): `{}`",
                    Field {
                        unique: false,
                        ..field.clone()
                    }
                )));
            }
        }
        Ok(())
    }

    fn var(&self) -> &str {
        &self.names.snake
    }

    /// The template context.
    pub fn context(&self, revision: &str, down_revision: Option<&str>) -> Value {
        let n = &self.names;
        let var = self.var();
        let fields: Vec<Value> = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| f.to_value(var, i))
            .collect();
        let of = |pred: &dyn Fn(&FieldView) -> bool| -> Vec<Value> {
            self.fields
                .iter()
                .enumerate()
                .filter(|(_, f)| pred(f))
                .map(|(i, _)| fields[i].clone())
                .collect()
        };
        let has = |pred: &dyn Fn(&FieldType) -> bool| self.fields.iter().any(|f| pred(&f.field.ty));
        let mut aliases: Vec<(String, String)> = self
            .fields
            .iter()
            .filter_map(FieldView::dto_alias)
            .collect();
        aliases.sort_by(|a, b| a.0.cmp(&b.0));
        aliases.dedup();
        let aliases: Vec<Value> = aliases
            .into_iter()
            .map(|(name, definition)| json!({"name": name, "definition": definition}))
            .collect();
        // Targets of references, each once, for test fixtures and model imports.
        let mut targets: Vec<Value> = Vec::new();
        for f in &self.fields {
            if let Some(t) = &f.target
                && !targets.iter().any(|v| v["snake"] == t.names.snake.as_str())
            {
                targets.push(json!({
                    "snake": t.names.snake,
                    "class": t.names.class,
                    "human": t.names.human,
                    "builtin_user": t.builtin_user,
                }));
            }
        }
        // Sorted by module, as isort wants the imports of the `TYPE_CHECKING` block.
        targets.sort_by(|a, b| a["snake"].as_str().cmp(&b["snake"].as_str()));
        let required_not_null: Vec<String> = self
            .fields
            .iter()
            .filter(|f| !f.field.optional)
            .map(|f| quote(&f.column()))
            .collect();
        let required_json: Vec<String> = self
            .fields
            .iter()
            .filter(|f| !f.field.optional && matches!(f.field.ty, FieldType::Json))
            .map(|f| quote(&f.column()))
            .collect();
        let validator = |names: &[String]| -> Option<String> {
            if names.is_empty() {
                return None;
            }
            Some(line(
                4,
                &call(
                    "@field_validator",
                    names.iter().map(|n| atom(n.clone())).collect(),
                ),
                "",
            ))
        };
        let first = |pred: &dyn Fn(&FieldView) -> bool| -> Value {
            self.fields
                .iter()
                .enumerate()
                .find(|(_, f)| pred(f))
                .map(|(i, _)| fields[i].clone())
                .unwrap_or(Value::Null)
        };
        let indexes: Vec<Value> = self
            .fields
            .iter()
            .filter_map(|f| f.migration_index(&n.plural))
            .map(|(c, d)| json!({"create": c, "drop": d}))
            .collect();
        let unique_columns: Vec<String> = self
            .fields
            .iter()
            .filter(|f| f.field.unique)
            .map(|f| quote(&f.column()))
            .collect();
        let reference_messages: Vec<String> = self
            .fields
            .iter()
            .filter_map(|f| {
                let t = f.target.as_ref()?;
                Some(format!("{}: {}", quote(&f.column()), quote(&t.names.human)))
            })
            .collect();
        let reference_classes: Vec<String> = self
            .fields
            .iter()
            .filter_map(|f| {
                let t = f.target.as_ref()?;
                Some(format!("{}: {}", quote(&f.column()), t.names.class))
            })
            .collect();
        let response_number = self.fields.len() + 2;
        {
            let mut map = Map::new();
            map.insert("project_snake".into(), json!(self.project_snake));
            map.insert("snake".into(), json!(n.snake));
            map.insert("plural".into(), json!(n.plural));
            map.insert("class".into(), json!(n.class));
            map.insert("plural_class".into(), json!(n.plural_class));
            map.insert("kebab_plural".into(), json!(n.kebab_plural));
            map.insert("human".into(), json!(n.human));
            map.insert("human_plural".into(), json!(n.human_plural));
            map.insert("title".into(), json!(capitalize(&n.human)));
            map.insert("title_plural".into(), json!(capitalize(&n.human_plural)));
            map.insert("article".into(), json!(n.article));
            map.insert("var".into(), json!(var));
            map.insert("table".into(), json!(n.plural));
            map.insert("service_attr".into(), json!(format!("{}_service", n.snake)));
            map.insert("fields".into(), json!(fields));
            map.insert("aliases".into(), json!(aliases));
            map.insert("targets".into(), json!(targets));
            map.insert("revision".into(), json!(revision));
            map.insert(
                "down_revision".into(),
                json!(
                    down_revision
                        .map(quote)
                        .unwrap_or_else(|| "None".to_string())
                ),
            );
            map.insert(
                "down_revision_text".into(),
                json!(down_revision.unwrap_or("")),
            );
            map.insert("migration_indexes".into(), json!(indexes));
            map.insert("unique_fields".into(), json!(of(&|f| f.field.unique)));
            map.insert("ref_fields".into(), json!(of(&|f| f.target.is_some())));
            map.insert(
                "json_fields".into(),
                json!(of(&|f| matches!(f.field.ty, FieldType::Json))),
            );
            map.insert(
                "enum_fields".into(),
                json!(of(&|f| matches!(f.field.ty, FieldType::Enum { .. }))),
            );
            map.insert(
                "json_field_names".into(),
                json!(
                    self.fields
                        .iter()
                        .filter(|f| matches!(f.field.ty, FieldType::Json))
                        .map(|f| quote(&f.column()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            map.insert(
                "not_null_validator".into(),
                json!(validator(&required_not_null)),
            );
            map.insert(
                "create_not_null_validator".into(),
                json!(validator(&required_json)),
            );
            map.insert(
                "has_unique".into(),
                json!(self.fields.iter().any(|f| f.field.unique)),
            );
            map.insert(
                "has_refs".into(),
                json!(self.fields.iter().any(|f| f.target.is_some())),
            );
            map.insert(
                "has_json".into(),
                json!(has(&|t| matches!(t, FieldType::Json))),
            );
            map.insert(
                "has_decimal".into(),
                json!(has(&|t| matches!(t, FieldType::Decimal { .. }))),
            );
            map.insert(
                "has_datetime".into(),
                json!(has(&|t| matches!(t, FieldType::DateTime))),
            );
            map.insert(
                "has_date".into(),
                json!(has(&|t| matches!(t, FieldType::Date))),
            );
            map.insert(
                "has_uuid".into(),
                json!(has(&|t| matches!(t, FieldType::Uuid))),
            );
            map.insert(
                "has_enum".into(),
                json!(has(&|t| matches!(t, FieldType::Enum { .. }))),
            );
            map.insert(
                "has_int".into(),
                json!(has(&|t| matches!(t, FieldType::Int))),
            );
            map.insert(
                "has_bigint".into(),
                json!(has(&|t| matches!(t, FieldType::BigInt))),
            );
            map.insert(
                "has_optional".into(),
                json!(self.fields.iter().any(|f| f.field.optional)),
            );
            map.insert(
                "to_proto_needs_maybe".into(),
                json!(self.fields.iter().any(FieldView::needs_maybe_to_proto)),
            );
            map.insert(
                "from_json_needs_maybe".into(),
                json!(self.fields.iter().any(FieldView::needs_maybe_from_json)),
            );
            map.insert(
                "from_proto_needs_maybe".into(),
                json!(self.fields.iter().any(FieldView::needs_maybe_from_proto)),
            );
            map.insert(
                "from_proto_needs_present".into(),
                json!(self.fields.iter().any(|f| f.field.optional)),
            );
            map.insert("clear_field".into(), json!(first(&|f| f.field.optional)));
            map.insert(
                "required_field".into(),
                json!(first(&|f| !f.field.optional)),
            );
            map.insert(
                "invalid_json_field".into(),
                json!(first(&|f| f.invalid_json().is_some())),
            );
            map.insert(
                "invalid_proto_field".into(),
                json!(first(
                    &|f| f.invalid_proto().is_some() && !matches!(f.field.ty, FieldType::Json)
                )),
            );
            map.insert(
                "invalid_proto_json_field".into(),
                json!(first(&|f| matches!(f.field.ty, FieldType::Json))),
            );
            map.insert("response_created_number".into(), json!(response_number));
            map.insert("response_updated_number".into(), json!(response_number + 1));
            map.insert("update_clear_number".into(), json!(self.fields.len() + 2));
            map.insert(
                "has_plain".into(),
                json!(self.fields.iter().any(|f| f.target.is_none())),
            );
            map.insert(
                "unique_fields_constant".into(),
                json!(sequence(0, "UNIQUE_FIELDS = ", "()", &unique_columns)),
            );
            map.insert(
                "references_constant".into(),
                json!(sequence(
                    0,
                    "REFERENCES: dict[str, str] = ",
                    "{}",
                    &reference_messages
                )),
            );
            map.insert(
                "referenced_classes_constant".into(),
                json!(sequence(
                    0,
                    "REFERENCED: dict[str, type[Base]] = ",
                    "{}",
                    &reference_classes
                )),
            );
            Value::Object(map)
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::fields::parse_field;

    fn view(spec: &str) -> FieldView {
        let field = parse_field(spec).unwrap();
        let target = match &field.ty {
            FieldType::Ref { target } => Some(Target {
                names: Names::from_snake(target),
                builtin_user: target == "user",
            }),
            _ => None,
        };
        FieldView {
            field,
            names: Names::from_snake("product"),
            target,
        }
    }

    #[test]
    fn model_columns_per_type() {
        let cases = [
            (
                "name:string:80:unique",
                "name: Mapped[str] = mapped_column(String(80), unique=True)",
            ),
            (
                "description:text:optional",
                "description: Mapped[str | None] = mapped_column(Text)",
            ),
            ("stock:int", "stock: Mapped[int] = mapped_column(Integer)"),
            (
                "views:bigint",
                "views: Mapped[int] = mapped_column(BigInteger)",
            ),
            (
                "rating:float",
                "rating: Mapped[float] = mapped_column(Double)",
            ),
            (
                "price:decimal:10,3",
                "price: Mapped[Decimal] = mapped_column(Numeric(10, 3))",
            ),
            (
                "active:bool",
                "active: Mapped[bool] = mapped_column(Boolean)",
            ),
            (
                "released_on:date",
                "released_on: Mapped[dt.date] = mapped_column(Date)",
            ),
            (
                "seen_at:datetime:optional:index",
                "seen_at: Mapped[dt.datetime | None] = mapped_column(index=True)",
            ),
            ("sku:uuid", "sku: Mapped[UUID] = mapped_column(Uuid)"),
            (
                "attributes:json:optional",
                "attributes: Mapped[Any] = mapped_column(_JSON_VALUE, nullable=True)",
            ),
        ];
        for (spec, expected) in cases {
            assert_eq!(
                view(spec).model_lines(),
                vec![expected.to_string()],
                "{spec}"
            );
        }
        assert_eq!(
            view("status:enum:draft,published").model_lines(),
            vec![
                "status: Mapped[ProductStatus] = mapped_column(\n        Enum(\n            ProductStatus,\n            name=\"product_status\",\n            native_enum=False,\n            create_constraint=True,\n            values_callable=_enum_values,\n        ),\n    )"
            ]
        );
        assert_eq!(
            view("owner:ref:user:optional").model_lines(),
            vec![
                "owner_id: Mapped[int | None] = mapped_column(ForeignKey(\"users.id\"), index=True)",
                "owner: Mapped[\"User | None\"] = relationship(foreign_keys=[owner_id])",
            ]
        );
    }

    #[test]
    fn migration_matches_the_model() {
        assert_eq!(
            view("price:decimal").migration_column(),
            "sa.Column(\"price\", sa.Numeric(precision=12, scale=2), nullable=False),"
        );
        assert_eq!(
            view("name:string:80:unique").migration_constraints("products"),
            vec!["sa.UniqueConstraint(\"name\", name=op.f(\"uq_products_name\")),"]
        );
        let (create, drop) = view("name:string:unique:index")
            .migration_index("products")
            .unwrap();
        assert_eq!(
            create,
            "op.create_index(op.f(\"ix_products_name\"), \"products\", [\"name\"], unique=True)"
        );
        assert_eq!(
            drop,
            "op.drop_index(op.f(\"ix_products_name\"), table_name=\"products\")"
        );
        let owner = view("owner:ref:user");
        assert_eq!(
            owner.migration_constraints("products"),
            vec![
                "sa.ForeignKeyConstraint(\n            [\"owner_id\"],\n            [\"users.id\"],\n            name=op.f(\"fk_products_owner_id_users\"),\n        ),"
            ]
        );
        assert!(owner.migration_index("products").is_some());
        assert!(
            view("name:string:unique")
                .migration_index("products")
                .is_none()
        );
    }

    #[test]
    fn validation_rules_per_type() {
        assert_eq!(
            view("name:string:80").ma_field(MaMode::Create),
            "name = fields.String(required=True, validate=validate.Length(max=80))"
        );
        assert_eq!(
            view("name:string:80").ma_field(MaMode::Update),
            "name = fields.String(validate=validate.Length(max=80))"
        );
        assert_eq!(
            view("note:text:optional").ma_field(MaMode::Update),
            "note = fields.String(allow_none=True)"
        );
        assert_eq!(
            view("price:decimal").ma_field(MaMode::Response),
            "price = fields.Decimal(required=True, as_string=True, metadata=DECIMAL_METADATA)"
        );
        assert_eq!(
            view("stock:int").ma_field(MaMode::Create),
            "stock = fields.Integer(required=True, strict=True, validate=INT32_RANGE)"
        );
        assert_eq!(view("stock:int").dto_create(), "stock: Int32");
        assert_eq!(
            view("price:decimal:10,3").dto_alias().unwrap(),
            (
                "Decimal10_3".to_string(),
                "Annotated[Decimal, Field(max_digits=10, decimal_places=3)]".to_string()
            )
        );
        assert_eq!(
            view("seen_at:datetime:optional").dto_create(),
            "seen_at: AwareDatetime | None = None"
        );
        assert_eq!(
            view("seen_at:datetime").dto_response(),
            "seen_at: dt.datetime"
        );
        assert_eq!(view("data:json").dto_create(), "data: JsonValue");
        assert_eq!(view("data:json").dto_update(), "data: JsonValue = None");
        assert_eq!(view("owner:ref:user").dto_create(), "owner_id: RowId");
    }

    #[test]
    fn proto_types_numbers_and_conversions() {
        assert_eq!(
            view("price:decimal").proto_decl(3, false),
            "string price = 3;"
        );
        assert_eq!(
            view("stock:int").proto_decl(4, true),
            "optional int32 stock = 4;"
        );
        assert_eq!(
            view("seen_at:datetime").proto_decl(5, true),
            "google.protobuf.Timestamp seen_at = 5;"
        );
        assert_eq!(
            view("owner:ref:user").proto_decl(6, false),
            "int64 owner_id = 6;"
        );
        assert_eq!(
            view("price:decimal").to_proto_kwarg("product"),
            "price=_decimal_text(product.price),"
        );
        assert_eq!(
            view("seen_at:datetime:optional").to_proto_kwarg("product"),
            "seen_at=_maybe(to_timestamp, product.seen_at),"
        );
        assert_eq!(
            view("note:text:optional").to_proto_kwarg("product"),
            "note=product.note,"
        );
        assert_eq!(
            view("sku:uuid:optional").from_proto_entry("product"),
            "\"sku\": _maybe(UUID, _present(product, \"sku\")),"
        );
        assert_eq!(
            view("data:json").from_proto_entry("product"),
            "\"data\": json.loads(product.data),"
        );
        assert_eq!(
            view("released_on:date").from_json_entry("product"),
            "\"released_on\": dt.date.fromisoformat(product[\"released_on\"]),"
        );
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
        assert_eq!(
            string_samples("nickname", 255),
            ("Nickname one".into(), "Nickname two".into())
        );
        let (a, b) = string_samples("nickname", 9);
        assert!(a.len() <= 9 && b.len() <= 9 && a != b);
        let (a, b) = string_samples("x", 1);
        assert_eq!((a.as_str(), b.as_str()), ("a", "b"));
        let (a, b) = view("seen_at:datetime").samples();
        assert_eq!(
            a.py.flat(),
            "dt.datetime(2024, 5, 17, 9, 30, 0, 123456, tzinfo=dt.UTC)"
        );
        assert_eq!(a.json.flat(), "\"2024-05-17T09:30:00.123456+00:00\"");
        assert_eq!(
            b.proto.flat(),
            "to_timestamp(dt.datetime(2023, 11, 2, 18, 45, 30, tzinfo=dt.UTC))"
        );
        let (a, _) = view("status:enum:draft,live").samples();
        assert_eq!(
            (a.py.flat(), a.json.flat()),
            ("ProductStatus.DRAFT".into(), "\"draft\"".into())
        );
        let (a, _) = view("data:json").samples();
        assert_eq!(
            a.proto.flat(),
            r#"'{"color": "red", "tags": ["new", "sale"]}'"#
        );
    }

    #[test]
    fn check_refuses_clashing_and_overlong_fields() {
        let names = Names::from_snake("product");
        let clash = ResourceView::new(
            names.clone(),
            vec![(parse_field("create:enum:a,b").unwrap(), None)],
            "shop",
        );
        assert!(clash.check().unwrap_err().message.contains("ProductCreate"));
        let unique_ref = ResourceView::new(
            names,
            vec![(
                parse_field("owner:ref:user:unique").unwrap(),
                Some(Target {
                    names: Names::from_snake("user"),
                    builtin_user: true,
                }),
            )],
            "shop",
        );
        assert!(unique_ref.check().is_err());
    }
}
