"""`make bench` (`python -m bench`): every transport of this service measured side by side.

It starts the processes itself on free loopback ports, over the configured database and Redis
(`DATABASE_URL`, `REDIS_URL`, as `make run` uses them; run `make migrate` first):

- REST monolith: `make run` (the REST process runs the services);
- REST layered: `make run` with `DEPLOYMENT_MODE=layered`, no database or Redis URL, calling the
  gRPC process;
- gRPC: `make grpc`, called directly.

It seeds its own rows (one to read, created through REST), then measures at a few concurrency
levels: get by id (its cache entry emptied before each call), cached get,
a list page with its total, and create (each created row deleted again, outside the timing).
Clients are lean: `http.client`
with one keep-alive connection per worker thread; grpcio stubs over one channel per worker thread.
Targets take turns in short rounds, so that noise on the machine hits them alike.
"""

from __future__ import annotations

import abc
import argparse
import http.client
import importlib
import json
import os
import pkgutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import grpc

import bench.resources
from app.config.settings import get_settings_or_exit
from app.repository.cache_repository_impl import RedisCacheRepository
from app.wiring import build_container
from bench.spec import ResourceSpec

ROOT = Path(__file__).resolve().parent.parent
MAKE = ("make", "--no-print-directory")
QUICK = (90, (1, 8))
"""Requests per cell and concurrency levels of the default run (under a minute)."""
FULL = (1000, (1, 4, 16))
ROUNDS = 3
"""Each cell is measured in this many rounds, the targets taking turns between rounds."""
STARTUP_SECONDS = 60.0


