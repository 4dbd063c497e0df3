"""What the portal shows, worded in the reader's language, as plain values for the templates.

Everything comes from the policy (purposes, bases, categories, retention: GDPR art. 13) and
from the ledger and the requests of the signed-in person only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from babel.dates import format_date

from gardien.documents.language import Language, checked_language
from gardien.documents.wording import address_words, basis_words, data_words, retention_words
from gardien.ledger import ConsentStatus, PersonState
from gardien.policy.model import Policy, Purpose
from gardien.policy.vocabulary import LegalBasisKind
from gardien.requests.model import DataSubjectRequest, RequestStatus, RequestType
from gardien.service.words import words_for

OBJECTABLE = frozenset({LegalBasisKind.LEGITIMATE_INTERESTS, LegalBasisKind.PUBLIC_TASK})


@dataclass(frozen=True)
class PurposeView:
    id: str
    title: str
    description: str | None
    data: str
    bases: tuple[str, ...]
    retention: str
    choice: str
    """``consent``, ``objection`` (art. 21), or ``none``."""
    state: str
    given: bool = False
    objected: bool = False


@dataclass(frozen=True)
class RequestView:
    ref: str
    type: str
    status: str
    received: str
    due: str
    extension: str | None
    reason: str | None
    download: bool


@dataclass(frozen=True)
class AuthorityView:
    name: str
    address: str
    website: str


def day(value: datetime, lang: str) -> str:
    return format_date(value.date(), format="long", locale=lang)


def consent_purpose(purpose: Purpose) -> bool:
    return LegalBasisKind.CONSENT in purpose.bases()


def objectable(purpose: Purpose) -> bool:
    return not consent_purpose(purpose) and (
        purpose.direct_marketing or bool(OBJECTABLE & set(purpose.bases()))
    )


def purpose_views(policy: Policy, state: PersonState, lang: str) -> list[PurposeView]:
    language: Language = checked_language(lang)
    t = words_for(lang)
    views = []
    for purpose in policy.purposes:
        common = PurposeView(
            id=purpose.id,
            title=purpose.title.in_(lang),
            description=purpose.description.in_(lang) if purpose.description else None,
            data=data_words(policy, purpose, language),
            bases=basis_words(purpose, language),
            retention=retention_words(
                policy.retention_by_id.get(purpose.retention or ""), language
            ),
            choice="none",
            state="",
        )
        if consent_purpose(purpose):
            consent = state.consents.get(purpose.id)
            status = consent.status if consent is not None else None
            given = status is ConsentStatus.GIVEN
            label = t[f"consent_{status.value}"] if status is not None else t["consent_none"]
            views.append(replace(common, choice="consent", state=label, given=given))
        elif objectable(purpose):
            objected = purpose.id in state.objections
            label = t["objected"] if objected else t["not_objected"]
            views.append(replace(common, choice="objection", state=label, objected=objected))
        else:
            views.append(common)
    return views


def has_package(request: DataSubjectRequest) -> bool:
    return (
        request.type in (RequestType.ACCESS, RequestType.PORTABILITY)
        and request.status in (RequestStatus.COMPLETED, RequestStatus.PARTIAL)
        and bool(package_files(request))
    )


def package_files(request: DataSubjectRequest) -> list[str]:
    files = (request.outcome or {}).get("files") or []
    if not isinstance(files, list):
        return []
    return [str(f) for f in files if str(f).endswith(".zip")]


def request_view(request: DataSubjectRequest, lang: str) -> RequestView:
    return RequestView(
        ref=request.ref,
        type=request.type.label(lang),
        status=request.status.label(lang),
        received=day(request.received_at, lang),
        due=day(request.due_at, lang),
        extension=request.extension_reason,
        reason=request.reason if request.status is RequestStatus.REFUSED else None,
        download=has_package(request),
    )


def authority_view(policy: Policy, lang: str) -> AuthorityView:
    authority = policy.supervisory_authority
    return AuthorityView(
        authority.name, address_words(authority.address, checked_language(lang)), authority.website
    )
