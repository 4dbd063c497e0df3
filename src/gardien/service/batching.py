"""Group commit for consent writes: requests that arrive together share one transaction.

Each consent write is an insert, an audit entry and a commit under the audit chain's lock, so
writes queue one behind the other (on SQLite the database has one writer). While one batch is
being written, the requests that arrive wait together and go in the next one, in a single
:meth:`~gardien.ledger.Ledger.record_consents` call: one statement per table, one commit. No
request waits for a timer; under light load a batch is one request. Every request keeps its own
receipt, evidence and answer; if a batch is refused (one request names an unknown purpose), its
requests are written one by one so that only the faulty one fails.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from gardien.ledger import ConsentChange, ConsentRecord, Ledger

MAX_BATCH = 500
GATHER_SECONDS = 0.002
"""How long a batch waits for company before it is written: a little latency for much larger
commits when many writes arrive (each commit serialises on the audit chain's head)."""


class WriterTurn:
    """Whose turn it is to write a SQLite ledger, across the worker processes.

    SQLite has one writer; a second one waits in its busy handler, which *sleeps* (up to 100 ms
    a try) rather than waking when the lock is released, and two workers writing at once then
    wait for each other in sleeps. An exclusive ``flock`` on a file beside the database queues
    them in the kernel instead, which wakes the next one as soon as the lock is free.
    """

    def __init__(self, database: Path) -> None:
        self._path = database.with_name(database.name + ".write-lock")

    @contextmanager
    def held(self) -> Iterator[None]:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def writer_turn(ledger: Ledger) -> WriterTurn | None:
    """A :class:`WriterTurn` for a SQLite file; None elsewhere (PostgreSQL queues fairly)."""
    url = ledger.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return WriterTurn(Path(url.database))


class ConsentWriter:
    def __init__(
        self, ledger: Ledger, max_batch: int = MAX_BATCH, gather_seconds: float = GATHER_SECONDS
    ) -> None:
        self._ledger = ledger
        self._gather = gather_seconds
        self._turn = writer_turn(ledger)
        self._max = max_batch
        self._pending: list[
            tuple[Sequence[ConsentChange], asyncio.Future[list[ConsentRecord]]]
        ] = []
        self._flushing = False
        self._task: asyncio.Task[None] | None = None

    async def record(self, changes: Sequence[ConsentChange]) -> list[ConsentRecord]:
        """Record ``changes`` (one request's) with whatever else is waiting; their records."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[list[ConsentRecord]] = loop.create_future()
        self._pending.append((changes, done))
        if not self._flushing:
            self._flushing = True
            self._task = loop.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        try:
            while self._pending:
                if self._gather and len(self._pending) < self._max:
                    await asyncio.sleep(self._gather)
                batch = self._pending[: self._max]
                del self._pending[: self._max]
                await self._write(batch)
        finally:
            self._flushing = False

    def _record(self, changes: Sequence[ConsentChange]) -> list[ConsentRecord]:
        if self._turn is None:
            return self._ledger.record_consents(changes)
        with self._turn.held():
            return self._ledger.record_consents(changes)

    async def _write(
        self, batch: list[tuple[Sequence[ConsentChange], asyncio.Future[list[ConsentRecord]]]]
    ) -> None:
        everything = [c for changes, _ in batch for c in changes]
        try:
            records = await run_in_threadpool(self._record, everything)
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for changes, done in batch:
                try:
                    done.set_result(await run_in_threadpool(self._record, changes))
                except Exception as exc:  # the request's own error, reported to it alone
                    done.set_exception(exc)
            return
        start = 0
        for changes, done in batch:
            done.set_result(records[start : start + len(changes)])
            start += len(changes)
