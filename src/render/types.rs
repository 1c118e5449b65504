//! The field-type table: every per-type fact of a resource field, read from
//! `templates/resource/types.toml` (shared by every stack) and `templates/stacks/<stack>/types.toml`
//! (the stack's own columns, such as the Marshmallow field of the flask stack).
//!
//! Types are data so that adding one is adding a table to those files, not editing Rust: the
//! parser learns the keyword, its aliases and its kind of argument from here, and the view model
//! fills the placeholders (`{max_length}`, `{enum_class}`, ...) of each fact for one field. What
//! stays in Rust is structural: arguments, references, enums, optional/unique/indexed.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use anyhow::{Context as _, Result, anyhow};
use serde::Deserialize;

use crate::render::templates;

/// Where the shared table lives among the embedded templates.
pub const TABLE_PATH: &str = "resource/types.toml";

/// The kind of argument a type takes after its keyword (`string:80`, `decimal:10,2`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArgKind {
    /// A maximum length `N`.
    Length,
    /// `PRECISION,SCALE`.
    Digits,
    /// Comma-separated values.
    Values,
    /// Another resource.
    Target,
}

/// One sample value of a type in each representation the generated tests use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleRow {
    pub python: String,
    pub json: Option<String>,
    pub proto: Option<String>,
    #[serde(default)]
    pub proto_imports: Vec<String>,
}

/// One type's row of the shared table (see the comment at the top of `types.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeRow {
    #[serde(default)]
    pub aliases: Vec<String>,
    pub arg: Option<ArgKind>,
    pub default: Option<String>,
    pub help: [String; 3],
    pub column: String,
    #[serde(default = "yes")]
    pub indexable: bool,
    #[serde(default)]
    pub always_indexed: bool,
    #[serde(default)]
    pub any_json: bool,
    pub python: String,
    #[serde(default)]
    pub python_imports: Vec<String>,
    pub sqlalchemy: String,
    #[serde(default)]
    pub sqlalchemy_imports: Vec<String>,
    #[serde(default)]
    pub explicit_nullable: bool,
    pub alembic: String,
    #[serde(default)]
    pub alembic_imports: Vec<String>,
    pub pydantic: String,
    #[serde(default)]
    pub pydantic_imports: Vec<String>,
    pub proto: String,
    #[serde(default)]
    pub proto_message: bool,
    pub proto_comment: Option<String>,
    pub to_proto: Option<String>,
    #[serde(default)]
    pub to_proto_imports: Vec<String>,
    pub from_json: Option<String>,
    #[serde(default)]
    pub from_json_imports: Vec<String>,
    pub from_proto: Option<String>,
    #[serde(default)]
    pub from_proto_imports: Vec<String>,
    #[serde(default)]
    pub exact_json: bool,
    #[serde(default)]
    pub samples: Vec<SampleRow>,
    pub invalid_json: Option<String>,
    pub invalid_proto: Option<String>,
}

fn yes() -> bool {
    true
}

/// A stack's row for one type: free-form keys whose string values are filled like the shared
/// ones, plus the `[modifiers]` lists that prefix `request` and `response` arguments.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StackTable {
    #[serde(default)]
    pub modifiers: BTreeMap<String, Vec<String>>,
    /// Field names the stack's generated code cannot take, with the reason.
    #[serde(default)]
    pub reserved_fields: BTreeMap<String, String>,
    #[serde(flatten)]
    pub types: BTreeMap<String, toml::Table>,
}

/// The whole shared table, in the order of the file.
#[derive(Debug)]
pub struct TypeTable {
    rows: Vec<(String, TypeRow)>,
}

impl TypeTable {
    /// Parses the table text (the embedded file, or another one in tests).
    pub fn parse(text: &str) -> Result<Self> {
        let document: toml::Table = toml::from_str(text).context("parsing the field-type table")?;
        let mut rows = Vec::with_capacity(document.len());
        // `toml::Table` keeps keys sorted; the file order is the order of the help text.
        let order: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix('[')?.strip_suffix(']'))
            .collect();
        for key in order {
            let value = document
                .get(key)
                .ok_or_else(|| anyhow!("type `{key}` is not a table"))?;
            let row: TypeRow = value
                .clone()
                .try_into()
                .with_context(|| format!("type `{key}` of the field-type table"))?;
            rows.push((key.to_string(), row));
        }
        Ok(Self { rows })
    }

    /// The table embedded in the binary.
    pub fn get() -> &'static TypeTable {
        static TABLE: OnceLock<TypeTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            let text = templates::source(TABLE_PATH).expect("the type table is embedded");
            TypeTable::parse(text).expect("the embedded type table is valid")
        })
    }

    /// The row of `keyword` (or of a type that has it as an alias), with the canonical keyword.
    pub fn lookup(&self, keyword: &str) -> Option<(&str, &TypeRow)> {
        self.rows
            .iter()
            .find(|(k, row)| k == keyword || row.aliases.iter().any(|a| a == keyword))
            .map(|(k, row)| (k.as_str(), row))
    }

    /// The row of a canonical keyword; a keyword the parser accepted always has one.
    pub fn row(&self, keyword: &str) -> &TypeRow {
        self.lookup(keyword)
            .map(|(_, row)| row)
            .unwrap_or_else(|| panic!("`{keyword}` is not in the field-type table"))
    }

    /// Every type, in the order of the file.
    pub fn rows(&self) -> impl Iterator<Item = (&str, &TypeRow)> {
        self.rows.iter().map(|(k, row)| (k.as_str(), row))
    }

    /// The canonical keywords, comma-separated, for error hints.
    pub fn keywords(&self) -> String {
        self.rows
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The types section of `arcana add resource --help`.
    pub fn help(&self) -> String {
        let mut out = String::new();
        for (_, row) in self.rows() {
            let [syntax, what, example] = &row.help;
            out.push_str(&format!("  {syntax:<16} {what:<44} {example}\n"));
        }
        out
    }
}

