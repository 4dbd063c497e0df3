"""The DPO fetches an erasure's report over HTTP, rendered from the request's recorded steps."""

from __future__ import annotations

from gardien.service.auth import Scope
from tests.service.world import World


def test_the_dpo_gets_an_erasure_report_in_html_or_json_once_it_ran(world: World) -> None:
    admin = world.headers(Scope.REQUESTS_ADMIN)
    made = world.client.post(
        "/api/v1/requests",
        json={
            "type": "erasure",
            "subject": "email:marie@example.fr",
            "lang": "en",
            "identity_confirmed": "test: identity checked by hand",
        },
        headers=world.headers(Scope.REQUESTS_WRITE),
    )
    assert made.status_code == 201, made.text
    ref = made.json()["ref"]
    url = f"/api/v1/requests/{ref}/report"
    early = world.client.get(url, headers=admin)
    assert early.status_code == 404
    assert "has not run yet" in early.text
    ran = world.client.post(f"/api/v1/requests/{ref}/run", json={}, headers=admin)
    # This service has no shred journal, so the vault step cannot run: a partial erasure,
    # whose report says what was done and what is left.
    assert ran.json()["request"]["status"] == "partial", ran.text
    html = world.client.get(url, headers=admin)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "Erasure of your data" in html.text  # the person's language
    assert "recorded as erased" in html.text
    french = world.client.get(url, params={"lang": "fr"}, headers=admin)
    assert "Effacement de vos données" in french.text
    data = world.client.get(url, params={"format": "json"}, headers=admin).json()
    assert data["request"] == ref
    assert data["status"] == "partial"
    assert data["ledger"]["erased"] is True
    assert data["vault"]["status"] == "failed"
    assert "no data key may be destroyed" in data["vault"]["error"]
    assert "Status of your request: Partially completed" in html.text
    assert "Your request is not fully carried out yet" in html.text
    assert "Also left to do: destroying your vault key." in html.text
    assert "backups included" not in html.text  # not done: the report does not claim it
    # Gardien's own step cannot be finished by hand: closing is refused until a run does it.
    closed = world.client.post(
        f"/api/v1/requests/{ref}/complete", json={"note": "key destroyed by hand"}, headers=admin
    )
    assert closed.status_code == 409
    assert "vault:shred not done" in closed.text


def test_an_erasure_report_needs_an_admin_key_and_an_erasure(world: World) -> None:
    made = world.client.post(
        "/api/v1/requests",
        json={"type": "access", "subject": "email:marie@example.fr"},
        headers=world.headers(Scope.REQUESTS_WRITE),
    )
    url = f"/api/v1/requests/{made.json()['ref']}/report"
    assert world.client.get(url).status_code == 401
    assert world.client.get(url, headers=world.headers(Scope.REQUESTS_READ)).status_code == 403
    other = world.client.get(url, headers=world.headers(Scope.REQUESTS_ADMIN))
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    unknown = world.client.get(
        "/api/v1/requests/R-NOSUCH00/report", headers=world.headers(Scope.REQUESTS_ADMIN)
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_request"  # as the other routes say
    assert "only an erasure has an erasure report" in other.text
    bad = world.client.get(
        url, params={"format": "pdf"}, headers=world.headers(Scope.REQUESTS_ADMIN)
    )
    assert bad.status_code == 422
