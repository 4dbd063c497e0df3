"""Storage: the engine (SQLite or PostgreSQL), the tables, and their migrations."""

from gardien.storage.engine import (
    check_reachable,
    create_engine,
    in_chunks,
    is_sqlite,
    read_transaction,
    write_transaction,
)
from gardien.storage.migrate import current_revisions, head_revisions, require_current, upgrade
from gardien.storage.tables import metadata

__all__ = [
    "check_reachable",
    "create_engine",
    "current_revisions",
    "head_revisions",
    "in_chunks",
    "is_sqlite",
    "metadata",
    "read_transaction",
    "require_current",
    "upgrade",
    "write_transaction",
]
