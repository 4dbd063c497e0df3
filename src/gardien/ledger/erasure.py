"""Marking a person erased in the ledger (GDPR art. 17): every decision about them then denies.

One transaction, under the audit lock: the person (registered if unknown, so that
the erasure survives as a keyed digest and a later import cannot bring them back) gets
``erased_at``, and the encrypted values of their identifiers are destroyed (the digests stay).
Consent, objection and restriction records are kept as evidence (arts. 7(1), 17(3)(e)).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

from sqlalchemy.engine import Engine

from gardien.audit.chain import AuditTrail, Pending
from gardien.audit.events import AuditEvent
from gardien.ledger.identifiers import Identifier
from gardien.ledger.protection import IdentifierVault
from gardien.ledger.store import ensure_people
from gardien.storage import write_transaction
from gardien.storage.tables import identifiers, people


@dataclasses.dataclass(frozen=True)
class PersonErased(AuditEvent):
    """The person is erased in the ledger: every decision about them now denies."""

    event_type: ClassVar[str] = "person.erased"
    request: str


def mark_erased(
    engine: Engine,
    vault: IdentifierVault,
    trail: AuditTrail,
    names: Sequence[Identifier],
    *,
    request_ref: str,
    actor: str,
    at: datetime,
) -> str:
    """Mark the person named by ``names`` erased; returns their pseudonymous ref.

    Callers go through :meth:`gardien.ledger.Ledger.mark_erased`, which also drops the cached
    states (other processes learn of it through the change feed)."""
    with write_transaction(engine) as conn:
        trail.lock(conn)
        persons = ensure_people(conn, vault, names[:1], at)
        person = persons[names[0]]
        conn.execute(
            people.update()
            .where(people.c.id == person.id, people.c.erased_at.is_(None))
            .values(erased_at=at)
        )
        conn.execute(
            identifiers.update().where(identifiers.c.person_id == person.id).values(ciphertext=None)
        )
        trail.append(conn, [Pending(PersonErased(request_ref), person.ref)], actor=actor, at=at)
    return person.ref
