"""Soak of the HTTP service: decisions and consent writes at once, memory sampled throughout.

Issue 6 asks for a 10-minute soak at the benchmark's load with no error and flat memory. Both
loads of `bench/service/run.py` run concurrently (two `wrk` processes) against `gardien serve
--workers N`; every 10 s the resident memory of the whole server process group (the master and
its workers, read from /proc) is recorded. Flat memory is judged on the second half of the run,
after caches and allocators have reached their steady size: the script prints the growth of the
last sample over the median of the first samples of that half.

    .venv/bin/python -m bench.service.soak --database sqlite --duration 600
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.service.run import Result, database, seed, server, warm, wrk

PAGE = os.sysconf("SC_PAGE_SIZE")


def server_group(port: int) -> int:
    """The process group of the `gardien serve` listening on ``port``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if b"serve" in argv and str(port).encode() in argv:
                return int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3])
        except OSError:
            continue
    raise RuntimeError(f"no gardien serve on port {port}")


def group_rss_mib(pgid: int) -> float:
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == pgid:
                total += int((entry / "statm").read_text().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            continue
    return total / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=600, help="seconds (max 900)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--write-connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    duration = min(args.duration, 900)
    master_key = base64.b64encode(os.urandom(32)).decode()
    results: list[Result] = []
    samples: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp, database(args.database, Path(tmp)) as url:
        token = seed(url, master_key, args.people)
        with server(url, master_key, Path(tmp), args.workers) as base:
            warm(base, token, args.people, args.workers)
            pgid = server_group(int(base.rsplit(":", 1)[1]))
            loads = (
                ("decisions", "decisions.lua", args.connections),
                ("consent writes", "consents.lua", args.write_connections),
            )
            threads = [
                threading.Thread(
                    target=lambda n=n, s=s, c=c: results.append(
                        wrk(n, base, s, token, args.people, duration, c, 1)
                    )
                )
                for n, s, c in loads
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            while any(t.is_alive() for t in threads):
                samples.append((time.monotonic() - started, group_rss_mib(pgid)))
                time.sleep(10)
            for thread in threads:
                thread.join()
    second_half = [rss for at, rss in samples if at >= duration / 2]
    baseline = statistics.median(second_half[: max(1, len(second_half) // 3)])
    growth = (second_half[-1] - baseline) / baseline * 100
    print(json.dumps({"samples_mib": [round(r, 1) for _, r in samples]}))
    print()
    print(f"| database | load | req/s | p50 ms | p99 ms | requests | errors |  ({duration} s)")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {args.database} | {r.name} | {r.requests_per_second:,.0f} | {r.p50_ms:.2f} | "
            f"{r.p99_ms:.2f} | {r.requests:,} | {r.errors} |"
        )
    print()
    print(
        f"server RSS (MiB): first {samples[0][1]:.0f}, min {min(r for _, r in samples):.0f}, "
        f"max {max(r for _, r in samples):.0f}, last {samples[-1][1]:.0f}; second half: "
        f"{growth:+.1f} % from its early median {baseline:.0f}"
    )
    return 0 if all(r.errors == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
