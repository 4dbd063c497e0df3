"""Property tests over random schemas and data: what an erasure may and may not change.

Each example builds a random schema (a person table and up to four tables chained to it or to
each other, with CASCADE / SET NULL foreign keys, cross references to other people's rows that
are never followed, and a legal hold on some tables) with random rows, erases one person, and
checks against the generator's own record of who owns each row:
- every row owned by someone else is byte-for-byte unchanged;
- the held columns of the person's held rows are unchanged;
- no row refers to a missing row (checked in SQL, whatever the engine enforces);
- erasing again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gardien.datasets import DatasetEngine, Subject
from gardien.datasets.declaration import Dataset
from gardien.policy import Duration, load_policy
from tests.datasets.shop import FIXTURES, TODAY, changed, snapshot

TEN_YEARS = Duration.parse("P10Y")


@dataclass
class World:
    meta: sa.MetaData
    dataset: Dataset
    rows: dict[str, list[dict[str, Any]]]
    owner: dict[str, dict[int, int | None]]
    parents: dict[str, str]
    held_tables: set[str]
    subject: int


@st.composite
def worlds(draw: st.DrawFn) -> World:
    meta = sa.MetaData()
    people = draw(st.integers(2, 5))
    sa.Table(
        "person",
        meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(60), nullable=False, unique=True),
        sa.Column("name", sa.String(30)),
    )
    rows: dict[str, list[dict[str, Any]]] = {
        "person": [
            {"id": i, "email": f"p{i}@example.fr", "name": f"Person {i}"}
            for i in range(1, people + 1)
        ]
    }
    owner: dict[str, dict[int, int | None]] = {"person": {i: i for i in range(1, people + 1)}}
    decl: dict[str, Any] = {
        "person": {
            "erasure": draw(st.sampled_from(["delete_row", "update"])),
            "columns": {
                "id": {"identity": "customer_id"},
                "email": {"categories": ["contact.email"], "identity": "email"},
                "name": {"categories": ["identity.name"]},
            },
        }
    }
    links: list[dict[str, str]] = []
    parents: dict[str, str] = {}
    held_tables: set[str] = set()
    names = ["person"]
    for i in range(draw(st.integers(1, 4))):
        name = f"t{i}"
        parent = draw(st.sampled_from(names))
        nullable = draw(st.booleans())
        ondelete = draw(st.sampled_from([None, "CASCADE"] + (["SET NULL"] if nullable else [])))
        held = draw(st.booleans())
        cross = draw(st.sampled_from([None, *names]))
        columns = [
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column(
                "owner_id",
                sa.Integer,
                sa.ForeignKey(f"{parent}.id", ondelete=ondelete),
                nullable=nullable,
            ),
            sa.Column("note", sa.String(20), nullable=draw(st.booleans())),
            sa.Column("event", sa.Date, nullable=False),
        ]
        if cross:
            columns.append(sa.Column("ref_id", sa.Integer, sa.ForeignKey(f"{cross}.id")))
            links.append({"child": f"{name}.ref_id", "parent": f"{cross}.id", "follow": "none"})
        sa.Table(name, meta, *columns)
        cols: dict[str, Any] = {"note": {"categories": ["identity.name"]}}
        if held:
            cols["event"] = {
                "categories": ["transaction.invoice"],
                "erasure": "keep",
                "hold": "invoices",
                "event": "event",
            }
            held_tables.add(name)
        decl[name] = {"erasure": draw(st.sampled_from(["delete_row", "update"])), "columns": cols}
        parent_ids = [r["id"] for r in rows[parent]]
        cross_ids = [r["id"] for r in rows[cross]] if cross else []
        table_rows = []
        owner[name] = {}
        for j in range(1, draw(st.integers(0, 6)) + 1):
            pid = draw(st.sampled_from(parent_ids)) if parent_ids else None
            if nullable and draw(st.integers(0, 5)) == 0:
                pid = None
            if pid is None and not nullable:
                continue
            row = {
                "id": j,
                "owner_id": pid,
                "note": f"n{j}",
                "event": TODAY - timedelta(days=draw(st.integers(0, 365 * 20))),
            }
            if cross:
                row["ref_id"] = draw(st.sampled_from([None, *cross_ids])) if cross_ids else None
            table_rows.append(row)
            owner[name][j] = owner[parent].get(pid) if pid is not None else None
        rows[name] = table_rows
        parents[name] = parent
        names.append(name)
    dataset = Dataset.model_validate(
        {
            "gardien_dataset": 1,
            "name": "random",
            "url_env": "RANDOM_URL",
            "tables": decl,
            "links": links,
        }
    )
    return World(meta, dataset, rows, owner, parents, held_tables, draw(st.integers(1, people)))


def build(engine: sa.Engine, world: World) -> None:
    with engine.begin() as conn:
        for name in reversed(conn.dialect.get_table_names(conn)):
            conn.execute(
                sa.text(
                    f"DROP TABLE IF EXISTS {name} CASCADE"
                    if engine.dialect.name == "postgresql"
                    else f"DROP TABLE IF EXISTS {name}"
                )
            )
    if engine.dialect.name == "mysql":
        with engine.begin() as conn:
            conn.execute(sa.text("SET FOREIGN_KEY_CHECKS = 1"))
    world.meta.create_all(engine)
    with engine.begin() as conn:
        for table in world.meta.sorted_tables:
            if world.rows.get(table.name):
                conn.execute(table.insert(), world.rows[table.name])


def orphans(engine: sa.Engine, world: World) -> list[str]:
    found = []
    with engine.connect() as conn:
        for table in world.meta.sorted_tables:
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                col = fk.parent.name
                count = conn.execute(
                    sa.text(
                        f"SELECT count(*) FROM {table.name} c WHERE c.{col} IS NOT NULL AND NOT "
                        f"EXISTS (SELECT 1 FROM {parent} p WHERE p.id = c.{col})"
                    )
                ).scalar_one()
                if count:
                    found.append(f"{table.name}.{col}: {count}")
    return found


def held_values(engine: sa.Engine, world: World) -> set[tuple[str, int, str]]:
    out = set()
    with engine.connect() as conn:
        for name in world.held_tables:
            for row in conn.execute(sa.text(f"SELECT id, event FROM {name}")):
                if world.owner[name].get(row.id) == world.subject:
                    event = (
                        row.event
                        if isinstance(row.event, date)
                        else date.fromisoformat(str(row.event)[:10])
                    )
                    if TEN_YEARS.after_date(event) > TODAY:
                        out.add((name, row.id, str(event)))
    return out


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres", "mariadb"])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_erasure_changes_only_the_persons_rows_keeps_held_rows_and_orphans_nothing(
    engine_name: str, world: World, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(f"{engine_name}_url")
    engine = sa.create_engine(url)
    try:
        build(engine, world)
        policy = load_policy(FIXTURES / "shop-policy.yaml")
        gardien = DatasetEngine(world.dataset, engine, policy=policy, today=TODAY)
        subject = Subject.of(email=f"p{world.subject}@example.fr")
        held_before = held_values(engine, world)
        before = snapshot(engine)
        plan = gardien.plan([subject])
        report = gardien.erase([subject])
        after = snapshot(engine)
        for table, keys in changed(before, after).items():
            owners = {world.owner[table].get(int(k[0])) for k in keys}
            assert owners <= {world.subject}, (table, keys, owners)
        assert held_values(engine, world) == held_before
        assert orphans(engine, world) == []
        assert {n: c["deleted"] for n, c in plan.counts().items()} == {
            n: c["deleted"] for n, c in report.counts().items()
        }
        gardien.erase([subject])
        assert snapshot(engine) == after
    finally:
        engine.dispose()
