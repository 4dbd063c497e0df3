"""Writing a sweep's events to Gardien's audit trail, one short transaction per entry.

A batch commits in the organisation's database and its entry in Gardien's: two databases, so
the entry is written right after the batch commits. It proves only what was done; a crash
between the two leaves a batch without its entry, never an entry without its batch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from gardien.audit.chain import AuditTrail, Pending
from gardien.audit.events import AuditEvent
from gardien.storage.engine import write_transaction


class AuditRecorder:
    """A ``record`` callback for :func:`gardien.retention.run_sweep` over the audit trail."""

    def __init__(
        self,
        engine: Engine,
        trail: AuditTrail,
        *,
        actor: str = "gardien:retention",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.trail = trail
        self.actor = actor
        self._clock = clock or (lambda: datetime.now(UTC))
        self.written = 0

    def __call__(self, event: AuditEvent) -> None:
        with write_transaction(self.engine) as conn:
            self.trail.append(conn, [Pending(event)], actor=self.actor, at=self._clock())
        self.written += 1
