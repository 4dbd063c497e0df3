"""The privacy portal over real HTTP: sign-in by one-time code, consents, requests, isolation."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from gardien.service import Scope
from tests.service.portal_flow import csrf_of, latest_code, sign_in
from tests.service.world import World

MARIE = "marie@example.fr"
PAUL = "paul@example.fr"


def _other_client(world: World) -> TestClient:
    return TestClient(world.app, raise_server_exceptions=False)


def test_the_sign_in_page_is_french_by_default_and_english_on_request(world: World) -> None:
    french = world.client.get("/portal")
    assert french.status_code == 200
    assert '<html lang="fr">' in french.text
    assert "Recevoir un code" in french.text
    english = world.client.get("/portal", params={"lang": "en"})
    assert '<html lang="en">' in english.text
    assert "Send me a code" in english.text


def test_the_session_cookie_is_httponly_lax_and_holds_no_identifier(world: World) -> None:
    response = world.client.get("/portal")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    sign_in(world.client, world.outbox, MARIE)
    for value in world.client.cookies.values():
        assert "marie" not in value


def test_a_person_signs_in_with_the_code_from_the_outbox(world: World) -> None:
    sign_in(world.client, world.outbox, MARIE)
    home = world.client.get("/portal")
    assert "Vos données chez" in home.text
    assert "Afin de vous envoyer des communications marketing directes" in home.text


def test_a_wrong_code_does_not_sign_in(world: World) -> None:
    page = world.client.get("/portal")
    sent = world.client.post("/portal/signin", data={"csrf": csrf_of(page.text), "email": MARIE})
    code = latest_code(world.outbox, MARIE)
    wrong = "000000" if code != "000000" else "111111"
    refused = world.client.post(
        "/portal/signin/code", data={"csrf": csrf_of(sent.text), "email": MARIE, "code": wrong}
    )
    assert refused.status_code == 403
    assert "Vos données chez" not in world.client.get("/portal").text


def test_a_code_works_only_once(world: World) -> None:
    sign_in(world.client, world.outbox, MARIE)
    code = latest_code(world.outbox, MARIE)
    other = _other_client(world)
    page = other.get("/portal")
    reused = other.post(
        "/portal/signin/code", data={"csrf": csrf_of(page.text), "email": MARIE, "code": code}
    )
    assert reused.status_code == 403


def test_codes_are_rate_limited_per_address(world: World) -> None:
    page = world.client.get("/portal")
    csrf = csrf_of(page.text)
    statuses = [
        world.client.post("/portal/signin", data={"csrf": csrf, "email": MARIE}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_a_form_without_the_csrf_token_is_refused(world: World) -> None:
    sign_in(world.client, world.outbox, MARIE)
    response = world.client.post(
        "/portal/consents", data={"csrf": "forged", "purpose": "marketing", "action": "give"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


def test_giving_then_withdrawing_consent_changes_the_decision(world: World) -> None:
    csrf = sign_in(world.client, world.outbox, MARIE)
    decide = world.headers(Scope.DECISIONS)
    question = {"subject": MARIE, "purpose": "marketing", "categories": ["contact"]}
    given = world.client.post(
        "/portal/consents", data={"csrf": csrf, "purpose": "marketing", "action": "give"}
    )
    assert given.status_code == 200  # redirected back to the portal
    assert "Consentement donné" in given.text
    assert world.client.post("/api/v1/decisions", json=question, headers=decide).json()["allowed"]
    withdrawn = world.client.post(
        "/portal/consents", data={"csrf": csrf, "purpose": "marketing", "action": "withdraw"}
    )
    assert "Consentement retiré" in withdrawn.text
    decision = world.client.post("/api/v1/decisions", json=question, headers=decide).json()
    assert decision["codes"] == ["consent_withdrawn"]


def test_an_objection_from_the_portal_stops_a_legitimate_interest(world: World) -> None:
    csrf = sign_in(world.client, world.outbox, MARIE)
    world.client.post(
        "/portal/objections", data={"csrf": csrf, "purpose": "analytics", "action": "object"}
    )
    decision = world.client.post(
        "/api/v1/decisions",
        json={"subject": MARIE, "purpose": "analytics", "categories": ["usage"]},
        headers=world.headers(Scope.DECISIONS),
    ).json()
    assert decision["codes"] == ["objection"]


def test_an_erasure_request_is_listed_with_its_deadline(world: World) -> None:
    csrf = sign_in(world.client, world.outbox, MARIE)
    response = world.client.post("/portal/requests", data={"csrf": csrf, "type": "erasure"})
    assert response.status_code == 200
    assert "Droit à l'effacement" in html.unescape(response.text)
    assert "Réponse au plus tard le" in response.text
    listed = world.client.get(
        "/api/v1/requests", headers=world.headers(Scope.REQUESTS_READ)
    ).json()["requests"]
    assert [r["type"] for r in listed] == ["erasure"]
    assert listed[0]["status"] == "verified"


def test_another_persons_request_is_not_found(world: World) -> None:
    csrf = sign_in(world.client, world.outbox, MARIE)
    world.client.post("/portal/requests", data={"csrf": csrf, "type": "access"})
    ref = world.client.get("/api/v1/requests", headers=world.headers(Scope.REQUESTS_READ)).json()[
        "requests"
    ][0]["ref"]
    assert world.client.get(f"/portal/requests/{ref}").status_code == 200

    paul = _other_client(world)
    sign_in(paul, world.outbox, PAUL)
    assert paul.get(f"/portal/requests/{ref}").status_code == 404
    assert paul.get(f"/portal/requests/{ref}/package").status_code == 404
    assert ref not in paul.get("/portal").text


def test_signed_out_pages_redirect_to_sign_in(world: World) -> None:
    response = world.client.get("/portal/requests/R-ANY", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/portal"


def test_signing_out_ends_the_session(world: World) -> None:
    csrf = sign_in(world.client, world.outbox, MARIE)
    world.client.post("/portal/signout", data={"csrf": csrf})
    assert "Vos données chez" not in world.client.get("/portal").text


def test_the_notice_and_the_cnil_are_one_click_away(world: World) -> None:
    page = world.client.get("/portal")
    assert 'href="/portal/notice"' in page.text
    assert "https://www.cnil.fr/fr/plaintes" in page.text
    notice = world.client.get("/portal/notice")
    assert notice.status_code == 200
    assert "Boutique" in notice.text or "boutique" in notice.text.lower()


def test_a_person_downloads_the_package_of_their_access_request(world: World) -> None:
    csrf = sign_in(world.client, world.outbox, MARIE)
    world.client.post(
        "/portal/consents", data={"csrf": csrf, "purpose": "marketing", "action": "give"}
    )
    world.client.post("/portal/requests", data={"csrf": csrf, "type": "access"})
    admin = world.headers(Scope.REQUESTS_ADMIN)
    listed = world.client.get("/api/v1/requests", headers=world.headers(Scope.REQUESTS_READ))
    ref = listed.json()["requests"][0]["ref"]
    ran = world.client.post(f"/api/v1/requests/{ref}/run", json={}, headers=admin)
    assert ran.status_code == 200, ran.text
    assert ran.json()["request"]["status"] == "completed"
    home = world.client.get("/portal")
    assert f'href="/portal/requests/{ref}/package"' in home.text
    package = world.client.get(f"/portal/requests/{ref}/package")
    assert package.status_code == 200
    assert package.headers["content-type"] == "application/zip"
    assert package.content[:2] == b"PK"
