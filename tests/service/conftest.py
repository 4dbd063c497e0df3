"""Fixtures of the service tests: a world on SQLite always, on PostgreSQL when asked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.world import World, build_world


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path) -> Iterator[World]:
    with build_world(sqlite_url, tmp_path) as built:
        yield built


@pytest.fixture
def pg_world(postgres_url: str, tmp_path: Path) -> Iterator[World]:
    with build_world(postgres_url, tmp_path) as built:
        yield built
