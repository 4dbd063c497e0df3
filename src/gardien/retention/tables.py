"""The one table of the sweep scheduler, on the shared :data:`gardien.storage.tables.metadata`.

One row per schedule: who runs it now (a lease that expires if that process dies) and the last
day it completed. Claiming is one conditional UPDATE, atomic on SQLite and PostgreSQL alike, so
several service workers never sweep at once and a day is swept once.
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.storage.tables import UtcDateTime, metadata

sweep_schedule = sa.Table(
    "gardien_retention_schedule",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True, doc="The schedule, e.g. 'daily'"),
    sa.Column("holder", sa.String(128), nullable=True, doc="The process running it now"),
    sa.Column("lease_until", UtcDateTime(), nullable=True, doc="The holder's claim ends then"),
    sa.Column("last_day", sa.Date(), nullable=True, doc="The last day a sweep completed"),
    sa.Column("last_finished_at", UtcDateTime(), nullable=True),
    sa.Column("last_report", sa.JSON(), nullable=True, doc="Counts only, never row content"),
)
