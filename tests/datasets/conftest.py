"""The shop fixture on every engine: SQLite always, PostgreSQL and MariaDB when reachable."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gardien.datasets import DatasetEngine, load_dataset
from gardien.policy import load_policy
from gardien.policy.model import Policy
from tests.datasets.shop import FIXTURES, TODAY, build_shop

ENGINES = ["sqlite", "postgres", "mariadb"]


@pytest.fixture(params=ENGINES)
def db_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def shop_policy() -> Policy:
    return load_policy(FIXTURES / "shop-policy.yaml")


@pytest.fixture
def shop(db_url: str, shop_policy: Policy) -> DatasetEngine:
    engine: sa.Engine = build_shop(db_url)
    dataset = load_dataset(FIXTURES / "shop.yaml", shop_policy)
    yield DatasetEngine(dataset, engine, policy=shop_policy, hash_key=b"k" * 32, today=TODAY)
    engine.dispose()
