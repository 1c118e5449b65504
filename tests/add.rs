//! Binary-level tests of `arcana add resource`: refusals, idempotence, dry runs and what lands
//! on disk. Every refusal must leave the project exactly as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn arcana() -> Command {
    let mut cmd = Command::cargo_bin("arcana").unwrap();
    cmd.env("NO_COLOR", "1");
    cmd
}

/// A fresh project in a temporary directory.
fn project() -> (tempfile::TempDir, PathBuf) {
    project_with(&[])
}

/// A fresh project generated with extra `arcana new` arguments.
fn project_with(args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "shop", "--no-input"])
        .args(args)
        .assert()
        .success();
    let root = tmp.path().join("shop");
    (tmp, root)
}

/// Every file of the project and its contents.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

fn add(root: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    arcana()
        .current_dir(root)
        .args(["add", "resource"])
        .args(args)
        .arg("--no-input")
        .assert()
}

const PRODUCT: &[&str] = &[
    "product",
    "name:string:80:unique",
    "price:decimal",
    "stock:int",
];

#[test]
fn help_documents_the_field_syntax_with_examples() {
    arcana()
        .args(["add", "resource", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("NAME:TYPE[:ARG][:MODIFIER...]"))
        .stdout(predicate::str::contains("enum:A,B,C"))
        .stdout(predicate::str::contains("ref[:RESOURCE]"))
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("--dry-run"));
}

#[test]
fn adds_every_layer_registers_it_and_records_it() {
    let (_tmp, root) = project();
    add(&root, PRODUCT)
        .success()
        .stdout(predicate::str::contains("Added resource `product`"));
    for path in [
        "app/model/product.py",
        "app/dto/product_dto.py",
        "app/repository/product_repository.py",
        "app/repository/product_repository_impl.py",
        "app/service/product_service.py",
        "app/service/product_service_impl.py",
        "app/controller/product_controller.py",
        "app/controller/schemas/product_schema.py",
        "app/grpc/product_servicer.py",
        "protos/shop/v1/product.proto",
        "migrations/versions/0002_create_products.py",
        "tests/fakes/fake_product_repository.py",
        "tests/fakes/product_samples.py",
        "tests/repository/test_product_repository.py",
        "tests/service/test_product_service.py",
        "tests/controller/test_product_controller.py",
        "tests/grpc/test_product_servicer.py",
    ] {
        assert!(root.join(path).is_file(), "{path} was not created");
    }
    let read = |p: &str| fs::read_to_string(root.join(p)).unwrap();
    assert!(read("app/model/__init__.py").contains("from app.model.product import Product\n"));
    assert!(read("app/wiring.py").contains("    product_service: ProductService\n"));
    assert!(read("app/wiring.py").contains("        product_service=product_service,\n"));
    assert!(read("app/grpc/server.py").contains("\"shop.v1.ProductService\","));
    assert!(
        read("app/controller/__init__.py").contains("    api.register_blueprint(product_blp)\n")
    );
    assert!(
        read("migrations/versions/0002_create_products.py")
            .contains("down_revision: str | Sequence[str] | None = \"0001\"")
    );
    let manifest = read("arcana.toml");
    assert!(
        manifest.contains("[resources.product]\nplural = \"products\""),
        "{manifest}"
    );
    assert!(manifest.contains("\"name:string:80:unique\""), "{manifest}");
    assert!(manifest.contains("\"price:decimal:12,2\""), "{manifest}");
}

#[test]
fn the_same_add_twice_changes_nothing() {
    let (_tmp, root) = project();
    add(&root, PRODUCT).success();
    let before = tree(&root);
    add(&root, PRODUCT)
        .success()
        .stdout(predicate::str::contains(
            "already exists with these fields; nothing to change",
        ));
    assert_eq!(tree(&root), before);
}

#[test]
fn the_same_name_with_other_fields_is_refused() {
    let (_tmp, root) = project();
    add(&root, PRODUCT).success();
    let before = tree(&root);
    add(&root, &["products", "name:string"])
        .code(2)
        .stderr(predicate::str::contains(
            "Resource `product` already exists with other fields",
        ))
        .stderr(predicate::str::contains("hint:"));
    assert_eq!(tree(&root), before);
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let (_tmp, root) = project();
    let before = tree(&root);
    add(&root, &[PRODUCT, &["--dry-run"]].concat())
        .success()
        .stdout(predicate::str::contains("app/model/product.py"))
        .stdout(predicate::str::contains("app/wiring.py"))
        .stdout(predicate::str::contains(
            "+    product_service: ProductService",
        ));
    assert_eq!(tree(&root), before);
}

