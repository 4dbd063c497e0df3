"""The banner's own sentences, in French (the default) and English.

Everything specific to the organisation (its name, the purposes, the cookies, their lifetimes)
comes from the policy in :mod:`gardien.service.banner.config`; these are the words around it.
The three choices are named as the CNIL recommendation (2020) names them: "Tout accepter",
"Tout refuser", "Personnaliser".
"""

from __future__ import annotations

from typing import Literal

from gardien.policy.durations import Duration

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")

# Placeholders filled by the script: {controller} from the policy, {purposes} from the
# consent-based categories, {months} from the validity of a choice.
UI_TEXTS: dict[Language, dict[str, str]] = {
    "fr": {
        "title": "Vos choix sur les cookies",
        "intro": (
            "{controller} et ses partenaires souhaitent déposer des cookies sur votre appareil "
            "pour : {purposes}. Rien n'est déposé sans votre accord, sauf les cookies "
            "nécessaires au site. Vous pouvez accepter, refuser ou choisir par finalité ; "
            "votre choix est conservé {months} mois et modifiable à tout moment avec le "
            "bouton « Cookies »."
        ),
        "accept": "Tout accepter",
        "refuse": "Tout refuser",
        "customize": "Personnaliser",
        "save": "Enregistrer mes choix",
        "notice": "Politique de confidentialité",
        "reopen": "Cookies",
        "always": "Toujours actifs",
        "exempt": (
            "Nécessaires au fonctionnement du site ou exemptés de consentement "
            "(lignes directrices de la CNIL) : ils ne peuvent pas être désactivés."
        ),
        "gpc": (
            "Votre navigateur envoie le signal Global Privacy Control : la publicité et les "
            "réseaux sociaux sont refusés."
        ),
        "saved": "Vos choix ont été enregistrés.",
        "cookies": "Cookies",
        "provider": "Fournisseur",
        "lifetime": "Durée",
    },
    "en": {
        "title": "Your cookie choices",
        "intro": (
            "{controller} and its partners would like to set cookies on your device for: "
            "{purposes}. Nothing is set without your agreement, except the cookies the site "
            "needs to work. You can accept, refuse or choose per purpose; your choice is kept "
            "for {months} months and can be changed at any time with the “Cookies” button."
        ),
        "accept": "Accept all",
        "refuse": "Refuse all",
        "customize": "Customize",
        "save": "Save my choices",
        "notice": "Privacy notice",
        "reopen": "Cookies",
        "always": "Always active",
        "exempt": (
            "Needed for the site to work or exempt from consent (CNIL guidelines): they cannot "
            "be turned off."
        ),
        "gpc": (
            "Your browser sends the Global Privacy Control signal: advertising and social "
            "media are refused."
        ),
        "saved": "Your choices have been saved.",
        "cookies": "Cookies",
        "provider": "Provider",
        "lifetime": "Lifetime",
    },
}

_UNITS: dict[Language, tuple[tuple[str, str], ...]] = {
    "fr": (("an", "ans"), ("mois", "mois"), ("jour", "jours"), ("heure", "heures")),
    "en": (("year", "years"), ("month", "months"), ("day", "days"), ("hour", "hours")),
}
_SESSION: dict[Language, str] = {"fr": "le temps de la session", "en": "for the session"}
_AND: dict[Language, str] = {"fr": " et ", "en": " and "}


def lifetime_words(lifetime: Duration | str, lang: Language) -> str:
    """A cookie's lifetime as a reader says it: "13 mois", "1 year", "le temps de la session".

    CNIL 2020: a tracker lives at most 13 months, and the banner must say how long.
    """
    if not isinstance(lifetime, Duration):
        return _SESSION[lang]
    amounts = (lifetime.years, lifetime.months, lifetime.days, lifetime.seconds // 3600)
    parts = [
        f"{amount} {unit[0] if amount == 1 else unit[1]}"
        for amount, unit in zip(amounts, _UNITS[lang], strict=True)
        if amount
    ]
    return _AND[lang].join(parts) if parts else _SESSION[lang]
