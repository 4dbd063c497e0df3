"""Small worlds for ledger tests: a fresh database (SQLite or PostgreSQL), keys, a policy.

``db_url`` is parametrised over SQLite (always) and the local PostgreSQL (skipped with a reason
when unreachable, failing under ``GARDIEN_REQUIRE_SERVICES=1``); each test gets its own file or
database, so the tests run in parallel.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gardien.ledger import IdentifierVault, Ledger
from gardien.policy import Policy, load_policy
from gardien.storage import create_engine, upgrade
from gardien.vault.keys import EnvKeyProvider
from tests.support.worlds import Clock

REPO = Path(__file__).resolve().parents[2]
BOUTIQUE = REPO / "examples" / "001-boutique.yaml"
LWS = REPO / "examples" / "002-lws.yaml"


@pytest.fixture
def master_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def vault(master_key: str) -> IdentifierVault:
    return IdentifierVault(EnvKeyProvider(master_key))


LedgerFactory = Callable[..., Ledger]


@pytest.fixture
def make_ledger(db_url: str, vault: IdentifierVault, clock: Clock) -> Iterator[LedgerFactory]:
    """Open ledgers on the test's database (migrated once), closing them afterwards."""
    engine = create_engine(db_url)
    upgrade(engine)
    opened: list[Ledger] = []

    def make(policy: Policy | Path = BOUTIQUE, **options: object) -> Ledger:
        loaded = load_policy(policy) if isinstance(policy, Path) else policy
        options.setdefault("clock", clock)
        ledger = Ledger(create_engine(db_url), loaded, vault, **options)  # type: ignore[arg-type]
        opened.append(ledger)
        return ledger

    yield make
    for ledger in opened:
        ledger.close()
    engine.dispose()


@pytest.fixture
def boutique(make_ledger: LedgerFactory) -> Ledger:
    return make_ledger(BOUTIQUE)


@pytest.fixture
def lws(make_ledger: LedgerFactory) -> Ledger:
    return make_ledger(LWS)