#[test]
fn refusals_name_the_problem_and_write_nothing() {
    let (_tmp, root) = project();
    let before = tree(&root);
    let cases: &[(&[&str], &str)] = &[
        (&["class", "name:string"], "Python keyword"),
        (&["user", "email:int"], "clashes with the built-in field"),
        (&["user", "name:string"], "need a value for it"),
        (&["health", "name:string"], "health endpoints"),
        (&["base", "name:string"], "declarative base"),
        (&["product", "name:strng"], "`strng` is not a known type"),
        (&["product", "id:int"], "already has an `id`"),
        (&["product", "class:string"], "Python keyword"),
        (
            &["product", "customer:ref"],
            "`customer`, which is not a resource",
        ),
        (&["product", "name:string", "name:text"], "given twice"),
    ];
    for (args, message) in cases {
        add(&root, args)
            .code(2)
            .stderr(predicate::str::contains(*message))
            .stderr(predicate::str::contains("hint:"));
    }
    assert_eq!(tree(&root), before);
}

#[test]
fn a_missing_reference_hints_to_add_it_first() {
    let (_tmp, root) = project();
    add(&root, &["order_item", "product:ref", "quantity:int"])
        .code(2)
        .stderr(predicate::str::contains("references `product`"))
        .stderr(predicate::str::contains("arcana add resource product"));
    add(&root, PRODUCT).success();
    add(&root, &["order_item", "product:ref", "quantity:int"]).success();
    let model = fs::read_to_string(root.join("app/model/order_item.py")).unwrap();
    assert!(model.contains("ForeignKey(\"products.id\")"), "{model}");
    let migration = root.join("migrations/versions/0003_create_order_items.py");
    assert!(
        fs::read_to_string(migration)
            .unwrap()
            .contains("= \"0002\"")
    );
}

#[test]
fn missing_fields_without_a_terminal_name_the_argument() {
    let (_tmp, root) = project();
    add(&root, &["product"])
        .code(2)
        .stderr(predicate::str::contains(
            "Missing the fields of `product` (FIELD arguments)",
        ));
    add(&root, &[])
        .code(2)
        .stderr(predicate::str::contains("Missing the resource name"));
}

#[test]
fn outside_a_project_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    add(tmp.path(), PRODUCT)
        .code(2)
        .stderr(predicate::str::contains("is not inside an arcana project"))
        .stderr(predicate::str::contains("arcana new"));
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn works_from_a_subdirectory_and_with_path() {
    let (tmp, root) = project();
    add(&root.join("app/model"), PRODUCT).success();
    assert!(root.join("app/model/product.py").is_file());
    arcana()
        .current_dir(tmp.path())
        .args([
            "add",
            "resource",
            "tag",
            "label:string:40:unique",
            "--no-input",
            "--path",
        ])
        .arg(&root)
        .assert()
        .success();
    assert!(root.join("app/model/tag.py").is_file());
}

#[test]
fn a_missing_marker_names_file_and_marker_and_writes_nothing() {
    let (_tmp, root) = project();
    let wiring = root.join("app/wiring.py");
    let text = fs::read_to_string(&wiring).unwrap();
    fs::write(&wiring, text.replace("    # arcana:wiring-fields\n", "")).unwrap();
    let before = tree(&root);
    add(&root, PRODUCT).code(2).stderr(predicate::str::contains(
        "Marker `# arcana:wiring-fields` is missing from `app/wiring.py`",
    ));
    assert_eq!(tree(&root), before);
}

