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
from typing import Any

from sqlalchemy.engine import Engine

from gardien.ledger import Ledger

_HEAD = "SELECT seq FROM gardien_audit_head WHERE id = 1"


class CacheFreshness:
    """Empties ``ledger``'s state cache whenever the audit head has moved.

    The head is read on a connection of its own per thread, in autocommit (each read sees the
    latest commit), straight through the driver: this runs before every decision.
    """

    def __init__(self, engine: Engine, ledger: Ledger) -> None:
        self._engine = engine
        self._ledger = ledger
        self._seen: int | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def _cursor(self) -> Any:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            proxied = self._engine.raw_connection()
            proxied.detach()  # a connection of this thread's own, outside the pool
            driver = proxied.driver_connection
            if self._engine.dialect.name != "sqlite":
                driver.autocommit = True  # type: ignore[union-attr]
            cursor = proxied.cursor()
            self._local.cursor = cursor
            self._local.connection = proxied
        return cursor

    def head(self) -> int:
        try:
            cursor = self._cursor()
            cursor.execute(_HEAD)
            row = cursor.fetchone()
        except Exception:
            # A dropped connection (database restart): open a new one once, then fail loudly.
            self._local.cursor = None
            cursor = self._cursor()
            cursor.execute(_HEAD)
            row = cursor.fetchone()
        return int(row[0])

    def ensure(self) -> None:
        head = self.head()
        if head != self._seen:
            with self._lock:
                if head != self._seen:
                    self._ledger.invalidate()
                    self._seen = head
