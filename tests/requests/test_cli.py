"""`gardien request …` end to end, configured only through the environment, as a user would."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gardien.cli import app
from gardien.notify import Outbox
from tests.requests.world import SHOP_DECLARATION, shop_policy, snapshot

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, shop_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    policy = tmp_path / "policy.yaml"
    data = shop_policy().model_dump(by_alias=True, mode="json", exclude_none=True)
    policy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    datasets = tmp_path / "datasets"
    datasets.mkdir()
    shutil.copy(SHOP_DECLARATION, datasets / "shop.yaml")
    for name, value in {
        "GARDIEN_POLICY": str(policy),
        "GARDIEN_DATABASE_URL": f"sqlite:///{tmp_path / 'gardien.db'}",
        "GARDIEN_MASTER_KEY": base64.b64encode(b"k" * 32).decode(),
        # With the key in the environment, the shred journal must be named (erasures must
        # survive a restore of an older backup).
        "GARDIEN_SHRED_JOURNAL": str(tmp_path / "shreds"),
        "GARDIEN_MAIL_OUTBOX": str(tmp_path / "outbox"),
        "GARDIEN_DATASETS": str(datasets),
        "GARDIEN_REQUESTS_DIR": str(tmp_path / "requests"),
        "SHOP_DATABASE_URL": shop_url,
    }.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def gardien(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_an_erasure_from_the_command_line(env: Path, shop_url: str) -> None:
    created = gardien("request", "new", "--type", "erasure", "--subject", "marie@example.fr")
    ref = re.search(r"R-[A-Z0-9]{8}", created)
    assert ref is not None
    gardien("request", "send-code", ref.group(0))
    message = Outbox(env / "outbox").latest("marie@example.fr")
    assert message is not None
    code = re.search(r"\b\d{6}\b", message.text)
    assert code is not None
    assert "identity confirmed" in gardien(
        "request", "verify", ref.group(0), "--code", code.group(0)
    )
    before = snapshot(shop_url)
    preview = gardien("request", "run", ref.group(0), "--dry-run")
    assert "dry run: nothing was changed" in preview
    assert "reviews: deleted 1" in preview
    assert "kept 1 under Code de commerce L123-22 until 2035-12-31" in preview
    assert snapshot(shop_url) == before
    done = gardien("request", "run", ref.group(0))
    assert "completed" in done
    assert f"the person's report: gardien request report {ref.group(0)}" in done
    shown = json.loads(gardien("request", "show", ref.group(0), "--json"))
    assert shown["status"] == "completed"
    assert {s["step"]: s["status"] for s in shown["steps"]} == {
        "dataset:shop": "done",
        "ledger:erasure": "done",
        "vault:shred": "done",
        "art19:recipients": "done",
    }
    assert "step         dataset:shop: done" in gardien("request", "show", ref.group(0))
    assert shown["due_at"].startswith("2026-12-") or shown["due_at"] > shown["received_at"]
    wrote = gardien("request", "report", ref.group(0), "--lang", "en")
    assert "erasure-report.html" in wrote
    report = json.loads((env / "requests" / ref.group(0) / "erasure-report.json").read_text())
    assert report["kept"][0]["law"] == "Code de commerce L123-22"
    html = (env / "requests" / ref.group(0) / "erasure-report.html").read_text()
    assert "Erasure of your data" in html
    elsewhere = env / "for-the-person"
    gardien("request", "report", ref.group(0), "--to", str(elsewhere))
    assert "Effacement de vos données" in (elsewhere / "erasure-report.html").read_text()


def test_list_extend_and_refuse_from_the_command_line(env: Path) -> None:
    first = gardien("request", "new", "--type", "access", "--subject", "paul@example.fr")
    ref = re.search(r"R-[A-Z0-9]{8}", first)
    assert ref is not None
    gardien(
        "request",
        "new",
        "--type",
        "objection",
        "--subject",
        "lea@example.fr",
        "--purpose",
        "marketing",
    )
    listed = json.loads(gardien("request", "list", "--json"))
    assert len(listed) == 2
    extended = gardien("request", "extend", ref.group(0), "--reason", "Demandes nombreuses")
    assert "now due" in extended
    refused = runner.invoke(app, ["request", "refuse", ref.group(0), "--reason", "nonsense"])
    assert refused.exit_code != 0
    early = runner.invoke(app, ["request", "complete", ref.group(0), "--note", "by hand"])
    assert early.exit_code == 2
    assert "only a partial, failed or stuck run is closed by hand" in early.output
    gardien("request", "refuse", ref.group(0), "--reason", "manifestly_unfounded")
    assert len(json.loads(gardien("request", "list", "--json"))) == 1
    assert len(json.loads(gardien("request", "list", "--all", "--json"))) == 2


def test_an_unknown_request_is_a_clear_error(env: Path) -> None:
    result = runner.invoke(app, ["request", "show", "R-NOPE0000"])
    assert result.exit_code == 2
    assert "no request" in result.output


def test_a_postal_request_confirmed_by_hand_then_run_with_all(env: Path) -> None:
    created = gardien(
        "request",
        "new",
        "--type",
        "access",
        "--subject",
        "customer:1",
        "--channel",
        "postal",
        "--contact",
        "marie@example.fr",
    )
    ref = re.search(r"R-[A-Z0-9]{8}", created)
    assert ref is not None
    assert "nothing to run" in gardien("request", "run", "--all")
    gardien("request", "confirm", ref.group(0), "--how", "signed letter; customer number matches")
    done = gardien("request", "run", "--all")
    assert f"{ref.group(0)}: completed" in done
    assert (env / "requests" / ref.group(0) / "access.zip").is_file()
    both = runner.invoke(app, ["request", "run", ref.group(0), "--all"])
    assert both.exit_code == 2
