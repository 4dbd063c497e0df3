"""Insert a row, or update the one already there with the same key, in one statement.

Gardien's own tables live on SQLite, PostgreSQL or MariaDB; each spells an upsert its own way
(``ON CONFLICT … DO UPDATE``, ``ON DUPLICATE KEY UPDATE``). One statement instead of reading
which keys exist and then inserting the new ones and updating the others: two statements and
a read fewer per batch, and no window in which another writer inserts the same key between the
read and the insert.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Connection

from gardien.errors import ConfigurationError


def upsert(
    conn: Connection, table: sa.Table, key: Sequence[str], replace: Sequence[str]
) -> sa.Insert:
    """An INSERT of ``table`` rows that, when a row with the same unique ``key`` columns exists,
    sets its ``replace`` columns to the new values instead. Run it with a list of rows."""
    name = conn.dialect.name
    if name == "sqlite":
        lite = sqlite.insert(table)
        return lite.on_conflict_do_update(
            index_elements=list(key), set_={c: lite.excluded[c] for c in replace}
        )
    if name == "postgresql":
        pg = postgresql.insert(table)
        return pg.on_conflict_do_update(
            index_elements=list(key), set_={c: pg.excluded[c] for c in replace}
        )
    if name in ("mysql", "mariadb"):
        my = mysql.insert(table)
        return my.on_duplicate_key_update({c: my.inserted[c] for c in replace})
    raise ConfigurationError(
        f"Gardien's own database cannot be {name}: use SQLite, PostgreSQL or MariaDB"
    )


__all__ = ["upsert"]
