"""Bounded batches of a sweep: one short transaction each, one set-based statement that changes
rows, and a predicate re-evaluated by that statement.

Unbounded retention DELETEs run for minutes and hold their locks all along (fides.md:
vectorize-io/hindsight#3539, 330 s). A batch here changes at most ``size`` rows and re-evaluates
the whole predicate (expired, not held, not referenced, not yet anonymised) in the statement
that changes them, so a row another session changed meanwhile is judged on what it holds now.

* **PostgreSQL** walks the table's *pages* (``ctid`` ranges, a TID Range Scan) that existed when
  the sweep began, a window of pages sized from the table's density so that it holds about
  ``size`` rows. No index scan, no ``LIMIT`` scan from the start, no row locks taken before the
  change: the statement is ``DELETE|UPDATE ... WHERE ctid = ANY(ARRAY(SELECT ctid ... pages p..q
  AND predicate LIMIT size)) AND predicate``. A window with more than ``size`` rows to change is
  simply visited again. Rows that moved behind the walk meanwhile (a concurrent UPDATE writes a
  new version elsewhere) are then caught by batches driven by the predicate alone, until one
  finds fewer than ``size`` rows. Each batch commits with ``synchronous_commit = off``: the
  commit does not wait for its WAL flush. That is safe here because a batch lost by a server
  crash is a batch whose rows are all still there, unchanged, and the next run's predicate finds
  them again; the audit entries of batches are written only after a flush point
  (:func:`make_durable`), so the trail never claims a batch that a crash could undo.
* **MariaDB and SQLite** walk the key: the batch's upper key is found first (``ORDER BY key
  LIMIT 1 OFFSET size-1``), then one ``DELETE|UPDATE ... WHERE key > last AND key <= upper AND
  predicate``. So does PostgreSQL when a keyed hash is written (the hash is computed here, per
  distinct value of the batch).

A crash between batches loses nothing: committed batches are done, the rest is untouched, and
the next run's predicate finds exactly what is left.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.datasets.masks import RewriteKind
from gardien.policy.vocabulary import RetentionAction
from gardien.retention.predicates import rewrite_value, sweepable
from gardien.retention.targets import SweepTarget
from gardien.storage.engine import write_transaction

Key = tuple[object, ...]

_SAMPLE_PAGES = 64
"""Pages counted to learn a table's density when its statistics are missing."""


@dataclass(frozen=True)
class Batch:
    """One committed batch."""

    rows: int
    durable: bool
    """False when committed without waiting for the WAL flush (see :func:`make_durable`)."""


def walk(
    engine: Engine,
    target: SweepTarget,
    size: int,
    *,
    first: bool,
    stop: threading.Event | None = None,
    workers: int = 1,
) -> Iterator[Batch]:
    """Run the batches of one pass over ``target``, yielding each committed batch.

    Once ``stop`` is set no batch starts (those under way finish and are yielded): iterate to
    the end. :func:`anything_left` says whether a pass left rows behind. On PostgreSQL the
    ``first`` pass walks the pages, with up to ``workers`` windows swept at once (each its own
    session and transaction: the windows share no row); later passes are driven by the
    predicate (the rows left are few).
    """
    if _pages_walked(engine, target):
        if first:
            yield from _page_walk(engine, target, size, stop, workers)
        else:
            yield from _predicate_walk(engine, target, size, stop)
    else:
        yield from _keyed_walk(engine, target, size, stop)


def _stopped(stop: threading.Event | None) -> bool:
    return stop is not None and stop.is_set()


def anything_left(engine: Engine, target: SweepTarget) -> bool:
    """Whether a pass may have left sweepable rows, so that another pass is worth it.

    After a PostgreSQL page walk of a plain rule, no: the walk covered every page the table
    had, then the pages added meanwhile. Asking the database instead would read the whole table
    again (an index probe on the event column must visit every row the walk just deleted),
    which costs more than the walk. What the walk can miss is a row that another session
    updated *while* the walk passed it, its new version written on a page already walked: it
    is judged by the next run, which finds exactly it. Gardien's own records (a ``condition``
    that an earlier batch can make true, e.g. a consent record once it is the last one) and the
    key walks ask the database: one probe.
    """
    if _pages_walked(engine, target) and target.condition is None:
        return False
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(sa.literal(1)).select_from(target.sa_table).where(sweepable(target)).limit(1)
        ).first()
    return found is not None


