//! Fast rendering of Tera templates by evaluating what can be decided before Tera parses them.
//!
//! Tera's parser costs tens of microseconds per tag, which makes parsing, not rendering, the
//! cost of the resource templates (hundreds of `{{ class }}`, `{% if has_json %}` and loops over
//! fields). [`prerender`] walks a template once with the context at hand: it substitutes
//! variables, decides `if` chains and unrolls `for` loops whose every expression it understands
//! (paths, string literals, `~`, `| reverse`, `==`, `!=`, `not`, `and`, `or`), and leaves
//! anything else to Tera, with its literal text hoisted into a variable so Tera parses only the
//! remaining tags. Whitespace control and comments are applied exactly as Tera applies them.
//!
//! The claim that the output is Tera's is tested, not assumed: a unit test records every
//! template and context that `arcana new` and `arcana add resource` render (every stack, all 16
//! combinations of the optional parts, resources with every field type and modifier) and renders
//! each one again with Tera alone; any difference fails the test with a diff.

use anyhow::{Context as _, Result};
use serde_json::Value;
use tera::{Context, Tera};

/// The context variable holding the literal text of templates left to Tera.
pub const STATIC_VAR: &str = "__static";

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    /// `{{ inner }}`
    Expr(String),
    /// `{% inner %}`
    Stmt(String),
}

/// Splits a template into text, expressions and statements, applying whitespace control and
/// dropping comments; None for constructs left entirely to Tera (`raw`, unterminated tags).
fn tokenize(source: &str) -> Option<Vec<Node>> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut text = String::new();
    let mut trim_next = false;
    let mut rest = source;
    loop {
        let Some(start) = find_tag_start(rest) else {
            text.push_str(rest);
            push_text(&mut nodes, &text, trim_next, false);
            return Some(nodes);
        };
        text.push_str(&rest[..start]);
        let open = &rest[start..start + 2];
        let close = match open {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let after_open = &rest[start + 2..];
        let end = find_close(after_open, close, open == "{#")?;
        let inner = &after_open[..end];
        let trim_left = inner.starts_with('-');
        let trim_right = inner.len() > 1 && inner.ends_with('-');
        let mut body = inner;
        if trim_left {
            body = &body[1..];
        }
        if trim_right {
            body = &body[..body.len() - 1];
        }
        let body = body.trim();
        if open == "{%" && (body.starts_with("raw") || body.starts_with("set")) {
            return None;
        }
        push_text(&mut nodes, &text, trim_next, trim_left);
        text.clear();
        match open {
            "{{" => nodes.push(Node::Expr(body.to_string())),
            "{%" => nodes.push(Node::Stmt(body.to_string())),
            _ => {}
        }
        trim_next = trim_right;
        rest = &after_open[end + 2..];
    }
}

fn push_text(nodes: &mut Vec<Node>, text: &str, trim_start: bool, trim_end: bool) {
    let mut chunk = text;
    if trim_start {
        chunk = chunk.trim_start();
    }
    if trim_end {
        chunk = chunk.trim_end();
    }
    if chunk.is_empty() {
        return;
    }
    match nodes.last_mut() {
        Some(Node::Text(previous)) => previous.push_str(chunk),
        _ => nodes.push(Node::Text(chunk.to_string())),
    }
}

fn find_tag_start(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find('{') {
        let at = from + i;
        if matches!(bytes.get(at + 1), Some(b'{' | b'%' | b'#')) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The position of `close` in `s`, skipping string literals inside expressions.
fn find_close(s: &str, close: &str, comment: bool) -> Option<usize> {
    if comment {
        return s.find(close);
    }
    let bytes = s.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &c) in bytes.iter().enumerate() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, b'"' | b'\'' | b'`') => quote = Some(c),
            None if s[i..].starts_with(close) => return Some(i),
            None => {}
        }
    }
    None
}

/// Variables in scope: the context, and loop variables bound over it.
struct Scope<'a> {
    root: &'a Value,
    locals: Vec<(String, Value)>,
}

