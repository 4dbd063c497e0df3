"""The compliance linter: what a valid policy file still gets wrong under the GDPR.

Validation says whether a file can be read; the linter says whether what it declares is lawful
and complete. Each rule has a stable code, a one-line message, the article or CNIL guidance it
comes from, and can be silenced on one item with a written justification (``lint_ignore``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from gardien.policy.durations import Duration
from gardien.policy.model import LintSilence, Policy, Purpose, Text, _Silenceable
from gardien.policy.taxonomy import is_within, overlaps
from gardien.policy.vocabulary import LegalBasisKind
from gardien.policy.yaml_source import LocatedDocument, Path

THIRTEEN_MONTHS = Duration(months=13)


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    summary: str
    source: str


@dataclass(frozen=True)
class Finding:
    """One lint finding on one item of the policy."""

    rule: Rule
    message: str
    path: Path
    line: int | None = None
    column: int | None = None
    silenced_by: LintSilence | None = None

    @property
    def silenced(self) -> bool:
        return self.silenced_by is not None


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "GDN101",
            "legitimate-interest-unstated",
            "legitimate interests claimed without stating the interest",
            "GDPR art. 6(1)(f), art. 13(1)(d)",
        ),
        Rule(
            "GDN102",
            "consent-without-withdrawal",
            "consent-based purpose without a way to withdraw consent",
            "GDPR art. 7(3)",
        ),
        Rule(
            "GDN103",
            "direct-marketing-without-objection",
            "direct marketing without a route to object",
            "GDPR art. 21(2)-(4)",
        ),
        Rule(
            "GDN104",
            "purpose-without-retention",
            "purpose with no retention period or criteria",
            "GDPR art. 5(1)(e), art. 13(2)(a), art. 30(1)(f)",
        ),
        Rule(
            "GDN105",
            "cookie-lifetime-over-13-months",
            "cookie or tracker living longer than 13 months",
            "CNIL guidelines on cookies and trackers, 2020",
        ),
        Rule(
            "GDN106",
            "transfer-without-safeguard",
            "recipient outside the EEA without a transfer safeguard",
            "GDPR arts. 44-46, art. 13(1)(f)",
        ),
        Rule(
            "GDN107",
            "special-category-without-condition",
            "special-category data without an art. 9(2) condition",
            "GDPR art. 9",
        ),
        Rule(
            "GDN108",
            "unused-category",
            "data category declared but used by no purpose",
            "GDPR art. 5(1)(c) (data minimisation), art. 30(1)(c)",
        ),
        Rule(
            "GDN109",
            "undeclared-category",
            "purpose uses a data category the policy does not declare",
            "GDPR art. 30(1)(c), art. 13(1)(c)",
        ),
        Rule(
            "GDN110",
            "missing-translation",
            "text shown to people has no English version",
            "Gardien: notices are published in French and English",
        ),
        Rule(
            "GDN111",
            "exempt-cookie-not-exemptable",
            "cookie marked consent-exempt in a category that needs consent",
            "ePrivacy directive art. 5(3); CNIL guidelines 2020",
        ),
        Rule(
            "GDN112",
            "no-rights-contact",
            "no contact for people to exercise their rights",
            "GDPR art. 12(2), art. 13(2)(b)",
        ),
        Rule(
            "GDN113",
            "purpose-without-legal-basis",
            "purpose with no legal basis stated",
            "GDPR art. 6(1), art. 13(1)(c)",
        ),
    )
}


def lint(policy: Policy, doc: LocatedDocument | None = None) -> list[Finding]:
    """All findings on ``policy``, silenced ones included (marked), in file order."""
    findings = [_locate(_silence(policy, f), doc) for check in _CHECKS for f in check(policy)]
    return sorted(findings, key=lambda f: (f.line or 0, f.column or 0, f.rule.code))


def active(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.silenced]


def _finding(code: str, message: str, path: Path) -> Finding:
    return Finding(RULES[code], message, path)


def _item_at(policy: Policy, path: Path) -> object:
    item: object = policy
    for part in path:
        if isinstance(part, int) and isinstance(item, list):
            item = item[part]
        elif isinstance(part, str):
            item = getattr(item, part, None)
    return item


def _silence(policy: Policy, finding: Finding) -> Finding:
    """Find the nearest item on the finding's path that silences its rule."""
    for depth in range(len(finding.path), -1, -1):
        item = _item_at(policy, finding.path[:depth])
        if isinstance(item, _Silenceable | Policy):
            silence = item.silences(finding.rule.code)
            if silence:
                return Finding(finding.rule, finding.message, finding.path, silenced_by=silence)
    return finding


def _locate(finding: Finding, doc: LocatedDocument | None) -> Finding:
    if doc is None:
        return finding
    line, column = doc.locate(finding.path)
    return Finding(finding.rule, finding.message, finding.path, line, column, finding.silenced_by)


def _purposes(policy: Policy) -> Iterator[tuple[int, Purpose]]:
    return iter(enumerate(policy.purposes))


def _check_legitimate_interest(policy: Policy) -> Iterator[Finding]:
    for i, purpose in _purposes(policy):
        for j, basis in enumerate(purpose.legal_bases):
            if basis.basis is LegalBasisKind.LEGITIMATE_INTERESTS and basis.interest is None:
                yield _finding(
                    "GDN101",
                    f"purpose {purpose.id!r} claims legitimate interests "
                    "but does not say which interest",
                    ("purposes", i, "legal_bases", j),
                )