def _pages_walked(engine: Engine, target: SweepTarget) -> bool:
    return engine.dialect.name == "postgresql" and not target.uses_hash


def make_durable(engine: Engine) -> None:
    """Wait until every batch committed so far is on disk (PostgreSQL; a no-op elsewhere).

    A transaction that is given an id writes a commit record, and a synchronous commit flushes
    the WAL up to it: every earlier asynchronous commit is flushed with it.
    """
    if engine.dialect.name != "postgresql":
        return
    with write_transaction(engine) as conn:
        conn.execute(sa.text("SELECT pg_current_xact_id()"))


def _change(
    target: SweepTarget, where: sa.ColumnElement[bool], currents: dict[str, set[object]] | None
) -> sa.Delete | sa.Update:
    if target.action is RetentionAction.DELETE:
        return sa.delete(target.sa_table).where(where)
    values = {
        r.column: rewrite_value(target, r, (currents or {}).get(r.column, set()))
        for r in target.rewrites
    }
    return sa.update(target.sa_table).where(where).values(values)


# --- PostgreSQL: physical page ranges -------------------------------------------------------


def _ctid() -> sa.ColumnElement[Any]:
    return sa.literal_column("ctid")


def _tid(page: int) -> sa.ColumnElement[Any]:
    return sa.literal_column(f"'({int(page)},0)'::tid")


def _table_pages(conn: Connection, target: SweepTarget) -> tuple[int, float]:
    """The table's pages now, and its rows per page (statistics, else a count of a sample)."""
    name = conn.dialect.identifier_preparer.format_table(target.sa_table)
    pages, tuples, stat_pages = conn.execute(
        sa.text(
            "SELECT pg_relation_size(c.oid) / current_setting('block_size')::int, "
            "c.reltuples, c.relpages FROM pg_class c WHERE c.oid = CAST(:name AS regclass)"
        ),
        {"name": name},
    ).one()
    if tuples > 0 and stat_pages > 0:
        return int(pages), float(tuples) / float(stat_pages)
    sample = max(1, min(int(pages), _SAMPLE_PAGES))
    counted = conn.execute(
        sa.select(sa.func.count()).select_from(target.sa_table).where(_ctid() < _tid(sample))
    ).scalar_one()
    return int(pages), max(1.0, counted / sample)


def _postgres_batch(
    engine: Engine, target: SweepTarget, size: int, pages: tuple[int, int] | None
) -> int:
    """One batch of at most ``size`` rows, within ``pages`` (first, end) when given."""
    where = sweepable(target)
    scope = where
    if pages is not None:
        scope = sa.and_(_ctid() >= _tid(pages[0]), _ctid() < _tid(pages[1]), where)
    picked = sa.select(_ctid()).select_from(target.sa_table).where(scope).limit(size)
    in_batch = _ctid() == sa.any_(sa.func.ARRAY(picked.scalar_subquery()))
    with write_transaction(engine) as conn:
        conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
        return int(conn.execute(_change(target, sa.and_(in_batch, where), None)).rowcount)


def _sweep_window(
    engine: Engine, target: SweepTarget, size: int, first: int, end: int
) -> list[int]:
    """Sweep pages ``first``..``end`` in batches of at most ``size`` rows; rows per batch."""
    done = []
    while True:
        rows = _postgres_batch(engine, target, size, (first, end))
        if rows:
            done.append(rows)
        if rows < size:  # else more to change in this window than one batch may: again
            return done


