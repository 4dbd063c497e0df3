"""Identifiers protected with the vault's keys: a blind index to find, a cipher to show.

A copy of the database alone reveals neither who is in it nor how to test a guess: the index is
an HMAC and the value is AES-GCM encrypted, both under keys derived from a master key kept
outside the database (GDPR art. 32(1)(a)). The ciphertext is bound to its identifier's kind and
digest, so it cannot be moved onto another row.
"""

from __future__ import annotations

from gardien.ledger.identifiers import Identifier, IdentifierKind
from gardien.vault.keys import BlindIndex, FieldCipher, MasterKeyProvider, derive_subkey

AUDIT_CHAIN_LABEL = "audit-chain"


class IdentifierVault:
    """The ledger's use of the master keys."""

    def __init__(self, provider: MasterKeyProvider) -> None:
        self._provider = provider
        self._index = BlindIndex(provider)
        self._cipher = FieldCipher(provider)

    def digest(self, identifier: Identifier) -> bytes:
        return self._index.digest(identifier.kind.value, identifier.value)

    def seal(self, identifier: Identifier, digest: bytes) -> bytes:
        return self._cipher.encrypt(identifier.value.encode("utf-8"), _aad(identifier.kind, digest))

    def open(self, kind: IdentifierKind, digest: bytes, token: bytes) -> Identifier:
        value = self._cipher.decrypt(token, _aad(kind, digest)).decode("utf-8")
        return Identifier(kind, value)

    def audit_key(self) -> bytes:
        """The audit chain's HMAC key, from the pinned key so rotation never breaks the chain."""
        return derive_subkey(self._provider.index_key(), AUDIT_CHAIN_LABEL)


def _aad(kind: IdentifierKind, digest: bytes) -> bytes:
    return b"gardien/identifier:" + kind.value.encode() + b":" + digest
