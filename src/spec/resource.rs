//! A resource as the user names it: its name validated and normalised into every case and number
//! the generated code needs, and the targets of its reference fields resolved among the
//! project's resources, all before anything is rendered.

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};

use crate::error::UserError;
use crate::project::manifest::ResourceEntry;
use crate::spec::fields::Field;
use crate::spec::inflect;
use crate::spec::names::{self, PYTHON_KEYWORDS};
use crate::spec::reserved;

/// Longest resource name accepted (snake_case), so every generated identifier stays readable
/// and within PostgreSQL's 63-character limit.
pub const MAX_NAME_LENGTH: usize = 24;

/// Longest field name accepted.
pub const MAX_FIELD_LENGTH: usize = 36;

/// PostgreSQL's limit on identifiers (table, constraint and index names).
pub const MAX_IDENTIFIER: usize = 63;

/// Resource names a generated project already uses, with the reason.
const RESERVED_RESOURCES: &[(&str, &str)] = &[
    (
        "user",
        "the built-in users module already defines it (reference it with `owner:ref:user`)",
    ),
    ("auth", "the built-in auth module uses it"),
    ("health", "the built-in health endpoints use it"),
    (
        "base",
        "`app/model/base.py` holds the declarative base of every entity",
    ),
    (
        "timestamp_mixin",
        "`app/model/base.py` defines `TimestampMixin`",
    ),
    ("error", "`app/controller/schemas/error_schema.py` uses it"),
    ("cache", "`app/repository/cache_repository.py` uses it"),
    ("token_pair", "the auth proto already defines `TokenPair`"),
    (
        "refresh_token",
        "the built-in auth module records used refresh tokens under this name",
    ),
    (
        "used_refresh_token",
        "the built-in auth module defines `UsedRefreshToken`",
    ),
];

/// The entries of [`RESERVED_RESOURCES`] that only the built-in users module (auth) owns.
const AUTH_ONLY: &[&str] = &["user", "token_pair", "refresh_token", "used_refresh_token"];

/// Python builtins and module names the generated code uses, which a resource variable named
/// like them would shadow.
const SHADOWED_NAMES: &[&str] = &[
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "list",
    "dict",
    "set",
    "tuple",
    "type",
    "object",
    "id",
    "property",
    "range",
    "filter",
    "map",
    "zip",
    "format",
    "input",
    "open",
    "print",
    "len",
    "hash",
    "iter",
    "next",
    "super",
    "vars",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "round",
    "slice",
    "sorted",
    "reversed",
    "json",
    "dt",
    "uuid",
    "decimal",
    "grpc",
    "pytest",
    "sa",
    "op",
    "fields",
    "validate",
    "typing",
    "enum",
    "postgresql",
    "app",
    "tests",
    "migrations",
    "values",
    "refs",
    "stub",
    "client",
    "container",
    "repository",
    "service",
    "cache",
    "message",
    "data",
    "page",
    "session",
    "query",
    "rows",
    "row",
    "total",
    "attribute",
    "name",
    "value",
    "changes",
    "exc",
    "key",
    "cached",
    "deleted",
    "ordered",
    "payload",
    "created",
    "found",
    "updated",
    "sample",
    "error",
    "body",
    "both",
    "column",
    "target",
    "other",
    "missing",
    "field",
    "items",
    "context",
];

/// Last words that would make a generated class name collide with another generated class.
const RESERVED_SUFFIXES: &[&str] = &[
    "request",
    "response",
    "schema",
    "service",
    "servicer",
    "repository",
    "impl",
    "create",
    "update",
    "page",
    "query",
    "dto",
    "fake",
    "samples",
    "controller",
];

/// A resource name in every case and number the templates need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// `order_item`: modules, variables, the manifest key.
    pub snake: String,
    /// `order_items`: table, blueprint and collection names.
    pub plural: String,
    /// `OrderItem`: classes and proto messages.
    pub class: String,
    /// `OrderItems`: `ListOrderItemsRequest`.
    pub plural_class: String,
    /// `order-items`: the URL path.
    pub kebab_plural: String,
    /// `order item`: prose.
    pub human: String,
    /// `order items`: prose.
    pub human_plural: String,
    /// `a` or `an`, for `human`.
    pub article: &'static str,
}

impl Names {
    /// Names for an already normalised singular snake_case name.
    pub fn from_snake(snake: &str) -> Self {
        let plural = inflect::pluralize(snake);
        let human = snake.replace('_', " ");
        let article = if human.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        Self {
            class: snake.to_upper_camel_case(),
            plural_class: plural.to_upper_camel_case(),
            kebab_plural: plural.to_kebab_case(),
            human_plural: plural.replace('_', " "),
            human,
            article,
            plural,
            snake: snake.to_string(),
        }
    }
}

