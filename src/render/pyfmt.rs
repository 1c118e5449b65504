//! Just enough Python formatting to emit code that `ruff format` and ruff's isort leave alone.
//!
//! Generated files must pass `ruff check` (including import sorting) and `ruff format --check`
//! without being reformatted by the user. Two constructs depend on the names being generated and
//! so cannot be laid out once in a template: the import block (whose order depends on the
//! resource name) and calls whose length does. [`organize_imports`] sorts and wraps the import
//! block of a rendered file the way ruff does; [`Expr::render`] puts a call on one line when it
//! fits and otherwise one argument per line with a trailing comma, which ruff keeps as it is.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use crate::spec::names::STDLIB_MODULES;

/// ruff's default line length, used by generated projects.
pub const LINE_LENGTH: usize = 100;

/// Modules of the generated project itself.
const FIRST_PARTY: &[&str] = &["app", "bench", "tests"];

/// A Python expression that may be split at its call parentheses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Text that is never split.
    Atom(String),
    /// `head(args...)`; `head` may carry a prefix such as `name: Mapped[str] = mapped_column`.
    Call { head: String, args: Vec<Expr> },
}

impl Expr {
    /// The expression on one line.
    pub fn flat(&self) -> String {
        match self {
            Expr::Atom(text) => text.clone(),
            Expr::Call { head, args } => {
                let args: Vec<String> = args.iter().map(Expr::flat).collect();
                format!("{head}({})", args.join(", "))
            }
        }
    }

    /// The expression followed by `suffix`, starting at column `indent`: on one line when it
    /// fits, else each call argument on its own line with a trailing comma (recursively). The
    /// first line carries no indentation.
    pub fn render(&self, indent: usize, suffix: &str) -> String {
        let single = format!("{}{suffix}", self.flat());
        let Expr::Call { head, args } = self else {
            return single;
        };
        if args.is_empty() || indent + single.len() <= LINE_LENGTH {
            return single;
        }
        let pad = " ".repeat(indent + 4);
        let mut out = format!("{head}(\n");
        for arg in args {
            out.push_str(&format!("{pad}{}\n", arg.render(indent + 4, ",")));
        }
        out.push_str(&" ".repeat(indent));
        out.push(')');
        out.push_str(suffix);
        out
    }
}

/// `prefix` + a bracketed sequence (`"()"`, `"[]"` or `"{}"`) at `indent`, on one line when it
/// fits, else one item per line with a trailing comma. A one-item tuple keeps its comma.
pub fn sequence(indent: usize, prefix: &str, brackets: &str, items: &[String]) -> String {
    let mut delims = brackets.chars();
    let (open, close) = (delims.next().unwrap_or('('), delims.next().unwrap_or(')'));
    let comma = if open == '(' && items.len() == 1 {
        ","
    } else {
        ""
    };
    let single = format!("{prefix}{open}{}{comma}{close}", items.join(", "));
    if items.is_empty() || indent + single.len() <= LINE_LENGTH {
        return single;
    }
    let pad = " ".repeat(indent + 4);
    let mut out = format!("{prefix}{open}\n");
    for item in items {
        out.push_str(&format!("{pad}{item},\n"));
    }
    out.push_str(&" ".repeat(indent));
    out.push(close);
    out
}

/// Sorts, merges and wraps the top-level import block of a Python file like ruff's isort.
///
/// The block is every line from the first top-level `import`/`from` statement up to the first
/// line that is neither an import nor blank; a module docstring or comments before it are
/// kept. Imports inside `if TYPE_CHECKING:` and after the block are left alone. Parenthesized
/// multi-line imports in the input are understood.
pub fn organize_imports(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| is_import(l)) else {
        return text.to_string();
    };
    let mut statements: Vec<String> = Vec::new();
    let mut end = start;
    while end < lines.len() {
        let line = lines[end];
        if line.trim().is_empty() {
            end += 1;
            continue;
        }
        if !is_import(line) {
            break;
        }
        let mut statement = line.trim().to_string();
        end += 1;
        if statement.ends_with('(') {
            while end < lines.len() {
                let part = lines[end].trim();
                end += 1;
                statement.push(' ');
                statement.push_str(part);
                if part.starts_with(')') {
                    break;
                }
            }
        }
        statements.push(statement);
    }
    let mut block = Block::default();
    for statement in &statements {
        block.add(statement);
    }
    let mut out: Vec<String> = lines[..start].iter().map(|l| l.to_string()).collect();
    out.push(block.render());
    // Keep the blank lines that separated the block from the code after it.
    let rest = &lines[end..];
    let blank_before_rest = lines[start..end]
        .iter()
        .rev()
        .take_while(|l| l.trim().is_empty())
        .count();
    for _ in 0..blank_before_rest {
        out.push(String::new());
    }
    out.extend(rest.iter().map(|l| l.to_string()));
    let mut result = out.join("\n");
    if text.ends_with('\n') {
        result.push('\n');
    }
    result
}

