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
from gardien.storage import in_chunks, write_transaction
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
    erasures: Sequence[tuple[Sequence[Identifier], str]],
    *,
    actor: str,
    at: datetime,
) -> list[str]:
    """Mark each person erased, in ONE transaction; returns their pseudonymous refs in order.

    ``erasures`` holds, per person, their identifiers (the first one names them) and the
    request asking for it. Many people at once is what queued requests need (one statement
    per table for the whole batch); one person is the same call with one entry.
    Callers go through :meth:`gardien.ledger.Ledger.mark_erased`, which also drops the cached
    states (other processes learn of it through the change feed)."""
    if not erasures:
        return []
    with write_transaction(engine) as conn:
        trail.lock(conn)
        persons = ensure_people(conn, vault, [names[0] for names, _ in erasures], at)
        chosen = [persons[names[0]] for names, _ in erasures]
        ids = sorted({p.id for p in chosen})
        for chunk in in_chunks(ids):
            conn.execute(
                people.update()
                .where(people.c.id.in_(chunk), people.c.erased_at.is_(None))
                .values(erased_at=at)
            )
            conn.execute(
                identifiers.update()
                .where(identifiers.c.person_id.in_(chunk))
                .values(ciphertext=None)
            )
        trail.append(
            conn,
            [
                Pending(PersonErased(request_ref), person.ref)
                for (_, request_ref), person in zip(erasures, chosen, strict=True)
            ],
            actor=actor,
            at=at,
        )
    return [p.ref for p in chosen]
