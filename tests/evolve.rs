//! Binary-level tests of `arcana add field`, `arcana remove field` and `arcana remove
//! resource`: exit codes, messages, refusals that leave the project exactly as it was, dry runs,
//! stable proto numbers and user edits merged.

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

/// A project with `product` and `review` (which references it).
fn project() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    arcana()
        .current_dir(tmp.path())
        .args(["new", "shop", "--no-input"])
        .assert()
        .success();
    let root = tmp.path().join("shop");
    run(
        &root,
        &[
            "add",
            "resource",
            "product",
            "name:string:80",
            "price:decimal:10,2",
        ],
    )
    .success();
    run(
        &root,
        &["add", "resource", "review", "product:ref", "body:text"],
    )
    .success();
    (tmp, root)
}

fn run(root: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    arcana()
        .current_dir(root)
        .args(args)
        .arg("--no-input")
        .assert()
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

fn read(root: &Path, path: &str) -> String {
    fs::read_to_string(root.join(path)).unwrap()
}

const PROTO: &str = "protos/shop/v1/product.proto";

#[test]
fn add_field_writes_a_revision_new_numbers_and_records_them() {
    let (_tmp, root) = project();
    run(
        &root,
        &[
            "add",
            "field",
            "product",
            "weight:decimal:8,3:optional",
            "stock:int",
            "--default",
            "0",
        ],
    )
    .success()
    .stdout(predicate::str::contains(
        "Added `weight:decimal:8,3:optional`, `stock:int` to `product`",
    ));
    let migration = read(
        &root,
        "migrations/versions/0004_add_weight_stock_to_products.py",
    );
    assert!(migration.contains("down_revision: str | Sequence[str] | None = \"0003\""));
    assert!(migration.contains(
        "batch_op.add_column(sa.Column(\"stock\", sa.Integer(), nullable=False, server_default=\"0\"))"
    ));
    assert!(migration.contains("batch_op.alter_column(\"stock\", server_default=None)"));
    assert!(migration.contains("batch_op.drop_column(\"weight\")"));
    let proto = read(&root, PROTO);
    assert!(proto.contains("string price = 3;"), "{proto}");
    assert!(proto.contains("google.protobuf.Timestamp created_at = 4;"));
    assert!(proto.contains("optional string weight = 6;"));
    assert!(proto.contains("int32 stock = 7;"));
    assert!(
        proto.contains("optional int32 stock = 6;"),
        "create request"
    );
    let model = read(&root, "app/model/product.py");
    assert!(model.contains("stock: Mapped[int] = mapped_column(Integer)"));
    let manifest = read(&root, "arcana.toml");
    assert!(manifest.contains("\"stock:int\""));
    assert!(manifest.contains("stock = 7"));

    // The same again changes nothing.
    let before = tree(&root);
    run(&root, &["add", "field", "product", "stock:int"])
        .success()
        .stdout(predicate::str::contains("nothing to change"));
    assert_eq!(tree(&root), before);
}

#[test]
fn add_field_refusals_write_nothing() {
    let (_tmp, root) = project();
    let before = tree(&root);
    let refusals: &[(&[&str], &str)] = &[
        (&["add", "field", "product", "stock:int"], "--default"),
        (
            &["add", "field", "product", "stock:int", "--default", "lots"],
            "not an integer",
        ),
        (
            &["add", "field", "product", "name:text"],
            "already has the field",
        ),
        (
            &["add", "field", "ghost", "x:int:optional"],
            "not a resource",
        ),
        (&["add", "field", "product", "id:int:optional"], "reserved"),
        (
            &[
                "add",
                "field",
                "product",
                "a:int",
                "b:int",
                "--default",
                "1",
            ],
            "--default a=1",
        ),
    ];
    for (args, says) in refusals {
        run(&root, args)
            .code(2)
            .stderr(predicate::str::contains(*says));
        assert_eq!(tree(&root), before, "{args:?} wrote something");
    }
}

#[test]
fn dry_runs_show_the_plan_and_write_nothing() {
    let (_tmp, root) = project();
    let before = tree(&root);
    run(
        &root,
        &["add", "field", "product", "note:text:optional", "--dry-run"],
    )
    .success()
    .stdout(predicate::str::contains(
        "create migrations/versions/0004_add_note_to_products.py",
    ))
    .stdout(predicate::str::contains(
        "+    note: Mapped[str | None] = mapped_column(Text)",
    ));
    run(
        &root,
        &["remove", "resource", "review", "--dry-run", "--json"],
    )
    .success()
    .stdout(predicate::str::contains("\"removed\""))
    .stdout(predicate::str::contains("app/model/review.py"));
    assert_eq!(tree(&root), before);
}

#[test]
fn remove_field_reserves_number_and_name() {
    let (_tmp, root) = project();
    run(
        &root,
        &[
            "add",
            "field",
            "product",
            "weight:decimal:optional",
            "color:string:optional",
        ],
    )
    .success();
    run(&root, &["remove", "field", "product", "weight"])
        .success()
        .stdout(predicate::str::contains("Removed `weight` from `product`"));
    let proto = read(&root, PROTO);
    assert!(
        proto.contains("reserved 6;\n  reserved \"weight\";"),
        "{proto}"
    );
    assert!(proto.contains("reserved 5;"), "create request: {proto}");
    assert!(proto.contains("optional string color = 7;"));
    assert!(!read(&root, "app/model/product.py").contains("weight"));
    let migration = read(
        &root,
        "migrations/versions/0005_remove_weight_from_products.py",
    );
    assert!(migration.contains("batch_op.drop_column(\"weight\")"));
    assert!(migration.contains("nullable=True"));

    let before = tree(&root);
    run(&root, &["remove", "field", "product", "weight"])
        .success()
        .stdout(predicate::str::contains("already removed"));
    run(&root, &["add", "field", "product", "weight:int:optional"])
        .code(2)
        .stderr(predicate::str::contains("reserved"));
    run(&root, &["remove", "field", "product", "height"])
        .code(2)
        .stderr(predicate::str::contains("has no field `height`"))
        .stderr(predicate::str::contains("`name`, `price`, `color`"));
    run(&root, &["remove", "field", "review", "product", "body"])
        .code(2)
        .stderr(predicate::str::contains("no fields left"));
    assert_eq!(tree(&root), before);

    // A new field after a removal takes a fresh number.
    run(&root, &["add", "field", "product", "size_cm:int:optional"]).success();
    assert!(read(&root, PROTO).contains("optional int32 size_cm = 8;"));
    arcana()
        .current_dir(&root)
        .arg("info")
        .assert()
        .success()
        .stdout(predicate::str::contains("color:string:255:optional"))
        .stdout(predicate::str::contains("proto 8"))
        .stdout(predicate::str::contains(
            "reserved in the proto: weight = 6",
        ));
}

#[test]
fn edits_are_merged_and_conflicts_stop_before_writing() {
    let (_tmp, root) = project();
    let model = root.join("app/model/product.py");
    let mut text = read(&root, "app/model/product.py");
    text.push_str("\n\ndef label(product: Product) -> str:\n    return product.name.title()\n");
    fs::write(&model, &text).unwrap();
    run(
        &root,
        &["add", "field", "product", "stock:int", "--default", "0"],
    )
    .success();
    let merged = read(&root, "app/model/product.py");
    assert!(merged.contains("def label(product: Product)"), "{merged}");
    assert!(merged.contains("stock: Mapped[int]"), "{merged}");

    // An edit of a line arcana changes too is a conflict.
    let dto = root.join("app/dto/product_dto.py");
    let edited = read(&root, "app/dto/product_dto.py")
        .replace("    stock: Int32\n", "    stock: Int32  # nightly\n");
    fs::write(&dto, &edited).unwrap();
    let before = tree(&root);
    run(&root, &["remove", "field", "product", "stock"])
        .code(2)
        .stderr(predicate::str::contains("`app/dto/product_dto.py`"))
        .stderr(predicate::str::contains("# nightly"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(tree(&root), before);
    run(
        &root,
        &["remove", "field", "product", "stock", "--skip-existing"],
    )
    .success()
    .stderr(predicate::str::contains("app/dto/product_dto.py"));
    assert!(read(&root, "app/dto/product_dto.py").contains("# nightly"));
    // The user's function is still in the model.
    assert!(read(&root, "app/model/product.py").contains("def label"));
}

#[test]
fn remove_resource_refuses_a_referenced_one_then_removes_everything() {
    let (_tmp, root) = project();
    let before = tree(&root);
    run(&root, &["remove", "resource", "product"])
        .code(2)
        .stderr(predicate::str::contains(
            "`product` is referenced by `review`",
        ))
        .stderr(predicate::str::contains(
            "`arcana remove resource review`, then",
        ));
    assert_eq!(tree(&root), before);

    run(&root, &["remove", "resource", "review"])
        .success()
        .stdout(predicate::str::contains("Removed resource `review`"));
    assert!(!root.join("app/model/review.py").exists());
    assert!(!root.join("protos/shop/v1/review.proto").exists());
    assert!(!root.join("tests/service/test_review_service.py").exists());
    for file in [
        "app/wiring.py",
        "app/model/__init__.py",
        "app/grpc/server.py",
        "app/controller/__init__.py",
    ] {
        assert!(
            !read(&root, file).contains("review"),
            "{file} still names review"
        );
    }
    let manifest = read(&root, "arcana.toml");
    assert!(!manifest.contains("[resources.review]"));
    assert!(!manifest.contains("app/model/review.py"));
    let drop = read(&root, "migrations/versions/0004_drop_reviews.py");
    assert!(drop.contains("op.drop_table(\"reviews\")"));
    assert!(drop.contains("op.create_table("));

    run(&root, &["remove", "resource", "review"])
        .success()
        .stdout(predicate::str::contains("already removed"));

    // An edited file is kept with --skip-existing and removed with --force.
    let service = root.join("app/service/product_service_impl.py");
    let mut text = read(&root, "app/service/product_service_impl.py");
    text.push_str("\n\ndef mine() -> None:\n    pass\n");
    fs::write(&service, &text).unwrap();
    let before = tree(&root);
    run(&root, &["remove", "resource", "product"])
        .code(2)
        .stderr(predicate::str::contains(
            "app/service/product_service_impl.py",
        ));
    assert_eq!(tree(&root), before);
    run(&root, &["remove", "resource", "product", "--skip-existing"])
        .success()
        .stderr(predicate::str::contains(
            "app/service/product_service_impl.py",
        ));
    assert!(service.exists());
    assert!(!root.join("app/model/product.py").exists());
}
