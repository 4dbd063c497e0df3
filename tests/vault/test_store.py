"""The vault store: sealed items read through a decision, O(1) shredding, rotation, holds."""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.audit import AuditTrail
from gardien.ledger import Decision, Ledger
from gardien.settings import Settings
from gardien.storage import create_engine, read_transaction, upgrade
from gardien.vault import (
    AccessDeniedError,
    CorruptCiphertextError,
    ItemKind,
    ItemNotFoundError,
    KeyDestroyedError,
    KeyFileProvider,
    ShredJournal,
    ShredJournalError,
    Vault,
    VaultSettings,
    hold_owner,
    person_owner,
    rotate_key_file,
)
from gardien.vault.store import audit_trail_for
from gardien.vault.tables import vault_items, vault_keys
from tests.vault.worlds import Clock, VaultFactory

MARIE = "email:marie.dupont@example.fr"
ALICE = person_owner("a1" * 16)
BOB = person_owner("b2" * 16)


class Allowed:
    """A stand-in for the ledger's decision where the test is not about the ledger."""

    allowed = True
    purpose = "relationship"

    def reasons(self, lang: str = "fr") -> tuple[str, ...]:
        return ()


ALLOWED = Allowed()


def marie_owner(shop: Ledger) -> str:
    shop.give_consent(MARIE, "marketing")
    found = shop.subject(MARIE)
    assert found is not None
    return person_owner(found.ref)


def event_types(engine: Engine, provider: KeyFileProvider) -> list[str]:
    with read_transaction(engine) as conn:
        rows = conn.execute(sa.text("SELECT event_type FROM gardien_audit_entries ORDER BY seq"))
        types = [row[0] for row in rows]
        assert audit_trail_for(provider).verify(conn).intact
    return types


def test_an_item_reads_back_when_the_ledger_allows_the_purpose(vault: Vault, shop: Ledger) -> None:
    owner = marie_owner(shop)
    item_id = vault.put(owner, ItemKind.SUPPORT_MESSAGE, "Ma commande n'est pas arrivée".encode())
    decision = shop.decide(MARIE, "relationship", ["contact"])
    assert isinstance(decision, Decision)
    assert decision.allowed
    item = vault.get(item_id, decision=decision)
    assert item.content.decode() == "Ma commande n'est pas arrivée"
    assert item.owner == owner
    assert item.kind is ItemKind.SUPPORT_MESSAGE
    assert "arrivée" not in repr(item)


def test_a_denied_decision_refuses_the_read_and_says_why(vault: Vault, shop: Ledger) -> None:
    owner = marie_owner(shop)
    item_id = vault.put(owner, ItemKind.CONSENT_EVIDENCE, b"form snapshot")
    shop.withdraw_consent(MARIE, "marketing")
    denied = shop.decide(MARIE, "marketing", ["contact.email"])
    assert not denied.allowed
    with pytest.raises(AccessDeniedError, match="marketing") as caught:
        vault.get(item_id, decision=denied)
    assert caught.value.reasons == denied.reasons("en")


def test_a_decision_callable_is_asked_about_the_items_own_owner(vault: Vault) -> None:
    item_id = vault.put(ALICE, "identity_document", b"passport scan")
    asked: list[str] = []

    def decide_for(owner: str) -> Allowed:
        asked.append(owner)
        return ALLOWED

    assert vault.get(item_id, decision=decide_for).content == b"passport scan"
    assert asked == [ALICE]


def test_the_ciphertext_holds_no_plaintext_and_is_bound_to_its_row(
    vault: Vault, engine: Engine
) -> None:
    first = vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"secret one")
    second = vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"secret two")
    with engine.begin() as conn:
        rows = dict(conn.execute(sa.select(vault_items.c.id, vault_items.c.ciphertext)).all())
        assert all(b"secret" not in bytes(c) for c in rows.values())
        # Swap the two ciphertexts: each now sits on the other's row.
        for item_id, other in ((first, second), (second, first)):
            conn.execute(
                vault_items.update()
                .where(vault_items.c.id == item_id)
                .values(ciphertext=rows[other])
            )
    with pytest.raises(CorruptCiphertextError):
        vault.get(first, decision=ALLOWED)


