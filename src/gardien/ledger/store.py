"""Reading and writing the ledger's tables, set-based: one statement per table per batch.

Nothing here decides anything; it turns rows into :class:`PersonState` snapshots and records
into rows. Records are only ever inserted (GDPR art. 7(1): the history is the evidence).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.audit.chain import AuditEntry
from gardien.ledger.identifiers import Identifier, IdentifierKind
from gardien.ledger.protection import IdentifierVault
from gardien.ledger.records import (
    Channel,
    ConsentMethod,
    ConsentRecord,
    ConsentStatus,
    ObjectionRecord,
    ObjectionStatus,
    RestrictionGround,
    RestrictionRecord,
    RestrictionStatus,
)
from gardien.ledger.state import NO_EXPIRY, NOBODY, ConsentState, PersonState
from gardien.storage import in_chunks
from gardien.storage.tables import consents, identifiers, objections, people, restrictions

_ONE_STATEMENT = 8
"""Up to this many names, their people are found inside the statement that reads their records
(a cache miss: one round trip); more, and they are found first, so that the records are read by
person id: the planner's estimate for a subquery over hundreds of names can be a full scan."""
_RAISED = ObjectionStatus.RAISED.value
_APPLIED = RestrictionStatus.APPLIED.value


@dataclass(frozen=True)
class Person:
    id: int
    ref: str
    created: bool = False
    erased: bool = False


def find_people(conn: Connection, digests: Mapping[Identifier, bytes]) -> dict[Identifier, Person]:
    """The people named by these identifiers (those the ledger knows).

    One query per identifier kind, ``kind = ? AND digest IN (...)``: a row-value
    ``(kind, digest) IN`` would use only the first column of the index on SQLite.
    """
    by_kind: dict[str, dict[bytes, Identifier]] = {}
    for ident, digest in digests.items():
        by_kind.setdefault(ident.kind.value, {})[digest] = ident
    found: dict[Identifier, Person] = {}
    for kind, named in by_kind.items():
        for chunk in in_chunks(list(named)):
            rows = conn.execute(
                sa.select(identifiers.c.digest, people.c.id, people.c.ref, people.c.erased_at)
                .join(people, people.c.id == identifiers.c.person_id)
                .where(identifiers.c.kind == kind, identifiers.c.digest.in_(chunk))
            )
            for digest, person_id, ref, erased_at in rows:
                found[named[bytes(digest)]] = Person(
                    int(person_id), ref, erased=erased_at is not None
                )
    return found


def known_identifiers(
    conn: Connection, vault: IdentifierVault, names: Iterable[Identifier]
) -> dict[Identifier, tuple[Identifier, ...]]:
    """For each name the ledger knows, every identifier of that person it can still read
    (an erased person's values are destroyed: only the name asked with is returned)."""
    named = list(dict.fromkeys(names))
    persons = find_people(conn, {n: vault.digest(n) for n in named})
    by_person: dict[int, list[Identifier]] = {}
    ids = sorted({p.id for p in persons.values()})
    for chunk in in_chunks(ids):
        rows = conn.execute(
            sa.select(
                identifiers.c.person_id,
                identifiers.c.kind,
                identifiers.c.digest,
                identifiers.c.ciphertext,
            )
            .where(identifiers.c.person_id.in_(chunk))
            .order_by(identifiers.c.id)
        )
        for person_id, kind, digest, token in rows:
            if token is not None:
                by_person.setdefault(int(person_id), []).append(
                    vault.open(IdentifierKind(kind), bytes(digest), bytes(token))
                )
    return {
        name: tuple(dict.fromkeys([name, *by_person.get(person.id, [])]))
        for name, person in persons.items()
    }


def ensure_people(
    conn: Connection, vault: IdentifierVault, subjects: Iterable[Identifier], at: datetime
) -> dict[Identifier, Person]:
    """Find or register (with the encrypted identifier) everyone named; call under the lock."""
    digests = {s: vault.digest(s) for s in dict.fromkeys(subjects)}
    found = find_people(conn, digests)
    missing = [s for s in digests if s not in found]
    if missing:
        refs = [secrets.token_hex(16) for _ in missing]
        # One INSERT for all, then their ids by ref: INSERT ... RETURNING in parameter order
        # runs row by row on SQLite, and a batch registers thousands of people.
        conn.execute(people.insert(), [{"ref": ref, "created_at": at} for ref in refs])
        ids: dict[str, int] = {}
        for chunk in in_chunks(refs):
            ids.update(
                (ref, int(person_id))
                for ref, person_id in conn.execute(
                    sa.select(people.c.ref, people.c.id).where(people.c.ref.in_(chunk))
                )
            )
        created = [ids[ref] for ref in refs]
        conn.execute(
            identifiers.insert(),
            [
                {
                    "person_id": person_id,
                    "kind": s.kind.value,
                    "digest": digests[s],
                    "ciphertext": vault.seal(s, digests[s]),
                    "created_at": at,
                }
                for s, person_id in zip(missing, created, strict=True)
            ],
        )
        for s, person_id, ref in zip(missing, created, refs, strict=True):
            found[s] = Person(int(person_id), ref, created=True)
    return found


