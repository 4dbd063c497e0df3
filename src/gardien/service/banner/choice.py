"""A choice made on the banner: what the script sends, how it is checked, where it goes.

The person is known only by a random id the script draws at the moment of the choice (never
before: nothing is stored on the device until then). Refusals are recorded exactly like
consents, because a refusal too must be respected and proven (CNIL 2020; GDPR art. 7(1)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, StringConstraints

from gardien.audit.events import JsonValue
from gardien.errors import GardienError
from gardien.policy.vocabulary import CookieCategory
from gardien.service.banner.config import GPC_REFUSED, BannerConfig

CHANNEL = "cookie_banner"
"""The consent channel the ledger records for choices made here."""


class BannerButton(StrEnum):
    """The button that made the choice: the three of the first layer's equal prominence."""

    ACCEPT_ALL = "accept_all"
    REFUSE_ALL = "refuse_all"
    CUSTOMIZE = "customize"


class BannerChoiceError(GardienError):
    """The script sent a choice that does not match the banner the policy describes."""

    code = "invalid_banner_choice"


class StaleBannerError(GardienError):
    """The choice was made on a banner from an earlier policy: it cannot prove consent now."""

    code = "stale_banner"


class BannerChoiceRequest(BaseModel):
    """The body ``banner.js`` posts after a click."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cookie_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    choices: dict[CookieCategory, bool]
    button: BannerButton
    consent_revision: Annotated[str, StringConstraints(max_length=64)]
    page_url: Annotated[str, StringConstraints(max_length=2048)] = ""
    gpc: bool = False
    language: Literal["fr", "en"] = "fr"


@dataclass(frozen=True)
class BannerChoice:
    """A checked choice, ready for the ledger; ``evidence`` is what proves how it was made."""

    cookie_id: str
    choices: Mapping[CookieCategory, bool]
    policy_version: str
    notice_hash: str
    evidence: Mapping[str, JsonValue]


class ConsentSink(Protocol):
    """Where choices go: the ledger implements it (channel ``cookie_banner``)."""

    def record_banner_choice(
        self,
        cookie_id: str,
        choices: dict[CookieCategory, bool],
        policy_version: str,
        notice_hash: str,
        evidence: dict[str, JsonValue],
    ) -> str:
        """Record one choice (one line per category, refusals included); return a receipt id."""
        ...


def page_without_query(url: str) -> str:
    """The page address without query or fragment, which may carry personal data (art. 5(1)(c))."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))[:512]


def checked_choice(
    config: BannerConfig,
    request: BannerChoiceRequest,
    *,
    gpc_header: bool,
    user_agent: str | None,
    origin: str | None,
) -> BannerChoice:
    """Check a posted choice against the current banner and apply Global Privacy Control.

    GPC (``navigator.globalPrivacyControl`` or the ``Sec-GPC: 1`` header) refuses advertising
    and social media on "Tout accepter" too; only an explicit switch in "Personnaliser", a
    specific act for that purpose, turns one back on, and the evidence says so.
    """
    if request.consent_revision != config.consent_revision:
        raise StaleBannerError(
            f"the choice was made on banner revision {request.consent_revision!r}, the policy "
            f"now needs revision {config.consent_revision!r}: reload the page and choose again"
        )
    asked = set(config.consentable)
    given = set(request.choices)
    if given != asked:
        missing = sorted(c.value for c in asked - given)
        extra = sorted(c.value for c in given - asked)
        raise BannerChoiceError(
            "a choice must answer every category the banner asks about"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; not asked by this policy: {', '.join(extra)}" if extra else "")
        )
    gpc = request.gpc or gpc_header
    choices = {c: request.choices[c] for c in config.consentable}
    overridden: list[JsonValue] = []
    if gpc:
        for category in GPC_REFUSED:
            if category not in choices or not choices[category]:
                continue
            if request.button is BannerButton.CUSTOMIZE:
                overridden.append(category.value)
            else:
                choices[category] = False
    evidence: dict[str, JsonValue] = {
        "channel": CHANNEL,
        "button": request.button.value,
        "consent_revision": request.consent_revision,
        "page_url": page_without_query(request.page_url),
        "language": request.language,
        "gpc": gpc,
        "gpc_navigator": request.gpc,
        "gpc_header": gpc_header,
        "user_agent": (user_agent or "")[:256],
        "origin": (origin or "")[:256],
    }
    if overridden:
        evidence["gpc_overridden_by_explicit_choice"] = overridden
    return BannerChoice(
        cookie_id=request.cookie_id,
        choices=choices,
        policy_version=config.policy_version,
        notice_hash=config.notice_hash,
        evidence=evidence,
    )


def record(sink: ConsentSink, choice: BannerChoice) -> str:
    """Hand a checked choice to the sink; returns its receipt id."""
    return sink.record_banner_choice(
        choice.cookie_id,
        dict(choice.choices),
        choice.policy_version,
        choice.notice_hash,
        dict(choice.evidence),
    )
