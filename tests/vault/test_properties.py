"""Invariants of crypto-shredding, over random worlds (SQLite, one fresh database per example)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gardien.storage import create_engine, upgrade
from gardien.vault import (
    ItemKind,
    KeyDestroyedError,
    KeyFileProvider,
    ShredJournal,
    Vault,
    create_key_file,
    person_owner,
)
from tests.vault.test_store import ALLOWED

OWNERS = [person_owner(f"{n:032x}") for n in range(6)]
worlds = st.lists(
    st.tuples(st.sampled_from(OWNERS), st.binary(min_size=0, max_size=64)),
    min_size=1,
    max_size=20,
)


@settings(max_examples=20, deadline=None)
@given(items=worlds, shredded=st.sets(st.sampled_from(OWNERS)))
def test_shredding_some_owners_leaves_everyone_elses_items_intact(
    items: list[tuple[str, bytes]], shredded: set[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        create_key_file(Path(folder) / "k")
        provider = KeyFileProvider(Path(folder) / "k")
        engine = create_engine(f"sqlite:///{Path(folder) / 'v.db'}")
        upgrade(engine)
        vault = Vault(engine, provider, ShredJournal(Path(folder) / "j", provider))
        stored = [(vault.put(o, ItemKind.SUPPORT_MESSAGE, c), o, c) for o, c in items]
        for owner in sorted(shredded):
            vault.shred(owner)
        for item_id, owner, content in stored:
            if owner in shredded:
                try:
                    vault.get(item_id, decision=ALLOWED)
                except KeyDestroyedError:
                    continue
                raise AssertionError(f"{owner}'s item is readable after the shred")
            assert vault.get(item_id, decision=ALLOWED).content == content
        assert {e.owner for e in vault.journal.entries()} == shredded  # type: ignore[union-attr]
        engine.dispose()
