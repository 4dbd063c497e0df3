"""Carrying out an erasure plan: one transaction, set-based statements, checked as it goes.

Fides updates row by row, each on its own connection, and a request can stop half done. Here
every statement covers a whole set of rows; each statement's row count must equal the plan's,
and no row may be left pointing at a deleted one, or the transaction is rolled back and nothing
has changed. Order: rewrites and unlinks, then the links of cycles are nulled, then deletes,
children before parents.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.datasets._sql import normalise, where_in
from gardien.datasets.binding import BoundDataset, BoundTable, Key
from gardien.datasets.errors import ErasureAbortedError
from gardien.datasets.plan import ErasurePlan, Unlink
from gardien.datasets.traversal import Footprint


@dataclass(frozen=True)
class ExecutedCounts:
    deleted: int = 0
    updated: int = 0
    unlinked: int = 0


def apply_plan(
    conn: Connection, plan: ErasurePlan, footprint: Footprint, hash_key: bytes | None
) -> dict[str, ExecutedCounts]:
    """Apply ``plan`` in the caller's transaction; raise :class:`ErasureAbortedError` on drift."""
    bound = footprint.bound
    done: dict[str, dict[str, int]] = {
        n: {"deleted": 0, "updated": 0, "unlinked": 0} for n in plan.tables
    }
    for name, table_plan in plan.tables.items():
        table = bound.tables[name]
        touched: set[Key] = set()
        for group in table_plan.updates:
            values = {
                r.column: r.expression(table, set(group.currents.get(r.column, ())), hash_key)
                for r in group.rewrites
            }
            _expect(conn, table, group.keys, values, f"rewrite {name}")
            touched |= group.keys
        done[name]["updated"] = len(touched)
        unlinked: set[Key] = set()
        for unlink in table_plan.unlinks:
            _expect(conn, table, unlink.keys, _nulls(unlink), f"unlink {name}")
            unlinked |= unlink.keys
        done[name]["unlinked"] = len(unlinked)
    for name in plan.delete_order:
        for unlink in plan.tables[name].break_first:
            _expect(conn, bound.tables[name], unlink.keys, _nulls(unlink), f"break {name}")
    for name in plan.delete_order:
        keys = plan.tables[name].delete
        table = bound.tables[name]
        count = 0
        for condition in where_in(conn, table, table.key, keys):
            result = conn.execute(sa.delete(table.sa).where(condition))
            count += result.rowcount
        if count != len(keys):
            raise ErasureAbortedError(
                f"{name}: the plan deletes {len(keys)} rows and the database "
                f"deleted {count}; rolled back (did the data change?)"
            )
        done[name]["deleted"] = count
    _check_no_orphans(conn, bound, plan, footprint)
    return {n: ExecutedCounts(**c) for n, c in done.items()}


def _nulls(unlink: Unlink) -> dict[str, sa.ColumnElement[Any]]:
    return {c: sa.null() for c in unlink.link.child_columns}


def _expect(
    conn: Connection,
    table: BoundTable,
    keys: Collection[Key],
    values: Mapping[str, sa.ColumnElement[Any]],
    what: str,
) -> None:
    count = 0
    for condition in where_in(conn, table, table.key, keys):
        statement = sa.update(table.sa).where(condition).values(values)
        count += conn.execute(statement).rowcount
    if count != len(keys):
        raise ErasureAbortedError(
            f"{what}: the plan changes {len(keys)} rows and the database "
            f"changed {count}; rolled back (did the data change?)"
        )


def _check_no_orphans(
    conn: Connection, bound: BoundDataset, plan: ErasurePlan, footprint: Footprint
) -> None:
    """No row, in any table, may still refer to a row just deleted (SQLite: FKs may be off)."""
    for name in plan.delete_order:
        rows = footprint.tables[name]
        deleted = plan.tables[name].delete
        for link in bound.links_into(name):
            values = rows.project(set(deleted), link.parent_columns)
            if not values:
                continue
            child = bound.tables[link.child]
            for condition in where_in(conn, child, link.child_columns, values):
                statement = sa.select(sa.func.count()).select_from(child.sa).where(condition)
                left = conn.execute(statement).scalar_one()
                if left:
                    raise ErasureAbortedError(
                        f"{link.describe()}: {left} rows would be left "
                        f"pointing at deleted rows; rolled back"
                    )


__all__ = ["ExecutedCounts", "apply_plan", "normalise"]
