"""The ledger's commands, run as a user would: exit codes, messages, tamper detection."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.cli import app
from tests.ledger.worlds import BOUTIQUE


def _runner(db_url: str, master_key: str) -> CliRunner:
    return CliRunner(
        env={
            "GARDIEN_DATABASE_URL": db_url,
            "GARDIEN_MASTER_KEY": master_key,
            "GARDIEN_POLICY": str(BOUTIQUE),
        }
    )


def test_the_marketing_story_from_the_command_line(db_url: str, master_key: str) -> None:
    cli = _runner(db_url, master_key)
    assert cli.invoke(app, ["db", "upgrade"]).exit_code == 0
    decide = [
        "decide",
        "--subject",
        "marie@example.fr",
        "-p",
        "marketing",
        "--data",
        "contact.email,identity",
    ]

    denied = cli.invoke(app, [*decide, "--lang", "en"])
    assert denied.exit_code == 1
    assert "No consent is recorded" in denied.output

    given = cli.invoke(
        app,
        [
            "consent",
            "give",
            "--subject",
            "email:Marie@Example.fr",
            "-p",
            "marketing",
            "--channel",
            "web_form",
            "--evidence",
            '{"ip": "203.0.113.7"}',
        ],
    )
    assert given.exit_code == 0, given.output
    allowed = cli.invoke(app, decide)
    assert allowed.exit_code == 0
    assert "autorisé (consent)" in allowed.output

    assert (
        cli.invoke(
            app, ["consent", "withdraw", "-s", "marie@example.fr", "-p", "marketing"]
        ).exit_code
        == 0
    )
    assert cli.invoke(app, decide).exit_code == 1

    shown = cli.invoke(app, ["subject", "show", "marie@example.fr"])
    assert shown.exit_code == 0
    assert "email:marie@example.fr" in shown.output
    assert "consent given: marketing via web_form" in shown.output
    assert "consent withdrawn: marketing via api" in shown.output


def test_objection_and_restriction_from_the_command_line(db_url: str, master_key: str) -> None:
    cli = _runner(db_url, master_key)
    cli.invoke(app, ["db", "upgrade"])
    analytics = ["decide", "-s", "customer:42", "-p", "analytics", "-d", "usage"]
    assert cli.invoke(app, analytics).exit_code == 0
    assert cli.invoke(app, ["object", "-s", "customer:42", "-p", "analytics"]).exit_code == 0
    assert cli.invoke(app, analytics).exit_code == 1
    registration = ["decide", "-s", "customer:42", "-p", "registration", "-d", "identity"]
    assert cli.invoke(app, registration).exit_code == 0
    assert cli.invoke(app, ["restrict", "-s", "customer:42"]).exit_code == 0
    restricted = cli.invoke(app, [*registration, "--lang", "en"])
    assert restricted.exit_code == 1
    assert "art. 18" in restricted.output


def test_an_unknown_purpose_exits_2_with_a_suggestion(db_url: str, master_key: str) -> None:
    cli = _runner(db_url, master_key)
    cli.invoke(app, ["db", "upgrade"])
    result = cli.invoke(app, ["decide", "-s", "a@b.fr", "-p", "marketting", "-d", "contact"])
    assert result.exit_code == 2
    assert "did you mean 'marketing'" in result.output


def test_a_missing_key_stops_with_a_clear_message(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./gardien.key here
    cli = CliRunner(
        env={
            "GARDIEN_DATABASE_URL": db_url,
            "GARDIEN_POLICY": str(BOUTIQUE),
            "GARDIEN_MASTER_KEY": "",
            "GARDIEN_KEY_FILE": "",
        }
    )
    result = cli.invoke(app, ["decide", "-s", "a@b.fr", "-p", "marketing"])
    assert result.exit_code == 2
    assert "no master key is configured" in result.output


def test_audit_verify_detects_a_row_tampered_with_in_the_database(
    db_url: str, master_key: str
) -> None:
    cli = _runner(db_url, master_key)
    cli.invoke(app, ["db", "upgrade"])
    cli.invoke(app, ["consent", "give", "-s", "marie@example.fr", "-p", "marketing"])
    cli.invoke(app, ["consent", "withdraw", "-s", "marie@example.fr", "-p", "marketing"])
    intact = cli.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0
    assert "intact: 4 entries" in intact.output

    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE gardien_audit_entries SET payload = replace(payload, 'withdrawn', 'given') "
                "WHERE seq = 4"
            )
        )
    engine.dispose()
    broken = cli.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "BROKEN at entry 4" in broken.output


def test_the_notice_shown_is_recorded_as_its_hash(
    db_url: str, master_key: str, tmp_path: Path
) -> None:
    cli = _runner(db_url, master_key)
    cli.invoke(app, ["db", "upgrade"])
    notice = tmp_path / "notice.txt"
    notice.write_text("Nous vous écrirons une fois par mois.", encoding="utf-8")
    given = cli.invoke(
        app, ["consent", "give", "-s", "a@b.fr", "-p", "marketing", "--notice", str(notice)]
    )
    assert given.exit_code == 0, given.output
    shown = cli.invoke(app, ["subject", "show", "a@b.fr", "--json"])
    record = json.loads(shown.output)["consents"][0]
    expected = hashlib.sha256(notice.read_bytes()).hexdigest()
    assert record["notice_hash"] == expected
    assert record["schema_version"] == "gardien-cr-1"
