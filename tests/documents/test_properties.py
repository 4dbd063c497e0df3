"""Invariants of the generated documents, checked on many generated inputs (Hypothesis)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gardien.documents import Impact, diff_policies
from gardien.documents.templating import md_cell
from gardien.policy import BUILTIN_CATEGORIES
from gardien.policy.taxonomy import covered_by
from tests.documents.policies import purpose, shop, shop_variant

NEWSLETTER_CATEGORIES = ["identity", "contact.email"]
CATEGORY_IDS = [c.id for c in BUILTIN_CATEGORIES if not c.special]


@given(st.text())
def test_a_markdown_cell_never_opens_a_new_cell_or_line(value: str) -> None:
    cell = md_cell(value)
    assert "\n" not in cell
    assert "\r" not in cell
    assert re.search(r"(?<!\\)(?:\\\\)*\|", cell) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(CATEGORY_IDS), min_size=1, max_size=4, unique=True))
def test_growing_a_consent_purpose_lapses_its_consents_exactly_when_a_category_is_new(
    added: list[str],
) -> None:
    def grow(data: dict[str, Any]) -> None:
        purpose(data, "newsletter")["categories"] = NEWSLETTER_CATEGORIES + added

    diff = diff_policies(shop(), shop_variant(grow))
    really_new = [c for c in added if not covered_by(c, NEWSLETTER_CATEGORIES)]
    if really_new:
        assert diff.purposes_needing_new_consent() == frozenset({"newsletter"})
        assert diff.impact is Impact.RECONSENT
    else:
        assert diff.purposes_needing_new_consent() == frozenset()
    # Whatever grew, the consents to other purposes stay valid.
    assert diff.purposes_needing_new_consent() <= {"newsletter"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(CATEGORY_IDS), min_size=1, max_size=4, unique=True))
def test_growing_a_purpose_on_another_basis_never_lapses_a_consent(added: list[str]) -> None:
    def grow(data: dict[str, Any]) -> None:
        purpose(data, "orders")["categories"] += added

    diff = diff_policies(shop(), shop_variant(grow))
    assert diff.purposes_needing_new_consent() == frozenset()
    assert diff.impact in (Impact.NONE, Impact.INFORM)
