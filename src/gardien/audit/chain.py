"""The tamper-evident audit trail: a keyed hash chain in the database.

Each entry's ``hash`` is ``HMAC-SHA256(key, prev_hash || canonical entry)``, where the canonical
entry is sorted-key compact JSON of its sequence number, time, actor, event type, subject ref
and payload. Editing, removing or reordering any entry breaks the chain at that entry's
``seq``, and :func:`verify` says which.

Why keyed: with a plain SHA-256 chain, someone who can write to the database alone could edit an
entry and recompute every hash after it. With an HMAC whose key lives outside the database (it is
derived from the master key), they cannot. What a chain cannot detect on its own is the removal
of the *latest* entries together with a rewind of the head row; publishing the head hash
elsewhere from time to time (``gardien audit verify`` prints it) closes that gap.

Appends are serialised: on SQLite the write transaction is ``BEGIN IMMEDIATE``; on PostgreSQL
the one row of ``gardien_audit_head`` is locked ``FOR UPDATE`` until commit. Entries are written
in the caller's transaction, so an audited change and its entry commit or roll back together.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.audit.events import AuditEvent, JsonValue
from gardien.storage.tables import audit_entries, audit_head

GENESIS = "0" * 64
_HEAD_ID = 1


def canonical_json(value: JsonValue) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    key: bytes,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    event_type: str,
    subject_ref: str | None,
    payload: str,
) -> str:
    """The chained HMAC of one entry (see the module docstring)."""
    body = canonical_json(
        {
            "seq": seq,
            "at": at.isoformat(),
            "actor": actor,
            "type": event_type,
            "subject": subject_ref,
            "payload": payload,
        }
    )
    return hmac.new(key, (prev_hash + body).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Pending:
    """An event waiting to be appended, with the person it concerns (pseudonymous ref)."""

    event: AuditEvent
    subject_ref: str | None = None
    actor: str | None = None
    """Who did it, when several writers share one append; else the append's ``actor``."""
    at: datetime | None = None
    """When, likewise; else the append's ``at``."""


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    event_type: str
    subject_ref: str | None
    payload: str
    prev_hash: str
    hash: str


class AuditTrail:
    """Appends to and verifies the chain, with the key that makes it tamper-evident."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the audit chain key must be at least 128 bits")
        self._key = key

    def lock(self, conn: Connection) -> None:
        """Take the append lock now, before reading what the appended events will describe.

        A write that first checks the ledger and then writes must hold the lock across both,
        or two writers could register the same person twice.
        """
        conn.execute(
            sa.select(audit_head.c.seq).where(audit_head.c.id == _HEAD_ID).with_for_update()
        ).one()

    def append(
        self, conn: Connection, pending: Sequence[Pending], *, actor: str, at: datetime
    ) -> list[int]:
        """Append events in the caller's transaction; returns their sequence numbers."""
        if not pending:
            return []
        head = conn.execute(
            sa.select(audit_head.c.seq, audit_head.c.hash)
            .where(audit_head.c.id == _HEAD_ID)
            .with_for_update()
        ).one()
        seq, prev = int(head.seq), str(head.hash)
        rows: list[dict[str, object]] = []
        first = seq + 1
        for item in pending:
            seq += 1
            payload = canonical_json(item.event.payload())
            event_type = item.event.event_type
            who, when = item.actor or actor, item.at or at
            digest = entry_hash(
                self._key, prev, seq, when, who, event_type, item.subject_ref, payload
            )
            rows.append(
                {
                    "seq": seq,
                    "at": when,
                    "actor": who,
                    "event_type": event_type,
                    "subject_ref": item.subject_ref,
                    "payload": payload,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            prev = digest
        conn.execute(audit_entries.insert(), rows)
        conn.execute(
            audit_head.update().where(audit_head.c.id == _HEAD_ID).values(seq=seq, hash=prev)
        )
        return list(range(first, seq + 1))

    def verify(self, conn: Connection, batch: int = 5000) -> AuditReport:
        """Walk the whole chain; every broken link is reported with its ``seq``."""
        problems: list[AuditProblem] = []
        expected_seq, prev, count = 1, GENESIS, 0
        for entry in _entries(conn, batch):
            count += 1
            if entry.seq != expected_seq:
                problems.append(
                    AuditProblem(
                        expected_seq,
                        ProblemKind.MISSING,
                        _missing(expected_seq, entry.seq - 1),
                    )
                )
            recomputed = entry_hash(
                self._key,
                entry.prev_hash,
                entry.seq,
                entry.at,
                entry.actor,
                entry.event_type,
                entry.subject_ref,
                entry.payload,
            )
            if recomputed != entry.hash:
                problems.append(
                    AuditProblem(
                        entry.seq,
                        ProblemKind.EDITED,
                        f"entry {entry.seq} was edited: its hash does not match",
                    )
                )
            elif entry.prev_hash != prev and entry.seq == expected_seq:
                problems.append(
                    AuditProblem(
                        entry.seq,
                        ProblemKind.REORDERED,
                        f"entry {entry.seq} does not follow entry {entry.seq - 1}",
                    )
                )
            prev, expected_seq = entry.hash, entry.seq + 1
        head = conn.execute(
            sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == _HEAD_ID)
        ).one()
        last = expected_seq - 1
        if int(head.seq) > last:
            problems.append(
                AuditProblem(last + 1, ProblemKind.MISSING, _missing(last + 1, int(head.seq)))
            )
        elif int(head.seq) < last or (int(head.seq) == last and head.hash != prev):
            problems.append(
                AuditProblem(
                    last,
                    ProblemKind.HEAD,
                    f"the chain head (seq {head.seq}) does not match entry {last}",
                )
            )
        return AuditReport(count, int(head.seq), str(head.hash), tuple(problems))


def _missing(first: int, last: int) -> str:
    if first == last:
        return f"entry {first} was removed"
    return f"entries {first} to {last} were removed"


def _entries(conn: Connection, batch: int) -> Iterator[AuditEntry]:
    after = 0
    while True:
        rows = conn.execute(
            sa.select(audit_entries)
            .where(audit_entries.c.seq > after)
            .order_by(audit_entries.c.seq)
            .limit(batch)
        ).all()
        for r in rows:
            yield AuditEntry(
                r.seq, r.at, r.actor, r.event_type, r.subject_ref, r.payload, r.prev_hash, r.hash
            )
        if len(rows) < batch:
            return
        after = rows[-1].seq


class ProblemKind(StrEnum):
    EDITED = "edited"
    MISSING = "missing"
    REORDERED = "reordered"
    HEAD = "head"


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    kind: ProblemKind
    message: str


@dataclass(frozen=True)
class AuditReport:
    """The outcome of :meth:`AuditTrail.verify`: intact, or where it breaks."""

    entries: int
    head_seq: int
    head_hash: str
    problems: tuple[AuditProblem, ...]

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def first_broken_seq(self) -> int | None:
        return min((p.seq for p in self.problems), default=None)


def entries_about(conn: Connection, subject_ref: str) -> list[AuditEntry]:
    """Every entry naming one person, oldest first (for ``gardien subject show``)."""
    rows = conn.execute(
        sa.select(audit_entries)
        .where(audit_entries.c.subject_ref == subject_ref)
        .order_by(audit_entries.c.seq)
    ).all()
    return [
        AuditEntry(
            r.seq, r.at, r.actor, r.event_type, r.subject_ref, r.payload, r.prev_hash, r.hash
        )
        for r in rows
    ]