def test_shred_makes_every_item_of_the_owner_unreadable_and_no_one_elses(
    vault: Vault, engine: Engine, journal: ShredJournal
) -> None:
    alice_items = vault.put_many(ALICE, ItemKind.SUPPORT_MESSAGE, [b"m%d" % i for i in range(25)])
    alice_items += (vault.put(ALICE, ItemKind.IDENTITY_DOCUMENT, b"id card"),)
    bob_item = vault.put(BOB, ItemKind.SUPPORT_MESSAGE, b"bob's message")

    receipt = vault.shred(ALICE)

    assert not receipt.already_destroyed
    for item_id in alice_items:
        with pytest.raises(KeyDestroyedError, match=ALICE):
            vault.get(item_id, decision=ALLOWED)
    assert vault.get(bob_item, decision=ALLOWED).content == b"bob's message"
    with read_transaction(engine) as conn:
        row = conn.execute(sa.select(vault_keys).where(vault_keys.c.owner == ALICE)).one()
    assert row.wrapped is None
    assert row.destroyed_at == receipt.destroyed_at
    assert [entry.owner for entry in journal.entries()] == [ALICE]


def test_shredding_twice_is_harmless_and_journalled_once(
    vault: Vault, journal: ShredJournal
) -> None:
    vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"x")
    first = vault.shred(ALICE)
    again = vault.shred(ALICE)
    assert again.already_destroyed
    assert again.destroyed_at == first.destroyed_at
    assert len(journal.entries()) == 1


def test_nothing_can_be_stored_for_an_owner_shredded_before_having_a_key(vault: Vault) -> None:
    vault.shred(BOB)
    with pytest.raises(KeyDestroyedError):
        vault.put(BOB, ItemKind.SUPPORT_MESSAGE, b"too late")


def test_a_vault_without_a_journal_refuses_to_shred(
    engine: Engine, provider: KeyFileProvider
) -> None:
    vault = Vault(engine, provider, None)
    vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"x")
    with pytest.raises(ShredJournalError, match="GARDIEN_SHRED_JOURNAL"):
        vault.shred(ALICE)
    assert vault.get(vault.item_ids(ALICE)[0], decision=ALLOWED).content == b"x"


def test_unknown_items_and_bad_owner_names_are_clear_errors(vault: Vault) -> None:
    with pytest.raises(ItemNotFoundError, match="nope"):
        vault.get("nope", decision=ALLOWED)
    with pytest.raises(ValueError, match="person:<ref>"):
        vault.put("marie@example.fr", ItemKind.SUPPORT_MESSAGE, b"x")
    with pytest.raises(ValueError, match="not a valid ItemKind"):
        vault.put(ALICE, "passport", b"x")


def test_old_data_is_still_readable_after_rotating_the_master_key(
    make_vault: VaultFactory, key_file: Path, engine: Engine
) -> None:
    before = make_vault()
    items = {
        owner: before.put(owner, ItemKind.SUPPORT_MESSAGE, owner.encode())
        for owner in [person_owner(f"p{i:02d}") for i in range(7)]
    }
    with read_transaction(engine) as conn:
        sealed_before = {r.id: bytes(r.ciphertext) for r in conn.execute(sa.select(vault_items))}
    old_key = before.provider.current().key_id

    new_key = rotate_key_file(key_file)
    after = make_vault(provider=KeyFileProvider(key_file))
    for owner, item_id in items.items():  # readable before any re-wrap
        assert after.get(item_id, decision=ALLOWED).content == owner.encode()
    report = after.rotate(batch_size=3)

    assert (report.rewrapped, report.batches, report.master_key_id) == (7, 3, new_key.key_id)
    with read_transaction(engine) as conn:
        key_ids = set(conn.execute(sa.select(vault_keys.c.master_key_id)).scalars())
        sealed_after = {r.id: bytes(r.ciphertext) for r in conn.execute(sa.select(vault_items))}
    assert key_ids == {new_key.key_id} != {old_key}
    assert sealed_after == sealed_before  # no item was re-encrypted
    for owner, item_id in items.items():
        assert after.get(item_id, decision=ALLOWED).content == owner.encode()
    assert after.rotate().rewrapped == 0


def test_rotation_never_revives_a_key_destroyed_meanwhile(
    make_vault: VaultFactory, key_file: Path
) -> None:
    before = make_vault()
    item = before.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"x")
    before.shred(ALICE)
    rotate_key_file(key_file)
    after = make_vault(provider=KeyFileProvider(key_file))
    assert after.rotate().rewrapped == 0
    with pytest.raises(KeyDestroyedError):
        after.get(item, decision=ALLOWED)


