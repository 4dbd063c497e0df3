"""The banner in a real browser (Debian's Chromium driven by Playwright) on the demo shop page.

The service runs for real (uvicorn on a loopback port, a fresh SQLite ledger per test); what the
page requests is observed on the network, what it stores is read from the browser's cookie jar,
and what Gardien recorded is read back from the ledger.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from gardien.ledger import Channel, ConsentMethod, ConsentStatus
from gardien.policy import Policy
from gardien.service.banner import DEMO_DIRECTORY, build_banner_config
from tests.policy.builders import MINIMAL
from tests.service.banner.site import BannerSite, banner_site
from tests.support.browser import chromium
from tests.support.live_server import served_on_port

pytestmark = pytest.mark.browser

# *.gardien.test names the loopback, to test cookies set on parent domains.
HOST_RULES = "--host-resolver-rules=MAP *.gardien.test 127.0.0.1"
TRACKERS = ("fake-analytics.js", "fake-ads.js", "ad-pixel.svg")
NON_EXEMPT = re.compile(r"^(_ga|_ga_.*|_gcl_au)$")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(HOST_RULES) as launched:
        yield launched


class Visit:
    """One browser context on the served site, with the URLs it requested."""

    def __init__(self, browser: Any, site: BannerSite, port: int, **context: Any) -> None:
        self.site = site
        self.port = port
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}/static/demo/index.html"

    def open(self, host: str = "127.0.0.1") -> Any:
        self.page.goto(self.url(host))
        self.page.wait_for_load_state("networkidle")
        return self.page

    def requested(self, name: str) -> bool:
        return any(u.split("?")[0].endswith("/" + name) for u in self.requests)

    def cookie_names(self) -> set[str]:
        return {c["name"] for c in self.context.cookies()}

    def stored_choice(self) -> dict[str, Any]:
        cookie = next(c for c in self.context.cookies() if c["name"] == "gardien_consent")
        value = json.loads(unquote(cookie["value"]))
        assert isinstance(value, dict)
        return value

    def click_and_wait_for_record(self, name: str) -> dict[str, Any]:
        """Click a banner button and wait for Gardien's answer to the POST it makes."""
        with self.page.expect_response(
            lambda r: r.url.endswith("/banner/consent") and r.request.method == "POST"
        ) as answer:
            self.page.get_by_role("button", name=name, exact=True).click()
        body = answer.value.json()
        assert answer.value.status == 201, body
        assert isinstance(body, dict)
        return body

    def dialog(self) -> Any:
        return self.page.get_by_role("dialog")


@pytest.fixture
def visit(browser: Any, site: BannerSite) -> Iterator[Callable[..., Visit]]:
    with served_on_port(site.app) as port:
        opened: list[Visit] = []

        def make(**context: Any) -> Visit:
            v = Visit(browser, site, port, **context)
            opened.append(v)
            return v

        yield make
        for v in opened:
            v.context.close()


def test_nothing_non_exempt_loads_or_is_stored_before_a_choice(visit: Callable[..., Visit]) -> None:
    v = visit()
    page = v.open()
    assert v.dialog().is_visible()
    assert not any(v.requested(t) for t in TRACKERS)
    page_cookies = page.evaluate("document.cookie")
    assert "session=" in page_cookies  # the strictly necessary cookie is not held back
    assert not {n for n in v.cookie_names() if NON_EXEMPT.match(n)}
    assert "gardien_consent" not in v.cookie_names()  # not even an id before the click
    assert page.evaluate("window.fakeAnalyticsLoaded === undefined && !window.fakeAdsLoaded")


def test_accept_all_loads_the_trackers_and_the_ledger_records_the_consent(
    visit: Callable[..., Visit], shop: Policy
) -> None:
    v = visit()
    page = v.open()
    answer = v.click_and_wait_for_record("Tout accepter")
    page.wait_for_function("window.fakeAnalyticsLoaded && window.fakeAdsLoaded")
    page.wait_for_function("document.querySelector('img[src=\"ad-pixel.svg\"]').complete")
    assert all(v.requested(t) for t in TRACKERS)
    assert {"_ga", "_ga_DEMO", "_gcl_au"} <= v.cookie_names()
    assert not v.dialog().is_visible()
    stored = v.stored_choice()
    assert stored["c"] == {"audience_measurement": 1, "advertising": 1}
    assert stored["r"] == build_banner_config(shop).consent_revision
    records = v.site.latest(stored["id"])
    assert {p: r.status for p, r in records.items()} == {
        "audience": ConsentStatus.GIVEN,
        "ads": ConsentStatus.GIVEN,
    }
    audience = records["audience"]
    assert audience.channel is Channel.COOKIE_BANNER
    assert audience.receipt_id == answer["receipt_id"]
    assert audience.notice_hash == build_banner_config(shop).notice_hash
    assert audience.evidence["button"] == "accept_all"
    assert audience.evidence["page_url"] == v.url()
    assert "Chrome" in str(audience.evidence["user_agent"])
    assert audience.expires_at is not None