impl Scope<'_> {
    /// The value at a path such as `f.column` or `unique_fields[0].column`; None when it does
    /// not resolve.
    fn lookup(&self, path: &str) -> Option<&Value> {
        let mut segments = path.split('.');
        let (name, index) = split_index(segments.next()?)?;
        let mut value = match self.locals.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => v,
            None => self.root.get(name)?,
        };
        if let Some(i) = index {
            value = value.get(i)?;
        }
        for segment in segments {
            let (name, index) = split_index(segment)?;
            value = value.get(name)?;
            if let Some(i) = index {
                value = value.get(i)?;
            }
        }
        Some(value)
    }

    /// Whether the first segment of a path names a variable in scope (so that a missing field
    /// below it is a decidable `false` in conditions).
    fn knows(&self, path: &str) -> bool {
        let first = path.split(['.', '[']).next().unwrap_or(path);
        self.locals.iter().any(|(n, _)| n == first) || self.root.get(first).is_some()
    }
}

fn split_index(segment: &str) -> Option<(&str, Option<usize>)> {
    match segment.split_once('[') {
        None => is_identifier(segment).then_some((segment, None)),
        Some((name, rest)) => {
            let index = rest.strip_suffix(']')?.parse().ok()?;
            is_identifier(name).then_some((name, Some(index)))
        }
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

/// Splits at `sep` outside string literals.
fn split_outside_quotes<'s>(s: &'s str, sep: &str) -> Vec<&'s str> {
    let mut parts = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next().unwrap_or(' ');
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' || c == '`' => quote = Some(c),
            None if s[i..].starts_with(sep) => {
                parts.push(&s[start..i]);
                i += sep.len();
                start = i;
                continue;
            }
            None => {}
        }
        i += c.len_utf8();
    }
    parts.push(&s[start..]);
    parts
}

fn string_literal(s: &str) -> Option<&str> {
    let s = s.trim();
    for q in ['"', '\'', '`'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q))
            && !inner.contains(q)
            && !inner.contains('\\')
        {
            return Some(inner);
        }
    }
    None
}

/// Evaluates an expression: a literal, a path, `a ~ b`, or `x | reverse`.
fn eval(scope: &Scope<'_>, expr: &str) -> Option<Value> {
    let expr = expr.trim();
    let filters = split_outside_quotes(expr, "|");
    if filters.len() > 1 {
        let mut value = eval(scope, filters[0])?;
        for filter in &filters[1..] {
            match (filter.trim(), &mut value) {
                ("reverse", Value::Array(items)) => items.reverse(),
                _ => return None,
            }
        }
        return Some(value);
    }
    let parts = split_outside_quotes(expr, "~");
    if parts.len() > 1 {
        // Tera concatenates strings and numbers only (a boolean is an error there).
        let mut out = String::new();
        for part in parts {
            match eval(scope, part)? {
                Value::Bool(_) => return None,
                value => out.push_str(&display(&value)?),
            }
        }
        return Some(Value::String(out));
    }
    if let Some(literal) = string_literal(expr) {
        return Some(Value::String(literal.to_string()));
    }
    match expr {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if is_int_literal(expr)
        && let Ok(n) = expr.parse::<i64>()
    {
        return Some(Value::from(n));
    }
    scope.lookup(expr).cloned()
}

/// An integer as Tera's grammar writes one: an optional `-`, then `0` or digits not starting
/// with `0`.
fn is_int_literal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
}

/// Whether `s` is a dotted path of plain names (`f.column`), the only form whose failed lookup
/// Tera treats as false in a condition.
fn is_plain_path(s: &str) -> bool {
    s.split('.').all(is_identifier)
}

/// `==` as Tera compares: numbers by value whatever their representation (`1 == 1.0`), a
/// number and a non-number never equal, anything else structurally.
fn tera_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Number(_), _) | (_, Value::Number(_)) => false,
        _ => a == b,
    }
}

