"""Rectification (art. 16), objection (art. 21) and restriction (art. 18) through requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from gardien.requests import RequestError, RequestStatus, run
from tests.requests.test_erasure import verified
from tests.requests.world import World, make_world, snapshot


def test_rectification_dry_run_shows_rows_and_columns_then_the_run_writes_them(
    tmp_path: Path, any_shop_url: str
) -> None:
    world = make_world(tmp_path, any_shop_url)
    before = snapshot(any_shop_url)
    ref = verified(
        world.workflow,
        "rectification",
        "email:marie@example.fr",
        changes={"contact.postal_address": "3 rue Neuve, Lille", "customers.phone": "0700000000"},
    )
    preview = run(world.workflow, ref, dry_run=True)
    assert snapshot(any_shop_url) == before
    (shop,) = preview.steps
    assert shop.result["counts"] == {
        "orders": {"delivery_address": 2},
        "customers": {"phone": 1},
    }
    assert shop.result["columns"] == ["customers.phone", "orders.delivery_address"]
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.COMPLETED, result.steps
    after = snapshot(any_shop_url)
    marie_orders = [r for r in after["orders"] if r[1] == 1]
    assert {r[3] for r in marie_orders} == {"3 rue Neuve, Lille"}
    assert [r for r in after["orders"] if r[1] != 1] == [r for r in before["orders"] if r[1] != 1]
    assert [r[3] for r in after["customers"]] == ["0700000000", None, "0698765432"]


def test_a_rectification_of_something_no_dataset_holds_is_partial_and_says_what(
    world: World,
) -> None:
    ref = verified(
        world.workflow,
        "rectification",
        "email:marie@example.fr",
        changes={"customers.phone": "0700000000", "health.allergies": "none"},
    )
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.PARTIAL
    assert result.request.reason is not None
    assert "health.allergies" in result.request.reason


def test_a_rectification_without_changes_is_refused_at_receipt(world: World) -> None:
    with pytest.raises(RequestError, match="what to change"):
        world.workflow.receive("rectification", "email:marie@example.fr")


def test_an_objection_request_stops_the_purpose_at_once(world: World) -> None:
    subject = "email:lea@example.fr"
    assert world.ledger.decide(subject, "analytics", ["usage"]).allowed
    ref = verified(world.workflow, "objection", subject, purposes=["analytics"])
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.COMPLETED
    assert not world.ledger.decide(subject, "analytics", ["usage"]).allowed
    assert world.ledger.decide(subject, "orders", ["identity"]).allowed


def test_an_objection_to_a_contract_purpose_is_recorded_as_not_applicable(world: World) -> None:
    ref = verified(world.workflow, "objection", "email:lea@example.fr", purposes=["registration"])
    result = run(world.workflow, ref)
    (step,) = result.steps
    assert "not_applicable" in step.result
    assert world.ledger.decide("email:lea@example.fr", "registration", ["identity"]).allowed


def test_a_restriction_request_leaves_only_storage(world: World) -> None:
    subject = "email:paul@example.fr"
    assert world.ledger.decide(subject, "orders", ["identity"]).allowed
    ref = verified(world.workflow, "restriction", subject, ground="accuracy_contested")
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.COMPLETED
    assert not world.ledger.decide(subject, "orders", ["identity"]).allowed


def test_new_values_and_the_identifier_leave_no_trace_once_the_request_is_closed(
    world: World,
) -> None:
    import sqlalchemy as sa

    from gardien.requests.tables import requests
    from gardien.storage.tables import audit_entries

    ref = verified(
        world.workflow,
        "rectification",
        "email:marie@example.fr",
        changes={"customers.phone": "0755555555"},
    )
    with world.ledger.engine.connect() as conn:
        sealed = conn.execute(sa.select(requests.c.sealed).where(requests.c.ref == ref)).scalar()
    assert sealed is not None
    assert b"0755555555" not in sealed
    assert b"marie" not in sealed
    run(world.workflow, ref)
    with world.ledger.engine.connect() as conn:
        row = conn.execute(sa.select(requests).where(requests.c.ref == ref)).one()
        payloads = " ".join(conn.execute(sa.select(audit_entries.c.payload)).scalars())
    assert row.sealed is None
    assert row.params == {"fields": ["customers.phone"]}
    assert "0755555555" not in payloads
    assert "marie" not in payloads.lower()
