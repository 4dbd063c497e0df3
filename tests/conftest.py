"""Fixtures shared by every test package.

``db_url`` is parametrised over the engines the code must work on: SQLite always, and the local
PostgreSQL and MariaDB (see ``tests/support/services.py`` for the skip/fail rule).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.services import fresh_mariadb_database, fresh_postgres_database

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    with fresh_mariadb_database() as url:
        yield url
