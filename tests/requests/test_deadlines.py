"""The deadline of art. 12(3): one calendar month, extendable by two within the first month."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gardien.requests import ExtensionNotAllowedError, RequestStatus, check_extension, due_at
from tests.requests.world import World


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def test_a_request_of_31_january_is_due_on_the_last_day_of_february() -> None:
    assert due_at(at(2026, 1, 31)) == at(2026, 2, 28)
    assert due_at(at(2028, 1, 31)) == at(2028, 2, 29)


def test_the_deadline_is_one_month_not_45_days() -> None:
    assert due_at(at(2026, 3, 15)) == at(2026, 4, 15)
    assert due_at(at(2026, 12, 20)) == at(2027, 1, 20)


def test_an_extension_is_counted_from_receipt_and_keeps_the_end_of_month() -> None:
    assert due_at(at(2026, 1, 31), extended_months=2) == at(2026, 4, 30)
    assert due_at(at(2026, 1, 31), extended_months=1) == at(2026, 3, 31)


def test_an_extension_needs_reasons() -> None:
    with pytest.raises(ExtensionNotAllowedError, match="reasons"):
        check_extension(at(2026, 1, 31), 0, 2, "  ", at(2026, 2, 10))


def test_an_extension_is_two_months_at_most_in_total() -> None:
    check_extension(at(2026, 1, 31), 1, 1, "many requests", at(2026, 2, 10))
    with pytest.raises(ExtensionNotAllowedError, match="two further months"):
        check_extension(at(2026, 1, 31), 1, 2, "many requests", at(2026, 2, 10))
    with pytest.raises(ExtensionNotAllowedError, match="one or two"):
        check_extension(at(2026, 1, 31), 0, 0, "many requests", at(2026, 2, 10))


def test_an_extension_must_be_decided_within_the_first_month() -> None:
    check_extension(at(2026, 1, 31), 0, 2, "complex", at(2026, 2, 28))
    with pytest.raises(ExtensionNotAllowedError, match="first month"):
        check_extension(at(2026, 1, 31), 0, 2, "complex", at(2026, 2, 28, 13))


def test_extending_moves_the_deadline_tells_the_person_and_is_audited(world: World) -> None:
    workflow = world.workflow
    request = workflow.receive(
        "access", "email:marie@example.fr", "email", received_at=at(2026, 1, 31, 9)
    )
    assert request.due_at == at(2026, 2, 28, 9)
    world.clock.now = at(2026, 2, 20)
    extended = workflow.extend(request.ref, "Données réparties sur douze systèmes", months=2)
    assert extended.due_at == at(2026, 4, 30, 9)
    assert extended.extended_months == 2
    assert extended.extension_reason == "Données réparties sur douze systèmes"
    message = world.outbox.latest("marie@example.fr")
    assert message is not None
    assert "30/04/2026" in message.text
    assert "douze systèmes" in message.text
    with pytest.raises(ExtensionNotAllowedError):
        workflow.extend(request.ref, "again", months=1)


def test_list_puts_overdue_requests_first_then_by_deadline(world: World) -> None:
    workflow = world.workflow
    late = workflow.receive("access", "email:a@example.fr", received_at=at(2026, 9, 1))
    soon = workflow.receive("erasure", "email:b@example.fr", received_at=at(2026, 11, 20))
    later = workflow.receive("access", "email:c@example.fr", received_at=at(2026, 11, 24))
    older_late = workflow.receive("access", "email:d@example.fr", received_at=at(2026, 8, 1))
    closed = workflow.receive("access", "email:e@example.fr", received_at=at(2026, 7, 1))
    workflow.refuse(closed.ref, "manifestly_unfounded")
    listed = workflow.list_requests()
    assert [r.ref for r in listed] == [older_late.ref, late.ref, soon.ref, later.ref]
    assert [r.is_overdue(world.clock()) for r in listed] == [True, True, False, False]
    every = workflow.list_requests(include_closed=True)
    assert closed.ref in {r.ref for r in every}
    assert all(r.status is not RequestStatus.REFUSED for r in listed)


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31)),
    st.integers(min_value=0, max_value=2),
)
def test_the_deadline_is_the_same_day_months_later_or_the_last_day_of_a_short_month(
    received: datetime, extension: int
) -> None:
    start = received.replace(tzinfo=UTC)
    due = due_at(start, extension)
    months = 1 + extension
    assert (due.year * 12 + due.month) - (start.year * 12 + start.month) == months
    assert due.time() == start.time()
    last_day = calendar.monthrange(due.year, due.month)[1]
    assert due.day == min(start.day, last_day)
    assert 28 * months <= (due - start).days <= 31 * months
