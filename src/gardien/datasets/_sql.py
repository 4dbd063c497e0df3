"""Set-based statement helpers: ``WHERE (cols) IN (values)`` in bounded chunks.

One statement covers a whole set of keys; very large sets are split into chunks only to stay
under the drivers' bound-parameter limits (SQLite: 32,766), never one statement per row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from gardien.datasets.binding import BoundTable, Key
from gardien.datasets.schema import ValueKind

CHUNK = 5000


def chunks(values: Collection[Key], size: int = CHUNK) -> Iterator[list[Key]]:
    """``values`` in sorted chunks: statements touch rows in key order, run after run."""
    try:
        items = sorted(values)
    except TypeError:  # mixed types (or None) in keys: order by their text
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


_ARRAY_TYPES: list[tuple[type, sa.types.TypeEngine[Any]]] = [
    (bool, sa.Boolean()),
    (int, sa.BigInteger()),
    (str, sa.Text()),
    (Decimal, sa.Numeric()),
    (datetime, sa.DateTime(timezone=False)),
    (date, sa.Date()),
]


def _array_type(values: Sequence[Key]) -> sa.types.TypeEngine[Any] | None:
    kinds = {type(v[0]) for v in values}
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    for python_type, sql_type in _ARRAY_TYPES:
        if kind is python_type:
            return sql_type
    return None


def where_in(
    conn: Connection, table: BoundTable, columns: Sequence[str], values: Collection[Key]
) -> Iterator[sa.ColumnElement[bool]]:
    """Conditions covering ``values``, as few as the engine allows.

    On PostgreSQL a single-column set is ONE array parameter (``col = ANY(:keys)``), so even
    100,000 keys cost one bound value; elsewhere, expanding ``IN`` lists in chunks.
    """
    if not values:
        return
    if conn.dialect.name == "postgresql" and len(columns) == 1:
        for chunk in chunks(values, 100_000):
            element = _array_type(chunk)
            if element is not None and not isinstance(element, sa.DateTime):
                array = sa.bindparam(None, [v[0] for v in chunk], type_=postgresql.ARRAY(element))
                condition: sa.ColumnElement[bool] = table.col(columns[0]) == sa.any_(array)
                yield condition
            else:
                yield in_clause(table, columns, chunk)
        return
    for chunk in chunks(values):
        yield in_clause(table, columns, chunk)


def any_of(
    conn: Connection, column: sa.ColumnElement[Any], values: Sequence[object]
) -> sa.ColumnElement[bool]:
    """``column IN (values)``; one array parameter on PostgreSQL."""
    keys = [(v,) for v in values]
    element = _array_type(keys) if conn.dialect.name == "postgresql" else None
    if element is not None and not isinstance(element, sa.DateTime):
        array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(element))
        condition: sa.ColumnElement[bool] = column == sa.any_(array)
        return condition
    return column.in_(list(values))


def select_in(
    conn: Connection,
    table: BoundTable,
    fetch: Sequence[str],
    match: Sequence[str],
    values: Collection[Key],
    extra: sa.ColumnElement[bool] | None = None,
    distinct: bool = False,
) -> Iterator[Sequence[object]]:
    """Rows of ``table`` (only ``fetch`` columns) whose ``match`` columns are in ``values``.

    Each chunk's rows are fetched at once (``fetchall``): keys and link values only, bounded by
    the chunk, and much cheaper than a driver call per row.
    """
    for condition in where_in(conn, table, match, values):
        statement = sa.select(*(table.col(c) for c in fetch)).where(condition)
        if extra is not None:
            statement = statement.where(extra)
        if distinct:
            statement = statement.distinct()
        yield from conn.execute(statement).all()


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
    kind = type(value)
    if kind is int or kind is str or value is None:
        return value  # the common case, first and cheapest
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, bool):
        return int(value)
    return value
