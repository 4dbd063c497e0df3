"""Why a decision came out as it did, in French and English, rendered only when asked.

The hot path returns codes; building sentences costs more than deciding, so it happens here,
lazily, when someone reads :meth:`Decision.reasons`.
"""

from __future__ import annotations

from enum import StrEnum

from gardien.policy.vocabulary import LegalBasisKind


class ReasonCode(StrEnum):
    """Stable codes for the outcome of a decision (the API returns these)."""

    BASIS_HOLDS = "basis_holds"
    CATEGORY_OUTSIDE_PURPOSE = "category_outside_purpose"
    NO_LEGAL_BASIS = "no_legal_basis"
    NO_CONSENT = "no_consent"
    CONSENT_REFUSED = "consent_refused"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CONSENT_EXPIRED = "consent_expired"
    CONSENT_OUTDATED = "consent_outdated"
    OBJECTION = "objection"
    RESTRICTED = "restricted"
    ERASED = "erased"
    STATE_READ_FROM_DATABASE = "state_read_from_database"
    """The cache was not known to be current (issue 9): the state was read from the database."""
    STATE_UNCONFIRMED = "state_unconfirmed"
    """Denied: the cache was not known to be current and the database could not be read."""


_TEXTS: dict[ReasonCode, tuple[str, str]] = {
    ReasonCode.BASIS_HOLDS: (
        "Autorisé : la finalité « {purpose} » repose sur : {basis} ({article}), "
        "qui s'applique à cette personne.",
        "Allowed: purpose '{purpose}' relies on {basis} ({article}), which holds for this person.",
    ),
    ReasonCode.CATEGORY_OUTSIDE_PURPOSE: (
        "Les données {details} ne font pas partie de la finalité « {purpose} » "
        "(limitation des finalités et minimisation, art. 5(1)(b) et (c)).",
        "Data {details} is not part of purpose '{purpose}' "
        "(purpose limitation and data minimisation, art. 5(1)(b) and (c)).",
    ),
    ReasonCode.NO_LEGAL_BASIS: (
        "La politique n'indique aucune base légale pour la finalité « {purpose} » "
        "(art. 6(1)) : aucun traitement n'est licite.",
        "The policy states no legal basis for purpose '{purpose}' (art. 6(1)): "
        "no processing is lawful.",
    ),
    ReasonCode.NO_CONSENT: (
        "Aucun consentement n'est enregistré pour la finalité « {purpose} » "
        "(art. 6(1)(a) et 7(1)).",
        "No consent is recorded for purpose '{purpose}' (art. 6(1)(a) and 7(1)).",
    ),
    ReasonCode.CONSENT_REFUSED: (
        "La personne a refusé son consentement pour la finalité « {purpose} ».",
        "The person refused consent for purpose '{purpose}'.",
    ),
    ReasonCode.CONSENT_WITHDRAWN: (
        "La personne a retiré son consentement pour la finalité « {purpose} » (art. 7(3)).",
        "The person withdrew consent for purpose '{purpose}' (art. 7(3)).",
    ),
    ReasonCode.CONSENT_EXPIRED: (
        "Le consentement pour la finalité « {purpose} » a expiré : il faut le redemander.",
        "Consent for purpose '{purpose}' has expired: it must be asked again.",
    ),
    ReasonCode.CONSENT_OUTDATED: (
        "La finalité « {purpose} » a changé depuis le consentement (nouvelles données ou "
        "nouveaux destinataires) : un nouveau consentement est nécessaire.",
        "Purpose '{purpose}' changed since consent was given (new data or recipients): "
        "new consent is needed.",
    ),
    ReasonCode.OBJECTION: (
        "La personne s'est opposée au traitement pour la finalité « {purpose} » (art. 21).",
        "The person objected to processing for purpose '{purpose}' (art. 21).",
    ),
    ReasonCode.RESTRICTED: (
        "Le traitement des données de cette personne est limité (art. 18) : "
        "elles ne peuvent qu'être conservées.",
        "Processing of this person's data is restricted (art. 18): it may only be stored.",
    ),
    ReasonCode.ERASED: (
        "Les données de cette personne ont été effacées (art. 17).",
        "This person's data has been erased (art. 17).",
    ),
    ReasonCode.STATE_READ_FROM_DATABASE: (
        "Cache non garanti à jour : l'état de la personne a été lu dans la base de données.",
        "Cache not known to be current; read from the database.",
    ),
    ReasonCode.STATE_UNCONFIRMED: (
        "Refusé : impossible de confirmer l'état actuel du consentement (et des oppositions, "
        "limitations, effacements) ; le cache n'est pas garanti à jour et la base de données "
        "est injoignable.",
        "Denied: cannot confirm current consent state (nor objections, restrictions, erasure): "
        "the cache is not known to be current and the database cannot be read.",
    ),
}

_DIRECT_MARKETING_OBJECTION = (
    " L'opposition à la prospection est absolue (art. 21(3)).",
    " An objection to direct marketing is absolute (art. 21(3)).",
)


def render(
    code: ReasonCode,
    lang: str,
    *,
    purpose: str,
    basis: LegalBasisKind | None,
    details: tuple[str, ...],
    direct_marketing: bool = False,
) -> str:
    """One sentence explaining ``code``, in ``lang`` (``fr`` by default, or ``en``)."""
    index = 1 if lang == "en" else 0
    text = _TEXTS[code][index].format(
        purpose=purpose,
        basis=basis.label(lang) if basis else "",
        article=basis.article if basis else "",
        details=", ".join(details),
    )
    if code is ReasonCode.OBJECTION and direct_marketing:
        text += _DIRECT_MARKETING_OBJECTION[index]
    return text
