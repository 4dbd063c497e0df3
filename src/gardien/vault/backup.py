"""Encrypted backups of Gardien's own database, verified, and restored without reviving anyone.

``create_backup`` takes one consistent snapshot (SQLite: the online backup API; PostgreSQL: the
tables as JSON lines from one REPEATABLE READ transaction, :mod:`.table_dump`) and encrypts it
with :func:`~gardien.vault.backup_format.write_encrypted` (GDPR art. 32(1)(a), (c)). The vault
items are rows of that database, so the backup is whole. ``restore_backup`` decrypts to a
temporary file, checks it, replays the shred journal onto it (:mod:`.replay`), and only then
replaces the database: an erasure made after the backup is never undone (art. 17).

The decrypted content starts with one JSON line saying what follows::

    {"format": "gardien-backup-payload", "version": 1, "engine": "sqlite",
     "content": "sqlite-file" | "json-tables", "revisions": [...], "created_at": ISO-8601}
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, cast

from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import AuditTrail, Pending
from gardien.storage import create_engine, current_revisions, read_transaction, write_transaction
from gardien.vault.backup_format import BackupManifest, read_encrypted, write_encrypted
from gardien.vault.errors import BackupIOError, RestoreRefusedError
from gardien.vault.events import BackupRestored
from gardien.vault.journal import ShredJournal
from gardien.vault.keys import MasterKeyProvider
from gardien.vault.replay import ReplayCounts, replay_journal
from gardien.vault.store import audit_trail_for
from gardien.vault.table_dump import dump_tables, has_data, load_tables

PAYLOAD_FORMAT = "gardien-backup-payload"
PAYLOAD_VERSION = 1
_MAX_PAYLOAD_HEADER = 64 * 1024
_COPY_CHUNK = 1024 * 1024


class PayloadContent(StrEnum):
    SQLITE_FILE = "sqlite-file"
    JSON_TABLES = "json-tables"


@dataclass(frozen=True)
class BackupContents:
    """What a backup holds, as its decrypted first line says."""

    engine: str
    content: PayloadContent
    revisions: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class BackupReport:
    """A backup written or verified: where, its checked manifest, and what it holds."""

    path: Path
    manifest: BackupManifest
    contents: BackupContents


@dataclass(frozen=True)
class RestoreReport:
    """A restore done, and how much of the shred journal had to be applied to it."""

    manifest: BackupManifest
    contents: BackupContents
    owners_shredded_again: int
    people_erased_again: int


def create_backup(engine: Engine, provider: MasterKeyProvider, output: Path) -> BackupReport:
    """Write an encrypted snapshot of the database to ``output`` (atomically: all or nothing)."""
    at = datetime.now(UTC)
    contents = BackupContents(
        engine=engine.dialect.name,
        content=(
            PayloadContent.SQLITE_FILE
            if engine.dialect.name == "sqlite"
            else PayloadContent.JSON_TABLES
        ),
        revisions=tuple(sorted(current_revisions(engine))),
        created_at=at,
    )
    partial = output.with_name(f".{output.name}.{secrets.token_hex(4)}.part")
    try:
        with (
            _payload(engine, contents) as source,
            _opened(partial, "wb", "write the backup to", shown=output) as dest,
        ):
            try:
                manifest = write_encrypted(source, dest, provider, created_at=at)
                os.fsync(dest.fileno())
            except OSError as exc:
                raise BackupIOError(output, "write the backup to", exc) from None
        try:
            os.replace(partial, output)
        except OSError as exc:
            raise BackupIOError(output, "write the backup to", exc) from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(output, manifest, contents)


def verify_backup(path: Path, provider: MasterKeyProvider) -> BackupReport:
    """Check every byte of a backup and read what it holds, writing nothing."""
    with _opened(path, "rb", "read the backup") as source:
        split = _SplitWriter(None)
        manifest = _read(source, split, provider, path)
    return BackupReport(path, manifest, split.contents())


def restore_backup(
    path: Path,
    engine: Engine,
    provider: MasterKeyProvider,
    journal: ShredJournal,
    *,
    force: bool = False,
    actor: str = "gardien",
) -> RestoreReport:
    """Replace the database by a backup, with every journalled erasure applied again first.

    Refuses (:class:`RestoreRefusedError`) to replace a database holding Gardien data unless
    ``force``; the journal is read and checked before anything else is touched.
    """
    entries = journal.entries()
    key_id = provider.current().key_id
    trail = audit_trail_for(provider)
    at = datetime.now(UTC)
    if engine.dialect.name == "sqlite":
        target = _sqlite_path(engine)
        _refuse_if_not_empty(engine, force)
        scratch = _scratch(target.parent, ".gardien-restore-", ".db")
        try:
            with (
                _opened(path, "rb", "read the backup") as source,
                _opened(scratch, "wb", "write a temporary file in") as body,
            ):
                split = _SplitWriter(body)
                manifest = _read(source, split, provider, path)
            contents = split.contents()
            _expect(contents, PayloadContent.SQLITE_FILE)
            _check_sqlite(scratch)
            restored = create_engine(f"sqlite:///{scratch}")
            try:
                with write_transaction(restored) as conn:
                    counts = replay_journal(conn, entries, tombstone_key_id=key_id)
                    _audit(trail, conn, manifest, counts, actor, at)
            finally:
                restored.dispose()
            engine.dispose()
            _copy_sqlite(scratch, target)
        finally:
            for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
                leftover.unlink(missing_ok=True)
        return RestoreReport(
            manifest, contents, counts.owners_shredded_again, counts.people_erased_again
        )
    scratch = _scratch(Path(tempfile.gettempdir()), ".gardien-restore-", ".jsonl")
    try:
        with (
            _opened(path, "rb", "read the backup") as source,
            _opened(scratch, "wb", "write a temporary file in") as body,
        ):
            split = _SplitWriter(body)
            manifest = _read(source, split, provider, path)
        contents = split.contents()
        _expect(contents, PayloadContent.JSON_TABLES)
        with write_transaction(engine) as conn, _opened(scratch, "rb", "read") as dump:
            load_tables(conn, dump, contents.revisions, force=force)
            counts = replay_journal(conn, entries, tombstone_key_id=key_id)
            _audit(trail, conn, manifest, counts, actor, at)
    finally:
        scratch.unlink(missing_ok=True)
    return RestoreReport(
        manifest, contents, counts.owners_shredded_again, counts.people_erased_again
    )


# --- payload -------------------------------------------------------------------------------


@contextlib.contextmanager
def _payload(engine: Engine, contents: BackupContents) -> Iterator[BinaryIO]:
    header = {
        "format": PAYLOAD_FORMAT,
        "version": PAYLOAD_VERSION,
        "engine": contents.engine,
        "content": contents.content.value,
        "revisions": list(contents.revisions),
        "created_at": contents.created_at.isoformat(),
    }
    first = json.dumps(header, sort_keys=True).encode("utf-8") + b"\n"
    if contents.content is PayloadContent.JSON_TABLES:
        yield _reader(_chain(first, dump_tables(engine)))
        return
    database = _sqlite_path(engine)
    snapshot = _scratch(database.parent, ".gardien-snapshot-", ".db")
    try:
        _copy_sqlite(database, snapshot)
        with _opened(snapshot, "rb", "read the snapshot") as handle:
            yield _reader(_chain(first, iter(lambda: handle.read(_COPY_CHUNK), b"")))
    finally:
        snapshot.unlink(missing_ok=True)


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


class _IteratorReader(io.RawIOBase):
    """A readable stream over an iterator of byte strings (no temporary copy of the dump)."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            part = next(self._parts, None)
            if part is None:
                return 0
            self._pending = part
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


