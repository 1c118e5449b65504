#!/usr/bin/env python3
"""Benchmark `arcana new` (and, when supported, `arcana add resource`): wall time and peak memory.

Each command is run REPEAT times in fresh temporary directories; the script prints the median,
min and max wall time and the peak resident set size reported by the kernel for each run.

Usage: benches/generate.py [--repeat N] [--bin PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def measure(cmd: list[str], cwd: Path) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        sys.exit(f"`{' '.join(cmd)}` failed:\n{err}")
    return elapsed * 1000, usage.ru_maxrss  # ms, KiB on Linux


def report(label: str, samples: list[tuple[float, int]]) -> None:
    times = [t for t, _ in samples]
    peak = max(m for _, m in samples) / 1024
    print(
        f"{label:<32} median {statistics.median(times):6.2f} ms   min {min(times):6.2f} ms   "
        f"max {max(times):6.2f} ms   peak RSS {peak:5.1f} MiB   ({len(times)} runs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--bin", default=str(REPO / "target" / "release" / "arcana"))
    args = parser.parse_args()
    if not Path(args.bin).exists():
        sys.exit(f"error: `{args.bin}` not found\nhint: run `cargo build --release` first")

    new_samples = []
    add_samples = []
    fields = [
        "name:string:80:unique", "description:text:optional", "price:decimal", "stock:int",
        "views:bigint", "rating:float", "active:bool", "released_on:date",
        "sku:uuid:unique", "attributes:json:optional",
    ]
    supports_add = subprocess.run(
        [args.bin, "add", "--help"], capture_output=True
    ).returncode == 0
    for _ in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix="arcana-bench-"))
        try:
            new_samples.append(measure([args.bin, "new", "benchsvc", "--no-input"], work))
            if supports_add:
                add_samples.append(
                    measure([args.bin, "add", "resource", "product", *fields, "--no-input"],
                            work / "benchsvc")
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    report("arcana new", new_samples)
    if add_samples:
        report("arcana add resource (10 fields)", add_samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