def add_identifier(
    conn: Connection,
    vault: IdentifierVault,
    person: Person,
    identifier: Identifier,
    at: datetime,
) -> None:
    digest = vault.digest(identifier)
    conn.execute(
        identifiers.insert(),
        {
            "person_id": person.id,
            "kind": identifier.kind.value,
            "digest": digest,
            "ciphertext": vault.seal(identifier, digest),
            "created_at": at,
        },
    )


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), list(rows))


def load_states(
    conn: Connection, digests: Mapping[Identifier, bytes]
) -> dict[Identifier, PersonState]:
    """Snapshots of the people these identifiers name (``NOBODY`` for an unknown name): latest
    consent and objection per purpose, restriction. Each person's state comes from one
    statement (one snapshot on every engine); a few names cost one round trip in all (a cache
    miss on the decision path), more cost two per chunk of names."""
    states: dict[Identifier, PersonState] = {}
    for chunk in in_chunks(list(digests.items())):
        states.update(_load_chunk(conn, dict(chunk)))
    return states


def _latest(table: sa.Table, ids: sa.Select[Any], *per: sa.ColumnElement[Any]) -> sa.Select[Any]:
    return (
        sa.select(sa.func.max(table.c.id))
        .where(table.c.person_id.in_(ids))
        .group_by(table.c.person_id, *per)
    )


@functools.cache
def _states_statement(kinds: int, by_id: bool) -> sa.CompoundSelect[Any]:
    """Who the names belong to, then their latest records, in one union; for names of
    ``kinds`` kinds, found by the statement itself or (``by_id``) given as person ids too.
    Built once: building it costs more Python than executing it."""
    # kind = ? AND digest IN (...) per kind: see find_people.
    named = sa.or_(
        *(
            sa.and_(
                identifiers.c.kind == sa.bindparam(f"kind_{i}"),
                identifiers.c.digest.in_(sa.bindparam(f"digests_{i}", expanding=True)),
            )
            for i in range(kinds)
        )
    )
    ids: Any = (
        sa.bindparam("ids", expanding=True)
        if by_id
        else sa.select(identifiers.c.person_id).where(named)
    )
    no_text = sa.null().cast(sa.String())
    no_time = sa.null().cast(consents.c.at.type)
    no_int = sa.null().cast(consents.c.policy_version_id.type)
    no_digest = sa.null().cast(identifiers.c.digest.type)
    return sa.union_all(
        sa.select(
            sa.literal("p").label("what"),
            people.c.id,
            people.c.ref,
            identifiers.c.kind,
            people.c.erased_at,
            no_time,
            no_int,
            identifiers.c.digest,
        )
        .join_from(identifiers, people, people.c.id == identifiers.c.person_id)
        .where(named, people.c.id.in_(ids) if by_id else sa.true()),
        sa.select(
            sa.literal("c"),
            consents.c.person_id,
            consents.c.purpose,
            consents.c.status,
            consents.c.at,
            consents.c.expires_at,
            consents.c.policy_version_id,
            no_digest,
        ).where(consents.c.id.in_(_latest(consents, ids, consents.c.purpose))),
        sa.select(
            sa.literal("o"),
            objections.c.person_id,
            objections.c.purpose,
            objections.c.status,
            objections.c.at,
            no_time,
            no_int,
            no_digest,
        ).where(
            objections.c.id.in_(_latest(objections, ids, objections.c.purpose)),
            objections.c.status == _RAISED,
        ),
        sa.select(
            sa.literal("r"),
            restrictions.c.person_id,
            no_text,
            restrictions.c.status,
            restrictions.c.at,
            no_time,
            no_int,
            no_digest,
        ).where(
            restrictions.c.id.in_(_latest(restrictions, ids)),
            restrictions.c.status == _APPLIED,
        ),
    )


