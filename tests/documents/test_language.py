"""Durations, periods and dates in words, as a French or English reader writes them."""

from __future__ import annotations

from datetime import date

import pytest

from gardien.documents import UnsupportedLanguageError, duration_words, period_words
from gardien.documents.language import checked_language, country_name, date_words
from gardien.errors import GardienError
from gardien.policy import Duration, RetentionEvent


@pytest.mark.parametrize(
    ("iso", "french", "english"),
    [
        ("P10Y", "10 ans", "10 years"),
        ("P1Y", "1 an", "1 year"),
        ("P13M", "13 mois", "13 months"),
        ("P1M", "1 mois", "1 month"),
        ("P3Y6M", "3 ans et 6 mois", "3 years and 6 months"),
        ("P2W", "2 semaines", "2 weeks"),
        ("P1D", "1 jour", "1 day"),
        ("P10D", "10 jours", "10 days"),
        ("PT24H", "24 heures", "24 hours"),
        ("P1Y2M3D", "1 an, 2 mois et 3 jours", "1 year, 2 months, and 3 days"),
    ],
)
def test_durations_read_as_words_in_both_languages(iso: str, french: str, english: str) -> None:
    duration = Duration.parse(iso)
    assert duration_words(duration, "fr") == french
    assert duration_words(duration, "en") == english


def test_a_retention_period_names_the_event_it_counts_from() -> None:
    ten_years = Duration.parse("P10Y")
    assert (
        period_words(ten_years, RetentionEvent.END_OF_FINANCIAL_YEAR, "fr")
        == "10 ans à compter de la clôture de l'exercice comptable"
    )
    assert (
        period_words(ten_years, RetentionEvent.END_OF_FINANCIAL_YEAR, "en")
        == "10 years from the end of the financial year"
    )


def test_french_contracts_de_le_into_du() -> None:
    three_years = Duration.parse("P3Y")
    assert (
        period_words(three_years, RetentionEvent.LAST_CONTACT, "fr")
        == "3 ans à compter du dernier contact"
    )
    assert "de le" not in period_words(three_years, RetentionEvent.CONSENT, "fr")


def test_dates_and_countries_follow_the_locale() -> None:
    assert date_words(date(2025, 1, 15), "fr") == "15 janvier 2025"
    assert date_words(date(2025, 1, 15), "en") == "January 15, 2025"
    assert country_name("US", "fr") == "États-Unis"
    assert country_name("US", "en") == "United States"
    assert country_name("ZZ", "fr") == "pays non indiqué"


def test_an_unsupported_language_is_a_gardien_error_naming_the_choices() -> None:
    assert checked_language("EN") == "en"
    with pytest.raises(UnsupportedLanguageError) as caught:
        checked_language("de")
    assert isinstance(caught.value, GardienError)
    assert "fr, en" in caught.value.message
