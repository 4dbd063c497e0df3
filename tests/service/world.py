"""A small, meaningful world for service tests: the shop of seed 001 on a fresh database."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import SecretStr

import gardien.service.tables  # noqa: F401  (the service's tables on the shared metadata)
from gardien.notify import Outbox
from gardien.service import Scope, ServiceOptions, create_app, create_key
from gardien.settings import Settings
from gardien.storage import create_engine, upgrade

REPO = Path(__file__).resolve().parents[2]
SHOP = REPO / "examples" / "001-boutique.yaml"


@dataclass
class World:
    app: FastAPI
    client: TestClient
    settings: Settings
    outbox: Outbox
    database_url: str

    def key(self, *scopes: Scope, name: str = "test") -> str:
        """A fresh API key holding ``scopes``; returns its token."""
        return create_key(self.app.state.gardien.engine, name, scopes).token

    def headers(self, *scopes: Scope) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key(*scopes)}"}


def settings_for(database_url: str, policy: Path = SHOP) -> Settings:
    master = base64.b64encode(os.urandom(32)).decode()
    return Settings(
        database_url=database_url, policy=policy, master_key=SecretStr(master), key_file=None
    )


@contextmanager
def build_world(database_url: str, folder: Path, policy: Path = SHOP) -> Iterator[World]:
    engine = create_engine(database_url)
    upgrade(engine)
    engine.dispose()
    settings = settings_for(database_url, policy)
    options = ServiceOptions(
        outbox=folder / "outbox", key_cache_seconds=0.0, requests_dir=folder / "requests"
    )
    app = create_app(settings, options=options)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield World(app, client, settings, Outbox(folder / "outbox"), database_url)


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    dependant: Dependant


def _route_table() -> list[RouteInfo]:
    """The routes of an app, for tests parametrised over them (built on a throw-away SQLite).

    Routers are flattened with their include-time dependencies, as FastAPI serves them.
    """
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'routes.db'}"
        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        app = create_app(settings_for(url), options=ServiceOptions(outbox=Path(folder) / "o"))
        app.state.gardien.engine.dispose()
        found = []
        for context in iter_route_contexts(app.routes):
            dependant = getattr(context, "dependant", None)
            if dependant is None or context.path is None:
                continue
            for method in sorted(context.methods or ()):
                found.append(RouteInfo(method, context.path, dependant))
        return found


ROUTE_TABLE = _route_table()
