"""The privacy notice (GDPR arts. 12-14): what it must say, in each language and format."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import ClassVar

import pytest

from gardien.documents import UnsupportedFormatError, UnsupportedLanguageError, render_notice
from gardien.documents.strings import STRINGS
from gardien.policy import CookieCategory, LegalBasisKind, RecipientKind, SourceKind
from gardien.policy.vocabulary import (
    RetentionAction,
    RetentionEvent,
    Safeguard,
    SecurityMeasureKind,
)
from tests.documents.policies import minimal, purpose, shop, shop_variant

XHTML = "{http://www.w3.org/1999/xhtml}"
NBSP = "\u00a0"


def _table_row(markdown: str, first_cell_text: str, section: str = "") -> list[str]:
    """The cells of the first Markdown table row, after the heading ``section``, whose first
    cell contains ``first_cell_text``."""
    start = markdown.index(f" {section}\n") if section else 0
    for line in markdown[start:].splitlines():
        if line.startswith("|") and first_cell_text in line.split(" | ")[0]:
            return _cells(line)
    raise AssertionError(f"no table row starting with {first_cell_text!r}")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def test_purposes_table_has_seed_001_columns_with_basis_and_interest() -> None:
    notice = render_notice(shop(), "fr", "md")
    assert "| But / Activité | Type de données | Fondement légal pour le traitement |" in notice
    orders = _table_row(notice, "Traiter et livrer vos commandes")
    assert orders[1] == "Identité, Contact, Factures, Données de carte de paiement"
    assert "Exécution d'un contrat" in orders[2]
    assert "Obligation légale (Code de commerce L123-22)" in orders[2]
    recovery = _table_row(notice, "Recouvrer les impayés")
    assert recovery[2] == "Intérêt légitime (récupérer les sommes qui nous sont dues)"


def test_french_notice_keeps_punctuation_with_its_word() -> None:
    notice = render_notice(shop(), "fr", "html")
    assert f"«{NBSP}Gérer les cookies{NBSP}»" in notice
    assert f"Qui est responsable de vos données{NBSP}?" in notice
    assert "données ?" not in notice.split("<body>")[1]
    assert NBSP not in render_notice(shop(), "en", "html")


def test_consent_basis_says_how_to_withdraw() -> None:
    notice = render_notice(shop(), "fr", "md")
    newsletter = _table_row(notice, "Vous envoyer notre lettre d'information")
    assert newsletter[2] == (
        "Consentement (lien de désinscription dans chaque e-mail ou depuis votre compte)"
    )
    # Without stated terms the notice still says consent can be withdrawn (art. 7(3)).
    allergies = _table_row(notice, "Tenir compte de vos allergies")
    assert "vous pouvez retirer votre consentement à tout moment" in allergies[2]
    assert "art. 9(2)(a)" in allergies[2]


def test_english_notice_uses_english_headers_and_basis_labels() -> None:
    notice = render_notice(shop(), "en", "md")
    assert "| Purpose / Activity | Type of data | Lawful basis |" in notice
    recovery = _table_row(notice, "Recover unpaid sums")
    assert recovery[2] == "Legitimate interests (recovering money owed to us)"


def test_any_relevant_category_for_legal_claims() -> None:
    notice = render_notice(shop(), "fr", "md")
    claims = _table_row(notice, "Gérer les litiges")
    assert claims[1].startswith("Toute catégorie de données pertinente")


def test_every_markdown_table_row_has_as_many_cells_as_its_header() -> None:
    notice = render_notice(shop(), "fr", "md")
    widths: list[int] = []
    for line in notice.splitlines():
        if line.startswith("|"):
            widths.append(len(_cells(line)))
        elif widths:
            assert len(set(widths)) == 1, widths
            widths = []
    # The description "Paiement, livraison | retours" is escaped, not a new cell.
    assert "Paiement, livraison \\| retours" in notice


def test_legal_holds_name_their_law_and_period() -> None:
    notice = render_notice(shop(), "fr", "md")
    hold = _table_row(notice, "Factures")
    assert hold[2] == "10 ans à compter de la clôture de l'exercice comptable"
    assert hold[3] == "Code de commerce L123-22"
    english = render_notice(shop(), "en", "md")
    assert "10 years from the end of the financial year" in english


def test_a_purpose_with_a_legal_hold_shows_the_law_in_its_retention_row() -> None:
    notice = render_notice(shop(), "fr", "md")
    retention = f"Combien de temps conservons-nous vos données{NBSP}?"
    orders = _table_row(notice, "Traiter et livrer vos commandes", retention)
    assert orders[1].endswith(
        f"<br>Archivage légal — Factures{NBSP}: 10 ans à compter de la clôture de l'exercice "
        "comptable (Code de commerce L123-22)"
    )
    recovery = _table_row(notice, "Recouvrer les impayés", retention)
    assert "Code de commerce" not in recovery[1]


def test_retention_shows_duration_in_words_or_criteria() -> None:
    notice = render_notice(shop(), "fr", "md")
    retention = f"Combien de temps conservons-nous vos données{NBSP}?"
    orders = _table_row(notice, "Traiter et livrer vos commandes", retention)
    assert orders[1].startswith("3 ans à compter de la fin de la relation commerciale<br>")
    assert orders[2] == "Suppression"
    claims = _table_row(notice, "Gérer les litiges", retention)
    assert claims[1] == "Jusqu'à la fin de la procédure et des délais de recours"


def test_supervisory_authority_defaults_to_the_cnil_with_its_address() -> None:
    for policy in (minimal(), shop()):
        notice = render_notice(policy, "fr", "md")
        assert "Commission Nationale de l'Informatique et des Libertés (CNIL)" in notice
        assert "3 Place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France" in notice
        assert "art. 77 RGPD" in notice


def test_sources_name_the_third_party_and_its_categories() -> None:
    notice = render_notice(shop(), "fr", "md")
    row = _table_row(notice, "Fichier de prospects loué")
    assert row[1:] == ["Reçues de tiers", "Fichiers Pro SARL", "Identité, Adresse e-mail"]


def test_transfers_outside_the_eea_show_their_safeguard() -> None:
    notice = render_notice(shop(), "fr", "md")
    row = _table_row(
        notice, "Mailchimp (Intuit)", "Transferts hors de l'Espace économique européen"
    )
    assert row[1:3] == ["États-Unis", "Clauses contractuelles types (art. 46)"]
    assert "Vos données ne sont pas transférées" not in notice
    assert "Vos données ne sont pas transférées" in render_notice(minimal(), "fr", "md")


def test_cookies_table_says_whether_consent_is_needed() -> None:
    notice = render_notice(shop(), "fr", "md")
    assert _table_row(notice, "`_fbp`")[1:] == [
        "Meta",
        "Publicité",
        "Publicité",
        "3 mois",
        "Requis",
    ]
    assert _table_row(notice, "`session_id`")[4:] == [
        "Le temps de la session",
        "Exempté (strictement nécessaire)",
    ]
    assert _table_row(notice, "`_pk_id`")[4:] == ["13 mois", "Exempté (mesure d'audience anonyme)"]
    assert "Cookies et autres traceurs" not in render_notice(minimal(), "fr", "md")


def test_automated_decisions_and_processor_role_are_explained() -> None:
    notice = render_notice(shop(), "fr", "md")
    decision = _table_row(notice, "Détecter la fraude à la carte", "Décisions automatisées")
    assert decision[2] == "Une commande à risque élevé est refusée"
    assert "intervention humaine" in notice
    assert "qualité de sous-traitant (art. 28 RGPD)" in notice
    bare = render_notice(minimal(), "fr", "md")
    assert "Nous ne prenons aucune décision fondée exclusivement" in bare
    assert "sous-traitant (art. 28" not in bare


def test_rights_list_every_article_and_direct_marketing_objection_is_absolute() -> None:
    notice = render_notice(shop(), "fr", "md")
    for article in ("art. 15", "art. 16", "art. 17", "art. 18", "art. 20", "art. 21", "art. 7(3)"):
        assert f"({article})" in notice, article
    assert "sans avoir à vous justifier" in notice
    assert "droits@the-tisanes.example" in notice
    assert "https://the-tisanes.example/mes-droits" in notice
    assert "délai d'un mois" in notice
    bare = render_notice(minimal(), "fr", "md")
    assert "sans avoir à vous justifier" not in bare  # no direct marketing there
    assert "(art. 7(3))" not in bare  # and no consent


def test_without_a_rights_contact_requests_go_to_the_dpo() -> None:
    def no_rights_contact(data: dict[str, object]) -> None:
        data.pop("rights")

    notice = render_notice(shop_variant(no_rights_contact), "fr", "md")
    assert f"- Par e-mail{NBSP}: dpo@the-tisanes.example" in notice


def test_version_effective_date_and_changelog_with_localised_dates() -> None:
    french = render_notice(shop(), "fr", "md")
    assert "Version 2.1, en vigueur depuis le 1 mars 2025." in french
    assert _table_row(french, "1.0")[1:] == ["1 juin 2023", "Première publication"]
    english = render_notice(shop(), "en", "md")
    assert "Version 2.1, in effect since March 1, 2025." in english


def test_a_purpose_without_stated_basis_says_so() -> None:
    def no_basis(data: dict[str, object]) -> None:
        purpose(data, "recovery")["legal_bases"] = []  # type: ignore[arg-type]

    notice = render_notice(shop_variant(no_basis), "fr", "md")
    assert _table_row(notice, "Recouvrer les impayés")[2] == "Non indiqué dans la politique"


def _fixed_phrases(lang_index: int) -> set[str]:
    """Every fixed sentence (or fragment around placeholders) and label of one language,
    keeping only those that differ from the other language."""
    other = 1 - lang_index

    def fragments(index: int) -> set[str]:
        found: set[str] = set()
        for pair in STRINGS.values():
            for fragment in re.split(r"\{[a-z_]+\}", pair[index]):
                if len(fragment.strip(" :.,()")) >= 4:
                    found.add(fragment.strip(" :.,"))
        return found

    phrases = fragments(lang_index) - fragments(other)
    lang = ("fr", "en")[lang_index]
    other_lang = ("fr", "en")[other]
    for enum in (
        LegalBasisKind,
        SourceKind,
        RecipientKind,
        Safeguard,
        RetentionEvent,
        RetentionAction,
        CookieCategory,
        SecurityMeasureKind,
    ):
        for member in enum:  # type: ignore[attr-defined]
            if member.label(lang) != member.label(other_lang):
                phrases.add(member.label(lang))
    return phrases


def _found(phrases: set[str], document: str) -> list[str]:
    """The phrases that occur as whole words in the document's text (HTML entities decoded)."""
    text = html.unescape(document).replace(NBSP, " ")
    return [p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_english_fixed_sentence_leaks_into_the_french_notice(fmt: str) -> None:
    english_phrases = _fixed_phrases(1)
    # The check can fail: the English notice is full of them.
    assert len(_found(english_phrases, render_notice(shop(), "en", fmt))) > 80  # type: ignore[arg-type]
    assert _found(english_phrases, render_notice(shop(), "fr", fmt)) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_no_french_fixed_sentence_leaks_into_the_english_notice(fmt: str) -> None:
    french_phrases = _fixed_phrases(0)
    assert len(_found(french_phrases, render_notice(shop(), "fr", fmt))) > 80  # type: ignore[arg-type]
    assert _found(french_phrases, render_notice(shop(), "en", fmt)) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_html_notice_is_well_formed_accessible_and_standalone(lang: str) -> None:
    page = render_notice(shop(), lang, "html")
    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))
    assert root.tag == f"{XHTML}html"
    assert root.get("lang") == lang
    assert len(root.findall(f".//{XHTML}h1")) == 1
    headers = root.findall(f".//{XHTML}th")
    assert headers
    assert all(th.get("scope") in ("col", "row") for th in headers)
    assert root.find(f".//{XHTML}style") is not None
    # Nothing fetched from elsewhere.
    assert "<link" not in page
    assert "<script" not in page
    # Every section announced in the table of contents exists.
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    links = [a.get("href", "") for a in root.iter(f"{XHTML}a")]
    assert all(link[1:] in ids for link in links if link.startswith("#"))


