//! Snapshots of everything `arcana add resource` renders for a resource that uses every field
//! type and modifier (plus a second resource referencing it), so that template changes show up
//! as reviewable diffs of the generated Python, proto and migration.
//!
//! Review changes with `cargo insta review`, or accept them with `INSTA_UPDATE=always cargo test
//! --test resource_snapshots`.

use std::path::{Path, PathBuf};

use arcana::commands::add::{self, Outcome};
use arcana::plan::{Change, Plan};
use arcana::project::conflicts::OnConflict;
use arcana::project::manifest::Manifest;
use arcana::spec::fields::parse_fields;
use arcana::spec::resource::resource_names;
use assert_cmd::Command;

const ALL_TYPES: &[&str] = &[
    "name:string:80:unique",
    "description:text:optional",
    "price:decimal",
    "stock:int",
    "views:bigint",
    "rating:float",
    "active:bool",
    "released_on:date",
    "published_at:datetime:optional",
    "sku:uuid:unique",
    "attributes:json:optional",
    "status:enum:draft,published,archived:index",
    "owner:ref:user",
    "opens_at:time",
    "closes_at:time:optional",
    "contact:email:unique",
];

fn project(dir: &Path) -> PathBuf {
    project_of(dir, "flask")
}

fn project_of(dir: &Path, stack: &str) -> PathBuf {
    Command::cargo_bin("arcana")
        .unwrap()
        .current_dir(dir)
        .args(["new", "shop", "--stack", stack, "--no-input"])
        .assert()
        .success();
    dir.join("shop")
}

fn plan(root: &Path, name: &str, specs: &[&str]) -> Plan {
    let manifest = Manifest::load(root).unwrap();
    let (names, _) = resource_names(name, true).unwrap();
    let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
    match add::plan(
        &manifest,
        names,
        parse_fields(&specs).unwrap(),
        OnConflict::Stop,
    )
    .unwrap()
    {
        Outcome::Planned { plan, .. } => plan,
        Outcome::Unchanged { .. } => panic!("nothing planned"),
    }
}

fn snapshot_plan(prefix: &str, plan: &Plan) {
    snapshot_changes(prefix, plan.changes.iter());
}

fn snapshot_changes<'a>(prefix: &str, changes: impl Iterator<Item = &'a Change>) {
    for change in changes {
        let name = format!("{prefix}__{}", change.path().replace('/', "__"));
        match change {
            Change::Create { contents, .. } => insta::assert_snapshot!(name, contents),
            Change::Delete { .. } => panic!("add resource removes nothing"),
            Change::Update {
                path,
                before,
                after,
            } => {
                let diff = similar::TextDiff::from_lines(before, after)
                    .unified_diff()
                    .context_radius(2)
                    .header(&format!("a/{path}"), &format!("b/{path}"))
                    .to_string();
                insta::assert_snapshot!(name, diff)
            }
        }
    }
}

#[test]
fn every_field_type() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    let plan = plan(&root, "product", ALL_TYPES);
    let paths: Vec<&str> = plan.changes.iter().map(Change::path).collect();
    insta::assert_snapshot!("product__files", paths.join("\n"));
    snapshot_plan("product", &plan);
}

#[test]
fn a_reference_to_another_resource() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project(tmp.path());
    arcana::apply::apply(&plan(&root, "product", ALL_TYPES)).unwrap();
    let plan = plan(
        &root,
        "OrderItem",
        &["product:ref", "quantity:int", "note:text:optional"],
    );
    snapshot_plan("order_item", &plan);
}

/// The fastapi stack renders the same shared layers; only its router, the router's tests and
/// the registration differ, and nothing of it names Flask or Marshmallow.
#[test]
fn every_field_type_on_the_fastapi_stack() {
    let tmp = tempfile::tempdir().unwrap();
    let root = project_of(tmp.path(), "fastapi");
    let flask_dir = tmp.path().join("flask");
    std::fs::create_dir_all(&flask_dir).unwrap();
    let flask = project(&flask_dir);
    let plan_fastapi = plan(&root, "product", ALL_TYPES);
    let plan_flask = plan(&flask, "product", ALL_TYPES);
    let paths: Vec<&str> = plan_fastapi.changes.iter().map(Change::path).collect();
    insta::assert_snapshot!("fastapi_product__files", paths.join("\n"));
    for change in &plan_fastapi.changes {
        let text = match change {
            Change::Create { contents, .. } => contents.as_str(),
            Change::Update { after, .. } => after.as_str(),
            Change::Delete { .. } => panic!("adding a resource deletes nothing"),
        };
        let lower = text.to_lowercase();
        for word in ["flask", "marshmallow", "smorest", "werkzeug"] {
            assert!(!lower.contains(word), "`{}` names `{word}`", change.path());
        }
        let path = change.path();
        if path.starts_with("app/controller/") || path.starts_with("tests/controller/") {
            continue;
        }
        // Below the REST adapter, both stacks generate the same files.
        let same = plan_flask.changes.iter().find(|c| c.path() == path);
        let same = same.unwrap_or_else(|| panic!("flask has no `{path}`"));
        let flask_text = match same {
            Change::Create { contents, .. } => contents.as_str(),
            Change::Update { after, .. } => after.as_str(),
            Change::Delete { .. } => panic!("adding a resource deletes nothing"),
        };
        if !path.ends_with("arcana.toml") {
            assert_eq!(text, flask_text, "{path}");
        }
    }
    let is_stack_file = |c: &&Change| {
        c.path().starts_with("app/controller/") || c.path().starts_with("tests/controller/")
    };
    snapshot_changes(
        "fastapi_product",
        plan_fastapi.changes.iter().filter(is_stack_file),
    );
}
