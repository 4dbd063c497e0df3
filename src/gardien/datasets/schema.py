"""The live schema of a database, read by reflection: tables, columns, keys, foreign keys.

Kept as plain frozen values so that planning an erasure is a pure function of the declaration,
this schema and the rows found. PostgreSQL partitions are folded into their parent: a query on
the parent sees every partition, and foreign keys declared only on the partitions (Pagila's
``payment_p2022_01`` …) are lifted to the parent so that no link is missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


class ValueKind(StrEnum):
    """The families of column types a mask must fit."""

    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    FLOAT = "float"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    BINARY = "binary"
    OTHER = "other"


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    kind: ValueKind
    type_name: str
    nullable: bool
    length: int | None = None
    unique: bool = False
    autoincrement: bool = False


@dataclass(frozen=True)
class ForeignKey:
    """``table.columns`` reference ``parent.parent_columns``; ``ondelete`` as the DB says."""

    table: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    ondelete: str | None = None


@dataclass(frozen=True)
class TableInfo:
    key: str
    """``schema.name`` when a schema is named, else ``name``."""
    schema: str | None
    name: str
    columns: dict[str, ColumnInfo]
    primary_key: tuple[str, ...]
    partitions: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveSchema:
    dialect: str
    tables: dict[str, TableInfo]
    foreign_keys: tuple[ForeignKey, ...]
    partition_of: dict[str, str] = field(default_factory=dict)

    def referencing(self, parent: str) -> list[ForeignKey]:
        return [fk for fk in self.foreign_keys if fk.parent == parent]


def table_key(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def value_kind(column_type: sa.types.TypeEngine[Any]) -> ValueKind:
    checks: list[tuple[type[sa.types.TypeEngine[Any]], ValueKind]] = [
        (sa.Boolean, ValueKind.BOOLEAN),
        (sa.Integer, ValueKind.INTEGER),
        (sa.Float, ValueKind.FLOAT),
        (sa.Numeric, ValueKind.DECIMAL),
        (sa.DateTime, ValueKind.DATETIME),
        (sa.Date, ValueKind.DATE),
        (sa.String, ValueKind.TEXT),
        (sa.LargeBinary, ValueKind.BINARY),
        (sa.Enum, ValueKind.TEXT),
    ]
    for base, kind in checks:
        if isinstance(column_type, base):
            return kind
    name = type(column_type).__name__.upper()
    if "MONEY" in name:
        return ValueKind.DECIMAL
    if "TEXT" in name or "CHAR" in name or "CITEXT" in name:
        return ValueKind.TEXT
    return ValueKind.OTHER


def _sqlite_unique_columns(conn: Connection, name: str, schema: str | None) -> set[str]:
    """Single columns SQLite keeps unique through its own indexes: a ``UNIQUE`` written in a
    column's definition, which SQLAlchemy's inspector does not report (it reads table-level
    constraints and skips SQLite's automatic indexes)."""
    prefix = f'"{schema}".' if schema else ""
    quoted = name.replace('"', '""')
    found: set[str] = set()
    for index in conn.execute(sa.text(f'PRAGMA {prefix}index_list("{quoted}")')).mappings():
        if not index["unique"] or index["origin"] == "pk":
            continue
        index_name = str(index["name"]).replace('"', '""')
        columns = conn.execute(sa.text(f'PRAGMA {prefix}index_info("{index_name}")')).mappings()
        names = [c["name"] for c in columns]
        if len(names) == 1 and names[0] is not None:
            found.add(str(names[0]))
    return found


def reflect(
    conn: Connection,
    schemas: Iterable[str | None] = (None,),
    progress: Callable[[int, int], None] | None = None,
) -> LiveSchema:
    """Read every table of the given schemas (``None``: the connection's default schema)."""
    inspector = sa.inspect(conn)
    dialect = conn.dialect.name
    tables: dict[str, TableInfo] = {}
    fks: list[ForeignKey] = []
    partition_of = _pg_partitions(conn) if dialect == "postgresql" else {}
    default = inspector.default_schema_name
    names: list[tuple[str | None, str]] = []
    for schema in dict.fromkeys(schemas):
        for name in inspector.get_table_names(schema=schema):
            names.append((schema, name))
    for done, (schema, name) in enumerate(names, 1):
        if progress:
            progress(done, len(names))
        key = table_key(schema, name)
        qualified = table_key(schema or default, name)
        if qualified in partition_of:
            continue
        pk = tuple(
            inspector.get_pk_constraint(name, schema=schema).get("constrained_columns") or ()
        )
        uniques = {
            u["column_names"][0]
            for u in inspector.get_unique_constraints(name, schema=schema)
            if len(u["column_names"]) == 1
        }
        uniques |= {
            str(ix["column_names"][0])
            for ix in inspector.get_indexes(name, schema=schema)
            if ix.get("unique") and len(ix["column_names"]) == 1 and ix["column_names"][0]
        }
        if dialect == "sqlite":
            uniques |= _sqlite_unique_columns(conn, name, schema)
        if len(pk) == 1:
            uniques.add(pk[0])
        columns = {}
        for col in inspector.get_columns(name, schema=schema):
            ctype = col["type"]
            columns[col["name"]] = ColumnInfo(
                name=col["name"],
                kind=value_kind(ctype),
                type_name=str(ctype.compile(dialect=conn.dialect)),
                nullable=bool(col.get("nullable", True)) and col["name"] not in pk,
                length=getattr(ctype, "length", None),
                unique=col["name"] in uniques,
                autoincrement=bool(col.get("autoincrement")) is True,
            )
        parts = tuple(p for p, parent in partition_of.items() if parent == qualified)
        tables[key] = TableInfo(key, schema, name, columns, pk, parts)
        for reflected in inspector.get_foreign_keys(name, schema=schema):
            fks.append(_foreign_key(key, reflected, schema, default))
        for part in parts:
            part_schema, part_name = part.split(".", 1)
            for reflected in inspector.get_foreign_keys(part_name, schema=part_schema):
                fks.append(_foreign_key(key, reflected, schema, default))
    # Keep one link per (child, columns, parent) and only links whose parent was reflected.
    seen: dict[tuple[str, tuple[str, ...], str, tuple[str, ...]], ForeignKey] = {}
    for found in fks:
        parent = found.parent
        if parent not in tables and table_key(None, parent.split(".")[-1]) in tables:
            parent = parent.split(".")[-1]
        if parent in tables:
            fixed = ForeignKey(
                found.table, found.columns, parent, found.parent_columns, found.ondelete
            )
            seen.setdefault((fixed.table, fixed.columns, fixed.parent, fixed.parent_columns), fixed)
    return LiveSchema(dialect, tables, tuple(seen.values()), partition_of)


def _foreign_key(
    key: str,
    fk: sa.engine.interfaces.ReflectedForeignKeyConstraint,
    schema: str | None,
    default: str | None,
) -> ForeignKey:
    ref_schema = fk.get("referred_schema")
    if ref_schema == default and schema is None:
        ref_schema = None
    parent = table_key(ref_schema if ref_schema is not None else schema, fk["referred_table"])
    ondelete = (fk.get("options") or {}).get("ondelete")
    return ForeignKey(
        key,
        tuple(fk["constrained_columns"]),
        parent,
        tuple(fk["referred_columns"]),
        str(ondelete).upper() if ondelete else None,
    )


def _pg_partitions(conn: Connection) -> dict[str, str]:
    rows = conn.execute(
        sa.text(
            "SELECT cn.nspname || '.' || c.relname, pn.nspname || '.' || p.relname "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_namespace cn ON cn.oid = c.relnamespace "
            "JOIN pg_class p ON p.oid = i.inhparent "
            "JOIN pg_namespace pn ON pn.oid = p.relnamespace "
            "WHERE p.relkind = 'p'"
        )
    )
    return {str(child): str(parent) for child, parent in rows}
