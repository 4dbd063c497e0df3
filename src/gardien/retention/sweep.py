"""Running a sweep: every target, batch after batch, each batch its own short transaction.

``run_sweep`` walks each table once in bounded batches (its pages on PostgreSQL, its key
elsewhere: see :mod:`gardien.retention.batches`), then checks that nothing sweepable is left
(rows that moved behind the walk, or that a second step frees, such as a parent whose last
child went) and walks again if so, a bounded number of times. Each
committed batch is reported to ``on_batch`` (a progress bar) and to ``record`` (the audit trail:
one entry per batch, one per table). Setting ``stop`` ends the sweep between two batches; what
is left is found by the next run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.audit.events import AuditEvent
from gardien.policy.vocabulary import RetentionAction
from gardien.retention.batches import anything_left, make_durable, walk
from gardien.retention.checks import check_masks
from gardien.retention.events import RetentionBatchSwept, RetentionTableSwept
from gardien.retention.plan import SweepSource
from gardien.retention.predicates import expired, held, referenced
from gardien.retention.targets import SweepTarget, Unswept, the_table

DEFAULT_BATCH = 20_000
MAX_PASSES = 3
DEFAULT_WORKERS = 2
"""Page windows swept at once on PostgreSQL, each in its own session (1 elsewhere)."""
DURABLE_EVERY = 1.0
"""Seconds between two flush points of asynchronously committed batches (PostgreSQL)."""

OnBatch = Callable[[SweepTarget, int], None]
Record = Callable[[AuditEvent], None]


@dataclass(frozen=True)
class TableSweep:
    """What a sweep did to one table under one rule."""

    store: str
    table: str
    rule: str
    action: RetentionAction
    deleted: int
    anonymised: int
    held: int
    """Past the period, kept unchanged by a legal hold that has not ended."""
    released: int
    """Swept now because the hold that kept them has ended."""
    kept_referenced: int
    batches: int
    complete: bool
    """False when stopped, or when rows locked by others were left for the next run."""

    @property
    def name(self) -> str:
        return f"{self.store}.{self.table}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "table": self.table,
            "rule": self.rule,
            "action": self.action.value,
            "deleted": self.deleted,
            "anonymised": self.anonymised,
            "held": self.held,
            "released": self.released,
            "kept_referenced": self.kept_referenced,
            "batches": self.batches,
            "complete": self.complete,
        }


@dataclass(frozen=True)
class SweepReport:
    """The final report of a sweep, per rule and table."""

    tables: tuple[TableSweep, ...]
    unswept: tuple[Unswept, ...]
    started_at: datetime
    finished_at: datetime

    def table(self, name: str) -> TableSweep:
        return the_table(self.tables, name)

    @property
    def complete(self) -> bool:
        return all(t.complete for t in self.tables)

    def totals(self) -> dict[str, int]:
        keys = ("deleted", "anonymised", "held", "released", "kept_referenced")
        return {k: sum(int(getattr(t, k)) for t in self.tables) for k in keys}

    def describe(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "complete": self.complete,
            "totals": self.totals(),
            "tables": [t.as_dict() for t in self.tables],
            "unswept": [u.as_dict() for u in self.unswept],
        }


def _count(engine: Engine, target: SweepTarget, clause: sa.ColumnElement[bool]) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(target.sa_table).where(clause)
            ).scalar_one()
        )


def sweep_target(
    engine: Engine,
    target: SweepTarget,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: OnBatch | None = None,
    record: Record | None = None,
    stop: threading.Event | None = None,
    workers: int = DEFAULT_WORKERS,
) -> TableSweep:
    """Sweep one table to the end (or until ``stop``); returns its counts.

    A batch committed without waiting for its WAL flush is reported to ``on_batch`` at once
    (progress) but to ``record`` (proof) only after :func:`make_durable`, at most
    :data:`DURABLE_EVERY` seconds later and always before the table's own entry.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    swept = batches = 0
    stopped = False
    left = False
    pending: list[RetentionBatchSwept] = []
    flushed = time.monotonic()

    def prove() -> None:
        nonlocal flushed
        if pending and record is not None:
            make_durable(engine)
            for event in pending:
                record(event)
            pending.clear()
        flushed = time.monotonic()

    for number in range(MAX_PASSES):
        for batch in walk(
            engine, target, batch_size, first=number == 0, stop=stop, workers=workers
        ):
            batches += 1
            swept += batch.rows
            if record is not None:
                pending.append(
                    RetentionBatchSwept(
                        target.store,
                        target.table,
                        target.rule,
                        target.action.value,
                        batches,
                        batch.rows,
                        target.cutoff.isoformat(),
                    )
                )
                if batch.durable or time.monotonic() - flushed > DURABLE_EVERY:
                    prove()
            if on_batch is not None:
                on_batch(target, batch.rows)
        stopped = stop is not None and stop.is_set()
        if stopped:
            break
        left = anything_left(engine, target)
        if not left:
            break
    prove()
    held_n = _count(engine, target, sa.and_(expired(target), held(target))) if target.holds else 0
    pinned = (
        _count(engine, target, sa.and_(expired(target), sa.not_(held(target)), referenced(target)))
        if target.guards
        else 0
    )
    deleting = target.action is RetentionAction.DELETE
    outcome = TableSweep(
        store=target.store,
        table=target.table,
        rule=target.rule,
        action=target.action,
        deleted=swept if deleting else 0,
        anonymised=0 if deleting else swept,
        held=held_n,
        released=swept if target.holds else 0,
        kept_referenced=pinned,
        batches=batches,
        complete=not (stopped or left),
    )
    if record is not None:
        record(
            RetentionTableSwept(
                target.store,
                target.table,
                target.rule,
                target.action.value,
                outcome.deleted,
                outcome.anonymised,
                outcome.held,
                outcome.released,
                outcome.kept_referenced,
                outcome.batches,
                outcome.complete,
                tuple(dict.fromkeys(h.hold.id for h in target.holds)),
            )
        )
    return outcome


def run_sweep(
    sources: Iterable[SweepSource],
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: OnBatch | None = None,
    record: Record | None = None,
    stop: threading.Event | None = None,
    clock: Callable[[], datetime] | None = None,
    workers: int = DEFAULT_WORKERS,
) -> SweepReport:
    """Sweep every target of every source, in order (children before parents per source).

    Every mask is checked against its column before the first batch of any table.
    """
    now = clock or (lambda: datetime.now(UTC))
    started = now()
    tables: list[TableSweep] = []
    unswept: list[Unswept] = []
    sources = list(sources)
    for source in sources:
        check_masks(source.engine, source.targets)
    for source in sources:
        unswept.extend(source.unswept)
        for target in source.targets:
            tables.append(
                sweep_target(
                    source.engine,
                    target,
                    batch_size=batch_size,
                    on_batch=on_batch,
                    record=record,
                    stop=stop,
                    workers=workers,
                )
            )
    return SweepReport(tuple(tables), tuple(unswept), started, now())
