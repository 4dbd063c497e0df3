"""Set-based statement helpers: ``WHERE (cols) IN (values)`` in bounded chunks.

One statement covers a whole set of keys; very large sets are split into chunks only to stay
under the drivers' bound-parameter limits (SQLite: 32,766), never one statement per row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.datasets.binding import BoundTable, Key
from gardien.datasets.schema import ValueKind

CHUNK = 5000


def chunks(values: Collection[Key], size: int = CHUNK) -> Iterator[list[Key]]:
    items = sorted(values, key=_sort_key)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sort_key(key: Key) -> tuple[str, ...]:
    return tuple(repr(v) for v in key)


def in_clause(
    table: BoundTable, columns: Sequence[str], values: Sequence[Key]
) -> sa.ColumnElement[bool]:
    if len(columns) == 1:
        single: sa.ColumnElement[bool] = table.col(columns[0]).in_([v[0] for v in values])
        return single
    several: sa.ColumnElement[bool] = sa.tuple_(*(table.col(c) for c in columns)).in_(values)
    return several


def select_in(
    conn: Connection,
    table: BoundTable,
    fetch: Sequence[str],
    match: Sequence[str],
    values: Collection[Key],
) -> Iterator[Sequence[object]]:
    """Rows of ``table`` (only ``fetch`` columns) whose ``match`` columns are in ``values``."""
    for chunk in chunks(values):
        statement = sa.select(*(table.col(c) for c in fetch)).where(in_clause(table, match, chunk))
        yield from conn.execute(statement)


def coerce(value: object, kind: ValueKind) -> object | None:
    """An identity value given as text, converted to what the column holds (None: cannot)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if kind is ValueKind.INTEGER:
            return int(text)
        if kind is ValueKind.DECIMAL:
            return Decimal(text)
        if kind is ValueKind.FLOAT:
            return float(text)
        if kind is ValueKind.DATE:
            return date.fromisoformat(text)
        if kind is ValueKind.DATETIME:
            return datetime.fromisoformat(text)
    except ValueError:
        return None
    return text


def normalise(value: object) -> object:
    """A value as a dictionary key, so that ``1`` found in one table matches ``1`` in another.

    Drivers return link values with different Python types (``Decimal('1')``, ``1``); keys
    compare after this normalisation only.
    """
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, bool):
        return int(value)
    return value
