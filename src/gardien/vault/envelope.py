"""Envelope encryption: one data key per owner, wrapped by the master key.

An *owner* is a person (``person:<uuid>``) or a legal hold (``hold:<id>``): everything the vault
keeps about them is sealed with their own random data key, and only the wrapped form of that key
is stored. Two consequences follow, and they are the reason for the design:

* Crypto-shredding (GDPR art. 17): destroying one wrapped key makes every item sealed with it
  unreadable, wherever copies of the items lie, in one operation whose cost does not depend on
  how many items there are.
* Rotation (art. 32(1)): a new master key only re-wraps the 32-byte data keys
  (:func:`rewrap`); the items themselves are never re-encrypted.

The wrapped key is bound to its owner (the owner is authenticated data), so a wrapped key copied
onto another owner's row does not unwrap. Sealed items carry no key id: the owner row says
which key opens them, and the caller binds each item to its row through ``aad``.

Public API::

    person_owner(person_id) -> str / hold_owner(hold_id) -> str   # "person:<id>", "hold:<id>"
    WrappedKey(owner: str, master_key_id: str, wrapped: bytes)
    new_data_key(provider, owner) -> tuple[bytes, WrappedKey]
    unwrap(provider, wrapped) -> bytes
    rewrap(provider, wrapped) -> WrappedKey
    seal(data_key, plaintext, aad) -> bytes
    open_sealed(data_key, token, aad) -> bytes
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gardien.vault._key_file import KEY_BYTES
from gardien.vault.errors import CorruptCiphertextError
from gardien.vault.keys import NONCE_BYTES, MasterKey, MasterKeyProvider, derive_subkey

TAG_BYTES = 16
_SEALED_VERSION = 1
_WRAP_LABEL = "data-key-wrap"


def person_owner(person_id: object) -> str:
    """The owner name of a person's data key: ``person:<id>``."""
    return f"person:{person_id}"


def hold_owner(hold_id: object) -> str:
    """The owner name of a legal hold's archive key: ``hold:<id>``.

    Data kept to comply with a legal obligation (art. 17(3)(b), (e)) is archived under the
    hold's own key, so that erasing the person does not erase it, and lifting the hold does.
    """
    return f"hold:{hold_id}"


@dataclass(frozen=True)
class WrappedKey:
    """An owner's data key as stored: encrypted under the master key ``master_key_id``."""

    owner: str
    master_key_id: str
    wrapped: bytes = field(repr=False)


def new_data_key(provider: MasterKeyProvider, owner: str) -> tuple[bytes, WrappedKey]:
    """A fresh random data key for ``owner``, and its form wrapped under the current key."""
    data_key = secrets.token_bytes(KEY_BYTES)
    return data_key, _wrap(provider.current(), owner, data_key)


def unwrap(provider: MasterKeyProvider, wrapped: WrappedKey) -> bytes:
    """The data key inside ``wrapped``.

    :class:`~gardien.vault.errors.WrongKeyError` if its master key is not configured,
    :class:`~gardien.vault.errors.CorruptCiphertextError` if it was altered or moved to another
    owner.
    """
    master = provider.get(wrapped.master_key_id)
    what = f"the data key of {wrapped.owner!r}"
    if len(wrapped.wrapped) != NONCE_BYTES + KEY_BYTES + TAG_BYTES:
        raise CorruptCiphertextError(what, f"it has {len(wrapped.wrapped)} bytes")
    nonce, body = wrapped.wrapped[:NONCE_BYTES], wrapped.wrapped[NONCE_BYTES:]
    try:
        return _kek(master).decrypt(nonce, body, _wrap_aad(wrapped.owner, master.key_id))
    except InvalidTag:
        raise CorruptCiphertextError(what) from None


def rewrap(provider: MasterKeyProvider, wrapped: WrappedKey) -> WrappedKey:
    """The same data key wrapped under the current master key (unchanged if it already is).

    This is all a rotation does to stored data: the items sealed with the data key stay as
    they are and still open, because the data key itself does not change.
    """
    current = provider.current()
    if wrapped.master_key_id == current.key_id:
        return wrapped
    return _wrap(current, wrapped.owner, unwrap(provider, wrapped))


def seal(data_key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt one item with AES-256-GCM: ``version (1) | nonce (12) | ciphertext+tag``.

    Nonces are random; NIST SP 800-38D allows 2**32 messages per key that way, far beyond the
    items one person or one hold will ever have.
    """
    _check_data_key(data_key)
    nonce = secrets.token_bytes(NONCE_BYTES)
    header = bytes([_SEALED_VERSION])
    return header + nonce + AESGCM(data_key).encrypt(nonce, plaintext, header + aad)


def open_sealed(data_key: bytes, token: bytes, aad: bytes) -> bytes:
    """Decrypt an item sealed by :func:`seal` with the same ``aad``; never returns forged data."""
    _check_data_key(data_key)
    if len(token) < 1 + NONCE_BYTES + TAG_BYTES:
        raise CorruptCiphertextError("a vault item", f"it has only {len(token)} bytes")
    if token[0] != _SEALED_VERSION:
        raise CorruptCiphertextError("a vault item", f"unknown format version {token[0]}")
    nonce, body = token[1 : 1 + NONCE_BYTES], token[1 + NONCE_BYTES :]
    try:
        return AESGCM(data_key).decrypt(nonce, body, token[:1] + aad)
    except InvalidTag:
        raise CorruptCiphertextError("a vault item") from None


def _wrap(master: MasterKey, owner: str, data_key: bytes) -> WrappedKey:
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = _kek(master).encrypt(nonce, data_key, _wrap_aad(owner, master.key_id))
    return WrappedKey(owner=owner, master_key_id=master.key_id, wrapped=nonce + body)


def _kek(master: MasterKey) -> AESGCM:
    return AESGCM(derive_subkey(master, _WRAP_LABEL))


def _wrap_aad(owner: str, key_id: str) -> bytes:
    # Length-prefixed so that no (owner, key id) pair can be confused with another.
    parts = [b"gardien/data-key/v1", owner.encode("utf-8"), key_id.encode("utf-8")]
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)


def _check_data_key(data_key: bytes) -> None:
    if len(data_key) != KEY_BYTES:
        raise ValueError(f"a data key has {KEY_BYTES} bytes, not {len(data_key)}")
