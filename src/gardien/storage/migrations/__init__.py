"""Alembic migrations of every Gardien table, shipped inside the package.

To add a migration (a new package's tables, a new column): add the table to
:mod:`gardien.storage.tables`, then a file ``versions/NNNN_<what>.py`` whose ``down_revision``
is the current head (the highest NNNN), with ``upgrade()`` written out with ``op`` calls.
``tests/storage/test_migrations.py`` fails while the migrations and the tables disagree.
``gardien db upgrade`` applies every head, so two packages' branches both apply.
"""

VERSION_TABLE = "gardien_alembic_version"
