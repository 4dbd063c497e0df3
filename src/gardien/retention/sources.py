"""Building what a sweep works on from the declarations: one source per declared database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.datasets.binding import bind, schemas_of
from gardien.datasets.declaration import Dataset
from gardien.datasets.engine import url_from_env
from gardien.datasets.schema import reflect
from gardien.policy.model import Policy
from gardien.retention.plan import SweepSource
from gardien.retention.targets import dataset_targets


def dataset_source(
    dataset: Dataset,
    db: str | Engine,
    policy: Policy,
    now: datetime,
    *,
    hash_key: bytes | None = None,
) -> SweepSource:
    """The tables of ``dataset`` that name a retention rule, bound to the live database.

    Fails at once, naming the table, when the declaration and the database disagree or a rule,
    hold or column is unknown: never halfway through a sweep.
    """
    engine = sa.create_engine(db) if isinstance(db, str) else db
    with engine.connect() as conn:
        bound = bind(dataset, reflect(conn, schemas_of(dataset)))
    targets, unswept = dataset_targets(bound, policy, now, hash_key)
    return SweepSource(dataset.name, engine, tuple(targets), tuple(unswept))


def dataset_sources(
    datasets: list[Dataset],
    environ: Mapping[str, str],
    policy: Policy,
    now: datetime,
    *,
    hash_key: bytes | None = None,
) -> list[SweepSource]:
    """One source per dataset, each database URL read from its ``url_env`` variable."""
    return [
        dataset_source(d, url_from_env(d, environ), policy, now, hash_key=hash_key)
        for d in datasets
        if any(t.retention for t in d.tables.values())
    ]
