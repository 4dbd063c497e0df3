"""What a step record costs on PostgreSQL, written each way (issue 4).

    .venv/bin/python -m bench.requests.step_rows [--rows 1000]

On a fresh PostgreSQL database with Gardien's tables, writes ``--rows`` step records of the size
of a dataset step's result (about 1 KB of JSON), one ``executemany`` each way, and prints the
cost per row: a plain INSERT of new rows, ``INSERT … ON CONFLICT DO UPDATE`` of new rows and of
existing ones, a plain UPDATE of existing ones. A run writes its step records with the upsert
(``gardien.storage.upsert``); this shows it costs what the plain statements cost.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

REPO = Path(__file__).resolve().parents[2]
RESULT = {
    "plan": {
        "dataset": "shop",
        "tables": {
            name: {
                "counts": {"deleted": 1, "updated": 1, "unlinked": 0, "held": 0},
                "columns": ["email: mask", "last_ip: set_null", "name: mask"],
                "holds": [],
            }
            for name in ("customers", "orders", "reviews")
        },
    },
    "kept": [
        {
            "dataset": "shop",
            "table": "invoices",
            "hold": "invoices",
            "law": "Code de commerce L123-22",
            "title": "Invoices",
            "rows": 1,
            "until": "2035-12-31",
        }
    ],
}


def main() -> None:
    sys.path.insert(0, str(REPO))
    from bench._common import fresh_postgres_database, machine

    from gardien.requests.tables import request_steps, requests
    from gardien.storage import create_engine, upgrade

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    n = parser.parse_args().rows
    now = datetime.now(UTC)
    with fresh_postgres_database("gardien_bench_steps") as url:
        engine = create_engine(url)
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(
                requests.insert(),
                [
                    {
                        "ref": f"R-{i}",
                        "type": "erasure",
                        "channel": "email",
                        "status": "running",
                        "lang": "fr",
                        "subject_kind": "email",
                        "subject_digest": b"x" * 32,
                        "params": {},
                        "received_at": now,
                        "due_at": now,
                        "extended_months": 0,
                        "updated_at": now,
                    }
                    for i in range(3 * n)
                ],
            )
            ids = [r[0] for r in conn.execute(sa.select(requests.c.id).order_by(requests.c.id))]

        def rows(some: list[int]) -> list[dict[str, Any]]:
            return [
                {
                    "request_id": i,
                    "step": "dataset:shop",
                    "status": "done",
                    "result": RESULT,
                    "error": None,
                    "updated_at": now,
                }
                for i in some
            ]

        upsert = postgresql.insert(request_steps)
        upsert = upsert.on_conflict_do_update(
            index_elements=["request_id", "step"],
            set_={c: upsert.excluded[c] for c in ("status", "result", "error", "updated_at")},
        )
        update = (
            request_steps.update()
            .where(
                request_steps.c.request_id == sa.bindparam("_rid"),
                request_steps.c.step == sa.bindparam("_step"),
            )
            .values(status=sa.bindparam("_status"), result=sa.bindparam("_result"))
        )
        first, second = ids[:n], ids[n : 2 * n]
        cases = [
            ("INSERT, new rows", request_steps.insert(), rows(first)),
            ("INSERT … ON CONFLICT, new rows", upsert, rows(second)),
            ("INSERT … ON CONFLICT, existing rows", upsert, rows(second)),
            (
                "UPDATE, existing rows",
                update,
                [
                    {
                        "_rid": r["request_id"],
                        "_step": r["step"],
                        "_status": "done",
                        "_result": RESULT,
                    }
                    for r in rows(first)
                ],
            ),
        ]
        print(f"machine: {machine()}; {n} rows of about 1 KB of JSON, one executemany each")
        for label, statement, values in cases:
            started = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(statement, values)
            print(f"{label}: {(time.perf_counter() - started) / n * 1e6:.1f} µs a row")
        engine.dispose()


if __name__ == "__main__":
    main()
