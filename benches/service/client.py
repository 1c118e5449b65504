"""Lean clients and the interleaved measurement; run by `run.py` inside the generated project's
environment (it needs grpcio and the project's compiled protos on `PYTHONPATH`).

`python client.py CONFIG.json` reads the targets and the mode, measures, prints the table.
"""

import http.client
import json
import multiprocessing
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import grpc

from app.grpc.generated.benchsvc.v1 import item_pb2, item_pb2_grpc

PATH = "/api/v1/items"
Call = Callable[[], None]


class Failed(Exception):
    pass


class Rest:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, token: str | None) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._headers = {"Content-Type": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        payload = None if body is None else json.dumps(body)
        self._connection.request(method, path, payload, self._headers)
        response = self._connection.getresponse()
        data = response.read()
        if response.status != expect:
            raise Failed(f"{method} {path}: {response.status} {data[:200]!r}")
        return data


class Grpc:
    """One channel (its own connection) and an ItemService stub."""

    def __init__(self, port: int, token: str | None) -> None:
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}", options=[("grpc.use_local_subchannel_pool", 1)]
        )
        self.stub = item_pb2_grpc.ItemServiceStub(self._channel)
        self.metadata = (("authorization", f"Bearer {token}"),) if token else ()


def operations(target: dict[str, Any], ids: dict[str, list[int]]) -> dict[str, Call]:
    """The measured calls of one target, each a closure over its own connection."""
    rest = Rest(target["rest_port"], target["token"])
    rpc = Grpc(target["grpc_port"], target["token"])
    stub, md = rpc.stub, rpc.metadata
    cached_id = ids["cached"][0]
    fresh = {"rest": iter(ids["rest_uncached"]), "grpc": iter(ids["grpc_uncached"])}
    updates = ids["update"]
    counter = iter(range(10**9))
    tag = target["name"] + uuid.uuid4().hex[:8]

    def rest_update() -> None:
        n = next(counter)
        rest.call("PATCH", f"{PATH}/{updates[n % len(updates)]}", {"stock": n})

    def grpc_update() -> None:
        n = next(counter)
        stub.Update(item_pb2.UpdateItemRequest(id=updates[n % len(updates)], stock=n), metadata=md)

    return {
        "rest get": lambda: rest.call("GET", f"{PATH}/{next(fresh['rest'])}"),
        "rest get cached": lambda: rest.call("GET", f"{PATH}/{cached_id}"),
        "rest list 20": lambda: rest.call("GET", f"{PATH}?page=1&size=20"),
        "rest create": lambda: rest.call(
            "POST", PATH, {"name": f"{tag}-{next(counter)}", "stock": 1}, expect=201
        ),
        "rest update": rest_update,
        "grpc get": lambda: stub.Get(item_pb2.GetItemRequest(id=next(fresh["grpc"])), metadata=md),
        "grpc get cached": lambda: stub.Get(item_pb2.GetItemRequest(id=cached_id), metadata=md),
        "grpc list 20": lambda: stub.List(item_pb2.ListItemsRequest(page=1, size=20), metadata=md),
        "grpc create": lambda: stub.Create(
            item_pb2.CreateItemRequest(name=f"{tag}-{next(counter)}", stock=1), metadata=md
        ),
        "grpc update": grpc_update,
    }


