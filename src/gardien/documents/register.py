"""The record of processing activities of GDPR art. 30(1), one row per purpose.

The columns follow sheet 3 of the CNIL model register (« Modèle de fiche de registre »), with
two additions the CNIL workbook lacks: the legal basis (art. 6, needed to answer any request)
and the source of the data (art. 14(2)(f)). CSV is for spreadsheets and imports; HTML prints one
fiche per processing activity, as the CNIL model does.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Literal

from gardien.documents.language import (
    Language,
    UnsupportedFormatError,
    checked_language,
    colon,
    country_name,
    date_words,
)
from gardien.documents.strings import art9_label, text
from gardien.documents.templating import render
from gardien.documents.wording import address_words, hold_words, is_transfer, retention_words
from gardien.policy.model import Party, Policy, Purpose

RegisterFormat = Literal["csv", "html"]
REGISTER_FORMATS: tuple[RegisterFormat, ...] = ("csv", "html")

# (French header of the CNIL model, English header); the order is the CSV's column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Nom du traitement", "Processing activity"),
    ("N° / RÉF", "Ref."),
    ("Date de création", "Created"),
    ("Mise à jour", "Last updated"),
    ("Responsable du traitement", "Controller"),
    ("Représentant", "Representative"),
    ("Responsables conjoints", "Joint controllers"),
    ("DPO", "DPO"),
    ("Finalité principale", "Main purpose"),
    ("Sous-finalités", "Sub-purposes"),
    ("Base légale", "Legal basis"),
    ("Catégories de données personnelles", "Categories of personal data"),
    ("Durées de conservation", "Retention periods"),
    ("Données sensibles", "Special categories of data"),
    ("Catégories de personnes concernées", "Categories of data subjects"),
    ("Source des données", "Source of the data"),
    ("Destinataires (type)", "Recipients (type)"),
    (
        "Transferts hors UE (destinataire, pays, garanties)",
        "Transfers outside the EU (recipient, country, safeguard)",
    ),
    ("Mesures de sécurité", "Security measures"),
)

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Registre des activités de traitement", "Record of processing activities"),
    "intro": (
        "Registre tenu par {controller} en application de l'article 30(1) du RGPD, sur le "
        "modèle de la CNIL. Version {version} de la politique, en vigueur depuis le {date}.",
        "Record kept by {controller} under Article 30(1) GDPR, on the CNIL model. Policy "
        "version {version}, in effect since {date}.",
    ),
    "no": ("Non", "No"),
    "none": ("Aucun", "None"),
}


def _word(key: str, lang: Language, **values: object) -> str:
    french, english = _WORDS[key]
    return (english if lang == "en" else french).format(**values)


def register_headers(lang: str = "fr") -> tuple[str, ...]:
    """The register's column headers in ``lang``, in CSV order."""
    index = 1 if checked_language(lang) == "en" else 0
    return tuple(column[index] for column in COLUMNS)


@dataclass(frozen=True)
class RegisterEntry:
    """One processing activity of the register: its cells, in :data:`COLUMNS` order."""

    purpose_id: str
    cells: tuple[str, ...]


def register_entries(policy: Policy, lang: str = "fr") -> tuple[RegisterEntry, ...]:
    """One entry per purpose, worded in ``lang`` (GDPR art. 30(1)(a)-(g)).

    The policy file does not date each purpose: "created" is the date of its first recorded
    version and "updated" its effective date, as ISO dates any spreadsheet reads.
    """
    language = checked_language(lang)
    first = min((c.date for c in policy.changelog), default=policy.effective_date)
    shared = _SharedCells(
        created=min(first, policy.effective_date).isoformat(),
        updated=policy.effective_date.isoformat(),
        controller=_controller(policy, language),
        representative=_party(policy.representative, language),
        joint=" | ".join(_party(p, language) for p in policy.joint_controllers),
        dpo=_dpo(policy, language),
        security="; ".join(
            f"{m.kind.label(language)}{colon(language)}{m.description.in_(language)}"
            for m in policy.security_measures
        ),
    )
    return tuple(RegisterEntry(p.id, _cells(policy, p, shared, language)) for p in policy.purposes)