def test_refuse_all_loads_nothing_and_the_refusal_is_recorded(
    visit: Callable[..., Visit],
) -> None:
    v = visit()
    page = v.open()
    v.click_and_wait_for_record("Tout refuser")
    page.wait_for_timeout(300)
    assert not any(v.requested(t) for t in TRACKERS)
    assert not {n for n in v.cookie_names() if NON_EXEMPT.match(n)}
    stored = v.stored_choice()
    assert stored["c"] == {"audience_measurement": 0, "advertising": 0}
    records = v.site.latest(stored["id"])
    assert {p: r.status for p, r in records.items()} == {
        "audience": ConsentStatus.REFUSED,
        "ads": ConsentStatus.REFUSED,
    }
    assert records["ads"].method is ConsentMethod.EXPLICIT_OPT_OUT
    assert records["ads"].evidence["button"] == "refuse_all"


def test_customize_allows_one_category_only(visit: Callable[..., Visit]) -> None:
    v = visit()
    page = v.open()
    page.get_by_role("button", name="Personnaliser").click()
    audience = page.get_by_role("switch", name="Mesure d'audience")
    ads = page.get_by_role("switch", name="Publicité")
    assert not audience.is_checked()
    assert not ads.is_checked()
    assert page.get_by_text("Toujours actifs").is_visible()  # exempt cookies explained
    audience.check()
    v.click_and_wait_for_record("Enregistrer mes choix")
    page.wait_for_function("window.fakeAnalyticsLoaded === true")
    page.wait_for_timeout(200)
    assert v.requested("fake-analytics.js")
    assert not v.requested("fake-ads.js")
    assert not v.requested("ad-pixel.svg")
    assert "_gcl_au" not in v.cookie_names()
    records = v.site.latest(v.stored_choice()["id"])
    assert records["audience"].status is ConsentStatus.GIVEN
    assert records["ads"].status is ConsentStatus.REFUSED
    assert records["audience"].evidence["button"] == "customize"


_BUTTON_STYLE = """() => {
  const root = document.getElementById("gardien-consent").shadowRoot;
  return Array.from(root.querySelectorAll(".a .b")).map((b) => {
    const s = getComputedStyle(b), r = b.getBoundingClientRect();
    return {label: b.textContent, width: r.width, height: r.height, style: [
      s.fontSize, s.fontWeight, s.fontFamily, s.paddingTop, s.paddingRight, s.paddingBottom,
      s.paddingLeft, s.color, s.backgroundColor, s.borderTopColor, s.borderTopWidth,
      s.borderRadius]};
  });
}"""


def test_the_three_buttons_have_the_same_look_and_size(visit: Callable[..., Visit]) -> None:
    v = visit(viewport={"width": 1280, "height": 800})
    buttons = v.open().evaluate(_BUTTON_STYLE)
    assert [b["label"] for b in buttons] == ["Tout accepter", "Tout refuser", "Personnaliser"]
    first = buttons[0]
    for other in buttons[1:]:
        assert other["style"] == first["style"]
        assert abs(other["width"] - first["width"]) <= 2
        assert abs(other["height"] - first["height"]) <= 2


