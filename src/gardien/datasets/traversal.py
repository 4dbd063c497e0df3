"""Finding every row about a person: identity columns first, then links, hop by hop.

Each hop is one statement per link (``WHERE child_cols IN (values found so far)``), never a
query per row. A visited set over rows makes cycles and self-references terminate. Rows reached
through a link declared ``shared`` are candidates: they are the person's own when nothing but the
person's rows refers to them, and shared with others otherwise (an address a store also uses).
Shared rows are disclosed to the person but never traversed further, erased or masked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.datasets._sql import any_of, coerce, normalise, select_in
from gardien.datasets.binding import BoundDataset, BoundLink, BoundTable, Key
from gardien.datasets.declaration import Follow


@dataclass(frozen=True)
class Subject:
    """The identity values of one person: ``{"email": ("a@b.fr",), "customer_id": ("42",)}``."""

    values: Mapping[str, tuple[object, ...]]

    @classmethod
    def of(cls, **values: object) -> Subject:
        return cls(
            {k: tuple(v) if isinstance(v, list | tuple | set) else (v,) for k, v in values.items()}
        )


@dataclass
class TableRows:
    """The rows of one table found for the person(s), with the columns the engine needs."""

    table: BoundTable
    columns: tuple[str, ...]
    rows: dict[Key, tuple[object, ...]] = field(default_factory=dict)
    owned: set[Key] = field(default_factory=set)
    shared: set[Key] = field(default_factory=set)

    @cached_property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.columns)}

    def value(self, key: Key, column: str) -> object:
        return self.rows[key][self.index[column]]

    def project(self, keys: set[Key], columns: Sequence[str]) -> set[Key]:
        """The values of ``columns`` on these rows (rows with a NULL among them left out)."""
        rows = self.rows
        if len(columns) == 1:
            position = self.index[columns[0]]
            single = {normalise(rows[key][position]) for key in keys}
            single.discard(None)
            return {(v,) for v in single}
        positions = [self.index[c] for c in columns]
        out = set()
        for key in keys:
            row = rows[key]
            values = tuple(normalise(row[p]) for p in positions)
            if None not in values:
                out.add(values)
        return out

    @cached_property
    def _key_positions(self) -> tuple[int, ...]:
        return tuple(self.index[c] for c in self.table.key)

    def key_of(self, row: Sequence[object]) -> Key:
        positions = self._key_positions
        if len(positions) == 1:
            return (normalise(row[positions[0]]),)
        return tuple(normalise(row[p]) for p in positions)


@dataclass
class Footprint:
    """Every row about the person(s) in one database, table by table."""

    bound: BoundDataset
    tables: dict[str, TableRows]

    def counts(self) -> dict[str, int]:
        return {
            n: len(t.owned) + len(t.shared) for n, t in self.tables.items() if t.owned or t.shared
        }


def needed_columns(bound: BoundDataset, name: str) -> tuple[str, ...]:
    table = bound.tables[name]
    wanted = list(table.key)
    wanted += sorted(bound.link_columns(name))
    if table.decl is not None:
        wanted += list(table.decl.columns)
        if table.decl.retention is not None:
            wanted += [h.event_column for h in table.decl.retention.holds]
    return tuple(dict.fromkeys(wanted))


def traversable(bound: BoundDataset) -> list[BoundLink]:
    declared = set(bound.declared)
    return [
        link
        for link in bound.links
        if link.follow is not Follow.NONE and link.child in declared and link.parent in declared
    ]


Hop = tuple[str, str, tuple[str, ...], tuple[str, ...]]
"""Source table, target table, the source's and the target's columns of a link."""


def hop_from(link: BoundLink, frontier: Mapping[str, object]) -> Hop | None:
    """The way a link is followed from the tables just reached, or None if it is not."""
    if link.follow is Follow.TO_CHILD and link.parent in frontier:
        return link.parent, link.child, tuple(link.parent_columns), tuple(link.child_columns)
    if link.follow is Follow.TO_PARENT and link.child in frontier:
        return link.child, link.parent, tuple(link.child_columns), tuple(link.parent_columns)
    return None


def find(conn: Connection, bound: BoundDataset, subjects: Sequence[Subject]) -> Footprint:
    """Find the rows of every declared table that are about the given people."""
    tables = {n: TableRows(bound.tables[n], needed_columns(bound, n)) for n in bound.declared}
    known: dict[str, set[object]] = {}
    for subject in subjects:
        for kind, given in subject.values.items():
            known.setdefault(kind, set()).update(given)
    frontier = _lookup(conn, tables, known)
    searched = {kind: set(values) for kind, values in known.items()}
    candidates: dict[str, set[Key]] = {}
    links = traversable(bound)
    while frontier:
        reached: dict[str, set[Key]] = {}
        for link in links:
            hop = hop_from(link, frontier)
            if hop is None:
                continue
            source, target, source_cols, target_cols = hop
            link_values = tables[source].project(frontier[source], source_cols)
            if not link_values:
                continue
            rows = tables[target]
            for row in select_in(conn, rows.table, rows.columns, target_cols, link_values):
                key = rows.key_of(row)
                rows.rows.setdefault(key, tuple(row))
                if link.shared:
                    candidates.setdefault(target, set()).add(key)
                elif key not in rows.owned:
                    rows.owned.add(key)
                    reached.setdefault(target, set()).add(key)
        # Identity values found on the person's rows (the email on their customer row) find
        # their rows in tables no link reaches (a visit log keyed by email).
        fresh = _harvest(tables, frontier, searched)
        if fresh:
            for name, keys in _lookup(conn, tables, fresh).items():
                reached.setdefault(name, set()).update(keys)
        frontier = reached
    for name, keys in candidates.items():
        rows = tables[name]
        pending = keys - rows.owned
        if pending:
            others = referenced_by_others(conn, bound, tables, name, pending)
            rows.shared |= others
            rows.owned |= pending - others
    return Footprint(bound, tables)


def _harvest(
    tables: Mapping[str, TableRows],
    found: Mapping[str, set[Key]],
    searched: dict[str, set[object]],
) -> dict[str, set[object]]:
    """Identity values on newly found rows that have not been searched for yet."""
    fresh: dict[str, set[object]] = {}
    for name, keys in found.items():
        rows = tables[name]
        decl = rows.table.decl
        if decl is None:
            continue
        for cname, column in decl.columns.items():
            if column.identity is None:
                continue
            for key in keys & rows.owned:
                value = rows.value(key, cname)
                if value is None:
                    continue
                text = str(value).lower() if column.case_insensitive else str(value)
                if text not in searched.setdefault(column.identity, set()):
                    searched[column.identity].add(text)
                    fresh.setdefault(column.identity, set()).add(text)
    return fresh


def _lookup(
    conn: Connection, tables: Mapping[str, TableRows], values: Mapping[str, set[object]]
) -> dict[str, set[Key]]:
    """Rows found by identity values, one statement per table; returns the newly owned."""
    found: dict[str, set[Key]] = {}
    for name, rows in tables.items():
        new = _by_identity(conn, rows, values) - rows.owned
        if new:
            rows.owned |= new
            found[name] = new
    return found


def _by_identity(conn: Connection, rows: TableRows, known: Mapping[str, set[object]]) -> set[Key]:
    table = rows.table
    if table.decl is None:
        return set()
    conditions: list[sa.ColumnElement[bool]] = []
    for cname, column in table.decl.columns.items():
        if column.identity is None:
            continue
        kind = table.column_info(cname).kind
        values = {coerce(v, kind) for v in known.get(column.identity, ())}
        values.discard(None)
        if not values:
            continue
        col = table.col(cname)
        if column.case_insensitive:
            lowered = sorted({str(v).lower() for v in values})
            conditions.append(any_of(conn, sa.func.lower(col), lowered))
        else:
            conditions.append(any_of(conn, col, sorted(values, key=repr)))
    if not conditions:
        return set()
    statement = sa.select(*(table.col(c) for c in rows.columns)).where(sa.or_(*conditions))
    found = set()
    for row in conn.execute(statement):
        key = rows.key_of(row)
        rows.rows.setdefault(key, tuple(row))
        found.add(key)
    return found


def referenced_by_others(
    conn: Connection,
    bound: BoundDataset,
    tables: Mapping[str, TableRows],
    name: str,
    keys: set[Key],
    also_mine: Mapping[str, set[Key]] | None = None,
) -> set[Key]:
    """The rows among ``keys`` that some row outside the person's own rows refers to.

    ``also_mine`` narrows "the person's own rows" (by default every owned row) to, e.g., the
    rows an erasure deletes: a row still needed by one that stays must stay too.
    """
    rows = tables[name]
    blocked: set[Key] = set()
    for link in bound.links_into(name):
        parent_values: dict[Key, set[Key]] = {}
        for key in keys:
            value = tuple(normalise(rows.value(key, c)) for c in link.parent_columns)
            if None not in value:
                parent_values.setdefault(value, set()).add(key)
        if not parent_values:
            continue
        child = bound.tables[link.child]
        mine = (
            (also_mine or {}).get(link.child)
            if also_mine is not None
            else (tables[link.child].owned if link.child in tables else set())
        )
        mine = mine or set()
        if conn.dialect.name == "postgresql" and len(child.key) == 1 and mine:
            # Let the database skip the person's own rows: only the blockers come back.
            exclude = any_of(conn, child.col(child.key[0]), [k[0] for k in mine])
            for row in select_in(
                conn,
                child,
                link.child_columns,
                link.child_columns,
                parent_values,
                extra=~exclude,
                distinct=True,
            ):
                blocked |= parent_values.get(tuple(normalise(v) for v in row), set())
            continue
        fetch = tuple(dict.fromkeys((*child.key, *link.child_columns)))
        key_len = len(child.key)
        for row in select_in(conn, child, fetch, link.child_columns, parent_values):
            child_key = tuple(normalise(v) for v in row[:key_len])
            if child_key in mine:
                continue
            value = tuple(normalise(row[fetch.index(c)]) for c in link.child_columns)
            blocked |= parent_values.get(value, set())
    return blocked
