"""A sweep per rule on SQLite, PostgreSQL and MariaDB: deletes, anonymises, respects the hold."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from gardien.audit.events import AuditEvent
from gardien.retention import (
    RetentionBatchSwept,
    RetentionTableSwept,
    SweepSource,
    dataset_source,
    plan_retention,
    run_sweep,
)
from tests.retention import world

ENGINES = ["sqlite", "postgres", "mariadb"]


@pytest.fixture(params=ENGINES)
def shop(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    url = request.getfixturevalue(f"{request.param}_url")
    engine = world.build(url)
    yield engine
    engine.dispose()


def _source(engine: sa.Engine) -> SweepSource:
    policy = world.policy()
    return dataset_source(world.dataset(policy), engine, policy, world.NOW)


def test_the_plan_counts_per_rule_and_table_and_changes_nothing(shop: sa.Engine) -> None:
    before = world.snapshot(shop)
    plan = plan_retention([_source(shop)])
    invoice = plan.table("invoice")
    assert (invoice.expired, invoice.held, invoice.to_sweep, invoice.released) == (2, 1, 1, 1)
    assert invoice.holds == ("invoices",)
    orders = plan.table("orders")
    # Order 11 is referenced by invoice 2 (held); order 12 by invoice 3, which the same run
    # deletes first (released): the plan counts order 12 as swept, as the run will.
    assert (orders.expired, orders.kept_referenced, orders.to_sweep) == (3, 1, 2)
    customer = plan.table("customer")
    assert (customer.expired, customer.to_sweep, customer.undated) == (2, 2, 1)
    log = plan.table("access_log")
    assert (log.expired, log.to_sweep) == (world.EXPIRED_LOGS, world.EXPIRED_LOGS)
    assert set(plan.by_rule()) == {"orders", "prospects", "logs"}
    assert world.snapshot(shop) == before


def test_a_sweep_deletes_and_anonymises_per_rule_and_keeps_what_the_hold_keeps(
    shop: sa.Engine,
) -> None:
    before = world.snapshot(shop)
    events: list[AuditEvent] = []
    report = run_sweep([_source(shop)], batch_size=50, record=events.append)
    after = world.snapshot(shop)

    # The held invoice (2019, held until 2029) and the recent one are unchanged, byte for byte.
    assert after["invoice"] == {k: v for k, v in before["invoice"].items() if k in {"1", "2"}}
    invoice = report.table("invoice")
    assert (invoice.deleted, invoice.held, invoice.released) == (1, 1, 1)
    # Order 11 stays while its held invoice refers to it; 12 goes once invoice 3 has gone.
    assert set(world.rows_of(shop, world.orders)) == {10, 11}
    assert report.table("orders").kept_referenced == 1
    customers = world.rows_of(shop, world.customer)
    for kept in (1, 3):
        assert after["customer"][str(kept)] == before["customer"][str(kept)]
    for swept in (2, 4):
        row = customers[swept]
        assert row["email"] == f"erased-{swept}@invalid"
        assert row["name"] is None
        assert row["city"] == "?"
        assert row["last_order_at"] is not None  # the date stays: the predicate stays stable
    assert report.table("customer").anonymised == 2
    logs = world.rows_of(shop, world.access_log)
    assert len(logs) == world.LOG_ROWS - world.EXPIRED_LOGS
    assert after["access_log"] == {k: v for k, v in before["access_log"].items() if int(k) in logs}
    log = report.table("access_log")
    assert log.deleted == world.EXPIRED_LOGS
    # Batches of at most 50 rows: 3 on a key walk, one more where a PostgreSQL page ends.
    assert 3 <= log.batches <= 4
    assert report.complete

    batches = [e for e in events if isinstance(e, RetentionBatchSwept)]
    assert sum(e.rows for e in batches if e.table == "access_log") == world.EXPIRED_LOGS
    assert all(e.rows <= 50 for e in batches)
    tables = {e.table: e for e in events if isinstance(e, RetentionTableSwept)}
    assert tables["invoice"].held == 1
    assert tables["invoice"].holds == ("invoices",)


def test_a_second_sweep_finds_nothing_left(shop: sa.Engine) -> None:
    run_sweep([_source(shop)], batch_size=7)
    after_first = world.snapshot(shop)
    again = run_sweep([_source(shop)], batch_size=7)
    assert again.totals()["deleted"] == again.totals()["anonymised"] == 0
    assert again.table("invoice").held == 1
    assert world.snapshot(shop) == after_first


def test_a_released_hold_is_swept_once_its_period_has_ended(shop: sa.Engine) -> None:
    policy = world.policy()
    later = world.NOW.replace(year=2029, month=5, day=2)  # the 2019 invoice's hold has ended
    source = dataset_source(world.dataset(policy), shop, policy, later)
    report = run_sweep([source], batch_size=50)
    assert set(world.rows_of(shop, world.invoice)) == {1}
    assert report.table("invoice").released == 2
    assert report.table("invoice").held == 0
    assert 11 not in world.rows_of(shop, world.orders)


def test_an_invoice_is_held_ten_years_from_its_issue() -> None:
    from gardien.retention import first_held_day

    hold = world.policy().hold_by_id["invoices"]
    assert first_held_day(hold, date(2026, 6, 1)) == date(2016, 6, 2)


def test_the_plan_counts_what_the_run_then_does(shop: sa.Engine) -> None:
    plan = plan_retention([_source(shop)])
    report = run_sweep([_source(shop)], batch_size=2)
    for counts in plan.tables:
        done = report.table(counts.name)
        assert done.deleted + done.anonymised == counts.to_sweep, counts.name
        assert done.held == counts.held, counts.name
        assert done.kept_referenced == counts.kept_referenced, counts.name
        assert done.released == counts.released, counts.name
