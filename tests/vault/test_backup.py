"""Encrypted backups: restoring one made before an erasure never brings the person back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.ledger import IdentifierVault, Ledger, ReasonCode, parse_subject
from gardien.storage import create_engine, read_transaction
from gardien.storage.tables import identifiers, people
from gardien.vault import (
    ItemKind,
    KeyDestroyedError,
    KeyFileProvider,
    RestoreRefusedError,
    ShredJournal,
    ShredJournalError,
    TruncatedBackupError,
    Vault,
    WrongKeyError,
    create_key_file,
    person_owner,
)
from gardien.vault.backup import create_backup, restore_backup, verify_backup
from gardien.vault.tables import vault_keys
from tests.support.services import fresh_postgres_database
from tests.vault.test_store import ALLOWED
from tests.vault.worlds import Clock

MARIE = "email:marie.dupont@example.fr"
JEAN = "email:jean.martin@example.fr"
CONTACT = ["contact"]


def erase(shop: Ledger, vault: Vault, subject: str, clock: Clock) -> str:
    """Erasure as the request workflow does it: the ledger marks, the vault shreds."""
    ref = shop.mark_erased(
        [parse_subject(subject)],
        request_ref="R-2026-0001",
        actor="dpo",
        at=clock(),
    )
    vault.shred(person_owner(ref))
    return ref


def register(shop: Ledger, subject: str) -> str:
    shop.give_consent(subject, "marketing")
    found = shop.subject(subject)
    assert found is not None
    return person_owner(found.ref)


@contextmanager
def another_database(db_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty database on the same engine as the test's, for disaster recovery."""
    if db_url.startswith("sqlite"):
        engine = create_engine(f"sqlite:///{tmp_path / 'recovered.db'}")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database() as url:
        engine = create_engine(url)
        yield engine
        engine.dispose()


def assert_erased(shop: Ledger, engine: Engine, ref: str) -> None:
    shop.invalidate()
    decision = shop.decide(MARIE, "relationship", CONTACT)
    assert not decision.allowed
    assert ReasonCode.ERASED in decision.codes
    with read_transaction(engine) as conn:
        person = conn.execute(sa.select(people).where(people.c.ref == ref)).one()
        sealed = conn.execute(
            sa.select(identifiers.c.ciphertext).where(identifiers.c.person_id == person.id)
        ).scalars()
        key = conn.execute(
            sa.select(vault_keys).where(vault_keys.c.owner == person_owner(ref))
        ).one()
    assert person.erased_at is not None
    assert all(value is None for value in sealed)
    assert key.wrapped is None


def test_restoring_a_backup_made_before_an_erasure_never_brings_the_person_back(
    engine: Engine,
    vault: Vault,
    shop: Ledger,
    provider: KeyFileProvider,
    journal: ShredJournal,
    clock: Clock,
    tmp_path: Path,
) -> None:
    marie = register(shop, MARIE)
    jean = register(shop, JEAN)
    passport = vault.put(marie, ItemKind.IDENTITY_DOCUMENT, b"Marie's passport scan")
    jeans = vault.put(jean, ItemKind.SUPPORT_MESSAGE, b"Jean's message")
    assert shop.decide(MARIE, "relationship", CONTACT).allowed
    backup = create_backup(engine, provider, tmp_path / "before-erasure.gbk")

    ref = erase(shop, vault, MARIE, clock)
    report = restore_backup(backup.path, engine, provider, journal, force=True)

    assert report.owners_shredded_again == 1
    assert report.people_erased_again == 1
    assert_erased(shop, engine, ref)
    with pytest.raises(KeyDestroyedError):
        vault.get(passport, decision=ALLOWED)
    # Everyone else is back as they were.
    assert shop.decide(JEAN, "relationship", CONTACT).allowed
    assert vault.get(jeans, decision=ALLOWED).content == b"Jean's message"
    assert shop.verify_audit().intact