def _luminance(rgb: str) -> float:
    channels = [int(x) / 255 for x in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_texts_and_buttons_contrast_at_least_4_5_to_1(visit: Callable[..., Visit]) -> None:
    colours = (
        visit()
        .open()
        .evaluate(
            """() => {
      const root = document.getElementById("gardien-consent").shadowRoot;
      const pair = (el, bg) => [getComputedStyle(el).color,
                                getComputedStyle(bg || el).backgroundColor];
      const d = root.querySelector(".d");
      return [pair(root.querySelector("#gi"), d), pair(root.querySelector("a"), d),
              pair(root.querySelector(".b"))];
    }"""
        )
    )
    for foreground, background in colours:
        assert _contrast(foreground, background) >= 4.5, (foreground, background)


def test_global_privacy_control_refuses_advertising_and_is_recorded(
    visit: Callable[..., Visit],
) -> None:
    v = visit(extra_http_headers={"Sec-GPC": "1"})
    v.context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
    )
    page = v.open()
    assert page.get_by_text("Global Privacy Control").is_visible()
    answer = v.click_and_wait_for_record("Tout accepter")
    assert answer["choices"] == {"audience_measurement": True, "advertising": False}
    page.wait_for_function("window.fakeAnalyticsLoaded === true")
    page.wait_for_timeout(200)
    assert not v.requested("fake-ads.js")
    assert not v.requested("ad-pixel.svg")
    assert "_gcl_au" not in v.cookie_names()
    assert v.stored_choice()["c"] == {"audience_measurement": 1, "advertising": 0}
    records = v.site.latest(v.stored_choice()["id"])
    ads = records["ads"]
    assert ads.status is ConsentStatus.REFUSED
    assert ads.method is ConsentMethod.GLOBAL_PRIVACY_CONTROL
    assert ads.evidence["gpc"] is True
    assert ads.evidence["gpc_navigator"] is True
    assert ads.evidence["gpc_header"] is True
    assert records["audience"].status is ConsentStatus.GIVEN


def test_withdrawal_deletes_the_cookies_already_set_and_is_recorded(
    visit: Callable[..., Visit],
) -> None:
    v = visit()
    page = v.open()
    v.click_and_wait_for_record("Tout accepter")
    page.wait_for_function("window.fakeAnalyticsLoaded && window.fakeAdsLoaded")
    assert {"_ga", "_ga_DEMO", "_gcl_au"} <= v.cookie_names()
    page.evaluate(
        """() => { window.informed = null;
        document.addEventListener("gardien:consent", (e) => { window.informed = e.detail; }); }"""
    )
    page.get_by_role("button", name="Cookies", exact=True).click()
    assert v.dialog().is_visible()
    assert page.get_by_role("switch", name="Publicité").is_checked()  # shows the current choice
    v.click_and_wait_for_record("Tout refuser")
    assert not {n for n in v.cookie_names() if NON_EXEMPT.match(n)}
    assert "session" in v.cookie_names()  # strictly necessary cookies stay
    informed = page.evaluate("window.informed")
    assert set(informed["removed"]) >= {"_ga", "_ga_DEMO", "_gcl_au"}
    records = v.site.latest(v.stored_choice()["id"])
    assert records["ads"].status is ConsentStatus.WITHDRAWN
    assert records["audience"].status is ConsentStatus.WITHDRAWN
    assert len(v.site.consents(v.stored_choice()["id"])) == 4  # history kept (art. 7(1))


def test_withdrawal_deletes_a_tracker_cookie_set_on_a_parent_domain(
    visit: Callable[..., Visit],
) -> None:
    v = visit()
    page = v.open(host="www.shop.gardien.test")
    v.click_and_wait_for_record("Tout accepter")
    page.wait_for_function("window.fakeAnalyticsLoaded === true")
    ga = next(c for c in v.context.cookies() if c["name"] == "_ga")
    assert ga["domain"] == ".gardien.test"  # set on the widest domain, as real tags do
    page.get_by_role("button", name="Cookies", exact=True).click()
    v.click_and_wait_for_record("Tout refuser")
    assert not {n for n in v.cookie_names() if NON_EXEMPT.match(n)}


def _choice_cookie(v: Visit, revision: str, made: datetime) -> None:
    value = {
        "id": "0123456789abcdef0123456789abcdef",
        "r": revision,
        "d": int(made.timestamp() * 1000),
        "c": {"audience_measurement": 1, "advertising": 1},
    }
    v.context.add_cookies(
        [
            {
                "name": "gardien_consent",
                "value": quote(json.dumps(value, separators=(",", ":")), safe=""),
                "url": f"http://127.0.0.1:{v.port}/",
            }
        ]
    )


def test_a_recent_choice_is_not_asked_again_and_is_applied(
    visit: Callable[..., Visit], shop: Policy
) -> None:
    v = visit()
    _choice_cookie(v, build_banner_config(shop).consent_revision, datetime.now(UTC))
    page = v.open()
    page.wait_for_function("window.fakeAnalyticsLoaded && window.fakeAdsLoaded")
    assert not v.dialog().is_visible()
    assert page.get_by_role("button", name="Cookies", exact=True).is_visible()


def test_a_choice_older_than_six_months_is_asked_again(
    visit: Callable[..., Visit], shop: Policy
) -> None:
    v = visit()
    made = datetime.now(UTC) - timedelta(days=186)
    _choice_cookie(v, build_banner_config(shop).consent_revision, made)
    v.open()
    assert v.dialog().is_visible()
    assert not any(v.requested(t) for t in TRACKERS)


