"""Issue 8: requests on four real sample databases nobody here designed.

For customers chosen by Hypothesis, on PostgreSQL (Pagila, Chinook, Fides sample), MariaDB
(Sakila, as of 2010 so that the 10-year hold on its 2005 payments is live) and SQLite (Chinook,
foreign keys off): every row of everyone else is byte-for-byte unchanged, held rows are
unchanged, no new orphan appears, dry-run counts equal executed counts, and a rerun changes
nothing.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gardien.datasets import DatasetEngine, Subject
from tests.datasets.samples import Sample, loaded_samples, orphans, snapshot

NAMES = ["pagila", "sakila", "chinook", "chinook_sqlite", "fides_sample"]


@pytest.fixture
def samples(tmp_path: Path) -> Iterator[dict[str, Sample]]:
    """Fresh copies for each test: erasures must not leak from one test into another."""
    with loaded_samples(tmp_path) as loaded:
        yield loaded


def customer_ids(sample: Sample) -> list[int]:
    engine = sa.create_engine(sample.url)
    with engine.connect() as conn:
        ids = [int(r[0]) for r in conn.execute(sa.text(sample.customer_sql))]
    engine.dispose()
    return ids


@pytest.mark.parametrize("name", NAMES)
def test_erasure_of_any_customer_touches_only_their_rows(
    name: str, samples: dict[str, Sample]
) -> None:
    sample = samples[name]
    engine = sample.engine()
    ids = customer_ids(sample)

    @settings(
        max_examples=6,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(customer=st.sampled_from(ids))
    def erase_one(customer: int) -> None:
        subject = Subject.of(customer_id=str(customer))
        with engine.engine.connect() as conn:
            footprint = engine.find(conn, [subject])
        mine = {
            engine.bound_table_key(n): {tuple(str(v) for v in k) for k in t.owned}
            for n, t in footprint.tables.items()
        }
        before = snapshot(engine.engine, sample.schemas)
        orphans_before = orphans(engine)
        plan = engine.plan([subject])
        report = engine.erase([subject])
        after = snapshot(engine.engine, sample.schemas)
        for table, rows in before.items():
            for key, digest in rows.items():
                if key not in mine.get(table, set()):
                    assert after[table].get(key) == digest, (name, customer, table, key)
        for table, table_plan in plan.tables.items():
            live = engine.bound_table_key(table)
            for key in table_plan.held:
                skey = tuple(str(v) for v in key)
                assert after[live][skey] == before[live][skey], ("held row changed", table, key)
        assert orphans(engine) == orphans_before
        planned = {
            t: {k: c[k] for k in ("deleted", "updated", "unlinked")}
            for t, c in plan.counts().items()
        }
        assert planned == report.counts()
        assert engine.plan([subject]).nothing_to_do
        engine.erase([subject])
        assert snapshot(engine.engine, sample.schemas) == after

    try:
        erase_one()
    finally:
        engine.engine.dispose()


def access_rows(engine: DatasetEngine, subject: Subject, path: Path) -> dict[str, list[dict]]:
    engine.access(subject, path)
    with zipfile.ZipFile(path) as z:
        data = json.loads(z.read("data.json"))
    return {t["table"]: t["rows"] for t in data["tables"]}


def test_fides_access_hides_anothers_card_and_the_backup_schemas_namesake(
    samples: dict[str, Sample], tmp_path: Path
) -> None:
    engine = samples["fides_sample"].engine()
    rows = access_rows(engine, Subject.of(customer_id="1"), tmp_path / "c1.zip")
    assert {r["id"] for r in rows["payment_card"]} == {"pay_aaa-aaa"}
    assert {r["id"] for r in rows["orders"]} == {"ord_aaa-aaa", "ord_ccc-ccc", "ord_ddd-ddd"}
    assert {r["email"] for r in rows["visit"]} == {"customer-1@example.com"}
    assert "backup_schema.customer" not in rows
    engine.erase([Subject.of(customer_id="1")])
    with engine.engine.connect() as conn:
        backup = conn.execute(
            sa.text("SELECT email FROM backup_schema.customer WHERE id = 1")
        ).scalar_one()
        card = conn.execute(
            sa.text("SELECT name, ccn FROM payment_card WHERE id = 'pay_bbb-bbb'")
        ).one()
    assert backup == "customer-500@example.com"
    assert tuple(card) == ("Example Card 2", 987654321)
    engine.engine.dispose()


def test_pagila_access_leaves_out_other_customers_payments_on_the_persons_rentals(
    samples: dict[str, Sample], tmp_path: Path
) -> None:
    sample = samples["pagila"]
    engine = sample.engine()
    with engine.engine.connect() as conn:
        renter, payer, payment = conn.execute(
            sa.text(
                "SELECT r.customer_id, p.customer_id, p.payment_id FROM payment p "
                "JOIN rental r USING (rental_id) WHERE p.customer_id <> r.customer_id LIMIT 1"
            )
        ).one()
    rows = access_rows(engine, Subject.of(customer_id=str(renter)), tmp_path / "r.zip")
    assert payment not in {r["payment_id"] for r in rows["payment"]}
    assert {r["customer_id"] for r in rows["payment"]} == {renter}
    rows = access_rows(engine, Subject.of(customer_id=str(payer)), tmp_path / "p.zip")
    assert payment in {r["payment_id"] for r in rows["payment"]}
    # The address a customer shares with a store is theirs to see.
    assert len(rows["address"]) == 1
    engine.engine.dispose()


def test_sakila_erasure_report_names_the_hold_and_keeps_set_null_from_rewriting_payments(
    samples: dict[str, Sample],
) -> None:
    engine = samples["sakila"].engine()
    with engine.engine.connect() as conn:
        customer = conn.execute(
            sa.text(
                "SELECT min(customer_id) FROM rental r WHERE EXISTS "
                "(SELECT 1 FROM payment p WHERE p.rental_id = "
                "r.rental_id)"
            )
        ).scalar_one()
        before = conn.execute(
            sa.text("SELECT payment_id, rental_id FROM payment WHERE customer_id = :c ORDER BY 1"),
            {"c": customer},
        ).all()
    report = engine.erase([Subject.of(customer_id=str(customer))])
    with engine.engine.connect() as conn:
        after = conn.execute(
            sa.text("SELECT payment_id, rental_id FROM payment WHERE customer_id = :c ORDER BY 1"),
            {"c": customer},
        ).all()
    assert after == before
    [(table, held)] = report.kept
    assert (table, held.law) == ("payment", "Code de commerce L123-22")
    assert held.until is not None
    assert held.until.year in (2015, 2016)
    engine.engine.dispose()


@pytest.mark.parametrize("name", ["pagila", "sakila", "chinook_sqlite", "fides_sample"])
def test_killed_mid_erasure_then_rerun_ends_like_an_uninterrupted_erasure(
    name: str, tmp_path: Path
) -> None:
    from tests.datasets.samples import EXAMPLES
    from tests.datasets.test_crash import kill_mid_erasure

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with loaded_samples(tmp_path / "a") as crashed, loaded_samples(tmp_path / "b") as clean:
        sample, reference = crashed[name], clean[name]
        customer = str(customer_ids(sample)[0])
        before = snapshot(sa.create_engine(sample.url), sample.schemas)
        kill_mid_erasure(
            sample.url,
            tmp_path,
            str(EXAMPLES / sample.declaration),
            str(EXAMPLES / "policy.yaml"),
            sample.today.isoformat(),
            f"customer_id:{customer}",
        )
        assert snapshot(sa.create_engine(sample.url), sample.schemas) == before
        for target in (sample, reference):
            engine = target.engine()
            engine.erase([Subject.of(customer_id=customer)])
            engine.engine.dispose()
        clock = frozenset({"last_update"})
        after = snapshot(sa.create_engine(sample.url), sample.schemas, clock)
        assert after == snapshot(sa.create_engine(reference.url), reference.schemas, clock)
        assert snapshot(sa.create_engine(sample.url), sample.schemas) != before
