"""The change feed without notifications: read the audit entries added since the last look.

On SQLite, ``PRAGMA data_version`` tells, for the price of a function call, whether another
connection (this process's ledger or another process) committed since the last look; only then
are the new audit entries read, by ``seq`` (the primary key). On other engines without
``LISTEN`` the audit head row plays that part. Each look is a few microseconds; between looks
the thread sleeps ``interval`` seconds, so a change reaches the cache within about that long
(plus the interpreter's thread switch interval, 5 ms, when the process is busy): 2 ms on
SQLite, 5 ms on a server (MariaDB), where each look is a round trip.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Connection, Engine

from gardien.errors import ConfigurationError
from gardien.ledger.cache import StateCache
from gardien.ledger.sync.change import NEW_NAMES, Change, classify
from gardien.ledger.sync.feed import ChangeFeed

_SINCE = (
    "SELECT a.seq, a.event_type, a.subject_ref, CASE WHEN a.event_type IN ({new_names}) THEN ("
    "SELECT {concat} FROM gardien_identifiers i JOIN gardien_people p ON p.id = i.person_id "
    "WHERE p.ref = a.subject_ref) END FROM gardien_audit_entries a WHERE a.seq > {seq} "
    "ORDER BY a.seq"
)
"""New audit entries; for those after which an identifier may name someone, the person's
identifier digests (as the PostgreSQL trigger sends them)."""
_HEAD = "SELECT seq FROM gardien_audit_head WHERE id = 1"


class PollingFeed(ChangeFeed):
    """Follows the audit trail by polling; see the module docstring."""

    def __init__(
        self, engine: Engine, cache: StateCache, *, interval: float | None = None, **options: Any
    ) -> None:
        super().__init__(cache, **options)
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        # A look costs a function call on SQLite, a round trip to a server elsewhere.
        self.interval = interval if interval is not None else 0.002 if self._sqlite else 0.005
        self.backend = "sqlite" if self._sqlite else engine.dialect.name
        if self._sqlite and engine.url.database in (None, "", ":memory:"):
            raise ConfigurationError(
                "an in-memory SQLite database belongs to one process: there is nothing to follow"
            )
        self._lite: sqlite3.Connection | None = None
        self._conn: Connection | None = None
        self._version: int | None = None
        self._seen: int = 0
        concat = "group_concat(hex(i.digest))" if self._sqlite else "GROUP_CONCAT(HEX(i.digest))"
        self._since = _SINCE.format(
            new_names=", ".join(f"'{name}'" for name in sorted(NEW_NAMES)),
            concat=concat,
            seq="{}",
        )

    def _connect(self) -> int:
        if self._sqlite:
            database = self._engine.url.database
            assert database is not None
            self._lite = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
            self._version = self._data_version()
        else:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._seen = self._head()
        return self._seen

    def _data_version(self) -> int:
        assert self._lite is not None
        return int(self._lite.execute("PRAGMA data_version").fetchone()[0])

    def _head(self) -> int:
        rows = self._query(_HEAD)
        return int(rows[0][0]) if rows else 0

    def _query(self, sql: str) -> list[Any]:
        if self._lite is not None:
            return self._lite.execute(sql).fetchall()
        assert self._conn is not None
        return list(self._conn.exec_driver_sql(sql).fetchall())

    def _wait(self) -> Iterator[Change]:
        deadline = time.monotonic() + self.heartbeat
        while True:
            if self._moved():
                for seq, event_type, ref, names in self._query(self._since.format(self._seen)):
                    self._seen = int(seq)
                    yield classify(int(seq), str(event_type), ref, names)
            if time.monotonic() >= deadline or self._stop.is_set():
                return
            self._check_interrupt()
            time.sleep(self.interval)

    def _moved(self) -> bool:
        if self._lite is not None:
            version = self._data_version()
            moved = version != self._version
            self._version = version
            return moved
        return self._head() != self._seen

    def _disconnect(self) -> None:
        lite, self._lite = self._lite, None
        conn, self._conn = self._conn, None
        for closing in (lite, conn):
            if closing is not None:
                # A broken connection may not close cleanly; it is gone either way.
                with contextlib.suppress(Exception):
                    closing.close()
