"""The five seed privacy policies, written as Gardien policy files under ``examples/``.

Each test states a fact of a seed (``/work/shared/seeds/``) and checks that the loaded
:class:`~gardien.policy.Policy` says it, and that it says nothing the seed does not (no invented
retention period, DPO or cookie).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gardien.policy import (
    LegalBasisKind,
    Policy,
    RecipientKind,
    SourceKind,
    load_policy,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEED_FILES = {
    "000": "000-wix.yaml",
    "001": "001-boutique.yaml",
    "002": "002-lws.yaml",
    "003": "003-optipic.yaml",
    "004": "004-petit-site.yaml",
}

CONTRACT = LegalBasisKind.CONTRACT
LEGAL_OBLIGATION = LegalBasisKind.LEGAL_OBLIGATION
LEGITIMATE = LegalBasisKind.LEGITIMATE_INTERESTS
CONSENT = LegalBasisKind.CONSENT


def seed(number: str) -> Policy:
    return load_policy(EXAMPLES / SEED_FILES[number])


# Every example loads -----------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_policy_loads(path: Path) -> None:
    policy = load_policy(path)
    assert policy.purposes


def test_each_seed_has_its_example_file() -> None:
    present = {p.name for p in EXAMPLES.glob("*.yaml")}
    assert set(SEED_FILES.values()) <= present


# Faithful, and no more ----------------------------------------------------------------------


@pytest.mark.parametrize("number", sorted(SEED_FILES))
def test_no_seed_is_given_a_retention_duration_it_does_not_state(number: str) -> None:
    # None of the five seeds states a retention period in time units.
    policy = seed(number)
    assert all(rule.duration is None for rule in policy.retention)
    assert policy.legal_holds == []


@pytest.mark.parametrize("number", sorted(SEED_FILES))
def test_no_seed_is_given_a_dpo_or_a_cookie_it_does_not_name(number: str) -> None:
    policy = seed(number)
    assert policy.dpo is None
    assert policy.cookies == []


@pytest.mark.parametrize("number", ["000", "001", "003", "004"])
def test_a_missing_controller_address_is_a_marked_placeholder(number: str) -> None:
    address = seed(number).controller.address
    assert "non indiquée" in address.street
    assert address.city == "Non indiquée"
    assert address.country == "ZZ"


# Seed 000: Wix -----------------------------------------------------------------------------


def test_wix_collects_from_the_person_automatically_and_from_named_third_parties() -> None:
    policy = seed("000")
    kinds = {s.kind for s in policy.sources}
    assert kinds == {SourceKind.DATA_SUBJECT, SourceKind.AUTOMATIC, SourceKind.THIRD_PARTY}
    third_parties = " / ".join(
        s.third_party or "" for s in policy.sources if s.kind is SourceKind.THIRD_PARTY
    )
    assert "fraude" in third_parties
    assert "réseaux sociaux" in third_parties
    assert "publicitaires et marketing" in third_parties


def test_wix_acts_for_its_users_users_as_a_processor() -> None:
    role = seed("000").processor_role
    assert role is not None
    assert role.customers_are_controllers
    assert "Utilisateurs de l'Utilisateur" in role.description.fr


def test_wix_has_ten_purposes_on_the_three_stated_bases() -> None:
    policy = seed("000")
    assert len(policy.purposes) == 10
    used = {basis for p in policy.purposes for basis in p.bases()}
    assert used == {CONTRACT, LEGAL_OBLIGATION, LEGITIMATE}
    interests = [
        b.interest.fr
        for p in policy.purposes
        for b in p.legal_bases
        if b.basis is LEGITIMATE and b.interest
    ]
    assert interests
    assert all("problèmes techniques" in text for text in interests)
    assert policy.purpose_by_id["legal_compliance"].bases() == (LEGAL_OBLIGATION,)


def test_wix_holds_identity_documents_and_payment_data() -> None:
    policy = seed("000")
    declared = {c.id: c for c in policy.categories}
    assert "identity.official_id" in declared
    assert "financial" in declared
    assert declared["identity.official_id"].sources == ["provided"]
    assert policy.taxonomy["identity.official_id"].fr == "Pièce d'identité"


def test_social_network_data_comes_from_the_social_network_source() -> None:
    declared = {c.id: c for c in seed("000").categories}
    assert declared["identity.username"].sources == ["social_networks"]


# Seed 001: the online shop's purposes table ------------------------------------------------

ALL_NINE = [
    "identity",
    "contact",
    "financial",
    "transaction",
    "profile",
    "usage",
    "marketing_communications",
    "technical",
    "tracking",
]

# One row of the seed's table: purpose id, data types, legal bases in the row's order.
SHOP_TABLE: list[tuple[str, list[str] | str, tuple[LegalBasisKind, ...]]] = [
    ("registration", ["identity", "contact"], (CONTRACT,)),
    (
        "orders",
        ["identity", "contact", "financial", "transaction", "marketing_communications"],
        (CONTRACT, LEGITIMATE),
    ),
    (
        "relationship",
        ["identity", "contact", "profile", "marketing_communications"],
        (CONTRACT, LEGAL_OBLIGATION, LEGITIMATE),
    ),
    ("marketing", ["identity", "contact", "profile", "marketing_communications"], (CONSENT,)),
    (
        "contests",
        ["identity", "contact", "profile", "usage", "marketing_communications"],
        (CONTRACT, LEGITIMATE),
    ),
    (
        "administration",
        ["identity", "contact", "technical", "tracking"],
        (LEGITIMATE, LEGAL_OBLIGATION),
    ),
    (
        "advertising",
        [
            "identity",
            "contact",
            "profile",
            "usage",
            "marketing_communications",
            "technical",
            "tracking",
        ],
        (LEGITIMATE,),
    ),
    ("analytics", ["technical", "tracking", "usage"], (LEGITIMATE,)),
    (
        "recommendations",
        ["identity", "contact", "technical", "usage", "profile"],
        (LEGITIMATE,),
    ),
    (
        "fraud",
        ["identity", "contact", "financial", "transaction", "technical", "tracking"],
        (LEGITIMATE, LEGAL_OBLIGATION),
    ),
    ("claims", "all", (LEGITIMATE,)),
]


def test_the_shop_has_exactly_the_eleven_rows_of_its_table_in_order() -> None:
    assert [p.id for p in seed("001").purposes] == [row[0] for row in SHOP_TABLE]


@pytest.mark.parametrize(
    ("purpose_id", "categories", "bases"), SHOP_TABLE, ids=[row[0] for row in SHOP_TABLE]
)
def test_each_shop_purpose_has_the_rows_data_types_and_legal_bases(
    purpose_id: str, categories: list[str] | str, bases: tuple[LegalBasisKind, ...]
) -> None:
    purpose = seed("001").purpose_by_id[purpose_id]
    assert purpose.categories == categories
    assert purpose.bases() == bases


@pytest.mark.parametrize("purpose_id", [row[0] for row in SHOP_TABLE if LEGITIMATE in row[2]])
def test_every_shop_legitimate_interest_states_the_interest_in_parentheses(
    purpose_id: str,
) -> None:
    purpose = seed("001").purpose_by_id[purpose_id]
    for basis in purpose.legal_bases:
        if basis.basis is LEGITIMATE:
            assert basis.interest is not None
            assert basis.interest.en


def test_shop_interests_quote_the_seed() -> None:
    policy = seed("001")

    def interest(purpose_id: str) -> str:
        (text,) = [
            b.interest.fr
            for b in policy.purpose_by_id[purpose_id].legal_bases
            if b.basis is LEGITIMATE and b.interest
        ]
        return text

    assert interest("orders") == "Récupérer des dettes qui nous sont dues"
    assert "sécurité du réseau" in interest("administration")
    assert "stratégie marketing" in interest("analytics")
    assert "surveillance des fraudes" in interest("fraud")


def test_shop_direct_marketing_is_the_only_consent_based_purpose() -> None:
    policy = seed("001")
    marketing = policy.purpose_by_id["marketing"]
    assert marketing.direct_marketing
    assert marketing.needs_consent
    others = [p for p in policy.purposes if p.id != "marketing"]
    assert not any(p.direct_marketing or p.needs_consent for p in others)


def test_shop_declares_the_nine_categories_and_claims_uses_all_of_them() -> None:
    policy = seed("001")
    assert [c.id for c in policy.categories] == ALL_NINE
    assert policy.purpose_categories(policy.purpose_by_id["claims"]) == ALL_NINE
    assert policy.category_label("marketing_communications", "fr") == ("Marketing et communication")


def test_shop_seed_gives_no_retention_recipient_or_rights_contact() -> None:
    policy = seed("001")
    assert policy.retention == []
    assert policy.recipients == []
    assert all(p.retention is None for p in policy.purposes)
    assert policy.rights.email is None
    assert policy.rights.postal_address is None


# Seed 002: LWS -----------------------------------------------------------------------------


def test_lws_shares_with_domain_and_ssl_partners_and_criminal_justice() -> None:
    policy = seed("002")
    partners = [r for r in policy.recipients if r.kind is RecipientKind.PARTNER]
    assert {r.id for r in partners} == {"domain_registry", "ssl_certificate_authority"}
    authority = policy.recipient_by_id["law_enforcement"]
    assert authority.kind is RecipientKind.AUTHORITY
    assert "tribunaux" in authority.name
    orders = policy.purpose_by_id["orders"]
    assert set(orders.recipients) == {"domain_registry", "ssl_certificate_authority"}
    assert policy.purpose_by_id["criminal_proceedings"].recipients == ["law_enforcement"]


def test_lws_complaints_go_to_the_cnil_at_the_address_the_seed_gives() -> None:
    cnil = seed("002").supervisory_authority
    assert cnil.name == "Commission Nationale de l'Informatique et des Libertés"
    assert cnil.address.street == "3 Place de Fontenoy"
    assert cnil.address.postal_code == "75007"
    assert cnil.address.city == "Paris"
    assert cnil.address.country == "FR"


def test_lws_rights_are_exercised_by_post_to_its_data_protection_service() -> None:
    postal = seed("002").rights.postal_address
    assert postal is not None
    assert "Service protection des données" in postal.street
    assert "4 rue Galvani" in postal.street
    assert postal.postal_code == "75838"


def test_lws_product_information_needs_consent_withdrawable_in_the_customer_area() -> None:
    product_info = seed("002").purpose_by_id["product_info"]
    assert product_info.needs_consent
    assert product_info.consent is not None
    withdrawal = product_info.consent.withdrawal
    assert withdrawal is not None
    assert "à tout moment via votre Espace Client" in withdrawal.fr


def test_lws_surveys_can_be_refused_after_the_first_sending() -> None:
    surveys = seed("002").purpose_by_id["surveys"]
    assert not surveys.needs_consent
    assert surveys.objection is not None
    assert "après le premier envoi" in surveys.objection.fr


def test_lws_checks_orders_for_fraud_and_holds_billing_data_temporarily() -> None:
    policy = seed("002")
    assert "fraudes" in policy.purpose_by_id["fraud_checks"].title.fr
    billing = policy.purpose_by_id["billing"]
    assert "transaction.billing_data" in billing.categories
    assert billing.retention is not None
    rule = policy.retention_by_id[billing.retention]
    assert rule.description is not None
    assert "temporaire" in rule.description.fr


def test_lws_encrypts_stored_files_and_backups() -> None:
    measures = {m.kind.value: m.description.fr for m in seed("002").security_measures}
    assert "cryptés" in measures["encryption"]
    assert "sauvegarde" in measures["backups"]


# Seed 003: OptiPic.io ----------------------------------------------------------------------


def test_optipic_policy_took_effect_on_10_may_2017() -> None:
    assert seed("003").effective_date == date(2017, 5, 10)


def test_optipic_has_the_six_purposes_of_section_2_2() -> None:
    ids = [p.id for p in seed("003").purposes]
    assert ids[:6] == [
        "identification",
        "services",
        "communication",
        "improvement",
        "promotional_targeting",
        "anonymised_statistics",
    ]


def test_optipic_passes_anonymised_statistics_to_a_third_party() -> None:
    policy = seed("003")
    statistics = policy.purpose_by_id["anonymised_statistics"]
    assert "impersonnelles" in statistics.title.fr
    (recipient_id,) = statistics.recipients
    recipient = policy.recipient_by_id[recipient_id]
    assert recipient.kind is RecipientKind.THIRD_PARTY
    assert recipient.description is not None
    assert "anonymisées" in recipient.description.fr


def test_optipic_lists_the_six_transfer_cases_of_section_3_3() -> None:
    policy = seed("003")
    assert len(policy.recipients) == 6
    assert policy.recipient_by_id["public_authorities"].kind is RecipientKind.AUTHORITY


def test_optipic_keeps_modified_or_deleted_data_for_the_legal_period_as_criteria() -> None:
    policy = seed("003")
    legal = policy.purpose_by_id["legal_obligations"]
    assert legal.bases() == (LEGAL_OBLIGATION,)
    assert legal.retention == "legal_period"
    rule = policy.retention_by_id["legal_period"]
    assert rule.duration is None
    assert rule.description is not None
    assert "modifiées ou supprimées" in rule.description.fr


def test_optipic_describes_cookies_and_counters_as_a_purpose() -> None:
    cookies = seed("003").purpose_by_id["cookies_and_counters"]
    assert "tracking.cookie_id" in cookies.categories
    assert cookies.description is not None
    assert "compteurs" in cookies.description.fr


# Seed 004: the small French site -----------------------------------------------------------


def test_small_site_is_hosted_in_france() -> None:
    assert [h.country for h in seed("004").hosting] == ["FR"]


def test_small_site_does_no_commercial_prospecting() -> None:
    policy = seed("004")
    assert not any(p.direct_marketing or p.needs_consent for p in policy.purposes)
    assert [p.id for p in policy.purposes] == ["site_usage", "litigation_exchanges", "performance"]


def test_small_site_states_retention_only_as_criteria() -> None:
    policy = seed("004")
    assert all(p.retention == "criteria" for p in policy.purposes)
    criteria = policy.retention_by_id["criteria"]
    assert criteria.duration is None
    assert criteria.description is not None
    assert "critères" in criteria.description.fr


def test_small_site_erases_all_but_billing_and_fraud_records() -> None:
    rule = seed("004").retention_by_id["billing_and_fraud_after_erasure"]
    assert rule.description is not None
    assert "facturation" in rule.description.fr
    assert "fraude" in rule.description.fr


def test_small_site_shares_with_processors_and_takes_deletion_requests_by_form() -> None:
    policy = seed("004")
    assert [r.kind for r in policy.recipients] == [RecipientKind.PROCESSOR]
    assert policy.rights.web_form is not None
    assert "Formulaire de contact" in policy.rights.web_form