def test_a_legal_hold_keeps_its_archive_after_erasure_until_its_period_ends(
    vault: Vault, clock: Clock, journal: ShredJournal
) -> None:
    # Seed 003: data modified or deleted by the person is kept for the period fixed by law.
    invoice = vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"invoice dispute, order 42")
    chat = vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"small talk")
    (archived,) = vault.archive_for_hold(
        ALICE, "billing-2026", [invoice], until=clock() + timedelta(days=365 * 10)
    )
    vault.shred(ALICE)

    with pytest.raises(KeyDestroyedError):
        vault.get(chat, decision=ALLOWED)
    kept = vault.get(archived, decision=ALLOWED)
    assert kept.content == b"invoice dispute, order 42"
    assert kept.owner == hold_owner("billing-2026")
    assert (kept.kind, kept.archived_kind) == (ItemKind.ARCHIVE, ItemKind.SUPPORT_MESSAGE)

    assert vault.purge_expired_holds(clock() + timedelta(days=365)).items == 0
    report = vault.purge_expired_holds(clock() + timedelta(days=365 * 10))
    assert report.items == 1
    assert report.holds_closed == (hold_owner("billing-2026"),)
    with pytest.raises(ItemNotFoundError):
        vault.get(archived, decision=ALLOWED)
    assert [e.owner for e in journal.entries()] == [ALICE, hold_owner("billing-2026")]


def test_archiving_an_item_of_someone_else_is_refused(vault: Vault, clock: Clock) -> None:
    bobs = vault.put(BOB, ItemKind.SUPPORT_MESSAGE, b"bob")
    vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"alice")
    with pytest.raises(ItemNotFoundError, match=bobs):
        vault.archive_for_hold(ALICE, "h1", [bobs], until=clock() + timedelta(days=1))


def test_every_write_is_in_the_audit_trail_and_the_chain_holds(
    vault: Vault, engine: Engine, provider: KeyFileProvider, clock: Clock
) -> None:
    item = vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"x")
    vault.archive_for_hold(ALICE, "h", [item], until=clock())
    vault.shred(ALICE)
    vault.rotate()
    vault.purge_expired_holds(clock())
    assert event_types(engine, provider) == [
        "vault.items_stored",
        "vault.items_archived_for_hold",
        "vault.data_key_destroyed",
        "vault.hold_archives_purged",
    ]
    with read_transaction(engine) as conn:
        subjects = (
            conn.execute(
                sa.text(
                    "SELECT subject_ref FROM gardien_audit_entries WHERE event_type LIKE 'vault.%'"
                )
            )
            .scalars()
            .all()
        )
    assert subjects[:3] == [ALICE.removeprefix("person:")] * 3
    assert isinstance(audit_trail_for(provider), AuditTrail)


def test_open_from_settings_needs_a_journal_when_the_key_is_not_a_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    settings = Settings(database_url=url, master_key=key)  # type: ignore[arg-type]
    with pytest.raises(ShredJournalError, match="GARDIEN_SHRED_JOURNAL"):
        Vault.open(settings, vault_settings=VaultSettings())
    rotating = Vault.open(settings, vault_settings=VaultSettings(), require_journal=False)
    assert rotating.journal is None
    rotating.engine.dispose()
    configured = VaultSettings(shred_journal=tmp_path / "journal")  # type: ignore[call-arg]
    vault = Vault.open(settings, vault_settings=configured)
    vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"x")
    vault.shred(ALICE)
    assert [e.owner for e in vault.journal.entries()] == [ALICE]  # type: ignore[union-attr]
    vault.engine.dispose()


def test_shredding_many_owners_at_once_is_one_journal_write_and_reports_who_was_already_gone(
    vault: Vault, engine: Engine, journal: ShredJournal
) -> None:
    carol = person_owner("c3" * 16)
    alice_item = vault.put(ALICE, ItemKind.SUPPORT_MESSAGE, b"alice")
    bob_item = vault.put(BOB, ItemKind.SUPPORT_MESSAGE, b"bob")
    earlier = vault.shred(BOB)

    receipts = vault.shred_many([(ALICE, "request 1"), (BOB, "request 2"), (carol, "request 3")])

    assert [(r.owner, r.already_destroyed) for r in receipts] == [
        (ALICE, False),
        (BOB, True),
        (carol, False),  # no key yet: a tombstone, nothing can be stored for her afterwards
    ]
    assert receipts[1].destroyed_at == earlier.destroyed_at
    assert [e.owner for e in journal.entries()] == [BOB, ALICE, carol]
    for item in (alice_item, bob_item):
        with pytest.raises(KeyDestroyedError):
            vault.get(item, decision=ALLOWED)
    with pytest.raises(KeyDestroyedError):
        vault.put(carol, ItemKind.SUPPORT_MESSAGE, b"too late")
    with read_transaction(engine) as conn:
        live = conn.execute(sa.select(vault_keys.c.owner).where(vault_keys.c.wrapped.is_not(None)))
        assert list(live) == []
    assert vault.shred_many([]) == []
