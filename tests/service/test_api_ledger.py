"""The ledger over HTTP: decisions follow consents, objections and restrictions (seed 001)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gardien.service import Scope, ServiceOptions, create_app
from tests.service.world import World

MARIE = "email:marie@example.fr"


def _decide(world: World, headers: dict[str, str], purpose: str, data: list[str]) -> dict:
    response = world.client.post(
        "/api/v1/decisions",
        json={"subject": MARIE, "purpose": purpose, "categories": data},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_marketing_is_denied_before_consent_allowed_after_and_denied_after_withdrawal(
    world: World,
) -> None:
    app = world.headers(Scope.DECISIONS)
    writer = world.headers(Scope.CONSENTS_WRITE)
    before = _decide(world, app, "marketing", ["contact"])
    assert before["allowed"] is False
    assert before["codes"] == ["no_consent"]
    assert before["reasons"]["fr"]
    assert before["reasons"]["en"]

    given = world.client.post(
        "/api/v1/consents",
        json={"subject": MARIE, "purposes": ["marketing"], "channel": "web_form"},
        headers=writer,
    )
    assert given.status_code == 201, given.text
    record = given.json()["records"][0]
    assert record["status"] == "given"
    assert record["channel"] == "web_form"
    assert _decide(world, app, "marketing", ["contact"])["allowed"] is True

    withdrawn = world.client.post(
        "/api/v1/consents",
        json={"subject": MARIE, "purposes": ["marketing"], "status": "withdrawn"},
        headers=writer,
    )
    assert withdrawn.status_code == 201
    after = _decide(world, app, "marketing", ["contact"])
    assert after["allowed"] is False
    assert after["codes"] == ["consent_withdrawn"]

    history = world.client.post(
        "/api/v1/subjects/file",
        json={"subject": MARIE},
        headers=world.headers(Scope.CONSENTS_READ),
    )
    assert [c["status"] for c in history.json()["consents"]] == ["given", "withdrawn"]


def test_an_objection_stops_a_legitimate_interest_purpose(world: World) -> None:
    app = world.headers(Scope.DECISIONS)
    assert _decide(world, app, "analytics", ["usage"])["allowed"] is True
    objected = world.client.post(
        "/api/v1/objections",
        json={"subject": MARIE, "purpose": "analytics"},
        headers=world.headers(Scope.CONSENTS_WRITE),
    )
    assert objected.status_code == 201, objected.text
    assert _decide(world, app, "analytics", ["usage"])["codes"] == ["objection"]


def test_a_restriction_denies_every_purpose(world: World) -> None:
    restricted = world.client.post(
        "/api/v1/restrictions",
        json={"subject": MARIE, "ground": "accuracy_contested"},
        headers=world.headers(Scope.CONSENTS_WRITE),
    )
    assert restricted.status_code == 201, restricted.text
    decision = _decide(world, world.headers(Scope.DECISIONS), "orders", ["identity"])
    assert decision["allowed"] is False
    assert "restricted" in decision["codes"]


def test_an_unknown_purpose_is_a_422_with_a_suggestion(world: World) -> None:
    response = world.client.post(
        "/api/v1/decisions",
        json={"subject": MARIE, "purpose": "marketting", "categories": ["contact"]},
        headers=world.headers(Scope.DECISIONS),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unknown_reference"
    assert error["details"]["suggestion"] == "marketing"


def test_a_batch_answers_each_question_in_order(world: World) -> None:
    questions = [
        {"subject": MARIE, "purpose": "orders", "categories": ["identity"]},
        {"subject": MARIE, "purpose": "marketing", "categories": ["contact"]},
        {"subject": "email:paul@example.fr", "purpose": "orders", "categories": ["financial"]},
    ]
    response = world.client.post(
        "/api/v1/decisions/batch",
        json={"questions": questions},
        headers=world.headers(Scope.DECISIONS),
    )
    assert response.status_code == 200, response.text
    assert [d["allowed"] for d in response.json()["decisions"]] == [True, False, True]


def test_consent_to_a_contract_purpose_is_refused_as_not_applicable(world: World) -> None:
    response = world.client.post(
        "/api/v1/consents",
        json={"subject": MARIE, "purposes": ["orders"]},
        headers=world.headers(Scope.CONSENTS_WRITE),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_applicable"


def test_a_malformed_subject_is_a_400_naming_the_problem(world: World) -> None:
    response = world.client.post(
        "/api/v1/decisions",
        json={"subject": "nobody", "purpose": "orders", "categories": ["identity"]},
        headers=world.headers(Scope.DECISIONS),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_identifier"


def test_the_audit_trail_verifies_intact_after_writes(world: World) -> None:
    world.client.post(
        "/api/v1/consents",
        json={"subject": MARIE, "purposes": ["marketing"]},
        headers=world.headers(Scope.CONSENTS_WRITE),
    )
    response = world.client.get("/api/v1/audit/verify", headers=world.headers(Scope.AUDIT))
    assert response.status_code == 200
    body = response.json()
    assert body["intact"] is True
    assert body["entries"] >= 3  # policy seen, person registered, consent recorded


def test_a_withdrawal_through_one_worker_is_seen_at_once_by_another(
    world: World, tmp_path: Path
) -> None:
    """Two apps on one database stand for ``gardien serve --workers 2``."""
    other_app = create_app(
        world.settings, options=ServiceOptions(outbox=tmp_path / "o2", key_cache_seconds=0.0)
    )
    other = TestClient(other_app, raise_server_exceptions=False)
    question = {"subject": MARIE, "purpose": "marketing", "categories": ["contact"]}
    decide = world.headers(Scope.DECISIONS)
    writer = world.headers(Scope.CONSENTS_WRITE)
    world.client.post(
        "/api/v1/consents", json={"subject": MARIE, "purposes": ["marketing"]}, headers=writer
    )
    # The other worker decides (and caches Marie's state) ...
    assert other.post("/api/v1/decisions", json=question, headers=decide).json()["allowed"]
    # ... then she withdraws through the first one.
    world.client.post(
        "/api/v1/consents",
        json={"subject": MARIE, "purposes": ["marketing"], "status": "withdrawn"},
        headers=writer,
    )
    after = other.post("/api/v1/decisions", json=question, headers=decide).json()
    assert after["allowed"] is False
    assert after["codes"] == ["consent_withdrawn"]
    other_app.state.gardien.freshness.close()
    other_app.state.gardien.engine.dispose()


def test_concurrent_consent_writes_share_transactions_and_fail_alone(world: World) -> None:
    writer = world.headers(Scope.CONSENTS_WRITE)

    def give(i: int) -> int:
        purpose = "orders" if i == 7 else "marketing"  # orders rests on a contract: refused
        body = {"subject": f"email:c{i}@example.fr", "purposes": [purpose]}
        return world.client.post("/api/v1/consents", json=body, headers=writer).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(give, range(40)))
    assert statuses[7] == 400
    assert statuses[:7] + statuses[8:] == [201] * 39
    decide = world.headers(Scope.DECISIONS)
    allowed = [
        world.client.post(
            "/api/v1/decisions",
            json={"subject": f"email:c{i}@example.fr", "purpose": "marketing", "categories": []},
            headers=decide,
        ).json()["allowed"]
        for i in range(40)
    ]
    assert allowed == [i != 7 for i in range(40)]
    audit = world.client.get("/api/v1/audit/verify", headers=world.headers(Scope.AUDIT)).json()
    assert audit["intact"] is True


@pytest.mark.postgres
def test_on_postgresql_decisions_follow_a_withdrawal_made_through_another_worker(
    pg_world: World, tmp_path: Path
) -> None:
    other_app = create_app(
        pg_world.settings, options=ServiceOptions(outbox=tmp_path / "o2", key_cache_seconds=0.0)
    )
    other = TestClient(other_app, raise_server_exceptions=False)
    question = {"subject": MARIE, "purpose": "marketing", "categories": ["contact"]}
    decide = pg_world.headers(Scope.DECISIONS)
    writer = pg_world.headers(Scope.CONSENTS_WRITE)
    given = pg_world.client.post(
        "/api/v1/consents", json={"subject": MARIE, "purposes": ["marketing"]}, headers=writer
    )
    assert given.status_code == 201, given.text
    assert other.post("/api/v1/decisions", json=question, headers=decide).json()["allowed"]
    pg_world.client.post(
        "/api/v1/consents",
        json={"subject": MARIE, "purposes": ["marketing"], "status": "withdrawn"},
        headers=writer,
    )
    after = other.post("/api/v1/decisions", json=question, headers=decide).json()
    assert after["codes"] == ["consent_withdrawn"]
    other_app.state.gardien.freshness.close()
    other_app.state.gardien.engine.dispose()
