//! Property test over generated specs: for random valid resources (names, every field type,
//! arguments and modifiers), `arcana add resource` plans files that respect the generated
//! project's lint rules that can be checked without Python: no line over ruff's 100 columns,
//! brackets balanced in every Python and proto file, and an `arcana.toml` that parses. Specs the
//! generator refuses must be refused with a message and a hint, never a panic.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arcana::commands::add::{self, Outcome};
use arcana::plan::Change;
use arcana::project::conflicts::OnConflict;
use arcana::project::manifest::Manifest;
use arcana::spec::fields::parse_fields;
use arcana::spec::resource::resource_names;
use assert_cmd::Command;
use proptest::prelude::*;

/// One generated project shared by every case (cases only plan; nothing is written).
fn project() -> &'static Path {
    static ROOT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, root) = ROOT.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        Command::cargo_bin("arcana")
            .unwrap()
            .current_dir(tmp.path())
            .args(["new", "shop", "--no-input"])
            .assert()
            .success();
        let root = tmp.path().join("shop");
        (tmp, root)
    });
    root
}

fn word() -> impl Strategy<Value = String> {
    "[a-z]{1,9}"
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        (word(), proptest::option::of(word())).prop_map(|(a, b)| match b {
            Some(b) => format!("{a}_{b}"),
            None => a,
        }),
        // Names near the longest accepted, where generated lines come closest to 100 columns.
        "[a-z]{8}_[a-z]{8}_[a-z]{8}_[a-z]{6,9}",
    ]
}

fn field_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("string".to_string()),
        (1u32..400).prop_map(|n| format!("string:{n}")),
        Just("text".to_string()),
        Just("email".to_string()),
        Just("int".to_string()),
        Just("bigint".to_string()),
        Just("float".to_string()),
        Just("decimal".to_string()),
        (1u32..20, 0u32..6)
            .prop_filter("scale <= precision", |(p, s)| s <= p)
            .prop_map(|(p, s)| format!("decimal:{p},{s}")),
        Just("bool".to_string()),
        Just("date".to_string()),
        Just("datetime".to_string()),
        Just("time".to_string()),
        Just("uuid".to_string()),
        Just("json".to_string()),
        proptest::collection::btree_set("[a-z]{1,8}", 1..4)
            .prop_map(|v| format!("enum:{}", v.into_iter().collect::<Vec<_>>().join(","))),
        Just("ref:user".to_string()),
    ]
}

fn field() -> impl Strategy<Value = String> {
    (
        field_name(),
        field_type(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(name, ty, optional, unique, index)| {
            let mut spec = format!("{name}:{ty}");
            for (on, word) in [(optional, "optional"), (unique, "unique"), (index, "index")] {
                if on {
                    spec.push(':');
                    spec.push_str(word);
                }
            }
            spec
        })
}

/// Lines longer than ruff allows, and whether brackets balance (outside string literals).
fn check_python(path: &str, text: &str) -> Result<(), String> {
    for (i, line) in text.lines().enumerate() {
        if line.chars().count() > 100 {
            return Err(format!("{path}:{}: {} columns: {line}", i + 1, line.len()));
        }
    }
    let mut depth: i64 = 0;
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == '\\' => {
                let _ = q;
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '#' => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            },
        }
        if depth < 0 {
            return Err(format!("{path}: a bracket closes before it opens"));
        }
    }
    if depth != 0 {
        return Err(format!("{path}: brackets do not balance ({depth})"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn accepted_specs_render_within_the_lint_rules(
        name in word(),
        specs in proptest::collection::vec(field(), 1..7),
    ) {
        let root = project();
        let manifest = Manifest::load(root).unwrap();
        let Ok((names, _)) = resource_names(&name, true) else {
            return Ok(());
        };
        let fields = match parse_fields(&specs) {
            Ok(fields) => fields,
            Err(err) => {
                prop_assert!(err.hint.is_some(), "{specs:?}: {}", err.message);
                return Ok(());
            }
        };
        let outcome = match add::plan(&manifest, names, fields, OnConflict::Stop) {
            Ok(outcome) => outcome,
            Err(err) => {
                let user = err.downcast_ref::<arcana::error::UserError>();
                prop_assert!(user.is_some_and(|u| u.hint.is_some()), "{specs:?}: {err:#}");
                return Ok(());
            }
        };
        let Outcome::Planned { plan, .. } = outcome else {
            return Ok(());
        };
        for change in &plan.changes {
            let (path, text) = match change {
                Change::Create { path, contents } => (path, contents),
                Change::Update { path, after, .. } => (path, after),
                Change::Delete { .. } => continue,
            };
            if path.ends_with(".py") || path.ends_with(".proto") {
                let checked = check_python(path, text);
                prop_assert!(checked.is_ok(), "{specs:?}: {}", checked.unwrap_err());
            }
            if path.ends_with(".toml") {
                prop_assert!(text.parse::<toml_edit::DocumentMut>().is_ok(), "{path} does not parse");
            }
        }
    }
}
