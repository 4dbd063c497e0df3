"""Retention sweep vs a hand-written DELETE on a 10-million-row PostgreSQL table (issue 5).

Two identical tables are generated with ``generate_series``: half the rows are past a one-year
retention period (interleaved with recent ones, as in a real log table). In one run:

1. ``DELETE FROM events_plain WHERE ts < cutoff`` (one statement, one transaction);
2. ``gardien`` sweeps ``events_swept`` through the library (bounded batches over page ranges,
   no row locks before the change, one short asynchronously committed transaction per batch,
   a WAL flush point before the audit entries);

while another session keeps inserting and updating rows of the table being cleaned. The writer's
writes/s and its worst latency show whether it was blocked.

    .venv/bin/python -m bench.retention.bench [--rows 10000000] [--batch 100000] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from gardien.datasets import parse_dataset
from gardien.policy.loader import parse_policy
from gardien.retention import DEFAULT_WORKERS, dataset_source, run_sweep

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB = "gardien_bench_retention"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
POLICY = """
gardien: 1
version: "1"
effective_date: 2026-01-01
controller:
  name: Bench
  address: {street: 1 rue, city: Paris}
data_subjects: [{id: users, label: {fr: Utilisateurs}}]
categories: [{id: technical}]
retention: [{id: logs, duration: P1Y, from: collection}]
purposes:
  - id: security
    title: {fr: Sécurité}
    categories: [technical]
    legal_bases: [{basis: legal_obligation, law: LCEN}]
    retention: logs
"""
DATASET = """
gardien_dataset: 1
name: bench
url_env: BENCH_URL
tables:
  events_swept:
    erasure: delete_row
    retention: {rule: logs, event_column: ts}
    columns:
      ip: {categories: [technical.ip_address]}
"""


@dataclass
class WriterStats:
    writes: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        if not self.latencies:
            return "no writes"
        lat = sorted(self.latencies)
        p99 = lat[int(len(lat) * 0.99) - 1] if len(lat) >= 100 else lat[-1]
        return (
            f"{self.writes / self.seconds:.0f} writes/s, median "
            f"{statistics.median(lat) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"max {lat[-1] * 1000:.1f} ms"
        )


def writer(url: str, table: str, rows: int, stop: threading.Event, stats: WriterStats) -> None:
    """Another session: one insert (a new row) and one update (any row) per transaction."""
    engine = sa.create_engine(url)
    next_id = rows + 1 + random.randrange(10**9)
    start = time.perf_counter()
    with engine.connect() as conn:
        while not stop.is_set():
            began = time.perf_counter()
            with conn.begin():
                conn.execute(
                    sa.text(f"INSERT INTO {table} VALUES (:id, :ip, now()::timestamp)"),
                    {"id": next_id, "ip": "10.9.9.9"},
                )
                conn.execute(
                    sa.text(f"UPDATE {table} SET ip = '10.8.8.8' WHERE id = :id"),
                    {"id": random.randrange(1, rows)},
                )
            stats.latencies.append(time.perf_counter() - began)
            stats.writes += 2
            next_id += 1
    stats.seconds = time.perf_counter() - start
    engine.dispose()


def setup(url: str, rows: int) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE events_swept (id bigint PRIMARY KEY, ip varchar(45) NOT NULL, "
                "ts timestamp NOT NULL)"
            )
        )
        # Odd ids are recent, even ids two years old: half the table is past its period.
        conn.execute(
            sa.text(
                "INSERT INTO events_swept SELECT g, "
                "'10.0.' || (g % 256) || '.' || (g / 256 % 256), "
                "timestamp '2026-05-01' - (g % 2) * interval '2 years' - (g % 86400) * interval "
                "'1 second' FROM generate_series(1, :rows) g"
            ),
            {"rows": rows},
        )
        conn.execute(sa.text("CREATE INDEX ON events_swept (ts)"))
        conn.execute(sa.text("CREATE TABLE events_plain (LIKE events_swept INCLUDING ALL)"))
        conn.execute(sa.text("INSERT INTO events_plain SELECT * FROM events_swept"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE events_swept"))
        conn.execute(sa.text("VACUUM ANALYZE events_plain"))
        conn.execute(sa.text("CHECKPOINT"))
    engine.dispose()


def timed_with_writer(url: str, table: str, rows: int, work: object) -> tuple[float, WriterStats]:
    checkpoint = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with checkpoint.connect() as conn:  # both phases start from the same WAL state
        conn.execute(sa.text("CHECKPOINT"))
    checkpoint.dispose()
    stop, stats = threading.Event(), WriterStats()
    thread = threading.Thread(target=writer, args=(url, table, rows, stop, stats))
    thread.start()
    time.sleep(1.0)
    began = time.perf_counter()
    work()  # type: ignore[operator]
    elapsed = time.perf_counter() - began
    time.sleep(1.0)
    stop.set()
    thread.join()
    return elapsed, stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{DB}"'))
    url = sa.make_url(ADMIN).set(database=DB).render_as_string(hide_password=False)
    try:
        began = time.perf_counter()
        setup(url, args.rows)
        print(f"setup: {args.rows:,} rows x 2 tables in {time.perf_counter() - began:.0f} s")
        engine = sa.create_engine(url)
        policy = parse_policy(POLICY)
        source = dataset_source(parse_dataset(DATASET, policy=policy), engine, policy, NOW)
        cutoff = source.targets[0].cutoff
        deleted: list[int] = []

        def plain() -> None:
            with engine.begin() as conn:
                deleted.append(
                    conn.execute(
                        sa.text("DELETE FROM events_plain WHERE ts < :cutoff"), {"cutoff": cutoff}
                    ).rowcount
                )

        reports = []
        proofs: list[object] = []

        def sweep() -> None:
            # Recording the batch entries in memory still exercises the flush points.
            reports.append(
                run_sweep(
                    [source], batch_size=args.batch, record=proofs.append, workers=args.workers
                )
            )

        plain_s, plain_w = timed_with_writer(url, "events_plain", args.rows, plain)
        sweep_s, sweep_w = timed_with_writer(url, "events_swept", args.rows, sweep)
        swept = reports[0].table("events_swept")
        print(
            f"plain DELETE: {deleted[0]:,} rows in {plain_s:.2f} s "
            f"({deleted[0] / plain_s:,.0f} rows/s); writer: {plain_w.summary()}"
        )
        print(
            f"gardien sweep (batch {args.batch:,}, {args.workers} worker(s)): "
            f"{swept.deleted:,} rows in {sweep_s:.2f} s "
            f"({swept.deleted / sweep_s:,.0f} rows/s, {swept.batches} batches); "
            f"writer: {sweep_w.summary()}"
        )
        print(
            f"sweep speed / plain DELETE speed: {plain_s / sweep_s:.2f}x "
            f"(target >= 0.8x); complete: {swept.complete}"
        )
        print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        engine.dispose()
    finally:
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
