"""Policy diff: each kind of change is found, and graded none / inform / reconsent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gardien.documents import ChangeKind, Impact, PolicyDiff, diff_policies
from gardien.documents.changes import MESSAGES
from tests.documents.policies import purpose, shop, shop_variant

Edit = Callable[[dict[str, Any]], None]


def _diff(edit: Edit) -> PolicyDiff:
    return diff_policies(shop(), shop_variant(edit))


def _only(diff: PolicyDiff) -> tuple[ChangeKind, str, Impact]:
    assert len(diff.changes) == 1, [c.kind for c in diff.changes]
    change = diff.changes[0]
    return change.kind, change.target, change.impact


def test_the_same_policy_has_no_change_and_needs_no_action() -> None:
    diff = diff_policies(shop(), shop())
    assert diff.changes == ()
    assert diff.impact is Impact.NONE
    assert not diff.needs_action
    assert diff.purposes_needing_new_consent() == frozenset()
    assert not diff.needs_new_cookie_consent


def test_a_new_purpose_must_be_announced() -> None:
    def add(data: dict[str, Any]) -> None:
        data["purposes"].append(
            {
                "id": "reviews",
                "title": {"fr": "Publier vos avis", "en": "Publish your reviews"},
                "categories": ["identity"],
                "legal_bases": [{"basis": "consent"}],
            }
        )

    diff = _diff(add)
    assert _only(diff) == (ChangeKind.PURPOSE_ADDED, "reviews", Impact.INFORM)
    # Nobody consented to it before: there is no earlier consent to lapse.
    assert diff.purposes_needing_new_consent() == frozenset()
    assert diff.changes[0].message("fr") == "Nouvelle finalité « Publier vos avis »"
    assert diff.changes[0].message("en") == "New purpose \u201cPublish your reviews\u201d"


def test_a_removed_purpose_is_announced() -> None:
    def remove(data: dict[str, Any]) -> None:
        data["purposes"] = [p for p in data["purposes"] if p["id"] != "recovery"]

    assert _only(_diff(remove)) == (ChangeKind.PURPOSE_REMOVED, "recovery", Impact.INFORM)


def test_a_new_category_on_a_consent_purpose_needs_new_consent() -> None:
    def grow(data: dict[str, Any]) -> None:
        purpose(data, "newsletter")["categories"].append("profile.preference")

    diff = _diff(grow)
    assert _only(diff) == (ChangeKind.CATEGORIES_ADDED, "newsletter", Impact.RECONSENT)
    assert diff.changes[0].added == ("profile.preference",)
    assert diff.purposes_needing_new_consent() == frozenset({"newsletter"})


def test_a_new_category_on_another_basis_is_announced_only() -> None:
    def grow(data: dict[str, Any]) -> None:
        purpose(data, "orders")["categories"].append("technical")

    diff = _diff(grow)
    assert _only(diff) == (ChangeKind.CATEGORIES_ADDED, "orders", Impact.INFORM)
    assert diff.purposes_needing_new_consent() == frozenset()


def test_widening_a_category_to_its_parent_is_growth_and_narrowing_is_removal() -> None:
    def widen(data: dict[str, Any]) -> None:
        purpose(data, "newsletter")["categories"] = ["identity", "contact"]

    diff = _diff(widen)
    assert [(c.kind, c.impact, c.added, c.removed) for c in diff.changes] == [
        (ChangeKind.CATEGORIES_ADDED, Impact.RECONSENT, ("contact",), ())
    ]

    def narrow(data: dict[str, Any]) -> None:
        purpose(data, "orders")["categories"] = [
            "identity",
            "contact.email",
            "transaction.invoice",
            "financial.payment_card",
        ]

    diff = _diff(narrow)
    assert [(c.kind, c.impact, c.removed) for c in diff.changes] == [
        (ChangeKind.CATEGORIES_REMOVED, Impact.INFORM, ("contact",))
    ]


def test_adding_a_child_of_a_category_already_used_changes_nothing() -> None:
    def child(data: dict[str, Any]) -> None:
        purpose(data, "orders")["categories"].append("contact.phone")

    assert _diff(child).changes == ()


def test_removing_a_category_from_a_consent_purpose_is_inform_not_reconsent() -> None:
    def shrink(data: dict[str, Any]) -> None:
        purpose(data, "newsletter")["categories"] = ["contact.email"]

    diff = _diff(shrink)
    assert _only(diff) == (ChangeKind.CATEGORIES_REMOVED, "newsletter", Impact.INFORM)
    assert diff.purposes_needing_new_consent() == frozenset()


def test_recipients_added_to_consent_purpose_need_consent_elsewhere_inform() -> None:
    def add(data: dict[str, Any]) -> None:
        purpose(data, "newsletter")["recipients"].append("carrier")
        purpose(data, "recovery")["recipients"] = ["carrier"]

    diff = _diff(add)
    graded = {(c.kind, c.target, c.impact) for c in diff.changes}
    assert graded == {
        (ChangeKind.RECIPIENTS_ADDED, "newsletter", Impact.RECONSENT),
        (ChangeKind.RECIPIENTS_ADDED, "recovery", Impact.INFORM),
    }
    assert diff.purposes_needing_new_consent() == frozenset({"newsletter"})


def test_removed_recipient_is_announced() -> None:
    def remove(data: dict[str, Any]) -> None:
        purpose(data, "newsletter")["recipients"] = []

    assert _only(_diff(remove)) == (ChangeKind.RECIPIENTS_REMOVED, "newsletter", Impact.INFORM)


def test_becoming_consent_based_needs_new_consent() -> None:
    def to_consent(data: dict[str, Any]) -> None:
        purpose(data, "recovery")["legal_bases"] = [{"basis": "consent"}]

    diff = _diff(to_consent)
    assert _only(diff) == (ChangeKind.LEGAL_BASIS_CHANGED, "recovery", Impact.RECONSENT)
    assert diff.changes[0].added == ("consent",)
    assert diff.changes[0].removed == ("legitimate_interests",)
    assert diff.purposes_needing_new_consent() == frozenset({"recovery"})


def test_other_basis_changes_and_a_reworded_interest_are_announced() -> None:
    def to_contract(data: dict[str, Any]) -> None:
        purpose(data, "recovery")["legal_bases"] = [{"basis": "contract"}]

    assert _only(_diff(to_contract)) == (ChangeKind.LEGAL_BASIS_CHANGED, "recovery", Impact.INFORM)

    def reword_interest(data: dict[str, Any]) -> None:
        purpose(data, "recovery")["legal_bases"][0]["interest"]["fr"] = "Être payés"

    assert _only(_diff(reword_interest)) == (
        ChangeKind.LEGAL_BASIS_CHANGED,
        "recovery",
        Impact.INFORM,
    )


def test_using_consented_data_for_direct_marketing_needs_new_consent() -> None:
    def marketing(data: dict[str, Any]) -> None:
        purpose(data, "allergies")["direct_marketing"] = True

    assert _only(_diff(marketing)) == (
        ChangeKind.DIRECT_MARKETING_CHANGED,
        "allergies",
        Impact.RECONSENT,
    )


def test_retention_change_is_found_through_the_rule_not_its_id() -> None:
    def longer(data: dict[str, Any]) -> None:
        next(r for r in data["retention"] if r["id"] == "prospects")["duration"] = "P5Y"

    assert _only(_diff(longer)) == (ChangeKind.RETENTION_CHANGED, "newsletter", Impact.INFORM)

    def renamed(data: dict[str, Any]) -> None:
        next(r for r in data["retention"] if r["id"] == "prospects")["id"] = "prospection"
        purpose(data, "newsletter")["retention"] = "prospection"

    assert _diff(renamed).changes == ()


def test_legal_hold_change_is_announced() -> None:
    def hold(data: dict[str, Any]) -> None:
        data["legal_holds"][0]["duration"] = "P6Y"

    assert _only(_diff(hold)) == (ChangeKind.LEGAL_HOLDS_CHANGED, "orders", Impact.INFORM)


def test_an_automated_decision_added_to_a_consent_purpose_needs_consent() -> None:
    decision = {
        "logic": {"fr": "Un score", "en": "A score"},
        "significance": {"fr": "Un refus", "en": "A refusal"},
    }

    def on_consent(data: dict[str, Any]) -> None:
        purpose(data, "allergies")["automated_decision"] = decision

    assert _only(_diff(on_consent)) == (
        ChangeKind.AUTOMATED_DECISION_CHANGED,
        "allergies",
        Impact.RECONSENT,
    )

    def on_interest(data: dict[str, Any]) -> None:
        purpose(data, "recovery")["automated_decision"] = decision

    assert _only(_diff(on_interest)) == (
        ChangeKind.AUTOMATED_DECISION_CHANGED,
        "recovery",
        Impact.INFORM,
    )


def test_subject_and_source_changes_are_announced() -> None:
    def more(data: dict[str, Any]) -> None:
        purpose(data, "recovery")["subjects"].append("prospects")
        purpose(data, "recovery")["sources"] = ["partner_file"]

    kinds = {(c.kind, c.impact) for c in _diff(more).changes}
    assert kinds == {
        (ChangeKind.SUBJECTS_ADDED, Impact.INFORM),
        (ChangeKind.SOURCES_ADDED, Impact.INFORM),
    }


def test_a_source_naming_another_third_party_is_announced() -> None:
    def other(data: dict[str, Any]) -> None:
        next(s for s in data["sources"] if s["id"] == "partner_file")["third_party"] = "Data SA"

    assert _only(_diff(other)) == (ChangeKind.SOURCE_CHANGED, "partner_file", Impact.INFORM)


def test_consent_terms_changes_keep_the_consents() -> None:
    def shorter(data: dict[str, Any]) -> None:
        purpose(data, "newsletter")["consent"]["validity"] = "P2Y"

    diff = _diff(shorter)
    assert _only(diff) == (ChangeKind.CONSENT_TERMS_CHANGED, "newsletter", Impact.NONE)
    assert diff.purposes_needing_new_consent() == frozenset()


def test_rewording_a_purpose_needs_no_action() -> None:
    def reword(data: dict[str, Any]) -> None:
        purpose(data, "orders")["title"]["fr"] = "Traiter vos commandes"

    diff = _diff(reword)
    assert _only(diff) == (ChangeKind.PURPOSE_REWORDED, "orders", Impact.NONE)
    assert not diff.needs_action


def test_transfers_outside_the_eea_are_tracked_per_recipient() -> None:
    def moved(data: dict[str, Any]) -> None:
        carrier = next(r for r in data["recipients"] if r["id"] == "carrier")
        carrier["country"] = "US"
        carrier["safeguard"] = "standard_contractual_clauses"

    assert _only(_diff(moved)) == (ChangeKind.TRANSFER_ADDED, "carrier", Impact.INFORM)

    def back_home(data: dict[str, Any]) -> None:
        next(r for r in data["recipients"] if r["id"] == "mailer")["country"] = "IE"

    assert _only(_diff(back_home)) == (ChangeKind.TRANSFER_REMOVED, "mailer", Impact.INFORM)

    def other_safeguard(data: dict[str, Any]) -> None:
        next(r for r in data["recipients"] if r["id"] == "mailer")["safeguard"] = "certification"

    assert _only(_diff(other_safeguard)) == (ChangeKind.TRANSFER_CHANGED, "mailer", Impact.INFORM)


def test_a_new_tracker_needing_consent_makes_the_banner_ask_again() -> None:
    def tracker(data: dict[str, Any]) -> None:
        data["cookies"].append(
            {"name": "_gcl_au", "provider": "Google", "category": "advertising", "lifetime": "P3M"}
        )

    diff = _diff(tracker)
    assert _only(diff) == (ChangeKind.COOKIE_ADDED, "_gcl_au", Impact.RECONSENT)
    assert diff.needs_new_cookie_consent
    assert diff.purposes_needing_new_consent() == frozenset()


def test_an_exempt_tracker_is_announced_without_asking_again() -> None:
    def exempt(data: dict[str, Any]) -> None:
        data["cookies"].append(
            {
                "name": "csrf",
                "provider": "the-tisanes.example",
                "category": "strictly_necessary",
                "lifetime": "session",
                "exempt": True,
            }
        )

    diff = _diff(exempt)
    assert _only(diff) == (ChangeKind.COOKIE_ADDED, "csrf", Impact.INFORM)
    assert not diff.needs_new_cookie_consent


def test_tracker_changes_ask_again_only_when_they_widen_it() -> None:
    def longer(data: dict[str, Any]) -> None:
        next(c for c in data["cookies"] if c["name"] == "_fbp")["lifetime"] = "P13M"

    diff = _diff(longer)
    assert _only(diff) == (ChangeKind.COOKIE_CHANGED, "_fbp", Impact.RECONSENT)
    assert diff.needs_new_cookie_consent

    def shorter(data: dict[str, Any]) -> None:
        next(c for c in data["cookies"] if c["name"] == "_fbp")["lifetime"] = "P1M"

    diff = _diff(shorter)
    assert _only(diff) == (ChangeKind.COOKIE_CHANGED, "_fbp", Impact.NONE)
    assert not diff.needs_new_cookie_consent

    def not_exempt(data: dict[str, Any]) -> None:
        next(c for c in data["cookies"] if c["name"] == "_pk_id")["exempt"] = False

    assert _only(_diff(not_exempt)) == (ChangeKind.COOKIE_CHANGED, "_pk_id", Impact.RECONSENT)


def test_a_removed_tracker_needs_no_action() -> None:
    def remove(data: dict[str, Any]) -> None:
        data["cookies"] = [c for c in data["cookies"] if c["name"] != "_fbp"]

    diff = _diff(remove)
    assert _only(diff) == (ChangeKind.COOKIE_REMOVED, "_fbp", Impact.NONE)
    assert not diff.needs_new_cookie_consent


@pytest.mark.parametrize(
    ("edit", "kind"),
    [
        (lambda d: d["controller"].update(name="Thé & Tisanes SA"), ChangeKind.CONTROLLER_CHANGED),
        (lambda d: d["dpo"].update(email="privacy@the-tisanes.example"), ChangeKind.DPO_CHANGED),
        (
            lambda d: d["rights"].update(email="rgpd@the-tisanes.example"),
            ChangeKind.RIGHTS_CONTACT_CHANGED,
        ),
        (lambda d: d["hosting"][0].update(country="DE"), ChangeKind.HOSTING_CHANGED),
        (lambda d: d.pop("processor_role"), ChangeKind.PROCESSOR_ROLE_CHANGED),
        (
            lambda d: d.update(
                supervisory_authority={
                    "name": "APD",
                    "website": "https://apd.be",
                    "address": {"street": "Rue 35", "city": "Bruxelles", "country": "BE"},
                }
            ),
            ChangeKind.SUPERVISORY_AUTHORITY_CHANGED,
        ),
    ],
)
def test_who_is_responsible_and_how_to_reach_them_must_be_announced(
    edit: Edit, kind: ChangeKind
) -> None:
    assert _only(_diff(edit))[0::2] == (kind, Impact.INFORM)


def test_security_measures_belong_to_the_register_and_need_no_action() -> None:
    def stronger(data: dict[str, Any]) -> None:
        data["security_measures"].append(
            {"kind": "backups", "description": {"fr": "Sauvegardes chiffrées"}}
        )

    diff = _diff(stronger)
    assert _only(diff) == (ChangeKind.SECURITY_MEASURES_CHANGED, "security_measures", Impact.NONE)
    assert not diff.needs_action


def test_version_and_changelog_alone_are_not_changes() -> None:
    def bump(data: dict[str, Any]) -> None:
        data["version"] = "2.2"
        data["effective_date"] = "2025-06-01"

    diff = _diff(bump)
    assert diff.changes == ()
    assert (diff.old_version, diff.new_version) == ("2.1", "2.2")


def test_the_strongest_impact_wins_and_only_reconsent_purposes_lapse() -> None:
    def several(data: dict[str, Any]) -> None:
        purpose(data, "newsletter")["categories"].append("profile")
        purpose(data, "orders")["categories"].append("profile")
        purpose(data, "claims")["title"]["fr"] = "Litiges"

    diff = _diff(several)
    assert diff.impact is Impact.RECONSENT
    assert diff.purposes_needing_new_consent() == frozenset({"newsletter"})


def test_every_kind_of_change_has_a_message_in_both_languages() -> None:
    assert set(MESSAGES) == set(ChangeKind)
    for french, english in MESSAGES.values():
        assert french != english
