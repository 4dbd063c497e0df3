"""The change feed on PostgreSQL: ``LISTEN gardien_ledger`` on a connection of its own.

The trigger of migration ``0008_ledger_change_feed`` sends one notification per audit entry,
inside the writing transaction, so PostgreSQL delivers it at commit, in commit order, to every
listening process on every machine: no extra server. The listening connection is in autocommit
and does nothing else; TCP keepalives make a silently dead peer show up within seconds.

The thread reads notifications at libpq's level (``PGconn.consume_input``/``notifies``): a
burst of a thousand read through ``Connection.notifies()`` costs about 6 µs each (two
decodings) on a thread that competes with the hot path for the interpreter lock. It reads
everything the socket holds in one pass under the reading lock and makes no system call while
it holds that lock, so the hot path, when it looks at the socket itself
(:meth:`PostgresFeed.assist`), rarely has to wait for it (``FeedStatus.assist_waits``).
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


LOOK_EVERY = 0.001
"""Seconds between two looks at the socket from the hot path (:meth:`PostgresFeed.assist`).

A look is a system call, and on a virtual machine a system call also costs the busy loop its
warm caches: one every 64 decisions cost 7 % of a million decisions a second (bench/sync), one
per millisecond costs nothing measurable and adds at most a millisecond to a withdrawal."""


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
        self._arrived: select.poll | None = None
        """Polls the listening socket: :meth:`assist`'s look, with no lock and no list built."""
        self._heard = False
        self._next_look = 0.0
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
        arrived = select.poll()
        arrived.register(conn.fileno(), select.POLLIN)
        with self._reading:
            self._assistable = conn.pgconn
            self._arrived = arrived
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
            # One pass over what the socket holds, then the lock is let go before any system
            # call: a select() here would hand the interpreter lock to the busy thread, whose
            # next assist() would then wait for this one to get it back (a scheduler's delay).
            with self._reading:
                pgconn.consume_input()  # raises when the connection is lost
                while (note := pgconn.notifies()) is not None:
                    self._heard = True
                    change = parse_notification(note.extra.decode())
                    if change is not None:
                        yield change
        with self._reading:
            heard, self._heard = self._heard, False
            if not heard:  # quiet is not proof of life: the connection must answer
                conn.execute("SELECT 1")

    def assist(self) -> None:
        now = time.monotonic()  # no system call (vDSO)
        if now < self._next_look:
            return
        self._next_look = now + LOOK_EVERY
        arrived = self._arrived
        if arrived is None or not arrived.poll(0):
            return  # nothing came (the usual case): one system call, no lock
        if not self._reading.acquire(blocking=False):
            # The feed's thread is reading, and may be waiting for the interpreter lock that
            # this thread holds: wait for it (which hands it the lock) until it has applied
            # what it read, instead of deciding from the cache meanwhile.
            started = time.perf_counter()
            with self._reading:
                self._assist_waits += 1
                self._assist_waited += time.perf_counter() - started
                return
        try:
            pgconn = self._assistable
            if pgconn is None or not self.cache.trusted:
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
            self._arrived = None
        conn, self._conn = self._conn, None
        selector, self._selector = self._selector, None
        if selector is not None:
            selector.close()
        if conn is not None:
            # Closing a broken connection may fail too; it is gone either way.
            with contextlib.suppress(Exception):
                conn.close()
