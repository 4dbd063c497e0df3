"""What Gardien writes to a person about their request, in French (default) or English.

Art. 12(3): the person is told of an extension and its reasons within the first month.
Art. 12(4): a refusal gives its reasons and the possibility to complain to the supervisory
authority and to seek a judicial remedy; so does an erasure's answer when the law keeps part of
the data (which table, under which text, until when: art. 17(3)(b)). Messages carry no
personal data beyond the address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from gardien.notify import Message
from gardien.policy.model import Policy
from gardien.requests.holds import hold_title
from gardien.requests.model import DataSubjectRequest, RefusalReason, RequestStatus, RequestType

_REFUSAL_WORDS = {
    RefusalReason.MANIFESTLY_UNFOUNDED: (
        "votre demande est manifestement infondée (article 12(5) du RGPD)",
        "your request is manifestly unfounded (GDPR art. 12(5))",
    ),
    RefusalReason.MANIFESTLY_EXCESSIVE: (
        "votre demande est manifestement excessive, notamment par son caractère répétitif "
        "(article 12(5) du RGPD)",
        "your request is manifestly excessive, in particular because of its repetitive "
        "character (GDPR art. 12(5))",
    ),
    RefusalReason.IDENTITY_NOT_CONFIRMED: (
        "nous n'avons pas pu confirmer votre identité (article 12(6) du RGPD)",
        "we could not confirm your identity (GDPR art. 12(6))",
    ),
    RefusalReason.RIGHT_NOT_APPLICABLE: (
        "le droit invoqué ne s'applique pas au traitement concerné",
        "the right invoked does not apply to the processing concerned",
    ),
}


def _en(request: DataSubjectRequest) -> bool:
    return request.lang == "en"


def _day(value: date | datetime) -> str:
    return f"{value:%d/%m/%Y}"


def extended(
    to: str, request: DataSubjectRequest, due: datetime, reason: str, policy: Policy
) -> Message:
    if _en(request):
        return Message(
            to,
            f"Your request {request.ref}: more time is needed",
            f"Hello,\n\nWe need more time to answer your request {request.ref} "
            f"({request.type.label('en').lower()}): we will answer by {_day(due)} at the latest "
            f"(GDPR art. 12(3)).\n\nReason: {reason}\n\n{policy.controller.name}\n",
        )
    return Message(
        to,
        f"Votre demande {request.ref} : délai prolongé",
        f"Bonjour,\n\nNous avons besoin de plus de temps pour répondre à votre demande "
        f"{request.ref} ({request.type.label('fr').lower()}) : nous vous répondrons au plus "
        f"tard le {_day(due)} (article 12(3) du RGPD).\n\nMotif : {reason}\n\n"
        f"{policy.controller.name}\n",
    )


def refused(
    to: str, request: DataSubjectRequest, why: RefusalReason, note: str, policy: Policy
) -> Message:
    authority = policy.supervisory_authority
    fr_reason, en_reason = _REFUSAL_WORDS[why]
    detail = f"\n{note}\n" if note else ""
    if _en(request):
        return Message(
            to,
            f"Your request {request.ref}",
            f"Hello,\n\nWe cannot act on your request {request.ref}: {en_reason}.\n{detail}\n"
            f"You may lodge a complaint with {authority.name} ({authority.website}) and seek a "
            f"judicial remedy (GDPR arts. 12(4), 77, 79).\n\n{policy.controller.name}\n",
        )
    return Message(
        to,
        f"Votre demande {request.ref}",
        f"Bonjour,\n\nNous ne pouvons pas donner suite à votre demande {request.ref} : "
        f"{fr_reason}.\n{detail}\nVous pouvez introduire une réclamation auprès de la "
        f"{authority.name} ({authority.website}) et former un recours juridictionnel "
        f"(articles 12(4), 77 et 79 du RGPD).\n\n{policy.controller.name}\n",
    )


def answered(
    to: str,
    request: DataSubjectRequest,
    policy: Policy,
    kept: Sequence[Mapping[str, Any]] = (),
) -> Message:
    """The request has been carried out (or in part); the documents are sent separately. An
    erasure's answer also says what legal holds keep (``kept``, from the dataset steps:
    :func:`gardien.requests.holds.kept_in`) and until when."""
    partial = request.status is RequestStatus.PARTIAL
    holds = _kept_words(request, policy, kept) if request.type is RequestType.ERASURE else ""
    if _en(request):
        state = "in part; we are completing the rest" if partial else "in full"
        return Message(
            to,
            f"Your request {request.ref} has been answered",
            f"Hello,\n\nYour request {request.ref} ({request.type.label('en').lower()}) has "
            f"been carried out {state}.\n{holds}\n{policy.controller.name}\n",
        )
    state = "en partie ; nous terminons le reste" if partial else "entièrement"
    return Message(
        to,
        f"Votre demande {request.ref} a été traitée",
        f"Bonjour,\n\nVotre demande {request.ref} ({request.type.label('fr').lower()}) a été "
        f"traitée {state}.\n{holds}\n{policy.controller.name}\n",
    )


def _kept_words(
    request: DataSubjectRequest, policy: Policy, kept: Sequence[Mapping[str, Any]]
) -> str:
    """What the law keeps, a line per table (empty when nothing is kept)."""
    if not kept:
        return ""
    en = _en(request)
    lines = []
    for item in kept:
        title = hold_title(policy, str(item["hold"]), request.lang, str(item["title"]))
        rows = int(item.get("rows") or 0)
        until = str(item.get("until") or "")
        end = _day(date.fromisoformat(until[:10])) if until else ""
        plural = "s" if rows != 1 else ""
        if en:
            when = f"erased by {end} at the latest" if end else "kept until the legal period ends"
            lines.append(f"- {title} ({item['law']}): {rows} row{plural}, {when}")
        else:
            when = (
                f"effacée{plural} au plus tard le {end}"
                if end
                else f"conservée{plural} jusqu'à la fin de la durée légale"
            )
            lines.append(f"- {title} ({item['law']}) : {rows} ligne{plural}, {when}")
    authority = policy.supervisory_authority
    if en:
        head = (
            "What the law requires us to keep, which we keep for that purpose only "
            "(GDPR art. 17(3)(b)):"
        )
        tail = (
            f"You may lodge a complaint with {authority.name} ({authority.website}) and seek a "
            "judicial remedy (GDPR arts. 12(4), 77, 79)."
        )
    else:
        head = (
            "Ce que la loi nous oblige à conserver, et que nous ne conservons que pour cette "
            "raison (article 17(3)(b) du RGPD) :"
        )
        tail = (
            f"Vous pouvez introduire une réclamation auprès de la {authority.name} "
            f"({authority.website}) et former un recours juridictionnel (articles 12(4), 77 "
            "et 79 du RGPD)."
        )
    return "\n" + head + "\n" + "\n".join(lines) + "\n\n" + tail + "\n"
