"""Real PostgreSQL and MariaDB for tests, one fresh database per test.

On a machine without these services the tests that need them skip with a reason; with
``GARDIEN_REQUIRE_SERVICES=1`` (set by ``.ci/run``) a missing service is a failure instead, so
CI always exercises them.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
def _fresh_database(service: str, admin_url: str, create: str, drop: str) -> Iterator[str]:
    """Create a database for one test with ``create`` and drop it afterwards; yields its URL."""
    problem = _probe(admin_url)
    if problem:
        unavailable(service, problem)
    name = unique_name()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(create.format(name=name)))
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(drop.format(name=name)))
        admin.dispose()


def fresh_postgres_database() -> contextlib.AbstractContextManager[str]:
    """A PostgreSQL database of its own for one test (dropped afterwards); yields its URL."""
    return _fresh_database(
        "PostgreSQL",
        POSTGRES_ADMIN_URL,
        'CREATE DATABASE "{name}"',
        'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
    )


def fresh_mariadb_database() -> contextlib.AbstractContextManager[str]:
    """A MariaDB database of its own for one test (dropped afterwards); yields its URL."""
    return _fresh_database(
        "MariaDB",
        MARIADB_ADMIN_URL,
        "CREATE DATABASE `{name}` CHARACTER SET utf8mb4",
        "DROP DATABASE IF EXISTS `{name}`",
    )


def fresh_database(
    engine: str, tmp_path: Path, name: str
) -> contextlib.AbstractContextManager[str]:
    """A fresh database on ``engine`` ("sqlite", "postgres" or "mariadb"); yields its URL. On
    SQLite, the file ``name``.db in ``tmp_path`` (give each database of a test its own name)."""
    if engine == "sqlite":
        return contextlib.nullcontext(f"sqlite:///{tmp_path / f'{name}.db'}")
    if engine == "postgres":
        return fresh_postgres_database()
    return fresh_mariadb_database()