#[test]
fn an_existing_file_is_never_overwritten_silently() {
    let (_tmp, root) = project();
    let dto = root.join("app/dto/product_dto.py");
    fs::write(&dto, "# mine\n").unwrap();
    let before = tree(&root);
    add(&root, PRODUCT)
        .code(2)
        .stderr(predicate::str::contains("already exist and differ"))
        .stderr(predicate::str::contains("`app/dto/product_dto.py`"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(tree(&root), before);

    add(&root, &[PRODUCT, &["--skip-existing"]].concat())
        .success()
        .stderr(predicate::str::contains("skip: `app/dto/product_dto.py`"));
    assert_eq!(fs::read_to_string(&dto).unwrap(), "# mine\n");
    assert!(root.join("app/model/product.py").is_file());
}

#[test]
fn force_overwrites_an_edited_file_and_says_so() {
    let (_tmp, root) = project();
    let dto = root.join("app/dto/product_dto.py");
    fs::write(&dto, "# mine\n").unwrap();
    add(&root, &[PRODUCT, &["--force"]].concat())
        .success()
        .stderr(predicate::str::contains(
            "overwrite: `app/dto/product_dto.py`",
        ));
    assert!(
        fs::read_to_string(&dto)
            .unwrap()
            .contains("class ProductCreate(BaseModel):")
    );
    let manifest = fs::read_to_string(root.join("arcana.toml")).unwrap();
    assert!(
        manifest.contains("\"app/dto/product_dto.py\" = \""),
        "{manifest}"
    );
}

#[test]
fn several_migration_heads_are_refused_with_the_merge_hint() {
    let (_tmp, root) = project();
    let versions = root.join("migrations/versions");
    for id in ["0002", "0003"] {
        fs::write(
            versions.join(format!("{id}_branch.py")),
            format!("revision = \"{id}\"\ndown_revision = \"0001\"\n"),
        )
        .unwrap();
    }
    let before = tree(&root);
    add(&root, PRODUCT)
        .code(2)
        .stderr(predicate::str::contains("The migrations have 2 heads"))
        .stderr(predicate::str::contains("alembic merge heads"));
    assert_eq!(tree(&root), before);
}

#[test]
fn a_plural_name_is_singularized_with_a_note() {
    let (_tmp, root) = project();
    add(&root, &["categories", "name:string"])
        .success()
        .stderr(predicate::str::contains(
            "note: Using the singular `category`",
        ));
    assert!(root.join("app/model/category.py").is_file());
    let controller =
        fs::read_to_string(root.join("app/controller/category_controller.py")).unwrap();
    assert!(
        controller.contains("url_prefix=\"/api/v1/categories\""),
        "{controller}"
    );
    add(&root, &["OrderItem", "label:string"]).success();
    let controller =
        fs::read_to_string(root.join("app/controller/order_item_controller.py")).unwrap();
    assert!(controller.contains("/api/v1/order-items"), "{controller}");
    assert!(root.join("protos/shop/v1/order_item.proto").is_file());
}

#[test]
fn dry_run_json_lists_created_and_changed_files() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("shop");
    Command::cargo_bin("arcana")
        .unwrap()
        .current_dir(tmp.path())
        .args(["new", "shop", "--no-input"])
        .assert()
        .success();
    let before = fs::read_to_string(project.join("app/wiring.py")).unwrap();
    let out = Command::cargo_bin("arcana")
        .unwrap()
        .current_dir(&project)
        .args([
            "add",
            "resource",
            "tag",
            "label:string:40",
            "--dry-run",
            "--json",
            "--no-input",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plan: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let created: Vec<&str> = plan["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(created.contains(&"app/model/tag.py"), "{created:?}");
    let changed = plan["changed"].as_array().unwrap();
    let wiring = changed
        .iter()
        .find(|c| c["path"] == "app/wiring.py")
        .expect("wiring changes");
    assert!(
        wiring["diff"]
            .as_str()
            .unwrap()
            .contains("+from app.service.tag_service_impl import TagServiceImpl")
    );
    assert_eq!(
        fs::read_to_string(project.join("app/wiring.py")).unwrap(),
        before
    );
    assert!(!project.join("app/model/tag.py").exists());
}

#[test]
fn without_grpc_a_resource_has_no_proto_servicer_or_grpc_registration() {
    let (_tmp, root) = project_with(&["--no-grpc"]);
    arcana()
        .current_dir(&root)
        .args(["add", "resource", "product", "name:string"])
        .assert()
        .success();
    assert!(root.join("app/model/product.py").is_file());
    assert!(root.join("app/controller/product_controller.py").is_file());
    assert!(!root.join("app/grpc").exists());
    assert!(!root.join("protos").exists());
    assert!(!root.join("tests/grpc").exists());
}

#[test]
fn without_cache_a_resource_service_reads_the_repository_directly() {
    let (_tmp, root) = project_with(&["--no-cache"]);
    arcana()
        .current_dir(&root)
        .args(["add", "resource", "product", "name:string"])
        .assert()
        .success();
    let service = fs::read_to_string(root.join("app/service/product_service_impl.py")).unwrap();
    assert!(!service.contains("cache"), "{service}");
    let wiring = fs::read_to_string(root.join("app/wiring.py")).unwrap();
    assert!(
        wiring.contains("ProductServiceImpl(repository=ProductRepositoryImpl(session_factory))")
    );
}

#[test]
fn without_auth_a_reference_to_user_is_refused_before_writing() {
    let (_tmp, root) = project_with(&["--no-auth"]);
    let before = tree(&root);
    arcana()
        .current_dir(&root)
        .args(["add", "resource", "note", "body:text", "owner:ref:user"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("this project has no users"))
        .stderr(predicate::str::contains("`--no-auth`"))
        .stderr(predicate::str::contains("hint: "));
    assert_eq!(tree(&root), before);
}
