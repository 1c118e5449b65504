"""Compile ``protos/**/*.proto`` into the ``app.grpc.generated`` package.

Run ``python -m app.grpc.codegen`` (``make codegen``). For every proto it writes ``*_pb2.py``,
``*_pb2_grpc.py`` and their typed stubs (``*.pyi``, from mypy-protobuf) so that mypy checks the
servicers. protoc names imports after the proto path, as in
``from myservice.v1 import auth_pb2``;
they are rewritten to absolute imports inside ``app.grpc.generated``.

Generation is idempotent: it is skipped while every output exists and is newer than every proto
(and than this module). The new tree is built in a temporary directory and swapped in only when
protoc succeeded, so a failing proto never leaves a half-written package behind.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterable, Sequence
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROTO_DIR = ROOT / "protos"
OUT_DIR = Path(__file__).resolve().parent / "generated"
PACKAGE = "app.grpc.generated"

_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", "_pb2_grpc.pyi")
_PLUGINS = ("protoc-gen-mypy", "protoc-gen-mypy_grpc")
_FROM_IMPORT = re.compile(r"^from (?P<parent>[\w.]+) import (?P<name>\w+)", re.MULTILINE)
_PLAIN_IMPORT = re.compile(r"^import (?P<module>[\w.]+) as (?P<alias>\w+)$", re.MULTILINE)


class CodegenError(Exception):
    """protoc or one of its plugins is missing, or a proto does not compile."""


def generate(
    proto_dir: Path = PROTO_DIR,
    out_dir: Path = OUT_DIR,
    *,
    package: str = PACKAGE,
    force: bool = False,
) -> bool:
    """Compile every proto under ``proto_dir`` into ``out_dir``; False when already up to date.

    Without any proto (no service yet) there is nothing to generate and ``out_dir`` is removed.
    """
    protos = sorted(proto_dir.rglob("*.proto"))
    if not protos:
        if not out_dir.exists():
            return False
        shutil.rmtree(out_dir)
        return True
    modules = [_module_name(proto.relative_to(proto_dir)) for proto in protos]
    if not force and _up_to_date([*protos, Path(__file__)], out_dir, modules):
        return False

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        _run_protoc(proto_dir, staging, protos)
        _rewrite_imports(staging, package, set(modules))
        _add_init_files(staging)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def _module_name(relative_proto: Path) -> str:
    """``myservice/v1/auth.proto`` -> ``myservice.v1.auth_pb2``."""
    return ".".join(relative_proto.with_name(f"{relative_proto.stem}_pb2").parts)


def _outputs(out_dir: Path, modules: Iterable[str]) -> set[Path]:
    return {
        out_dir.joinpath(*module.split(".")).with_name(
            module.rsplit(".", 1)[-1].removesuffix("_pb2") + suffix
        )
        for module in modules
        for suffix in _SUFFIXES
    }


def _up_to_date(inputs: Sequence[Path], out_dir: Path, modules: Iterable[str]) -> bool:
    expected = _outputs(out_dir, modules)
    existing = {path for suffix in _SUFFIXES for path in out_dir.rglob(f"*{suffix}")}
    if existing != expected or not (out_dir / "__init__.py").exists():
        return False
    newest_input = max(path.stat().st_mtime for path in inputs)
    return min(path.stat().st_mtime for path in expected) >= newest_input


def _run_protoc(proto_dir: Path, out: Path, protos: Sequence[Path]) -> None:
    if find_spec("grpc_tools") is None:
        raise CodegenError("grpcio-tools is not installed: run `uv sync` (it is a dev dependency)")
    plugins = [f"--plugin={name}={_find_plugin(name)}" for name in _PLUGINS]
    command = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"--proto_path={proto_dir}",
        f"--python_out={out}",
        f"--grpc_python_out={out}",
        f"--mypy_out={out}",
        f"--mypy_grpc_out={out}",
        *plugins,
        *(str(proto) for proto in protos),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CodegenError(f"protoc failed (exit {result.returncode}):\n{result.stderr.strip()}")


def _find_plugin(name: str) -> str:
    search_path = os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])
    found = shutil.which(name, path=search_path)
    if found is None:
        raise CodegenError(f"{name} not found: run `uv sync` (it comes with mypy-protobuf)")
    return found


def _rewrite_imports(out: Path, package: str, modules: set[str]) -> None:
    """Make imports between generated modules absolute inside ``package``."""

    def from_import(match: re.Match[str]) -> str:
        parent, name = match["parent"], match["name"]
        if f"{parent}.{name}" not in modules:
            return match[0]
        return f"from {package}.{parent} import {name}"

    def plain_import(match: re.Match[str]) -> str:
        module, alias = match["module"], match["alias"]
        if module not in modules:
            return match[0]
        parent, _, name = f"{package}.{module}".rpartition(".")
        return f"from {parent} import {name} as {alias}"

    for path in [*out.rglob("*.py"), *out.rglob("*.pyi")]:
        source = path.read_text(encoding="utf-8")
        rewritten = _PLAIN_IMPORT.sub(plain_import, _FROM_IMPORT.sub(from_import, source))
        if rewritten != source:
            path.write_text(rewritten, encoding="utf-8")


def _add_init_files(out: Path) -> None:
    for directory in [out, *(path for path in out.rglob("*") if path.is_dir())]:
        (directory / "__init__.py").touch()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.grpc.codegen",
        description="Compile protos/**/*.proto into app/grpc/generated/.",
    )
    parser.add_argument("--force", action="store_true", help="regenerate even when up to date")
    args = parser.parse_args(argv)
    try:
        generated = generate(force=args.force)
    except CodegenError as exc:
        print(f"codegen: {exc}", file=sys.stderr)
        return 1
    state = "regenerated" if generated else "up to date"
    print(f"codegen: {OUT_DIR.relative_to(ROOT)} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
