"""Invariants: a sweep never removes what a hold keeps, whatever the dates and durations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import StaticPool

from gardien.datasets import parse_dataset
from gardien.datasets.holds import hold_end, is_held
from gardien.policy.loader import parse_policy
from gardien.retention import dataset_source, first_held_day, run_sweep
from tests.retention import world

DURATIONS = ["P10Y", "P6Y", "P13M", "P1M1D", "P3Y6M15D", "P30D", "P1Y"]
EVENTS = ["transaction", "end_of_financial_year"]
DATASET = """
gardien_dataset: 1
name: books
url_env: BOOKS_URL
tables:
  invoice:
    erasure: delete_row
    retention: {rule: orders, event_column: issued_on}
    columns:
      billing_name: {categories: [identity.name], erasure: keep, hold: invoices, event: issued_on}
      issued_on: {categories: [transaction], erasure: keep, hold: invoices, event: issued_on}
"""

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2032, 12, 31))


def _policy(rule: str, hold: str, event: str):  # type: ignore[no-untyped-def]
    text = (world.FIXTURES / "policy.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    duration: P5Y\n    from: transaction", f"    duration: {rule}\n    from: transaction"
    )
    text = text.replace(
        "    duration: P10Y\n    from: transaction", f"    duration: {hold}\n    from: {event}"
    )
    return parse_policy(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    issued=st.lists(days, min_size=1, max_size=25),
    today=st.dates(min_value=date(2010, 1, 1), max_value=date(2035, 12, 31)),
    rule=st.sampled_from(DURATIONS),
    hold=st.sampled_from(DURATIONS),
    event=st.sampled_from(EVENTS),
    batch=st.integers(min_value=1, max_value=7),
)
def test_a_sweep_never_removes_what_a_hold_keeps(
    issued: list[date], today: date, rule: str, hold: str, event: str, batch: int
) -> None:
    policy = _policy(rule, hold, event)
    engine = sa.create_engine("sqlite://", poolclass=StaticPool)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE invoice (id INTEGER PRIMARY KEY, "
                "billing_name VARCHAR(40) NOT NULL, issued_on DATE NOT NULL)"
            )
        )
        conn.execute(
            sa.text("INSERT INTO invoice VALUES (:id, :name, :on)"),
            [{"id": i, "name": f"n{i}", "on": d.isoformat()} for i, d in enumerate(issued)],
        )
    now = datetime(today.year, today.month, today.day, 2, 30, tzinfo=UTC)
    source = dataset_source(parse_dataset(DATASET, policy=policy), engine, policy, now)
    run_sweep([source], batch_size=batch)
    with engine.connect() as conn:
        left = {
            int(r.id): (r.billing_name, r.issued_on)
            for r in conn.execute(sa.text("SELECT * FROM invoice"))
        }
    the_hold = policy.hold_by_id["invoices"]
    cutoff = source.targets[0].cutoff
    for i, day in enumerate(issued):
        if is_held(hold_end(the_hold, day), today):
            assert left.get(i) == (f"n{i}", day.isoformat()), "a held row was removed"
        elif datetime(day.year, day.month, day.day) < cutoff:
            assert i not in left, "an expired row whose hold has ended was left"
        else:
            assert i in left, "a row within its period was removed"
    engine.dispose()


@settings(max_examples=300, deadline=None)  # a loaded machine is no counterexample
@given(today=days, hold=st.sampled_from(DURATIONS), event=st.sampled_from(EVENTS))
def test_the_first_held_day_is_exactly_where_holds_start(
    today: date, hold: str, event: str
) -> None:
    the_hold = _policy("P5Y", hold, event).hold_by_id["invoices"]
    first = first_held_day(the_hold, today)
    assert is_held(hold_end(the_hold, first), today)
    assert not is_held(hold_end(the_hold, first - timedelta(days=1)), today)
