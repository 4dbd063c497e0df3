"""`gardien notice`, `gardien register` and `gardien diff`, run as a user runs them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml
from typer.testing import CliRunner

from gardien.cli import app
from tests.documents.policies import MINIMAL, SHOP

runner = CliRunner()


def test_notice_prints_markdown_in_french_by_default() -> None:
    result = runner.invoke(app, ["notice", str(SHOP)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Politique de confidentialité — Thé & Tisanes SAS\n")
    assert "| But / Activité | Type de données | Fondement légal pour le traitement |" in (
        result.stdout
    )


def test_notice_writes_html_in_english_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "notice.html"
    result = runner.invoke(app, ["notice", str(SHOP), "-l", "en", "-f", "html", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    page = target.read_text(encoding="utf-8")
    assert '<html lang="en"' in page
    assert "Privacy notice" in page


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    result = runner.invoke(app, ["notice", str(SHOP), "--lang", "de"])
    assert result.exit_code == 2
    assert "'de' is not one of 'fr', 'en'" in " ".join(result.stderr.replace("│", " ").split())


def test_an_invalid_policy_is_reported_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("gardien: 1\nversion: x\n", encoding="utf-8")
    result = runner.invoke(app, ["notice", str(broken)])
    assert result.exit_code == 2
    assert "Invalid policy" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_register_prints_csv_with_one_row_per_purpose() -> None:
    result = runner.invoke(app, ["register", str(SHOP)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["N° / RÉF"] for r in rows] == [
        "orders",
        "recovery",
        "newsletter",
        "allergies",
        "fraud_scoring",
        "claims",
    ]


def test_register_html_in_english(tmp_path: Path) -> None:
    target = tmp_path / "register.html"
    result = runner.invoke(
        app, ["register", str(SHOP), "-f", "html", "-l", "en", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "Record of processing activities" in target.read_text(encoding="utf-8")


def test_diff_of_identical_policies_exits_0() -> None:
    result = runner.invoke(app, ["diff", str(SHOP), str(SHOP)])
    assert result.exit_code == 0, result.output
    assert "no change" in result.stdout


def test_diff_exits_1_when_people_must_be_told_or_asked_again(tmp_path: Path) -> None:
    data = yaml.safe_load(SHOP.read_text(encoding="utf-8"))
    newsletter = next(p for p in data["purposes"] if p["id"] == "newsletter")
    newsletter["categories"].append("profile")
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(SHOP), str(new), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "categories_added" in result.stdout
    assert "reconsent" in result.stdout
    assert "ask consent again for: newsletter" in result.stdout


def test_diff_exits_0_when_changes_need_no_action(tmp_path: Path) -> None:
    data = yaml.safe_load(SHOP.read_text(encoding="utf-8"))
    data["security_measures"].append({"kind": "backups", "description": {"fr": "Sauvegardes"}})
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(SHOP), str(new)])
    assert result.exit_code == 0, result.output
    assert "security_measures_changed" in result.stdout


def test_diff_with_a_missing_file_exits_2() -> None:
    result = runner.invoke(app, ["diff", str(MINIMAL), "nowhere.yaml"])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
