"""The whole schema of Gardien's own database: every package's tables on one metadata.

Each package declares its tables in its own ``tables.py`` on the shared
:data:`gardien.storage.tables.metadata`; a table exists in the metadata only once its module is
imported. Migrations, schema checks and backups need all of them, so this one module imports them
all (it is the only place in ``storage`` that knows the other packages).
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa

from gardien.storage.tables import metadata

TABLE_MODULES = (
    "gardien.identity.tables",
    "gardien.requests.tables",
    "gardien.vault.tables",
    "gardien.service.tables",
    "gardien.retention.tables",
)


def full_metadata() -> sa.MetaData:
    """The metadata with every package's tables registered."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
    return metadata
