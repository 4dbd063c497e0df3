"""Build small policy texts for tests from the minimal fixture plus targeted changes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from gardien.policy import Policy, parse_policy

MINIMAL = Path(__file__).parent / "fixtures" / "minimal.yaml"


def minimal_data() -> dict[str, Any]:
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def to_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def build(data: dict[str, Any]) -> Policy:
    return parse_policy(to_yaml(data), "test.yaml")
