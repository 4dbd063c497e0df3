"""What the small worlds of several packages share: a database per test and a hand-moved clock.

``db_url`` runs each test on SQLite (always) and on the local PostgreSQL (skipped with a reason
when it is unreachable, failing under ``GARDIEN_REQUIRE_SERVICES=1``); each test has its own file
or database, so the tests run in parallel.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.services import fresh_postgres_database


class Clock:
    """A clock the test moves by hand, so that periods end without sleeping."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 1, 9, 30, tzinfo=UTC))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'gardien.db'}"
    else:
        with fresh_postgres_database() as url:
            yield url
