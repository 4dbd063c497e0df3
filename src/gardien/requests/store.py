"""Reading and writing request rows and their steps; personal values only sealed.

The identifier, the contact address and a rectification's new values are personal data: they
are kept encrypted (AES-GCM, bound to the request's ref) while the request is open, and erased
when it closes (GDPR art. 5(1)(c), (e)). What stays is the keyed digest, for the record.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from gardien.audit.events import JsonValue
from gardien.requests.errors import UnknownRequestError
from gardien.requests.model import (
    DataSubjectRequest,
    RequestChannel,
    RequestStatus,
    RequestType,
)
from gardien.requests.tables import request_steps, requests
from gardien.storage import in_chunks
from gardien.storage.upsert import upsert
from gardien.vault import FieldCipher

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def new_ref() -> str:
    return "R-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class SealedDetails:
    """What a request holds that is personal: who, where to write, the new values."""

    identifier: str
    contact: str | None = None
    changes: Mapping[str, str | None] = field(default_factory=dict)
    others: tuple[str, ...] = ()
    """The person's other identifiers, found in the ledger at the first run (a rerun after the
    ledger was erased still reaches every dataset)."""

    def seal(self, cipher: FieldCipher, ref: str) -> bytes:
        body = {
            "identifier": self.identifier,
            "contact": self.contact,
            "changes": dict(self.changes),
            "others": list(self.others),
        }
        return cipher.encrypt(json.dumps(body).encode("utf-8"), _aad(ref))

    @classmethod
    def open(cls, cipher: FieldCipher, ref: str, token: bytes) -> SealedDetails:
        body = json.loads(cipher.decrypt(token, _aad(ref)).decode("utf-8"))
        return cls(
            body["identifier"],
            body.get("contact"),
            dict(body.get("changes") or {}),
            tuple(body.get("others") or ()),
        )


def _aad(ref: str) -> bytes:
    return b"gardien/request:" + ref.encode("utf-8")


def _request(row: Row[Any]) -> DataSubjectRequest:
    return DataSubjectRequest(
        ref=row.ref,
        type=RequestType(row.type),
        channel=RequestChannel(row.channel),
        status=RequestStatus(row.status),
        lang=row.lang,
        subject_kind=row.subject_kind,
        subject_ref=row.subject_ref,
        received_at=row.received_at,
        due_at=row.due_at,
        extended_months=int(row.extended_months),
        extension_reason=row.extension_reason,
        verified_at=row.verified_at,
        closed_at=row.closed_at,
        reason_code=row.reason_code,
        reason=row.reason,
        params=dict(row.params or {}),
        outcome=dict(row.outcome) if row.outcome is not None else None,
    )


def insert_request(
    conn: Connection,
    request: DataSubjectRequest,
    subject_digest: bytes,
    sealed: bytes,
    at: datetime,
) -> None:
    conn.execute(
        requests.insert().values(
            ref=request.ref,
            type=request.type.value,
            channel=request.channel.value,
            status=request.status.value,
            lang=request.lang,
            subject_kind=request.subject_kind,
            subject_digest=subject_digest,
            subject_ref=request.subject_ref,
            sealed=sealed,
            params=request.params or {},
            received_at=request.received_at,
            due_at=request.due_at,
            extended_months=0,
            updated_at=at,
        )
    )


def load_request(conn: Connection, ref: str, *, for_update: bool = False) -> DataSubjectRequest:
    statement = sa.select(requests).where(requests.c.ref == ref.strip().upper())
    if for_update and conn.dialect.name != "sqlite":
        statement = statement.with_for_update()
    row = conn.execute(statement).first()
    if row is None:
        raise UnknownRequestError(ref)
    return _request(row)


def load_requests(
    conn: Connection, refs: Sequence[str], *, for_update: bool = False
) -> dict[str, DataSubjectRequest]:
    """The requests with these refs (those that exist), read a chunk at a time."""
    found: dict[str, DataSubjectRequest] = {}
    for chunk in in_chunks(list(dict.fromkeys(refs))):
        statement = sa.select(requests).where(requests.c.ref.in_(chunk))
        if for_update and conn.dialect.name != "sqlite":
            statement = statement.with_for_update()
        found.update((row.ref, _request(row)) for row in conn.execute(statement))
    return found


def load_sealed_many(
    conn: Connection, cipher: FieldCipher, refs: Sequence[str]
) -> dict[str, SealedDetails | None]:
    """:func:`load_sealed` for many requests at once."""
    found: dict[str, SealedDetails | None] = {}
    for chunk in in_chunks(list(dict.fromkeys(refs))):
        rows = conn.execute(
            sa.select(requests.c.ref, requests.c.sealed).where(requests.c.ref.in_(chunk))
        )
        for ref, token in rows:
            found[ref] = (
                SealedDetails.open(cipher, ref, bytes(token)) if token is not None else None
            )
    return found


def load_sealed(conn: Connection, cipher: FieldCipher, ref: str) -> SealedDetails | None:
    token = conn.execute(sa.select(requests.c.sealed).where(requests.c.ref == ref)).scalar()
    return SealedDetails.open(cipher, ref, bytes(token)) if token is not None else None


def update_request(conn: Connection, ref: str, at: datetime, **values: object) -> None:
    conn.execute(requests.update().where(requests.c.ref == ref).values(updated_at=at, **values))


def update_requests(conn: Connection, at: datetime, rows: Sequence[Mapping[str, Any]]) -> None:
    """One UPDATE run for many requests; each row holds ``ref`` and the same other keys."""
    if not rows:
        return
    keys = [k for k in rows[0] if k != "ref"]
    statement = (
        requests.update()
        .where(requests.c.ref == sa.bindparam("_ref"))
        .values(updated_at=at, **{k: sa.bindparam(f"_{k}") for k in keys})
    )
    conn.execute(statement, [{f"_{k}": v for k, v in row.items()} for row in rows])


def list_requests(
    conn: Connection,
    *,
    include_closed: bool = False,
    subject_digest: bytes | None = None,
) -> list[DataSubjectRequest]:
    statement = sa.select(requests).order_by(requests.c.due_at, requests.c.id)
    if not include_closed:
        statement = statement.where(
            requests.c.status.not_in([RequestStatus.COMPLETED.value, RequestStatus.REFUSED.value])
        )
    if subject_digest is not None:
        statement = statement.where(requests.c.subject_digest == subject_digest)
    return [_request(row) for row in conn.execute(statement)]


@dataclass(frozen=True)
class Step:
    """One unit of work of a run, as recorded: ``planned``, ``done`` or ``failed``."""

    step: str
    status: str
    result: dict[str, JsonValue]
    error: str | None


def load_steps(conn: Connection, ref: str) -> dict[str, Step]:
    rows = conn.execute(
        sa.select(request_steps)
        .join(requests, requests.c.id == request_steps.c.request_id)
        .where(requests.c.ref == ref)
        .order_by(request_steps.c.id)
    )
    return {r.step: Step(r.step, r.status, dict(r.result or {}), r.error) for r in rows}


def load_run_state(conn: Connection, ref: str) -> tuple[int, dict[str, Step]]:
    """The request's row id and its steps so far, in one round trip (what a run starts with)."""
    rows = conn.execute(
        sa.select(requests.c.id.label("request_row"), request_steps)
        .select_from(requests.outerjoin(request_steps, request_steps.c.request_id == requests.c.id))
        .where(requests.c.ref == ref)
        .order_by(request_steps.c.id)
    ).all()
    if not rows:
        raise UnknownRequestError(ref)
    steps = {
        r.step: Step(r.step, r.status, dict(r.result or {}), r.error)
        for r in rows
        if r.step is not None
    }
    return int(rows[0].request_row), steps


