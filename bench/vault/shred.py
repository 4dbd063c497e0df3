"""Crypto-shredding one person costs the same with 10 or 100,000 vault items (issue 5).

    .venv/bin/python -m bench.vault.shred                  # SQLite
    .venv/bin/python -m bench.vault.shred --postgres       # and the local PostgreSQL
    .venv/bin/python -m bench.vault.shred --large 20000    # quicker

Each engine gets a fresh database (a temporary SQLite file; a new PostgreSQL database, dropped
at the end) and a fresh key file and shred journal. People with ``--small`` items and people with
``--large`` items are shredded alternately, in one run, so that both sizes see the same machine
state; each shred is timed end to end (journal append with fsync, the UPDATE, the audit entry,
the commit). Prints a Markdown table with the medians and their ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench._common import fresh_postgres_database, machine

from gardien.storage import create_engine, upgrade
from gardien.vault import (
    ItemKind,
    KeyFileProvider,
    ShredJournal,
    Vault,
    create_key_file,
    journal_path_for,
    key_rows,
    person_owner,
)

PG_ADMIN = os.environ.get(
    "GARDIEN_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1/postgres"
)
CHUNK = 5000
MESSAGE = b"Bonjour, ma commande 4711 n'est pas arrivee; pouvez-vous verifier ? " * 3


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    with fresh_postgres_database("gardien_bench_vault", PG_ADMIN) as url:
        yield url


def fill(vault: Vault, owner: str, count: int) -> None:
    for start in range(0, count, CHUNK):
        vault.put_many(owner, ItemKind.SUPPORT_MESSAGE, [MESSAGE] * min(CHUNK, count - start))


def now() -> datetime:
    return datetime.now(UTC)


def run(kind: str, small: int, large: int, people: int, repeats: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url:
        key_file = Path(folder) / "gardien.key"
        create_key_file(key_file)
        provider = KeyFileProvider(key_file)
        engine = create_engine(url)
        upgrade(engine)
        vault = Vault(engine, provider, ShredJournal(journal_path_for(key_file, None), provider))
        started = time.perf_counter()
        owners: dict[str, list[str]] = {"small": [], "large": []}
        for size, count in (("small", small), ("large", large)):
            for index in range(people):
                owner = person_owner(f"{size}{index:04d}{uuid.uuid4().hex[:8]}")
                fill(vault, owner, count)
                owners[size].append(owner)
        filled = time.perf_counter() - started
        timings: dict[str, list[float]] = {"small": [], "large": []}
        statement: dict[str, list[float]] = {"small": [], "large": []}
        for _ in range(repeats):  # the destroying statement alone, rolled back: repeatable
            for size in ("small", "large"):
                for owner in owners[size]:
                    with engine.connect() as conn, conn.begin() as transaction:
                        before = time.perf_counter()
                        key_rows.destroy(conn, owner, provider.current().key_id, now())
                        statement[size].append(time.perf_counter() - before)
                        transaction.rollback()
        for index in range(people):
            for size in ("small", "large"):
                before = time.perf_counter()
                vault.shred(owners[size][index])
                timings[size].append(time.perf_counter() - before)
        engine.dispose()
    small_ms = statistics.median(timings["small"]) * 1000
    large_ms = statistics.median(timings["large"]) * 1000
    return {
        "engine": kind,
        "items": f"{small:,} vs {large:,}",
        "people": people,
        "fill_s": filled,
        "small_ms": small_ms,
        "large_ms": large_ms,
        "small_max": max(timings["small"]) * 1000,
        "large_max": max(timings["large"]) * 1000,
        "ratio": large_ms / small_ms,
        "stmt_small_ms": statistics.median(statement["small"]) * 1000,
        "stmt_large_ms": statistics.median(statement["large"]) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=5, help="people of each size")
    parser.add_argument("--repeats", type=int, default=50, help="rolled-back statement runs")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.postgres else ["sqlite"]
    print(f"machine: {machine()}")
    print(
        "| engine | items per person | people each | shred median (small) | "
        "shred median (large) | max small / large | large / small | "
        "statement alone small / large (rolled back) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for kind in kinds:
        r = run(kind, args.small, args.large, args.people, args.repeats)
        print(
            f"| {r['engine']} | {r['items']} | {r['people']} | {r['small_ms']:.2f} ms | "
            f"{r['large_ms']:.2f} ms | {r['small_max']:.2f} / {r['large_max']:.2f} ms | "
            f"**{r['ratio']:.2f}×** | {r['stmt_small_ms']:.3f} / {r['stmt_large_ms']:.3f} ms "
            f"({r['stmt_large_ms'] / r['stmt_small_ms']:.2f}×) |"
        )


if __name__ == "__main__":
    main()
