"""The privacy notice of GDPR arts. 13–14, built from the policy.

:func:`notice_view` gathers what the law asks a notice to say, already worded in the reader's
language, into plain frozen values; the templates only lay it out (Markdown or HTML). Keeping
the wording here means both formats say exactly the same thing.
"""

from __future__ import annotations

import re
from typing import Literal

from gardien.documents.language import (
    Language,
    UnsupportedFormatError,
    checked_language,
    country_name,
    date_words,
    duration_words,
    french_spacing,
    list_words,
    period_words,
)
from gardien.documents.notice_model import (
    ChangeRow,
    Contact,
    CookieRow,
    DecisionRow,
    HoldRow,
    Line,
    NoticeView,
    PurposeRow,
    RecipientRow,
    RetentionRow,
    SourceRow,
    TransferRow,
)
from gardien.documents.strings import STRINGS, text
from gardien.documents.templating import render
from gardien.documents.wording import (
    address_words,
    basis_words,
    data_words,
    hold_words,
    is_transfer,
    recipient_purposes,
    source_categories,
)
from gardien.documents.wording import (  # re-exported: it lived here before wording.py
    retention_words as retention_words,
)
from gardien.policy.durations import Duration
from gardien.policy.model import (
    Address,
    Cookie,
    Party,
    Policy,
    Purpose,
    RetentionRule,
    RightsContact,
)
from gardien.policy.vocabulary import (
    CookieCategory,
    LegalBasisKind,
    RecipientKind,
)

NoticeFormat = Literal["md", "html"]
NOTICE_FORMATS: tuple[NoticeFormat, ...] = ("md", "html")


def render_notice(policy: Policy, lang: str = "fr", fmt: NoticeFormat = "md") -> str:
    """The privacy notice a DPO publishes (GDPR arts. 12–14), as Markdown or standalone HTML."""
    language = checked_language(lang)
    if fmt not in NOTICE_FORMATS:
        raise UnsupportedFormatError("notice", fmt, NOTICE_FORMATS)
    view = notice_view(policy, language)
    page = render(f"notice.{fmt}.j2", notice=view, t=view.t)
    # Macros leave blank lines behind; Markdown needs at most one between blocks.
    page = re.sub(r"\n{3,}", "\n\n", page)
    if language == "fr" and fmt == "html":
        head, body = page.split("<body>", 1)  # the stylesheet keeps its own spacing
        page = f"{head}<body>{french_spacing(body)}"
    elif language == "fr":
        page = french_spacing(page)
    return page


def notice_view(policy: Policy, lang: Language) -> NoticeView:
    """Gather and word every element of arts. 13–14 from ``policy``."""
    t = {key: text(key, lang) for key, pair in STRINGS.items() if "{" not in pair[0]}
    controller = policy.controller
    return NoticeView(
        lang=lang,
        t=t,
        title=f"{t['notice_title']} — {controller.name}",
        intro=text("notice_intro", lang, controller=controller.name),
        version_line=text(
            "version_line",
            lang,
            version=policy.version,
            date=date_words(policy.effective_date, lang),
        ),
        controller=Contact(
            controller.name,
            _lines(
                lang,
                registration=controller.registration,
                address=controller.address,
                email=controller.email,
                phone=controller.phone,
                website=controller.website,
            ),
        ),
        representative=(_party(policy.representative, lang) if policy.representative else None),
        joint_controllers=tuple(_party(p, lang) for p in policy.joint_controllers),
        dpo=_dpo(policy, lang),
        purposes=tuple(_purpose_row(policy, p, lang) for p in policy.purposes),
        sources=_sources(policy, lang),
        recipients=_recipients(policy, lang),
        transfers=_transfers(policy, lang),
        hosting=list_words(
            (
                country_name(h.country, lang) + (f" ({h.provider})" if h.provider else "")
                for h in policy.hosting
            ),
            lang,
        ),
        retention=tuple(
            RetentionRow(
                p.title.in_(lang),
                *_retention(policy.retention_by_id.get(p.retention or ""), lang),
                holds=tuple(
                    f"{text('legal_archive', lang)} — {words}"
                    for words in hold_words(policy, p, lang)
                ),
            )
            for p in policy.purposes
        ),
        holds=tuple(
            HoldRow(
                h.title.in_(lang),
                list_words((policy.category_label(c, lang) for c in h.categories), lang),
                period_words(h.duration, h.from_, lang),
                h.law,
            )
            for h in policy.legal_holds
        ),
        cookies=tuple(_cookie_row(policy, c, lang) for c in policy.cookies),
        decisions=tuple(
            DecisionRow(
                p.title.in_(lang),
                p.automated_decision.logic.in_(lang),
                p.automated_decision.significance.in_(lang),
            )
            for p in policy.purposes
            if p.automated_decision
        ),
        processor_role=(
            policy.processor_role.description.in_(lang) if policy.processor_role else ""
        ),
        processor_customers_controllers=bool(
            policy.processor_role and policy.processor_role.customers_are_controllers
        ),
        rights=_rights(policy, lang),
        exercise=_exercise(policy, lang),
        authority=Contact(
            policy.supervisory_authority.name,
            _lines(
                lang,
                address=policy.supervisory_authority.address,
                website=policy.supervisory_authority.website,
            ),
        ),
        security=tuple(
            Line(m.kind.label(lang), m.description.in_(lang)) for m in policy.security_measures
        ),
        changes=tuple(
            ChangeRow(c.version, date_words(c.date, lang), c.summary.in_(lang))
            for c in sorted(policy.changelog, key=lambda c: c.date, reverse=True)
        ),
        footer=text("generated_by", lang, version=policy.version),
    )


