"""Invariants of a request run, over whom it is for (Hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gardien.requests import RequestStatus, run
from tests.requests.test_erasure import verified
from tests.requests.world import SHOP_ROWS, create_shop, make_world, snapshot

EMAILS = [str(c["email"]) for c in SHOP_ROWS["customers"]]


def _others(state: dict[str, list[tuple[object, ...]]], customer: int) -> dict[str, list[object]]:
    """Rows that belong to no one but other customers (the erased one's are excluded)."""
    orders_of = {r[0] for r in state["orders"] if r[1] == customer}
    return {
        "customers": [r for r in state["customers"] if r[0] != customer],
        "orders": [r for r in state["orders"] if r[1] != customer],
        "invoices": [r for r in state["invoices"] if r[1] not in orders_of],
        "reviews": [r for r in state["reviews"] if r[1] != customer],
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0, max_value=len(EMAILS) - 1),
    shout=st.booleans(),
    twice=st.booleans(),
)
def test_an_erasure_never_touches_anyone_else_and_a_second_run_changes_nothing(
    index: int, shout: bool, twice: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        url = f"sqlite:///{tmp / 'shop.db'}"
        create_shop(url)
        world = make_world(tmp, url)
        email = EMAILS[index].upper() if shout else EMAILS[index]
        customer = int(SHOP_ROWS["customers"][index]["id"])  # type: ignore[call-overload]
        before = snapshot(url)
        ref = verified(world.workflow, "erasure", f"email:{email}")
        assert run(world.workflow, ref).request.status is RequestStatus.COMPLETED
        after = snapshot(url)
        assert _others(after, customer) == _others(before, customer)
        if twice:
            again = verified(world.workflow, "erasure", f"email:{email}")
            assert run(world.workflow, again).request.status is RequestStatus.COMPLETED
            assert snapshot(url) == after
        world.ledger.close()
