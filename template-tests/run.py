#!/usr/bin/env python3
"""Generate every scenario in template-tests/scenarios and prove the result works.

For each scenario file the runner calls the arcana binary with the scenario's commands in a
temporary directory, installs the generated project with uv, and runs its own checks: ruff
lint and format, mypy --strict, the import contracts (lint-imports), its pre-commit hooks
(`pre-commit run --all-files`: ruff, yamllint, mypy, lint-imports), the Alembic round trip (upgrade, downgrade, upgrade, check)
on PostgreSQL, and pytest twice: against PostgreSQL + Redis, and with no URLs set (SQLite and
in-process fallbacks). Alembic is the application's own command and reads DATABASE_URL; the
tests read TEST_DATABASE_URL / TEST_REDIS_URL only.

Environment:
  ARCANA_BIN             the arcana binary (default: target/release/arcana)
  ARCANA_PG_ADMIN_URL    libpq URL used to create per-scenario databases
                         (default: postgresql://postgres@127.0.0.1:5432/postgres)
  ARCANA_REDIS_URL       Redis base URL (default: redis://127.0.0.1:6379)
  ARCANA_TT_PREFIX       prefix of the per-scenario database names (default: arcana_tt), so
                         that runs side by side can use different databases
  ARCANA_REDIS_DB_OFFSET added to each scenario's Redis db number (default: 0)
  ARCANA_KEEP=1          keep the generated projects for inspection

  ARCANA_JOBS            scenarios run side by side (default: 2); each prints its log when it ends

A scenario's `commands` are arcana's arguments (`["add", "resource", ...]`), or tables:
  { arcana = [...], exit = N }  arcana expected to exit with N; the project must be unchanged
  { run = [...] }               a program run in the project with DATABASE_URL / REDIS_URL set
                                (e.g. `["uv", "run", "alembic", "upgrade", "head"]`; `uv sync`
                                runs before the first one); `{template_tests}` in an
                                argument becomes this directory (checker scripts live here)
  { sql = "...", expect = "" }  a query on the scenario's PostgreSQL database; its output
                                (psql -tA) must equal `expect` when given

Usage: template-tests/run.py [SCENARIO ...]   (names or paths; default: all)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PG_ADMIN = os.environ.get("ARCANA_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("ARCANA_REDIS_URL", "redis://127.0.0.1:6379")


class StepFailed(Exception):
    pass


_log = threading.local()
_print_lock = threading.Lock()


def say(line: str) -> None:
    """Adds a line to the log of the scenario this thread runs (printed when it ends)."""
    _log.lines.append(line)


def step(name: str, cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        say(f"  - {name} ... FAILED ({elapsed:.1f}s)")
        say(f"    $ {' '.join(cmd)}")
        for line in (proc.stdout + proc.stderr).splitlines()[-120:]:
            say(f"    | {line}")
        raise StepFailed(name)
    say(f"  - {name} ... ok ({elapsed:.1f}s)")
    return proc.stdout


def pytest_summary(output: str) -> str:
    lines = [line for line in output.splitlines() if " passed" in line or " failed" in line]
    summary = lines[-1].strip("= ") if lines else "(no summary)"
    coverage = [line for line in output.splitlines() if "Total coverage:" in line]
    if coverage:
        summary += f", coverage {coverage[-1].rsplit(':', 1)[-1].strip()}"
    return summary


URL_VARIABLES = {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL"}


def scenario_env(base: dict[str, str], database_url: str | None, redis_url: str | None,
                 prefix: str = "") -> dict[str, str]:
    """`base` without URLs or a virtualenv, plus `{prefix}DATABASE_URL` / `{prefix}REDIS_URL`."""
    env = {k: v for k, v in base.items() if k not in URL_VARIABLES | {"VIRTUAL_ENV"}}
    if database_url:
        env[f"{prefix}DATABASE_URL"] = database_url
    if redis_url:
        env[f"{prefix}REDIS_URL"] = redis_url
    return env


def recreate_database(name: str) -> None:
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", PG_ADMIN, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                       capture_output=True)


RESERVED_NAMES = REPO / "src" / "spec" / "reserved_project_names.txt"


def check_reserved_names(project: Path, env: dict[str, str] | None) -> None:
    """Every distribution the project installed is a name arcana refuses for a project."""
    listed = {
        line.strip().replace("_", "-")
        for line in RESERVED_NAMES.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    out = step("installed names are reserved", ["uv", "pip", "list", "--format", "json"], project, env)
    own = tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(out)} - {own}
    missing = sorted(installed - listed)
    if missing:
        say(f"    not in {RESERVED_NAMES.relative_to(REPO)}: {', '.join(missing)}")
        raise StepFailed("installed names are reserved")


def tree_state(root: Path) -> dict[str, bytes]:
    """Every file of the project but the virtualenv and caches, to tell that nothing changed."""
    skip = {".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "generated"}
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not skip.intersection(p.relative_to(root).parts)
        and not p.relative_to(root).parts[0] == ".arcana"
    }


def run_scenario(path: Path, arcana: str, index: int) -> None:
    spec = tomllib.loads(path.read_text())
    say(f"scenario {path.stem}: {spec.get('description', '')}")
    work = Path(tempfile.mkdtemp(prefix=f"arcana-{path.stem}-"))
    try:
        env = scenario_env(dict(os.environ), None, None)
        prefix = os.environ.get("ARCANA_TT_PREFIX", "arcana_tt")
        db_name = f"{prefix}_{path.stem.replace('-', '_')}"
        recreate_database(db_name)
        pg_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{db_name}"
        libpq_url = f"postgresql://postgres@127.0.0.1:5432/{db_name}"
        offset = int(os.environ.get("ARCANA_REDIS_DB_OFFSET", "0"))
        redis_url = f"{REDIS}/{(index + offset) % 16}"
        app_env = scenario_env(dict(os.environ), pg_url, redis_url)
        test_env = scenario_env(dict(os.environ), pg_url, redis_url, prefix="TEST_")

        project: Path | None = None
        synced = False
        for command in spec["commands"]:
            cwd = work if project is None else project
            if isinstance(command, list):
                step(f"arcana {' '.join(command)}", [arcana, *command], cwd)
                if command[0] == "new" and project is None:
                    project = work / command[1]
            elif "arcana" in command:
                args, wanted = command["arcana"], command.get("exit", 0)
                before = tree_state(cwd)
                proc = subprocess.run([arcana, *args], cwd=cwd, capture_output=True, text=True)
                name = f"arcana {' '.join(args)} (exit {wanted}, nothing written)"
                if proc.returncode != wanted or (wanted != 0 and tree_state(cwd) != before):
                    say(f"  - {name} ... FAILED (exit {proc.returncode})")
                    for line in (proc.stdout + proc.stderr).splitlines()[-40:]:
                        say(f"    | {line}")
                    raise StepFailed(name)
                say(f"  - {name} ... ok")
            elif "run" in command:
                argv = [arg.replace("{template_tests}", str(HERE)) for arg in command["run"]]
                if argv[0] == "uv" and not synced:
                    step("uv sync", ["uv", "sync", "--quiet"], cwd, env)
                    synced = True
                step(" ".join(argv), argv, cwd, app_env)
            elif "sql" in command:
                out = step(f"sql {command['sql']}", ["psql", libpq_url, "-v", "ON_ERROR_STOP=1",
                                                     "-tAc", command["sql"]], cwd)
                if "expect" in command and out.strip() != command["expect"]:
                    say(f"    expected {command['expect']!r}, got {out.strip()!r}")
                    raise StepFailed(f"sql {command['sql']}")
            else:
                raise ValueError(f"unknown scenario command {command!r}")
        assert project is not None, "a scenario starts with `new`"

        step("uv sync", ["uv", "sync", "--quiet"], project, env)
        check_reserved_names(project, env)
        features = tomllib.loads((project / "arcana.toml").read_text()).get("features", {})
        if features.get("grpc", True):
            step("proto codegen", ["uv", "run", "python", "-m", "app.grpc.codegen"], project, env)
        step("ruff check", ["uv", "run", "ruff", "check", "."], project, env)
        step("ruff format --check", ["uv", "run", "ruff", "format", "--check", "."], project, env)
        step("mypy --strict", ["uv", "run", "mypy"], project, env)
        step("lint-imports", ["uv", "run", "lint-imports"], project, env)
        # The project's own hooks, as a developer's commit runs them (`arcana new` made the
        # repository; pre-commit looks at the files git knows).
        if not (project / ".git").is_dir():
            say("    `arcana new` made no git repository")
            raise StepFailed("git repository")
        step("git add -A", ["git", "add", "-A"], project, env)
        step("pre-commit run --all-files", ["uv", "run", "--no-sync", "pre-commit", "run",
                                            "--all-files", "--show-diff-on-failure"], project, env)
        for args in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"], ["check"]):
            step(f"alembic {' '.join(args)} (PostgreSQL)", ["uv", "run", "alembic", *args], project, app_env)
        recreate_database(db_name)
        out = step("pytest (PostgreSQL + Redis)", ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, test_env)
        say(f"    {pytest_summary(out)}")
        out = step("pytest (SQLite + in-process)", ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], project, env)
        say(f"    {pytest_summary(out)}")
    finally:
        if os.environ.get("ARCANA_KEEP") == "1":
            say(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    arcana = os.environ.get("ARCANA_BIN", str(REPO / "target" / "release" / "arcana"))
    if not Path(arcana).exists():
        print(f"error: arcana binary `{arcana}` not found\nhint: run `cargo build --release` first")
        return 2
    every = sorted((HERE / "scenarios").glob("*.toml"))
    scenarios = every
    if argv:
        wanted = {Path(a).stem for a in argv}
        scenarios = [s for s in every if s.stem in wanted]
    def run_one(scenario: Path) -> str | None:
        """Runs one scenario and prints its log; the failure's description, or None."""
        _log.lines = []
        started = time.monotonic()
        # The position among all scenarios picks the Redis db, so that scenarios running side
        # by side never share one (each has its own database too).
        index = every.index(scenario)
        outcome = None
        try:
            run_scenario(scenario, arcana, index)
        except StepFailed as exc:
            outcome = f"{scenario.stem} ({exc})"
        except Exception as exc:  # noqa: BLE001 - reported with the scenario's log
            outcome = f"{scenario.stem} ({type(exc).__name__}: {exc})"
        say(f"  {'FAILED' if outcome else 'passed'} in {time.monotonic() - started:.0f}s")
        with _print_lock:
            print("\n".join(_log.lines), flush=True)
        return outcome

    jobs = max(1, int(os.environ.get("ARCANA_JOBS", "2")))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(run_one, scenarios))
    failed = [o for o in outcomes if o is not None]
    passed = len(outcomes) - len(failed)
    for name in failed:
        print(f"FAILED scenario {name}")
    print(f"scenarios: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
