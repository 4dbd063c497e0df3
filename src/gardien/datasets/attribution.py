"""Whose rows: splitting the footprint of a batch of people into each person's share.

A batch of erasures is found and erased with one statement per table (set-based), but each
person's erasure report must name *their* rows, above all the rows a legal hold keeps with its
law and end date (GDPR art. 17(3)(b), art. 12(1): the answer is the person's own). The share is
computed in memory from the rows the batch already fetched, following the same identity
columns and links as :func:`gardien.datasets.traversal.find`, so it costs no statement.

Identity values are compared trimmed and case-folded, whatever the column's declaration: a
database whose collation ignores case and trailing spaces (MariaDB's default) found the row
with such a value, and the row must still be attributed to the person who asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gardien.datasets._sql import coerce, normalise
from gardien.datasets.binding import BoundLink, Key
from gardien.datasets.schema import ValueKind
from gardien.datasets.traversal import Footprint, Subject, TableRows, hop_from, traversable

Shares = dict[str, set[Key]]
"""One person's rows: table name to row keys (owned or shared in the batch's footprint)."""


def _text(value: object) -> object:
    value = normalise(value)
    return value.strip().casefold() if isinstance(value, str) else value


class _Index:
    """The batch's rows by identity value and by link value, built once for all people."""

    def __init__(self, footprint: Footprint) -> None:
        self.footprint = footprint
        self.identity: dict[str, list[tuple[str, ValueKind, dict[object, set[Key]]]]] = {}
        self.links: dict[tuple[str, tuple[str, ...]], dict[Key, set[Key]]] = {}
        for name, rows in footprint.tables.items():
            decl = rows.table.decl
            if decl is None:
                continue
            for cname, column in decl.columns.items():
                if column.identity is None:
                    continue
                by_value: dict[object, set[Key]] = {}
                kind = rows.table.column_info(cname).kind
                self.identity.setdefault(column.identity, []).append((name, kind, by_value))
                for key in rows.owned | rows.shared:
                    by_value.setdefault(_text(rows.value(key, cname)), set()).add(key)

    def by_link(self, name: str, columns: tuple[str, ...]) -> dict[Key, set[Key]]:
        index = self.links.get((name, columns))
        if index is None:
            rows = self.footprint.tables[name]
            index = {}
            for key in rows.owned | rows.shared:
                for value in rows.project({key}, columns):
                    index.setdefault(value, set()).add(key)
            self.links[name, columns] = index
        return index


def attribute(footprint: Footprint, subjects: Sequence[Subject]) -> list[Shares]:
    """Each subject's rows among the footprint found for all of them, in the same order."""
    index = _Index(footprint)
    links = traversable(footprint.bound)
    return [_share(index, links, footprint.tables, subject) for subject in subjects]


def _share(
    index: _Index,
    links: Sequence[BoundLink],
    tables: Mapping[str, TableRows],
    subject: Subject,
) -> Shares:
    mine: Shares = {}
    searched: set[tuple[str, object]] = set()
    pending = {(kind, v) for kind, values in subject.values.items() for v in values}
    frontier: dict[str, set[Key]] = {}
    while pending or frontier:
        for kind, value in pending - searched:
            searched.add((kind, value))
            for name, column_kind, by_value in index.identity.get(kind, []):
                wanted = coerce(value, column_kind)
                if wanted is None:
                    continue
                for key in by_value.get(_text(wanted), set()) - mine.get(name, set()):
                    mine.setdefault(name, set()).add(key)
                    if key in tables[name].owned:
                        frontier.setdefault(name, set()).add(key)
        pending = set()
        reached: dict[str, set[Key]] = {}
        for link in links:
            hop = hop_from(link, frontier)
            if hop is None:
                continue
            source, target, source_cols, target_cols = hop
            if source not in tables or target not in tables:
                continue
            targets = index.by_link(target, tuple(target_cols))
            for value in tables[source].project(frontier[source], source_cols):
                for key in targets.get(value, ()):
                    if key in mine.get(target, set()):
                        continue
                    mine.setdefault(target, set()).add(key)
                    if not link.shared and key in tables[target].owned:
                        reached.setdefault(target, set()).add(key)
        # Identity values on the person's own rows find rows no link reaches (as find does).
        for name, keys in reached.items():
            decl = tables[name].table.decl
            if decl is None:
                continue
            for cname, column in decl.columns.items():
                if column.identity is not None:
                    for key in keys:
                        found = tables[name].value(key, cname)
                        if found is not None:
                            pending.add((column.identity, found))
        frontier = reached
    return mine


__all__ = ["Shares", "attribute"]