def test_a_choice_made_under_an_older_revision_is_asked_again(
    visit: Callable[..., Visit],
) -> None:
    v = visit()
    _choice_cookie(v, "0000000000000000", datetime.now(UTC) - timedelta(days=1))
    v.open()
    assert v.dialog().is_visible()
    assert not any(v.requested(t) for t in TRACKERS)


def test_focus_moves_to_the_banner_and_tab_reaches_the_three_buttons(
    visit: Callable[..., Visit],
) -> None:
    page = visit().open()
    active = """() => { const a = document.activeElement;
      const inner = a && a.shadowRoot ? a.shadowRoot.activeElement : null;
      return inner ? [inner.getAttribute("role") || inner.tagName, inner.textContent,
                      getComputedStyle(inner).outlineStyle] : null; }"""
    assert page.evaluate(active)[0] == "dialog"
    reached = []
    for _ in range(6):
        page.keyboard.press("Tab")
        focused = page.evaluate(active)
        if focused:
            reached.append(focused)
    labels = [label for _, label, _ in reached]
    assert {"Tout accepter", "Tout refuser", "Personnaliser"} <= set(labels)
    assert all(outline != "none" for role, _, outline in reached if role == "BUTTON")


def test_an_english_page_gets_the_english_banner(visit: Callable[..., Visit]) -> None:
    v = visit()

    def english(route: Any) -> None:
        page = route.fetch().text().replace('<html lang="fr">', '<html lang="en">')
        route.fulfill(body=page, content_type="text/html; charset=utf-8")

    v.page.route("**/static/demo/index.html", english)
    page = v.open()
    for label in ("Accept all", "Refuse all", "Customize"):
        assert page.get_by_role("button", name=label, exact=True).is_visible()
    assert page.get_by_role("dialog", name="Your cookie choices").is_visible()


def _shop_on_its_own_server(gardien: str) -> FastAPI:
    """The demo shop served by another server, pasting the script from Gardien's address."""
    shop = FastAPI()
    page = (DEMO_DIRECTORY / "index.html").read_text(encoding="utf-8")
    page = page.replace('src="/banner.js"', f'src="{gardien}/banner.js"')

    @shop.get("/static/demo/index.html")
    def index() -> HTMLResponse:
        return HTMLResponse(page)

    shop.mount("/static/demo", StaticFiles(directory=DEMO_DIRECTORY))
    return shop


def test_a_site_on_another_origin_gets_the_banner_and_its_choice_reaches_gardien(
    visit: Callable[..., Visit],
) -> None:
    """The usual set-up: the shop on its own domain, the script and the ledger on Gardien's."""
    v = visit()
    gardien = f"http://127.0.0.1:{v.port}"
    with served_on_port(_shop_on_its_own_server(gardien)) as shop_port:
        shop = f"http://www.shop.gardien.test:{shop_port}"
        page = v.page
        page.goto(f"{shop}/static/demo/index.html")
        page.wait_for_load_state("networkidle")
        notice = page.get_by_role("link", name="Politique de confidentialité")
        assert notice.get_attribute("href").startswith(gardien + "/")  # on Gardien, not the shop
        answer = v.click_and_wait_for_record("Tout accepter")  # a cross-origin POST, via CORS
        page.wait_for_function("window.fakeAnalyticsLoaded && window.fakeAdsLoaded")
    jar = {c["name"]: c["domain"] for c in v.context.cookies()}
    assert jar["gardien_consent"] == "www.shop.gardien.test"  # first party to the shop
    record = v.site.latest(v.stored_choice()["id"])["ads"]
    assert record.receipt_id == answer["receipt_id"]
    assert record.evidence["origin"] == shop
    assert record.evidence["page_url"] == f"{shop}/static/demo/index.html"


def test_a_policy_without_consent_cookies_shows_no_banner(
    browser: Any, sqlite_url: str, tmp_path: Path
) -> None:
    with banner_site(sqlite_url, tmp_path, MINIMAL) as plain, served_on_port(plain.app) as port:
        v = Visit(browser, plain, port)
        try:
            page = v.open()
            assert page.evaluate("window.Gardien.asked") == []
            assert not v.dialog().is_visible()
            assert page.get_by_text("aucun bandeau n'est nécessaire").is_visible()
            assert "gardien_consent" not in v.cookie_names()
        finally:
            v.context.close()
