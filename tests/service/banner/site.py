"""The banner's world: the real service app with the banner mounted, over the real ledger.

``banner_site`` builds the service of :mod:`tests.service.world` (fresh database, migrations,
keys) for the shop policy with cookies, with ``banner_router`` mounted over the ledger (by the
app factory, or here if it does not), and can serve it over real HTTP on a loopback port.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gardien.ledger import ConsentRecord, Ledger
from gardien.service.banner import LedgerBannerSink, banner_router
from tests.service.world import build_world

FIXTURES = Path(__file__).parent / "fixtures"
SHOP = FIXTURES / "shop.yaml"


@dataclass
class BannerSite:
    app: FastAPI
    client: TestClient
    ledger: Ledger

    def consents(self, cookie_id: str) -> list[ConsentRecord]:
        """What the ledger holds for this browser, oldest first."""
        found = self.ledger.subject(f"cookie_id:{cookie_id}")
        return list(found.consents) if found else []

    def latest(self, cookie_id: str) -> dict[str, ConsentRecord]:
        """The latest record per purpose for this browser."""
        return {r.purpose: r for r in self.consents(cookie_id)}


@contextmanager
def banner_site(database_url: str, folder: Path, policy: Path = SHOP) -> Iterator[BannerSite]:
    with build_world(database_url, folder, policy) as world:
        ctx = world.app.state.gardien
        paths = {getattr(route, "path", None) for route in world.app.routes}
        if "/banner.js" not in paths:  # the app factory mounts it; mount it here otherwise
            sink = LedgerBannerSink(ctx.ledger)
            world.app.include_router(banner_router(lambda: ctx.policy, sink))
        yield BannerSite(world.app, world.client, ctx.ledger)