@dataclass
class Cell:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def p(self, quantile: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


class Target(abc.ABC):
    """One transport: `call(operation, worker)` runs one request and says whether it succeeded."""

    name = ""
    client = ""

    @abc.abstractmethod
    def open(self, workers: int) -> None: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def call(self, operation: str, worker: int) -> bool: ...


class RestTarget(Target):
    client = "http.client (keep-alive)"

    def __init__(self, name: str, port: int, ctx: BenchContext) -> None:
        self.name = name
        self._port = port
        self._ctx = ctx
        self._connections: list[http.client.HTTPConnection] = []

    def open(self, workers: int) -> None:
        self.close()
        self._connections = [
            http.client.HTTPConnection("127.0.0.1", self._port, timeout=10) for _ in range(workers)
        ]

    def close(self) -> None:
        for connection in self._connections:
            connection.close()
        self._connections = []

    def request(self, worker: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        connection = self._connections[worker]
        headers = dict(self._ctx.rest_headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None

    def call(self, operation: str, worker: int) -> bool:
        ctx = self._ctx
        path = ctx.resource.path
        if operation in ("get", "cached get"):
            return self.request(worker, "GET", f"{path}/{ctx.row_id}")[0] == 200
        if operation == "list":
            return self.request(worker, "GET", f"{path}?page=1&size=20")[0] == 200
        status, body = self.request(worker, "POST", path, ctx.payload)
        ctx.created.append(body["id"] if status == 201 else None)
        return status == 201


class GrpcTarget(Target):
    name = "gRPC"
    client = "grpcio stub"

    def __init__(self, port: int, ctx: BenchContext) -> None:
        self._target = f"127.0.0.1:{port}"
        self._ctx = ctx
        self._channels: list[grpc.Channel] = []
        self._stubs: list[Any] = []

    def open(self, workers: int) -> None:
        self.close()
        self._channels = [grpc.insecure_channel(self._target) for _ in range(workers)]
        self._stubs = [self._ctx.resource.stub(channel) for channel in self._channels]

    def close(self) -> None:
        for channel in self._channels:
            channel.close()
        self._channels, self._stubs = [], []

    def call(self, operation: str, worker: int) -> bool:
        ctx, stub = self._ctx, self._stubs[worker]
        metadata = ctx.grpc_metadata
        try:
            if operation in ("get", "cached get"):
                stub.Get(ctx.resource.get_request(ctx.row_id), metadata=metadata, timeout=10)
            elif operation == "list":
                stub.List(ctx.resource.list_request(1, 20), metadata=metadata, timeout=10)
            else:
                created = stub.Create(ctx.create_message, metadata=metadata, timeout=10)
                ctx.created.append(created.id)
        except grpc.RpcError:
            return False
        return True


@dataclass
class BenchContext:
    resource: ResourceSpec
    seed_payload: Mapping[str, Any]
    payload: Mapping[str, Any]
    """The create body."""
    row_id: int = 0
    rest_headers: dict[str, str] = field(default_factory=dict)
    grpc_metadata: tuple[tuple[str, str], ...] = ()
    create_message: Any = None
    created: list[int | None] = field(default_factory=list)
    before_call: Callable[[], object] = lambda: None
    """Runs before each timed call (outside the timing)."""
    after_call: Callable[[], object] = lambda: None
    """Runs after each timed call (outside the timing)."""


def no_op() -> None:
    pass


@dataclass(frozen=True)
class Ports:
    rest: int
    grpc: int
    layered: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def process(argv: Sequence[str], env: Mapping[str, str], log: Path) -> Iterator[None]:
    """A process group started in the project, stopped (SIGTERM, then SIGKILL) afterwards."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_until(ready: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    sys.exit(f"error: {what} did not start within {STARTUP_SECONDS:.0f}s; see {log}")


def rest_ready(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/health/ready")
        ok = connection.getresponse().status == 200
        connection.close()
    except OSError:
        return False
    return ok


def measure(target: Target, operation: str, workers: int, count: int, ctx: BenchContext) -> Cell:
    cell = Cell()
    target.open(workers)
    lock = threading.Lock()
    per_worker = max(1, count // workers)

    def work(worker: int) -> None:
        for _ in range(per_worker):
            ctx.before_call()
            started = time.perf_counter()
            try:
                ok = target.call(operation, worker)
            except (OSError, http.client.HTTPException, ValueError):
                ok = False
            elapsed = time.perf_counter() - started
            ctx.after_call()
            with lock:
                if ok:
                    cell.latencies.append(elapsed)
                else:
                    cell.errors += 1

    try:
        target.call(operation, 0)  # warm the connections
        ctx.after_call()
        threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        cell.seconds = time.perf_counter() - started
    finally:
        target.close()
    return cell


def merge(cells: list[Cell]) -> Cell:
    total = Cell()
    for cell in cells:
        total.latencies += cell.latencies
        total.errors += cell.errors
        total.seconds += cell.seconds
    return total


def load_resources() -> dict[str, ResourceSpec]:
    found: dict[str, ResourceSpec] = {}
    for module in pkgutil.iter_modules(bench.resources.__path__):
        spec = importlib.import_module(f"bench.resources.{module.name}").RESOURCE
        found[spec.name] = spec
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--full", action="store_true", help="more requests and concurrency levels")
    parser.add_argument("--quick", action="store_true", help="the default: under a minute")
    parser.add_argument("--resource", help="the resource to measure (default: the first one)")
    parser.add_argument("--requests", type=int, help="requests per cell (default 90, --full 1000)")
    args = parser.parse_args(argv)
    requests, levels = FULL if args.full else QUICK
    count: int = args.requests or requests

    resources = load_resources()
    if not resources:
        sys.exit("error: the project has no resource to measure\nhint: run `arcana add resource`")
    name = args.resource or sorted(resources)[0]
    if name not in resources:
        sys.exit(f"error: no resource `{name}`; the project has: {', '.join(sorted(resources))}")
    settings = get_settings_or_exit()
    if settings.is_layered:
        sys.exit("error: run the benchmark with DEPLOYMENT_MODE=monolith (it starts a layered one)")
    container = build_container(settings)
    seed_payload, payload = resources[name].payloads(container)
    ctx = BenchContext(resource=resources[name], seed_payload=seed_payload, payload=payload)
    container.close()

    logs = ROOT / ".bench"
    logs.mkdir(exist_ok=True)
    env = dict(os.environ)
    rest_port = free_port()
    grpc_port, layered_port = free_port(), free_port()
    with ExitStack() as stack:
        grpc_log = logs / "grpc.log"
        grpc_env = {**env, "GRPC_PORT": str(grpc_port)}
        stack.enter_context(process([*MAKE, "grpc"], grpc_env, grpc_log))
        rest_log = logs / "rest.log"
        stack.enter_context(process([*MAKE, "run", f"PORT={rest_port}"], env, rest_log))
        layered_log = logs / "rest-layered.log"
        layered_env = {
            **env,
            "DEPLOYMENT_MODE": "layered",
            "GRPC_SERVICE_URLS": f"127.0.0.1:{grpc_port}",
            "DATABASE_URL": "",
            "REDIS_URL": "",
        }
        layered_run = [*MAKE, "run", f"PORT={layered_port}"]
        stack.enter_context(process(layered_run, layered_env, layered_log))
        wait_until(lambda: rest_ready(rest_port), "the REST server", rest_log)
        wait_until(lambda: rest_ready(layered_port), "the layered REST server", layered_log)
        ports = Ports(rest=rest_port, grpc=grpc_port, layered=layered_port)
        return run(ctx, ports, levels, count, has_redis=settings.redis_url is not None)


def seed(ctx: BenchContext, rest: RestTarget) -> None:
    rest.open(1)
    try:
        email, password = f"bench-{uuid.uuid4().hex[:12]}@example.com", uuid.uuid4().hex
        user = {"email": email, "password": password, "full_name": "Bench User"}
        status, _ = rest.request(0, "POST", "/api/v1/auth/register", user)
        if status != 201:
            sys.exit(f"error: registering the benchmark user answered {status}")
        credentials = {"email": email, "password": password}
        status, tokens = rest.request(0, "POST", "/api/v1/auth/login", credentials)
        ctx.rest_headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        ctx.grpc_metadata = (("authorization", f"Bearer {tokens['access_token']}"),)
        status, body = rest.request(0, "POST", ctx.resource.path, ctx.seed_payload)
        if status != 201:
            sys.exit(f"error: seeding `{ctx.resource.name}` answered {status}: {body}")
        ctx.row_id = body["id"]
    finally:
        rest.close()


def run(
    ctx: BenchContext, ports: Ports, levels: tuple[int, ...], count: int, *, has_redis: bool
) -> int:
    rest = RestTarget("REST monolith", ports.rest, ctx)
    targets: list[Target] = [rest]
    targets += [RestTarget("REST layered", ports.layered, ctx), GrpcTarget(ports.grpc, ctx)]
    seed(ctx, rest)
    cleaner = RestTarget("cleanup", ports.rest, ctx)
    cleaner.open(1)

    def delete_created() -> None:
        """Delete the rows just created (over REST, whatever made them): unique values repeat."""
        while ctx.created:
            created_id = ctx.created.pop()
            if created_id is not None:
                cleaner.request(0, "DELETE", f"{ctx.resource.path}/{created_id}")

    ctx.create_message = ctx.resource.create_request(ctx.payload)
    operations = ["get", "cached get", "list", "create"]
    settings = get_settings_or_exit()
    cache = (
        RedisCacheRepository.from_url(
            settings.redis_url.get_secret_value(),
            key_prefix=settings.cache_key_prefix,
            socket_timeout_seconds=settings.redis_socket_timeout_seconds,
        )
        if settings.redis_url
        else None
    )
    load_before = os.getloadavg()
    results: dict[tuple[str, int, str], Cell] = {}
    started = time.perf_counter()
    for operation in operations:
        # Create runs one at a time: every row is created from the same sample (unique values
        # included) and deleted again before the next one.
        for workers in levels if operation != "create" else (1,):
            cells: dict[str, list[Cell]] = {target.name: [] for target in targets}
            for _ in range(ROUNDS):
                for target in targets:
                    ctx.before_call = no_op
                    if operation == "get" and cache is not None:
                        ctx.before_call = partial(cache.delete, ctx.resource.cache_key(ctx.row_id))
                    ctx.after_call = delete_created if operation == "create" else no_op
                    per_round = max(workers, count // ROUNDS)
                    cells[target.name].append(measure(target, operation, workers, per_round, ctx))
            for target in targets:
                results[(operation, workers, target.name)] = merge(cells[target.name])
    elapsed = time.perf_counter() - started
    cleaner.request(0, "DELETE", f"{ctx.resource.path}/{ctx.row_id}")
    cleaner.close()
    loads = (load_before[0], os.getloadavg()[0])
    report(results, targets, operations, levels, loads, elapsed, has_redis=has_redis)
    return 0 if all(cell.errors == 0 for cell in results.values()) else 1


def report(
    results: Mapping[tuple[str, int, str], Cell],
    targets: Sequence[Target],
    operations: Sequence[str],
    levels: Sequence[int],
    loads: tuple[float, float],
    elapsed: float,
    *,
    has_redis: bool,
) -> None:
    cpus = len(os.sched_getaffinity(0))
    print(f"\n{cpus} CPUs; 1-minute load average {loads[0]:.2f} before, {loads[1]:.2f} after")
    print(f"measured in {elapsed:.1f}s")
    print("clients: " + "; ".join(f"{t.name}: {t.client}" for t in targets))
    if not has_redis:
        print("note: REDIS_URL is not set: nothing is cached, so `cached get` is not measured")
    header = (
        f"{'operation':<11} {'conc':>4}  {'target':<14} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for operation in operations:
        if operation == "cached get" and not has_redis:
            continue
        for workers in levels if operation != "create" else (1,):
            for target in targets:
                cell = results[(operation, workers, target.name)]
                print(
                    f"{operation:<11} {workers:>4}  {target.name:<14} {cell.p(0.5):>8.2f} "
                    f"{cell.p(0.99):>8.2f} {cell.throughput:>8.0f} {cell.errors:>6}"
                )
    print("\nREST monolith against gRPC, p50 (sequential) and throughput (highest concurrency):")
    for operation in operations:
        if operation == "cached get" and not has_redis:
            continue
        top = levels[-1] if operation != "create" else 1
        rest = results[(operation, 1, "REST monolith")]
        rpc = results[(operation, 1, "gRPC")]
        rest_top = results[(operation, top, "REST monolith")]
        rpc_top = results[(operation, top, "gRPC")]
        if not rest.p(0.5) or not rpc.p(0.5):
            print(f"  {operation:<11} not compared: a target had no successful call")
            continue
        ratio = rest.p(0.5) / rpc.p(0.5)
        winner = "gRPC" if ratio > 1 else "REST"
        factor = max(ratio, 1 / ratio)
        print(
            f"  {operation:<11} {winner} won by {factor:.2f}x on p50; throughput at {top}: "
            f"REST {rest_top.throughput:.0f}/s, gRPC {rpc_top.throughput:.0f}/s"
        )
    print("REST layered pays one more hop (REST -> gRPC) per call: compare it with REST monolith.")


if __name__ == "__main__":
    raise SystemExit(main())
