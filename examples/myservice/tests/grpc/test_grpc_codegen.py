"""``python -m app.grpc.codegen``: output layout, import rewriting, idempotence, failures."""

import os
import shutil
import time
from pathlib import Path

import pytest

from app.grpc import codegen

OUTPUTS = ("auth_pb2.py", "auth_pb2.pyi", "auth_pb2_grpc.py", "auth_pb2_grpc.pyi")


@pytest.fixture
def protos(tmp_path: Path) -> Path:
    """A copy of the project's protos that tests may change."""
    return Path(shutil.copytree(codegen.PROTO_DIR, tmp_path / "protos"))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "gen"


def mtimes(directory: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in directory.rglob("*") if path.is_file()}


def edit(proto: Path, out_dir: Path) -> None:
    """Make ``proto`` newer than every output, whatever the filesystem's time resolution."""
    an_hour_ago = time.time() - 3600
    for path in out_dir.rglob("*"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    proto.touch()


def test_generates_a_typed_package_with_absolute_imports(protos: Path, out_dir: Path) -> None:
    assert codegen.generate(protos, out_dir, package="pkg.gen") is True

    version_dir = out_dir / "myservice" / "v1"
    for name in OUTPUTS:
        assert (version_dir / name).is_file(), name
    for package_dir in (out_dir, out_dir / "myservice", version_dir):
        assert (package_dir / "__init__.py").is_file()
    for name in ("auth_pb2_grpc.py", "auth_pb2_grpc.pyi"):
        source = (version_dir / name).read_text()
        assert "from pkg.gen.myservice.v1 import auth_pb2 as" in source
        assert "from myservice" not in source
    assert "from google.protobuf import timestamp_pb2" in (version_dir / "auth_pb2.py").read_text()


def test_is_idempotent_until_an_input_changes(protos: Path, out_dir: Path) -> None:
    assert codegen.generate(protos, out_dir) is True
    first = mtimes(out_dir)

    assert codegen.generate(protos, out_dir) is False
    assert mtimes(out_dir) == first

    edit(protos / "myservice" / "v1" / "auth.proto", out_dir)
    assert codegen.generate(protos, out_dir) is True
    assert codegen.generate(protos, out_dir) is False
    assert codegen.generate(protos, out_dir, force=True) is True


def test_follows_added_and_removed_protos(protos: Path, out_dir: Path) -> None:
    codegen.generate(protos, out_dir)
    extra = protos / "myservice" / "v1" / "ping.proto"
    extra.write_text('syntax = "proto3";\npackage myservice.v1;\nmessage Ping {}\n')

    assert codegen.generate(protos, out_dir) is True
    assert (out_dir / "myservice" / "v1" / "ping_pb2.py").is_file()

    extra.unlink()
    assert codegen.generate(protos, out_dir) is True
    assert not (out_dir / "myservice" / "v1" / "ping_pb2.py").exists()
    assert (out_dir / "myservice" / "v1" / "auth_pb2.py").is_file()


def test_rewrites_imports_between_protos(protos: Path, out_dir: Path) -> None:
    (protos / "myservice" / "v1" / "page.proto").write_text(
        'syntax = "proto3";\npackage myservice.v1;\nmessage Page { int32 number = 1; }\n'
    )
    (protos / "myservice" / "v1" / "listing.proto").write_text(
        'syntax = "proto3";\npackage myservice.v1;\nimport "myservice/v1/page.proto";\n'
        "message Listing { Page page = 1; }\n"
    )

    (protos / "shared.proto").write_text(
        'syntax = "proto3";\nmessage Shared { string note = 1; }\n'
    )
    (protos / "myservice" / "v1" / "tagged.proto").write_text(
        'syntax = "proto3";\npackage myservice.v1;\nimport "shared.proto";\n'
        "message Tagged { Shared shared = 1; }\n"
    )

    codegen.generate(protos, out_dir, package="pkg.gen")

    for name in ("listing_pb2.py", "listing_pb2.pyi"):
        source = (out_dir / "myservice" / "v1" / name).read_text()
        assert "from pkg.gen.myservice.v1 import page_pb2 as" in source
    tagged = (out_dir / "myservice" / "v1" / "tagged_pb2.py").read_text()
    assert "from pkg.gen import shared_pb2 as shared__pb2" in tagged


def test_protoc_failure_is_reported_and_keeps_previous_output(protos: Path, out_dir: Path) -> None:
    codegen.generate(protos, out_dir)
    before = mtimes(out_dir)
    (protos / "myservice" / "v1" / "broken.proto").write_text(
        'syntax = "proto3";\nmessage Broken { strin name = 1; }\n'
    )

    with pytest.raises(codegen.CodegenError, match=r"protoc failed[\s\S]*broken\.proto"):
        codegen.generate(protos, out_dir)

    assert mtimes(out_dir) == before
    assert sorted(p.name for p in out_dir.parent.iterdir()) == ["gen", "protos"]


def test_without_protos_there_is_no_generated_package(
    tmp_path: Path, protos: Path, out_dir: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert codegen.generate(empty, out_dir) is False
    codegen.generate(protos, out_dir)
    assert codegen.generate(empty, out_dir) is True
    assert not out_dir.exists()


def test_requires_grpc_tools(protos: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codegen, "find_spec", lambda name: None)

    with pytest.raises(codegen.CodegenError, match="grpcio-tools is not installed"):
        codegen.generate(protos, out_dir)


def test_requires_the_mypy_plugins(
    protos: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, path=None: None)

    with pytest.raises(codegen.CodegenError, match="protoc-gen-mypy not found"):
        codegen.generate(protos, out_dir)


def test_main_reports_up_to_date_project(capsys: pytest.CaptureFixture[str]) -> None:
    assert codegen.main([]) == 0
    assert capsys.readouterr().out.strip() == "codegen: app/grpc/generated up to date"


def test_main_exits_non_zero_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*, force: bool) -> bool:
        raise codegen.CodegenError("protoc failed (exit 1):\nauth.proto:3:1: boom")

    monkeypatch.setattr(codegen, "generate", fail)

    assert codegen.main(["--force"]) == 1
    assert capsys.readouterr().err == "codegen: protoc failed (exit 1):\nauth.proto:3:1: boom\n"
