"""A portable dump of Gardien's tables as JSON lines, for PostgreSQL (or any engine).

Written in one REPEATABLE READ, read-only transaction, so the dump is one consistent snapshot
while the service keeps writing. Loaded back in one transaction: the schema is rebuilt by the
migrations at the revisions the dump was taken at, rows are inserted in foreign-key order,
sequences are moved past the restored ids, and the caller replays the shred journal before
committing. Only tables named ``gardien_*`` are touched; the organisation's own tables that may
share the database are neither dumped nor dropped.

Layout, one JSON document per line: for each table ``{"table": NAME, "columns": [...],
"codecs": [...]}`` then one array per row. Codecs: ``b`` base64 bytes, ``t`` ISO datetime,
``d`` ISO date, ``n`` decimal text, ``-`` as is (JSON columns included).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from gardien.storage.migrate import MIGRATIONS
from gardien.storage.migrations import VERSION_TABLE
from gardien.vault.errors import RestoreRefusedError

PREFIX = "gardien_"
_ROWS_PER_INSERT = 1000
_EMPTY_WHEN_FRESH = {VERSION_TABLE, "gardien_audit_head"}
"""Tables that a freshly migrated database already fills: they do not make it 'non-empty'."""


def gardien_tables(conn: Connection) -> list[str]:
    return sorted(t for t in sa.inspect(conn).get_table_names() if t.startswith(PREFIX))


def has_data(conn: Connection) -> bool:
    """Whether a restore here would overwrite something: any Gardien row beyond a fresh schema."""
    for name in gardien_tables(conn):
        if name in _EMPTY_WHEN_FRESH:
            continue
        probe = sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)
        if conn.execute(probe).first() is not None:
            return True
    return False


def dump_tables(engine: Engine) -> Iterator[bytes]:
    """Every Gardien table as JSON lines, from one consistent snapshot."""
    options: dict[str, object] = {"stream_results": True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
        options["postgresql_readonly"] = True
    with engine.connect() as conn, conn.execution_options(**options).begin():
        meta = sa.MetaData()
        meta.reflect(conn, only=gardien_tables(conn))
        for table in meta.sorted_tables:
            columns = list(table.columns)
            codecs = [_codec(column.type) for column in columns]
            header = {"table": table.name, "columns": [c.name for c in columns], "codecs": codecs}
            yield _line(header)
            order = list(table.primary_key.columns) or columns[:1]
            result = conn.execute(sa.select(table).order_by(*order)).yield_per(_ROWS_PER_INSERT)
            for row in result:
                yield _line(
                    [_encode(codec, value) for codec, value in zip(codecs, row, strict=True)]
                )


def load_tables(
    conn: Connection, source: BinaryIO, revisions: Iterable[str], *, force: bool
) -> int:
    """Rebuild the Gardien tables from a dump, in the caller's transaction; rows loaded."""
    existing = gardien_tables(conn)
    if existing and has_data(conn) and not force:
        raise RestoreRefusedError(
            "the database already holds Gardien data; restoring would replace it: "
            "pass --force to replace it, or restore into an empty database"
        )
    if existing:
        meta = sa.MetaData()
        meta.reflect(conn, only=existing)
        meta.drop_all(conn)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    for revision in sorted(revisions):
        try:
            command.upgrade(config, revision)
        except Exception as exc:  # alembic reports an unknown revision with its own types
            raise RestoreRefusedError(
                f"the backup's schema revision {revision!r} is unknown to this Gardien "
                f"({type(exc).__name__}); restore it with the version that made it"
            ) from None
    meta = sa.MetaData()
    meta.reflect(conn, only=gardien_tables(conn))
    for table in reversed(meta.sorted_tables):
        conn.execute(table.delete())
    return _insert_rows(conn, meta, source)


def _insert_rows(conn: Connection, meta: sa.MetaData, source: BinaryIO) -> int:
    table: sa.Table | None = None
    columns: list[str] = []
    codecs: list[str] = []
    batch: list[dict[str, object]] = []
    loaded = 0
    for number, raw in enumerate(source, start=1):
        document = _parse(raw, number)
        if isinstance(document, dict):
            if table is not None and batch:
                conn.execute(table.insert(), batch)
            batch = []
            name = str(document.get("table"))
            if name not in meta.tables:
                raise RestoreRefusedError(f"the backup has a table {name!r} its schema lacks")
            table = meta.tables[name]
            columns = [str(c) for c in _as_list(document.get("columns"))]
            codecs = [str(c) for c in _as_list(document.get("codecs"))]
            continue
        if table is None or len(document) != len(columns):
            raise RestoreRefusedError(f"the dump's line {number} is not a row of its table")
        batch.append({c: _decode(k, v) for c, k, v in zip(columns, codecs, document, strict=True)})
        loaded += 1
        if len(batch) >= _ROWS_PER_INSERT:
            conn.execute(table.insert(), batch)
            batch = []
    if table is not None and batch:
        conn.execute(table.insert(), batch)
    if conn.dialect.name == "postgresql":
        _reset_sequences(conn, meta)
    return loaded


def _reset_sequences(conn: Connection, meta: sa.MetaData) -> None:
    for table in meta.sorted_tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": table.name, "c": column.name},
            ).scalar()
            if sequence:
                highest = sa.func.max(table.c[column.name])
                conn.execute(
                    sa.select(
                        sa.func.setval(sequence, sa.func.coalesce(highest, 1), highest.is_not(None))
                    ).select_from(table)
                )


def _codec(kind: sa.types.TypeEngine[object]) -> str:
    if isinstance(kind, sa.JSON):
        return "-"
    if isinstance(kind, sa.LargeBinary):
        return "b"
    if isinstance(kind, sa.DateTime):
        return "t"
    if isinstance(kind, sa.Date):
        return "d"
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return "n"
    return "-"


def _encode(codec: str, value: object) -> object:
    if value is None:
        return None
    if codec == "b" and isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if codec in ("t", "d") and isinstance(value, date):
        return value.isoformat()
    if codec == "n":
        return str(value)
    return value


def _decode(codec: str, value: object) -> object:
    if value is None:
        return None
    if codec == "b":
        return base64.b64decode(str(value))
    if codec == "t":
        return datetime.fromisoformat(str(value))
    if codec == "d":
        return date.fromisoformat(str(value))
    if codec == "n":
        return Decimal(str(value))
    return value


def _line(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


def _parse(raw: bytes, number: int) -> dict[str, object] | list[object]:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        raise RestoreRefusedError(f"the dump's line {number} is not JSON") from None
    if not isinstance(document, dict | list):
        raise RestoreRefusedError(f"the dump's line {number} is not a table or a row")
    return document


def _as_list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise RestoreRefusedError("the dump has a table without its list of columns")
    return value
