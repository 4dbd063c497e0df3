"""The script as served: ``banner.js`` with its CSS and the policy's configuration inlined.

One request, one small file, first in the page and synchronous: a banner that loads late loses
the race to the trackers it is meant to hold back (consent.md, "a known trap"). The static
``banner.js`` ends with the placeholder ``__GARDIEN_CONFIG__``, replaced here by the JSON
configuration, so the file works without a build step and the configuration needs no second
request.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from gardien.service.banner.config import BannerConfig

PLACEHOLDER = "__GARDIEN_CONFIG__"


@cache
def _asset(name: str) -> str:
    return files("gardien.service.banner").joinpath("assets", name).read_text(encoding="utf-8")


def script_template() -> str:
    """``banner.js`` as shipped, before its configuration is inlined."""
    return _asset("banner.js")


def stylesheet() -> str:
    """``banner.css`` as shipped; it goes inside the banner's shadow root."""
    return _asset("banner.css")


def _js_literal(value: object) -> str:
    # JSON is a JavaScript literal; escape what could end the <script> or a string early.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


@dataclass(frozen=True)
class ServedScript:
    """The bytes of ``GET /banner.js``, with their validator and their compressed form."""

    body: bytes
    gzipped: bytes
    etag: str


def render_script(config: BannerConfig) -> ServedScript:
    """Inline the configuration and the stylesheet into the script."""
    settings = {**config.as_json(), "css": " ".join(stylesheet().split())}
    text = script_template().replace(PLACEHOLDER, _js_literal(settings))
    body = text.encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()[:32]
    return ServedScript(
        body=body, gzipped=gzip.compress(body, compresslevel=9, mtime=0), etag=f'"{digest}"'
    )
