"""Applying the Alembic migrations shipped in :mod:`gardien.storage.migrations`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from gardien.errors import ConfigurationError
from gardien.storage.migrations import VERSION_TABLE

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the database to the latest schema (every head: each package's branch)."""
    config = _config()
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        conn.commit()


def current_revisions(engine: Engine) -> frozenset[str]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return frozenset(context.get_current_heads())


def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(_config()).get_heads())


def require_current(engine: Engine) -> None:
    """Fail at start-up, with the fix, when the schema is not the one this code expects."""
    current = current_revisions(engine)
    if current != head_revisions():
        state = ", ".join(sorted(current)) or "empty"
        raise ConfigurationError(
            f"the database schema is not up to date (at: {state}); run `gardien db upgrade`"
        )
