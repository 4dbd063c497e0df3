"""Banner choices into the ledger: one consent record per consent-based purpose, refusals too.

The banner asks per cookie category (CNIL 2020); the ledger keeps consent per purpose (GDPR
art. 6(1)(a)). The policy links the two: each cookie names the purpose it serves. A choice for
``advertising`` becomes a record for every consent-based purpose of the advertising cookies, all
under one receipt, for the browser's ``cookie_id``. A "no" after a "yes" is a withdrawal
(art. 7(3)); a "no" refused by Global Privacy Control is recorded with that method.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from gardien.audit.events import JsonValue
from gardien.errors import ConfigurationError
from gardien.ledger import (
    Channel,
    ConsentChange,
    ConsentMethod,
    ConsentStatus,
    Identifier,
    IdentifierKind,
    Ledger,
)
from gardien.policy.model import Policy
from gardien.policy.vocabulary import CookieCategory, LegalBasisKind
from gardien.service.banner.config import CHOICE_VALIDITY, GPC_REFUSED


def purposes_by_category(policy: Policy) -> dict[CookieCategory, tuple[str, ...]]:
    """For each category asked on the banner, the consent-based purposes its cookies serve.

    Raises :class:`ConfigurationError` (at start-up) when a non-exempt cookie serves no purpose
    resting on consent: the ledger could not prove the choice made for it (ePrivacy art. 5(3)
    needs consent for such a cookie; EDPB opinion 5/2019: consent is then the basis of the
    processing that follows).
    """
    found: dict[CookieCategory, list[str]] = {}
    unlinked: list[str] = []
    for cookie in policy.cookies:
        if cookie.exempt or cookie.category is CookieCategory.STRICTLY_NECESSARY:
            continue
        purpose = policy.purpose_by_id.get(cookie.purpose or "")
        if purpose is None or LegalBasisKind.CONSENT not in purpose.bases():
            unlinked.append(cookie.name)
            continue
        ids = found.setdefault(cookie.category, [])
        if purpose.id not in ids:
            ids.append(purpose.id)
    if unlinked:
        raise ConfigurationError(
            "the cookie banner cannot record choices for cookies "
            + ", ".join(repr(n) for n in unlinked)
            + ": each non-exempt cookie needs a `purpose` that rests on consent"
        )
    return {category: tuple(ids) for category, ids in found.items()}


class LedgerBannerSink:
    """The :class:`~gardien.service.banner.choice.ConsentSink` of the service, over the ledger."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.purposes = purposes_by_category(ledger.policy)

    def record_banner_choice(
        self,
        cookie_id: str,
        choices: dict[CookieCategory, bool],
        policy_version: str,
        notice_hash: str,
        evidence: dict[str, JsonValue],
    ) -> str:
        """Record every purpose of every category chosen, in one transaction, one receipt."""
        subject = Identifier.of(IdentifierKind.COOKIE_ID, cookie_id)
        before = self.ledger.state(subject).consents
        now = datetime.now(UTC)
        gpc = evidence.get("gpc") is True
        all_choices: dict[str, JsonValue] = {c.value: granted for c, granted in choices.items()}
        receipt_id = str(uuid.uuid4())
        changes: list[ConsentChange] = []
        for category, granted in choices.items():
            for purpose in self.purposes.get(category, ()):
                if granted:
                    status, method = ConsentStatus.GIVEN, ConsentMethod.EXPLICIT_OPT_IN
                else:
                    previous = before.get(purpose)
                    given = previous is not None and previous.status is ConsentStatus.GIVEN
                    status = ConsentStatus.WITHDRAWN if given else ConsentStatus.REFUSED
                    method = (
                        ConsentMethod.GLOBAL_PRIVACY_CONTROL
                        if gpc and category in GPC_REFUSED
                        else ConsentMethod.EXPLICIT_OPT_OUT
                    )
                changes.append(
                    ConsentChange(
                        subject,
                        purpose,
                        status,
                        channel=Channel.COOKIE_BANNER,
                        method=method,
                        notice_hash=notice_hash,
                        receipt_id=receipt_id,
                        expires_at=CHOICE_VALIDITY.after(now) if granted else None,
                        evidence={
                            **evidence,
                            "cookie_category": category.value,
                            "banner_choices": all_choices,
                            "banner_policy_version": policy_version,
                        },
                    )
                )
        if not changes:
            raise ConfigurationError("the banner's choice names no category the ledger records")
        self.ledger.record_consents(changes, at=now)
        return receipt_id
