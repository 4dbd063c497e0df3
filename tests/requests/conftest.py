"""Fixtures of the request tests: the shop database on each engine, and its world."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.requests.world import World, create_shop, make_world


@pytest.fixture
def shop_url(sqlite_url: str, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    create_shop(url)
    return url


@pytest.fixture
def world(tmp_path: Path, shop_url: str) -> World:
    return make_world(tmp_path, shop_url)


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def any_shop_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The shop on each engine the request must work on."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shop.db'}"
    else:
        url = request.getfixturevalue(f"{request.param}_url")
    create_shop(url)
    return url
