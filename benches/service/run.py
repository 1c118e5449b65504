#!/usr/bin/env python3
"""Side-by-side service benchmark: a generated project against a minimal hand-written service.

    python3 benches/service/run.py [--quick] [--arcana PATH] [--redis-url URL] [--keep]

Generates a project with one resource (`item name:string:unique stock:int`) with the release
binary, installs it with uv, creates its own PostgreSQL databases, starts the generated REST
server (production settings, gunicorn with the project's own sizing) and gRPC server, and the
hand-written Flask + grpcio service of `baseline/` over an equivalent table; seeds both the same
way and measures them interleaved with `client.py`. See README.md next to this file.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROJECT = "benchsvc"
PASSWORD = "bench-password-1234"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def step(message: str) -> None:
    print(f"• {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs: object) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]


def psql(pg: dict[str, str], database: str, sql: str) -> None:
    run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", pg["host"], "-p", pg["port"],
         "-U", pg["user"], "-d", database, "-c", sql]
    )


def wait_http(port: int, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"error: nothing answered on port {port} within {seconds:.0f} s")


def wait_tcp(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"error: nothing listened on port {port} within {seconds:.0f} s")


def post_json(port: int, path: str, body: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a minute or two instead of ~10")
    parser.add_argument("--arcana", default=str(REPO / "target/release/arcana"))
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres@127.0.0.1:5432"),
                        help="USER@HOST:PORT of a PostgreSQL that may create databases")
    parser.add_argument("--db-prefix", default=os.environ.get("ARCANA_TT_PREFIX", "arcana_bench"))
    parser.add_argument("--redis-url", default=os.environ.get("ARCANA_REDIS_URL"),
                        help="a Redis both services use (default: start one on a free port)")
    parser.add_argument("--workers", type=int, help="gunicorn workers for both REST servers "
                        "(default: the generated project's sizing rule)")
    parser.add_argument("--keep", action="store_true", help="keep the generated project")
    args = parser.parse_args()

    user, _, hostport = args.pg.partition("@")
    host, _, port = hostport.partition(":")
    pg = {"user": user, "host": host, "port": port or "5432"}
    pg_url = f"postgresql+psycopg://{user}@{host}:{pg['port']}"
    work = Path(tempfile.mkdtemp(prefix="arcana-service-bench-"))
    processes: list[subprocess.Popen[bytes]] = []
    logs = work / "logs"
    logs.mkdir()

    def start(name: str, cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        processes.append(
            subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=log, start_new_session=True)
        )

    try:
        redis_url = args.redis_url
        if not redis_url:
            redis_port = free_port()
            start("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port),
                            "--save", "", "--appendonly", "no"], work, dict(os.environ))
            wait_tcp(redis_port)
            redis_url = f"redis://127.0.0.1:{redis_port}"

        step(f"generating `{PROJECT}` with {args.arcana} in {work}")
        project = work / PROJECT
        run([args.arcana, "new", PROJECT, "--no-input"], cwd=work)
        run([args.arcana, "add", "resource", "item", "name:string:unique", "stock:int"],
            cwd=project)
        step("installing it with uv")
        run(["uv", "sync", "--quiet"], cwd=project)
        python = str(project / ".venv/bin/python")
        run([python, "-m", "app.grpc.codegen"], cwd=project)

        databases = {"generated": f"{args.db_prefix}_svc_generated",
                     "baseline": f"{args.db_prefix}_svc_baseline"}
        for database in databases.values():
            psql(pg, "postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            psql(pg, "postgres", f'CREATE DATABASE "{database}"')

        env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
        generated_env = env | {
            "APP_ENV": "production",
            "DATABASE_URL": f"{pg_url}/{databases['generated']}",
            "REDIS_URL": redis_url,
            "JWT_SECRET": secrets.token_urlsafe(48),
            "ACCESS_TOKEN_TTL_SECONDS": "86400",
        }
        workers = args.workers or 2
        generated_env["WEB_CONCURRENCY"] = str(workers)
        baseline_env = env | {
            "BASELINE_DATABASE_URL": f"{pg_url}/{databases['baseline']}",
            "BASELINE_REDIS_URL": redis_url,
            "PYTHONPATH": f"{HERE / 'baseline'}:{project}",
        }
        run([python, "-m", "alembic", "upgrade", "head"], cwd=project, env=generated_env)
        run([python, str(HERE / "baseline/shared.py")], cwd=project, env=baseline_env)

        rows = 1000 if args.quick else 5000
        seed = (
            "INSERT INTO items (name, stock) SELECT 'seed-' || n, n FROM generate_series(1, {})"
            " AS n"
        ).format(rows)
        for database in databases.values():
            psql(pg, database, seed)
            psql(pg, database, "VACUUM ANALYZE items")

        ports = {name: (free_port(), free_port()) for name in databases}
        step("starting the generated REST and gRPC servers and the hand-written ones")
        start("generated-rest", [python, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                 "app.wsgi:app", "--bind", f"127.0.0.1:{ports['generated'][0]}"],
              project, generated_env)
        start("generated-grpc", [python, "-m", "app.grpc.server", "--host", "127.0.0.1",
                                 "--port", str(ports["generated"][1])], project, generated_env)
        start("baseline-rest", [python, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w",
                                str(workers), "--bind", f"127.0.0.1:{ports['baseline'][0]}",
                                "rest:app"],
              HERE / "baseline", baseline_env)
        start("baseline-grpc", [python, str(HERE / "baseline/grpc_server.py"),
                                str(ports["baseline"][1]), "10"], HERE / "baseline", baseline_env)
        wait_http(ports["generated"][0], "/health/live")
        wait_http(ports["baseline"][0], "/api/v1/items/1")
        for name in databases:
            wait_tcp(ports[name][1])

        step("registering and logging in on the generated service")
        email = "bench@example.com"
        post_json(ports["generated"][0], "/api/v1/auth/register",
                  {"email": email, "password": PASSWORD, "full_name": "Bench"})
        token = str(post_json(ports["generated"][0], "/api/v1/auth/login",
                              {"email": email, "password": PASSWORD})["access_token"])

        rounds, batch = (5, 40) if args.quick else (10, 100)
        per_transport = rounds * batch
        ids = {
            "cached": [1],
            "update": list(range(2, 52)),
            "rest_uncached": list(range(100, 100 + per_transport)),
            "grpc_uncached": list(range(100 + per_transport, 100 + 2 * per_transport)),
        }
        assert 100 + 2 * per_transport <= rows
        config = {
            "rounds": rounds,
            "batch": batch,
            "connections": 16,
            "client_processes": 2,
            "load_seconds": 4 if args.quick else 10,
            "load_rounds": 1 if args.quick else 2,
            "load_cells": ["rest get cached", "rest list 20", "grpc get cached", "grpc list 20"],
            "targets": [
                {"name": "generated", "rest_port": ports["generated"][0],
                 "grpc_port": ports["generated"][1], "token": token, "ids": ids},
                {"name": "baseline", "rest_port": ports["baseline"][0],
                 "grpc_port": ports["baseline"][1], "token": None, "ids": ids},
            ],
        }
        (work / "config.json").write_text(json.dumps(config))
        step("measuring (interleaved)")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return subprocess.run(
            [python, str(HERE / "client.py"), str(work / "config.json")], cwd=project,
            env=env | {"PYTHONPATH": str(project)}, check=False,
        ).returncode
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if args.keep:
            print(f"kept {work} (logs in {logs})", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
