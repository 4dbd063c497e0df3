"""Alembic environment: always run programmatically, on a connection given by Gardien."""

from __future__ import annotations

from alembic import context

from gardien.storage.migrations import VERSION_TABLE
from gardien.storage.schema import full_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=full_metadata(),
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
