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

    The head is read on one connection of its own, outside the pool, in autocommit (each read
    sees the latest commit) and straight through the driver: this runs before every decision.
    """

    def __init__(self, engine: Engine, ledger: Ledger) -> None:
        self._engine = engine
        self._ledger = ledger
        self._seen: int | None = None
        self._lock = threading.Lock()
        self._connection: Any = None
        self._cursor: Any = None

    def _open(self) -> Any:
        proxied = self._engine.raw_connection()
        driver = proxied.driver_connection
        proxied.detach()
        if self._engine.dialect.name != "sqlite":
            driver.autocommit = True  # type: ignore[union-attr]
        self._connection = proxied
        self._cursor = proxied.cursor()
        return self._cursor

    def head(self) -> int:
        with self._lock:
            try:
                cursor = self._cursor or self._open()
                cursor.execute(_HEAD)
                row = cursor.fetchone()
            except Exception:
                # A dropped connection (database restart): open a new one once, then fail.
                self.close()
                cursor = self._open()
                cursor.execute(_HEAD)
                row = cursor.fetchone()
        return int(row[0])

    def ensure(self) -> None:
        if self._ledger.feed is not None:
            return  # the ledger follows its change feed (issue 9): nothing to check here
        head = self.head()
        if head != self._seen:
            with self._lock:
                if head != self._seen:
                    self._ledger.invalidate()
                    self._seen = head

    def close(self) -> None:
        connection, self._connection, self._cursor = self._connection, None, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # closing a broken connection: nothing left to release
                return
