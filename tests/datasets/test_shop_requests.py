"""Access, erasure, rectification and portability on the shop, on every engine."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.datasets import (
    ColumnErasure,
    DatasetEngine,
    MaskDoesNotFitError,
    Subject,
    TableErasure,
)
from tests.datasets.shop import changed, snapshot

ALICE = Subject.of(email="Alice@Example.fr")


def package(path: Path) -> dict[str, list[dict[str, object]]]:
    with zipfile.ZipFile(path) as z:
        data = json.loads(z.read("data.json"))
        assert all(f"tables/shop.{t['table']}.csv" in z.namelist() for t in data["tables"])
    return {t["table"]: t["rows"] for t in data["tables"]}


def test_access_returns_every_row_about_alice_and_nothing_only_about_others(
    shop: DatasetEngine, tmp_path: Path
) -> None:
    counts = shop.access(ALICE, tmp_path / "a.zip")
    rows = package(tmp_path / "a.zip")
    assert {r["id"] for r in rows["customer"]} == {1}
    assert {r["id"] for r in rows["orders"]} == {1000, 1001}
    assert {r["id"] for r in rows["order_line"]} == {1, 2, 3}
    assert {r["id"] for r in rows["invoice"]} == {5000, 5001}
    assert {r["id"] for r in rows["card"]} == {100}
    assert {r["id"] for r in rows["ticket"]} == {1}
    assert {r["email"] for r in rows["newsletter"]} == {"ALICE@EXAMPLE.FR"}
    # Her own delivery address and the one she shares with the store are hers to see.
    assert {r["id"] for r in rows["address"]} == {10, 13}
    # Not disclosed: the support agent, who referred whom (a declared private column).
    assert "employee" not in rows
    assert "referred_by" not in rows["customer"][0]
    assert counts["shop.customer"] == 1


def test_access_does_not_disclose_anothers_card_used_on_an_order(
    shop: DatasetEngine, tmp_path: Path
) -> None:
    shop.access(Subject.of(customer_id="2"), tmp_path / "b.zip")
    rows = package(tmp_path / "b.zip")
    assert "card" not in rows  # Bob paid with Alice's card: not Bob's data
    assert {r["id"] for r in rows["orders"]} == {1002}
    assert {r["id"] for r in rows["address"]} == {11}


def test_dry_run_counts_equal_executed_counts_per_table(shop: DatasetEngine) -> None:
    plan = shop.plan([ALICE])
    report = shop.erase([ALICE])
    planned = {
        n: {k: v for k, v in c.items() if k in ("deleted", "updated", "unlinked")}
        for n, c in plan.counts().items()
    }
    assert planned == report.counts()
    assert sum(c["deleted"] for c in report.counts().values()) > 0


def test_erasure_deletes_masks_and_keeps_the_held_invoice(shop: DatasetEngine) -> None:
    report = shop.erase([ALICE])
    with shop.engine.connect() as conn:
        customer = conn.execute(
            sa.text(
                "SELECT email, first_name, last_name, phone, address_id FROM customer WHERE id = 1"
            )
        ).one()
        invoices = conn.execute(
            sa.text(
                "SELECT id, billing_name, email_sent_to, order_id FROM invoice "
                "WHERE customer_id = 1"
            )
        ).all()
        card = conn.execute(sa.text("SELECT holder, number FROM card WHERE id = 100")).one()
        orders = conn.execute(sa.text("SELECT id FROM orders WHERE customer_id = 1")).all()
        lines = conn.execute(
            sa.text("SELECT count(*) FROM order_line WHERE order_id IN (1000, 1001)")
        ).scalar_one()
        addresses = dict(conn.execute(sa.text("SELECT id, street FROM address")).all())
        newsletter = conn.execute(sa.text("SELECT count(*) FROM newsletter")).scalar_one()
    # Kept because the held invoice refers to her: rewritten, not deleted.
    assert tuple(customer) == ("erased-1@invalid", None, "erased", None, None)
    # The recent invoice is held 10 years (Code de commerce L123-22); the 2010 one is gone.
    assert [(i.id, i.billing_name, i.email_sent_to, i.order_id) for i in invoices] == [
        (5000, "Alice Martin", None, 1000)
    ]
    assert tuple(card) == ("erased", 0)  # still referenced by Bob's order
    assert [o.id for o in orders] == [1000]
    assert lines == 0
    assert addresses[10] == "1 rue du Commerce"  # shared with the store: untouched
    assert addresses[13] == "erased"  # hers, still referenced by the kept order
    assert newsletter == 1
    [(table, held)] = report.kept
    assert table == "invoice"
    assert held.law == "Code de commerce L123-22"
    assert held.until == date(2035, 3, 1)
    assert held.rows == 1


def test_erasure_touches_no_row_of_anyone_else(shop: DatasetEngine) -> None:
    before = snapshot(shop.engine)
    shop.erase([ALICE])
    diff = changed(before, snapshot(shop.engine))
    alice_rows = {
        "customer": {("1",)},
        "orders": {("1001",)},
        "order_line": {("1",), ("2",), ("3",)},
        "invoice": {("5000",), ("5001",)},
        "card": {("100",)},
        "ticket": {("1",)},
        "newsletter": {("ALICE@EXAMPLE.FR",)},
        "address": {("13",)},
    }
    for table, keys in diff.items():
        assert keys <= alice_rows.get(table, set()), (table, keys)


def test_erasure_twice_gives_the_same_end_state_and_finds_nothing_left(
    shop: DatasetEngine,
) -> None:
    shop.erase([ALICE])
    after_first = snapshot(shop.engine)
    assert shop.plan([ALICE]).nothing_to_do
    again = shop.erase([Subject.of(email="alice@example.fr", customer_id="1")])
    assert all(c == {"deleted": 0, "updated": 0, "unlinked": 0} for c in again.counts().values())
    assert snapshot(shop.engine) == after_first


def test_batch_erasure_equals_one_by_one(shop: DatasetEngine) -> None:
    people = [ALICE, Subject.of(customer_id="3")]
    plan = shop.plan(people)
    report = shop.erase(people)
    assert {n: c["deleted"] for n, c in plan.counts().items()} == {
        n: c["deleted"] for n, c in report.counts().items()
    }
    with shop.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM customer WHERE id = 3")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM card WHERE id = 101")).scalar_one() == 0


def test_rectification_updates_the_email_wherever_it_is_stored(shop: DatasetEngine) -> None:
    result = shop.rectify(ALICE, {"contact.email": "alice.martin@example.fr"})
    with shop.engine.connect() as conn:
        email = conn.execute(sa.text("SELECT email FROM customer WHERE id = 1")).scalar_one()
        sent = conn.execute(
            sa.text("SELECT email_sent_to FROM invoice WHERE id = 5000")
        ).scalar_one()
        bob = conn.execute(sa.text("SELECT email FROM customer WHERE id = 2")).scalar_one()
    assert email == "alice.martin@example.fr"
    assert sent == "alice.martin@example.fr"
    assert bob == "bob@example.fr"
    assert result.updated["customer"] == {"email": 1}


def test_rectification_refuses_a_value_that_does_not_fit(shop: DatasetEngine) -> None:
    with pytest.raises(MaskDoesNotFitError, match=r"customer\.phone"):
        shop.rectify(ALICE, {"customer.phone": "+33 6" * 10})


def test_portability_keeps_only_provided_data_on_contract(
    shop: DatasetEngine, tmp_path: Path
) -> None:
    shop.portability(ALICE, tmp_path / "p.zip")
    rows = package(tmp_path / "p.zip")
    # Card numbers are processed for fraud scoring (legitimate interests, from a partner):
    # excluded; the holder's name is identity data given for the contract: included.
    assert set(rows["card"][0]) == {"holder"}
    assert set(rows["customer"][0]) == {"email", "first_name", "last_name", "phone", "birth_date"}
    assert "message" not in rows.get("ticket", [{}])[0]


def test_a_mask_that_does_not_fit_stops_before_any_change(shop: DatasetEngine) -> None:
    table = shop.dataset.tables["card"]
    number = table.columns["number"].model_copy(update={"mask": "not a number"})
    card = table.model_copy(update={"columns": {**table.columns, "number": number}})
    dataset = shop.dataset.model_copy(update={"tables": {**shop.dataset.tables, "card": card}})
    broken = DatasetEngine(dataset, shop.engine, policy=shop.policy, today=shop.today)
    before = snapshot(shop.engine)
    with pytest.raises(MaskDoesNotFitError, match=r"card\.number"):
        broken.erase([ALICE])
    assert snapshot(shop.engine) == before


def test_an_email_inside_a_primary_key_cannot_be_masked_and_nothing_changes(
    shop: DatasetEngine,
) -> None:
    newsletter = shop.dataset.tables["newsletter"].model_copy(
        update={"erasure": TableErasure.UPDATE}
    )
    dataset = shop.dataset.model_copy(
        update={"tables": {**shop.dataset.tables, "newsletter": newsletter}}
    )
    broken = DatasetEngine(dataset, shop.engine, policy=shop.policy, today=shop.today)
    before = snapshot(shop.engine)
    with pytest.raises(MaskDoesNotFitError, match=r"newsletter\.email: .*part of a key"):
        broken.erase([ALICE])
    assert snapshot(shop.engine) == before


def test_a_keyed_hash_replaces_the_value_once_and_needs_the_key(shop: DatasetEngine) -> None:
    customer = shop.dataset.tables["customer"]
    last_name = customer.columns["last_name"].model_copy(update={"erasure": ColumnErasure.HASH})
    table = customer.model_copy(update={"columns": {**customer.columns, "last_name": last_name}})
    dataset = shop.dataset.model_copy(update={"tables": {**shop.dataset.tables, "customer": table}})
    keyless = DatasetEngine(dataset, shop.engine, policy=shop.policy, today=shop.today)
    with pytest.raises(MaskDoesNotFitError, match=r"customer\.last_name: .*hash key"):
        keyless.plan([ALICE])
    hashing = DatasetEngine(
        dataset, shop.engine, policy=shop.policy, today=shop.today, hash_key=b"k" * 32
    )
    hashing.erase([ALICE])
    with shop.engine.connect() as conn:
        hashed = conn.execute(sa.text("SELECT last_name FROM customer WHERE id = 1")).scalar_one()
    assert hashed.startswith("h$")
    assert len(hashed) <= 40
    assert "Martin" not in hashed
    assert hashing.plan([Subject.of(customer_id="1")]).nothing_to_do
