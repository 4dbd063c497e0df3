"""Rendering the documents a person receives: the access report and the erasure report.

Autoescaped HTML (a purpose title or a stored value must never become markup), French by
default, English on request; words for durations, dates and countries come from
:mod:`gardien.documents.language`, so a report and the notice say things the same way.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from gardien.documents.language import country_name, date_words, period_words


def _day(value: object, lang: str) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return date_words(value, "en" if lang == "en" else "fr")
    return "—"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("gardien.requests", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the package: no stat of the file before every render (a
        # batch of erasures renders a thousand reports).
        auto_reload=False,
    )
    env.globals["country"] = lambda code, lang: country_name(code, "en" if lang == "en" else "fr")
    env.globals["day"] = _day
    env.globals["period"] = lambda d, e, lang: period_words(d, e, "en" if lang == "en" else "fr")
    return env


def render(template: str, *, lang: str, **context: object) -> str:
    def t(fr: str, en: str) -> str:
        return en if lang == "en" else fr

    return environment().get_template(template).render(lang=lang, t=t, **context)
