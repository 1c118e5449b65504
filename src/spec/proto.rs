//! Stable proto field numbers of a resource.
//!
//! The `{Class}` response message numbers `id` 1, then the fields, then `created_at` and
//! `updated_at`; `Create{Class}Request` numbers each field one less than the response does and
//! `Update{Class}Request` the same as the response (after `id` 1, with `clear` last). A field
//! keeps its number for ever: added fields take numbers after every number ever used, removed
//! ones leave their number and name `reserved` in all three messages, so that old clients never
//! read a field as another. `arcana.toml` records the numbers (`proto` and `reserved` of the
//! resource); a resource recorded before numbers were recorded gets the numbers its field order
//! gave it.

use std::collections::BTreeMap;

/// The numbers of one resource's proto messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProtoNumbers {
    /// The response number of each field, by field name.
    pub fields: BTreeMap<String, u32>,
    pub created_at: u32,
    pub updated_at: u32,
    /// The number of `clear` in the update request.
    pub clear: u32,
    /// Removed fields: proto name (the column) to the response number they had.
    pub reserved: BTreeMap<String, u32>,
}

/// Keys of the recorded `proto` table that are not field names (fields cannot take them).
pub const FIXED: &[&str] = &["created_at", "updated_at", "clear"];

impl ProtoNumbers {
    /// The numbers of a new resource whose fields are `names`, in order.
    pub fn sequential<S: AsRef<str>>(names: &[S]) -> Self {
        let n = names.len() as u32;
        Self {
            fields: names
                .iter()
                .enumerate()
                .map(|(i, name)| (name.as_ref().to_string(), i as u32 + 2))
                .collect(),
            created_at: n + 2,
            updated_at: n + 3,
            clear: n + 2,
            reserved: BTreeMap::new(),
        }
    }

    /// Reads the recorded tables; `None` for fields recorded without numbers, or numbers that
    /// do not cover `names` (then [`ProtoNumbers::sequential`] applies).
    pub fn from_recorded<S: AsRef<str>>(
        names: &[S],
        proto: &BTreeMap<String, u32>,
        reserved: &BTreeMap<String, u32>,
    ) -> Self {
        let fixed = |key: &str| proto.get(key).copied();
        let covered = names.iter().all(|n| proto.contains_key(n.as_ref()));
        match (
            fixed("created_at"),
            fixed("updated_at"),
            fixed("clear"),
            covered,
        ) {
            (Some(created_at), Some(updated_at), Some(clear), true) => Self {
                fields: names
                    .iter()
                    .map(|n| (n.as_ref().to_string(), proto[n.as_ref()]))
                    .collect(),
                created_at,
                updated_at,
                clear,
                reserved: reserved.clone(),
            },
            _ => {
                let mut numbers = Self::sequential(names);
                numbers.reserved = reserved.clone();
                numbers
            }
        }
    }

    /// The highest number any message of the resource has used.
    fn highest(&self) -> u32 {
        self.fields
            .values()
            .chain(self.reserved.values())
            .chain([&self.created_at, &self.updated_at, &self.clear])
            .copied()
            .max()
            .unwrap_or(1)
    }

    /// Gives each of `names` (fields being added) a number after every number used so far.
    pub fn with_added<S: AsRef<str>>(&self, names: &[S]) -> Self {
        let mut out = self.clone();
        let mut next = self.highest() + 1;
        for name in names {
            if !out.fields.contains_key(name.as_ref()) {
                out.fields.insert(name.as_ref().to_string(), next);
                next += 1;
            }
        }
        out
    }

    /// Removes the field `name` (proto name `column`), reserving its number and proto name.
    pub fn without(&self, name: &str, column: &str) -> Self {
        let mut out = self.clone();
        if let Some(number) = out.fields.remove(name) {
            out.reserved.insert(column.to_string(), number);
        }
        out
    }

    /// The response number of `name` (fields recorded here always have one).
    pub fn number(&self, name: &str) -> u32 {
        self.fields.get(name).copied().unwrap_or(0)
    }

    /// The recorded `proto` table: field numbers and the fixed ones.
    pub fn recorded(&self) -> BTreeMap<String, u32> {
        let mut out = self.fields.clone();
        out.insert("created_at".into(), self.created_at);
        out.insert("updated_at".into(), self.updated_at);
        out.insert("clear".into(), self.clear);
        out
    }

    /// `reserved` lines of the response and update messages (the same numbers) and of the
    /// create request (one less), e.g. `reserved 6;` and `reserved "weight";`.
    pub fn reserved_lines(&self, create: bool) -> Vec<String> {
        if self.reserved.is_empty() {
            return Vec::new();
        }
        let mut numbers: Vec<u32> = self
            .reserved
            .values()
            .map(|n| if create { n - 1 } else { *n })
            .collect();
        numbers.sort_unstable();
        let numbers: Vec<String> = numbers.iter().map(u32::to_string).collect();
        let names: Vec<String> = self.reserved.keys().map(|n| format!("\"{n}\"")).collect();
        vec![
            format!("reserved {};", numbers.join(", ")),
            format!("reserved {};", names.join(", ")),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_resource_numbers_its_fields_in_order() {
        let n = ProtoNumbers::sequential(&["name", "price"]);
        assert_eq!((n.number("name"), n.number("price")), (2, 3));
        assert_eq!((n.created_at, n.updated_at, n.clear), (4, 5, 4));
    }

    #[test]
    fn added_fields_never_take_a_used_number() {
        let n = ProtoNumbers::sequential(&["name", "price"]);
        let added = n.with_added(&["weight", "color"]);
        assert_eq!(added.number("name"), 2);
        assert_eq!(added.number("price"), 3);
        assert_eq!((added.number("weight"), added.number("color")), (6, 7));
        let removed = added.without("weight", "weight");
        assert_eq!(
            removed.reserved,
            BTreeMap::from([("weight".to_string(), 6)])
        );
        let again = removed.with_added(&["size_cm"]);
        assert_eq!(
            again.number("size_cm"),
            8,
            "a reserved number is not reused"
        );
        assert_eq!(
            removed.reserved_lines(false),
            vec![
                "reserved 6;".to_string(),
                "reserved \"weight\";".to_string()
            ]
        );
        assert_eq!(removed.reserved_lines(true)[0], "reserved 5;");
    }

    #[test]
    fn recorded_numbers_round_trip_and_old_entries_get_their_order() {
        let n = ProtoNumbers::sequential(&["name", "price"])
            .with_added(&["weight"])
            .without("price", "price");
        let back = ProtoNumbers::from_recorded(&["name", "weight"], &n.recorded(), &n.reserved);
        assert_eq!(back, n);
        let legacy = ProtoNumbers::from_recorded(&["a", "b"], &BTreeMap::new(), &BTreeMap::new());
        assert_eq!(legacy, ProtoNumbers::sequential(&["a", "b"]));
    }
}