/// How Tera prints a value; None for values this does not print itself.
fn display(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Evaluates an `if` condition; None when it cannot be decided here.
fn condition(scope: &Scope<'_>, cond: &str) -> Option<bool> {
    let ors = split_words(cond, "or");
    if ors.len() > 1 {
        let mut any = false;
        for part in ors {
            any |= condition(scope, &part)?;
        }
        return Some(any);
    }
    let ands = split_words(cond, "and");
    if ands.len() > 1 {
        let mut all = true;
        for part in ands {
            all &= condition(scope, &part)?;
        }
        return Some(all);
    }
    let cond = cond.trim();
    if let Some(rest) = cond.strip_prefix("not ") {
        return condition(scope, rest).map(|b| !b);
    }
    for (op, equal) in [("==", true), ("!=", false)] {
        let sides = split_outside_quotes(cond, op);
        if sides.len() == 2 {
            let same = tera_equal(&eval(scope, sides[0])?, &eval(scope, sides[1])?);
            return Some(same == equal);
        }
    }
    if cond.contains(['(', '<', '>', '+', '*', '/', '%', '|', '~']) || cond.contains(" in ") {
        return None;
    }
    match eval(scope, cond) {
        Some(value) => Some(truthy(&value)),
        // A missing field of a known variable is false, as in Tera.
        None if is_plain_path(cond) && scope.knows(cond) => Some(false),
        None => None,
    }
}

/// Splits a condition at a keyword (`and`, `or`) outside string literals.
fn split_words(cond: &str, word: &str) -> Vec<String> {
    let sep = format!(" {word} ");
    split_outside_quotes(cond, &sep)
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn keyword(stmt: &str) -> &str {
    stmt.split_whitespace().next().unwrap_or("")
}

/// The index of the statement closing the block opened at `nodes[start]`, and the indices of
/// `elif`/`else` at the same depth for `if` blocks.
fn block_end(nodes: &[Node], start: usize) -> Option<(usize, Vec<usize>)> {
    let (open, close) = match &nodes[start] {
        Node::Stmt(s) if keyword(s) == "if" => ("if", "endif"),
        Node::Stmt(s) if keyword(s) == "for" => ("for", "endfor"),
        _ => return None,
    };
    let mut depth = 0usize;
    let mut branches = Vec::new();
    for (i, node) in nodes.iter().enumerate().skip(start) {
        let Node::Stmt(s) = node else { continue };
        match keyword(s) {
            "if" | "for" => depth += 1,
            "endif" | "endfor" => {
                depth -= 1;
                if depth == 0 {
                    return (keyword(s) == close).then_some((i, branches));
                }
            }
            "elif" | "else" if depth == 1 && open == "if" => branches.push(i),
            _ => {}
        }
    }
    None
}

/// Partially evaluates `nodes`; anything undecidable is kept for Tera.
fn evaluate(nodes: &[Node], scope: &mut Scope<'_>) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    let push = |out: &mut Vec<Node>, node: Node| match (out.last_mut(), node) {
        (Some(Node::Text(previous)), Node::Text(text)) => previous.push_str(&text),
        (_, node) => out.push(node),
    };
    let mut i = 0;
    while i < nodes.len() {
        match &nodes[i] {
            Node::Text(text) => push(&mut out, Node::Text(text.clone())),
            Node::Expr(expr) => match eval(scope, expr).as_ref().and_then(display) {
                Some(text) => push(&mut out, Node::Text(text)),
                None => push(&mut out, Node::Expr(expr.clone())),
            },
            Node::Stmt(stmt) => {
                let Some((end, branches)) = block_end(nodes, i) else {
                    push(&mut out, Node::Stmt(stmt.clone()));
                    i += 1;
                    continue;
                };
                match decide_block(nodes, i, end, &branches, scope) {
                    Some(decided) => {
                        for node in decided {
                            push(&mut out, node);
                        }
                    }
                    None => {
                        for node in &nodes[i..=end] {
                            push(&mut out, node.clone());
                        }
                    }
                }
                i = end;
            }
        }
        i += 1;
    }
    out
}

fn has_tags(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| !matches!(n, Node::Text(_)))
}

