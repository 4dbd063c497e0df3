"""The four public sample databases, loaded once per test module under a unique prefix.

``/work/shared/sample-dbs/load.sh`` (re)creates them; tests that need them skip when a service
or a client program is missing, unless ``GARDIEN_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from gardien.datasets import DatasetEngine, load_dataset
from gardien.datasets.schema import reflect
from gardien.policy import load_policy
from tests.support.services import (
    MARIADB_ADMIN_URL,
    POSTGRES_ADMIN_URL,
    _probe,
    unavailable,
)

SAMPLES = Path(os.environ.get("GARDIEN_SAMPLE_DBS", "/work/shared/sample-dbs"))
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "datasets"
TODAY = date(2026, 6, 1)


@dataclass(frozen=True)
class Sample:
    name: str
    declaration: str
    url: str
    today: date
    customer_sql: str
    schemas: tuple[str | None, ...] = (None,)

    def engine(self) -> DatasetEngine:
        policy = load_policy(EXAMPLES / "policy.yaml")
        dataset = load_dataset(EXAMPLES / self.declaration, policy)
        return DatasetEngine(dataset, sa.create_engine(self.url), policy=policy, today=self.today)


@contextmanager
def loaded_samples(tmp: Path) -> Iterator[dict[str, Sample]]:
    """Load every sample database under a fresh prefix; drop them afterwards."""
    for tool in ("psql", "mysql", "sqlite3"):
        if shutil.which(tool) is None:
            unavailable(tool, "client program not installed")
    for service, url in (("PostgreSQL", POSTGRES_ADMIN_URL), ("MariaDB", MARIADB_ADMIN_URL)):
        problem = _probe(url)
        if problem:
            unavailable(service, problem)
    prefix = f"gs{uuid.uuid4().hex[:8]}_"
    pg = sa.make_url(POSTGRES_ADMIN_URL)
    my = sa.make_url(MARIADB_ADMIN_URL)
    env = {
        **os.environ,
        "PREFIX": prefix,
        "SQLITE_DIR": str(tmp),
        "PGHOST": pg.host or "127.0.0.1",
        "PGPORT": str(pg.port or 5432),
        "PGUSER": pg.username or "postgres",
        "MYSQL_HOST": my.host or "127.0.0.1",
        "MYSQL_PORT": str(my.port or 3306),
        "MYSQL_USER": my.username or "root",
    }
    subprocess.run([str(SAMPLES / "load.sh")], env=env, check=True, capture_output=True)

    def pg_url(db: str) -> str:
        return pg.set(database=prefix + db).render_as_string(hide_password=False)

    customers = "SELECT customer_id FROM customer ORDER BY 1"
    samples = {
        "pagila": Sample("pagila", "pagila.yaml", pg_url("pagila"), TODAY, customers),
        "sakila": Sample(
            "sakila",
            "sakila.yaml",
            my.set(database=prefix + "sakila").render_as_string(hide_password=False),
            date(2010, 1, 1),
            customers,
        ),
        "chinook": Sample("chinook", "chinook.yaml", pg_url("chinook"), TODAY, customers),
        "chinook_sqlite": Sample(
            "chinook_sqlite",
            "chinook-sqlite.yaml",
            f"sqlite:///{tmp / (prefix + 'chinook.sqlite')}",
            TODAY,
            'SELECT "CustomerId" FROM "Customer" ORDER BY 1',
        ),
        "fides_sample": Sample(
            "fides_sample",
            "fides_sample.yaml",
            pg_url("fides_sample"),
            TODAY,
            "SELECT id FROM customer ORDER BY 1",
            (None, "backup_schema"),
        ),
    }
    try:
        yield samples
    finally:
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for db in ("pagila", "chinook", "fides_sample"):
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{prefix}{db}" WITH (FORCE)'))
        admin.dispose()
        admin = sa.create_engine(MARIADB_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{prefix}sakila`"))
        admin.dispose()


Snapshot = dict[str, dict[tuple[str, ...], str]]


def snapshot(
    engine: sa.Engine, schemas: tuple[str | None, ...], ignore: frozenset[str] = frozenset()
) -> Snapshot:
    """Every row of every table (partitions read through their parent), keyed like the engine.

    ``ignore`` leaves columns out of the checksums: ``last_update`` is rewritten with the
    clock time by triggers, so two copies erased a second apart differ there and nowhere else.
    """
    out: Snapshot = {}
    with engine.connect() as conn:
        live = reflect(conn, schemas)
        for key, info in live.tables.items():
            table = sa.table(info.name, *(sa.column(c) for c in info.columns), schema=info.schema)
            pk = info.primary_key or tuple(info.columns)
            rows: dict[tuple[str, ...], str] = {}
            for row in conn.execute(sa.select(table)).mappings():
                values = tuple(str(row[c]) for c in info.columns if c not in ignore)
                digest = hashlib.sha256(repr(values).encode()).hexdigest()
                rows[tuple(str(row[c]) for c in pk)] = digest
            out[key] = rows
    return out


def orphans(engine: DatasetEngine) -> dict[str, int]:
    """Per link (foreign key or declared), rows pointing at a missing row."""
    out: dict[str, int] = {}
    with engine.engine.connect() as conn:
        bound = engine.bound(conn)
        for link in bound.links:
            child, parent = bound.tables[link.child], bound.tables[link.parent]
            condition = sa.and_(
                *(
                    parent.col(p) == child.col(c)
                    for c, p in zip(link.child_columns, link.parent_columns, strict=True)
                )
            )
            not_null = sa.and_(*(child.col(c).isnot(None) for c in link.child_columns))
            statement = (
                sa.select(sa.func.count())
                .select_from(child.sa)
                .where(not_null, ~sa.exists().where(condition))
            )
            out[link.describe()] = conn.execute(statement).scalar_one()
    return out
