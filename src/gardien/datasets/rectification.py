"""Rectification (GDPR art. 16): the new value written wherever the old one is stored.

A change names a category (``contact.email``) or a column (``customer.email``); every column
of the person's own rows that holds it is updated, one statement per table. Rows shared with
others and columns a legal hold keeps are not rewritten (an issued invoice stays as issued) and
are reported as skipped. The value must fit every column it goes to, or nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.datasets._sql import coerce, where_in
from gardien.datasets.declaration import ColumnErasure
from gardien.datasets.errors import DatasetError, MaskDoesNotFitError
from gardien.datasets.schema import ValueKind
from gardien.datasets.traversal import Footprint, TableRows


@dataclass(frozen=True)
class Rectification:
    """What a rectification changed (rows per table and column) and what it left, and why."""

    updated: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()


def rectify(conn: Connection, footprint: Footprint, changes: Mapping[str, object]) -> Rectification:
    """Write ``changes`` into the person's rows, inside the caller's transaction."""
    targets: dict[str, dict[str, object]] = {}
    skipped: list[str] = []
    matched: set[str] = set()
    for name, rows in footprint.tables.items():
        table = rows.table
        if table.decl is None or not rows.owned:
            continue
        for cname, column in table.decl.columns.items():
            for change, value in changes.items():
                if change not in column.categories and change != f"{name}.{cname}":
                    continue
                matched.add(change)
                if column.erasure is ColumnErasure.KEEP:
                    skipped.append(
                        f"{name}.{cname}: kept as recorded under the legal hold {column.hold!r}"
                    )
                    continue
                targets.setdefault(name, {})[cname] = _fit(
                    name, cname, value, rows, footprint.bound.link_columns(name)
                )
        if rows.shared and name in targets:
            skipped.append(f"{name}: {len(rows.shared)} rows shared with others left as they are")
    unknown = set(changes) - matched
    if unknown:
        raise DatasetError("nothing in the dataset holds " + ", ".join(sorted(unknown)))
    updated: dict[str, dict[str, int]] = {}
    for name, values in targets.items():
        rows = footprint.tables[name]
        table = rows.table
        count = 0
        for condition in where_in(conn, table, table.key, rows.owned):
            statement = (
                sa.update(table.sa)
                .where(condition)
                .values(
                    {c: sa.literal(v) if v is not None else sa.null() for c, v in values.items()}
                )
            )
            count += conn.execute(statement).rowcount
        updated[name] = dict.fromkeys(values, count)
    return Rectification(updated, tuple(skipped))


def _fit(table: str, column: str, value: object, rows: TableRows, linked: set[str]) -> object:
    info = rows.table.column_info(column)
    if value is None:
        if not info.nullable:
            raise MaskDoesNotFitError(table, column, "is NOT NULL and the new value is empty")
        return None
    if column in linked:
        raise MaskDoesNotFitError(table, column, "links rows together; it cannot be rectified here")
    typed = coerce(value, info.kind) if isinstance(value, str) else value
    if typed is None:
        raise MaskDoesNotFitError(table, column, f"{value!r} is not a {info.type_name}")
    if info.kind is ValueKind.TEXT and info.length is not None and len(str(typed)) > info.length:
        raise MaskDoesNotFitError(table, column, f"{value!r} is longer than {info.type_name}")
    return typed