/// Evaluates the `if` or `for` block `nodes[start..=end]`; None to leave it to Tera.
fn decide_block(
    nodes: &[Node],
    start: usize,
    end: usize,
    branches: &[usize],
    scope: &mut Scope<'_>,
) -> Option<Vec<Node>> {
    let Node::Stmt(head) = &nodes[start] else {
        return None;
    };
    if keyword(head) == "for" {
        let spec = head.strip_prefix("for")?.trim();
        let (var, iterable) = spec.split_once(" in ")?;
        let var = var.trim();
        if !is_identifier(var) {
            return None;
        }
        let Value::Array(items) = eval(scope, iterable)? else {
            return None;
        };
        let body = &nodes[start + 1..end];
        let mut out = Vec::new();
        for item in items {
            scope.locals.push((var.to_string(), item));
            let rendered = evaluate(body, scope);
            scope.locals.pop();
            if has_tags(&rendered) {
                return None;
            }
            out.extend(rendered);
        }
        return Some(out);
    }
    // An `if` chain: the first branch whose condition holds, as soon as every condition before
    // it can be decided.
    let mut bounds: Vec<usize> = vec![start];
    bounds.extend_from_slice(branches);
    bounds.push(end);
    for window in bounds.windows(2) {
        let Node::Stmt(stmt) = &nodes[window[0]] else {
            return None;
        };
        let taken = match keyword(stmt) {
            "if" | "elif" => condition(scope, stmt.split_once(' ')?.1)?,
            "else" => true,
            _ => return None,
        };
        if taken {
            return Some(evaluate(&nodes[window[0] + 1..window[1]], scope));
        }
    }
    Some(Vec::new())
}

/// Renders what can be decided from `context`; the rest is returned as a Tera template whose
/// literal text lives in `chunks` (as `{{ __static.N }}`). `Ok(text)` is the finished output.
pub(crate) fn prerender(
    source: &str,
    context: &Value,
    chunks: &mut Vec<String>,
) -> std::result::Result<String, String> {
    #[cfg(test)]
    tests::record(source, context);
    let Some(nodes) = tokenize(source) else {
        return Err(source.to_string());
    };
    let mut scope = Scope {
        root: context,
        locals: Vec::new(),
    };
    let nodes = evaluate(&nodes, &mut scope);
    if !has_tags(&nodes) {
        return Ok(nodes
            .into_iter()
            .map(|n| match n {
                Node::Text(t) => t,
                _ => String::new(),
            })
            .collect());
    }
    let mut template = String::new();
    for node in nodes {
        match node {
            Node::Text(text) => {
                template.push_str(&format!("{{{{ {STATIC_VAR}.{} }}}}", chunks.len()));
                chunks.push(text);
            }
            Node::Expr(expr) => template.push_str(&format!("{{{{ {expr} }}}}")),
            Node::Stmt(stmt) => template.push_str(&format!("{{% {stmt} %}}")),
        }
    }
    Err(template)
}

