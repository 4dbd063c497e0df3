"""A mask that cannot fit is refused before the first batch: nothing changes, in any table."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from gardien.datasets import MaskDoesNotFitError, parse_dataset
from gardien.retention import SweepSource, dataset_source, plan_retention, run_sweep
from tests.retention import world

CLUB = """
gardien_dataset: 1
name: club
url_env: CLUB_URL
tables:
  visit:
    erasure: delete_row
    retention: {rule: logs, event_column: at}
    columns:
      ip: {categories: [technical.ip_address]}
  member:
    retention: {rule: prospects, event_column: last_seen}
    columns:
      email: {categories: [contact.email], identity: email, erasure: mask}
"""
OLD, RECENT = datetime(2015, 1, 1), datetime(2026, 5, 1)


def _build(url: str, members: list[tuple[int, datetime]]) -> sa.Engine:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE visit (id INTEGER PRIMARY KEY, ip VARCHAR(45), at TIMESTAMP)")
        )
        conn.execute(
            sa.text(
                "CREATE TABLE member (id BIGINT PRIMARY KEY, "
                "email VARCHAR(24) NOT NULL, last_seen TIMESTAMP, "
                # A table constraint: the scan does not see an inline UNIQUE on SQLite.
                "CONSTRAINT uq_member_email UNIQUE (email))"
            )
        )
        conn.execute(
            sa.text("INSERT INTO visit VALUES (:id, '10.0.0.1', :at)"),
            [{"id": 1, "at": OLD}, {"id": 2, "at": RECENT}],
        )
        conn.execute(
            sa.text("INSERT INTO member VALUES (:id, :email, :seen)"),
            [{"id": i, "email": f"m{i % 1000}@example.fr", "seen": seen} for i, seen in members],
        )
    return engine


def _source(engine: sa.Engine) -> SweepSource:
    policy = world.policy()
    return dataset_source(parse_dataset(CLUB, policy=policy), engine, policy, world.NOW)


def _rows(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in ("visit", "member")
        }


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def test_a_per_row_mask_longer_than_its_column_stops_the_sweep_before_any_batch(
    url: str,
) -> None:
    # "erased-4000000000@invalid" is 25 characters; the column holds 24.
    engine = _build(url, [(2, OLD), (4_000_000_000, OLD)])
    before = _rows(engine)
    with pytest.raises(MaskDoesNotFitError) as refused:
        run_sweep([_source(engine)], batch_size=1)
    assert "member" in str(refused.value)
    assert "email" in str(refused.value)
    assert "25 characters" in str(refused.value)
    assert _rows(engine) == before  # not even the expired visit, swept first, is gone
    with pytest.raises(MaskDoesNotFitError):
        plan_retention([_source(engine)])
    engine.dispose()


def test_a_long_key_on_a_row_the_sweep_does_not_touch_is_no_obstacle(url: str) -> None:
    engine = _build(url, [(2, OLD), (4_000_000_000, RECENT)])
    report = run_sweep([_source(engine)], batch_size=1)
    assert report.table("member").anonymised == 1
    assert report.table("visit").deleted == 1
    emails = dict(_rows(engine)["member"][i][:2] for i in range(2))
    assert emails == {2: "erased-2@invalid", 4_000_000_000: "m0@example.fr"}
    engine.dispose()
