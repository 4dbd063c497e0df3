"""Chromium for the browser tests, through Playwright; skips (or fails in CI) without them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.services import unavailable

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium(*extra_args: str) -> Iterator[Any]:
    """A headless Chromium launched with :data:`LAUNCH_ARGS` and ``extra_args``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable("Playwright", str(exc))
    if not shutil.which(CHROMIUM):
        unavailable("Chromium", f"{CHROMIUM} not found (run scripts/install-system-deps.sh)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=[*LAUNCH_ARGS, *extra_args])
        yield launched
        launched.close()
