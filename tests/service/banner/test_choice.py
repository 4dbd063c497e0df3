"""A posted choice is checked against the banner, and Global Privacy Control is applied."""

from __future__ import annotations

from typing import Any

import pytest

from gardien.policy import CookieCategory, Policy
from gardien.service.banner import (
    BannerChoiceError,
    BannerChoiceRequest,
    StaleBannerError,
    build_banner_config,
    checked_choice,
)
from gardien.service.banner.choice import page_without_query

AUDIENCE, ADS = CookieCategory.AUDIENCE_MEASUREMENT, CookieCategory.ADVERTISING


def posted(policy: Policy, **fields: Any) -> BannerChoiceRequest:
    body: dict[str, Any] = {
        "cookie_id": "ab" * 16,
        "choices": {"audience_measurement": True, "advertising": True},
        "button": "accept_all",
        "consent_revision": build_banner_config(policy).consent_revision,
        "page_url": "https://boutique.example/panier?email=marie@example.fr#top",
    }
    body.update(fields)
    return BannerChoiceRequest.model_validate(body)


def check(policy: Policy, request: BannerChoiceRequest, gpc_header: bool = False) -> Any:
    return checked_choice(
        build_banner_config(policy),
        request,
        gpc_header=gpc_header,
        user_agent="Mozilla/5.0",
        origin="https://boutique.example",
    )


def test_an_acceptance_is_checked_and_carries_its_evidence(shop: Policy) -> None:
    choice = check(shop, posted(shop))
    assert dict(choice.choices) == {AUDIENCE: True, ADS: True}
    assert choice.policy_version == "2.0"
    assert choice.notice_hash == build_banner_config(shop).notice_hash
    assert choice.evidence["button"] == "accept_all"
    assert choice.evidence["channel"] == "cookie_banner"
    assert choice.evidence["gpc"] is False
    assert choice.evidence["user_agent"] == "Mozilla/5.0"
    assert choice.evidence["origin"] == "https://boutique.example"


def test_the_page_address_is_kept_without_query_or_fragment(shop: Policy) -> None:
    choice = check(shop, posted(shop))
    assert choice.evidence["page_url"] == "https://boutique.example/panier"
    assert page_without_query("javascript:alert(1)") == ""


@pytest.mark.parametrize(
    ("navigator", "header"), [(True, False), (False, True), (True, True)], ids=str
)
def test_global_privacy_control_refuses_advertising_even_on_accept_all(
    shop: Policy, navigator: bool, header: bool
) -> None:
    choice = check(shop, posted(shop, gpc=navigator), gpc_header=header)
    assert dict(choice.choices) == {AUDIENCE: True, ADS: False}
    assert choice.evidence["gpc"] is True
    assert choice.evidence["gpc_navigator"] is navigator
    assert choice.evidence["gpc_header"] is header


def test_an_explicit_switch_in_customize_overrides_gpc_and_the_evidence_says_so(
    shop: Policy,
) -> None:
    choice = check(shop, posted(shop, button="customize", gpc=True))
    assert dict(choice.choices) == {AUDIENCE: True, ADS: True}
    assert choice.evidence["gpc_overridden_by_explicit_choice"] == ["advertising"]


def test_a_refusal_is_a_choice_like_any_other(shop: Policy) -> None:
    request = posted(
        shop, button="refuse_all", choices={"audience_measurement": False, "advertising": False}
    )
    assert dict(check(shop, request).choices) == {AUDIENCE: False, ADS: False}


def test_a_choice_made_on_an_earlier_banner_is_refused(shop: Policy) -> None:
    with pytest.raises(StaleBannerError, match="reload the page"):
        check(shop, posted(shop, consent_revision="0000000000000000"))


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"audience_measurement": True}, "missing: advertising"),
        (
            {"audience_measurement": True, "advertising": True, "social_media": True},
            "not asked by this policy: social_media",
        ),
    ],
)
def test_a_choice_must_answer_exactly_the_categories_asked(
    shop: Policy, choices: dict[str, bool], message: str
) -> None:
    with pytest.raises(BannerChoiceError, match=message):
        check(shop, posted(shop, choices=choices))
