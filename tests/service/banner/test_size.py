"""The size budget: JS + CSS + French texts, as served, at most 12 KB with gzip -9.

consent.md measured the banners people use (tarteaucitron ~60 KB, klaro 68.9 KB,
vanilla-cookieconsent 15.5 KB without texts, fides-js 53 KB); a small banner is first in the page
and wins the race against the trackers it holds back. A budget, not a timing.
"""

from __future__ import annotations

import gzip

from gardien.policy import Policy
from gardien.service.banner import build_banner_config, render_script
from gardien.service.banner.script import script_template, stylesheet

BUDGET = 12 * 1024


def test_the_served_script_fits_the_12_kb_budget(shop: Policy) -> None:
    served = render_script(build_banner_config(shop))
    size = len(gzip.compress(served.body, compresslevel=9))
    assert size <= BUDGET, f"banner.js is {size} bytes gzipped, over the {BUDGET} budget"
    assert len(served.gzipped) <= BUDGET  # what GET /banner.js actually sends


def test_the_served_script_holds_its_css_and_both_languages(shop: Policy) -> None:
    text = render_script(build_banner_config(shop)).body.decode()
    assert script_template().split("__GARDIEN_CONFIG__")[0] in text
    assert "accent-color:#1d4ed8" in " ".join(stylesheet().split())
    assert "Tout accepter" in text
    assert "Accept all" in text