/// The stack's table (`templates/stacks/<stack>/types.toml`), or an empty one for a stack that
/// needs no per-type facts of its own.
pub fn stack_table(stack: &str) -> Result<&'static StackTable> {
    static TABLES: OnceLock<std::sync::Mutex<BTreeMap<String, &'static StackTable>>> =
        OnceLock::new();
    let tables = TABLES.get_or_init(Default::default);
    let mut tables = tables
        .lock()
        .expect("the stack table cache is not poisoned");
    if let Some(table) = tables.get(stack) {
        return Ok(table);
    }
    let table: StackTable = match templates::source(&format!("stacks/{stack}/types.toml")) {
        Ok(text) => toml::from_str(text)
            .with_context(|| format!("parsing `templates/stacks/{stack}/types.toml`"))?,
        Err(_) => StackTable::default(),
    };
    let table: &'static StackTable = Box::leak(Box::new(table));
    tables.insert(stack.to_string(), table);
    Ok(table)
}

/// Replaces every `{name}` placeholder of `text` with its value in `vars`.
///
/// Only `{` + lowercase identifier + `}` is a placeholder, so Python dict literals such as
/// `{"color": "red"}` pass through. An unknown placeholder is an error naming it.
pub fn fill(text: &str, vars: &BTreeMap<&str, String>) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let ident_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        if ident_len > 0 && after[ident_len..].starts_with('}') {
            let name = &after[..ident_len];
            let value = vars
                .get(name)
                .ok_or_else(|| anyhow!("unknown placeholder `{{{name}}}` in `{text}`"))?;
            out.push_str(value);
            rest = &after[ident_len + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_parses_and_keywords_are_unique() {
        let table = TypeTable::get();
        let mut seen: Vec<&str> = Vec::new();
        for (keyword, row) in table.rows() {
            for word in std::iter::once(keyword).chain(row.aliases.iter().map(String::as_str)) {
                assert!(!seen.contains(&word), "`{word}` names two types");
                seen.push(word);
            }
            assert!(
                row.samples.len() == 2 || row.arg == Some(ArgKind::Target),
                "`{keyword}` needs two samples"
            );
            assert_eq!(
                row.default.is_some(),
                matches!(row.arg, Some(ArgKind::Length | ArgKind::Digits)),
                "`{keyword}`: a default exists exactly for length and digits arguments"
            );
        }
        assert!(table.lookup("str").is_some_and(|(k, _)| k == "string"));
        assert!(table.lookup("time").is_some());
        assert!(table.lookup("email").is_some());
        assert!(table.lookup("nope").is_none());
    }

    #[test]
    fn every_stack_row_names_a_known_type() {
        let table = TypeTable::get();
        for stack in crate::render::templates::stack_names() {
            let stack = stack_table(stack).unwrap();
            for keyword in stack.types.keys() {
                assert!(table.lookup(keyword).is_some(), "`{keyword}` is not a type");
            }
            // A stack has a row for every type, or none (the fastapi stack's schemas are the
            // shared Pydantic DTOs).
            if stack.types.is_empty() {
                continue;
            }
            for (keyword, _) in table.rows() {
                assert!(stack.types.contains_key(keyword), "`{keyword}` has no row");
            }
        }
    }

    #[test]
    fn placeholders_fill_and_dict_literals_pass() {
        let vars = BTreeMap::from([("max_length", "80".to_string())]);
        assert_eq!(fill("String({max_length})", &vars).unwrap(), "String(80)");
        assert_eq!(
            fill(r#"{"color": "red"}"#, &vars).unwrap(),
            r#"{"color": "red"}"#
        );
        let err = fill("{nope}", &vars).unwrap_err();
        assert!(err.to_string().contains("`{nope}`"));
    }
}
