"""What every route needs, built once by :func:`gardien.service.app.create_app`.

There is no module-level state: the context lives on ``app.state`` and routes reach it through
:func:`context` (a FastAPI dependency). Two apps in one process (tests, several instances) share
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

from fastapi import Request
from sqlalchemy.engine import Engine

from gardien.errors import ConfigurationError
from gardien.identity import OneTimeCodes
from gardien.ledger import Ledger
from gardien.notify import Mailer
from gardien.policy.model import Policy
from gardien.requests.workflow import RequestWorkflow
from gardien.service.auth import KeyVerifier
from gardien.service.batching import ConsentWriter
from gardien.service.freshness import CacheFreshness
from gardien.service.sessions import SessionStore
from gardien.settings import Settings
from gardien.vault import MasterKeyProvider


@dataclass(frozen=True)
class ServiceOptions:
    """Knobs of the HTTP service that are not the ledger's settings."""

    secure_cookies: bool = False
    """Mark session cookies ``Secure`` (on behind HTTPS; off for http://127.0.0.1)."""
    session_lifetime: timedelta = timedelta(hours=2)
    key_cache_seconds: float = 5.0
    state_cache_size: int = 100_000
    """The ledger's per-process cache of person states, kept right across processes by
    :class:`~gardien.service.freshness.CacheFreshness`."""
    outbox: Path | None = None
    """Where one-time codes are written when no mailer is given (the demo, the tests)."""
    default_lang: str = "fr"
    dataset_files: tuple[Path, ...] = ()
    """Declarations of the organisation's databases that requests run on (issue 4)."""
    requests_dir: Path = Path("requests")
    """Where request runs write their files (access packages, reports)."""
    retention_at: time | None = None
    """Local time (Europe/Paris) after which the daily retention sweep runs; None: no sweep.
    Off for apps built in code (tests), on at 03:00 for `gardien serve`
    (``GARDIEN_SERVICE_RETENTION_AT=HH:MM`` or ``off``)."""

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> ServiceOptions:
        """Options from ``GARDIEN_SERVICE_*`` (how ``gardien serve`` reaches its workers)."""
        outbox = env.get("GARDIEN_SERVICE_OUTBOX")
        # Files or folders of declarations, comma-separated; the CLI's GARDIEN_DATASETS (a
        # folder) is the default, so one setting serves both.
        datasets = env.get("GARDIEN_SERVICE_DATASETS") or env.get("GARDIEN_DATASETS", "")
        return cls(
            dataset_files=_declaration_files(datasets),
            requests_dir=Path(env.get("GARDIEN_SERVICE_REQUESTS_DIR", "requests")),
            secure_cookies=env.get("GARDIEN_SERVICE_SECURE_COOKIES", "") in ("1", "true"),
            outbox=Path(outbox) if outbox else None,
            retention_at=_retention_at(env.get("GARDIEN_SERVICE_RETENTION_AT", "03:00")),
        )


@dataclass(frozen=True)
class ServiceContext:
    settings: Settings
    options: ServiceOptions
    engine: Engine
    policy: Policy
    keys: MasterKeyProvider
    verifier: KeyVerifier
    codes: OneTimeCodes
    mailer: Mailer
    ledger: Ledger
    freshness: CacheFreshness
    consent_writer: ConsentWriter
    requests: RequestWorkflow
    sessions: SessionStore


async def context(request: Request) -> ServiceContext:
    """FastAPI dependency: the context of the app serving this request."""
    ctx = request.app.state.gardien
    assert isinstance(ctx, ServiceContext)
    return ctx


def _declaration_files(spec: str) -> tuple[Path, ...]:
    files: list[Path] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        path = Path(part)
        if path.is_dir():
            files += sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        else:
            files.append(path)
    return tuple(files)


def _retention_at(value: str) -> time | None:
    if value.strip().lower() in ("", "off", "none", "no"):
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise ConfigurationError(
            f"GARDIEN_SERVICE_RETENTION_AT={value!r}: expected a time such as 03:00, or off"
        ) from None