def timed(call: Call, count: int, samples: list[float], errors: list[str]) -> None:
    for _ in range(count):
        started = time.perf_counter()
        try:
            call()
        except (Failed, grpc.RpcError, OSError) as exc:
            errors.append(str(exc)[:200])
            continue
        samples.append(time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def sequential(config: dict[str, Any]) -> dict[str, dict[str, list[float]]]:
    targets = config["targets"]
    ops = {t["name"]: operations(t, t["ids"]) for t in targets}
    rounds, batch = config["rounds"], config["batch"]
    results: dict[str, dict[str, list[float]]] = {}
    errors: list[str] = []
    for cell in ops[targets[0]["name"]]:
        samples = {t["name"]: [] for t in targets}
        for name in ops:  # warm up: connections, caches, code paths
            timed(ops[name][cell], 5 if "get" not in cell or "cached" in cell else 0, [], errors)
        for r in range(rounds):
            order = targets if r % 2 == 0 else targets[::-1]
            for t in order:
                timed(ops[t["name"]][cell], batch, samples[t["name"]], errors)
        results[cell] = samples
    results["errors"] = {"": [float(len(errors))]}
    for error in errors[:5]:
        print("error:", error, file=sys.stderr)
    return results


def _load_worker(target: dict[str, Any], cell: str, threads: int, seconds: float, out: Any) -> None:
    counts, errors = [0] * threads, [0] * threads
    stop = time.perf_counter() + seconds

    def run(slot: int) -> None:
        call = operations(target, target["ids"])[cell]
        while time.perf_counter() < stop:
            try:
                call()
                counts[slot] += 1
            except (Failed, grpc.RpcError, OSError):
                errors[slot] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put((sum(counts), sum(errors)))


def throughput(config: dict[str, Any]) -> dict[str, dict[str, tuple[float, int]]]:
    """Requests per second at `connections` concurrent connections, per cell and target."""
    connections, processes = config["connections"], config["client_processes"]
    seconds = config["load_seconds"]
    results: dict[str, dict[str, tuple[float, int]]] = {}
    context = multiprocessing.get_context("fork")
    for cell in config["load_cells"]:
        totals = {t["name"]: [0, 0, 0.0] for t in config["targets"]}
        for r in range(config["load_rounds"]):
            order = config["targets"] if r % 2 == 0 else config["targets"][::-1]
            for t in order:
                queue = context.Queue()
                procs = [
                    context.Process(
                        target=_load_worker,
                        args=(t, cell, connections // processes, seconds, queue),
                    )
                    for _ in range(processes)
                ]
                started = time.perf_counter()
                for p in procs:
                    p.start()
                done = [queue.get() for _ in procs]
                for p in procs:
                    p.join()
                totals[t["name"]][0] += sum(c for c, _ in done)
                totals[t["name"]][1] += sum(e for _, e in done)
                totals[t["name"]][2] += time.perf_counter() - started
        results[cell] = {name: (n / elapsed, errs) for name, (n, errs, elapsed) in totals.items()}
    return results


def report(config: dict[str, Any], seq: dict[str, Any], load: dict[str, Any]) -> int:
    gen, base = (t["name"] for t in config["targets"])
    print()
    print(
        f"Sequential latency, one keep-alive connection per target (http.client; grpcio stub),"
        f" {config['rounds']} interleaved rounds of {config['batch']} calls"
    )
    header = f"{'cell':<18}{gen + ' p50':>14}{base + ' p50':>14}{'ratio':>8}"
    header += f"{gen + ' p99':>14}{base + ' p99':>14}{'ratio':>8}"
    print(header)
    worst = 0.0
    for cell, samples in seq.items():
        if cell == "errors":
            continue
        if not all(samples[n] for n in (gen, base)):
            print(f"{cell:<18}{'(every call failed)':>28}")
            worst = float("inf")
            continue
        g50, b50 = (statistics.median(samples[n]) * 1e3 for n in (gen, base))
        g99, b99 = (percentile(samples[n], 0.99) * 1e3 for n in (gen, base))
        worst = max(worst, g50 / b50)
        print(
            f"{cell:<18}{g50:>11.3f} ms{b50:>11.3f} ms{g50 / b50:>7.2f}x"
            f"{g99:>11.3f} ms{b99:>11.3f} ms{g99 / b99:>7.2f}x"
        )
    errors = int(seq["errors"][""][0])
    print()
    print(
        f"Throughput at {config['connections']} connections ({config['client_processes']} client"
        f" processes), {config['load_rounds']} interleaved rounds of {config['load_seconds']} s"
    )
    print(f"{'cell':<18}{gen + ' req/s':>16}{base + ' req/s':>16}{'ratio':>8}")
    lowest = float("inf")
    for cell, by_target in load.items():
        (g, ge), (b, be) = by_target[gen], by_target[base]
        errors += ge + be
        lowest = min(lowest, g / b)
        print(f"{cell:<18}{g:>16.0f}{b:>16.0f}{g / b:>7.2f}x")
    print()
    print(f"errors: {errors}   load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    verdict = "met" if worst <= 1.2 and lowest >= 0.8 and errors == 0 else "NOT met"
    print(
        f"goal (every p50 within 1.2x, throughput at least 0.8x, no errors): {verdict}"
        f" (worst p50 ratio {worst:.2f}x, lowest throughput ratio {lowest:.2f}x)"
    )
    return 0 if errors == 0 else 1


def main() -> int:
    with open(sys.argv[1]) as file:
        config = json.load(file)
    seq = sequential(config)
    load = throughput(config)
    return report(config, seq, load)


if __name__ == "__main__":
    sys.exit(main())
