"""Every example policy under ``examples/`` yields a notice and a register in both languages."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gardien.documents import render_notice, render_register
from gardien.policy import load_policy

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.mark.skipif(not EXAMPLES, reason="no example policies under examples/")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_example_policy_renders_notice_and_register(path: Path, lang: str) -> None:
    policy = load_policy(path)
    markdown = render_notice(policy, lang, "md")
    for purpose in policy.purposes:
        assert purpose.title.in_(lang).split()[0] in markdown
    page = render_notice(policy, lang, "html")
    assert ET.fromstring(page.removeprefix("<!DOCTYPE html>\n")).get("lang") == lang
    rows = list(csv.DictReader(io.StringIO(render_register(policy, "csv", lang))))
    assert len(rows) == len(policy.purposes)
    register_page = render_register(policy, "html", lang)
    assert ET.fromstring(register_page.removeprefix("<!DOCTYPE html>\n")).get("lang") == lang
