"""The `gardien` command line: thin commands over the library.

Each concept registers its commands from its own module; every :class:`GardienError` becomes a
readable message and an exit status, never a traceback.
"""

from __future__ import annotations

from gardien.cli import datasets as _datasets  # noqa: F401  (registers commands)
from gardien.cli import documents as _documents  # noqa: F401  (registers commands)
from gardien.cli import ledger as _ledger  # noqa: F401  (registers commands)
from gardien.cli import policy as _policy  # noqa: F401  (registers commands)
from gardien.cli import requests as _requests  # noqa: F401  (registers commands)
from gardien.cli import retention as _retention  # noqa: F401  (registers commands)
from gardien.cli import service as _service  # noqa: F401  (registers commands)
from gardien.cli import vault as _vault  # noqa: F401  (registers commands)
from gardien.cli.app import app, main

__all__ = ["app", "main"]