def _page_walk(
    engine: Engine, target: SweepTarget, size: int, stop: threading.Event | None, workers: int
) -> Iterator[Batch]:
    with engine.connect() as conn:
        end, density = _table_pages(conn, target)
    window = max(1, int(size / density))
    first = 0
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="gardien-sweep") as pool:
        running: set[Future[list[int]]] = set()
        while True:
            while first < end and len(running) < workers and not _stopped(stop):
                running.add(pool.submit(_sweep_window, engine, target, size, first, first + window))
                first += window
            if not running:
                if _stopped(stop):
                    return
                with engine.connect() as conn:  # pages added during the walk (moved rows too)
                    grown, _ = _table_pages(conn, target)
                if grown <= end:
                    return
                end = grown
                continue
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                for rows in future.result():
                    yield Batch(rows, durable=False)


def _predicate_walk(
    engine: Engine, target: SweepTarget, size: int, stop: threading.Event | None
) -> Iterator[Batch]:
    """Rows a condition frees only after an earlier batch, found by the predicate alone."""
    while not _stopped(stop):
        rows = _postgres_batch(engine, target, size, None)
        if rows:
            yield Batch(rows, durable=False)
        if rows < size:
            return


# --- MariaDB, SQLite (and keyed hashes): key ranges -----------------------------------------


def _value(value: object) -> sa.BindParameter[Any]:
    # Untyped key columns would bind Python ints as INTEGER; keys are often BIGINT.
    if isinstance(value, int) and not isinstance(value, bool):
        return sa.bindparam(None, value, type_=sa.BigInteger())
    return sa.bindparam(None, value)


def _key_columns(target: SweepTarget) -> list[sa.ColumnElement[Any]]:
    return [target.col(c) for c in target.key]


def after(target: SweepTarget, last: Key) -> sa.ColumnElement[bool]:
    """``key > last`` (row-value comparison for composite keys)."""
    columns = _key_columns(target)
    if len(columns) == 1:
        return columns[0] > _value(last[0])
    return sa.tuple_(*columns) > sa.tuple_(*(_value(v) for v in last))


def up_to(target: SweepTarget, upper: Key) -> sa.ColumnElement[bool]:
    columns = _key_columns(target)
    if len(columns) == 1:
        return columns[0] <= _value(upper[0])
    return sa.tuple_(*columns) <= sa.tuple_(*(_value(v) for v in upper))


def _keyed_walk(
    engine: Engine, target: SweepTarget, size: int, stop: threading.Event | None
) -> Iterator[Batch]:
    last: Key | None = None
    while not _stopped(stop):
        with write_transaction(engine) as conn:
            rows, upper = _keyed_range_batch(conn, target, last, size)
        if rows:
            yield Batch(rows, durable=True)
        if upper is None:
            return
        last = upper


def _keyed_range_batch(
    conn: Connection, target: SweepTarget, last: Key | None, size: int
) -> tuple[int, Key | None]:
    """Change the next ``size`` sweepable rows after ``last``; the highest key covered, or None
    when the batch reached the end of the table."""
    where = sweepable(target)
    if last is not None:
        where = sa.and_(where, after(target, last))
    upper_row = conn.execute(
        sa.select(*_key_columns(target))
        .select_from(target.sa_table)
        .where(where)
        .order_by(*_key_columns(target))
        .limit(1)
        .offset(size - 1)
    ).first()
    upper = tuple(upper_row) if upper_row is not None else None
    if upper is not None:
        where = sa.and_(where, up_to(target, upper))
    currents = _hash_currents(conn, target, where) if target.uses_hash else None
    rows = conn.execute(_change(target, where, currents)).rowcount
    return int(rows), upper


def _hash_currents(
    conn: Connection, target: SweepTarget, where: sa.ColumnElement[bool]
) -> dict[str, set[object]]:
    """The values a keyed hash replaces in this batch (the hash is computed here, not in SQL)."""
    hashed: Sequence[str] = [r.column for r in target.rewrites if r.kind is RewriteKind.HASH]
    out: dict[str, set[object]] = {}
    for column in hashed:
        out[column] = set(
            conn.execute(
                sa.select(target.col(column)).select_from(target.sa_table).where(where).distinct()
            ).scalars()
        )
    return out