/// Renders one template string like `Tera::one_off` (without autoescaping).
pub fn render_str(name: &str, source: &str, context: &Context) -> Result<String> {
    let value = context.clone().into_json();
    let mut chunks = Vec::new();
    match prerender(source, &value, &mut chunks) {
        Ok(text) => Ok(text),
        Err(template) => {
            let mut context = context.clone();
            context.insert(STATIC_VAR, &chunks);
            Tera::one_off(&template, &context, false)
                .with_context(|| format!("rendering template `{name}`"))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;
    use crate::cli::Stack;
    use crate::commands::add::{self, Outcome};
    use crate::commands::new::{self, NewSettings};
    use crate::project::conflicts::OnConflict;
    use crate::project::manifest::Manifest;
    use crate::render::templates::{TERA_SUFFIX, files_under};
    use crate::spec::features::{Feature, Features};
    use crate::spec::fields::parse_fields;
    use crate::spec::names::project_name;
    use crate::spec::resource::resource_names;

    thread_local! {
        /// Every `(template, context)` that [`prerender`] saw while [`recording`] runs.
        static RECORDED: RefCell<Option<Vec<(String, Value)>>> = const { RefCell::new(None) };
    }

    pub(super) fn record(source: &str, context: &Value) {
        RECORDED.with(|r| {
            if let Some(seen) = r.borrow_mut().as_mut() {
                seen.push((source.to_string(), context.clone()));
            }
        });
    }

    /// Runs `f` and returns what it returned with every template and context it rendered.
    fn recording<T>(f: impl FnOnce() -> T) -> (T, Vec<(String, Value)>) {
        RECORDED.with(|r| *r.borrow_mut() = Some(Vec::new()));
        let out = f();
        let seen = RECORDED.with(|r| r.borrow_mut().take()).unwrap_or_default();
        (out, seen)
    }

    /// The template rendered as `render::templates::render_tree` renders it: [`prerender`],
    /// then Tera for what is left, its literal text in [`STATIC_VAR`].
    fn hoisted(source: &str, context: &Context) -> tera::Result<String> {
        let mut chunks = Vec::new();
        match prerender(source, &context.clone().into_json(), &mut chunks) {
            Ok(text) => Ok(text),
            Err(template) => {
                let mut tera = Tera::default();
                tera.add_raw_template("template.tera", &template)?;
                let mut context = context.clone();
                context.insert(STATIC_VAR, &chunks);
                tera.render("template.tera", &context)
            }
        }
    }

    /// The template rendered by Tera alone, as `render_tree` would without hoisting.
    fn plain(source: &str, context: &Context) -> tera::Result<String> {
        let mut tera = Tera::default();
        tera.add_raw_template("template.tera", source)?;
        tera.render("template.tera", context)
    }

    /// Renders each recorded template both ways and fails on the first difference; returns the
    /// templates compared.
    fn compare(label: &str, seen: &[(String, Value)], compared: &mut BTreeSet<String>) -> usize {
        for (source, value) in seen {
            let context = Context::from_value(value.clone()).unwrap();
            let direct = plain(source, &context)
                .unwrap_or_else(|e| panic!("{label}: Tera fails on a template: {e:?}\n{source}"));
            let fast = hoisted(source, &context)
                .unwrap_or_else(|e| panic!("{label}: hoisted rendering fails: {e:?}\n{source}"));
            if direct != fast {
                let diff = similar::TextDiff::from_lines(&direct, &fast)
                    .unified_diff()
                    .header("tera", "hoisted")
                    .to_string();
                panic!("{label}: hoisted output differs from Tera's\n{diff}\ntemplate:\n{source}");
            }
            compared.insert(source.clone());
        }
        seen.len()
    }

    /// Every part combination, all on first.
    fn combinations() -> Vec<Features> {
        (0..1u32 << Feature::ALL.len())
            .map(|bits| {
                let mut features = Features::all();
                for (i, feature) in Feature::ALL.iter().enumerate() {
                    features.set(*feature, bits & (1 << i) == 0);
                }
                features
            })
            .collect()
    }

    /// A field of every type the field syntax documents, with every modifier; types added to
    /// the field-type table later join as `extra_<type>:<type>`.
    fn all_fields(auth: bool) -> Vec<String> {
        let mut specs: Vec<String> = [
            "name:string:80:unique",
            "code:string:index",
            "description:text:optional",
            "price:decimal:10,2",
            "discount:decimal:optional",
            "stock:int",
            "minimum:int:optional",
            "views:bigint:index",
            "rating:float:optional",
            "active:bool",
            "featured:bool:optional",
            "released_on:date",
            "ends_on:date:optional",
            "published_at:datetime:optional",
            "checked_at:datetime",
            "sku:uuid:unique",
            "attributes:json:optional",
            "status:enum:draft,published,archived:index",
            "tier:enum:basic,premium:optional",
            "category:ref",
            "parent:ref:category:optional",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if auth {
            specs.push("owner:ref:user".to_string());
        }
        for (keyword, _) in crate::render::types::TypeTable::get().rows() {
            let covered = specs.iter().any(|s| s.split(':').nth(1) == Some(keyword));
            if !covered {
                let spec = format!("extra_{keyword}:{keyword}");
                parse_fields(std::slice::from_ref(&spec)).unwrap_or_else(|e| {
                    panic!("type `{keyword}` needs arguments: add a field of it above ({e})")
                });
                specs.push(spec);
            }
        }
        specs
    }

    const GROWN: &[&str] = &[
        "note:text:optional",
        "rank:int",
        "code:string:20:unique:optional",
        "brand:ref:optional",
        "level:enum:low,high:index",
    ];

    fn grow(root: &Path) -> crate::plan::Plan {
        let manifest = Manifest::load(root).unwrap();
        let specs: Vec<String> = GROWN.iter().map(|s| s.to_string()).collect();
        let defaults = vec!["rank=0".to_string(), "level=low".to_string()];
        match crate::commands::add_field::plan(
            &manifest,
            "category",
            parse_fields(&specs).unwrap(),
            &defaults,
            OnConflict::Stop,
        )
        .unwrap()
        {
            crate::commands::add_field::Outcome::Planned { plan, .. } => plan,
            crate::commands::add_field::Outcome::Unchanged(m) => panic!("{m}"),
        }
    }

    /// The built-in user grows by fields of several kinds (its files rendered again).
    fn grow_user(root: &Path) -> crate::plan::Plan {
        let manifest = Manifest::load(root).unwrap();
        let specs: Vec<String> = [
            "nickname:string:40:unique:optional",
            "level:int",
            "role:enum:member,admin:optional",
            "joined:datetime:optional",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        match crate::commands::add_field::plan(
            &manifest,
            "user",
            parse_fields(&specs).unwrap(),
            &["1".to_string()],
            OnConflict::Stop,
        )
        .unwrap()
        {
            crate::commands::add_field::Outcome::Planned { plan, .. } => plan,
            crate::commands::add_field::Outcome::Unchanged(m) => panic!("{m}"),
        }
    }

    fn shrink(root: &Path) -> crate::plan::Plan {
        let manifest = Manifest::load(root).unwrap();
        let names: Vec<String> = ["rank", "code", "brand", "level"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        match crate::commands::remove_field::plan(&manifest, "category", &names, OnConflict::Stop)
            .unwrap()
        {
            crate::commands::remove_field::Outcome::Planned { plan, .. } => plan,
            crate::commands::remove_field::Outcome::Unchanged(m) => panic!("{m}"),
        }
    }

    fn drop_category(root: &Path) -> crate::plan::Plan {
        let manifest = Manifest::load(root).unwrap();
        match crate::commands::remove_resource::plan(&manifest, "category", OnConflict::Stop)
            .unwrap()
        {
            crate::commands::remove_resource::Outcome::Planned { plan, .. } => plan,
            crate::commands::remove_resource::Outcome::Unchanged(m) => panic!("{m}"),
        }
    }

    fn plan_resource(root: &Path, name: &str, specs: &[String]) -> crate::plan::Plan {
        let manifest = Manifest::load(root).unwrap();
        let (names, _) = resource_names(name, true).unwrap();
        match add::plan(
            &manifest,
            names,
            parse_fields(specs).unwrap(),
            OnConflict::Stop,
        )
        .unwrap()
        {
            Outcome::Planned { plan, .. } => plan,
            Outcome::Unchanged { .. } => panic!("nothing planned for `{name}`"),
        }
    }

    /// Every `.tera` file under `templates/`, rendered for a new project of every stack and part
    /// combination and for resources of every field type added to each, comes out of hoisting
    /// exactly as Tera renders it on the same context. The contexts are the ones the commands
    /// build, recorded as they render.
    #[test]
    fn every_template_renders_like_tera_for_every_combination_of_parts() {
        let tmp = tempfile::tempdir().unwrap();
        let mut compared = BTreeSet::new();
        let mut renders = 0;
        for stack in Stack::all() {
            for (i, features) in combinations().into_iter().enumerate() {
                let label = format!("{} {:?}", stack.as_str(), features.enabled());
                let settings = NewSettings {
                    name: project_name("shop").unwrap(),
                    destination: tmp.path().join(format!("{}-{i}", stack.as_str())),
                    stack,
                    features,
                    dry_run: false,
                    json: false,
                    install: false,
                    git: false,
                };
                let (plan, seen) = recording(|| new::plan(&settings, "0123abcd").unwrap());
                renders += compare(&format!("new, {label}"), &seen, &mut compared);
                crate::apply::apply(&plan).unwrap();
                let root = &settings.destination;

                let specs = vec!["title:string".to_string()];
                let (plan, seen) = recording(|| plan_resource(root, "category", &specs));
                renders += compare(&format!("add category, {label}"), &seen, &mut compared);
                crate::apply::apply(&plan).unwrap();

                let specs = all_fields(features.auth);
                let (_, seen) = recording(|| plan_resource(root, "order_item", &specs));
                renders += compare(&format!("add order_item, {label}"), &seen, &mut compared);

                // The resource grows and shrinks: the revision templates and the resource's
                // files rendered again.
                let brand = vec!["name:string".to_string()];
                crate::apply::apply(&plan_resource(root, "brand", &brand)).unwrap();
                let (plan, seen) = recording(|| grow(root));
                renders += compare(&format!("add field, {label}"), &seen, &mut compared);
                crate::apply::apply(&plan).unwrap();
                let (plan, seen) = recording(|| shrink(root));
                renders += compare(&format!("remove field, {label}"), &seen, &mut compared);
                crate::apply::apply(&plan).unwrap();
                let (_, seen) = recording(|| drop_category(root));
                renders += compare(&format!("remove resource, {label}"), &seen, &mut compared);
                if features.auth {
                    let (_, seen) = recording(|| grow_user(root));
                    renders += compare(&format!("add field user, {label}"), &seen, &mut compared);
                }
            }
        }
        let mut missed = Vec::new();
        for kind in ["project", "resource", "user"] {
            for (path, body) in files_under(kind).unwrap() {
                if path.ends_with(TERA_SUFFIX) && !compared.contains(body) {
                    missed.push(path);
                }
            }
        }
        assert!(missed.is_empty(), "templates never rendered: {missed:?}");
        assert!(renders > 0);
    }

    fn context() -> Context {
        let mut context = Context::new();
        context.insert("items", &["a", "b"]);
        context.insert("name", "x");
        context.insert("flag", &true);
        context.insert("n", &1);
        context.insert("x", &2.0f64);
        context.insert("empty", &Vec::<String>::new());
        context.insert("nothing", &Option::<String>::None);
        context.insert(
            "fields",
            &serde_json::json!([
                {"name": "a", "kind": "decimal", "optional": true, "lines": ["l1", "l2"]},
                {"name": "b", "kind": "int", "optional": false, "lines": []},
            ]),
        );
        context
    }

    const TEMPLATES: &[&str] = &[
        "plain text only\n",
        "a {{ name }} b\n{% if flag %}\n  yes\n{% endif %}\nend\n",
        "x\n\n{%- for i in items %}\n    {{ i }}\n{%- endfor %}\ny\n",
        "{% for i in items -%}\n   {{ i }}\n{% endfor -%}\n  z",
        "{# comment #}a{#- trimmed -#}   b {{ \"{\" ~ name ~ \"}\" }} {x} {{- name -}} .\n",
        "f\"{self.id!r}\" and {'a': 1}\n",
        "{% for f in fields %}{% if not f.optional %}{{ f.name }}{% elif f.kind == \"decimal\" %}D{% else %}E{% endif %}{% for l in f.lines | reverse %}[{{ l }}]{% endfor %}\n{% endfor %}",
        "{% if empty or nothing %}no{% elif flag and not empty %}yes{% endif %}{% if nothing.field %}x{% endif %}{{ fields[1].name }}\n",
        "{% if name != \"x\" %}a{% else %}b{% endif %}{{ 3 }}{{ flag }}\n",
        "{% for f in fields %}{{ f.name | upper }}{% endfor %} {{ name | upper }}\n",
        "{% if fields | length > 1 %}many{% endif %}\n",
        "package {{ name }}.v1;\nname = \"{{name}}\"\n",
        "{% if n == 1.0 %}one{% endif %}{% if x == 2 %}two{% endif %}{% if x != 2 %}other{% endif %}\n",
        "{% if items.0 %}first{% else %}none{% endif %}\n",
        "{% for f in fields %}{% if f.name is defined %}d{% else %}u{% endif %}{% endfor %}\n",
    ];

    #[test]
    fn renders_exactly_like_tera() {
        let context = context();
        for template in TEMPLATES {
            let direct = Tera::one_off(template, &context, false).unwrap();
            let fast = render_str("t", template, &context).unwrap();
            assert_eq!(direct, fast, "{template:?}");
        }
    }

    #[test]
    fn fails_where_tera_fails() {
        let context = context();
        for template in ["{{ \"a\" ~ flag }}\n", "{{ missing }}\n"] {
            assert!(
                Tera::one_off(template, &context, false).is_err(),
                "{template:?}"
            );
            assert!(render_str("t", template, &context).is_err(), "{template:?}");
        }
    }

    #[test]
    fn decides_what_it_understands_and_leaves_the_rest() {
        let value = context().into_json();
        let mut chunks = Vec::new();
        assert_eq!(
            prerender(TEMPLATES[6], &value, &mut chunks),
            Ok("D[l2][l1]\nb\n".to_string())
        );
        let left = prerender(TEMPLATES[9], &value, &mut chunks).unwrap_err();
        assert!(left.contains("{% for f in fields %}"), "{left}");
        assert!(prerender("{% raw %}{{ x }}{% endraw %}", &value, &mut chunks).is_err());
    }
}