/// Splits every code line longer than [`LINE_LENGTH`] at its outermost brackets, one item per
/// line with a trailing comma, the way ruff formats it and keeps it (magic trailing comma).
///
/// A `def` line splits at its parameters; any other line at its last top-level bracket pair.
/// Items that are still too long are split the same way. Lines inside triple-quoted strings,
/// comments and lines without brackets are left alone.
pub fn wrap_long_lines(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_string = false;
    for line in text.lines() {
        let quotes = line.matches("\"\"\"").count();
        if in_string || line.trim_start().starts_with('#') || line.len() <= LINE_LENGTH {
            if quotes % 2 == 1 {
                in_string = !in_string;
            }
            out.push(line.to_string());
            continue;
        }
        if quotes % 2 == 1 {
            in_string = !in_string;
        }
        out.push(wrap_line(line));
    }
    let mut result = out.join("\n");
    if text.ends_with('\n') {
        result.push('\n');
    }
    result
}

fn wrap_line(line: &str) -> String {
    if line.len() <= LINE_LENGTH {
        return line.to_string();
    }
    let indent = line.len() - line.trim_start().len();
    if let Some(wrapped) = wrap_union_annotation(line, indent) {
        return wrapped;
    }
    let pairs = top_level_pairs(line);
    let pair = if line.trim_start().starts_with("def ") {
        pairs.first()
    } else {
        pairs.iter().rev().find(|(open, close)| close > &(open + 1))
    };
    let Some(&(open, close)) = pair else {
        return line.to_string();
    };
    let items = split_top_level(&line[open + 1..close]);
    if items.is_empty() {
        return line.to_string();
    }
    let pad = " ".repeat(indent + 4);
    let mut out = format!("{}\n", &line[..=open]);
    for item in items {
        out.push_str(&wrap_line(&format!("{pad}{item},")));
        out.push('\n');
    }
    out.push_str(&" ".repeat(indent));
    out.push_str(&line[close..]);
    out
}

/// `name: A | None = None` that is too long becomes, as ruff lays it out,
/// `name: (\n    A | None\n) = None`: a union annotation is parenthesized rather than split
/// inside one of its members.
fn wrap_union_annotation(line: &str, indent: usize) -> Option<String> {
    let body = &line[indent..];
    let (name, rest) = body.split_once(": ")?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let depth_zero = |text: &str, needle: &str| -> Option<usize> {
        let mut depth = 0usize;
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            match bytes[i] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b'"' | b'\'' => return None,
                _ if depth == 0 && text[i..].starts_with(needle) => return Some(i),
                _ => {}
            }
        }
        None
    };
    let (annotation, default) = match depth_zero(rest, " = ") {
        Some(eq) => (&rest[..eq], &rest[eq..]),
        None => (rest, ""),
    };
    depth_zero(annotation, " | ")?;
    let pad = " ".repeat(indent);
    let inner = wrap_line(&format!("{pad}    {annotation}"));
    Some(format!("{pad}{name}: (\n{inner}\n{pad}){default}"))
}

/// Byte positions of bracket pairs at depth 0, outside string literals.
fn top_level_pairs(line: &str) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut quote: Option<u8> = None;
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'#' => break,
                b'(' | b'[' | b'{' => {
                    if depth == 0 {
                        start = i;
                    }
                    depth += 1;
                }
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        pairs.push((start, i));
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    pairs
}

/// Splits at commas outside brackets and strings, trimming items and a trailing comma.
fn split_top_level(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut current = String::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == b'\\' && i + 1 < bytes.len() {
                    current.push(c as char);
                    i += 1;
                    current.push(bytes[i] as char);
                    i += 1;
                    continue;
                }
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => {
                    items.push(current.trim().to_string());
                    current.clear();
                    i += 1;
                    continue;
                }
                _ => {}
            },
        }
        current.push(c as char);
        i += 1;
    }
    if !current.trim().is_empty() {
        items.push(current.trim().to_string());
    }
    items
}

fn is_import(line: &str) -> bool {
    line.starts_with("import ") || line.starts_with("from ")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Future,
    Stdlib,
    ThirdParty,
    FirstParty,
}

fn section(module: &str) -> Section {
    let top = module.split('.').next().unwrap_or(module);
    if top == "__future__" {
        Section::Future
    } else if FIRST_PARTY.contains(&top) {
        Section::FirstParty
    } else if STDLIB_MODULES.contains(&top) {
        Section::Stdlib
    } else {
        Section::ThirdParty
    }
}

#[derive(Debug, Default)]
struct Block {
    /// `import x` / `import x as y`: (module, alias).
    plain: BTreeSet<(String, Option<String>)>,
    /// `from x import a, b`: module -> names (a name may carry ` as alias`).
    from: Vec<(String, BTreeSet<String>)>,
}

