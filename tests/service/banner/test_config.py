"""The banner's configuration is computed from the policy, and its hashes move when they must."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from gardien.policy import CookieCategory, Duration, Policy
from gardien.service.banner import CONSENT_COOKIE, build_banner_config, consent_revision
from gardien.service.banner.texts import lifetime_words
from tests.policy.builders import build, minimal_data
from tests.service.banner.site import SHOP


def shop_data() -> dict[str, Any]:
    data = yaml.safe_load(SHOP.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def test_the_banner_asks_about_the_non_exempt_categories_in_the_vocabulary_order(
    shop: Policy,
) -> None:
    config = build_banner_config(shop)
    assert config.consentable == (CookieCategory.AUDIENCE_MEASUREMENT, CookieCategory.ADVERTISING)
    assert config.asks_consent


def test_exempt_cookies_are_always_active_and_the_banner_lists_its_own_cookie(
    shop: Policy,
) -> None:
    config = build_banner_config(shop)
    exempt = [g for g in config.categories if g.exempt]
    assert [g.category for g in exempt] == [CookieCategory.STRICTLY_NECESSARY]
    assert [c.name for c in exempt[0].cookies] == ["session", CONSENT_COOKIE]
    assert exempt[0].cookies[1].lifetime == {"fr": "6 mois", "en": "6 months"}


def test_texts_come_from_the_policy(shop: Policy) -> None:
    groups = {g.category: g for g in build_banner_config(shop).categories if not g.exempt}
    audience = groups[CookieCategory.AUDIENCE_MEASUREMENT]
    assert audience.purposes["fr"] == ("Mesurer la fréquentation du site pour l'améliorer",)
    assert audience.purposes["en"] == ("Measure visits to improve the website",)
    assert [(c.name, c.provider, c.lifetime["fr"]) for c in audience.cookies] == [
        ("_ga", "Google Analytics", "13 mois"),
        ("_ga_*", "Google Analytics", "13 mois"),
    ]
    served = build_banner_config(shop).as_json()
    assert served["controller"] == "Boutique Exemple SAS"
    assert served["policyVersion"] == "2.0"
    assert served["validityMonths"] == 6
    assert served["gpcRefuses"] == ["advertising", "social_media"]


def test_a_strictly_necessary_cookie_is_never_asked_about_even_if_not_marked_exempt() -> None:
    data = shop_data()
    data["cookies"][0]["exempt"] = False
    config = build_banner_config(build(data))
    assert CookieCategory.STRICTLY_NECESSARY not in config.consentable


def test_an_exempt_audience_cookie_is_listed_as_always_active_beside_the_asked_ones() -> None:
    data = shop_data()
    data["cookies"].append(
        {
            "name": "_pk_id.*",
            "provider": "Matomo (auto-hébergé)",
            "category": "audience_measurement",
            "purpose": "audience",
            "lifetime": "P13M",
            "exempt": True,
        }
    )
    config = build_banner_config(build(data))
    audience = [g for g in config.categories if g.category is CookieCategory.AUDIENCE_MEASUREMENT]
    assert [(g.exempt, [c.name for c in g.cookies]) for g in audience] == [
        (False, ["_ga", "_ga_*"]),
        (True, ["_pk_id.*"]),
    ]


def test_a_policy_without_consent_cookies_asks_nothing() -> None:
    config = build_banner_config(build(minimal_data()))
    assert config.consentable == ()
    assert not config.asks_consent


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda d: d["cookies"].append(
                {
                    "name": "_fbp",
                    "provider": "Meta",
                    "category": "social_media",
                    "purpose": "ads",
                    "lifetime": "P3M",
                }
            ),
            id="new category",
        ),
        pytest.param(lambda d: d["cookies"][3].update(provider="Criteo"), id="new third party"),
        pytest.param(lambda d: d["cookies"][1].update(purpose="ads"), id="new purpose"),
        pytest.param(
            lambda d: d["cookies"][3].update(exempt=False, category="preferences"),
            id="category changed",
        ),
    ],
)
def test_a_change_that_needs_new_consent_changes_the_revision(change: Any) -> None:
    data = shop_data()
    before = consent_revision(build(data))
    change(data)
    assert consent_revision(build(data)) != before


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d["cookies"][1].update(lifetime="P6M"), id="shorter lifetime"),
        pytest.param(lambda d: d.update(version="2.1"), id="new policy version"),
        pytest.param(
            lambda d: d["purposes"][1]["title"].update(fr="Mesurer l'audience"), id="new wording"
        ),
        pytest.param(
            lambda d: d["cookies"].append(
                {
                    "name": "lang",
                    "provider": "Boutique Exemple SAS",
                    "category": "strictly_necessary",
                    "lifetime": "P1M",
                    "exempt": True,
                }
            ),
            id="new exempt cookie",
        ),
    ],
)
def test_a_change_that_needs_no_new_consent_keeps_the_revision_but_not_the_notice_hash(
    change: Any,
) -> None:
    data = shop_data()
    before = build_banner_config(build(data))
    change(data)
    after = build_banner_config(build(data))
    assert after.consent_revision == before.consent_revision
    if data["version"] == before.policy_version:
        assert after.notice_hash != before.notice_hash  # what was shown changed: new proof


def test_the_notice_hash_covers_the_link_to_the_notice(shop: Policy) -> None:
    here = build_banner_config(shop, "https://boutique.example/confidentialite")
    there = build_banner_config(shop, "https://boutique.example/privacy")
    assert here.notice_hash != there.notice_hash
    assert here.consent_revision == there.consent_revision


@pytest.mark.parametrize(
    ("lifetime", "fr", "en"),
    [
        ("session", "le temps de la session", "for the session"),
        (Duration(months=13), "13 mois", "13 months"),
        (Duration(years=1), "1 an", "1 year"),
        (Duration(years=1, months=1), "1 an et 1 mois", "1 year and 1 month"),
        (Duration(days=30), "30 jours", "30 days"),
        (Duration(seconds=7200), "2 heures", "2 hours"),
    ],
)
def test_lifetimes_are_written_as_people_say_them(
    lifetime: Duration | str, fr: str, en: str
) -> None:
    assert lifetime_words(lifetime, "fr") == fr
    assert lifetime_words(lifetime, "en") == en
