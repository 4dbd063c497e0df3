"""The policy commands: exit statuses and output a script can rely on."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gardien.cli import app
from tests.policy.builders import MINIMAL, minimal_data, to_yaml

runner = CliRunner()


def test_check_exits_0_on_a_clean_policy() -> None:
    result = runner.invoke(app, ["check", str(MINIMAL)])
    assert result.exit_code == 0, result.output
    assert "clean" in result.output


def test_check_exits_1_with_findings_and_cites_the_law(tmp_path: Path) -> None:
    data = minimal_data()
    del data["purposes"][0]["retention"]
    policy = tmp_path / "p.yaml"
    policy.write_text(to_yaml(data), encoding="utf-8")
    result = runner.invoke(app, ["check", str(policy)])
    assert result.exit_code == 1
    assert "GDN104" in result.output
    assert "art. 5(1)(e)" in result.output


def test_check_exits_2_on_an_invalid_file_without_traceback(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("gardien: 1\npurposes: [\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(policy)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "YAML syntax error" in result.output


def test_check_json_lists_findings(tmp_path: Path) -> None:
    data = minimal_data()
    data["purposes"][0]["legal_bases"] = [{"basis": "legitimate_interests"}]
    policy = tmp_path / "p.yaml"
    policy.write_text(to_yaml(data), encoding="utf-8")
    result = runner.invoke(app, ["check", "--json", str(policy)])
    assert result.exit_code == 1
    findings = json.loads(result.output)
    assert [f["code"] for f in findings] == ["GDN101"]
    assert findings[0]["line"] > 0


def test_schema_is_json_schema_describing_the_policy() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert "purposes" in schema["properties"]
    assert "gardien" in schema["required"]
    retention = schema["$defs"]["RetentionRule"]["properties"]
    assert "from" in retention
    assert retention["duration"]["anyOf"][0]["pattern"].startswith("^P")
