"""Each lint rule: one case where it fires, one close case where it does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gardien.policy.lint import RULES, active, lint
from gardien.policy.loader import parse_policy_document
from tests.policy.builders import minimal_data, to_yaml

Mutation = Callable[[dict[str, Any]], None]
LI = {"basis": "legitimate_interests"}
INTEREST = {"fr": "Prévenir la fraude", "en": "Preventing fraud"}


def _purpose(data: dict[str, Any]) -> dict[str, Any]:
    purpose: dict[str, Any] = data["purposes"][0]
    return purpose


def _legit(with_interest: bool) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        _purpose(d)["legal_bases"] = [{**LI, "interest": INTEREST} if with_interest else LI]

    return change


def _consent(withdrawal: bool) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        _purpose(d)["legal_bases"] = [{"basis": "consent"}]
        if withdrawal:
            _purpose(d)["consent"] = {
                "withdrawal": {"fr": "Lien de désinscription", "en": "Unsubscribe link"}
            }

    return change


def _marketing(objection: bool) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        _consent(True)(d)
        _purpose(d)["direct_marketing"] = True
        if objection:
            _purpose(d)["objection"] = {"fr": "Écrivez-nous", "en": "Write to us"}

    return change


def _retention(present: bool) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        if not present:
            del _purpose(d)["retention"]

    return change


def _cookie(
    lifetime: str, category: str = "audience_measurement", exempt: bool = False
) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        d["cookies"] = [
            {
                "name": "_pk_id",
                "provider": "Matomo",
                "category": category,
                "lifetime": lifetime,
                "exempt": exempt,
                "purpose": "orders",
            }
        ]

    return change


def _recipient(country: str, safeguard: str | None) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        recipient = {"id": "crm", "name": "CRM Inc.", "kind": "processor", "country": country}
        if safeguard:
            recipient["safeguard"] = safeguard
        d["recipients"] = [recipient]
        _purpose(d)["recipients"] = ["crm"]

    return change


def _special(condition: str | None) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        d["categories"].append({"id": "special.health"})
        _purpose(d)["categories"].append("special.health")
        if condition:
            _purpose(d)["special_category_condition"] = condition

    return change


def _unused(used: bool) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        d["categories"].append({"id": "technical"})
        if used:
            _purpose(d)["categories"].append("technical.ip_address")

    return change


def _undeclared(declared: bool) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        _purpose(d)["categories"].append("financial.payment_card")
        if declared:
            d["categories"].append({"id": "financial"})

    return change


def _translation(english: bool) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        _purpose(d)["title"] = {"fr": "Commandes", **({"en": "Orders"} if english else {})}

    return change


def _rights(present: bool) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        if not present:
            d["rights"] = {}

    return change


def _basis(present: bool) -> Mutation:
    def change(d: dict[str, Any]) -> None:
        if not present:
            _purpose(d)["legal_bases"] = []

    return change


CASES: dict[str, tuple[Mutation, Mutation]] = {
    # code: (fires, does not fire)
    "GDN101": (_legit(False), _legit(True)),
    "GDN102": (_consent(False), _consent(True)),
    "GDN103": (_marketing(False), _marketing(True)),
    "GDN104": (_retention(False), _retention(True)),
    "GDN105": (_cookie("P25M"), _cookie("P13M")),
    "GDN106": (_recipient("US", None), _recipient("US", "standard_contractual_clauses")),
    "GDN107": (_special(None), _special("explicit_consent")),
    "GDN108": (_unused(False), _unused(True)),
    "GDN109": (_undeclared(False), _undeclared(True)),
    "GDN110": (_translation(False), _translation(True)),
    "GDN111": (_cookie("P6M", "advertising", exempt=True), _cookie("P6M", "advertising")),
    "GDN112": (_rights(False), _rights(True)),
    "GDN113": (_basis(False), _basis(True)),
}


def codes_after(change: Mutation) -> set[str]:
    data = minimal_data()
    change(data)
    policy, doc = parse_policy_document(to_yaml(data), "lint.yaml")
    return {f.rule.code for f in active(lint(policy, doc))}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(RULES)


def test_the_minimal_policy_is_clean() -> None:
    assert codes_after(lambda d: None) == set()


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires(code: str) -> None:
    assert code in codes_after(CASES[code][0])


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_does_not_fire_when_satisfied(code: str) -> None:
    assert code not in codes_after(CASES[code][1])


def test_a_rule_can_be_silenced_on_one_item_with_a_justification() -> None:
    data = minimal_data()
    _retention(False)(data)
    _purpose(data)["lint_ignore"] = [
        {"rule": "GDN104", "justification": "Durée fixée par le contrat cadre, annexe 3."}
    ]
    policy, doc = parse_policy_document(to_yaml(data), "lint.yaml")
    findings = lint(policy, doc)
    (silenced,) = [f for f in findings if f.rule.code == "GDN104"]
    assert silenced.silenced
    assert silenced.silenced_by is not None
    assert "contrat cadre" in silenced.silenced_by.justification
    assert active(findings) == []


def test_silencing_needs_a_real_justification() -> None:
    from gardien.errors import PolicyFileError

    data = minimal_data()
    _purpose(data)["lint_ignore"] = [{"rule": "GDN104", "justification": "ok"}]
    with pytest.raises(PolicyFileError):
        parse_policy_document(to_yaml(data), "lint.yaml")


def test_findings_carry_line_numbers_and_the_law() -> None:
    data = minimal_data()
    _legit(False)(data)
    policy, doc = parse_policy_document(to_yaml(data), "lint.yaml")
    (finding,) = active(lint(policy, doc))
    assert finding.line is not None
    assert "art. 6(1)(f)" in finding.rule.source