def test_html_escapes_policy_text_and_parses_with_the_html_parser() -> None:
    page = render_notice(shop(), "fr", "html")
    assert "Thé &amp; Tisanes SAS" in page
    opened: list[str] = []

    class Balance(HTMLParser):
        void: ClassVar[frozenset[str]] = frozenset({"meta", "br", "link", "img"})

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in self.void:
                opened.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert opened.pop() == tag

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            """``<meta />``: opens and closes at once."""

    Balance().feed(page)
    assert opened == []


def test_purpose_row_in_html_has_basis_and_interest() -> None:
    page = render_notice(shop(), "fr", "html")
    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))
    row = root.find(f".//{XHTML}tr[@id='purpose-recovery']")
    assert row is not None
    text = " ".join("".join(row.itertext()).split())
    assert "Recouvrer les impayés" in text
    assert "Intérêt légitime (récupérer les sommes qui nous sont dues)" in text


def test_minimal_policy_renders_in_every_language_and_format() -> None:
    for lang in ("fr", "en"):
        for fmt in ("md", "html"):
            notice = render_notice(minimal(), lang, fmt)  # type: ignore[arg-type]
            assert "Boutique Exemple SAS" in notice


def test_unknown_language_or_format_is_refused() -> None:
    with pytest.raises(UnsupportedLanguageError):
        render_notice(minimal(), "de")
    with pytest.raises(UnsupportedFormatError):
        render_notice(minimal(), "fr", "pdf")  # type: ignore[arg-type]
