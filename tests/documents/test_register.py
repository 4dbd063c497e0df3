"""The record of processing activities (GDPR art. 30(1)), on the CNIL model plus legal basis."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from gardien.documents import UnsupportedFormatError, register_headers, render_register
from tests.documents.policies import minimal, shop

XHTML = "{http://www.w3.org/1999/xhtml}"

CNIL_COLUMNS = (
    "Nom du traitement",
    "N° / RÉF",
    "Date de création",
    "Mise à jour",
    "Responsable du traitement",
    "DPO",
    "Finalité principale",
    "Sous-finalités",
    "Catégories de données personnelles",
    "Durées de conservation",
    "Données sensibles",
    "Catégories de personnes concernées",
    "Destinataires (type)",
    "Transferts hors UE (destinataire, pays, garanties)",
    "Mesures de sécurité",
)


def _rows(lang: str = "fr") -> dict[str, dict[str, str]]:
    text = render_register(shop(), "csv", lang)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    ref = "N° / RÉF" if lang == "fr" else "Ref."
    return {row[ref]: row for row in reader}


def test_csv_has_one_row_per_purpose_and_the_cnil_headers_plus_legal_basis_and_source() -> None:
    text = render_register(shop(), "csv")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    assert reader.fieldnames is not None
    assert set(CNIL_COLUMNS) <= set(reader.fieldnames)
    assert {"Base légale", "Source des données"} <= set(reader.fieldnames)
    assert tuple(reader.fieldnames) == register_headers("fr")
    assert [r["N° / RÉF"] for r in rows] == [p.id for p in shop().purposes]


def test_register_rows_carry_basis_retention_holds_and_transfers() -> None:
    rows = _rows()
    orders = rows["orders"]
    assert orders["Nom du traitement"] == "Traiter et livrer vos commandes"
    assert orders["Base légale"] == (
        "Exécution d'un contrat (art. 6(1)(b)); "
        "Obligation légale (art. 6(1)(c)) : Code de commerce L123-22"
    )
    assert "Code de commerce L123-22" in orders["Durées de conservation"]
    assert orders["Sous-finalités"] == "Paiement, livraison | retours"
    assert orders["Transferts hors UE (destinataire, pays, garanties)"] == "Aucun"
    assert orders["Destinataires (type)"].startswith("Stripe Payments Europe (Sous-traitant)")
    newsletter = rows["newsletter"]
    assert newsletter["Transferts hors UE (destinataire, pays, garanties)"].startswith(
        "Mailchimp (Intuit), États-Unis, Clauses contractuelles types (art. 46)"
    )
    assert newsletter["Catégories de personnes concernées"] == "Clients; Prospects"
    assert "Fichiers Pro SARL" in newsletter["Source des données"]
    assert newsletter["Durées de conservation"] == "3 ans à compter du dernier contact"


def test_special_categories_name_their_art_9_condition() -> None:
    rows = _rows()
    assert rows["allergies"]["Données sensibles"] == (
        "Données de santé (art. 9(2)(a) : votre consentement explicite)"
    )
    assert rows["orders"]["Données sensibles"] == "Non"


def test_controller_dpo_dates_and_security_are_on_every_row() -> None:
    for row in _rows().values():
        assert row["Responsable du traitement"].startswith("Thé & Tisanes SAS, RCS Lyon")
        assert row["DPO"] == "Claire Martin, dpo@the-tisanes.example"
        assert row["Date de création"] == "2023-06-01"
        assert row["Mise à jour"] == "2025-03-01"
        assert "Chiffrement des données" in row["Mesures de sécurité"]


def test_english_register_has_english_headers_and_words() -> None:
    rows = _rows("en")
    orders = rows["orders"]
    assert orders["Legal basis"].startswith("Performance of a contract (art. 6(1)(b))")
    assert orders["Processing activity"] == "Process and deliver your orders"
    assert "10 years from the end of the financial year" in orders["Retention periods"]


def test_csv_is_utf8_text_with_crlf_rows() -> None:
    text = render_register(minimal(), "csv")
    assert text.encode("utf-8").decode("utf-8") == text
    assert text.count("\r\n") == 2  # header + one purpose


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_html_register_is_well_formed_with_one_fiche_per_purpose(lang: str) -> None:
    page = render_register(shop(), "html", lang)
    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))
    assert root.get("lang") == lang
    fiches = root.findall(f".//{XHTML}section")
    assert len(fiches) == len(shop().purposes)
    headers = [th.text for th in fiches[0].iter(f"{XHTML}th")]
    assert tuple(headers) == register_headers(lang)
    assert all(th.get("scope") == "row" for th in root.iter(f"{XHTML}th"))


def test_unknown_register_format_is_refused() -> None:
    with pytest.raises(UnsupportedFormatError):
        render_register(minimal(), "xlsx")  # type: ignore[arg-type]
