"""The request and identity tables declared in code are exactly what migration 0004 creates."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import gardien.identity.tables
import gardien.requests.tables  # noqa: F401  (puts the tables on the shared metadata)
from gardien.storage import create_engine, metadata, upgrade

OURS = {"gardien_requests", "gardien_request_steps", "gardien_identity_codes"}


def _about_ours(difference: object) -> bool:
    item = difference[0] if isinstance(difference, list) else difference
    assert isinstance(item, tuple)
    for part in item[1:4]:
        name = (
            part.name
            if isinstance(part, sa.Table)
            else getattr(getattr(part, "table", None), "name", part)
        )
        if isinstance(name, str) and name in OURS:
            return True
    return False


# Gardien's own database is SQLite or PostgreSQL (gardien.storage.engine); MariaDB holds only
# the organisation's datasets, and reflects LargeBinary(32) as TINYBLOB, a false difference.
@pytest.mark.parametrize("engine_name", ["sqlite", "postgres"])
def test_migration_0004_matches_the_tables(
    request: pytest.FixtureRequest, engine_name: str
) -> None:
    url = request.getfixturevalue(f"{engine_name}_url")
    engine = create_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, metadata) if _about_ours(d)]
        assert set(sa.inspect(conn).get_table_names()) >= OURS
    engine.dispose()
    assert differences == []
