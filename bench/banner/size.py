"""Measure the cookie banner as served: JS + CSS + texts, raw and with gzip -9.

Run: ``.venv/bin/python -m bench.banner.size [policy.yaml]`` (default: the shop policy of the
banner tests, three trackers in two consent categories plus the exempt session cookie).
The "FR only" line leaves out the English texts, for a like-for-like comparison with the
banners of ``consent.md``, which were measured with their French texts only.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from gardien.policy import load_policy
from gardien.service.banner import build_banner_config, render_script
from gardien.service.banner.script import PLACEHOLDER, script_template, stylesheet

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "tests" / "service" / "banner" / "fixtures" / "shop.yaml"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def main(policy_path: Path) -> None:
    config = build_banner_config(load_policy(policy_path))
    served = render_script(config).body
    settings = config.as_json()
    texts = settings["texts"]
    categories = settings["categories"]
    assert isinstance(texts, dict)
    assert isinstance(categories, list)
    french = {
        **settings,
        "texts": {"fr": texts["fr"]},
        "categories": [
            {**c, "text": {"fr": c["text"]["fr"]}} for c in categories if isinstance(c, dict)
        ],
        "css": " ".join(stylesheet().split()),
    }
    fr_only = script_template().replace(PLACEHOLDER, json.dumps(french, ensure_ascii=False))
    rows = [
        ("banner.js (code only)", script_template().encode()),
        ("banner.css", stylesheet().encode()),
        ("served: JS + CSS + config, FR + EN", served),
        ("served: JS + CSS + config, FR only", fr_only.encode()),
    ]
    print(f"policy: {policy_path}")
    print(f"{'part':<40} {'raw':>8} {'gzip -9':>8}")
    for name, data in rows:
        print(f"{name:<40} {len(data):>8} {gz(data):>8}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SHOP)
