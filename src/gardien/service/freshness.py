"""Keeping the ledger's per-process state cache right when several processes write.

``gardien serve --workers 2`` runs two processes, each with its own cache of person states; a
consent withdrawn through one must stop marketing in the other at once (GDPR art. 7(3)). Every
change the ledger makes is written with an audit entry in the same transaction, so the audit
chain's head moves with every change. Before each decision the service reads the head (one
indexed row); if it moved since the cache was last known fresh, the cache is emptied. The head is
read *before* any state is loaded, so a state loaded from an older snapshot is never trusted
past the next change. Read-heavy loads keep the cache; a write anywhere costs one refill.
"""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.ledger import Ledger
from gardien.storage.tables import audit_head

_HEAD = sa.select(audit_head.c.seq).where(audit_head.c.id == 1)


class CacheFreshness:
    """Empties ``ledger``'s state cache whenever the audit head has moved."""

    def __init__(self, engine: Engine, ledger: Ledger) -> None:
        self._engine = engine
        self._ledger = ledger
        self._seen: int | None = None
        self._lock = threading.Lock()

    def ensure(self) -> None:
        with self._engine.connect() as conn:
            head = conn.execute(_HEAD).scalar()
        if head != self._seen:
            with self._lock:
                if head != self._seen:
                    self._ledger.invalidate()
                    self._seen = head
