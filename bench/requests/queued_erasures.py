"""Issue 4, last point: N queued erasure REQUESTS run as set-based batches versus one by one.

    .venv/bin/python -m bench.requests.queued_erasures --requests 10000 [--sample 200]
        [--store sqlite|postgresql] [--files-in /dev/shm]

A PostgreSQL shop (the request tests' schema: customers, orders, invoices under a 10-year
hold, reviews) holds 2*N customers, each with two orders, an invoice and a review; N of them
ask for erasure (identity confirmed). One copy runs the N requests with ``run_erasures``
(batches of 1000); another runs ``--sample`` of them one by one with ``run``, and the one-by-one
time for N is extrapolated from that sample (said in the output). The two alternate in
``--rounds`` rounds (a fifth of the batched requests, then a fifth of the sample), so that a
slow minute of the disk weighs on both sides.
Both time the whole request (datasets, ledger, vault shred, art. 19 step, every step record
and audit entry, the closing, the answer e-mail), not only the dataset engine. An erasure's
report is not part of a run (it is rendered from the recorded steps when asked for): what one
costs, JSON and HTML, is measured apart on the sample and printed. Gardien's own database
(requests, steps, audit trail, ledger, vault) is SQLite, the default, or with ``--store
postgresql`` a fresh PostgreSQL database on the same server, as in production.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from bench._common import machine
from tests.requests.world import SHOP_DDL, make_world

from gardien.requests import erasure_report, run
from gardien.requests.batch import run_erasures
from gardien.requests.erasure import report_html

PG = os.environ.get("GARDIEN_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/")


INDEXES = (
    "CREATE INDEX ON customers (lower(email))",
    "CREATE INDEX ON orders (customer_id)",
    "CREATE INDEX ON invoices (order_id)",
    "CREATE INDEX ON reviews (customer_id)",
)


def make_shop(customers: int) -> str:
    url = make_empty()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for ddl in SHOP_DDL:
            conn.execute(sa.text(ddl))
        conn.execute(
            sa.text(
                "INSERT INTO customers SELECT g, 'c' || g || '@example.fr', 'Name ' || g,"
                " '06' || g, true, '192.0.2.1' FROM generate_series(1, :n) g"
            ),
            {"n": customers},
        )
        conn.execute(
            sa.text(
                "INSERT INTO orders SELECT g * 10 + k, g, DATE '2025-03-02' + k,"
                " 'addr ' || g, 10 FROM generate_series(1, :n) g, generate_series(0, 1) k"
            ),
            {"n": customers},
        )
        conn.execute(
            sa.text(
                "INSERT INTO invoices SELECT g, g * 10, DATE '2025-03-02', 'Name ' || g, 10"
                " FROM generate_series(1, :n) g"
            ),
            {"n": customers},
        )
        conn.execute(
            sa.text("INSERT INTO reviews SELECT g, g, 'fine' FROM generate_series(1, :n) g"),
            {"n": customers},
        )
        # What a shop has: its lookups indexed (the identity, case-insensitive, and each link).
        for index in INDEXES:
            conn.execute(sa.text(index))
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    return url


def make_empty() -> str:
    """A fresh, empty PostgreSQL database (the shop's, or Gardien's own with ``--store``)."""
    name = f"bench_q_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return PG + name


def drop(url: str) -> None:
    admin = sa.create_engine(PG + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))
    admin.dispose()


def queued(
    folder: Path, url: str, count: int, store: str | None = None
) -> tuple[object, list[str]]:
    folder.mkdir()
    world = make_world(folder, url, ledger_url=store)
    refs = []
    for i in range(1, count + 1):
        ref = world.workflow.receive("erasure", f"email:c{i}@example.fr", "email").ref
        world.workflow.confirm_identity(ref, "bench")
        refs.append(ref)
    return world, refs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="the batched requests and the sample alternate in this many rounds",
    )
    parser.add_argument(
        "--store",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="Gardien's own database (the organisation's shop is always PostgreSQL)",
    )
    parser.add_argument(
        "--files-in",
        default=None,
        help="where the requests' reports, the outbox and the vault journal are written (and,"
        " with the SQLite store, Gardien's database); default: the system's temporary folder",
    )
    args = parser.parse_args()
    for name in ("requests", "sample", "batch_size", "rounds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    n, sample = args.requests, min(args.sample, args.requests)
    urls = [make_shop(2 * n), make_shop(2 * n)]
    stores: list[str | None] = [None, None]
    try:
        if args.store == "postgresql":
            stores = [make_empty(), make_empty()]
        with tempfile.TemporaryDirectory(dir=args.files_in) as tmp:
            batched, refs = queued(Path(tmp) / "batch", urls[0], n, stores[0])
            alone, alone_refs = queued(Path(tmp) / "alone", urls[1], sample, stores[1])
            before = os.getloadavg()
            # Interleaved: each batch is followed by its share of the one-by-one sample, so
            # that the disk's and the machine's slow minutes weigh on both sides alike.
            rounds = max(1, min(args.rounds, n // args.batch_size))
            batch_s = alone_s = 0.0
            done = 0
            for k in range(rounds):
                part = refs[k * n // rounds : (k + 1) * n // rounds]
                start = time.perf_counter()
                result = run_erasures(batched.workflow, part, batch_size=args.batch_size)  # type: ignore[attr-defined]
                batch_s += time.perf_counter() - start
                done += sum(1 for r in result.results if not r.left)
                start = time.perf_counter()
                for ref in alone_refs[k * sample // rounds : (k + 1) * sample // rounds]:
                    run(alone.workflow, ref)  # type: ignore[attr-defined]
                alone_s += time.perf_counter() - start
            alone_s *= n / sample
            start = time.perf_counter()
            for ref in alone_refs:
                request, data = erasure_report(alone.workflow, ref)  # type: ignore[attr-defined]
                report_html(alone.workflow, request, data)  # type: ignore[attr-defined]
            report_ms = (time.perf_counter() - start) / len(alone_refs) * 1000
        load = os.getloadavg()
        print(f"machine: {machine()}; load average before {before[0]:.2f} {before[1]:.2f}")
        print(
            f"Gardien's own database: {args.store}; the shop: PostgreSQL; "
            f"files in {args.files_in or tempfile.gettempdir()}"
        )
        print(
            f"requests: {n}, batch size {args.batch_size}, completed in batches: {done}; "
            f"{rounds} rounds of {n // rounds} batched requests then {sample // rounds} of the "
            "one-by-one sample"
        )
        print(f"batched: {batch_s:.1f} s ({batch_s / n * 1000:.2f} ms per request)")
        print(
            f"one by one: {alone_s:.1f} s extrapolated from {sample} requests "
            f"({alone_s / n * 1000:.2f} ms per request)"
        )
        print(f"speed-up: {alone_s / batch_s:.1f}x; load average {load[0]:.2f} {load[1]:.2f}")
        print(
            f"an erasure's report when asked for (read, JSON and HTML, not part of a run): "
            f"{report_ms:.2f} ms"
        )
    finally:
        for url in urls + [s for s in stores if s is not None]:
            drop(url)


if __name__ == "__main__":
    main()
