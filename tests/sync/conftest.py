"""Worlds for the multi-process tests: a migrated ledger database, a key, a policy.

SQLite (a file in ``tmp_path``) always; PostgreSQL and MariaDB (a fresh database per test) when
reachable, or failing under ``GARDIEN_REQUIRE_SERVICES=1`` (see ``tests/support/services.py``).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from gardien.storage import create_engine, upgrade
from tests.support.services import fresh_mariadb_database, fresh_postgres_database
from tests.sync.processes import World


def _world(url: str, folder: Path) -> World:
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return World(url, base64.b64encode(secrets.token_bytes(32)).decode(), folder)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "sqlite":
        yield _world(f"sqlite:///{tmp_path / 'ledger.db'}", tmp_path)
        return
    fresh = fresh_postgres_database if request.param == "postgres" else fresh_mariadb_database
    with fresh() as url:
        yield _world(url, tmp_path)


@pytest.fixture
def pg_world(tmp_path: Path) -> Iterator[World]:
    with fresh_postgres_database() as url:
        yield _world(url, tmp_path)


@pytest.fixture
def sqlite_world(tmp_path: Path) -> World:
    return _world(f"sqlite:///{tmp_path / 'ledger.db'}", tmp_path)
