"""A sweep running while another session writes: it never deletes a row that session made
recent, and the other session is never blocked for long (PostgreSQL page walk, MariaDB and
SQLite key walks alike)."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from gardien.datasets import parse_dataset
from gardien.retention import dataset_source, run_sweep
from tests.retention import world

ROWS = 6000
DATASET = """
gardien_dataset: 1
name: logs
url_env: LOGS_URL
tables:
  hits:
    erasure: delete_row
    retention: {rule: logs, event_column: at}
    columns:
      ip: {categories: [technical.ip_address]}
"""
OLD, RECENT = datetime(2020, 1, 1), datetime(2026, 5, 30)


@pytest.mark.parametrize("engine_name", ["postgres", "mariadb"])
def test_a_row_another_session_makes_recent_during_the_sweep_is_never_deleted(
    engine_name: str, request: pytest.FixtureRequest
) -> None:
    engine = sa.create_engine(request.getfixturevalue(f"{engine_name}_url"))
    with engine.begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE hits (id BIGINT PRIMARY KEY, ip VARCHAR(45), at TIMESTAMP)")
        )
        conn.execute(
            sa.text("INSERT INTO hits VALUES (:id, '10.0.0.1', :at)"),
            [{"id": i, "at": OLD if i % 2 else RECENT} for i in range(1, ROWS + 1)],
        )
    policy = world.policy()
    source = dataset_source(parse_dataset(DATASET, policy=policy), engine, policy, world.NOW)
    kept: set[int] = set()
    worst = 0.0
    done = threading.Event()

    def writer() -> None:
        nonlocal worst
        odd = list(range(1, ROWS + 1, 2))
        random.Random(5).shuffle(odd)
        with engine.connect() as conn:
            for row in odd:
                if done.is_set():
                    return
                began = time.perf_counter()
                with conn.begin():
                    changed = conn.execute(
                        sa.text("UPDATE hits SET at = :at WHERE id = :id"),
                        {"at": datetime.now(UTC).replace(tzinfo=None), "id": row},
                    ).rowcount
                worst = max(worst, time.perf_counter() - began)
                if changed:
                    kept.add(row)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        report = run_sweep([source], batch_size=100, workers=2)
    finally:
        done.set()
        thread.join()
    with engine.connect() as conn:
        left = {int(i) for i in conn.execute(sa.text("SELECT id FROM hits")).scalars()}
    # Every row made recent (and committed) is still there, and every row recent from the
    # start; every other expired row is gone: nothing wrongly deleted, nothing missed.
    assert left == kept | set(range(2, ROWS + 1, 2))
    assert report.table("hits").deleted == ROWS - len(left)
    assert kept, "the other session never wrote during the sweep"
    assert worst < 5.0  # never waited on the sweep for long
    engine.dispose()
