"""Property: the compiled, fast decision agrees with a naive reading of the policy."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gardien.ledger import (
    ConsentState,
    ConsentStatus,
    PersonState,
    PolicyIndex,
    ReasonCode,
    decide,
)
from gardien.policy import Policy, load_policy
from gardien.policy.taxonomy import is_within
from gardien.policy.vocabulary import LegalBasisKind
from tests.ledger.worlds import BOUTIQUE, LWS

POLICIES = [load_policy(BOUTIQUE), load_policy(LWS)]
INDEXES = [PolicyIndex.build(p, ordinal=2, reconsent_since={"marketing": 2}) for p in POLICIES]
NOW = 1_800_000_000.0


def naive(policy: Policy, state: PersonState, purpose_id: str, categories: set[str]) -> bool:
    """The rules of issue 3, read straight from the policy model, no precomputation."""
    purpose = policy.purpose_by_id[purpose_id]
    declared = policy.purpose_categories(purpose)
    if not all(any(is_within(c, d) for d in declared) for c in categories):
        return False
    if state.erased or state.restricted:
        return False
    objected = purpose_id in state.objections
    if purpose.direct_marketing and objected:
        return False
    bases = (LegalBasisKind.CONSENT,) if purpose.needs_consent else purpose.bases()
    for basis in bases:
        if basis is LegalBasisKind.CONSENT:
            consent = state.consents.get(purpose_id)
            since = 2 if purpose_id == "marketing" else 0
            if (
                consent is not None
                and consent.status is ConsentStatus.GIVEN
                and consent.expires > NOW
                and consent.policy_ordinal >= since
            ):
                return True
        elif basis in (LegalBasisKind.LEGITIMATE_INTERESTS, LegalBasisKind.PUBLIC_TASK):
            if not objected:
                return True
        else:
            return True
    return False


@st.composite
def questions(draw: st.DrawFn) -> tuple[int, PersonState, str, set[str]]:
    which = draw(st.integers(0, len(POLICIES) - 1))
    policy = POLICIES[which]
    purpose_ids = [p.id for p in policy.purposes]
    known = sorted(policy.taxonomy)
    consents = draw(
        st.dictionaries(
            st.sampled_from(purpose_ids),
            st.builds(
                ConsentState,
                status=st.sampled_from(list(ConsentStatus)),
                at=st.just(NOW - 100),
                expires=st.sampled_from([NOW - 1, NOW + 1, float("inf")]),
                policy_ordinal=st.integers(0, 3),
            ),
        )
    )
    state = PersonState(
        "ref",
        consents,
        frozenset(draw(st.sets(st.sampled_from(purpose_ids)))),
        draw(st.booleans()),
        draw(st.booleans()),
    )
    return which, state, draw(st.sampled_from(purpose_ids)), draw(st.sets(st.sampled_from(known)))


@settings(max_examples=500, deadline=None)
@given(questions())
def test_the_fast_decision_agrees_with_the_rules_read_naively(
    question: tuple[int, PersonState, str, set[str]],
) -> None:
    which, state, purpose, categories = question
    decision = decide(INDEXES[which], state, purpose, categories, NOW)
    assert decision.allowed == naive(POLICIES[which], state, purpose, categories)
    assert decision.allowed == (decision.codes == (ReasonCode.BASIS_HOLDS,))
