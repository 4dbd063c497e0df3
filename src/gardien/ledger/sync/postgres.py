"""The change feed on PostgreSQL: ``LISTEN gardien_ledger`` on a connection of its own.

The trigger of migration ``0008_ledger_change_feed`` sends one notification per audit entry,
inside the writing transaction, so PostgreSQL delivers it at commit, in commit order, to every
listening process on every machine: no extra server. The listening connection is in autocommit
and does nothing else; TCP keepalives make a silently dead peer show up within seconds.

The thread reads notifications at libpq's level (``PGconn.consume_input``/``notifies``) and
drains everything the socket holds before it waits again: in a process whose main thread is
busy, every wait costs the thread the interpreter lock for up to the switch interval (5 ms),
and a burst of a thousand notifications read through ``Connection.notifies()`` (about 6 µs
each, two decodings) could take several such turns.
"""

from __future__ import annotations

import contextlib
import select
import selectors
import time
from collections.abc import Iterator
from typing import Any

import psycopg
from sqlalchemy.engine import Engine

from gardien.errors import ConfigurationError
from gardien.ledger.cache import StateCache
from gardien.ledger.sync.change import CHANNEL, Change, parse_notification
from gardien.ledger.sync.feed import ChangeFeed

_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
    "connect_timeout": 5,
}


class PostgresFeed(ChangeFeed):
    """Listens for the ledger's notifications; see the module docstring."""

    backend = "postgresql"

    def __init__(self, engine: Engine, cache: StateCache, **options: Any) -> None:
        super().__init__(cache, **options)
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        self._args = list(args)
        self._kwargs = {**_KEEPALIVES, **kwargs}
        self._conn: psycopg.Connection[Any] | None = None
        self._selector: selectors.BaseSelector | None = None
        self._assistable: Any = None
        """The libpq connection once listening: what :meth:`assist` may read (under the lock)."""
        self._heard = False
        self.backend_pid: int | None = None
        """The server process of the listening connection (``pg_terminate_backend`` kills it)."""

    def _connect(self) -> int:
        conn = psycopg.connect(*self._args, **self._kwargs, autocommit=True)
        self._conn = conn
        trigger = conn.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'gardien_ledger_notify' AND NOT tgisinternal"
        ).fetchone()
        if trigger is None:
            raise ConfigurationError(
                "the ledger's change-feed trigger is missing; run `gardien db upgrade`"
            )
        conn.execute(f"LISTEN {CHANNEL}")
        # Read the head only now: a change committed from here on is also announced to us.
        row = conn.execute("SELECT seq, pg_backend_pid() FROM gardien_audit_head WHERE id = 1")
        seq, pid = row.fetchone() or (0, None)
        self.backend_pid = pid
        self._selector = selectors.DefaultSelector()
        self._selector.register(conn.fileno(), selectors.EVENT_READ)
        with self._reading:
            self._assistable = conn.pgconn
        return int(seq)

    def _wait(self) -> Iterator[Change]:
        conn = self._conn
        selector = self._selector
        assert conn is not None
        assert selector is not None
        # The lock is held while reading and while the caller applies what is yielded, never
        # while waiting: then the hot path may read instead (:meth:`assist`).
        with self._reading:
            # First what arrived while a query ran (LISTEN, the head, the last heartbeat).
            for notify in conn.notifies(timeout=0):
                change = parse_notification(notify.payload)
                if change is not None:
                    yield change
        pgconn = conn.pgconn
        deadline = time.monotonic() + self.heartbeat
        while (remaining := deadline - time.monotonic()) > 0 and selector.select(remaining):
            with self._reading:
                while True:  # drain the socket before waiting again
                    pgconn.consume_input()  # raises when the connection is lost
                    while (note := pgconn.notifies()) is not None:
                        self._heard = True
                        change = parse_notification(note.extra.decode())
                        if change is not None:
                            yield change
                    if time.monotonic() >= deadline or not selector.select(0):
                        break
        with self._reading:
            heard, self._heard = self._heard, False
            if not heard:  # quiet is not proof of life: the connection must answer
                conn.execute("SELECT 1")

    def assist(self) -> None:
        if not self._reading.acquire(blocking=False):
            # The feed's thread is reading, and may be waiting for the interpreter lock that
            # this thread holds: wait for it (which hands it the lock) until it has applied
            # what it read, instead of deciding from the cache meanwhile.
            with self._reading:
                return
        try:
            pgconn = self._assistable
            if pgconn is None or not self.cache.trusted:
                return
            if not select.select([pgconn.socket], [], [], 0)[0]:
                return
            pgconn.consume_input()
            while (note := pgconn.notifies()) is not None:
                self._heard = True
                change = parse_notification(note.extra.decode())
                if change is not None:
                    self._apply(change)
        except Exception:  # lost connection, gap: distrust; the feed's thread reconnects
            self.cache.trusted = False
        finally:
            self._reading.release()

    def _disconnect(self) -> None:
        with self._reading:
            self._assistable = None
        conn, self._conn = self._conn, None
        selector, self._selector = self._selector, None
        if selector is not None:
            selector.close()
        if conn is not None:
            # Closing a broken connection may fail too; it is gone either way.
            with contextlib.suppress(Exception):
                conn.close()