def _reader(parts: Iterator[bytes]) -> BinaryIO:
    return cast(BinaryIO, io.BufferedReader(_IteratorReader(parts), buffer_size=_COPY_CHUNK))


class _SplitWriter:
    """Takes the decrypted stream: the first line is the payload header, the rest the body."""

    def __init__(self, body: BinaryIO | None) -> None:
        self._body = body
        self._header = bytearray()
        self._done = False

    def write(self, data: bytes) -> int:
        if not self._done:
            cut = data.find(b"\n")
            if cut < 0:
                self._header += data
                if len(self._header) > _MAX_PAYLOAD_HEADER:
                    raise RestoreRefusedError("the backup's content has no readable header line")
                return len(data)
            self._header += data[:cut]
            self._done = True
            data = data[cut + 1 :]
        if self._body is not None and data:
            self._body.write(data)
        return len(data)

    def flush(self) -> None:
        if self._body is not None:
            self._body.flush()

    def contents(self) -> BackupContents:
        try:
            fields = json.loads(bytes(self._header))
            if fields.get("format") != PAYLOAD_FORMAT or fields.get("version") != PAYLOAD_VERSION:
                raise ValueError("not a Gardien backup payload")
            return BackupContents(
                engine=str(fields["engine"]),
                content=PayloadContent(fields["content"]),
                revisions=tuple(str(r) for r in fields["revisions"]),
                created_at=datetime.fromisoformat(fields["created_at"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise RestoreRefusedError(
                f"the backup decrypts, but its content is not a Gardien database ({exc})"
            ) from None


def _read(
    source: BinaryIO, split: _SplitWriter, provider: MasterKeyProvider, path: Path
) -> BackupManifest:
    try:
        return read_encrypted(source, cast(BinaryIO, split), provider)
    except OSError as exc:
        raise BackupIOError(path, "restore from", exc) from None


def _expect(contents: BackupContents, wanted: PayloadContent) -> None:
    if contents.content is not wanted:
        raise RestoreRefusedError(
            f"this backup holds a {contents.engine} database ({contents.content.value}); "
            f"it cannot be restored into this one: configure a {contents.engine} database"
        )


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise RestoreRefusedError("an in-memory SQLite database has no file to back up or restore")
    return Path(database)


def _copy_sqlite(source: Path, dest: Path) -> None:
    """Copy a live database with SQLite's online backup API: one consistent snapshot."""
    try:
        with (
            contextlib.closing(sqlite3.connect(source)) as src,
            contextlib.closing(sqlite3.connect(dest)) as dst,
        ):
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupIOError(dest, f"copy the SQLite database {source} to", str(exc)) from None


def _check_sqlite(path: Path) -> None:
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.Error as exc:
        raise RestoreRefusedError(f"the backup's database does not open: {exc}") from None
    if not verdict or verdict[0] != "ok":
        raise RestoreRefusedError(f"the backup's database fails its integrity check: {verdict}")


def _refuse_if_not_empty(engine: Engine, force: bool) -> None:
    if force:
        return
    if engine.dialect.name == "sqlite" and not _sqlite_path(engine).exists():
        return
    with read_transaction(engine) as conn:
        if has_data(conn):
            raise RestoreRefusedError(
                "the database already holds Gardien data; restoring would replace it: "
                "pass --force to replace it, or restore into an empty database"
            )


# --- files and audit ---------------------------------------------------------------------------


def _scratch(folder: Path, prefix: str, suffix: str) -> Path:
    try:
        descriptor, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    except OSError as exc:
        raise BackupIOError(folder, "create a temporary file in", exc) from None
    os.close(descriptor)
    return Path(name)


@contextlib.contextmanager
def _opened(path: Path, mode: str, action: str, *, shown: Path | None = None) -> Iterator[BinaryIO]:
    try:
        handle = cast(BinaryIO, open(path, mode))  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise BackupIOError(shown or path, action, exc) from None
    try:
        yield handle
    finally:
        with contextlib.suppress(OSError):
            handle.close()


def _audit(
    trail: AuditTrail,
    conn: Connection,
    manifest: BackupManifest,
    counts: ReplayCounts,
    actor: str,
    at: datetime,
) -> None:
    event = BackupRestored(
        manifest.backup_id,
        manifest.created_at.isoformat(),
        counts.owners_shredded_again,
        counts.people_erased_again,
    )
    trail.append(conn, [Pending(event)], actor=actor, at=at)
