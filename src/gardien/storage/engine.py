"""One engine factory for SQLite (the embedded default) and PostgreSQL, the same code above it.

SQLite gets WAL (readers never wait for the writer), ``foreign_keys=ON`` (off by default in
SQLite!), a ``busy_timeout`` so that concurrent writers queue instead of failing, and
``synchronous=NORMAL`` (durable at each checkpoint, safe in WAL mode). Write transactions on
SQLite start with ``BEGIN IMMEDIATE`` so two writers never deadlock upgrading a read lock; on
PostgreSQL the audit trail serialises appends by locking its chain-head row instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from gardien.errors import ConfigurationError

_WRITE = "gardien_write"
BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> sa.URL:
    """Parse a database URL; plain ``postgresql://`` means psycopg 3, the driver we ship."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigurationError(f"invalid database URL {url!r}: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_engine(url: str, **kwargs: Any) -> Engine:
    """An engine configured for the ledger's guarantees (see the module docstring)."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write: committed on success, rolled back on any error."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction: one consistent snapshot of the ledger."""
    with engine.connect() as conn, conn.begin():
        yield conn


def check_reachable(engine: Engine) -> None:
    """Fail loudly at start-up when the database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        reason = str(exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc).splitlines()[0]
        raise ConfigurationError(
            f"cannot reach the database {engine.url.render_as_string()}: {reason}"
        ) from None


IN_LIST = 500
"""Values per ``IN (...)`` of Gardien's own queries: well under every engine's limit on bound
parameters (SQLite's 32,766, PostgreSQL's 65,535), and small enough for a plan to use an index."""

T = TypeVar("T")


def in_chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[list[T]]:
    """``items`` ``size`` at a time: one statement per chunk, whatever the number of items."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
