"""Per-owner data keys: wrapping, rotation without re-encryption, sealed items."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gardien.vault import (
    CorruptCiphertextError,
    FieldCipher,
    KeyFileProvider,
    KeyRing,
    MasterKey,
    MasterKeyProvider,
    WrongKeyError,
    create_key_file,
    rotate_key_file,
)
from gardien.vault.envelope import (
    hold_owner,
    new_data_key,
    open_sealed,
    person_owner,
    rewrap,
    seal,
    unwrap,
)

ALICE = "person:0b6f3c1e-alice"
BOB = "person:7d2e9a40-bob"


def ring(*keys: MasterKey, current: MasterKey | None = None) -> KeyRing:
    chosen = current or keys[-1]
    return KeyRing(keys, chosen.key_id, keys[0].key_id, source="test keys")


def test_a_new_data_key_is_random_and_unwraps_to_itself() -> None:
    provider = ring(MasterKey.generate())
    data_key, wrapped = new_data_key(provider, ALICE)
    other_key, _ = new_data_key(provider, ALICE)
    assert len(data_key) == 32
    assert other_key != data_key
    assert wrapped.owner == ALICE
    assert wrapped.master_key_id == provider.current_id
    assert data_key not in wrapped.wrapped
    assert unwrap(provider, wrapped) == data_key
    assert wrapped.wrapped.hex() not in repr(wrapped)


def test_a_wrapped_key_moved_to_another_owner_does_not_unwrap() -> None:
    provider = ring(MasterKey.generate())
    _, wrapped = new_data_key(provider, ALICE)
    with pytest.raises(CorruptCiphertextError, match="person:7d2e9a40-bob"):
        unwrap(provider, dataclasses.replace(wrapped, owner=BOB))


def test_unwrapping_under_the_wrong_master_key_names_the_key_needed() -> None:
    writer = ring(MasterKey.generate())
    _, wrapped = new_data_key(writer, ALICE)
    with pytest.raises(WrongKeyError, match=writer.current_id):
        unwrap(ring(MasterKey.generate()), wrapped)


def test_a_wrapped_key_with_a_flipped_byte_is_refused() -> None:
    provider = ring(MasterKey.generate())
    _, wrapped = new_data_key(provider, ALICE)
    for position in range(len(wrapped.wrapped)):
        damaged = bytearray(wrapped.wrapped)
        damaged[position] ^= 0x80
        with pytest.raises(CorruptCiphertextError):
            unwrap(provider, dataclasses.replace(wrapped, wrapped=bytes(damaged)))
    with pytest.raises(CorruptCiphertextError, match="has 10 bytes"):
        unwrap(provider, dataclasses.replace(wrapped, wrapped=wrapped.wrapped[:10]))


@given(plaintext=st.binary(max_size=4096), aad=st.binary(max_size=64))
def test_sealed_items_open_with_their_key_and_aad(plaintext: bytes, aad: bytes) -> None:
    data_key, _ = new_data_key(ring(MasterKey.generate()), ALICE)
    token = seal(data_key, plaintext, aad)
    assert open_sealed(data_key, token, aad) == plaintext


def test_a_sealed_item_does_not_open_with_another_aad_or_key() -> None:
    provider = ring(MasterKey.generate())
    alice_key, _ = new_data_key(provider, ALICE)
    bob_key, _ = new_data_key(provider, BOB)
    token = seal(alice_key, b"copy of identity card", b"item:1")
    with pytest.raises(CorruptCiphertextError, match="a vault item"):
        open_sealed(alice_key, token, b"item:2")
    with pytest.raises(CorruptCiphertextError):
        open_sealed(bob_key, token, b"item:1")


MESSAGE = b"support message #42"


@given(position=st.integers(0, 1 + 12 + len(MESSAGE) + 16 - 1), bit=st.integers(0, 7))
def test_any_flipped_bit_in_a_sealed_item_is_detected(position: int, bit: int) -> None:
    data_key = bytes(range(32))
    token = bytearray(seal(data_key, MESSAGE, b"item:9"))
    token[position] ^= 1 << bit
    with pytest.raises(CorruptCiphertextError):
        open_sealed(data_key, bytes(token), b"item:9")


@pytest.mark.parametrize("cut", [0, 1, 12, 13, 28])
def test_a_cut_sealed_item_is_detected(cut: int) -> None:
    data_key = bytes(range(32))
    token = seal(data_key, b"support message", b"item:9")
    with pytest.raises(CorruptCiphertextError):
        open_sealed(data_key, token[:cut], b"item:9")


def test_data_sealed_before_a_rotation_is_readable_after_and_rewrap_changes_only_the_wrap(
    tmp_path: Path,
) -> None:
    path = tmp_path / "gardien.key"
    first = create_key_file(path)
    before = KeyFileProvider(path)
    data_key, wrapped = new_data_key(before, ALICE)
    items = [seal(data_key, f"message {n}".encode(), f"item:{n}".encode()) for n in range(5)]
    stored_items = list(items)

    second = rotate_key_file(path)
    after = KeyFileProvider(path)
    assert open_sealed(unwrap(after, wrapped), items[0], b"item:0") == b"message 0"

    rewrapped = rewrap(after, wrapped)
    assert rewrapped.owner == wrapped.owner
    assert wrapped.master_key_id == first.key_id
    assert rewrapped.master_key_id == second.key_id
    assert rewrapped.wrapped != wrapped.wrapped
    assert unwrap(after, rewrapped) == data_key
    assert items == stored_items
    for n, item in enumerate(items):
        assert open_sealed(unwrap(after, rewrapped), item, f"item:{n}".encode()) == (
            f"message {n}".encode()
        )
    assert rewrap(after, rewrapped) is rewrapped


def test_after_rewrap_the_old_master_key_is_no_longer_needed() -> None:
    old, new = MasterKey.generate(), MasterKey.generate()
    _, wrapped = new_data_key(ring(old), ALICE)
    rewrapped = rewrap(ring(old, new), wrapped)
    only_new = KeyRing((new,), new.key_id, new.key_id)
    assert unwrap(only_new, rewrapped) == unwrap(ring(old), wrapped)


def test_a_data_key_of_the_wrong_size_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        seal(b"short", b"x", b"")


class InMemoryKms:
    """A provider that is not a KeyRing: the shape a KMS adapter takes."""

    def __init__(self) -> None:
        self.keys = {"kms-key-1": MasterKey("kms-key-1", bytes(32))}
        self.current_id = "kms-key-1"

    @property
    def source(self) -> str:
        return "the test KMS"

    def current(self) -> MasterKey:
        return self.keys[self.current_id]

    def get(self, key_id: str) -> MasterKey:
        try:
            return self.keys[key_id]
        except KeyError:
            raise WrongKeyError(key_id, self.source) from None

    def index_key(self) -> MasterKey:
        return self.keys["kms-key-1"]

    def rotate(self) -> None:
        self.keys["kms-key-2"] = MasterKey("kms-key-2", bytes(range(32)))
        self.current_id = "kms-key-2"


def test_any_provider_with_the_protocol_works_like_a_key_file() -> None:
    kms = InMemoryKms()
    assert isinstance(kms, MasterKeyProvider)
    data_key, wrapped = new_data_key(kms, hold_owner("tax-2025"))
    item = seal(data_key, b"invoice 2025-0042", b"item:1")
    field = FieldCipher(kms).encrypt(b"alice@example.org", b"identifier:1")
    kms.rotate()
    rewrapped = rewrap(kms, wrapped)
    assert (wrapped.master_key_id, rewrapped.master_key_id) == ("kms-key-1", "kms-key-2")
    assert open_sealed(unwrap(kms, rewrapped), item, b"item:1") == b"invoice 2025-0042"
    assert FieldCipher(kms).decrypt(field, b"identifier:1") == b"alice@example.org"
    with pytest.raises(WrongKeyError, match="the test KMS does not hold"):
        unwrap(kms, dataclasses.replace(wrapped, master_key_id="kms-key-0"))


def test_owners_are_named_by_kind_so_a_person_and_a_hold_never_share_a_key() -> None:
    assert person_owner("0b6f3c1e") == "person:0b6f3c1e"
    assert hold_owner(7) == "hold:7"
    provider = ring(MasterKey.generate())
    _, wrapped = new_data_key(provider, person_owner("7"))
    with pytest.raises(CorruptCiphertextError):
        unwrap(provider, dataclasses.replace(wrapped, owner=hold_owner("7")))


def test_a_new_key_for_the_same_owner_does_not_open_items_of_a_destroyed_key() -> None:
    provider = ring(MasterKey.generate())
    owner = person_owner("0b6f3c1e")
    destroyed_key, _ = new_data_key(provider, owner)
    item = seal(destroyed_key, b"passport scan", b"item:0")
    new_key, _ = new_data_key(provider, owner)
    with pytest.raises(CorruptCiphertextError):
        open_sealed(new_key, item, b"item:0")
