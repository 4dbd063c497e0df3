"""examples/README.md shows the linter's current findings on the seed policies."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_examples_readme_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location(
        "examples_readme", ROOT / "scripts" / "examples_readme.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    actual = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    assert actual == expected, "run `python scripts/examples_readme.py` to refresh it"


def test_the_shop_policy_has_the_gaps_of_its_seed() -> None:
    text = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    shop = text.split("## `001-boutique.yaml`")[1].split("## ")[0]
    assert "GDN104" in shop  # seed 001 states no retention period
    assert "GDN103" in shop  # direct marketing without an objection route
