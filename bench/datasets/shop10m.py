"""Issue 4 benchmark: one person's access and erasure on a 10-million-row shop (PostgreSQL),
and 10,000 queued erasures run in set-based batches versus one by one.

    .venv/bin/python -m bench.datasets.shop10m                 # 10M rows, 10,000 erasures
    .venv/bin/python -m bench.datasets.shop10m --scale 0.1     # 1M rows, quicker

The shop is generated in the database with ``generate_series`` (no row crosses the network),
in a fresh database dropped at the end. "Database time" is the time spent in the driver's
execute calls (statement round trips), measured with SQLAlchemy cursor events; "wall" adds the
engine's own Python work. Half of the invoices are recent, so a 10-year legal hold keeps them.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from bench._common import fresh_postgres_database

from gardien.datasets import DatasetEngine, Subject, load_dataset
from gardien.policy import load_policy

HERE = Path(__file__).parent
TODAY = date(2026, 6, 1)

SCHEMA = """
CREATE TABLE address (id bigint PRIMARY KEY, street varchar(100) NOT NULL, city varchar(60));
CREATE TABLE customer (id bigint PRIMARY KEY, email varchar(120) NOT NULL UNIQUE,
  first_name varchar(40), last_name varchar(40) NOT NULL, phone varchar(20),
  address_id bigint REFERENCES address(id));
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customer(id),
  placed_at timestamp NOT NULL);
CREATE TABLE invoice (id bigint PRIMARY KEY,
  order_id bigint REFERENCES orders(id) ON DELETE SET NULL,
  customer_id bigint NOT NULL REFERENCES customer(id), billing_name varchar(80) NOT NULL,
  total numeric(10,2) NOT NULL, issued_on date NOT NULL);
CREATE TABLE order_line (id bigint PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  invoice_id bigint REFERENCES invoice(id), product varchar(60) NOT NULL);
CREATE TABLE ticket (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customer(id),
  message text);
"""


def fill(conn: sa.Connection, customers: int) -> dict[str, int]:
    """Rows per customer: 1 address, 4 orders, 3 invoices, 10 order lines, 1 ticket: 20."""
    c = customers
    statements = [
        f"INSERT INTO address SELECT g, g || ' rue du Bench', 'Paris' "
        f"FROM generate_series(1, {c}) g",
        f"INSERT INTO customer SELECT g, 'c' || g || '@example.fr', 'First' || g, 'Last' || g, "
        f"'+3360' || g, g FROM generate_series(1, {c}) g",
        f"INSERT INTO orders SELECT g, (g - 1) / 4 + 1, timestamp '2014-01-01' + "
        f"(g % 4000) * interval '1 day' FROM generate_series(1, {4 * c}) g",
        f"INSERT INTO invoice SELECT g, ((g - 1) / 3) * 4 + (g - 1) % 3 + 1, (g - 1) / 3 + 1, "
        f"'Name ' || ((g - 1) / 3 + 1), 10 + g % 90, date '2014-01-01' + (g % 4000) "
        f"FROM generate_series(1, {3 * c}) g",
        f"INSERT INTO order_line SELECT g, (g - 1) / 10 * 4 + ((g - 1) % 10) % 4 + 1, "
        f"CASE WHEN ((g - 1) % 10) % 4 < 3 THEN (g - 1) / 10 * 3 + ((g - 1) % 10) % 4 + 1 END, "
        f"'Product ' || g % 1000 FROM generate_series(1, {10 * c}) g",
        f"INSERT INTO ticket SELECT g, g, 'Bonjour' FROM generate_series(1, {c}) g",
        "CREATE INDEX ON customer (lower(email))",
        "CREATE INDEX ON orders (customer_id)",
        "CREATE INDEX ON invoice (customer_id)",
        "CREATE INDEX ON invoice (order_id)",
        "CREATE INDEX ON order_line (order_id)",
        "CREATE INDEX ON order_line (invoice_id)",
        "CREATE INDEX ON ticket (customer_id)",
        "CREATE INDEX ON customer (address_id)",
        "ANALYZE",
    ]
    for statement in statements:
        conn.execute(sa.text(statement))
    counts = {}
    for table in ("address", "customer", "orders", "invoice", "order_line", "ticket"):
        counts[table] = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    return counts


class DbClock:
    """Sums the time spent in cursor executions on an engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.total = 0.0
        self._start = 0.0
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *args: Any) -> None:
        self._start = time.perf_counter()

    def _after(self, *args: Any) -> None:
        self.total += time.perf_counter() - self._start