impl Block {
    fn add(&mut self, statement: &str) {
        if let Some(rest) = statement.strip_prefix("import ") {
            for part in rest.split(',') {
                let part = part.trim();
                match part.split_once(" as ") {
                    Some((m, a)) => self
                        .plain
                        .insert((m.trim().to_string(), Some(a.trim().to_string()))),
                    None => self.plain.insert((part.to_string(), None)),
                };
            }
            return;
        }
        let rest = statement.strip_prefix("from ").unwrap_or(statement);
        let Some((module, names)) = rest.split_once(" import ") else {
            return;
        };
        let names = names.trim().trim_start_matches('(').trim_end_matches(')');
        let entry = match self.from.iter_mut().position(|(m, _)| m == module.trim()) {
            Some(i) => &mut self.from[i].1,
            None => {
                self.from.push((module.trim().to_string(), BTreeSet::new()));
                &mut self.from.last_mut().expect("just pushed").1
            }
        };
        for name in names.split(',') {
            let name = name.trim();
            if !name.is_empty() {
                entry.insert(name.to_string());
            }
        }
    }

    fn render(&self) -> String {
        let mut sections: Vec<(Section, Vec<String>)> = Vec::new();
        let mut push =
            |section: Section, line: String| match sections.iter_mut().find(|(s, _)| *s == section)
            {
                Some((_, lines)) => lines.push(line),
                None => sections.push((section, vec![line])),
            };
        let mut plain: Vec<&(String, Option<String>)> = self.plain.iter().collect();
        plain.sort_by(|a, b| module_cmp(&a.0, &b.0).then_with(|| a.1.cmp(&b.1)));
        let mut from: Vec<&(String, BTreeSet<String>)> = self.from.iter().collect();
        from.sort_by(|a, b| module_cmp(&a.0, &b.0));
        // Straight imports come before `from` imports within a section.
        for (module, alias) in plain {
            let line = match alias {
                Some(alias) => format!("import {module} as {alias}"),
                None => format!("import {module}"),
            };
            push(section(module), line);
        }
        for (module, names) in from {
            let (aliased, simple): (Vec<&String>, Vec<&String>) =
                names.iter().partition(|n| n.contains(" as "));
            let mut simple: Vec<&String> = simple;
            simple.sort_by(|a, b| member_cmp(a, b));
            if !simple.is_empty() {
                push(section(module), from_import(module, &simple));
            }
            let mut aliased = aliased;
            aliased.sort_by(|a, b| member_cmp(a, b));
            for name in aliased {
                push(section(module), from_import(module, &[name]));
            }
        }
        sections.sort_by_key(|(s, _)| *s);
        sections
            .into_iter()
            .map(|(_, lines)| lines.join("\n"))
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

fn from_import(module: &str, names: &[&String]) -> String {
    let joined: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
    let single = format!("from {module} import {}", joined.join(", "));
    if single.len() <= LINE_LENGTH {
        return single;
    }
    let mut out = format!("from {module} import (\n");
    for name in joined {
        out.push_str(&format!("    {name},\n"));
    }
    out.push(')');
    out
}

fn module_cmp(a: &str, b: &str) -> Ordering {
    natural_cmp(&a.to_lowercase(), &b.to_lowercase()).then_with(|| natural_cmp(a, b))
}

/// isort's `order-by-type`: CONSTANTS, then Classes, then everything else.
fn member_cmp(a: &str, b: &str) -> Ordering {
    let rank = |name: &str| {
        let name = name.split(" as ").next().unwrap_or(name);
        if name.len() > 1 && name.chars().all(|c| !c.is_ascii_lowercase()) {
            0
        } else if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            1
        } else {
            2
        }
    };
    rank(a)
        .cmp(&rank(b))
        .then_with(|| natural_cmp(&a.to_lowercase(), &b.to_lowercase()))
        .then_with(|| natural_cmp(a, b))
}

/// Compares strings with runs of digits compared by value (`String80` < `String255`).
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let na = std::str::from_utf8(&a[..da]).unwrap_or("0");
                let nb = std::str::from_utf8(&b[..db]).unwrap_or("0");
                let na = na.trim_start_matches('0');
                let nb = nb.trim_start_matches('0');
                let ord = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `head(args...)tail` at `indent`, as resource rendering builds calls.
    fn call(indent: usize, head: &str, args: &[String], tail: &str) -> String {
        Expr::Call {
            head: head.to_string(),
            args: args.iter().map(|a| Expr::Atom(a.clone())).collect(),
        }
        .render(indent, tail)
    }

