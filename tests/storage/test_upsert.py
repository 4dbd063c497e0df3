"""``storage.upsert``: one statement inserts new rows and replaces those already there, on each
database Gardien's own tables may live on (SQLite, PostgreSQL, MariaDB)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.errors import ConfigurationError
from gardien.storage.upsert import upsert
from tests.support.services import fresh_database

metadata = sa.MetaData()
steps = sa.Table(
    "upsert_steps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.Integer, nullable=False),
    sa.Column("step", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("result", sa.JSON, nullable=True),
    sa.UniqueConstraint("request_id", "step"),
)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    with fresh_database(request.param, tmp_path, "upsert") as url:
        engine = sa.create_engine(url)
        metadata.create_all(engine)
        yield engine
        engine.dispose()


def _rows(engine: sa.Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(
                    steps.c.request_id, steps.c.step, steps.c.status, steps.c.result
                ).order_by(steps.c.request_id, steps.c.step)
            )
        ]


def test_new_rows_are_inserted_and_existing_ones_replaced_in_one_run(engine: sa.Engine) -> None:
    replace = ("status", "result")
    with engine.begin() as conn:
        conn.execute(
            upsert(conn, steps, ("request_id", "step"), replace),
            [
                {"request_id": 1, "step": "dataset:shop", "status": "planned", "result": {"n": 1}},
                {"request_id": 2, "step": "dataset:shop", "status": "planned", "result": None},
            ],
        )
    with engine.begin() as conn:
        conn.execute(
            upsert(conn, steps, ("request_id", "step"), replace),
            [
                {"request_id": 1, "step": "dataset:shop", "status": "done", "result": {"n": 2}},
                {"request_id": 1, "step": "ledger:erasure", "status": "done", "result": {}},
            ],
        )

    assert _rows(engine) == [
        (1, "dataset:shop", "done", {"n": 2}),
        (1, "ledger:erasure", "done", {}),
        (2, "dataset:shop", "planned", None),
    ]


def test_an_unknown_database_is_refused_with_what_is_supported() -> None:
    class _Dialect:
        name = "oracle"

    class _Conn:
        dialect = _Dialect()

    with pytest.raises(ConfigurationError, match="SQLite, PostgreSQL or MariaDB"):
        upsert(_Conn(), steps, ("request_id", "step"), ("status",))  # type: ignore[arg-type]
