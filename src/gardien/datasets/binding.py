"""A declaration bound to a live schema: real table names, row keys, and every link.

Binding is where the declaration meets the database: a declared table or column that does not
exist is reported here, at start-up, never halfway through an erasure. Links come from two
places: the foreign keys the database declares (followed ``to_child`` unless the declaration
says otherwise) and the links the declaration adds where the database has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import ColumnClause

from gardien.datasets.declaration import Column, Dataset, Follow, Table, split_ref
from gardien.datasets.errors import DatasetMismatchError
from gardien.datasets.schema import ColumnInfo, LiveSchema, TableInfo, table_key

Key = tuple[object, ...]


@dataclass(frozen=True)
class BoundLink:
    """Rows of ``child`` whose ``child_columns`` equal ``parent_columns`` of a ``parent`` row."""

    child: str
    child_columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    follow: Follow
    shared: bool = False
    ondelete: str | None = None
    declared: bool = False

    def describe(self) -> str:
        return (
            f"{self.child}.{'+'.join(self.child_columns)} -> "
            f"{self.parent}.{'+'.join(self.parent_columns)}"
        )


@dataclass(frozen=True)
class BoundTable:
    """One table as the engine sees it: declared columns (if any) and the live ones."""

    name: str
    info: TableInfo
    decl: Table | None

    @cached_property
    def key(self) -> tuple[str, ...]:
        """The columns that identify a row: declared, primary key, a unique column, or all."""
        if self.decl is not None and self.decl.primary_key:
            return tuple(self.decl.primary_key)
        if self.info.primary_key:
            return self.info.primary_key
        unique = [c.name for c in self.info.columns.values() if c.unique and not c.nullable]
        if unique:
            return (unique[0],)
        return tuple(self.info.columns)

    @cached_property
    def sa(self) -> sa.TableClause:
        return sa.table(
            self.info.name, *(sa.column(c) for c in self.info.columns), schema=self.info.schema
        )

    def col(self, name: str) -> ColumnClause[Any]:
        column: ColumnClause[Any] = self.sa.c[name]
        return column

    def column_decl(self, name: str) -> Column:
        if self.decl is not None and name in self.decl.columns:
            return self.decl.columns[name]
        return Column()

    def column_info(self, name: str) -> ColumnInfo:
        return self.info.columns[name]


@dataclass(frozen=True)
class BoundDataset:
    dataset: Dataset
    schema: LiveSchema
    tables: dict[str, BoundTable]
    """Declared tables by their declared name, then undeclared ones by their live key."""
    links: tuple[BoundLink, ...]

    @cached_property
    def declared(self) -> tuple[str, ...]:
        return tuple(n for n, t in self.tables.items() if t.decl is not None)

    def links_into(self, parent: str) -> list[BoundLink]:
        return [link for link in self.links if link.parent == parent]

    def link_columns(self, table: str) -> set[str]:
        out: set[str] = set()
        for link in self.links:
            if link.child == table:
                out.update(link.child_columns)
            if link.parent == table:
                out.update(link.parent_columns)
        return out


def schemas_of(dataset: Dataset) -> list[str | None]:
    return list(dict.fromkeys(dataset.qualified(name)[0] for name in dataset.tables))


def bind(dataset: Dataset, live: LiveSchema) -> BoundDataset:
    """Match the declaration to the live schema, or raise :class:`DatasetMismatchError`."""
    problems: list[str] = []
    tables: dict[str, BoundTable] = {}
    live_to_name: dict[str, str] = {}
    for name, decl in dataset.tables.items():
        schema, bare = dataset.qualified(name)
        info = live.tables.get(table_key(schema, bare))
        if info is None:
            problems.append(f"table {name!r} is declared but not in the database")
            continue
        missing = [c for c in decl.columns if c not in info.columns]
        missing += [c for c in decl.primary_key or () if c not in info.columns]
        problems += [f"column {name}.{c} is declared but not in the database" for c in missing]
        tables[name] = BoundTable(name, info, decl)
        live_to_name[info.key] = name
    for key, info in live.tables.items():
        if key not in live_to_name:
            tables[key] = BoundTable(key, info, None)
            live_to_name[key] = key
    declared_links: dict[tuple[str, tuple[str, ...], str, tuple[str, ...]], BoundLink] = {}
    for link in dataset.links:
        child, child_cols = split_ref(link.child)
        parent, parent_cols = split_ref(link.parent)
        for table, cols in ((child, child_cols), (parent, parent_cols)):
            bound = tables.get(table)
            if bound is None:
                if table not in dataset.tables:  # a declared table that is missing: said once
                    problems.append(f"link {link.child} -> {link.parent}: no table {table!r}")
            else:
                problems += [
                    f"link {link.child} -> {link.parent}: no column {table}.{c}"
                    for c in cols
                    if c not in bound.info.columns
                ]
        declared_links[(child, child_cols, parent, parent_cols)] = BoundLink(
            child, child_cols, parent, parent_cols, link.follow, link.shared, None, True
        )
    if problems:
        raise DatasetMismatchError(
            f"dataset {dataset.name!r} does not match the database: " + "; ".join(problems)
        )
    links: list[BoundLink] = []
    # Reflected foreign keys always count for integrity; ``reflect_links: false`` only stops
    # the traversal from following them.
    default_follow = Follow.TO_CHILD if dataset.reflect_links else Follow.NONE
    for fk in live.foreign_keys:
        child, parent = live_to_name[fk.table], live_to_name[fk.parent]
        ident = (child, fk.columns, parent, fk.parent_columns)
        override = declared_links.pop(ident, None)
        if override is not None:
            links.append(BoundLink(*ident, override.follow, override.shared, fk.ondelete, True))
        else:
            links.append(BoundLink(*ident, default_follow, False, fk.ondelete, False))
    links.extend(declared_links.values())
    return BoundDataset(dataset, live, tables, tuple(links))
