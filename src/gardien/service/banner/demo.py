"""Where the demo site lives: a sample shop page with a fake analytics and a fake ad script.

The service serves it under ``/static/demo/``; it loads ``/banner.js`` first, and its trackers
only once the banner allows their category.
"""

from __future__ import annotations

from pathlib import Path

DEMO_DIRECTORY = Path(__file__).resolve().parent.parent / "static" / "demo"
