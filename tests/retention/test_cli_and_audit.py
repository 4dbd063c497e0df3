"""``gardien retention plan|run`` on the shop, and the sweep's entries in the audit trail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.audit.chain import AuditTrail
from gardien.cli import app
from gardien.retention import dataset_source, run_sweep
from gardien.retention.recording import AuditRecorder
from gardien.storage import create_engine, upgrade
from tests.retention import world


@pytest.fixture
def declared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    folder = tmp_path / "datasets"
    folder.mkdir()
    shutil.copy(world.FIXTURES / "shop.yaml", folder / "shop.yaml")
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("SHOP_DATABASE_URL", url)
    monkeypatch.setenv("GARDIEN_DATASETS", str(folder))
    monkeypatch.setenv("GARDIEN_POLICY", str(world.FIXTURES / "policy.yaml"))
    return world.build(url)


def test_plan_prints_counts_per_rule_and_table_and_run_sweeps(declared: sa.Engine) -> None:
    runner = CliRunner()
    planned = runner.invoke(app, ["retention", "plan", "--json"])
    assert planned.exit_code == 0, planned.output
    tables = {t["table"]: t for t in json.loads(planned.output)["tables"]}
    assert set(tables) == {"invoice", "orders", "customer", "access_log"}
    assert tables["invoice"]["held"] == 1
    assert tables["customer"]["action"] == "anonymise"
    ran = runner.invoke(app, ["retention", "run", "--no-audit", "--batch-size", "40", "--json"])
    assert ran.exit_code == 0, ran.output
    report = json.loads(ran.output[ran.output.index("{") :])
    assert report["complete"] is True
    assert report["totals"]["held"] == 1
    assert set(world.rows_of(declared, world.invoice)) == {1, 2}


def test_an_unknown_rule_is_a_clear_error_not_a_traceback(
    declared: sa.Engine, tmp_path: Path
) -> None:
    broken = tmp_path / "datasets" / "shop.yaml"
    broken.write_text(broken.read_text().replace("rule: logs", "rule: log"))
    result = CliRunner().invoke(app, ["retention", "plan"])
    assert result.exit_code == 2
    assert "no retention rule 'log'" in result.output
    assert "logs" in result.output


def test_each_batch_and_table_is_an_entry_of_an_intact_audit_chain(
    declared: sa.Engine, sqlite_url: str
) -> None:
    gardien = create_engine(sqlite_url)
    upgrade(gardien)
    trail = AuditTrail(b"k" * 32)
    recorder = AuditRecorder(gardien, trail)
    policy = world.policy()
    source = dataset_source(world.dataset(policy), declared, policy, world.NOW)
    report = run_sweep([source], batch_size=50, record=recorder)
    batches = sum(t.batches for t in report.tables)
    assert recorder.written == batches + len(report.tables)
    with gardien.connect() as conn:
        verified = trail.verify(conn)
        types = [
            r[0]
            for r in conn.execute(
                sa.text("SELECT event_type FROM gardien_audit_entries ORDER BY seq")
            )
        ]
    assert verified.intact
    assert types.count("retention.batch_swept") == batches
    assert types.count("retention.table_swept") == len(report.tables)
    gardien.dispose()


def test_plan_and_run_include_gardien_s_own_records_when_its_database_is_named(
    declared: sa.Engine, sqlite_url: str
) -> None:
    from tests.retention.test_gardien_records import _fill

    gardien = create_engine(sqlite_url)
    upgrade(gardien)
    _fill(gardien)
    runner = CliRunner()
    planned = runner.invoke(app, ["retention", "plan", "--json", "--database-url", sqlite_url])
    assert planned.exit_code == 0, planned.output
    tables = {(t["store"], t["table"]): t for t in json.loads(planned.output)["tables"]}
    assert tables[("gardien", "gardien_consents")]["to_sweep"] >= 4
    assert ("shop", "invoice") in tables
    ran = runner.invoke(
        app, ["retention", "run", "--no-audit", "--database-url", sqlite_url, "--json"]
    )
    assert ran.exit_code == 0, ran.output
    report = json.loads(ran.output[ran.output.index("{") :])
    swept = {t["table"]: t for t in report["tables"] if t["store"] == "gardien"}
    assert swept["gardien_identity_codes"]["deleted"] >= 1
    skipped = runner.invoke(
        app, ["retention", "plan", "--json", "--database-url", sqlite_url, "--no-gardien-records"]
    )
    assert {t["store"] for t in json.loads(skipped.output)["tables"]} == {"shop"}
    gardien.dispose()
