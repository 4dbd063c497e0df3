"""The migrations build exactly the schema the code declares, every package included."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from gardien.storage.engine import create_engine
from gardien.storage.migrate import current_revisions, head_revisions, upgrade
from gardien.storage.migrations import VERSION_TABLE
from gardien.storage.schema import full_metadata


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
def test_a_fresh_database_upgraded_matches_every_declared_table(
    engine_name: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(f"{engine_name}_url")
    engine = create_engine(url)
    try:
        upgrade(engine)
        assert current_revisions(engine) == head_revisions()
        metadata = full_metadata()
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": False, "version_table": VERSION_TABLE}
            )
            differences = compare_metadata(context, metadata)
        tables = {name for name in metadata.tables}
        assert {
            "gardien_people",
            "gardien_requests",
            "gardien_vault_keys",
            "gardien_api_keys",
        } <= tables
        assert differences == [], differences
    finally:
        engine.dispose()
