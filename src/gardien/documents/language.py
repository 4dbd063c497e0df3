"""Words that depend on the reader's language: durations, dates, countries, lists.

A notice is written "in clear and plain language" (GDPR art. 12(1)); ``P10Y`` is not. These
helpers turn the policy's machine values into the words a French or English reader expects,
with Babel for dates, country names and lists so that each follows its locale's conventions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Literal

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list

from gardien.errors import GardienError
from gardien.policy.durations import Duration
from gardien.policy.vocabulary import Lang, RetentionEvent

Language = Literal["fr", "en"]
SUPPORTED: tuple[Language, ...] = ("fr", "en")


class UnsupportedLanguageError(GardienError):
    """A document was asked for in a language Gardien has no sentences for."""

    code = "unsupported_language"

    def __init__(self, lang: str) -> None:
        super().__init__(
            f"no documents in language {lang!r}; choose one of: {', '.join(SUPPORTED)}"
        )
        self.lang = lang


class UnsupportedFormatError(GardienError):
    """A document was asked for in a format it is not produced in."""

    code = "unsupported_format"

    def __init__(self, document: str, fmt: str, choices: Iterable[str]) -> None:
        super().__init__(f"no {document} in format {fmt!r}; choose one of: {', '.join(choices)}")
        self.fmt = fmt


def checked_language(lang: str) -> Language:
    """The language code if Gardien can write in it, else :class:`UnsupportedLanguageError`."""
    code = lang.value if isinstance(lang, Lang) else lang.strip().lower()
    if code == "fr":
        return "fr"
    if code == "en":
        return "en"
    raise UnsupportedLanguageError(lang)


# (singular, plural) per unit and language.
_UNITS: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {
        "years": ("an", "ans"),
        "months": ("mois", "mois"),
        "weeks": ("semaine", "semaines"),
        "days": ("jour", "jours"),
        "hours": ("heure", "heures"),
        "minutes": ("minute", "minutes"),
        "seconds": ("seconde", "secondes"),
    },
    "en": {
        "years": ("year", "years"),
        "months": ("month", "months"),
        "weeks": ("week", "weeks"),
        "days": ("day", "days"),
        "hours": ("hour", "hours"),
        "minutes": ("minute", "minutes"),
        "seconds": ("second", "seconds"),
    },
}
_FROM = {"fr": "à compter de", "en": "from"}
_NOTHING = {"fr": "aucune durée", "en": "no time"}


def duration_words(duration: Duration, lang: Language) -> str:
    """``P3Y6M`` as "3 ans et 6 mois" / "3 years and 6 months"."""
    units = _UNITS[lang]
    weeks, days = divmod(duration.days, 7) if duration.days % 7 == 0 else (0, duration.days)
    hours, rest = divmod(duration.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    amounts = (
        ("years", duration.years),
        ("months", duration.months),
        ("weeks", weeks),
        ("days", days),
        ("hours", hours),
        ("minutes", minutes),
        ("seconds", seconds),
    )
    parts = [
        f"{amount} {units[unit][0 if amount == 1 else 1]}" for unit, amount in amounts if amount
    ]
    if not parts:
        return _NOTHING[lang]
    return format_list(parts, locale=lang)


def period_words(duration: Duration, event: RetentionEvent, lang: Language) -> str:
    """ "10 ans à compter de la clôture de l'exercice comptable" (GDPR art. 13(2)(a))."""
    return f"{duration_words(duration, lang)} {from_event(event, lang)}"


def from_event(event: RetentionEvent, lang: Language) -> str:
    """ "à compter du dernier contact" / "from the last contact": French contracts de + le."""
    label = event.label(lang)
    if lang == "fr":
        if label.startswith("le "):
            return f"à compter du {label[3:]}"
        if label.startswith("les "):
            return f"à compter des {label[4:]}"
    return f"{_FROM[lang]} {label}"


@lru_cache(maxsize=4096)
def date_words(value: date, lang: Language) -> str:
    """A date as the language writes it: "15 janvier 2025", "January 15, 2025".

    Cached: Babel takes ~30 µs a date, and a batch of reports writes the same few days."""
    return format_date(value, format="long", locale=lang)


UNKNOWN_COUNTRY = "ZZ"
"""ISO 3166 user-assigned code the policy file uses when the source does not say where."""


def country_name(code: str, lang: Language) -> str:
    """An ISO 3166-1 alpha-2 code as the country's name in the language ("États-Unis")."""
    if code.upper() == UNKNOWN_COUNTRY:
        return "pays non indiqué" if lang == "fr" else "country not stated"
    name = Locale(lang).territories.get(code.upper())
    return str(name) if name else code


def colon(lang: Language) -> str:
    """The colon as the language writes it: French puts a space before it."""
    return " : " if lang == "fr" else ": "


_BEFORE_HIGH_PUNCTUATION = re.compile(r" ([:;?!»])")


def french_spacing(text: str) -> str:
    """French typography: a no-break space before ``: ; ? ! »`` and after ``«``.

    Without it a browser may put a lone colon or closing guillemet at the start of a line.
    """
    return _BEFORE_HIGH_PUNCTUATION.sub("\u00a0\\1", text).replace("« ", "«\u00a0")


def list_words(items: Iterable[str], lang: Language) -> str:
    """ "a, b et c" / "a, b, and c"; empty string for no items."""
    values = [i for i in items if i]
    return format_list(values, locale=lang) if values else ""
