"""One-time codes: sent through the outbox, hashed at rest, expiring, single-use, limited."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.identity import CodeOutcome, OneTimeCodes, TooManyCodesError, identity_codes
from gardien.notify import Outbox, OutboxMailer
from gardien.storage import create_engine, upgrade

KEY = b"k" * 32


class Clock:
    """A clock the test moves by hand (time itself, not a mock of the code under test)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    url = request.getfixturevalue(f"{request.param}_url")
    engine = create_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "outbox")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def codes(engine: Engine, outbox: Outbox, clock: Clock) -> OneTimeCodes:
    return OneTimeCodes(engine, KEY, OutboxMailer(outbox.folder), clock=clock)


def code_in(outbox: Outbox, to: str) -> str:
    message = outbox.latest(to)
    assert message is not None, f"no message to {to}"
    found = re.search(r"\b(\d{6})\b", message.text)
    assert found, message.text
    return found.group(1)


def test_a_code_sent_to_the_outbox_verifies_once(codes: OneTimeCodes, outbox: Outbox) -> None:
    issued = codes.issue_code("marie@example.fr", "request:R-1")
    sent = code_in(outbox, "marie@example.fr")
    assert sent == issued.code
    assert codes.check_code("marie@example.fr", "request:R-1", sent) is CodeOutcome.VERIFIED
    assert codes.check_code("marie@example.fr", "request:R-1", sent) is CodeOutcome.USED


def test_the_message_is_in_french_by_default_and_english_on_request(
    codes: OneTimeCodes, outbox: Outbox
) -> None:
    codes.issue_code("a@example.fr", "signin")
    codes.issue_code("b@example.com", "signin", lang="en")
    french, english = outbox.latest("a@example.fr"), outbox.latest("b@example.com")
    assert french is not None
    assert "code de vérification" in french.text
    assert english is not None
    assert "verification code" in english.text


def test_neither_code_nor_identifier_is_stored_in_clear(
    codes: OneTimeCodes, engine: Engine
) -> None:
    issued = codes.issue_code("marie@example.fr", "signin")
    with engine.connect() as conn:
        row = conn.execute(sa.select(identity_codes)).one()
    stored = b"".join(bytes(v) for v in (row.subject_digest, row.code_hash))
    assert issued.code.encode() not in stored
    assert b"marie" not in stored
    assert len(row.code_hash) == 32


def test_a_code_for_one_purpose_does_not_open_another(codes: OneTimeCodes, outbox: Outbox) -> None:
    codes.issue_code("marie@example.fr", "request:R-1")
    code = code_in(outbox, "marie@example.fr")
    assert codes.check_code("marie@example.fr", "signin", code) is CodeOutcome.NO_CODE
    assert codes.check_code("paul@example.fr", "request:R-1", code) is CodeOutcome.NO_CODE


def test_a_code_expires_after_ten_minutes(
    codes: OneTimeCodes, outbox: Outbox, clock: Clock
) -> None:
    codes.issue_code("marie@example.fr", "signin")
    code = code_in(outbox, "marie@example.fr")
    clock.advance(minutes=10, seconds=1)
    assert codes.check_code("marie@example.fr", "signin", code) is CodeOutcome.EXPIRED


def test_five_wrong_attempts_lock_the_code_even_for_the_right_one(
    codes: OneTimeCodes, outbox: Outbox
) -> None:
    codes.issue_code("marie@example.fr", "signin")
    code = code_in(outbox, "marie@example.fr")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    outcomes = [codes.check_code("marie@example.fr", "signin", wrong) for _ in range(5)]
    assert outcomes == [CodeOutcome.WRONG] * 5
    assert codes.check_code("marie@example.fr", "signin", code) is CodeOutcome.LOCKED


def test_a_new_code_retires_the_previous_one(codes: OneTimeCodes, outbox: Outbox) -> None:
    codes.issue_code("marie@example.fr", "signin")
    first = code_in(outbox, "marie@example.fr")
    codes.issue_code("marie@example.fr", "signin")
    second = code_in(outbox, "marie@example.fr")
    if first != second:
        assert codes.check_code("marie@example.fr", "signin", first) is CodeOutcome.WRONG
    assert codes.check_code("marie@example.fr", "signin", second) is CodeOutcome.VERIFIED


def test_issuance_is_limited_to_three_codes_per_fifteen_minutes(
    codes: OneTimeCodes, outbox: Outbox, clock: Clock
) -> None:
    for _ in range(3):
        codes.issue_code("marie@example.fr", "signin")
        clock.advance(minutes=1)
    with pytest.raises(TooManyCodesError) as refused:
        codes.issue_code("marie@example.fr", "request:R-9")
    assert refused.value.retry_after == datetime(2026, 1, 31, 9, 15, tzinfo=UTC)
    assert len(outbox.messages("marie@example.fr")) == 3
    codes.issue_code("paul@example.fr", "signin")  # others are not affected
    clock.advance(minutes=13)
    codes.issue_code("marie@example.fr", "signin")
    assert len(outbox.messages("marie@example.fr")) == 4


def test_a_code_can_be_sent_to_a_contact_other_than_the_identifier(
    codes: OneTimeCodes, outbox: Outbox
) -> None:
    codes.issue_code("customer:42", "request:R-2", send_to="client42@example.fr")
    code = code_in(outbox, "client42@example.fr")
    assert codes.check_code("customer:42", "request:R-2", f" {code[:3]} {code[3:]} ").ok


def test_old_codes_are_forgotten(
    codes: OneTimeCodes, engine: Engine, outbox: Outbox, clock: Clock
) -> None:
    codes.issue_code("marie@example.fr", "signin")
    clock.advance(hours=2)
    assert codes.forget_old_codes(timedelta(hours=1)) == 1
    codes.issue_code("paul@example.fr", "signin")
    clock.advance(days=1, minutes=1)
    codes.issue_code("lea@example.fr", "signin")  # issuing forgets what is a day old
    with engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(identity_codes)).scalar_one()
    assert left == 1
