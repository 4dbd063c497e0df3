"""Settings are read once at the edge; a missing policy, key or database stops start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from gardien.errors import ConfigurationError
from gardien.ledger import Ledger
from gardien.settings import Settings
from gardien.vault import MissingKeyError
from tests.ledger.worlds import BOUTIQUE


def test_settings_come_from_gardien_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GARDIEN_DATABASE_URL", "postgresql://db.example/gardien")
    monkeypatch.setenv("GARDIEN_POLICY", str(BOUTIQUE))
    monkeypatch.setenv("GARDIEN_MASTER_KEY", "c2VjcmV0")
    settings = Settings()
    assert settings.database_url == "postgresql://db.example/gardien"
    assert settings.policy == BOUTIQUE
    assert "c2VjcmV0" not in repr(settings)


def test_a_missing_key_stops_start_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./gardien.key here
    monkeypatch.delenv("GARDIEN_MASTER_KEY", raising=False)
    monkeypatch.delenv("GARDIEN_KEY_FILE", raising=False)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'g.db'}", policy=BOUTIQUE)
    with pytest.raises(MissingKeyError, match="no master key"):
        Ledger.open(settings)


def test_a_missing_policy_stops_start_up(tmp_path: Path, master_key: str) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'g.db'}", master_key=master_key)
    with pytest.raises(ConfigurationError, match="GARDIEN_POLICY"):
        Ledger.open(settings)


def test_an_unreachable_database_stops_start_up(master_key: str) -> None:
    settings = Settings(
        database_url="postgresql://nobody@127.0.0.1:1/none",
        policy=BOUTIQUE,
        master_key=master_key,
    )
    with pytest.raises(ConfigurationError, match="cannot reach the database"):
        Ledger.open(settings)


def test_a_fresh_sqlite_ledger_opens_with_upgrade(tmp_path: Path, master_key: str) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'g.db'}", policy=BOUTIQUE, master_key=master_key
    )
    with pytest.raises(ConfigurationError, match="gardien db upgrade"):
        Ledger.open(settings)
    with Ledger.open(settings, upgrade=True) as ledger:
        assert ledger.history.ordinal == 1
