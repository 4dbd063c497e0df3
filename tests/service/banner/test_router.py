"""The banner's routes over HTTP, in the real service app, recording into the real ledger."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gardien.errors import ConfigurationError
from gardien.ledger import Channel, ConsentMethod, ConsentStatus
from gardien.policy import CookieCategory, Policy
from gardien.service.banner import build_banner_config
from gardien.service.banner.ledger_sink import purposes_by_category
from tests.policy.builders import build, to_yaml
from tests.service.banner.site import BannerSite, banner_site
from tests.service.banner.test_config import shop_data

COOKIE_ID = "0123456789abcdef" * 2


def post(
    site: BannerSite, policy: Policy, headers: dict[str, str] | None = None, **fields: Any
) -> httpx.Response:
    body: dict[str, Any] = {
        "cookie_id": COOKIE_ID,
        "choices": {"audience_measurement": True, "advertising": True},
        "button": "accept_all",
        "consent_revision": build_banner_config(policy).consent_revision,
        "page_url": "https://boutique.example/",
        "gpc": False,
        "language": "fr",
    }
    body.update(fields)
    return site.client.post(
        "/banner/consent",
        content=json.dumps(body),
        headers={"Content-Type": "text/plain", **(headers or {})},
    )


def test_the_script_is_served_with_its_configuration_inlined(
    site: BannerSite, shop: Policy
) -> None:
    answer = site.client.get("/banner.js", headers={"Accept-Encoding": "identity"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "__GARDIEN_CONFIG__" not in answer.text
    assert f'"consentRevision":"{build_banner_config(shop).consent_revision}"' in answer.text
    assert "Tout refuser" in answer.text
    assert ".b{" in answer.text
    assert answer.headers["cache-control"] == "public, max-age=300"
    assert answer.headers["etag"].startswith('"')


def test_the_script_is_revalidated_with_its_etag(site: BannerSite) -> None:
    first = site.client.get("/banner.js")
    etag = first.headers["etag"]
    again = site.client.get("/banner.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = site.client.get("/banner.js", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200


def test_the_script_is_sent_compressed_to_browsers_that_accept_gzip(site: BannerSite) -> None:
    plain = site.client.get("/banner.js", headers={"Accept-Encoding": "identity"})
    raw = site.client.stream("GET", "/banner.js", headers={"Accept-Encoding": "gzip"})
    with raw as answer:
        assert answer.headers["content-encoding"] == "gzip"
        compressed = b"".join(answer.iter_raw())
    assert gzip.decompress(compressed) == plain.content
    assert len(compressed) < len(plain.content) / 2


def test_an_acceptance_is_recorded_in_the_ledger_with_its_evidence(
    site: BannerSite, shop: Policy
) -> None:
    answer = post(site, shop, headers={"User-Agent": "Firefox/140", "Origin": "https://shop"})
    assert answer.status_code == 201
    assert answer.headers["access-control-allow-origin"] == "*"
    body = answer.json()
    assert body["choices"] == {"audience_measurement": True, "advertising": True}
    records = site.consents(COOKIE_ID)
    assert {(r.purpose, r.status) for r in records} == {
        ("audience", ConsentStatus.GIVEN),
        ("ads", ConsentStatus.GIVEN),
    }
    assert {r.receipt_id for r in records} == {body["receipt_id"]}
    record = records[0]
    assert record.channel is Channel.COOKIE_BANNER
    assert record.method is ConsentMethod.EXPLICIT_OPT_IN
    assert record.policy_version == "2.0"
    assert record.notice_hash == build_banner_config(shop).notice_hash
    assert record.evidence["user_agent"] == "Firefox/140"
    assert record.evidence["origin"] == "https://shop"
    assert record.evidence["banner_choices"] == body["choices"]
    assert record.expires_at is not None
    assert (record.expires_at - record.at).days in range(181, 185)  # six months


def test_no_after_yes_is_a_withdrawal(site: BannerSite, shop: Policy) -> None:
    post(site, shop)
    answer = post(
        site,
        shop,
        button="customize",
        choices={"audience_measurement": True, "advertising": False},
    )
    assert answer.status_code == 201
    assert {p: r.status for p, r in site.latest(COOKIE_ID).items()} == {
        "audience": ConsentStatus.GIVEN,
        "ads": ConsentStatus.WITHDRAWN,
    }
    assert len(site.consents(COOKIE_ID)) == 4


def test_the_sec_gpc_header_refuses_advertising_and_is_recorded_as_gpc(
    site: BannerSite, shop: Policy
) -> None:
    answer = post(site, shop, headers={"Sec-GPC": "1"})
    assert answer.json()["choices"] == {"audience_measurement": True, "advertising": False}
    assert answer.json()["gpc"] is True
    ads = site.latest(COOKIE_ID)["ads"]
    assert ads.status is ConsentStatus.REFUSED
    assert ads.method is ConsentMethod.GLOBAL_PRIVACY_CONTROL
    assert ads.evidence["gpc_header"] is True


def test_json_bodies_are_accepted_too(site: BannerSite, shop: Policy) -> None:
    body = {
        "cookie_id": COOKIE_ID,
        "choices": {"audience_measurement": False, "advertising": False},
        "button": "refuse_all",
        "consent_revision": build_banner_config(shop).consent_revision,
    }
    assert site.client.post("/banner/consent", json=body).status_code == 201
    assert site.latest(COOKIE_ID)["audience"].status is ConsentStatus.REFUSED


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"cookie_id": "not-random"}, 422, "invalid_banner_choice"),
        ({"button": "close"}, 422, "invalid_banner_choice"),
        ({"choices": {"advertising": True}}, 422, "invalid_banner_choice"),
        ({"consent_revision": "0000000000000000"}, 409, "stale_banner"),
    ],
)
def test_a_bad_choice_gets_a_json_error_with_a_stable_code_and_records_nothing(
    site: BannerSite, shop: Policy, fields: dict[str, Any], status: int, code: str
) -> None:
    answer = post(site, shop, **fields)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
    assert answer.json()["error"]["message"]
    assert site.consents(COOKIE_ID) == []


def test_a_body_that_is_not_json_or_too_large_is_refused(site: BannerSite) -> None:
    assert site.client.post("/banner/consent", content=b"{").status_code == 422
    big = site.client.post("/banner/consent", content=b"x" * 10_000)
    assert big.status_code == 413
    assert big.json()["error"]["code"] == "invalid_banner_choice"


def test_the_preflight_allows_a_post_from_any_site(site: BannerSite) -> None:
    answer = site.client.options(
        "/banner/consent",
        headers={"Origin": "https://shop", "Access-Control-Request-Method": "POST"},
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"]


def test_the_routes_are_described_in_the_openapi_document(site: BannerSite) -> None:
    paths = site.client.get("/openapi.json").json()["paths"]
    assert "get" in paths["/banner.js"]
    consent = paths["/banner/consent"]["post"]
    assert "text/plain" in consent["requestBody"]["content"]


def test_the_banner_refuses_to_start_when_a_cookie_serves_no_consent_purpose(
    shop: Policy, sqlite_url: str, tmp_path: Path
) -> None:
    assert purposes_by_category(shop) == {
        CookieCategory.AUDIENCE_MEASUREMENT: ("audience",),
        CookieCategory.ADVERTISING: ("ads",),
    }
    data = shop_data()
    data["cookies"][3]["purpose"] = "orders"  # a contract purpose cannot carry a cookie consent
    with pytest.raises(ConfigurationError, match="'_gcl_au'"):
        purposes_by_category(build(data))
    bad = tmp_path / "bad.yaml"
    bad.write_text(to_yaml(data), encoding="utf-8")
    started = pytest.raises(ConfigurationError, match="needs a `purpose` that rests on consent")
    with started, banner_site(sqlite_url, tmp_path, bad):
        pytest.fail("the service started with a cookie whose choice it cannot record")


@pytest.fixture
def pg_site(postgres_url: str, tmp_path: Path) -> Iterator[BannerSite]:
    with banner_site(postgres_url, tmp_path) as built:
        yield built


@pytest.mark.postgres
def test_choices_are_recorded_on_postgresql_too(pg_site: BannerSite, shop: Policy) -> None:
    assert post(pg_site, shop).status_code == 201
    post(
        pg_site,
        shop,
        button="refuse_all",
        choices={"audience_measurement": False, "advertising": False},
    )
    assert {p: r.status for p, r in pg_site.latest(COOKIE_ID).items()} == {
        "audience": ConsentStatus.WITHDRAWN,
        "ads": ConsentStatus.WITHDRAWN,
    }
