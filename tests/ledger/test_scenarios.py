"""The "Done when" scenarios of issue 3: seeds 001 (shop) and 002 (LWS), SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gardien.errors import UnknownReferenceError
from gardien.ledger import (
    Channel,
    ConsentStatus,
    Identifier,
    IdentifierKind,
    Ledger,
    NotApplicableError,
    ObjectionStatus,
    ReasonCode,
    RestrictionGround,
    notice_hash,
)
from gardien.policy.vocabulary import LegalBasisKind
from tests.ledger.worlds import Clock, LedgerFactory

MARIE = "email:marie.dupont@example.fr"
EMAIL = ["contact.email"]


def test_marketing_is_denied_before_consent_allowed_after_and_denied_after_withdrawal(
    boutique: Ledger, clock: Clock
) -> None:
    before = boutique.decide(MARIE, "marketing", EMAIL)
    assert not before.allowed
    assert before.codes == (ReasonCode.NO_CONSENT,)
    assert before.basis is LegalBasisKind.CONSENT

    clock.advance(timedelta(minutes=1))
    boutique.give_consent(
        MARIE,
        "marketing",
        channel=Channel.WEB_FORM,
        notice_hash=notice_hash("Nous vous enverrons notre lettre d'information."),
        evidence={"ip": "203.0.113.7", "user_agent": "Firefox/130", "gpc": False},
    )
    after = boutique.decide(MARIE, "marketing", EMAIL)
    assert after.allowed
    assert after.basis is LegalBasisKind.CONSENT
    assert "Consent" in after.reasons("en")[0]
    assert "Consentement" in after.reasons("fr")[0]

    clock.advance(timedelta(days=3))
    boutique.withdraw_consent(MARIE, "marketing", channel=Channel.EMAIL)
    withdrawn = boutique.decide(MARIE, "marketing", EMAIL)
    assert not withdrawn.allowed
    assert withdrawn.codes == (ReasonCode.CONSENT_WITHDRAWN,)
    assert "art. 7(3)" in withdrawn.reasons("en")[0]

    history = boutique.subject(MARIE)
    assert history is not None
    assert [c.status for c in history.consents] == [ConsentStatus.GIVEN, ConsentStatus.WITHDRAWN]
    given, withdrawal = history.consents
    assert given.channel is Channel.WEB_FORM
    assert withdrawal.channel is Channel.EMAIL
    assert given.evidence["ip"] == "203.0.113.7"
    assert given.notice_hash == notice_hash("Nous vous enverrons notre lettre d'information.")
    assert given.policy_version == boutique.policy.version
    assert withdrawal.at - given.at == timedelta(days=3)
    assert [e.event_type for e in history.audit] == [
        "person.registered",
        "consent.recorded",
        "consent.recorded",
    ]


def test_a_refusal_is_recorded_and_denies(boutique: Ledger) -> None:
    boutique.refuse_consent(MARIE, "marketing", channel=Channel.COOKIE_BANNER)
    decision = boutique.decide(MARIE, "marketing", EMAIL)
    assert decision.codes == (ReasonCode.CONSENT_REFUSED,)
    history = boutique.subject(MARIE)
    assert history is not None
    assert history.consents[0].status is ConsentStatus.REFUSED


def test_legitimate_interest_purpose_is_allowed_until_an_objection(boutique: Ledger) -> None:
    assert boutique.decide(MARIE, "analytics", ["technical", "usage"]).allowed
    boutique.object(MARIE, "analytics", channel=Channel.WEB_FORM)
    decision = boutique.decide(MARIE, "analytics", ["technical", "usage"])
    assert not decision.allowed
    assert decision.codes == (ReasonCode.OBJECTION,)
    assert decision.basis is LegalBasisKind.LEGITIMATE_INTERESTS

    boutique.withdraw_objection(MARIE, "analytics")
    assert boutique.decide(MARIE, "analytics", ["technical"]).allowed


def test_an_objection_to_legitimate_interests_leaves_a_legal_obligation_standing(
    boutique: Ledger,
) -> None:
    boutique.object(MARIE, "administration")
    decision = boutique.decide(MARIE, "administration", ["technical"])
    assert decision.allowed
    assert decision.basis is LegalBasisKind.LEGAL_OBLIGATION


def test_an_objection_to_direct_marketing_is_absolute_even_with_consent(boutique: Ledger) -> None:
    boutique.give_consent(MARIE, "marketing")
    boutique.object(MARIE, "marketing")
    decision = boutique.decide(MARIE, "marketing", EMAIL)
    assert not decision.allowed
    assert decision.codes == (ReasonCode.OBJECTION,)
    assert "21(3)" in decision.reasons("fr")[0]
    with pytest.raises(NotApplicableError, match="21"):
        boutique.object(MARIE, "marketing", status=ObjectionStatus.OVERRIDDEN)


def test_a_restriction_denies_everything_until_lifted(boutique: Ledger) -> None:
    boutique.give_consent(MARIE, "marketing")
    boutique.restrict(MARIE, ground=RestrictionGround.ACCURACY_CONTESTED)
    for purpose, categories in [("marketing", EMAIL), ("registration", ["identity"])]:
        decision = boutique.decide(MARIE, purpose, categories)
        assert not decision.allowed
        assert decision.codes == (ReasonCode.RESTRICTED,)
    boutique.lift_restriction(MARIE)
    assert boutique.decide(MARIE, "registration", ["identity"]).allowed
    history = boutique.subject(MARIE)
    assert history is not None
    assert [r.status.value for r in history.restrictions] == ["applied", "lifted"]
    assert history.restrictions[0].ground is RestrictionGround.ACCURACY_CONTESTED


def test_an_unknown_purpose_is_an_error_with_a_suggestion(boutique: Ledger) -> None:
    with pytest.raises(UnknownReferenceError) as raised:
        boutique.decide(MARIE, "marketting", EMAIL)
    assert raised.value.suggestion == "marketing"
    with pytest.raises(UnknownReferenceError, match="did you mean 'contact'"):
        boutique.decide(MARIE, "marketing", ["contct"])
    with pytest.raises(UnknownReferenceError):
        boutique.give_consent(MARIE, "newsleter")


def test_data_outside_the_purpose_is_denied_with_the_categories_named(boutique: Ledger) -> None:
    decision = boutique.decide(MARIE, "registration", ["identity.name", "financial"])
    assert not decision.allowed
    assert decision.codes == (ReasonCode.CATEGORY_OUTSIDE_PURPOSE,)
    assert decision.details == ("financial",)
    assert "financial" in decision.reasons("en")[0]


def test_consent_cannot_be_given_to_a_purpose_resting_on_a_contract(boutique: Ledger) -> None:
    with pytest.raises(NotApplicableError, match="does not rest on consent"):
        boutique.give_consent(MARIE, "registration")
    with pytest.raises(NotApplicableError, match=r"art\. 21"):
        boutique.object(MARIE, "registration")


def test_lws_surveys_stop_after_the_first_refusal(lws: Ledger) -> None:
    # Seed 002: "refuser l'envoi de sondages d'opinion ... après le premier envoi".
    client = "customer:LWS-000042"
    assert lws.decide(client, "surveys", ["contact.email"]).allowed
    lws.object(client, "surveys", channel=Channel.EMAIL, evidence={"reply_to": "survey-1"})
    assert lws.decide(client, "surveys", ["contact.email"]).codes == (ReasonCode.OBJECTION,)
    # The product tips need consent, "révocable à tout moment via votre Espace Client".
    assert not lws.decide(client, "product_info", ["contact.email"]).allowed
    lws.give_consent(client, "product_info", channel=Channel.WEB_FORM)
    assert lws.decide(client, "product_info", ["contact.email"]).allowed
    lws.withdraw_consent(client, "product_info", channel=Channel.WEB_FORM)
    assert not lws.decide(client, "product_info", ["contact.email"]).allowed


def test_a_person_is_found_by_any_of_their_identifiers(boutique: Ledger) -> None:
    boutique.give_consent(MARIE, "marketing")
    boutique.add_identifier(MARIE, "phone:06 12 34 56 78")
    boutique.add_identifier(MARIE, "customer:C-1001")
    for name in ["Marie.Dupont@EXAMPLE.fr", "phone:+33 6 12 34 56 78", "customer:C-1001"]:
        assert boutique.decide(name, "marketing", EMAIL).allowed, name
    boutique.withdraw_consent("phone:0033612345678", "marketing")
    assert not boutique.decide("customer:C-1001", "marketing", EMAIL).allowed
    history = boutique.subject("customer:C-1001")
    assert history is not None
    assert history.identifiers == (
        Identifier(IdentifierKind.EMAIL, "marie.dupont@example.fr"),
        Identifier(IdentifierKind.PHONE, "+33612345678"),
        Identifier(IdentifierKind.CUSTOMER_ID, "C-1001"),
    )


def test_an_identifier_of_someone_else_cannot_be_added(boutique: Ledger) -> None:
    boutique.give_consent(MARIE, "marketing")
    boutique.give_consent("email:paul@example.fr", "marketing")
    with pytest.raises(NotApplicableError, match="another person"):
        boutique.add_identifier(MARIE, "email:paul@example.fr")


def test_someone_the_ledger_never_saw_has_no_consent_and_no_objection(boutique: Ledger) -> None:
    assert boutique.subject("email:nobody@example.fr") is None
    assert not boutique.decide("email:nobody@example.fr", "marketing", EMAIL).allowed
    assert boutique.decide("email:nobody@example.fr", "analytics", ["usage"]).allowed


def test_one_receipt_covers_several_purposes_given_at_once(lws: Ledger) -> None:
    records = lws.give_consent("email:a@b.fr", ["product_info"], channel=Channel.PAPER)
    assert len({r.receipt_id for r in records}) == 1
    assert records[0].schema_version == "gardien-cr-1"


def test_the_batch_decision_matches_one_by_one(boutique: Ledger) -> None:
    boutique.give_consent(MARIE, "marketing")
    boutique.object("email:paul@example.fr", "analytics")
    questions = [
        (MARIE, "marketing", EMAIL),
        ("email:paul@example.fr", "marketing", EMAIL),
        ("email:paul@example.fr", "analytics", ["usage"]),
        (MARIE, "analytics", ["usage"]),
    ]
    many = boutique.decide_many(questions)
    boutique.invalidate()
    assert [d.allowed for d in many] == [True, False, False, True]
    assert many == [boutique.decide(s, p, c) for s, p, c in questions]


def test_a_second_ledger_sees_changes_after_invalidate(make_ledger: LedgerFactory) -> None:
    writer, reader = make_ledger(), make_ledger()
    assert not reader.decide(MARIE, "marketing", EMAIL).allowed
    writer.give_consent(MARIE, "marketing")
    assert not reader.decide(MARIE, "marketing", EMAIL).allowed  # cached in this process
    reader.invalidate(MARIE)
    assert reader.decide(MARIE, "marketing", EMAIL).allowed