def test_disaster_recovery_into_an_empty_database_keeps_the_erasure(
    db_url: str,
    engine: Engine,
    vault: Vault,
    shop: Ledger,
    provider: KeyFileProvider,
    journal: ShredJournal,
    clock: Clock,
    tmp_path: Path,
) -> None:
    marie = register(shop, MARIE)
    passport = vault.put(marie, ItemKind.IDENTITY_DOCUMENT, b"scan")
    backup = create_backup(engine, provider, tmp_path / "nightly.gbk")
    ref = erase(shop, vault, MARIE, clock)

    with another_database(db_url, tmp_path) as recovered:
        restore_backup(backup.path, recovered, provider, journal)
        ledger = Ledger(recovered, shop.policy, IdentifierVault(provider), clock=clock)
        assert_erased(ledger, recovered, ref)
        with pytest.raises(KeyDestroyedError):
            Vault(recovered, provider, journal).get(passport, decision=ALLOWED)


def test_a_database_with_data_is_not_replaced_without_force(
    engine: Engine,
    vault: Vault,
    provider: KeyFileProvider,
    journal: ShredJournal,
    tmp_path: Path,
) -> None:
    backup = create_backup(engine, provider, tmp_path / "empty.gbk")
    kept = vault.put(person_owner("c3" * 16), ItemKind.SUPPORT_MESSAGE, b"written after")
    with pytest.raises(RestoreRefusedError, match="--force"):
        restore_backup(backup.path, engine, provider, journal)
    assert vault.get(kept, decision=ALLOWED).content == b"written after"


def test_a_journal_that_lost_entries_stops_the_restore(
    engine: Engine,
    vault: Vault,
    provider: KeyFileProvider,
    journal: ShredJournal,
    tmp_path: Path,
) -> None:
    owner = person_owner("d4" * 16)
    vault.put(owner, ItemKind.SUPPORT_MESSAGE, b"x")
    vault.shred(owner)
    backup = create_backup(engine, provider, tmp_path / "after.gbk")
    journal.path.unlink()
    with pytest.raises(ShredJournalError, match="does not list"):
        restore_backup(backup.path, engine, provider, journal, force=True)


def test_a_tampered_journal_stops_the_restore_before_anything_changes(
    engine: Engine,
    vault: Vault,
    provider: KeyFileProvider,
    journal: ShredJournal,
    tmp_path: Path,
) -> None:
    backup = create_backup(engine, provider, tmp_path / "b.gbk")
    owner = person_owner("e5" * 16)
    vault.put(owner, ItemKind.SUPPORT_MESSAGE, b"x")
    vault.shred(owner)
    journal.path.write_text(journal.path.read_text().replace("e5e5", "f6f6", 1))
    kept = vault.put(person_owner("f7" * 16), ItemKind.SUPPORT_MESSAGE, b"still here")
    with pytest.raises(ShredJournalError, match="line 2"):
        restore_backup(backup.path, engine, provider, journal, force=True)
    assert vault.get(kept, decision=ALLOWED).content == b"still here"


def test_a_cut_backup_or_another_key_changes_nothing(
    engine: Engine,
    vault: Vault,
    provider: KeyFileProvider,
    journal: ShredJournal,
    tmp_path: Path,
) -> None:
    backup = create_backup(engine, provider, tmp_path / "b.gbk")
    kept = vault.put(person_owner("a7" * 16), ItemKind.SUPPORT_MESSAGE, b"still here")
    cut = tmp_path / "cut.gbk"
    cut.write_bytes(backup.path.read_bytes()[:-40])
    with pytest.raises(TruncatedBackupError):
        restore_backup(cut, engine, provider, journal, force=True)
    other = (
        KeyFileProvider(tmp_path / "other.key") if create_key_file(tmp_path / "other.key") else None
    )
    assert other is not None
    with pytest.raises(WrongKeyError, match="this backup"):
        restore_backup(backup.path, engine, other, journal, force=True)
    assert vault.get(kept, decision=ALLOWED).content == b"still here"
    leftovers = [p.name for p in tmp_path.rglob(".gardien-*")]
    assert leftovers == []


def test_verify_reads_what_the_backup_holds(
    engine: Engine, provider: KeyFileProvider, tmp_path: Path
) -> None:
    written = create_backup(engine, provider, tmp_path / "b.gbk")
    checked = verify_backup(written.path, provider)
    assert checked.manifest == written.manifest
    assert checked.contents.engine == engine.dialect.name
    assert "0005_vault_keys_and_items" in checked.contents.revisions
    assert b"gardien_vault_keys" not in written.path.read_bytes()
