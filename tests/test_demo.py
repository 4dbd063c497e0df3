"""The README's first command: the demo runs on a fresh checkout's embedded default (SQLite)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_demo_checks_the_examples_and_runs_requests_on_sqlite() -> None:
    env = {**os.environ, "DEMO_NO_SERVE": "1"}
    for name in list(env):
        if name.startswith("GARDIEN_") or name == "SHOP_DATABASE_URL":
            del env[name]
    done = subprocess.run(
        ["bash", "scripts/demo.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "001-boutique.yaml: 14 lint finding(s)" in done.stdout
    notice = (ROOT / "out" / "001-boutique.notice.fr.html").read_text(encoding="utf-8")
    assert "Fondement légal pour le traitement" in notice
    demo = ROOT / "out" / "demo"
    erasure = next((demo / "requests").glob("*/erasure-report.html"))
    assert "Code de commerce L123-22" in erasure.read_text(encoding="utf-8")
    assert next((demo / "requests").glob("*/access.zip")).stat().st_size > 0
    assert (demo / "admin-key.txt").read_text().startswith("gdn_")
