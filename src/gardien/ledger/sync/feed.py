"""The change feed: one background thread per process that keeps a state cache current.

The thread follows the database's change log (PostgreSQL ``LISTEN``, or reading new audit
entries elsewhere) and drops, from the cache, every person a committed change names. It alone
decides whether the cache may be trusted (``StateCache.trusted``, a flag the hot path reads):

- it sets the flag only after it is following the log **and** has emptied the cache, so what
  the cache holds afterwards was read after the feed started listening (resynchronisation);
- it clears the flag as soon as it loses the log (connection lost, database unreachable, a gap
  in the sequence), and a watchdog clears it when the thread has not proved itself alive for
  ``lease`` seconds (a hung connection, a dead thread, a forked child);
- it then reconnects every ``retry`` seconds and resynchronises before trusting again.

While the flag is down, :class:`~gardien.ledger.Ledger` reads states from the database or
denies (:mod:`gardien.ledger.sync.fallback`), never answers from the cache. GDPR art. 7(3) and
21(3): a withdrawal or an objection made through any process is obeyed by every process.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gardien.errors import ConfigurationError
from gardien.ledger.cache import StateCache
from gardien.ledger.sync.change import Change, ChangeKind

log = logging.getLogger("gardien.ledger.sync")


@dataclass(frozen=True)
class FeedStatus:
    """Where a feed stands, for operators, health checks and tests."""

    backend: str
    current: bool
    """The cache is trusted: every change committed up to ``last_seq`` has been applied."""
    last_seq: int | None
    connects: int
    """Successful (re)connections, each followed by a resynchronisation."""
    losses: int
    """Times the feed lost the log (or the watchdog gave up on it) and stopped trusting."""
    applied: int
    """Changes applied to the cache."""
    last_error: str | None
    assist_waits: int = 0
    """Times the hot path (:meth:`ChangeFeed.assist`) waited for the feed's thread to finish
    applying what it was reading."""
    assist_waited: float = 0.0
    """Seconds spent in those waits, in all."""


class ChangeFeed(ABC):
    """Follows the change log in a thread; subclasses say how to connect and to wait."""

    backend = "?"

    def __init__(
        self,
        cache: StateCache,
        *,
        heartbeat: float = 0.5,
        lease: float = 3.0,
        retry: float = 0.5,
    ) -> None:
        if lease <= heartbeat:
            raise ValueError("the lease must be longer than the heartbeat")
        self.cache = cache
        self.heartbeat = heartbeat
        self.lease = lease
        self.retry = retry
        self._stop = threading.Event()
        self._interrupt = threading.Event()
        self._synced = threading.Event()
        self._alive_at = 0.0
        self._last_seq: int | None = None
        self._connects = 0
        self._losses = 0
        self._applied = 0
        self._error: str | None = None
        self._fatal: ConfigurationError | None = None
        self._threads: list[threading.Thread] = []
        self._assist_waits = 0
        self._assist_waited = 0.0
        self._reading = threading.Lock()
        """Held while the log is read and applied: by the feed's thread, or by :meth:`assist`."""

    # --- what a backend provides ----------------------------------------------------------

    @abstractmethod
    def _connect(self) -> int:
        """Open the connection and start following the log; return the log's current seq."""

    @abstractmethod
    def _wait(self) -> Iterable[Change]:
        """Changes committed since the last call, waiting up to ``heartbeat`` for some.

        Yields them as they arrive; raises when the connection is lost. Returning proves the
        connection alive.
        """

    @abstractmethod
    def _disconnect(self) -> None:
        """Close the connection, ignoring errors."""

    def assist(self) -> None:
        """Apply what has already arrived, from the calling thread, without waiting for more
        (only, when the feed's thread is reading, for it to finish).

        The hot path calls it now and then (:meth:`~gardien.ledger.Ledger.decide`). In a process
        that never leaves the CPU, the feed's own thread gets the interpreter lock only after
        the busy thread's switch interval, behind every other runnable thread: a withdrawal
        could wait there for a hundred milliseconds and more. The busy thread holds the lock
        already, so it applies the change itself. Backends that can read the log without
        blocking override this; by default it does nothing.
        """
        return

    # --- life cycle -----------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> ChangeFeed:
        """Start following; fail loudly if the feed is not current within ``timeout``."""
        self.cache.trusted = False
        # A forked child inherits the cache but not the threads: it must not trust the cache.
        os.register_at_fork(after_in_child=_distrust_in_child(weakref.ref(self)))
        for target, name in ((self._run, "follow"), (self._watch, "watchdog")):
            thread = threading.Thread(target=target, name=f"gardien-sync-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if not self._synced.wait(timeout) or self._fatal is not None:
            self.close()
            raise self._fatal or ConfigurationError(
                f"the ledger's change feed ({self.backend}) could not start: "
                f"{self._error or 'timed out'}"
            )
        return self

    def close(self) -> None:
        """Stop following. The cache is trusted again, as in a process that never subscribed."""
        self._stop.set()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(self.heartbeat + self.retry + 5)
        self._threads.clear()
        self.cache.clear()
        self.cache.trusted = True

    def __enter__(self) -> ChangeFeed:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def interrupt(self) -> None:
        """Drop the connection as a network failure would, then recover (drills and tests)."""
        self._interrupt.set()

    def _check_interrupt(self) -> None:
        if self._interrupt.is_set():
            self._interrupt.clear()
            raise ConnectionError("change feed interrupted")

    @property
    def stopped(self) -> bool:
        """Closed, or inherited by a forked child (where its threads do not run)."""
        return self._stop.is_set()

    @property
    def current(self) -> bool:
        return self.cache.trusted and not self._stop.is_set()

    def status(self) -> FeedStatus:
        return FeedStatus(
            self.backend,
            self.current,
            self._last_seq,
            self._connects,
            self._losses,
            self._applied,
            self._error,
            self._assist_waits,
            self._assist_waited,
        )

    def wait_current(self, timeout: float) -> bool:
        """Wait until the cache is trusted again (after a loss); True if it is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.current:
                return True
            time.sleep(0.005)
        return self.current

    # --- the threads ----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._follow()
            except ConfigurationError as exc:  # e.g. the trigger is missing: no use retrying
                self._lost(exc)
                if not self._synced.is_set():
                    self._fatal = exc
                    self._synced.set()
                    return
            except Exception as exc:  # any failure of the log means: stop trusting, retry
                self._lost(exc)
            finally:
                self._disconnect()
            self._stop.wait(self.retry)

    def _follow(self) -> None:
        self._last_seq = self._connect()
        # Resynchronise: everything cached so far may predate a change we did not hear of.
        self.cache.clear()
        self._alive_at = time.monotonic()
        self._connects += 1
        self._error = None
        self.cache.trusted = True
        self._synced.set()
        while not self._stop.is_set():
            for change in self._wait():
                self._apply(change)
            self._check_interrupt()
            self._alive_at = time.monotonic()
            if not self.cache.trusted:
                raise _DistrustedError("the watchdog stopped trusting the cache")

    def _apply(self, change: Change) -> None:
        last = self._last_seq
        if last is not None and change.seq <= last:
            return  # already in the state read at (re)connection
        if last is not None and change.seq != last + 1:
            raise _GapError(f"change log gap: expected seq {last + 1}, got {change.seq}")
        self._last_seq = change.seq
        self._applied += 1
        kind = change.kind
        if kind is ChangeKind.PERSON:
            assert change.ref is not None
            self.cache.invalidate_ref(change.ref)
        elif kind is ChangeKind.NEW_NAME:
            assert change.ref is not None
            self.cache.invalidate_ref(change.ref)
            if change.names is None:
                self.cache.invalidate_unknown()
            else:
                self.cache.invalidate_names(change.names)
        elif kind is ChangeKind.EVERYONE:
            self.cache.clear()

    def _lost(self, exc: Exception) -> None:
        was_trusted = self.cache.trusted
        self.cache.trusted = False
        if self._stop.is_set():
            return
        self._error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if was_trusted:
            self._losses += 1
            log.warning("ledger change feed lost (%s); reading from the database", self._error)

    def _watch(self) -> None:
        while not self._stop.wait(self.heartbeat / 2):
            if self.cache.trusted and time.monotonic() - self._alive_at > self.lease:
                self.cache.trusted = False
                self._losses += 1
                self._error = f"no sign of life from the change feed for {self.lease:g} s"
                log.warning("ledger change feed silent; reading from the database")


def _distrust_in_child(feed: weakref.ref[ChangeFeed]) -> Callable[[], None]:
    def distrust() -> None:
        found = feed()
        if found is not None and not found._stop.is_set():
            found.cache.trusted = False
            found._stop.set()
            found._threads.clear()

    return distrust


class _GapError(Exception):
    pass


class _DistrustedError(Exception):
    pass