    #[test]
    fn calls_fit_or_explode_with_a_trailing_comma() {
        let args = vec!["String(80)".to_string(), "unique=True".to_string()];
        assert_eq!(
            call(4, "name: Mapped[str] = mapped_column", &args, ""),
            "name: Mapped[str] = mapped_column(String(80), unique=True)"
        );
        let long = vec!["x".repeat(60), "y".repeat(30)];
        assert_eq!(
            call(4, "value = f", &long, ""),
            format!(
                "value = f(\n        {},\n        {},\n    )",
                "x".repeat(60),
                "y".repeat(30)
            )
        );
        assert_eq!(call(0, "f", &[], ""), "f()");
        assert_eq!(sequence(0, "X = ", "()", &["\"a\"".into()]), "X = (\"a\",)");
        assert_eq!(
            sequence(0, "X = ", "{}", &["\"a\": 1".into(), "\"b\": 2".into()]),
            "X = {\"a\": 1, \"b\": 2}"
        );
        let long: Vec<String> = (0..30).map(|i| format!("\"f{i}\"")).collect();
        assert!(sequence(0, "X = ", "[]", &long).starts_with("X = [\n    \"f0\",\n"));
    }

    #[test]
    fn sorts_sections_modules_and_members_like_ruff() {
        let text = "\
\"\"\"Doc.\"\"\"

from app.model.product import Product
from sqlalchemy import String, JSON, ForeignKey, func
import uuid
from decimal import Decimal
import datetime as dt
from app.model.base import Base, TimestampMixin
from sqlalchemy import Integer
from typing import TYPE_CHECKING, Any
from sqlalchemy.orm import Mapped, mapped_column
from __future__ import annotations

if TYPE_CHECKING:
    from app.model.user import User


class X:
    pass
";
        assert_eq!(
            organize_imports(text),
            "\
\"\"\"Doc.\"\"\"

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.model.base import Base, TimestampMixin
from app.model.product import Product

if TYPE_CHECKING:
    from app.model.user import User


class X:
    pass
"
        );
    }

    #[test]
    fn wraps_long_imports_and_reads_wrapped_ones() {
        let text = "\
from app.controller.schemas.warehouse_inventory_adjustment_schema import WarehouseInventoryAdjustmentSchema
from app.x import (
    B,
    A,
)

x = 1
";
        assert_eq!(
            organize_imports(text),
            "\
from app.controller.schemas.warehouse_inventory_adjustment_schema import (
    WarehouseInventoryAdjustmentSchema,
)
from app.x import A, B

x = 1
"
        );
    }

    #[test]
    fn wraps_long_union_annotations_in_parentheses() {
        let line = format!(
            "    {}: Annotated[Decimal, Field(max_digits=12, decimal_places=2)] | None = None",
            "a".repeat(30)
        );
        assert_eq!(
            wrap_long_lines(&line),
            format!(
                "    {}: (\n        Annotated[Decimal, Field(max_digits=12, decimal_places=2)] | None\n    ) = None",
                "a".repeat(30)
            )
        );
        let plain = format!(
            "    {}: Annotated[Decimal, Field(max_digits=12, decimal_places=2)]",
            "b".repeat(40)
        );
        assert!(
            wrap_long_lines(&plain).starts_with(&format!("    {}: Annotated[\n", "b".repeat(40)))
        );
    }

    #[test]
    fn wraps_long_defs_and_calls() {
        let def = format!(
            "    def update_{n}(self, {n}_id: int, data: {c}Update) -> {c}Response:",
            n = "inventory_stock_movement",
            c = "InventoryStockMovement"
        );
        assert_eq!(
            wrap_long_lines(&def),
            "    def update_inventory_stock_movement(\n        self,\n        inventory_stock_movement_id: int,\n        data: InventoryStockMovementUpdate,\n    ) -> InventoryStockMovementResponse:"
        );
        let call = format!(
            "        return {}Response.model_validate(self.add({}(**values)))",
            "X".repeat(30),
            "Y".repeat(30)
        );
        assert_eq!(
            wrap_long_lines(&call),
            format!(
                "        return {}Response.model_validate(\n            self.add({}(**values)),\n        )",
                "X".repeat(30),
                "Y".repeat(30)
            )
        );
        let short = "x = f(a, b)\n";
        assert_eq!(wrap_long_lines(short), short);
        let doc = format!("    \"\"\"{}\"\"\"\n", "word (x, y) ".repeat(10));
        assert_eq!(wrap_long_lines(&doc), doc);
    }

    #[test]
    fn natural_order_and_aliases() {
        let text = "from app.dto.x import String255, String80, Int32\nfrom app.controller.a import blp as a_blp\nfrom app.controller.a import X\n\nx = 1\n";
        assert_eq!(
            organize_imports(text),
            "from app.controller.a import X\nfrom app.controller.a import blp as a_blp\nfrom app.dto.x import Int32, String80, String255\n\nx = 1\n"
        );
    }
}
