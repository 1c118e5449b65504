//! `--default VALUE` of `arcana add field`: the value existing rows get for a required field,
//! validated against the field's type and written as the column's server default for the
//! duration of the migration.

use crate::error::UserError;
use crate::spec::fields::{Field, TypeArg};

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

fn refuse(field: &Field, value: &str, why: &str, example: &str) -> UserError {
    UserError::new(format!(
        "`--default {value}` does not suit `{field}`: {why}"
    ))
    .hint(format!(
        "Give a valid value, e.g. `--default {}={example}`",
        field.name
    ))
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

fn integer(s: &str) -> bool {
    digits(s.strip_prefix('-').unwrap_or(s))
}

fn date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    matches!(parts.as_slice(), [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2
        && digits(y) && digits(m) && digits(d)
        && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&d.parse::<u32>().unwrap_or(0)))
}

fn time(s: &str) -> bool {
    let main = s.split('.').next().unwrap_or(s);
    let parts: Vec<&str> = main.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|p| p.len() == 2 && digits(p))
        && parts[0].parse::<u32>().unwrap_or(99) < 24
        && parts[1..]
            .iter()
            .all(|p| p.parse::<u32>().unwrap_or(99) < 60)
}

fn datetime(s: &str) -> bool {
    let Some((d, rest)) = s.split_once(['T', ' ']) else {
        return false;
    };
    let rest = rest.trim_end_matches('Z');
    let t = match rest.rfind(['+', '-']) {
        Some(at) if at >= 5 => &rest[..at],
        _ => rest,
    };
    date(d) && time(t)
}

fn uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The Python expression for `server_default=` that gives existing rows `value`, or why the
/// value does not suit `field`.
pub fn server_default(field: &Field, value: &str) -> Result<String, UserError> {
    let ok = |v: &str| Ok(quote(v));
    match (field.kind.as_str(), &field.arg) {
        ("bool", _) => match value.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok("sa.true()".into()),
            "false" | "0" | "no" => Ok("sa.false()".into()),
            _ => Err(refuse(field, value, "a bool is `true` or `false`", "false")),
        },
        ("int" | "bigint" | "ref", _) if integer(value) => ok(value),
        ("int" | "bigint", _) => Err(refuse(field, value, "not an integer", "0")),
        ("ref", _) => Err(refuse(
            field,
            value,
            "a reference takes the id of an existing row",
            "1",
        )),
        ("float", _) if value.parse::<f64>().is_ok_and(f64::is_finite) => ok(value),
        ("float", _) => Err(refuse(field, value, "not a number", "0.0")),
        ("decimal", TypeArg::Digits { precision, scale }) => {
            let body = value.strip_prefix('-').unwrap_or(value);
            let (int, frac) = body.split_once('.').unwrap_or((body, ""));
            let valid = digits(int) && (frac.is_empty() || digits(frac));
            if !valid {
                return Err(refuse(field, value, "not a decimal number", "0.00"));
            }
            let int = int.trim_start_matches('0');
            if frac.len() > *scale as usize || int.len() > (precision - scale) as usize {
                return Err(refuse(
                    field,
                    value,
                    &format!("it does not fit {precision} digits with {scale} after the point"),
                    "0",
                ));
            }
            ok(value)
        }
        ("string" | "email", TypeArg::Length(max)) if value.chars().count() > *max as usize => {
            Err(refuse(
                field,
                value,
                &format!("longer than {max} characters"),
                "\"\"",
            ))
        }
        ("email", _) if !value.contains('@') => Err(refuse(
            field,
            value,
            "not an email address",
            "nobody@example.com",
        )),
        ("string" | "text" | "email", _) => ok(value),
        ("enum", TypeArg::Values(values)) if values.iter().any(|v| v == value) => ok(value),
        ("enum", TypeArg::Values(values)) => Err(refuse(
            field,
            value,
            &format!("one of {} is needed", values.join(", ")),
            &values[0],
        )),
        ("date", _) if date(value) => ok(value),
        ("date", _) => Err(refuse(field, value, "a date is YYYY-MM-DD", "2024-01-01")),
        ("time", _) if time(value) => ok(value),
        ("time", _) => Err(refuse(field, value, "a time is HH:MM[:SS]", "09:00")),
        ("datetime", _) if datetime(value) => ok(value),
        ("datetime", _) => Err(refuse(
            field,
            value,
            "a datetime is ISO 8601 with a time zone or UTC, e.g. 2024-01-01T00:00:00Z",
            "2024-01-01T00:00:00Z",
        )),
        ("uuid", _) if uuid(value) => ok(&value.to_ascii_lowercase()),
        ("uuid", _) => Err(refuse(
            field,
            value,
            "not a UUID",
            "00000000-0000-0000-0000-000000000000",
        )),
        ("json", _) if serde_json::from_str::<serde_json::Value>(value).is_ok() => ok(value),
        ("json", _) => Err(refuse(field, value, "not valid JSON", "{}")),
        _ => ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::fields::parse_field;

    fn default(spec: &str, value: &str) -> Result<String, UserError> {
        server_default(&parse_field(spec).unwrap(), value)
    }

    #[test]
    fn values_are_checked_against_the_type() {
        assert_eq!(default("stock:int", "0").unwrap(), "\"0\"");
        assert!(default("stock:int", "zero").is_err());
        assert_eq!(default("active:bool", "true").unwrap(), "sa.true()");
        assert!(default("active:bool", "maybe").is_err());
        assert_eq!(default("price:decimal:6,2", "9.99").unwrap(), "\"9.99\"");
        assert!(default("price:decimal:6,2", "9.999").is_err());
        assert!(default("price:decimal:6,2", "99999").is_err());
        assert!(default("code:string:3", "ABCD").is_err());
        assert_eq!(
            default("status:enum:draft,live", "draft").unwrap(),
            "\"draft\""
        );
        let err = default("status:enum:draft,live", "gone").unwrap_err();
        assert!(err.message.contains("draft, live"), "{}", err.message);
        assert!(default("born:date", "2024-02-30").is_ok());
        assert!(default("born:date", "yesterday").is_err());
        assert!(default("at:datetime", "2024-01-01T10:00:00+02:00").is_ok());
        assert!(default("opens:time", "25:00").is_err());
        assert!(default("data:json", "{\"a\": 1}").is_ok());
        assert!(default("data:json", "{").is_err());
        assert!(default("key:uuid", "not-a-uuid").is_err());
        assert!(default("note:text", "it's \"quoted\"").is_ok());
    }
}
