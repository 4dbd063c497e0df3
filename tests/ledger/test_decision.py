"""The decision as a pure function of a compiled policy and one person's state (no database)."""

from __future__ import annotations

import pytest

from gardien.errors import UnknownReferenceError
from gardien.ledger import (
    NOBODY,
    ConsentState,
    ConsentStatus,
    PersonState,
    PolicyIndex,
    ReasonCode,
    decide,
    decide_many,
)
from gardien.policy import load_policy
from gardien.policy.vocabulary import LegalBasisKind
from tests.ledger.worlds import BOUTIQUE

NOW = 1_800_000_000.0


@pytest.fixture(scope="module")
def index() -> PolicyIndex:
    return PolicyIndex.build(load_policy(BOUTIQUE), ordinal=3, reconsent_since={"marketing": 2})


def consenting(status: ConsentStatus = ConsentStatus.GIVEN, **kw: float) -> PersonState:
    return PersonState("ref", {"marketing": ConsentState(status, NOW - 10, **kw)})  # type: ignore[arg-type]


def test_a_descendant_of_a_declared_category_is_within_the_purpose(index: PolicyIndex) -> None:
    state = consenting(policy_ordinal=3)
    assert decide(index, state, "marketing", ["contact.email", "identity.name"], NOW).allowed


def test_a_parent_of_a_declared_category_is_not_within_it(index: PolicyIndex) -> None:
    # "registration" declares identity and contact; "profile" as a whole is outside.
    decision = decide(index, NOBODY, "registration", ["profile"], NOW)
    assert decision.codes == (ReasonCode.CATEGORY_OUTSIDE_PURPOSE,)


def test_the_claims_purpose_covers_every_declared_category(index: PolicyIndex) -> None:
    assert decide(index, NOBODY, "claims", ["financial.payment_card", "tracking"], NOW).allowed


def test_an_expired_consent_denies(index: PolicyIndex) -> None:
    state = consenting(expires=NOW - 1, policy_ordinal=3)
    assert decide(index, state, "marketing", [], NOW).codes == (ReasonCode.CONSENT_EXPIRED,)
    assert decide(index, state, "marketing", [], NOW - 5).allowed


def test_a_consent_older_than_a_change_needing_new_consent_denies(index: PolicyIndex) -> None:
    outdated = consenting(policy_ordinal=1)
    assert decide(index, outdated, "marketing", [], NOW).codes == (ReasonCode.CONSENT_OUTDATED,)
    assert decide(index, consenting(policy_ordinal=2), "marketing", [], NOW).allowed


def test_erasure_and_restriction_are_both_reported(index: PolicyIndex) -> None:
    state = PersonState("ref", restricted=True, erased=True)
    decision = decide(index, state, "registration", ["identity"], NOW)
    assert decision.codes == (ReasonCode.ERASED, ReasonCode.RESTRICTED)
    assert decision.basis is LegalBasisKind.CONTRACT
    assert "art. 17" in decision.reasons("fr")[0]


def test_every_reason_is_rendered_in_french_and_english(index: PolicyIndex) -> None:
    state = PersonState("ref", objections=frozenset({"analytics"}), restricted=True)
    decision = decide(index, state, "analytics", ["usage", "financial"], NOW)
    assert decision.codes == (
        ReasonCode.RESTRICTED,
        ReasonCode.CATEGORY_OUTSIDE_PURPOSE,
        ReasonCode.OBJECTION,
    )
    assert len(decision.reasons_fr) == len(decision.reasons_en) == 3
    assert decision.reasons_fr != decision.reasons_en


def test_allowed_decisions_are_shared_objects(index: PolicyIndex) -> None:
    first = decide(index, NOBODY, "registration", ["identity"], NOW)
    assert decide(index, NOBODY, "registration", frozenset({"contact"}), NOW) is first


def test_unknown_names_raise_even_when_the_decision_would_be_no(index: PolicyIndex) -> None:
    erased = PersonState("ref", erased=True)
    with pytest.raises(UnknownReferenceError, match="did you mean 'technical'"):
        decide(index, erased, "analytics", ["tecnical"], NOW)
    with pytest.raises(UnknownReferenceError, match="did you mean 'analytics'"):
        decide(index, erased, "analytic", [], NOW)


def test_decide_many_answers_in_order(index: PolicyIndex) -> None:
    answers = decide_many(
        index,
        [(NOBODY, "marketing", ["contact"]), (consenting(policy_ordinal=3), "marketing", [])],
        NOW,
    )
    assert [a.allowed for a in answers] == [False, True]