/// Validates a resource name as typed (any case, singular or plural) and normalises it.
/// `builtin_users` says whether the project has the built-in users module (auth), which owns
/// the name `user`; without it `user` is an ordinary resource.
///
/// Returns the names and, when a plural was given, a note saying which singular is used.
pub fn resource_names(
    input: &str,
    builtin_users: bool,
) -> Result<(Names, Option<String>), UserError> {
    let raw = input.trim();
    if !names::is_name_like(raw) {
        return Err(UserError::new(format!(
            "`{raw}` is not a valid resource name: it must start with a letter and contain only letters, digits, `-` and `_`"
        ))
        .hint("Name the entity in the singular, e.g. `product`, `order_item` or `OrderItem`"));
    }
    let given = raw.to_snake_case();
    let snake = inflect::singularize(&given);
    let note = (snake != given)
        .then(|| format!("Using the singular `{snake}` for `{raw}` (the table is `{given}`)"));
    let note = note.map(|n| {
        if inflect::pluralize(&snake) == given {
            n
        } else {
            format!("Using the singular `{snake}` for `{raw}`")
        }
    });
    check_resource_name(&snake, raw, builtin_users)?;
    Ok((Names::from_snake(&snake), note))
}

fn check_resource_name(snake: &str, raw: &str, builtin_users: bool) -> Result<(), UserError> {
    let rename = |why: String| {
        Err(
            UserError::new(format!("`{raw}` cannot name a resource: {why}")).hint(
                "Choose a more specific name, e.g. `product`, `customer_order` or `blog_post`",
            ),
        )
    };
    if snake.is_empty() {
        return rename("its singular is empty".to_string());
    }
    let class = snake.to_upper_camel_case();
    if PYTHON_KEYWORDS.contains(&snake)
        || PYTHON_KEYWORDS.contains(&raw)
        || PYTHON_KEYWORDS.contains(&class.as_str())
    {
        return rename(format!("`{class}` is a Python keyword"));
    }
    if let Some((_, why)) = RESERVED_RESOURCES
        .iter()
        .find(|(n, _)| *n == snake && (builtin_users || !AUTH_ONLY.contains(n)))
    {
        return rename(format!("it is reserved because {why}"));
    }

    if SHADOWED_NAMES.contains(&snake) {
        return rename(format!(
            "`{snake}` would shadow a Python builtin or a name the generated code uses"
        ));
    }
    if let Some(why) = reserved::resource_clash(snake, &class, builtin_users) {
        return rename(why);
    }
    let last = snake.rsplit('_').next().unwrap_or(snake);
    if RESERVED_SUFFIXES.contains(&last) {
        return rename(format!(
            "names ending in `{last}` clash with the classes generated for every resource"
        ));
    }
    if snake.len() > MAX_NAME_LENGTH {
        return Err(UserError::new(format!(
            "`{raw}` is too long for a resource name ({} characters, at most {MAX_NAME_LENGTH})",
            snake.len()
        ))
        .hint("Choose a shorter name; it becomes part of table, class and constraint names"));
    }
    Ok(())
}

/// What a reference field points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub names: Names,
    /// The built-in `users` table rather than a generated resource.
    pub builtin_user: bool,
}

impl Target {
    pub fn table(&self) -> &str {
        &self.names.plural
    }
}

/// Finds the target of every reference field among the project's resources (or `user`).
pub fn resolve_target(
    field: &Field,
    resource: &Names,
    existing: &[ResourceEntry],
    has_users: bool,
) -> Result<Option<Target>, UserError> {
    let Some(target) = field.target() else {
        return Ok(None);
    };
    let wanted = inflect::singularize(&target.to_snake_case());
    let user_resource = existing.iter().any(|r| r.name == "user");
    if wanted == "user" && !has_users && !user_resource {
        return Err(UserError::new(format!(
            "Field `{field}` references `user`, but this project has no users: it was generated without auth (`--no-auth`)"
        ))
        .hint("Add a `user` resource first (`arcana add resource user name:string email:email:unique`), or reference another resource"));
    }
    if wanted == "user" && has_users {
        return Ok(Some(Target {
            names: Names::from_snake("user"),
            builtin_user: true,
        }));
    }
    if wanted == resource.snake {
        return Err(UserError::new(format!(
            "Field `{field}` references `{}` itself, which is not supported",
            resource.snake
        ))
        .hint("Model the hierarchy with a separate resource, or store the parent id in an `int` field"));
    }
    match existing.iter().find(|r| r.name == wanted) {
        Some(entry) => Ok(Some(Target {
            names: Names::from_snake(&entry.name),
            builtin_user: false,
        })),
        None => {
            let known: Vec<String> = has_users
                .then(|| "user".to_string())
                .into_iter()
                .chain(existing.iter().map(|r| r.name.clone()))
                .collect();
            Err(UserError::new(format!(
                "Field `{field}` references `{wanted}`, which is not a resource of this project (known: {})",
                known.join(", ")
            ))
            .hint(format!(
                "Add it first with `arcana add resource {wanted} FIELD:TYPE ...`, then add this resource"
            )))
        }
    }
}

