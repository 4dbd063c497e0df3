"""Several real processes on one ledger: a change made through one is obeyed by all the others.

GDPR art. 7(3) (withdrawing consent is as easy as giving it, and takes effect) and 21(3) (an
objection to direct marketing is absolute) hold only if every process that caches a person's
state learns of the change. Here the processes are real: ``gardien serve --workers 2`` and plain
library processes (``tests/sync/child.py``) that loop on ``decide`` from their warm caches.
"""

from __future__ import annotations

import time

import httpx

from gardien.service import Scope, create_key
from gardien.storage import create_engine
from tests.sync.processes import Child, World, children, served

MARIE = "email:marie@example.fr"
MARKETING = {"subject": MARIE, "purpose": "marketing", "categories": ["contact"]}
WAIT = 20.0
"""Bound on every wait; a correct feed takes milliseconds, a loaded CI machine longer."""


def _token(world: World) -> str:
    engine = create_engine(world.url)
    try:
        return create_key(engine, "tests", [Scope.DECISIONS, Scope.CONSENTS_WRITE]).token
    finally:
        engine.dispose()


def _every_worker_answers(
    base: str, token: str, question: dict[str, object], allowed: bool, workers: int
) -> dict[str, list[str]]:
    """Ask on fresh connections until each worker has answered ``allowed``; their codes.

    Once a worker has given the awaited answer, it must never give the other one again.
    """
    seen: dict[str, list[str]] = {}
    deadline = time.monotonic() + WAIT
    while len(seen) < workers:
        assert time.monotonic() < deadline, f"workers that answered {allowed}: {sorted(seen)}"
        response = httpx.post(
            f"{base}/api/v1/decisions",
            json=question,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        worker = response.headers["x-gardien-worker"]
        body = response.json()
        if body["allowed"] is allowed:
            seen[worker] = body["codes"]
        else:
            assert worker not in seen, f"worker {worker} went back to allowed={body['allowed']}"
    return seen


def _until(child: Child, question: dict[str, object], allowed: bool) -> dict[str, object]:
    answer = child.ask("until", **question, allowed=allowed, timeout=WAIT)
    assert answer["ok"], answer
    return answer


def test_a_withdrawal_through_one_process_is_obeyed_by_every_other_process(world: World) -> None:
    token = _token(world)
    with children(world, 3) as (first, second, third), served(world, workers=2) as base:
        first.ask("consent", subject=MARIE, purpose="marketing", status="given")
        for child in (first, second, third):
            _until(child, MARKETING, allowed=True)  # now cached in every library process
        _every_worker_answers(base, token, MARKETING, allowed=True, workers=2)

        # Marie withdraws through one of the service's workers ...
        withdrawn = httpx.post(
            f"{base}/api/v1/consents",
            json={"subject": MARIE, "purposes": ["marketing"], "status": "withdrawn"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert withdrawn.status_code == 201, withdrawn.text
        # ... and every library process and both workers stop marketing to her.
        for child in (first, second, third):
            assert _until(child, MARKETING, allowed=False)["codes"] == ["consent_withdrawn"]
        answers = _every_worker_answers(base, token, MARKETING, allowed=False, workers=2)
        assert list(answers.values()) == [["consent_withdrawn"]] * 2

        # She gives it again through a library process, and withdraws through another.
        second.ask("consent", subject=MARIE, purpose="marketing", status="given")
        _every_worker_answers(base, token, MARKETING, allowed=True, workers=2)
        _until(first, MARKETING, allowed=True)
        third.ask("consent", subject=MARIE, purpose="marketing", status="withdrawn")
        _until(first, MARKETING, allowed=False)
        _until(second, MARKETING, allowed=False)
        _every_worker_answers(base, token, MARKETING, allowed=False, workers=2)


def test_an_objection_by_someone_the_ledger_did_not_know_reaches_every_process(
    world: World,
) -> None:
    """Before the objection the person is nobody to the ledger (cached as such everywhere)."""
    token = _token(world)
    paul = {"subject": "email:paul@example.fr", "purpose": "advertising", "categories": ["contact"]}
    with children(world, 2) as (first, second), served(world, workers=2) as base:
        _until(first, paul, allowed=True)  # legitimate interests, no objection: allowed
        _until(second, paul, allowed=True)
        _every_worker_answers(base, token, paul, allowed=True, workers=2)
        first.ask("object", subject=paul["subject"], purpose="advertising")
        assert _until(second, paul, allowed=False)["codes"] == ["objection"]
        answers = _every_worker_answers(base, token, paul, allowed=False, workers=2)
        assert list(answers.values()) == [["objection"]] * 2


def _falls_back(child: Child) -> dict[str, object]:
    """Decide until the answer says it was read from the database (the feed is down)."""
    deadline = time.monotonic() + WAIT
    while True:
        answer = child.ask("decide", **MARKETING)
        if "state_read_from_database" in answer["codes"]:  # type: ignore[operator]
            return answer
        assert time.monotonic() < deadline, answer
        time.sleep(0.01)


def _lose_and_recover(world: World, lose: str) -> None:
    with children(world, 2, GARDIEN_TEST_FEED_RETRY="2.0") as (victim, writer):
        writer.ask("consent", subject=MARIE, purpose="marketing", status="given")
        _until(victim, MARKETING, allowed=True)
        before = victim.ask("status")
        if lose == "terminate":
            _terminate(world, int(before["backend_pid"]))
        else:
            victim.ask("interrupt")

        fallen = _falls_back(victim)
        assert fallen == {"allowed": True, "codes": ["basis_holds", "state_read_from_database"]}
        assert victim.ask("status")["current"] is False
        # A withdrawal while the feed is down is obeyed at once: the state is read, not cached.
        writer.ask("consent", subject=MARIE, purpose="marketing", status="withdrawn")
        assert victim.ask("decide", **MARKETING) == {
            "allowed": False,
            "codes": ["consent_withdrawn", "state_read_from_database"],
        }

        # The feed reconnects and resynchronises before the cache serves again.
        assert victim.ask("wait_current", timeout=WAIT)["current"] is True
        after = victim.ask("status")
        assert after["connects"] == before["connects"] + 1
        assert after["losses"] == before["losses"] + 1
        assert victim.ask("decide", **MARKETING) == {
            "allowed": False,
            "codes": ["consent_withdrawn"],
        }
        writer.ask("consent", subject=MARIE, purpose="marketing", status="given")
        assert _until(victim, MARKETING, allowed=True)["codes"] == ["basis_holds"]


def _terminate(world: World, backend_pid: int) -> None:
    engine = create_engine(world.url)
    try:
        with engine.connect() as conn:
            killed = conn.exec_driver_sql(f"SELECT pg_terminate_backend({backend_pid})").scalar()
        assert killed is True
    finally:
        engine.dispose()


def test_losing_the_feed_falls_back_to_the_database_then_resynchronises(world: World) -> None:
    """PostgreSQL: the listener's backend is killed (``pg_terminate_backend``); elsewhere the
    poller is interrupted as a dropped connection would interrupt it."""
    _lose_and_recover(world, "terminate" if world.url.startswith("postgres") else "interrupt")


def test_a_restriction_and_an_erasure_reach_every_process(world: World) -> None:
    """Erasure (art. 17) here goes through the requests package, not the ledger's own API."""
    orders = {"subject": MARIE, "purpose": "orders", "categories": ["identity"]}
    paul = {"subject": "email:paul@example.fr", "purpose": "orders", "categories": ["identity"]}
    with children(world, 2) as (first, second):
        first.ask("consent", subject=MARIE, purpose="marketing", status="given")
        for question in (orders, paul):
            _until(second, question, allowed=True)  # a contract: allowed, now cached
        first.ask("restrict", subject=MARIE)
        assert _until(second, orders, allowed=False)["codes"] == ["restricted"]
        first.ask("erase", subject=paul["subject"])  # someone the ledger did not know
        assert _until(second, paul, allowed=False)["codes"] == ["erased"]
