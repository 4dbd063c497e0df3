"""Small worlds for vault tests: a key file, its shred journal, a migrated database, the shop.

``db_url`` runs each test on SQLite and on the local PostgreSQL (skipped with a reason when it
is unreachable, failing under ``GARDIEN_REQUIRE_SERVICES=1``); each test has its own database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from gardien.ledger import IdentifierVault, Ledger
from gardien.policy import load_policy
from gardien.storage import create_engine, upgrade
from gardien.vault import KeyFileProvider, ShredJournal, Vault, create_key_file, journal_path_for
from tests.support.worlds import Clock

REPO = Path(__file__).resolve().parents[2]
BOUTIQUE = REPO / "examples" / "001-boutique.yaml"


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "gardien.key"
    path.parent.mkdir()
    create_key_file(path)
    return path


@pytest.fixture
def provider(key_file: Path) -> KeyFileProvider:
    return KeyFileProvider(key_file)


@pytest.fixture
def journal(key_file: Path, provider: KeyFileProvider) -> ShredJournal:
    return ShredJournal(journal_path_for(key_file, None), provider)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine(db_url)
    upgrade(engine)
    yield engine
    engine.dispose()


VaultFactory = Callable[..., Vault]


@pytest.fixture
def make_vault(
    engine: Engine, provider: KeyFileProvider, journal: ShredJournal, clock: Clock
) -> VaultFactory:
    """A vault on the test's database; pass ``provider=`` to open it with other keys."""

    def make(**options: object) -> Vault:
        chosen = options.pop("provider", provider)
        return Vault(engine, chosen, journal, clock=clock, **options)  # type: ignore[arg-type]

    return make


@pytest.fixture
def vault(make_vault: VaultFactory) -> Vault:
    return make_vault()


@pytest.fixture
def shop(db_url: str, engine: Engine, provider: KeyFileProvider, clock: Clock) -> Iterator[Ledger]:
    """The ledger of seed 001 (the online shop) on the same database as the vault."""
    ledger = Ledger(
        create_engine(db_url), load_policy(BOUTIQUE), IdentifierVault(provider), clock=clock
    )
    yield ledger
    ledger.close()
