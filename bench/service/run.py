"""HTTP benchmark of the service: decisions and consent writes over loopback, with wrk.

    .venv/bin/python -m bench.service.run --database sqlite --duration 15
    .venv/bin/python -m bench.service.run --database postgres --duration 15

What it does, all on 127.0.0.1 and bounded in time: builds a fresh ledger (a SQLite file in a
temporary folder, or a fresh PostgreSQL database that is dropped at the end) holding
``--people`` people of the seed 001 shop with a realistic mix of consents; starts
``gardien serve --workers 2`` in its own process group; runs ``wrk`` (a separate process) for
``POST /api/v1/decisions`` then ``POST /api/v1/consents`` with random people; prints requests
per second and latency percentiles, and a Markdown row for ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench._common import fresh_postgres_database
from tests.support.live_server import gardien_serve

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "examples" / "001-boutique.yaml"
LUA = Path(__file__).parent / "wrk"


@dataclass(frozen=True)
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    with fresh_postgres_database("gardien_bench") as url:
        yield url


def seed(url: str, master_key: str, people: int) -> str:
    """The ledger with ``people`` customers: 40% consented to marketing, 10% withdrew, 5%
    objected to analytics; returns an API key for the load."""
    from gardien.ledger import ConsentChange, ConsentStatus, IdentifierVault, Ledger
    from gardien.policy import load_policy
    from gardien.service import Scope, create_key
    from gardien.storage import create_engine, upgrade
    from gardien.vault import EnvKeyProvider

    engine = create_engine(url)
    upgrade(engine)
    ledger = Ledger(engine, load_policy(POLICY), IdentifierVault(EnvKeyProvider(master_key)))
    rng = random.Random(1)
    batch: list[ConsentChange] = []
    for i in range(people):
        subject = f"email:customer{i}@example.fr"
        draw = rng.random()
        if draw < 0.5:
            batch.append(ConsentChange(subject, "marketing", ConsentStatus.GIVEN))
        if 0.4 <= draw < 0.5:
            batch.append(ConsentChange(subject, "marketing", ConsentStatus.WITHDRAWN))
        if len(batch) >= 2000:
            ledger.record_consents(batch)
            batch = []
    if batch:
        ledger.record_consents(batch)
    token = create_key(engine, "bench", [Scope.DECISIONS, Scope.CONSENTS_WRITE]).token
    engine.dispose()
    return token


@contextmanager
def server(url: str, master_key: str, folder: Path, workers: int) -> Iterator[str]:
    env = {
        **os.environ,
        "GARDIEN_DATABASE_URL": url,
        "GARDIEN_MASTER_KEY": master_key,
        "GARDIEN_POLICY": str(POLICY),
    }
    env.pop("GARDIEN_KEY_FILE", None)
    with gardien_serve(env, folder, workers) as base:
        yield base


def _ms(text: str) -> float:
    found = re.match(r"([\d.]+)([a-z]+)", text)
    if found is None:
        raise ValueError(f"unreadable wrk latency {text!r}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(
    name: str,
    base: str,
    script: str,
    token: str,
    people: int,
    duration: int,
    connections: int,
    threads: int,
) -> Result:
    env = {**os.environ, "GARDIEN_TOKEN": token, "GARDIEN_PEOPLE": str(people)}
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "5s",
            "-s",
            str(LUA / script),
            f"{base}/",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    for pattern in (
        r"Non-2xx or 3xx responses: (\d+)",
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
    ):
        found = re.search(pattern, out)
        if found:
            errors += sum(int(g) for g in found.groups())
    return Result(name, rps, p50, p99, errors, total)


def warm(base: str, token: str, people: int, workers: int) -> None:
    """Load every person's state into every worker: the steady state of a running shop.

    Batches of 1,000 go to whichever worker accepts the connection; sending each batch
    ``4 * workers`` times leaves a worker without it with probability below 1 in 10^4.
    """
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for _ in range(4 * workers):
        for first in range(0, people, 1000):
            questions = [
                {"subject": f"email:customer{i}@example.fr", "purpose": p, "categories": [c]}
                for i in range(first, min(first + 1000, people))
                for p, c in (("marketing", "contact"),)
            ]
            body = json.dumps({"questions": questions}).encode()
            request = urllib.request.Request(
                f"{base}/api/v1/decisions/batch", data=body, headers=headers, method="POST"
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=15, help="seconds per load (max 600)")
    parser.add_argument("--connections", type=int, default=8, help="for decisions")
    parser.add_argument(
        "--write-connections",
        type=int,
        default=16,
        help="for consent writes: more in flight means larger group commits",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    duration = min(args.duration, 600)
    master_key = base64.b64encode(os.urandom(32)).decode()
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp, database(args.database, Path(tmp)) as url:
        folder = Path(tmp)
        started = time.monotonic()
        token = seed(url, master_key, args.people)
        print(f"seeded {args.people} people in {time.monotonic() - started:.1f}s", flush=True)
        with server(url, master_key, folder, args.workers) as base:
            started = time.monotonic()
            warm(base, token, args.people, args.workers)
            print(f"warmed every worker's cache in {time.monotonic() - started:.1f}s", flush=True)
            loads = (
                ("decisions", "decisions.lua", args.connections),
                ("consent writes", "consents.lua", args.write_connections),
            )
            for name, script, connections in loads:
                result = wrk(
                    name, base, script, token, args.people, duration, connections, args.threads
                )
                results.append(result)
                print(json.dumps(result.__dict__), flush=True)
    print()
    print("| database | load | connections | req/s | p50 ms | p99 ms | requests | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r, (_, _, connections) in zip(results, loads, strict=True):
        print(
            f"| {args.database} | {r.name} | {connections} | {r.requests_per_second:,.0f} | "
            f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.requests:,} | {r.errors} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
