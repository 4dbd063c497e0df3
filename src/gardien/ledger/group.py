"""Group commit: concurrent writers share one transaction instead of queueing for the lock.

Every ledger write appends to the audit chain, so writes are serialised (one chain head) and
each pays a commit, which on PostgreSQL is a disk flush. When several threads write at once,
whichever holds the write turn takes everyone's queued changes and commits them together; the
others find their work done when their turn comes. A lone writer sees no difference. If the
shared transaction fails, every change in it fails with the same error and none is written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from gardien.audit.chain import Pending
from gardien.ledger.identifiers import Identifier
from gardien.ledger.store import Person

R = TypeVar("R")
Row = dict[str, Any]
Build = Callable[
    [Mapping[Identifier, Person], datetime, str], tuple[list[Row], list[Pending], list[R]]
]


@dataclass(eq=False)
class Job(Generic[R]):
    """One caller's change, waiting for a transaction."""

    subjects: Sequence[Identifier]
    table: sa.Table
    build: Build[R]
    actor: str
    at: datetime
    done: bool = False
    records: list[R] = field(default_factory=list)
    error: BaseException | None = None


class GroupCommit:
    """Runs queued jobs in batches, one batch per transaction (see the module docstring)."""

    def __init__(self, run: Callable[[list[Job[Any]]], None], max_batch: int = 1000) -> None:
        self._run = run
        self._max = max_batch
        self._queue: list[Job[Any]] = []
        self._queue_lock = threading.Lock()
        self._turn = threading.Lock()

    def submit(self, job: Job[R]) -> list[R]:
        with self._queue_lock:
            self._queue.append(job)
        while True:
            with self._turn:
                if job.done:
                    break
                with self._queue_lock:
                    batch, self._queue = self._queue[: self._max], self._queue[self._max :]
                try:
                    self._run(batch)
                except BaseException as exc:
                    for queued in batch:
                        queued.error = exc
                    raise_now = job in batch
                    for queued in batch:
                        queued.done = True
                    if raise_now:
                        raise
                else:
                    for queued in batch:
                        queued.done = True
                if job.done:
                    break
        if job.error is not None:
            raise job.error
        return job.records
