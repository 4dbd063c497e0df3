"""SQLite leaves foreign keys off by default: erasure must not rely on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gardien.datasets import DatasetEngine, Subject, load_dataset
from gardien.policy import load_policy
from tests.datasets.shop import FIXTURES, TODAY, build_shop, snapshot


def erased_shop(path: Path, foreign_keys: bool) -> sa.Engine:
    engine = build_shop(f"sqlite:///{path}")
    if foreign_keys:

        @sa.event.listens_for(engine, "connect")
        def _on(dbapi: Any, record: Any) -> None:
            dbapi.execute("PRAGMA foreign_keys = ON")

        engine.dispose()
    policy = load_policy(FIXTURES / "shop-policy.yaml")
    DatasetEngine(
        load_dataset(FIXTURES / "shop.yaml", policy), engine, policy=policy, today=TODAY
    ).erase([Subject.of(email="alice@example.fr")])
    return engine


def test_sqlite_with_foreign_keys_off_ends_like_with_them_on(tmp_path: Path) -> None:
    off = erased_shop(tmp_path / "off.db", foreign_keys=False)
    on = erased_shop(tmp_path / "on.db", foreign_keys=True)
    assert snapshot(off) == snapshot(on)
    with off.connect() as conn:
        # The held invoice still points at its order and its customer: nothing orphaned.
        row = conn.execute(
            sa.text(
                "SELECT o.id, c.id FROM invoice i JOIN orders o ON o.id = i.order_id "
                "JOIN customer c ON c.id = i.customer_id WHERE i.id = 5000"
            )
        ).one()
        assert tuple(row) == (1000, 1)
        assert conn.execute(sa.text("PRAGMA foreign_key_check")).all() == []