def _check_withdrawal(policy: Policy) -> Iterator[Finding]:
    for i, purpose in _purposes(policy):
        if LegalBasisKind.CONSENT in purpose.bases() and (
            purpose.consent is None or purpose.consent.withdrawal is None
        ):
            yield _finding(
                "GDN102",
                f"purpose {purpose.id!r} rests on consent but the policy "
                "does not say how to withdraw it (`consent.withdrawal`)",
                ("purposes", i),
            )


def _check_objection(policy: Policy) -> Iterator[Finding]:
    for i, purpose in _purposes(policy):
        if purpose.direct_marketing and purpose.objection is None:
            yield _finding(
                "GDN103",
                f"purpose {purpose.id!r} is direct marketing but gives no "
                "route to object (`objection`)",
                ("purposes", i),
            )


def _check_retention(policy: Policy) -> Iterator[Finding]:
    for i, purpose in _purposes(policy):
        if purpose.retention is None:
            yield _finding(
                "GDN104", f"purpose {purpose.id!r} states no retention period", ("purposes", i)
            )


def _check_cookie_lifetime(policy: Policy) -> Iterator[Finding]:
    for i, cookie in enumerate(policy.cookies):
        if isinstance(cookie.lifetime, Duration) and cookie.lifetime.exceeds(THIRTEEN_MONTHS):
            yield _finding(
                "GDN105",
                f"cookie {cookie.name!r} lives {cookie.lifetime.iso()}, more than 13 months",
                ("cookies", i, "lifetime"),
            )


def _check_transfers(policy: Policy) -> Iterator[Finding]:
    for i, recipient in enumerate(policy.recipients):
        if recipient.safeguard is not None or not recipient.outside_eea:
            continue
        where = (
            f"is in {recipient.country}, outside the EEA,"
            if recipient.country_stated
            else "is in a country the policy does not state (ZZ), so the data may leave the EEA"
        )
        yield _finding(
            "GDN106", f"recipient {recipient.id!r} {where} with no safeguard", ("recipients", i)
        )


def _check_special_categories(policy: Policy) -> Iterator[Finding]:
    taxonomy = policy.taxonomy
    for i, purpose in _purposes(policy):
        special = [
            c for c in policy.purpose_categories(purpose) if c in taxonomy and taxonomy[c].special
        ]
        if special and purpose.special_category_condition is None:
            yield _finding(
                "GDN107",
                f"purpose {purpose.id!r} uses special-category data "
                f"({', '.join(special)}) without an art. 9(2) condition",
                ("purposes", i),
            )


def _named_categories(policy: Policy) -> set[str]:
    return {c for p in policy.purposes if p.categories != "all" for c in p.categories}


def _check_unused_categories(policy: Policy) -> Iterator[Finding]:
    used = _named_categories(policy) | {c for h in policy.legal_holds for c in h.categories}
    for i, category in enumerate(policy.categories):
        if not any(overlaps(category.id, u) for u in used):
            yield _finding(
                "GDN108",
                f"category {category.id!r} is declared but no purpose names it"
                " (`categories: all` does not say which data a purpose uses)",
                ("categories", i),
            )


def _check_undeclared_categories(policy: Policy) -> Iterator[Finding]:
    declared = [c.id for c in policy.categories]
    for i, purpose in _purposes(policy):
        if purpose.categories == "all":
            continue
        for j, category in enumerate(purpose.categories):
            if not any(is_within(category, d) or is_within(d, category) for d in declared):
                yield _finding(
                    "GDN109",
                    f"purpose {purpose.id!r} uses {category!r}, which the "
                    "policy's `categories` does not declare",
                    ("purposes", i, "categories", j),
                )


def _texts(value: object, path: Path) -> Iterator[tuple[Path, Text]]:
    if isinstance(value, Text):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, (*path, i))
    elif isinstance(value, BaseModel) and not isinstance(value, LintSilence):
        for name, field in type(value).model_fields.items():
            yield from _texts(getattr(value, name), (*path, field.alias or name))


def _check_translations(policy: Policy) -> Iterator[Finding]:
    for path, text in _texts(policy, ()):
        if text.en is None:
            yield _finding("GDN110", f"no English text for {text.fr[:40]!r}", path)


def _check_exempt_cookies(policy: Policy) -> Iterator[Finding]:
    for i, cookie in enumerate(policy.cookies):
        if cookie.exempt and not cookie.category.may_be_exempt:
            yield _finding(
                "GDN111",
                f"cookie {cookie.name!r} is a {cookie.category.value} "
                "cookie and cannot be exempt from consent",
                ("cookies", i, "exempt"),
            )


def _check_rights_contact(policy: Policy) -> Iterator[Finding]:
    rights = policy.rights
    if not (rights.email or rights.postal_address or rights.web_form or rights.portal):
        yield _finding(
            "GDN112",
            "the policy gives no email, address, form or portal where "
            "people can exercise their rights (`rights`)",
            (),
        )


def _check_legal_basis(policy: Policy) -> Iterator[Finding]:
    for i, purpose in _purposes(policy):
        if not purpose.legal_bases:
            yield _finding(
                "GDN113",
                f"purpose {purpose.id!r} states no legal basis; without "
                "one the processing is unlawful and Gardien denies it",
                ("purposes", i),
            )


_CHECKS: tuple[Callable[[Policy], Iterator[Finding]], ...] = (
    _check_legitimate_interest,
    _check_withdrawal,
    _check_objection,
    _check_retention,
    _check_cookie_lifetime,
    _check_transfers,
    _check_special_categories,
    _check_unused_categories,
    _check_undeclared_categories,
    _check_translations,
    _check_exempt_cookies,
    _check_rights_contact,
    _check_legal_basis,
)
