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
    """Runs queued jobs in batches, one batch per transaction (see the module docstring).

    Waiting writers sleep on one condition; when the writer in turn finishes, all wake, those
    whose work was done return, and one of the others takes the next turn. (Waiting on a plain
    lock instead would hand the turn over one thread at a time, each handover costing a GIL
    switch interval.)
    """

    def __init__(self, run: Callable[[list[Job[Any]]], None], max_batch: int = 1000) -> None:
        self._run = run
        self._max = max_batch
        self._queue: list[Job[Any]] = []
        self._changed = threading.Condition()
        self._writing = False

    def submit(self, job: Job[R]) -> list[R]:
        with self._changed:
            self._queue.append(job)
        while True:
            with self._changed:
                while self._writing and not job.done:
                    self._changed.wait()
                if job.done:
                    break
                self._writing = True
                batch = self._queue[: self._max]
                del self._queue[: self._max]
            error: BaseException | None = None
            try:
                self._run(batch)
            except BaseException as exc:
                error = exc
            with self._changed:
                for queued in batch:
                    queued.error = error
                    queued.done = True
                self._writing = False
                self._changed.notify_all()
        if job.error is not None:
            raise job.error
        return job.records