def timed(clock: DbClock, action: Callable[[], object]) -> tuple[float, float]:
    clock.total = 0.0
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000, clock.total * 1000


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 500,000 customers")
    parser.add_argument("--queued", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    customers = int(500_000 * args.scale)
    policy = load_policy(HERE.parents[1] / "examples" / "datasets" / "policy.yaml")
    dataset = load_dataset(HERE / "shop10m.yaml", policy)
    with fresh_postgres_database("bench_shop") as url:
        engine = sa.create_engine(url, pool_size=2)
        start = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(sa.text(SCHEMA))
            counts = fill(conn, customers)
        built = time.perf_counter() - start
        total = sum(counts.values())
        print(f"built {total:,} rows in {built:.1f} s: {counts}")
        gardien = DatasetEngine(dataset, engine, policy=policy, today=TODAY)
        clock = DbClock(engine)
        rng = random.Random(7)
        people = rng.sample(range(1, customers + 1), 2 * args.samples + 2 * args.queued)
        # Different people for access and erasure, so that neither finds the other's rows in
        # the cache: both are measured cold, as a request would be.
        probe, erased = people[: args.samples], people[args.samples : 2 * args.samples]
        rest = people[2 * args.samples :]
        one_by_one, batched = rest[: args.queued], rest[args.queued :]
        gardien.locate(Subject.of(customer_id="1"))  # reflect once, warm the pool

        def access(cid: int) -> None:
            with engine.connect() as conn:
                for table in gardien.extracts(conn, Subject.of(email=f"C{cid}@example.fr")):
                    for _ in table.rows:
                        pass

        access_times = [timed(clock, lambda c=c: access(c)) for c in probe]
        erase_times = [
            timed(clock, lambda c=c: gardien.erase([Subject.of(email=f"c{c}@example.fr")]))
            for c in erased
        ]
        start = time.perf_counter()
        for cid in one_by_one:
            gardien.erase([Subject.of(customer_id=str(cid))])
        single = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(0, len(batched), args.batch):
            gardien.erase([Subject.of(customer_id=[str(c) for c in batched[i : i + args.batch]])])
        batch = time.perf_counter() - start
        engine.dispose()

    def row(name: str, times: list[tuple[float, float]]) -> str:
        wall = [t[0] for t in times]
        db = [t[1] for t in times]
        return (
            f"| {name} | {statistics.median(db):.1f} ms | {pct(db, 0.99):.1f} ms | "
            f"{statistics.median(wall):.1f} ms | {pct(wall, 0.99):.1f} ms |"
        )

    print(f"\nPostgreSQL, {total:,} rows ({customers:,} customers), {len(probe)} people sampled\n")
    print("| one person | DB time p50 | DB time p99 | wall p50 | wall p99 |")
    print("|---|---|---|---|---|")
    print(row("access (find + stream every row)", access_times))
    print(row("erasure (plan + execute, one transaction)", erase_times))
    print(
        f"\n{args.queued:,} queued erasures: one by one {single:.1f} s "
        f"({single / args.queued * 1000:.1f} ms each); in batches of {args.batch:,} "
        f"{batch:.1f} s; **{single / batch:.0f}x faster**"
    )


if __name__ == "__main__":
    main()
