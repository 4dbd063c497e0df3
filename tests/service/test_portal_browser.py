"""The portal in a real browser (Debian's Chromium driven by Playwright), as a person uses it.

Sign in with the code read from the outbox, withdraw a consent, download the access package,
ask for erasure; the keyboard alone reaches the sign-in form.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gardien.service import Scope
from tests.service.portal_flow import latest_code
from tests.service.world import World
from tests.support.browser import chromium
from tests.support.live_server import served

pytestmark = pytest.mark.browser

MARIE = "marie@example.fr"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def site(world: World) -> Iterator[str]:
    with served(world.app) as url:
        yield url


def _sign_in(page: Any, world: World, url: str) -> None:
    page.goto(f"{url}/portal")
    page.get_by_label("Adresse e-mail").fill(MARIE)
    page.get_by_role("button", name="Recevoir un code").click()
    page.get_by_label("Code reçu par e-mail").fill(latest_code(world.outbox, MARIE))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{url}/portal")
    assert page.get_by_text(f"Connecté·e avec : {MARIE}").is_visible()


def test_a_person_signs_in_and_withdraws_a_consent(browser: Any, world: World, site: str) -> None:
    page = browser.new_context(locale="fr-FR").new_page()
    _sign_in(page, world, site)
    marketing = page.locator("#purpose-marketing")
    marketing.get_by_role("button", name="Donner mon consentement").click()
    assert page.locator("#state-marketing").inner_text() == "Consentement donné"
    page.locator("#purpose-marketing").get_by_role(
        "button", name="Retirer mon consentement"
    ).click()
    assert page.locator("#state-marketing").inner_text() == "Consentement retiré"
    decision = world.client.post(
        "/api/v1/decisions",
        json={"subject": MARIE, "purpose": "marketing", "categories": ["contact"]},
        headers=world.headers(Scope.DECISIONS),
    ).json()
    assert decision["codes"] == ["consent_withdrawn"]


def test_a_person_downloads_their_data(
    browser: Any, world: World, site: str, tmp_path: Path
) -> None:
    page = browser.new_context(locale="fr-FR", accept_downloads=True).new_page()
    _sign_in(page, world, site)
    page.get_by_label("Recevoir une copie de mes données (accès)").check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    assert page.get_by_role("status").inner_text().startswith("Votre demande R")
    # The DPO runs it (as the console would).
    listed = world.client.get("/api/v1/requests", headers=world.headers(Scope.REQUESTS_READ))
    ref = listed.json()["requests"][0]["ref"]
    ran = world.client.post(
        f"/api/v1/requests/{ref}/run", json={}, headers=world.headers(Scope.REQUESTS_ADMIN)
    )
    assert ran.json()["request"]["status"] == "completed"
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données").first.click()
    saved = tmp_path / "package.zip"
    download_info.value.save_as(saved)
    with zipfile.ZipFile(saved) as package:
        assert package.namelist()


def test_a_person_asks_for_erasure_and_sees_its_deadline(
    browser: Any, world: World, site: str
) -> None:
    page = browser.new_context(locale="fr-FR").new_page()
    _sign_in(page, world, site)
    page.get_by_label("Effacer mes données (effacement)").check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    row = page.locator("table tbody tr").first
    assert "Droit à l'effacement" in row.inner_text()
    assert page.get_by_role("columnheader", name="Réponse au plus tard le").is_visible()
    requests = world.client.get(
        "/api/v1/requests", headers=world.headers(Scope.REQUESTS_READ)
    ).json()["requests"]
    assert [(r["type"], r["channel"], r["status"]) for r in requests] == [
        ("erasure", "portal", "verified")
    ]


def test_the_keyboard_alone_reaches_and_submits_the_sign_in_form(
    browser: Any, world: World, site: str
) -> None:
    page = browser.new_context(locale="fr-FR").new_page()
    page.goto(f"{site}/portal")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.locator("#email").focus()
    page.keyboard.type(MARIE)
    page.keyboard.press("Enter")
    page.wait_for_selector("#code")
    assert latest_code(world.outbox, MARIE)


def test_an_english_browser_gets_the_portal_in_english(
    browser: Any, world: World, site: str
) -> None:
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{site}/portal")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("button", name="Send me a code").is_visible()
    page.get_by_role("link", name="Français").click()
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.get_by_role("button", name="Recevoir un code").is_visible()