/// The parsed fields of a resource's manifest entry (fields recorded by this version).
pub fn entry_fields(entry: &ResourceEntry) -> Vec<Field> {
    entry
        .fields
        .iter()
        .filter_map(|spec| crate::spec::fields::parse_field(spec).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::fields::parse_field;

    #[test]
    fn names_in_every_case() {
        let (names, note) = resource_names("OrderItem", true).unwrap();
        assert_eq!(names.snake, "order_item");
        assert_eq!(names.plural, "order_items");
        assert_eq!(names.class, "OrderItem");
        assert_eq!(names.plural_class, "OrderItems");
        assert_eq!(names.kebab_plural, "order-items");
        assert_eq!(names.human, "order item");
        assert_eq!(names.article, "an");
        assert!(note.is_none());
        assert_eq!(resource_names("order-item", true).unwrap().0, names);
        let (people, _) = resource_names("person", true).unwrap();
        assert_eq!(
            (people.plural.as_str(), people.plural_class.as_str()),
            ("people", "People")
        );
        let (category, note) = resource_names("categories", true).unwrap();
        assert_eq!(category.snake, "category");
        assert!(note.unwrap().contains("singular `category`"));
    }

    #[test]
    fn refuses_reserved_and_malformed_names() {
        for (name, why) in [
            ("class", "Python keyword"),
            ("none", "`None` is a Python keyword"),
            ("true", "Python keyword"),
            ("s", "singular is empty"),
            ("mapping", "generated code imports"),
            ("protocol", "generated code imports"),
            ("session_factory", "generated code imports"),
            ("not_found_error", "generated code imports"),
            ("conflict_error", "generated code imports"),
            ("validation_failed_error", "generated code imports"),
            ("refresh_token", "used refresh tokens"),
            ("user", "built-in users module"),
            ("users", "built-in users module"),
            ("auth", "auth module"),
            ("list", "shadow"),
            ("session", "shadow"),
            ("product_request", "ending in `request`"),
            ("9lives", "must start with a letter"),
            ("a_very_long_resource_name_that_goes_on", "too long"),
        ] {
            let err = resource_names(name, true).unwrap_err();
            assert!(err.message.contains(why), "{name}: {}", err.message);
            assert!(err.hint.is_some());
        }
    }

    #[test]
    fn user_is_an_ordinary_resource_without_the_builtin_users() {
        let (names, _) = resource_names("users", false).unwrap();
        assert_eq!(
            (names.snake.as_str(), names.plural.as_str()),
            ("user", "users")
        );
        assert!(resource_names("auth", false).is_err());
        let owner = parse_field("owner:ref:user").unwrap();
        let order = Names::from_snake("order");
        let user = ResourceEntry {
            name: "user".into(),
            plural: "users".into(),
            fields: vec![],
            ..Default::default()
        };
        let target = resolve_target(&owner, &order, &[user], false)
            .unwrap()
            .unwrap();
        assert!(!target.builtin_user);
        assert_eq!(target.table(), "users");
        let err = resolve_target(&owner, &order, &[], false).unwrap_err();
        assert!(err.hint.unwrap().contains("arcana add resource user"));
    }

    #[test]
    fn references_resolve_to_existing_resources_or_user() {
        let product = Names::from_snake("order_item");
        let existing = vec![ResourceEntry {
            name: "product".into(),
            plural: "products".into(),
            fields: vec![],
            ..Default::default()
        }];
        let field = parse_field("product:ref").unwrap();
        let target = resolve_target(&field, &product, &existing, true)
            .unwrap()
            .unwrap();
        assert_eq!(target.names.class, "Product");
        let owner = parse_field("owner:ref:user").unwrap();
        assert!(
            resolve_target(&owner, &product, &existing, true)
                .unwrap()
                .unwrap()
                .builtin_user
        );
        let err = resolve_target(
            &parse_field("customer:ref").unwrap(),
            &product,
            &existing,
            true,
        )
        .unwrap_err();
        assert!(err.message.contains("`customer`, which is not a resource"));
        assert!(err.hint.unwrap().contains("arcana add resource customer"));
        let err = resolve_target(
            &parse_field("parent:ref:order_item").unwrap(),
            &product,
            &existing,
            true,
        )
        .unwrap_err();
        assert!(err.message.contains("itself"));
        let err = resolve_target(&owner, &product, &existing, false).unwrap_err();
        assert!(err.message.contains("has no users"));
        assert!(err.message.contains("`--no-auth`"));
    }
}
