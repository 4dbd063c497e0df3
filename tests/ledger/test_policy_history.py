"""Consent across policy versions: valid unless the purpose changed in a way that needs it."""

from __future__ import annotations

from datetime import timedelta

from gardien.ledger import Ledger, ReasonCode
from gardien.policy import Duration, Policy, load_policy
from gardien.policy.model import ConsentTerms
from tests.ledger.worlds import BOUTIQUE, Clock, LedgerFactory

MARIE = "email:marie@example.fr"


def _version(policy: Policy, version: str, **marketing: object) -> Policy:
    purposes = [
        p.model_copy(update=marketing) if p.id == "marketing" else p for p in policy.purposes
    ]
    return policy.model_copy(update={"version": version, "purposes": purposes})


def test_consent_survives_a_new_version_that_does_not_touch_the_purpose(
    make_ledger: LedgerFactory,
) -> None:
    v1 = load_policy(BOUTIQUE)
    make_ledger(v1).give_consent(MARIE, "marketing")
    v2 = v1.model_copy(update={"version": "2.0"})
    ledger = make_ledger(v2)
    assert ledger.history.ordinal == 2
    assert ledger.decide(MARIE, "marketing", ["contact.email"]).allowed


def test_consent_lapses_when_the_purpose_uses_new_data(make_ledger: LedgerFactory) -> None:
    v1 = load_policy(BOUTIQUE)
    make_ledger(v1).give_consent(MARIE, "marketing")
    before = next(p for p in v1.purposes if p.id == "marketing")
    assert isinstance(before.categories, list)
    v2 = _version(v1, "2.0", categories=[*before.categories, "financial"])
    ledger = make_ledger(v2)
    decision = ledger.decide(MARIE, "marketing", ["contact.email"])
    assert decision.codes == (ReasonCode.CONSENT_OUTDATED,)
    ledger.give_consent(MARIE, "marketing")
    assert ledger.decide(MARIE, "marketing", ["contact.email", "financial"]).allowed
    # Reopening the same version finds it again rather than recording it twice.
    assert make_ledger(v2).history.ordinal == ledger.history.ordinal


def test_consent_expires_after_the_validity_the_policy_sets(
    make_ledger: LedgerFactory, clock: Clock
) -> None:
    v1 = load_policy(BOUTIQUE)
    v2 = _version(v1, "2.0", consent=ConsentTerms(validity=Duration(months=13)))
    ledger: Ledger = make_ledger(v2)
    (record,) = ledger.give_consent(MARIE, "marketing")
    assert record.expires_at == clock.now.replace(year=clock.now.year + 1, month=4)
    assert ledger.decide(MARIE, "marketing", [], now=clock.now.timestamp()).allowed
    later = (clock.now + timedelta(days=400)).timestamp()
    assert ledger.decide(MARIE, "marketing", [], now=later).codes == (ReasonCode.CONSENT_EXPIRED,)
