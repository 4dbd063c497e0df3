"""The vault's migration creates exactly the tables declared in ``gardien.vault.tables``."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from gardien.storage import current_revisions, head_revisions, metadata
from gardien.vault.tables import vault_items, vault_keys
from tests.storage.test_storage import _table_of

VAULT_TABLES = {vault_keys.name, vault_items.name}


def test_the_migration_matches_the_vault_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = [
            d for d in compare_metadata(context, metadata) if _table_of(d) in VAULT_TABLES
        ]
    assert differences == []
    assert "0005_vault_keys_and_items" in head_revisions()
    assert current_revisions(engine) == head_revisions()
