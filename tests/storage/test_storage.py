"""The storage layer: migrations that match the tables, SQLite set up for safety."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gardien.errors import ConfigurationError
from gardien.ledger import IdentifierVault, Ledger
from gardien.policy import load_policy
from gardien.storage import (
    create_engine,
    current_revisions,
    head_revisions,
    metadata,
    require_current,
    upgrade,
)
from tests.ledger.worlds import BOUTIQUE

LEDGER_TABLES = {
    "gardien_people",
    "gardien_identifiers",
    "gardien_policy_versions",
    "gardien_consents",
    "gardien_objections",
    "gardien_restrictions",
    "gardien_audit_entries",
    "gardien_audit_head",
}


def _table_of(difference: object) -> str | None:
    """The table a difference from ``compare_metadata`` is about."""
    item = difference[0] if isinstance(difference, list) else difference
    assert isinstance(item, tuple)
    for part in item[1:4]:
        if isinstance(part, sa.Table):
            return part.name
        if isinstance(part, str) and part.startswith("gardien_"):
            return part
        table = getattr(part, "table", None)
        if isinstance(table, sa.Table):
            return table.name
    return None


def test_migrations_create_exactly_the_ledger_and_audit_tables(db_url: str) -> None:
    """Other packages test their own tables; these are the ledger's and the audit trail's."""
    engine = create_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = [
            d for d in compare_metadata(context, metadata) if _table_of(d) in LEDGER_TABLES
        ]
    assert differences == []
    assert current_revisions(engine) == head_revisions()
    upgrade(engine)  # a second run is a no-op
    engine.dispose()


def test_an_unmigrated_database_stops_start_up_with_the_fix(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(ConfigurationError, match="gardien db upgrade"):
        require_current(engine)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'g.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_a_copy_of_the_database_does_not_reveal_who_is_in_it(
    tmp_path: Path, vault: IdentifierVault
) -> None:
    path = tmp_path / "ledger.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    ledger = Ledger(engine, load_policy(BOUTIQUE), vault)
    ledger.give_consent("email:marie.secret@example.fr", "marketing")
    ledger.add_identifier("email:marie.secret@example.fr", "phone:0612345678")
    ledger.close()
    with sa.create_engine(f"sqlite:///{path}").connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = path.read_bytes()
    assert b"marie.secret" not in raw
    assert b"612345678" not in raw
    assert raw.count(b"marketing") > 0  # the file is the ledger, only the names are hidden