def request_ids(conn: Connection, refs: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in in_chunks(list(dict.fromkeys(refs))):
        rows = conn.execute(
            sa.select(requests.c.ref, requests.c.id).where(requests.c.ref.in_(chunk))
        )
        found.update((ref, int(rid)) for ref, rid in rows)
    missing = [r for r in refs if r not in found]
    if missing:
        raise UnknownRequestError(missing[0])
    return found


def load_steps_many(
    conn: Connection, refs: Sequence[str], ids: Mapping[str, int] | None = None
) -> dict[str, dict[str, Step]]:
    """:func:`load_steps` for many requests at once (every ref gets an entry); ``ids``: their
    row ids (:func:`request_ids`) when the caller has them."""
    if ids is None:
        ids = request_ids(conn, refs)
    by_id = {rid: ref for ref, rid in ids.items()}
    found: dict[str, dict[str, Step]] = {ref: {} for ref in ids}
    for chunk in in_chunks(list(by_id)):
        rows = conn.execute(
            sa.select(request_steps)
            .where(request_steps.c.request_id.in_(chunk))
            .order_by(request_steps.c.id)
        )
        for r in rows:
            found[by_id[r.request_id]][r.step] = Step(
                r.step, r.status, dict(r.result or {}), r.error
            )
    return found


@dataclass(frozen=True)
class StepRow:
    """One step record to save, for :func:`save_steps`."""

    ref: str
    step: str
    status: str
    result: Mapping[str, Any]
    """JSON-ready (JSON values only)."""
    error: str | None = None


def save_steps(
    conn: Connection,
    rows: Sequence[StepRow],
    at: datetime,
    known: Mapping[str, int] | None = None,
) -> None:
    """Record steps in one statement run: each inserted, or replacing the record of the same
    (request, step) (one row per request and step; the last of a step in ``rows`` wins).
    ``known``: the requests' row ids by ref, when the caller has them (else they are read)."""
    if not rows:
        return
    ids = dict(known or {})
    unknown = [r.ref for r in rows if r.ref not in ids]
    if unknown:
        ids |= request_ids(conn, unknown)
    latest = {(ids[r.ref], r.step): r for r in rows}
    conn.execute(
        upsert(conn, request_steps, ("request_id", "step"), _STEP_VALUES),
        [
            {
                "request_id": rid,
                "step": step,
                "status": r.status,
                "result": dict(r.result),
                "error": r.error,
                "updated_at": at,
            }
            for (rid, step), r in latest.items()
        ],
    )


_STEP_VALUES = ("status", "result", "error", "updated_at")
