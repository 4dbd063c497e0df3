"""`gardien datasets` hashes with the same key as requests, retention and the service."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from gardien.cli.datasets import _hash_key
from gardien.vault import EnvKeyProvider, dataset_hash_key


def test_the_datasets_cli_derives_the_hash_key_from_the_master_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    value = base64.b64encode(b"h" * 32).decode()
    monkeypatch.setenv("GARDIEN_MASTER_KEY", value)
    assert _hash_key() == dataset_hash_key(EnvKeyProvider(value))


def test_without_a_master_key_there_is_no_hash_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GARDIEN_MASTER_KEY", raising=False)
    monkeypatch.delenv("GARDIEN_KEY_FILE", raising=False)
    assert _hash_key() is None