def _load_chunk(
    conn: Connection, digests: Mapping[Identifier, bytes]
) -> dict[Identifier, PersonState]:
    """One statement (:func:`_states_statement`), two for many names; rows turned into states."""
    by_kind: dict[str, dict[bytes, Identifier]] = {}
    for ident, digest in digests.items():
        by_kind.setdefault(ident.kind.value, {})[digest] = ident
    params: dict[str, Any] = {}
    for i, (kind, named) in enumerate(by_kind.items()):
        params[f"kind_{i}"] = kind
        params[f"digests_{i}"] = list(named)
    owner: dict[Identifier, int] = {}
    refs: dict[int, str] = {}
    erased: set[int] = set()
    consents_of: dict[int, dict[str, ConsentState]] = {}
    objected: dict[int, set[str]] = {}
    restricted: set[int] = set()
    by_id = len(digests) > _ONE_STATEMENT
    if by_id:
        params["ids"] = sorted({person.id for person in find_people(conn, digests).values()})
    rows = conn.execute(_states_statement(len(by_kind), by_id), params)
    for what, person_id, text, status, at, expires_at, ordinal, digest in rows:
        if what == "p":
            owner[by_kind[status][bytes(digest)]] = person_id
            refs[person_id] = text
            if at is not None:
                erased.add(person_id)
        elif what == "c":
            consents_of.setdefault(person_id, {})[text] = ConsentState(
                ConsentStatus(status),
                _timestamp(at),
                _timestamp(expires_at) if expires_at is not None else NO_EXPIRY,
                int(ordinal),
            )
        elif what == "o":
            objected.setdefault(person_id, set()).add(text)
        else:
            restricted.add(person_id)
    states = {
        person_id: PersonState(
            ref,
            consents_of.get(person_id, {}),
            frozenset(objected.get(person_id, ())),
            person_id in restricted,
            person_id in erased,
        )
        for person_id, ref in refs.items()
    }
    return {name: states[owner[name]] if name in owner else NOBODY for name in digests}


def _timestamp(value: datetime | str) -> float:
    """POSIX seconds; a union's rows may come back as text on SQLite, always in UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.timestamp()


@dataclass(frozen=True)
class SubjectFile:
    """Everything the ledger holds on one person (GDPR art. 15: the right of access)."""

    ref: str
    created_at: datetime
    erased_at: datetime | None
    identifiers: tuple[Identifier | None, ...]
    """Decrypted; None where the value was crypto-shredded."""
    consents: tuple[ConsentRecord, ...]
    objections: tuple[ObjectionRecord, ...]
    restrictions: tuple[RestrictionRecord, ...]
    audit: tuple[AuditEntry, ...] = ()
    """The audit entries naming this person."""


def read_subject_file(
    conn: Connection, vault: IdentifierVault, person: Person, versions: Mapping[int, str]
) -> SubjectFile:
    """The whole history of one person, oldest first."""
    row = conn.execute(
        sa.select(people.c.created_at, people.c.erased_at).where(people.c.id == person.id)
    ).one()
    idents = tuple(
        vault.open(IdentifierKind(kind), bytes(digest), bytes(token)) if token else None
        for kind, digest, token in conn.execute(
            sa.select(identifiers.c.kind, identifiers.c.digest, identifiers.c.ciphertext)
            .where(identifiers.c.person_id == person.id)
            .order_by(identifiers.c.id)
        )
    )
    consent_records = tuple(
        ConsentRecord(
            r.record_id,
            r.receipt_id,
            r.schema_version,
            person.ref,
            r.purpose,
            versions.get(r.policy_version_id, str(r.policy_version_id)),
            r.notice_hash,
            r.at,
            Channel(r.channel),
            ConsentMethod(r.method),
            ConsentStatus(r.status),
            r.expires_at,
            dict(r.evidence),
            r.actor,
        )
        for r in conn.execute(
            sa.select(consents).where(consents.c.person_id == person.id).order_by(consents.c.id)
        )
    )
    objection_records = tuple(
        ObjectionRecord(
            r.record_id,
            person.ref,
            r.purpose,
            r.at,
            ObjectionStatus(r.status),
            Channel(r.channel),
            dict(r.evidence),
            r.actor,
        )
        for r in conn.execute(
            sa.select(objections)
            .where(objections.c.person_id == person.id)
            .order_by(objections.c.id)
        )
    )
    restriction_records = tuple(
        RestrictionRecord(
            r.record_id,
            person.ref,
            r.at,
            RestrictionStatus(r.status),
            RestrictionGround(r.ground) if r.ground else None,
            Channel(r.channel),
            dict(r.evidence),
            r.actor,
        )
        for r in conn.execute(
            sa.select(restrictions)
            .where(restrictions.c.person_id == person.id)
            .order_by(restrictions.c.id)
        )
    )
    return SubjectFile(
        person.ref,
        row.created_at,
        row.erased_at,
        idents,
        consent_records,
        objection_records,
        restriction_records,
    )
