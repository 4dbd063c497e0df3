"""Access (GDPR art. 15) and portability (art. 20): the person's rows, streamed into a package.

Rows are read table by table in chunks of keys and written straight to the zip (one CSV per
table and one JSON document), so memory stays bounded however much a person has. Fides loaded
every row of a request in memory; one request could take a worker down.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.datasets._sql import where_in
from gardien.datasets.traversal import Footprint
from gardien.policy.model import Policy
from gardien.policy.taxonomy import covered_by
from gardien.policy.vocabulary import LegalBasisKind, SourceKind


@dataclass(frozen=True)
class TableExtract:
    """The person's rows of one table: the columns disclosed and a stream of rows."""

    dataset: str
    table: str
    columns: tuple[str, ...]
    rows: Iterable[Sequence[object]]
    shared: int = 0
    """How many of the rows are shared with others (disclosed, never erased)."""


def extract(
    conn: Connection,
    footprint: Footprint,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> Iterator[TableExtract]:
    """Stream each table's rows about the person; ``columns`` narrows what is disclosed."""
    for name, rows in footprint.tables.items():
        keys = rows.owned | rows.shared
        table = rows.table
        if not keys or table.decl is None:
            continue
        wanted = [c for c in table.info.columns if table.column_decl(c).disclose]
        if columns is not None:
            allowed = set(columns.get(name, ()))
            wanted = [c for c in wanted if c in allowed]
        if not wanted:
            continue
        yield TableExtract(
            footprint.bound.dataset.name,
            name,
            tuple(wanted),
            _stream(conn, footprint, name, wanted),
            len(rows.shared),
        )


def _stream(
    conn: Connection, footprint: Footprint, name: str, wanted: Sequence[str]
) -> Iterator[Sequence[object]]:
    rows = footprint.tables[name]
    table = rows.table
    order = [table.col(c) for c in table.key]
    keys = rows.owned | rows.shared
    # A server-side cursor only pays off for many rows; a person usually has a few dozen.
    options: dict[str, int] = {"yield_per": 1000} if len(keys) > 10_000 else {}
    for condition in where_in(conn, table, table.key, keys):
        statement = sa.select(*(table.col(c) for c in wanted)).where(condition).order_by(*order)
        yield from conn.execute(statement.execution_options(**options))


def portable_categories(policy: Policy, purposes: Iterable[str] | None = None) -> set[str]:
    """Categories under art. 20: provided by the person or observed, on consent or contract."""
    chosen = set(purposes) if purposes is not None else None
    portable_bases = {LegalBasisKind.CONSENT, LegalBasisKind.CONTRACT}
    from_person = {SourceKind.DATA_SUBJECT, SourceKind.AUTOMATIC}
    out: set[str] = set()
    for purpose in policy.purposes:
        if chosen is not None and purpose.id not in chosen:
            continue
        if not portable_bases & set(purpose.bases()):
            continue
        kinds = {policy.source_by_id[s].kind for s in purpose.sources if s in policy.source_by_id}
        if kinds and not kinds & from_person:
            continue
        out.update(policy.purpose_categories(purpose))
    declared = {c.id: c for c in policy.categories}
    for cid in list(out):
        category = declared.get(cid)
        if category and category.sources:
            kinds = {
                policy.source_by_id[s].kind for s in category.sources if s in policy.source_by_id
            }
            if kinds and not kinds & from_person:
                out.discard(cid)
    return out


def portable_columns(footprint: Footprint, categories: set[str]) -> dict[str, list[str]]:
    """Per table, the columns whose categories are portable."""
    out: dict[str, list[str]] = {}
    for name, rows in footprint.tables.items():
        decl = rows.table.decl
        if decl is None:
            continue
        cols = [
            c
            for c, col in decl.columns.items()
            if any(covered_by(cat, categories) for cat in col.categories)
        ]
        if cols:
            out[name] = cols
    return out


def _plain(value: object) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class AccessPackage:
    """A zip holding ``data.json`` and one CSV per table, written as rows stream in."""

    def __init__(
        self, target: str | Path | IO[bytes], meta: Mapping[str, Any] | None = None
    ) -> None:
        self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        # Closed in close() or __exit__; the JSON is spooled here while CSVs go to the zip.
        self._json = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        self._json.write(
            '{"meta": ' + json.dumps(dict(meta or {}), default=_plain) + ', "tables": ['
        )
        self._first = True
        self.counts: dict[str, int] = {}

    def add(self, extract: TableExtract) -> int:
        """Write one table's rows to its CSV and to the JSON document; returns the row count."""
        label = f"{extract.dataset}.{extract.table}"
        self._json.write(
            ("" if self._first else ", ")
            + json.dumps(
                {
                    "dataset": extract.dataset,
                    "table": extract.table,
                    "columns": list(extract.columns),
                }
            )[:-1]
            + ', "rows": ['
        )
        self._first = False
        count = 0
        with self._zip.open(f"tables/{label}.csv", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow(extract.columns)
            for row in extract.rows:
                plain = [_plain(v) for v in row]
                writer.writerow(plain)
                self._json.write(
                    ("" if count == 0 else ", ")
                    + json.dumps(dict(zip(extract.columns, plain, strict=True)))
                )
                count += 1
            text.flush()
            text.detach()
        self._json.write("]}")
        self.counts[label] = count
        return count

    def close(self) -> None:
        self._json.write("]}")
        self._json.seek(0)
        with self._zip.open("data.json", "w") as out:
            for chunk in iter(lambda: self._json.read(1 << 16), ""):
                out.write(chunk.encode("utf-8"))
        self._json.close()
        self._zip.close()

    def __enter__(self) -> AccessPackage:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._json.close()
            self._zip.close()
