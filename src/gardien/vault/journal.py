"""The shred journal: which data keys were destroyed, kept outside the database.

Crypto-shredding destroys a wrapped key in the database; an older backup still holds it, and
with the master key it would unwrap again. So every destruction is also appended here, beside
the key file (``gardien.key.shreds``) or where ``GARDIEN_SHRED_JOURNAL`` says, and every restore
replays the journal before anything restored is readable (GDPR art. 17: erasure must hold,
including against one's own backups).

The journal names owners only (``person:<ref>``, ``hold:<id>``: pseudonymous) and is a keyed
hash chain, one JSON line per entry::

    {"format": "gardien-shred-journal", "version": 1, "key": ID, "mac": ...}      (line 1)
    {"seq": N, "at": ISO-8601, "owner": OWNER, "mac": HMAC(key, prev_mac || entry)}

The HMAC key derives from the pinned blind-index master key, which rotation never moves, so
the chain stays verifiable for the life of the key file. An edited, removed or reordered line
breaks the chain and the restore stops. A line cut short by a crash while appending belongs to
a shred whose database transaction never committed (the journal is written first), so it is
dropped on the next append and ignored on read. What a chain alone cannot show, the loss of the
last lines, is cross-checked on restore against the tombstones in the restored database.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from gardien.vault.errors import ShredJournalError
from gardien.vault.keys import MasterKeyProvider, derive_subkey

JOURNAL_FORMAT = "gardien-shred-journal"
JOURNAL_VERSION = 1
JOURNAL_SUFFIX = ".shreds"
_LABEL = "shred-journal"
_GENESIS = "0" * 64
_TAIL = 4096


@dataclass(frozen=True)
class JournalEntry:
    """One destroyed data key: whose, when, and its place in the chain."""

    seq: int
    at: datetime
    owner: str


def journal_path_for(key_file: Path | None, configured: Path | None) -> Path:
    """Where the journal lives: the configured path, else beside the key file."""
    if configured is not None:
        return configured
    if key_file is not None:
        return key_file.with_name(key_file.name + JOURNAL_SUFFIX)
    raise ShredJournalError(
        None,
        "the master key comes from GARDIEN_MASTER_KEY, so there is no key file to keep the "
        "journal beside; set GARDIEN_SHRED_JOURNAL to a file outside the database and its "
        "backups (erasures must survive a restore)",
    )


class ShredJournal:
    """Appends destroyed owners and reads them back, checking the whole chain."""

    def __init__(self, path: Path, provider: MasterKeyProvider) -> None:
        self.path = path
        index_key = provider.index_key()
        self._key_id = index_key.key_id
        self._key = derive_subkey(index_key, _LABEL)

    def append(self, owners: Sequence[str], at: datetime) -> None:
        """Record destroyed owners durably (fsync) before the caller commits the destruction."""
        if not owners:
            return
        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            raise ShredJournalError(self.path, f"cannot be opened: {exc.strerror}") from None
        with os.fdopen(descriptor, "r+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                seq, prev = self._tail(handle)
                lines: list[bytes] = []
                if seq < 0:
                    header: dict[str, object] = {
                        "format": JOURNAL_FORMAT,
                        "version": JOURNAL_VERSION,
                        "key": self._key_id,
                    }
                    prev = self._mac(_GENESIS, header)
                    lines.append(_line({**header, "mac": prev}))
                    seq = 0
                for owner in owners:
                    seq += 1
                    body = {"seq": seq, "at": at.astimezone(UTC).isoformat(), "owner": owner}
                    prev = self._mac(prev, body)
                    lines.append(_line({**body, "mac": prev}))
                handle.write(b"".join(lines))
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise ShredJournalError(self.path, f"cannot be written: {exc.strerror}") from None
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def entries(self) -> tuple[JournalEntry, ...]:
        """Every entry, oldest first; :class:`ShredJournalError` at the first broken link."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return ()
        except OSError as exc:
            raise ShredJournalError(self.path, f"cannot be read: {exc.strerror}") from None
        lines = data.split(b"\n")
        # The last element is b"" for a whole file, or a line torn by a crash (see docstring).
        lines = lines[:-1]
        if not lines:
            return ()
        prev = self._check_header(lines[0])
        entries: list[JournalEntry] = []
        for number, raw in enumerate(lines[1:], start=2):
            fields = _parse(self.path, raw, number)
            body = {k: fields.get(k) for k in ("seq", "at", "owner")}
            expected = self._mac(prev, body)
            if not hmac.compare_digest(str(fields.get("mac", "")), expected):
                raise ShredJournalError(
                    self.path,
                    f"line {number} was edited, removed or moved (the chain breaks there); "
                    "restore the journal from its own copy before restoring any backup",
                )
            if body["seq"] != number - 1 or not isinstance(body["owner"], str):
                raise ShredJournalError(self.path, f"line {number} is out of sequence")
            entries.append(
                JournalEntry(number - 1, _time(self.path, body["at"], number), body["owner"])
            )
            prev = expected
        return tuple(entries)

    def destroyed_owners(self) -> frozenset[str]:
        return frozenset(entry.owner for entry in self.entries())

    def _check_header(self, raw: bytes) -> str:
        fields = _parse(self.path, raw, 1)
        if fields.get("format") != JOURNAL_FORMAT or fields.get("version") != JOURNAL_VERSION:
            raise ShredJournalError(self.path, "is not a Gardien shred journal (line 1)")
        if fields.get("key") != self._key_id:
            raise ShredJournalError(
                self.path,
                f"was written under master key {fields.get('key')!r}, not under this key file's "
                f"pinned key {self._key_id!r}: it belongs to another installation",
            )
        header = {"format": JOURNAL_FORMAT, "version": JOURNAL_VERSION, "key": self._key_id}
        expected = self._mac(_GENESIS, header)
        if not hmac.compare_digest(str(fields.get("mac", "")), expected):
            raise ShredJournalError(self.path, "line 1 was edited (its MAC does not match)")
        return expected

    def _tail(self, handle: BinaryIO) -> tuple[int, str]:
        """The last entry's (seq, mac), or (-1, "") for an empty journal; drops a torn line."""
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return -1, ""
        start = max(0, size - _TAIL)
        handle.seek(start)
        tail = handle.read()
        while start > 0 and tail.count(b"\n") < 2:
            start = max(0, start - _TAIL)
            handle.seek(start)
            tail = handle.read()
        if not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n")
            keep = start + cut + 1 if cut >= 0 else 0
            handle.truncate(keep)
            if keep == 0:
                return -1, ""
            tail = tail[: cut + 1]
        last = tail[:-1].rsplit(b"\n", 1)[-1]
        fields = _parse(self.path, last, None)
        seq = fields.get("seq", 0)
        return (seq if isinstance(seq, int) else 0), str(fields["mac"])

    def _mac(self, prev: str, body: dict[str, object]) -> str:
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return hmac.new(self._key, (prev + text).encode("utf-8"), hashlib.sha256).hexdigest()


def _line(fields: dict[str, object]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"


def _parse(path: Path, raw: bytes, number: int | None) -> dict[str, object]:
    where = f"line {number}" if number is not None else "its last line"
    try:
        fields = json.loads(raw)
    except (ValueError, RecursionError):
        raise ShredJournalError(path, f"{where} is not valid JSON") from None
    if not isinstance(fields, dict) or "mac" not in fields:
        raise ShredJournalError(path, f"{where} is not a journal entry")
    return fields


def _time(path: Path, value: object, number: int) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise ShredJournalError(path, f"line {number} has no valid time") from None
