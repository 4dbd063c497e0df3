"""The banner's configuration, computed from the policy's ``cookies`` and purposes.

Nothing on the banner is typed by hand: the categories offered, the purposes they serve, each
cookie's name, provider and lifetime, and the link to the notice all come from the policy, so
the banner cannot say something the notice does not (GDPR art. 7(2), 13; CNIL 2020: consent is
informed only if the person sees the purposes and who sets the trackers).

Two hashes travel with it. ``consent_revision`` covers only what a consent is *about* (the
non-exempt cookies' categories, purposes and providers): when it changes, a stored choice no
longer covers what the site does and the banner asks again. ``notice_hash`` covers every word
shown, and is recorded with each choice as proof of what the person was told (art. 7(1)).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from gardien.audit.events import JsonValue
from gardien.policy.durations import Duration
from gardien.policy.model import Cookie, Policy, Text
from gardien.policy.vocabulary import CookieCategory
from gardien.service.banner.texts import LANGUAGES, UI_TEXTS, Language, lifetime_words

CONSENT_COOKIE = "gardien_consent"
"""The first-party cookie holding the choice; exempt, it only stores the choice (CNIL 2020)."""

CHOICE_VALIDITY = Duration(months=6)
"""CNIL recommendation 2020: keep a choice, and do not ask again, for about six months."""

GPC_REFUSED: tuple[CookieCategory, ...] = (CookieCategory.ADVERTISING, CookieCategory.SOCIAL_MEDIA)
"""What Global Privacy Control refuses: sale and sharing, i.e. advertising and social media
trackers (GDPR art. 21(5): objection by automated means)."""


@dataclass(frozen=True)
class BannerCookie:
    """One cookie as the banner lists it."""

    name: str
    provider: str
    lifetime: dict[Language, str]
    description: dict[Language, str] | None = None


@dataclass(frozen=True)
class BannerCategory:
    """A group of cookies the person sees as one line: a toggle, or "always active"."""

    category: CookieCategory
    exempt: bool
    cookies: tuple[BannerCookie, ...]
    purposes: dict[Language, tuple[str, ...]] = field(default_factory=dict)

    def label(self, lang: Language) -> str:
        return self.category.label(lang)


@dataclass(frozen=True)
class BannerConfig:
    """Everything ``banner.js`` needs, computed once per policy."""

    controller: str
    policy_version: str
    consent_revision: str
    notice_hash: str
    notice_url: str | None
    categories: tuple[BannerCategory, ...]

    @property
    def consentable(self) -> tuple[CookieCategory, ...]:
        """The categories a person is asked about (CNIL 2020: one consent per purpose)."""
        return tuple(c.category for c in self.categories if not c.exempt)

    @property
    def asks_consent(self) -> bool:
        return bool(self.consentable)

    def as_json(self) -> dict[str, JsonValue]:
        """The configuration inlined in the served script (field names as the script reads)."""
        return {
            "controller": self.controller,
            "policyVersion": self.policy_version,
            "consentRevision": self.consent_revision,
            "noticeHash": self.notice_hash,
            "noticeUrl": self.notice_url,
            "cookieName": CONSENT_COOKIE,
            "validityMonths": CHOICE_VALIDITY.total_months,
            "gpcRefuses": [c.value for c in GPC_REFUSED],
            "categories": [_category_json(c) for c in self.categories],
            "texts": {lang: dict(UI_TEXTS[lang]) for lang in LANGUAGES},
        }


def _category_json(group: BannerCategory) -> dict[str, JsonValue]:
    return {
        "id": group.category.value,
        "exempt": group.exempt,
        "patterns": [c.name for c in group.cookies],
        "text": {
            lang: {
                "label": group.label(lang),
                "purposes": list(group.purposes.get(lang, ())),
                "cookies": [
                    [c.name, c.provider, c.lifetime[lang], (c.description or {}).get(lang, "")]
                    for c in group.cookies
                ],
            }
            for lang in LANGUAGES
        },
    }


def _both(text: Text) -> dict[Language, str]:
    return {lang: text.in_(lang) for lang in LANGUAGES}


def _banner_cookie(cookie: Cookie) -> BannerCookie:
    return BannerCookie(
        name=cookie.name,
        provider=cookie.provider,
        lifetime={lang: lifetime_words(cookie.lifetime, lang) for lang in LANGUAGES},
        description=_both(cookie.description) if cookie.description else None,
    )


def _own_cookie(policy: Policy) -> Cookie:
    """The banner's own cookie, listed even when the policy forgot it: the banner tells all."""
    return Cookie(
        name=CONSENT_COOKIE,
        provider=policy.controller.name,
        category=CookieCategory.STRICTLY_NECESSARY,
        lifetime=CHOICE_VALIDITY,
        exempt=True,
        description=Text(fr="Conserve vos choix sur les cookies.", en="Keeps your cookie choices."),
    )


def _is_exempt(cookie: Cookie) -> bool:
    # A strictly necessary cookie never needs consent, whatever the file says (ePrivacy 5(3)).
    return cookie.exempt or cookie.category is CookieCategory.STRICTLY_NECESSARY


def _purpose_titles(policy: Policy, cookies: list[Cookie]) -> dict[Language, tuple[str, ...]]:
    ids = list(dict.fromkeys(c.purpose for c in cookies if c.purpose))
    purposes = [policy.purpose_by_id[i] for i in ids if i in policy.purpose_by_id]
    return {lang: tuple(p.title.in_(lang) for p in purposes) for lang in LANGUAGES}


def _groups(policy: Policy) -> tuple[BannerCategory, ...]:
    cookies = list(policy.cookies)
    if not any(c.name == CONSENT_COOKIE for c in cookies):
        cookies.append(_own_cookie(policy))
    groups: list[BannerCategory] = []
    # Consent-based groups first, in the vocabulary's order, then what is always active.
    for exempt in (False, True):
        for category in CookieCategory:
            members = [c for c in cookies if c.category is category and _is_exempt(c) is exempt]
            if members:
                groups.append(
                    BannerCategory(
                        category=category,
                        exempt=exempt,
                        cookies=tuple(_banner_cookie(c) for c in members),
                        purposes=_purpose_titles(policy, members),
                    )
                )
    return tuple(groups)


def consent_revision(policy: Policy) -> str:
    """A hash of what a consent covers: each non-exempt cookie's category, purpose, provider.

    Changing a lifetime or a wording keeps it; a new category, purpose or third party changes
    it, because consent given for the old list does not cover the new one (GDPR art. 4(11):
    specific and informed).
    """
    covered = sorted(
        {
            (c.category.value, c.purpose or "", c.provider)
            for c in policy.cookies
            if not _is_exempt(c)
        }
    )
    return hashlib.sha256(json.dumps(covered).encode()).hexdigest()[:16]


def _sha256(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def build_banner_config(policy: Policy, notice_url: str | None = None) -> BannerConfig:
    """The banner for ``policy``; ``notice_url`` is where its link to the notice points.

    A relative ``notice_url`` (``/portal/notice``) is resolved against the script's own address,
    i.e. on the Gardien service, not on the site that pastes the script; when None the script
    links to ``notice`` next to itself.
    """
    groups = _groups(policy)
    shown = {
        "controller": policy.controller.name,
        "categories": [_category_json(g) for g in groups],
        "texts": {lang: UI_TEXTS[lang] for lang in LANGUAGES},
        "notice_url": notice_url,
    }
    return BannerConfig(
        controller=policy.controller.name,
        policy_version=policy.version,
        consent_revision=consent_revision(policy),
        notice_hash=_sha256(shown),
        notice_url=notice_url,
        categories=groups,
    )