def _lines(lang: Language, **values: str | Address | None) -> tuple[Line, ...]:
    lines: list[Line] = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, Address):
            lines.append(Line(text("address", lang), address_words(value, lang)))
        elif key == "email":
            lines.append(Line(text("email", lang), value, f"mailto:{value}"))
        elif key == "website":
            lines.append(Line(text("website", lang), value, value))
        else:
            lines.append(Line(text(key, lang), value))
    return tuple(lines)


def _party(party: Party, lang: Language) -> Contact:
    return Contact(
        party.name, _lines(lang, address=party.address, email=party.email, phone=party.phone)
    )


def _dpo(policy: Policy, lang: Language) -> Contact | None:
    dpo = policy.dpo
    if dpo is None:
        return None
    lines = _lines(lang, address=dpo.address, email=dpo.email, phone=dpo.phone)
    if dpo.company:
        lines = (Line(text("dpo_company", lang), dpo.company), *lines)
    return Contact(dpo.name or text("h_dpo", lang), lines)


def _purpose_row(policy: Policy, purpose: Purpose, lang: Language) -> PurposeRow:
    return PurposeRow(
        id=purpose.id,
        title=purpose.title.in_(lang),
        description=purpose.description.in_(lang) if purpose.description else "",
        data=data_words(policy, purpose, lang),
        bases=basis_words(purpose, lang),
    )


def _sources(policy: Policy, lang: Language) -> tuple[SourceRow, ...]:
    return tuple(
        SourceRow(
            label=s.label.in_(lang),
            origin=s.kind.label(lang),
            third_party=s.third_party or "",
            categories=", ".join(
                policy.category_label(c, lang) for c in source_categories(policy, s.id)
            ),
        )
        for s in policy.sources
    )


def _recipients(policy: Policy, lang: Language) -> tuple[RecipientRow, ...]:
    """Recipients by kind, internal first (art. 13(1)(e)), each with the purposes it serves."""
    kinds = list(RecipientKind)
    return tuple(
        RecipientRow(
            name=r.name,
            kind=r.kind.label(lang),
            country=country_name(r.country, lang),
            description=r.description.in_(lang) if r.description else "",
            purposes=recipient_purposes(policy, r.id, lang),
        )
        for r in sorted(policy.recipients, key=lambda r: kinds.index(r.kind))
    )


def _transfers(policy: Policy, lang: Language) -> tuple[TransferRow, ...]:
    """Recipients outside the EEA and their safeguard (art. 13(1)(f), 44–49)."""
    return tuple(
        TransferRow(
            recipient=r.name,
            country=country_name(r.country, lang),
            safeguard=r.safeguard.label(lang) if r.safeguard else text("no_safeguard", lang),
            reference=r.safeguard_reference or "",
        )
        for r in policy.recipients
        if is_transfer(r)
    )


def _retention(rule: RetentionRule | None, lang: Language) -> tuple[str, str]:
    then = rule.action.label(lang).capitalize() if rule else ""
    return retention_words(rule, lang), then


def _cookie_row(policy: Policy, cookie: Cookie, lang: Language) -> CookieRow:
    purpose = policy.purpose_by_id.get(cookie.purpose or "")
    if cookie.description:
        what = cookie.description.in_(lang)
    elif purpose:
        what = purpose.title.in_(lang)
    else:
        what = cookie.category.label(lang)
    if not cookie.exempt:
        consent = text("cookie_needs_consent", lang)
    elif cookie.category is CookieCategory.AUDIENCE_MEASUREMENT:
        consent = text("cookie_exempt_audience", lang)
    else:
        consent = text("cookie_exempt", lang)
    lifetime = (
        duration_words(cookie.lifetime, lang)
        if isinstance(cookie.lifetime, Duration)
        else text("session", lang)
    )
    return CookieRow(
        cookie.name, cookie.provider, cookie.category.label(lang), what, lifetime, consent
    )


def _rights(policy: Policy, lang: Language) -> tuple[str, ...]:
    """The rights of arts. 15–22 and 7(3) that apply to this policy's purposes."""
    keys = [
        "right_access",
        "right_rectification",
        "right_erasure",
        "right_restriction",
        "right_portability",
        "right_objection",
    ]
    if any(p.direct_marketing for p in policy.purposes):
        keys.append("right_objection_marketing")
    if any(LegalBasisKind.CONSENT in p.bases() for p in policy.purposes) or any(
        not c.exempt for c in policy.cookies
    ):
        keys.append("right_withdraw")
    if any(p.automated_decision for p in policy.purposes):
        keys.append("right_automated")
    keys.append("right_post_mortem")
    return tuple(text(k, lang) for k in keys)


def _exercise(policy: Policy, lang: Language) -> tuple[Line, ...]:
    """Where to send a request (arts. 12(2), 13(2)(b)); the DPO or controller if not stated."""
    contact = policy.rights
    if not (contact.email or contact.web_form or contact.portal or contact.postal_address):
        dpo, controller = policy.dpo, policy.controller
        contact = RightsContact(
            email=(dpo.email if dpo and dpo.email else controller.email),
            postal_address=controller.address,
        )
    lines: list[Line] = []
    if contact.email:
        lines.append(Line(text("by_email", lang), contact.email, f"mailto:{contact.email}"))
    if contact.web_form:
        lines.append(Line(text("by_form", lang), contact.web_form, contact.web_form))
    if contact.portal:
        lines.append(Line(text("by_portal", lang), contact.portal, contact.portal))
    if contact.postal_address:
        address = address_words(contact.postal_address, lang)
        lines.append(Line(text("by_post", lang), address))
    return tuple(lines)
