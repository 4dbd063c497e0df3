"""The notice as plain frozen values, already worded in the reader's language.

:func:`gardien.documents.notice.notice_view` fills them from the policy; the Markdown and HTML
templates only lay them out, so both formats say exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from gardien.documents.language import Language


@dataclass(frozen=True)
class Line:
    """A labelled value: "E-mail : dpo@example.fr"."""

    label: str
    value: str
    link: str | None = None


@dataclass(frozen=True)
class Contact:
    name: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class PurposeRow:
    """One row of the seed-001 table: purpose, data, lawful basis (art. 13(1)(c)-(d))."""

    id: str
    title: str
    description: str
    data: str
    bases: tuple[str, ...]


@dataclass(frozen=True)
class SourceRow:
    label: str
    origin: str
    third_party: str
    categories: str


@dataclass(frozen=True)
class RecipientRow:
    name: str
    kind: str
    country: str
    description: str
    purposes: str


@dataclass(frozen=True)
class TransferRow:
    recipient: str
    country: str
    safeguard: str
    reference: str


@dataclass(frozen=True)
class RetentionRow:
    purpose: str
    period: str
    then: str
    holds: tuple[str, ...] = ()


@dataclass(frozen=True)
class HoldRow:
    title: str
    categories: str
    period: str
    law: str


@dataclass(frozen=True)
class CookieRow:
    name: str
    provider: str
    category: str
    purpose: str
    lifetime: str
    consent: str


@dataclass(frozen=True)
class DecisionRow:
    purpose: str
    logic: str
    significance: str


@dataclass(frozen=True)
class ChangeRow:
    version: str
    date: str
    summary: str


@dataclass(frozen=True)
class NoticeView:
    """Everything the notice says, worded in ``lang``; the templates only arrange it."""

    lang: Language
    t: dict[str, str]
    title: str
    intro: str
    version_line: str
    controller: Contact
    representative: Contact | None
    joint_controllers: tuple[Contact, ...]
    dpo: Contact | None
    purposes: tuple[PurposeRow, ...]
    sources: tuple[SourceRow, ...]
    recipients: tuple[RecipientRow, ...]
    transfers: tuple[TransferRow, ...]
    hosting: str
    retention: tuple[RetentionRow, ...]
    holds: tuple[HoldRow, ...]
    cookies: tuple[CookieRow, ...]
    decisions: tuple[DecisionRow, ...]
    processor_role: str
    processor_customers_controllers: bool
    rights: tuple[str, ...]
    exercise: tuple[Line, ...]
    authority: Contact
    security: tuple[Line, ...]
    changes: tuple[ChangeRow, ...]
    footer: str
