#!/usr/bin/env python3
"""Layered deployment, end to end with real processes (run inside a generated project).

Starts the gRPC server, a REST monolith and a REST process with DEPLOYMENT_MODE=layered whose
DATABASE_URL cannot connect (and no REDIS_URL), both on the database and Redis of the environment
(`DATABASE_URL`, `REDIS_URL`, migrated). The same flow (register, login, me, refresh, the whole
CRUD of a resource and of one referencing it, with their 401 / 404 / 409 / 422 answers) runs
against both REST processes; statuses and bodies must be equal once ids, timestamps, tokens and
the flow's own email are masked. Then the gRPC server is stopped: the layered REST process must
answer 503 with the JSON error body within 5 s, and report the upstream in its readiness.

Usage: layered_check.py PARENT CHILD REF_FIELD   (resources as `arcana add resource` named them)
  PARENT: resource with a unique `name:string` field; CHILD: one with `title:string`, and
  `REF_FIELD` the JSON name of its reference to PARENT (e.g. `author_id`).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MASKED_KEYS = {"id", "created_at", "updated_at", "access_token", "refresh_token"}
UNREACHABLE_DATABASE_URL = "postgresql+psycopg://nobody@127.0.0.1:1/none"
STOPPED_WITHIN_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def call(port: int, method: str, path: str, body: Any = None, token: str | None = None,
         timeout: float = 10.0) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers=headers)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    return response.status, json.loads(raw) if raw else None


def wait_ready(port: int, what: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if call(port, "GET", "/health/ready", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    print(log.read_text()[-3000:])
    sys.exit(f"FAILED: {what} did not become ready")


def mask(value: Any, tag: str, refs: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: "<masked>" if k in MASKED_KEYS or k in refs else mask(v, tag, refs)
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, tag, refs) for v in value]
    if isinstance(value, str):
        return value.replace(tag, "<tag>")
    return value


def flow(port: int, tag: str, parent: str, child: str, ref: str) -> list[tuple[str, int, Any]]:
    out: list[tuple[str, int, Any]] = []

    def step(label: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        status, answer = call(port, method, path, body, token)
        out.append((label, status, mask(answer, tag, {ref})))
        return answer

    email, password = f"{tag}@example.com", "correct-horse-battery"
    step("register", "POST", "/api/v1/auth/register",
         {"email": email, "password": password, "full_name": "Ada Lovelace"})
    step("register taken", "POST", "/api/v1/auth/register",
         {"email": email, "password": password, "full_name": "Ada Again"})
    step("register invalid", "POST", "/api/v1/auth/register", {"email": "nope", "password": "x"})
    step("login wrong", "POST", "/api/v1/auth/login", {"email": email, "password": "wrong-one"})
    tokens = step("login", "POST", "/api/v1/auth/login", {"email": email, "password": password})
    token = tokens["access_token"]
    step("me", "GET", "/api/v1/auth/me", token=token)
    step("me without token", "GET", "/api/v1/auth/me")
    step("me bad token", "GET", "/api/v1/auth/me", token="not-a-jwt")
    step("refresh", "POST", "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    step("refresh reused", "POST", "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})

    parents, children = f"/api/v1/{parent}", f"/api/v1/{child}"
    step("parent list unauthenticated", "GET", parents)
    created = step("parent create", "POST", parents, {"name": f"{tag}-parent"}, token)
    parent_id = created["id"]
    step("parent duplicate", "POST", parents, {"name": f"{tag}-parent"}, token)
    step("parent invalid", "POST", parents, {"name": 12}, token)
    step("parent unknown field", "POST", parents, {"name": "x", "nope": 1}, token)
    step("parent get", "GET", f"{parents}/{parent_id}", token=token)
    step("parent get missing", "GET", f"{parents}/999999999", token=token)
    step("parent list", "GET", f"{parents}?page=1&size=5", token=token)
    step("parent update", "PATCH", f"{parents}/{parent_id}", {"name": f"{tag}-renamed"}, token)
    step("parent update null", "PATCH", f"{parents}/{parent_id}", {"name": None}, token)

    child_body = {"title": "Notes", ref: parent_id}
    created_child = step("child create", "POST", children, child_body, token)
    child_id = created_child["id"]
    step("child missing reference", "POST", children, {"title": "x", ref: 999999999}, token)
    step("child get", "GET", f"{children}/{child_id}", token=token)
    step("child list", "GET", f"{children}?page=1&size=5", token=token)
    step("child update", "PATCH", f"{children}/{child_id}", {"title": "Renamed"}, token)
    step("child update missing", "PATCH", f"{children}/999999999", {"title": "x"}, token)
    step("child delete", "DELETE", f"{children}/{child_id}", token=token)
    step("child get deleted", "GET", f"{children}/{child_id}", token=token)
    step("parent delete", "DELETE", f"{parents}/{parent_id}", token=token)
    step("parent delete again", "DELETE", f"{parents}/{parent_id}", token=token)
    return out


def main() -> int:
    parent, child, ref = sys.argv[1:4]
    env = dict(os.environ)
    logs = Path(".layered-check")
    logs.mkdir(exist_ok=True)
    grpc_port, rest_port, layered_port = free_port(), free_port(), free_port()
    grpc = start(["make", "grpc"], {**env, "GRPC_PORT": str(grpc_port)}, logs / "grpc.log")
    rest = start(["make", "run", f"PORT={rest_port}"], env, logs / "rest.log")
    layered_env = {**env, "DEPLOYMENT_MODE": "layered",
                   "GRPC_SERVICE_URLS": f"127.0.0.1:{grpc_port}",
                   "DATABASE_URL": UNREACHABLE_DATABASE_URL, "REDIS_URL": ""}
    layered = start(["make", "run", f"PORT={layered_port}"], layered_env, logs / "layered.log")
    failures = 0
    try:
        wait_ready(rest_port, "the REST monolith", logs / "rest.log")
        wait_ready(layered_port, "the layered REST process", logs / "layered.log")
        status, ready = call(layered_port, "GET", "/health/ready")
        print(f"layered readiness: {status} {ready}")
        if ready.get("checks") != {"upstream": "ok"}:
            print("FAILED: the layered readiness does not report the upstream alone")
            failures += 1

        monolith = flow(rest_port, "mono-flow", parent, child, ref)
        layered_run = flow(layered_port, "layered-flow", parent, child, ref)
        monolith = [(label, status, mask(body, "mono-flow", set())) for label, status, body in monolith]
        layered_run = [(label, status, mask(body, "layered-flow", set()))
                       for label, status, body in layered_run]
        for (label, status_a, body_a), (_, status_b, body_b) in zip(monolith, layered_run):
            same = status_a == status_b and body_a == body_b
            print(f"  {'ok  ' if same else 'DIFF'} {label}: {status_a} / {status_b}")
            if not same:
                failures += 1
                print(f"       monolith: {json.dumps(body_a)}\n       layered:  {json.dumps(body_b)}")
        statuses = sorted({status for _, status, _ in monolith})
        print(f"statuses seen: {statuses}")
        for wanted in (200, 201, 204, 401, 404, 409, 422):
            if wanted not in statuses:
                print(f"FAILED: the flow never answered {wanted}")
                failures += 1

        login = call(layered_port, "POST", "/api/v1/auth/login",
                     {"email": "layered-flow@example.com", "password": "correct-horse-battery"})
        token = login[1]["access_token"]
        stopped = time.monotonic()
        os.killpg(grpc.pid, signal.SIGTERM)
        answer: tuple[int, Any] = (0, None)
        while time.monotonic() - stopped < STOPPED_WITHIN_SECONDS:
            answer = call(layered_port, "GET", f"/api/v1/{parent}", token=token,
                          timeout=STOPPED_WITHIN_SECONDS)
            if answer[0] == 503:
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - stopped
        print(f"after stopping gRPC: {answer[0]} {answer[1]} after {elapsed:.2f}s")
        body = answer[1] if isinstance(answer[1], dict) else {}
        if answer[0] != 503 or set(body) != {"code", "message", "details"} \
                or body["code"] != "UNAVAILABLE" or elapsed >= STOPPED_WITHIN_SECONDS:
            print("FAILED: no 503 JSON error within 5 s of stopping the gRPC server")
            failures += 1
        status, ready = call(layered_port, "GET", "/health/ready")
        print(f"layered readiness without gRPC: {status} {ready}")
        if status != 503 or ready.get("checks") != {"upstream": "error"}:
            print("FAILED: the layered readiness does not report the upstream down")
            failures += 1
    finally:
        for proc in (layered, rest, grpc):
            stop(proc)
    print("layered check: " + ("ok" if not failures else f"{failures} failure(s)"))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
