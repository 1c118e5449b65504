//! The built-in user of a project with auth: the columns the auth module owns, the names and
//! types a field added to it cannot take, and its proto numbers.
//!
//! The facts are data (`templates/user/user.toml`). `arcana.toml` records the user as
//! `[resources.user]` with `builtin`, `internal` and the added `fields`; a project generated
//! before the record existed has the implied record: the built-in fields and nothing added.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::UserError;
use crate::project::manifest::ResourceEntry;
use crate::render::templates;
use crate::spec::fields::{self, Field};
use crate::spec::proto::ProtoNumbers;

/// Where the facts live.
pub const DATA_PATH: &str = "user/user.toml";

/// The name of the built-in user in `arcana.toml` and on the command line.
pub const NAME: &str = "user";

/// The facts of `templates/user/user.toml`.
#[derive(Debug, Deserialize)]
pub struct BuiltinUser {
    pub plural: String,
    pub builtin: Vec<String>,
    pub internal: Vec<String>,
    pub taken: Vec<String>,
    pub proto: BTreeMap<String, u32>,
    pub clear: u32,
    pub unsupported: BTreeMap<String, String>,
}

/// The built-in user's facts (parsed once).
pub fn facts() -> &'static BuiltinUser {
    static FACTS: OnceLock<BuiltinUser> = OnceLock::new();
    FACTS.get_or_init(|| {
        let text = templates::source(DATA_PATH).expect("the user facts are embedded");
        toml::from_str(text).expect("the user facts parse (checked by a unit test)")
    })
}

/// What a field given for the user amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    /// A built-in field with the same type: nothing to add.
    Builtin,
    /// A field to add.
    New(Field),
}

/// Checks one field given for the user against its built-in columns.
pub fn check(field: Field) -> Result<Given, UserError> {
    let facts = facts();
    let builtin = facts
        .builtin
        .iter()
        .filter_map(|spec| fields::parse_field(spec).ok())
        .find(|b| b.name == field.name || b.column() == field.column());
    if let Some(builtin) = builtin {
        if facts.internal.contains(&builtin.name) {
            return Err(UserError::new(format!(
                "`{}` is an internal column of the built-in `user`, which no request or response carries",
                builtin.name
            ))
            .hint("Choose another name for the new field"));
        }
        if builtin.kind == field.kind {
            return Ok(Given::Builtin);
        }
        return Err(UserError::new(format!(
            "`{field}` clashes with the built-in field `{builtin}` of `user`"
        ))
        .hint(format!(
            "The built-in `{}` stays as it is; give the new field another name, e.g. `{}_{}`",
            builtin.name,
            field.name,
            field.kind.replace(':', "_")
        )));
    }
    if facts.taken.contains(&field.name) {
        return Err(UserError::new(format!(
            "`{}` cannot name a field of `user`: the auth requests already use it",
            field.name
        ))
        .hint("Choose another name for the new field"));
    }
    if field.unique && !field.optional {
        return Err(UserError::new(format!(
            "`{field}` would need a distinct value for every user, also for the rows already there and for every registration that omits it"
        ))
        .hint(format!(
            "Add it as optional (`{field}:optional`): unique values are then checked for the users who set one"
        )));
    }
    if let Some(why) = facts.unsupported.get(&field.kind) {
        return Err(
            UserError::new(format!("`{field}` cannot be added to the built-in `user`"))
                .hint(capitalize(why)),
        );
    }
    Ok(Given::New(field))
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// The record of a user with nothing added (what a project without the record implies).
pub fn implied_entry() -> ResourceEntry {
    let facts = facts();
    ResourceEntry {
        name: NAME.to_string(),
        plural: facts.plural.clone(),
        fields: Vec::new(),
        proto: facts.proto.clone(),
        reserved: BTreeMap::new(),
    }
}

/// The proto numbers of the added fields: the built-in ones are fixed, so `created_at` (5) and
/// `clear` (4) stand for the numbers the messages already use and an added field numbers after
/// every one of them.
pub fn numbers(entry: &ResourceEntry, added: &[Field]) -> ProtoNumbers {
    let facts = facts();
    let created_at = facts.proto.get("created_at").copied().unwrap_or(5);
    let mut numbers = ProtoNumbers {
        fields: BTreeMap::new(),
        created_at,
        updated_at: created_at,
        clear: facts.clear,
        reserved: entry.reserved.clone(),
    };
    for field in added {
        match entry.proto.get(&field.name) {
            Some(number) => {
                numbers.fields.insert(field.name.clone(), *number);
            }
            None => numbers = numbers.with_added(&[field.name.as_str()]),
        }
    }
    numbers
}

/// The `proto` table recorded for the user: the built-in numbers and the added fields'.
pub fn recorded_numbers(numbers: &ProtoNumbers) -> BTreeMap<String, u32> {
    let mut out = facts().proto.clone();
    out.extend(numbers.fields.iter().map(|(k, v)| (k.clone(), *v)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::fields::parse_field;

    #[test]
    fn the_facts_parse_and_name_valid_fields() {
        let facts = facts();
        for spec in &facts.builtin {
            parse_field(spec).unwrap();
        }
        for name in &facts.internal {
            assert!(
                facts
                    .builtin
                    .iter()
                    .any(|s| s.starts_with(&format!("{name}:")))
            );
        }
    }

    #[test]
    fn builtin_fields_are_kept_clashes_refused_and_new_ones_added() {
        let given = |spec: &str| check(parse_field(spec).unwrap());
        assert_eq!(given("email:email").unwrap(), Given::Builtin);
        assert_eq!(given("full_name:string:80").unwrap(), Given::Builtin);
        let err = given("email:int").unwrap_err();
        assert!(
            err.message.contains("built-in field `email:email:unique`"),
            "{}",
            err.message
        );
        assert!(err.hint.is_some());
        assert!(
            given("password_hash:string")
                .unwrap_err()
                .message
                .contains("internal")
        );
        assert!(given("password:string").is_err());
        assert!(given("manager:ref:user").is_err());
        assert!(given("settings:json").is_err());
        assert!(given("handle:string:unique").is_err());
        assert!(given("handle:string:unique:optional").is_ok());
        let nickname = parse_field("nickname:string:40").unwrap();
        assert_eq!(given("nickname:string:40").unwrap(), Given::New(nickname));
    }

    #[test]
    fn added_fields_number_after_the_builtin_ones() {
        let entry = implied_entry();
        let added = [
            parse_field("nickname:string").unwrap(),
            parse_field("age:int").unwrap(),
        ];
        let numbers = numbers(&entry, &added);
        assert_eq!((numbers.number("nickname"), numbers.number("age")), (6, 7));
        let recorded = recorded_numbers(&numbers);
        assert_eq!(recorded["email"], 2);
        assert_eq!(recorded["age"], 7);
        let removed = numbers.without("nickname", "nickname");
        let again = super::numbers(
            &ResourceEntry {
                proto: recorded_numbers(&removed),
                reserved: removed.reserved.clone(),
                ..entry
            },
            &[added[1].clone(), parse_field("bio:text").unwrap()],
        );
        assert_eq!((again.number("age"), again.number("bio")), (7, 8));
    }
}
