"""Policy values in the words people read, shared by the notice and the register.

Each helper says one thing the GDPR asks to be said (a lawful basis, a retention period, a
transfer) the same way wherever it appears, so the notice and the art. 30 register never
disagree.
"""

from __future__ import annotations

from gardien.documents.language import (
    UNKNOWN_COUNTRY,
    Language,
    colon,
    country_name,
    period_words,
)
from gardien.documents.strings import art9_label, text
from gardien.policy.model import Address, Policy, Purpose, Recipient, RetentionRule
from gardien.policy.vocabulary import LegalBasisKind


def address_words(address: Address, lang: Language) -> str:
    """A postal address on one line, with the country's name in the language."""
    city = f"{address.postal_code} {address.city}" if address.postal_code else address.city
    return f"{address.street}, {city}, {country_name(address.country, lang)}"


def data_words(policy: Policy, purpose: Purpose, lang: Language) -> str:
    """The "Type de données" cell: category labels, or "any relevant category"."""
    if purpose.categories == "all":
        return text("all_categories", lang)
    return ", ".join(policy.category_label(c, lang) for c in purpose.categories)


def basis_words(purpose: Purpose, lang: Language) -> tuple[str, ...]:
    """Each lawful basis as shown to people (art. 13(1)(c)-(d)).

    Legitimate interests name the interest itself in parentheses (art. 13(1)(d)); consent says
    how to withdraw it (art. 7(3)); a legal obligation names its law.
    """
    cells: list[str] = [] if purpose.legal_bases else [text("basis_unstated", lang)]
    for basis in purpose.legal_bases:
        words = basis.basis.label(lang)
        if basis.basis is LegalBasisKind.LEGITIMATE_INTERESTS and basis.interest:
            words += f" ({inline(basis.interest.in_(lang))})"
        elif basis.basis is LegalBasisKind.CONSENT:
            how = (
                purpose.consent.withdrawal.in_(lang)
                if purpose.consent and purpose.consent.withdrawal
                else text("consent_withdraw_default", lang)
            )
            words += f" ({how})"
        elif basis.law:
            words += f" ({basis.law})"
        if basis.note:
            words += f". {basis.note.in_(lang)}"
        cells.append(words)
    if purpose.special_category_condition:
        condition = purpose.special_category_condition
        cells.append(
            text(
                "special_condition",
                lang,
                article=condition.article,
                condition=art9_label(condition, lang),
            )
        )
    if purpose.objection:
        cells.append(text("objection_how", lang, how=purpose.objection.in_(lang)))
    return tuple(cells)


def inline(sentence: str) -> str:
    """A sentence made to sit inside parentheses: no capital (unless an acronym), no full stop."""
    words = sentence.strip().rstrip(".")
    if len(words) > 1 and words[0].isupper() and not words[1].isupper():
        words = words[0].lower() + words[1:]
    return words


def source_categories(policy: Policy, source_id: str) -> list[str]:
    """The categories obtained from a source (art. 14(1)(d)).

    Categories that name their sources say it directly; otherwise a source brings the
    categories of the purposes that cite it.
    """
    declared = [c.id for c in policy.categories if source_id in c.sources]
    if declared:
        return declared
    found: list[str] = []
    for purpose in policy.purposes:
        if source_id in purpose.sources:
            found += [c for c in policy.purpose_categories(purpose) if c not in found]
    return found


def recipient_purposes(policy: Policy, recipient_id: str, lang: Language) -> str:
    return "; ".join(p.title.in_(lang) for p in policy.purposes if recipient_id in p.recipients)


def is_transfer(recipient: Recipient) -> bool:
    """A known destination outside the EEA (an unstated country is not assumed to be one)."""
    return recipient.country != UNKNOWN_COUNTRY and recipient.outside_eea


def retention_words(rule: RetentionRule | None, lang: Language) -> str:
    """A retention period in words, or the criteria when the law gives no duration."""
    if rule is None:
        return text("retention_unset", lang)
    if rule.duration is None:
        return rule.description.in_(lang) if rule.description else text("retention_unset", lang)
    words = period_words(rule.duration, rule.from_, lang)
    if rule.description:
        words += f" ({rule.description.in_(lang)})"
    return words


def hold_words(policy: Policy, purpose: Purpose, lang: Language) -> tuple[str, ...]:
    """What a law keeps beyond the purpose's own period: "Factures : 10 ans … (L123-22)"."""
    out: list[str] = []
    for hold_id in purpose.legal_holds:
        hold = policy.hold_by_id.get(hold_id)
        if hold:
            period = period_words(hold.duration, hold.from_, lang)
            out.append(f"{hold.title.in_(lang)}{colon(lang)}{period} ({hold.law})")
    return tuple(out)
