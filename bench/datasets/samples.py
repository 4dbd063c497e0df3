"""Issue 8 benchmark: access and erasure latency on the four sample databases, and the batched
erasure of every customer of a database versus one by one; also the scan's accuracy.

    .venv/bin/python -m bench.datasets.samples            # all, prints Markdown tables

Each database is loaded twice with ``/work/shared/sample-dbs/load.sh`` under fresh prefixes
(one copy erased one by one, one in a single batch) and dropped at the end. Sakila is measured
as of 2010-01-01 so that its 2005 payments are under their 10-year hold, like the others.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from gardien.datasets import DatasetEngine, Subject, load_dataset, parse_dataset
from gardien.datasets.binding import bind, schemas_of
from gardien.datasets.scan import compare, draft, render
from gardien.datasets.schema import reflect
from gardien.policy import load_policy

ROOT = Path(__file__).resolve().parents[2]
LOAD = Path(os.environ.get("GARDIEN_SAMPLE_DBS", "/work/shared/sample-dbs")) / "load.sh"
PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
MY = "mysql+pymysql://root@127.0.0.1:3306/"


@dataclass(frozen=True)
class Case:
    name: str
    declaration: str
    url: Callable[[str, Path], str]
    today: date
    customers: str


CASES = [
    Case(
        "Pagila (PostgreSQL)",
        "pagila.yaml",
        lambda p, d: f"{PG}{p}pagila",
        date(2026, 6, 1),
        "SELECT customer_id FROM customer",
    ),
    Case(
        "Sakila (MariaDB)",
        "sakila.yaml",
        lambda p, d: f"{MY}{p}sakila",
        date(2010, 1, 1),
        "SELECT customer_id FROM customer",
    ),
    Case(
        "Chinook (PostgreSQL)",
        "chinook.yaml",
        lambda p, d: f"{PG}{p}chinook",
        date(2026, 6, 1),
        "SELECT customer_id FROM customer",
    ),
    Case(
        "Chinook (SQLite)",
        "chinook-sqlite.yaml",
        lambda p, d: f"sqlite:///{d / (p + 'chinook.sqlite')}",
        date(2026, 6, 1),
        'SELECT "CustomerId" FROM "Customer"',
    ),
    Case(
        "Fides sample (PostgreSQL)",
        "fides_sample.yaml",
        lambda p, d: f"{PG}{p}fides_sample",
        date(2026, 6, 1),
        "SELECT id FROM customer",
    ),
]


def load(prefix: str, directory: Path) -> None:
    env = {**os.environ, "PREFIX": prefix, "SQLITE_DIR": str(directory)}
    subprocess.run([str(LOAD)], env=env, check=True, capture_output=True)


def drop(prefix: str) -> None:
    admin = sa.create_engine(PG + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for db in ("pagila", "chinook", "fides_sample"):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{prefix}{db}" WITH (FORCE)'))
    admin.dispose()
    admin = sa.create_engine(MY + "test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{prefix}sakila`"))
    admin.dispose()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    policy = load_policy(ROOT / "examples" / "datasets" / "policy.yaml")
    one, many = f"bs{uuid.uuid4().hex[:6]}_", f"bb{uuid.uuid4().hex[:6]}_"
    latency, batching, accuracy = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        load(one, directory)
        load(many, directory)
        try:
            for case in CASES:
                dataset = load_dataset(ROOT / "examples" / "datasets" / case.declaration, policy)
                single_db = sa.create_engine(case.url(one, directory))
                batch_db = sa.create_engine(case.url(many, directory))
                single = DatasetEngine(dataset, single_db, policy=policy, today=case.today)
                batch = DatasetEngine(dataset, batch_db, policy=policy, today=case.today)
                with single_db.connect() as conn:
                    ids = [str(r[0]) for r in conn.execute(sa.text(case.customers))]
                    live = reflect(conn, schemas_of(dataset))
                    scanned_schema = reflect(conn, [None])  # what `datasets scan URL` reads
                    final = single.bound(conn)
                text = render(draft(scanned_schema), scanned_schema, "draft", "DRAFT_URL")
                scanned = parse_dataset(text)
                accuracy.append((case.name, compare(bind(scanned, live), final)))
                sample = random.Random(1).sample(ids, min(100, len(ids)))
                zip_path = directory / "a.zip"
                access = [
                    ms(lambda c=c, e=single, z=zip_path: e.access(Subject.of(customer_id=c), z))
                    for c in sample
                ]
                start = time.perf_counter()
                erase = []
                for c in sample + [i for i in ids if i not in set(sample)]:
                    t = ms(lambda c=c, e=single: e.erase([Subject.of(customer_id=c)]))
                    if len(erase) < len(sample):
                        erase.append(t)
                one_by_one = time.perf_counter() - start
                with batch_db.connect() as conn:
                    batch.bound(conn)  # reflect before timing, as `single` was by now
                start = time.perf_counter()
                batch.erase([Subject.of(customer_id=ids)])
                batched = time.perf_counter() - start
                latency.append((case.name, len(sample), access, erase))
                batching.append((case.name, len(ids), one_by_one, batched))
                single_db.dispose()
                batch_db.dispose()
        finally:
            drop(one)
            drop(many)
    print("| database | customers sampled | access p50 | access p99 | erasure p50 | erasure p99 |")
    print("|---|---|---|---|---|---|")
    for name, n, access, erase in latency:
        print(
            f"| {name} | {n} | {statistics.median(access):.1f} ms | {pct(access, 0.99):.1f} ms "
            f"| {statistics.median(erase):.1f} ms | {pct(erase, 0.99):.1f} ms |"
        )
    print("\n| database | customers | one by one | one batch | speed-up |")
    print("|---|---|---|---|---|")
    for name, n, single_s, batch_s in batching:
        print(
            f"| {name} | {n} | {single_s * 1000:,.0f} ms | {batch_s * 1000:,.0f} ms | "
            f"{single_s / batch_s:.1f}x |"
        )
    print(
        "\n| database | links found / needed | personal columns classified right | missed | wrong |"
    )
    print("|---|---|---|---|---|")
    for name, acc in accuracy:
        print(
            f"| {name} | {acc.links_found} / {acc.links_needed} | {acc.columns_right} / "
            f"{acc.columns_personal} | {', '.join(acc.columns_missed) or '-'} | "
            f"{', '.join(acc.columns_wrong) or '-'} |"
        )
        if acc.links_missed:
            print(f"|  links missed: {'; '.join(acc.links_missed)} | | | | |")


if __name__ == "__main__":
    main()
