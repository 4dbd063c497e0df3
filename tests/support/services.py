"""Real PostgreSQL and MariaDB for tests, one fresh database per test.

On a machine without these services the tests that need them skip with a reason; with
``GARDIEN_REQUIRE_SERVICES=1`` (set by ``.ci/run``) a missing service is a failure instead, so
CI always exercises them.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

POSTGRES_ADMIN_URL = os.environ.get(
    "GARDIEN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN_URL = os.environ.get(
    "GARDIEN_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)


def services_required() -> bool:
    return os.environ.get("GARDIEN_REQUIRE_SERVICES") == "1"


def unavailable(service: str, reason: str) -> None:
    """Skip, or fail when CI requires every service."""
    message = f"{service} unavailable: {reason}"
    if services_required():
        pytest.fail(message + " (GARDIEN_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def unique_name(prefix: str = "gt") -> str:
    """A database name unique to this test, safe on every engine."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "test").split("::")[-1].split(" ")[0]
    slug = re.sub(r"[^a-z0-9]+", "_", test.lower())[:30]
    return f"{prefix}_{slug}_{uuid.uuid4().hex[:8]}"


def _probe(url: str) -> str | None:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any driver error means: not reachable here
        return str(exc).splitlines()[0]
    finally:
        engine.dispose()
    return None


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create a PostgreSQL database for one test and drop it afterwards; yields its URL."""
    problem = _probe(POSTGRES_ADMIN_URL)
    if problem:
        unavailable("PostgreSQL", problem)
    name = unique_name()
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_mariadb_database() -> Iterator[str]:
    """Create a MariaDB database for one test and drop it afterwards; yields its URL."""
    problem = _probe(MARIADB_ADMIN_URL)
    if problem:
        unavailable("MariaDB", problem)
    name = unique_name()
    admin = sa.create_engine(MARIADB_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    url = sa.make_url(MARIADB_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()
