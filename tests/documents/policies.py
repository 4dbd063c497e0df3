"""The test worlds of the documents tests: the shop fixture, and variants of it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from gardien.policy import Policy, load_policy, parse_policy

FIXTURES = Path(__file__).parent / "fixtures"
SHOP = FIXTURES / "shop.yaml"
MINIMAL = Path(__file__).parent.parent / "policy" / "fixtures" / "minimal.yaml"


@cache
def _shop_data() -> dict[str, Any]:
    data = yaml.safe_load(SHOP.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def shop() -> Policy:
    return load_policy(SHOP)


def minimal() -> Policy:
    return load_policy(MINIMAL)


def purpose(data: dict[str, Any], purpose_id: str) -> dict[str, Any]:
    found = next(p for p in data["purposes"] if p["id"] == purpose_id)
    assert isinstance(found, dict)
    return found


def shop_variant(change: Callable[[dict[str, Any]], None]) -> Policy:
    """The shop policy after ``change`` edits its YAML data in place."""
    data = copy.deepcopy(_shop_data())
    change(data)
    return parse_policy(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "variant.yaml")