def render_register(policy: Policy, fmt: RegisterFormat = "csv", lang: str = "fr") -> str:
    """The art. 30(1) register as CSV (UTF-8, one header row) or as a printable HTML page."""
    language = checked_language(lang)
    entries = register_entries(policy, language)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(register_headers(language))
        writer.writerows(entry.cells for entry in entries)
        return buffer.getvalue()
    if fmt == "html":
        return render(
            "register.html.j2",
            lang=language,
            title=f"{_word('title', language)} — {policy.controller.name}",
            intro=_word(
                "intro",
                language,
                controller=policy.controller.name,
                version=policy.version,
                date=date_words(policy.effective_date, language),
            ),
            headers=register_headers(language),
            entries=entries,
        )
    raise UnsupportedFormatError("register", fmt, REGISTER_FORMATS)


@dataclass(frozen=True)
class _SharedCells:
    """Cells that are the same on every row: the controller's side of art. 30(1)(a), (g)."""

    created: str
    updated: str
    controller: str
    representative: str
    joint: str
    dpo: str
    security: str


def _contact(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def _controller(policy: Policy, lang: Language) -> str:
    c = policy.controller
    return _contact(c.name, c.registration, address_words(c.address, lang), c.email, c.phone)


def _party(party: Party | None, lang: Language) -> str:
    if party is None:
        return ""
    address = address_words(party.address, lang) if party.address else None
    return _contact(party.name, address, party.email, party.phone)


def _dpo(policy: Policy, lang: Language) -> str:
    dpo = policy.dpo
    if dpo is None:
        return ""
    address = address_words(dpo.address, lang) if dpo.address else None
    return _contact(dpo.name, dpo.company, address, dpo.email, dpo.phone)


def _cells(
    policy: Policy, purpose: Purpose, shared: _SharedCells, lang: Language
) -> tuple[str, ...]:
    category_ids = policy.purpose_categories(purpose)
    special = [c for c in category_ids if policy.taxonomy.get(c) and policy.taxonomy[c].special]
    special_cell = _word("no", lang)
    if special:
        special_cell = ", ".join(policy.category_label(c, lang) for c in special)
        if purpose.special_category_condition:
            condition = purpose.special_category_condition
            special_cell += f" ({condition.article}{colon(lang)}{art9_label(condition, lang)})"
    recipients = [
        policy.recipient_by_id[r] for r in purpose.recipients if r in policy.recipient_by_id
    ]
    transfers = [
        _contact(
            r.name,
            country_name(r.country, lang),
            r.safeguard.label(lang) if r.safeguard else text("no_safeguard", lang),
            r.safeguard_reference,
        )
        for r in recipients
        if is_transfer(r)
    ]
    return (
        purpose.title.in_(lang),
        purpose.id,
        shared.created,
        shared.updated,
        shared.controller,
        shared.representative,
        shared.joint,
        shared.dpo,
        purpose.title.in_(lang),
        purpose.description.in_(lang) if purpose.description else "",
        "; ".join(_basis(purpose, lang)),
        "; ".join(policy.category_label(c, lang) for c in category_ids),
        "; ".join(_retention(policy, purpose, lang)),
        special_cell,
        "; ".join(
            policy.subject_by_id[s].label.in_(lang)
            for s in purpose.subjects
            if s in policy.subject_by_id
        ),
        "; ".join(_sources(policy, purpose, lang)),
        "; ".join(f"{r.name} ({r.kind.label(lang)})" for r in recipients),
        "; ".join(transfers) if transfers else _word("none", lang),
        shared.security,
    )


def _basis(purpose: Purpose, lang: Language) -> list[str]:
    out: list[str] = []
    for basis in purpose.legal_bases:
        words = f"{basis.basis.label(lang)} ({basis.basis.article})"
        detail = basis.interest.in_(lang) if basis.interest else basis.law
        if detail:
            words += f"{colon(lang)}{detail}"
        out.append(words)
    return out


def _retention(policy: Policy, purpose: Purpose, lang: Language) -> list[str]:
    rule = policy.retention_by_id.get(purpose.retention or "")
    return [retention_words(rule, lang), *hold_words(policy, purpose, lang)]


def _sources(policy: Policy, purpose: Purpose, lang: Language) -> list[str]:
    out: list[str] = []
    for source_id in purpose.sources:
        source = policy.source_by_id.get(source_id)
        if source is None:
            continue
        origin = source.kind.label(lang)
        if source.third_party:
            origin += f"{colon(lang)}{source.third_party}"
        out.append(f"{source.label.in_(lang)} ({origin})")
    return out
