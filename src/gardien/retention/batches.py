"""One bounded batch of a sweep: one short transaction, one set-based statement that changes rows.

Unbounded retention DELETEs run for minutes and hold their locks all along (fides.md:
vectorize-io/hindsight#3539, 330 s). A batch here changes at most ``size`` rows, walking the
primary key upwards from where the previous batch stopped, and re-evaluates the whole predicate
(expired, not held, not referenced, not yet anonymised) in the statement that changes them:

* PostgreSQL: ``DELETE|UPDATE ... WHERE ctid = ANY(ARRAY(SELECT ctid ... ORDER BY key LIMIT n
  FOR UPDATE SKIP LOCKED)) RETURNING key`` -- one statement; rows another session holds are
  skipped, not waited for, and picked up by the catch-up pass or the next run.
* MariaDB and SQLite: the batch's upper key is found first (``ORDER BY key LIMIT 1 OFFSET n-1``),
  then one ``DELETE|UPDATE ... WHERE key > last AND key <= upper AND predicate``.

A crash between batches loses nothing: committed batches are done, the rest is untouched, and
the next run's predicate finds exactly what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.datasets.masks import RewriteKind
from gardien.policy.vocabulary import RetentionAction
from gardien.retention.predicates import rewrite_value, sweepable
from gardien.retention.targets import SweepTarget

Key = tuple[object, ...]


@dataclass(frozen=True)
class BatchResult:
    rows: int
    last: Key | None
    """The highest key the batch covered; None when it reached the end of the table."""


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


def run_batch(conn: Connection, target: SweepTarget, last: Key | None, size: int) -> BatchResult:
    """Change at most ``size`` rows with keys after ``last``, inside the caller's transaction."""
    if conn.dialect.name == "postgresql" and not target.uses_hash:
        return _postgres_batch(conn, target, last, size)
    return _keyed_range_batch(conn, target, last, size)


def _assignments(
    target: SweepTarget, currents: dict[str, set[object]] | None = None
) -> dict[str, sa.ColumnElement[Any]]:
    return {
        r.column: rewrite_value(target, r, (currents or {}).get(r.column, set()))
        for r in target.rewrites
    }


def _postgres_batch(
    conn: Connection, target: SweepTarget, last: Key | None, size: int
) -> BatchResult:
    ctid: sa.ColumnElement[Any] = sa.literal_column("ctid")
    where = sweepable(target)
    if last is not None:
        where = sa.and_(where, after(target, last))
    picked = (
        sa.select(ctid)
        .select_from(target.sa_table)
        .where(where)
        .order_by(*_key_columns(target))
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    in_batch = ctid == sa.any_(sa.func.ARRAY(picked.scalar_subquery()))
    statement: sa.Delete | sa.Update
    if target.action is RetentionAction.DELETE:
        statement = sa.delete(target.sa_table).where(in_batch)
    else:
        statement = sa.update(target.sa_table).where(in_batch).values(_assignments(target))
    keys = conn.execute(statement.returning(*_key_columns(target))).all()
    if len(keys) < size:  # the scan reached the end of the table
        return BatchResult(len(keys), None)
    return BatchResult(len(keys), max(tuple(k) for k in keys))


def _keyed_range_batch(
    conn: Connection, target: SweepTarget, last: Key | None, size: int
) -> BatchResult:
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
    statement: sa.Delete | sa.Update
    if target.action is RetentionAction.DELETE:
        statement = sa.delete(target.sa_table).where(where)
    else:
        statement = (
            sa.update(target.sa_table)
            .where(where)
            .values(_assignments(target, _hash_currents(conn, target, where)))
        )
    rows = conn.execute(statement).rowcount
    return BatchResult(rows, upper)


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
