"""The notice generated from each seed's policy file says what the seed says.

The expectations are written from the seed texts themselves (``shared/seeds/``), not from our
policy files, so a mistake in either the file or the generator shows here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gardien.documents import render_notice
from gardien.policy import load_policy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def notice(name: str, lang: str = "fr") -> str:
    return render_notice(load_policy(EXAMPLES / name), lang=lang, fmt="md")


def table_row(text: str, title: str) -> list[str]:
    """The cells of the purposes-table row whose first cell starts with ``title``."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].lstrip("*").startswith(title):
            return cells
    raise AssertionError(f"no purposes-table row for {title!r}")


# Seed 001, its table as printed: "But / Activité", "Type de données", "Fondement légal".
SEED_001 = [
    (
        "Pour vous enregistrer en tant que nouveau client",
        "Identité Contact",
        ["Exécution d'un contrat"],
    ),
    (
        "Afin de traiter et délivrer votre commande",
        "Identité Contact Financières Transaction Marketing et communication",
        ["Exécution d'un contrat", "Intérêt légitime (récupérer des dettes"],
    ),
    (
        "Pour gérer notre relation avec vous",
        "Identité Contact Profil Marketing et communication",
        [
            "Exécution d'un contrat",
            "Obligation légale",
            "Intérêt légitime (tenir à jour nos registres",
        ],
    ),
    (
        "Afin de vous envoyer des communications marketing directes",
        "Identité Contact Profil Marketing et communication",
        ["Consentement"],
    ),
    (
        "Pour vous permettre de participer à un tirage au sort",
        "Identité Contact Profil Utilisation Marketing et communication",
        ["Exécution d'un contrat", "Intérêt légitime (étudier comment nos clients"],
    ),
    (
        "Afin d'administrer et de protéger notre entreprise",
        "Identité Contact Technique Suivi",
        ["Intérêt légitime (pour la conduite de notre entreprise", "Obligation légale"],
    ),
    (
        "Afin de vous fournir des publicités et du contenu pertinents",
        "Identité Contact Profil Utilisation Marketing et communication Technique Suivi",
        ["Intérêt légitime (étudier comment nos clients"],
    ),
    (
        "Afin d'utiliser des analyses de données",
        "Technique Suivi Utilisation",
        ["Intérêt légitime (définir les types de clients"],
    ),
    (
        "Afin de vous proposer des suggestions et recommandations",
        "Identité Contact Technique Utilisation Profil",
        ["Intérêt légitime (développer nos produits ou services"],
    ),
    (
        "Afin d'empêcher et de détecter des actes illicites",
        "Identité Contact Financières Transaction Technique Suivi",
        ["Intérêt légitime (protéger notre activité", "Obligation légale"],
    ),
    (
        "Afin de résoudre des réclamations ou des litiges",
        "Toute catégorie de données",
        ["Intérêt légitime (présenter ou contester une réclamation"],
    ),
]
DATA_TYPES = [
    "Marketing et communication",
    "Identité",
    "Contact",
    "Financières",
    "Transaction",
    "Profil",
    "Utilisation",
    "Technique",
    "Suivi",
    "Toute catégorie de données",
]


def _types(words: str) -> set[str]:
    found, rest = set(), words
    for label in DATA_TYPES:
        if label in rest:
            found.add(label)
            rest = rest.replace(label, "")
    return found


@pytest.mark.parametrize(("title", "types", "bases"), SEED_001, ids=[r[0][:30] for r in SEED_001])
def test_seed_001_notice_has_each_purpose_with_its_data_types_and_legal_bases(
    title: str, types: str, bases: list[str]
) -> None:
    _, data, legal = table_row(notice("001-boutique.yaml"), title)
    assert _types(data) == _types(types)
    for basis in bases:
        assert basis in legal


def test_seed_001_notice_has_the_seeds_table_headings() -> None:
    text = notice("001-boutique.yaml")
    assert "| But / Activité | Type de données | Fondement légal pour le traitement |" in text


def test_seed_000_notice_names_the_three_sources_and_the_processor_role() -> None:
    text = notice("000-wix.yaml")
    assert "Fournies par vous" in text
    assert "Collectées automatiquement" in text
    assert "fraude" in text  # third parties: fraud-prevention providers
    assert "réseaux sociaux" in text
    assert "Utilisateurs de l'Utilisateur" in text or "pour le compte" in text


def test_seed_002_notice_names_partners_authorities_and_the_cnil_address_it_gives() -> None:
    text = notice("002-lws.yaml")
    assert "enregistrement de domaine" in text
    assert "SSL" in text
    assert "3 Place de Fontenoy" in text
    assert "Espace Client" in text
    assert "4 rue Galvani" in text


def test_seed_003_notice_is_dated_10_may_2017_and_mentions_anonymised_statistics() -> None:
    text = notice("003-optipic.yaml")
    assert "10 mai 2017" in text
    assert "anonymis" in text


def test_seed_004_notice_says_data_is_hosted_in_france_and_no_basis_is_invented() -> None:
    text = notice("004-petit-site.yaml")
    assert "France" in text
    assert table_row(text, "Comprendre")[2] == "Non indiqué dans la politique"


def test_the_english_notice_of_seed_001_translates_the_table() -> None:
    text = notice("001-boutique.yaml", "en")
    assert "Performance of a contract" in text
    assert "Legitimate interests" in text
