"""Master keys, where they come from, and the two primitives built directly on them.

The master key is kept outside the database (a key file or the ``GARDIEN_MASTER_KEY`` variable),
so that a stolen database or backup alone reveals nothing (GDPR art. 32(1)(a): encryption;
art. 34(3)(a): a breach of encrypted data need not be told to each person). Nothing encrypts
with a master key directly: each use gets its own subkey through HKDF (:func:`derive_subkey`).

Public API::

    MasterKey(key_id: str, material: bytes)            # repr never shows the material
    MasterKey.generate() -> MasterKey
    MasterKeyProvider  (Protocol: source, current(), get(key_id), index_key())
    KeyRing(keys, current_id, index_id, source)         # in-memory provider; base of the others
    KeyFileProvider(path)                               # JSON key file, mode 0600, rotations
    EnvKeyProvider(value, source="GARDIEN_MASTER_KEY")  # one base64 key
    load_master_keys(key_file, env_value) -> MasterKeyProvider
    create_key_file(path) -> MasterKey
    rotate_key_file(path) -> MasterKey
    derive_subkey(master, label) -> bytes               # HKDF-SHA256, 32 bytes
    BlindIndex(provider).digest(kind, normalised_value) -> bytes   # HMAC-SHA256, 32 bytes
    FieldCipher(provider).encrypt(plaintext, aad) / .decrypt(token, aad)
        .reencrypt(token, aad) / .key_id_of(token)

Rotation adds a key to the key file and makes it current; older keys stay, so everything written
before still opens. Wrapped data keys can then be re-wrapped one row at a time
(:func:`gardien.vault.envelope.rewrap`); the data itself is never re-encrypted.

The blind index is the exception: its digests are stored in every identifier row and a lookup
must find rows written years ago. Its key is therefore derived from one *pinned* master key, the
key file's ``blind_index`` entry, which is the first key ever created and does not move on
rotation. Deriving it from the current key would break every lookup of an old row after a
rotation, and recomputing the digests would mean decrypting every identifier, which is exactly
the re-encryption rotation is meant to avoid. The price: the pinned key must stay in the key
file for as long as the digests it made are in use.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gardien.errors import ConfigurationError
from gardien.vault._key_file import (
    KEY_BYTES,
    KeyFileContents,
    KeyFileEntry,
    decode_material,
    now_text,
    read_key_file,
    replace_key_file,
    write_new_key_file,
)
from gardien.vault.errors import (
    CorruptCiphertextError,
    KeyFileError,
    MissingKeyError,
    WrongKeyError,
)

NONCE_BYTES = 12
ENV_VARIABLE = "GARDIEN_MASTER_KEY"
KEY_FILE_VARIABLE = "GARDIEN_KEY_FILE"

CREATE_KEY_HINT = (
    "create a key file with `gardien key create --key-file PATH` (or "
    f"gardien.vault.create_key_file) and set {KEY_FILE_VARIABLE}=PATH, or set {ENV_VARIABLE} "
    "to 32 random bytes in base64, e.g. the output of `openssl rand -base64 32`; "
    "keep a copy of the key somewhere safe and apart from the database: "
    "without it nothing encrypted can ever be read again"
)

_HKDF_SALT = b"gardien/vault/v1"
_FIELD_TOKEN_VERSION = 1


@dataclass(frozen=True)
class MasterKey:
    """A 32-byte key-encryption key with a short public id; its material is never shown."""

    key_id: str
    material: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.material) != KEY_BYTES:
            raise ValueError(f"a master key has {KEY_BYTES} bytes, not {len(self.material)}")
        encoded = self.key_id.encode("utf-8")
        if not encoded or len(encoded) > 255:
            raise ValueError("a master key id has 1 to 255 bytes")

    @classmethod
    def from_material(cls, material: bytes) -> MasterKey:
        """The key with its id derived from the material (first 8 hex of a SHA-256)."""
        return cls(key_id=key_id_of(material), material=material)

    @classmethod
    def generate(cls) -> MasterKey:
        """A new random key from the operating system's CSPRNG."""
        return cls.from_material(secrets.token_bytes(KEY_BYTES))

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id!r}, material=<hidden>)"

    def __str__(self) -> str:
        return f"master key {self.key_id}"


def key_id_of(material: bytes) -> str:
    """The public id of a key: 8 hex digits of a domain-separated SHA-256 of its material.

    A hash of a 256-bit random key reveals nothing usable about it; the id lets a ciphertext say
    which key it needs, and lets the key file detect a damaged or mistyped key.
    """
    return hashlib.sha256(b"gardien master key id\x00" + material).hexdigest()[:8]


@runtime_checkable
class MasterKeyProvider(Protocol):
    """Where master keys come from; a KMS adapter implements these four members."""

    @property
    def source(self) -> str:
        """Where the keys come from, for messages (``key file /etc/gardien.key``)."""
        ...

    def current(self) -> MasterKey:
        """The key new data is wrapped under."""
        ...

    def get(self, key_id: str) -> MasterKey:
        """The key with this id, current or older; :class:`WrongKeyError` if absent."""
        ...

    def index_key(self) -> MasterKey:
        """The pinned key blind indexes derive from; stable across rotations."""
        ...


class KeyRing:
    """An in-memory set of master keys: the current one, the pinned index key, older ones.

    It is the base of the file and environment providers, and what a KMS adapter can build
    once it has fetched its keys.
    """

    def __init__(
        self,
        keys: Iterable[MasterKey],
        current_id: str,
        index_id: str,
        source: str = "the configured master keys",
    ) -> None:
        self.keys = tuple(keys)
        self.current_id = current_id
        self.index_id = index_id
        self.source = source
        ids = [key.key_id for key in self.keys]
        if len(set(ids)) != len(ids):
            raise ValueError("two master keys share an id")
        for role, wanted in (("current", current_id), ("blind index", index_id)):
            if wanted not in ids:
                raise ValueError(f"the {role} key {wanted!r} is not among the keys")

    def __repr__(self) -> str:
        ids = ", ".join(key.key_id for key in self.keys)
        return f"{type(self).__name__}({self.source}: keys [{ids}], current {self.current_id})"

    def current(self) -> MasterKey:
        return self.get(self.current_id)

    def get(self, key_id: str) -> MasterKey:
        for key in self.keys:
            if key.key_id == key_id:
                return key
        raise WrongKeyError(key_id, self.source)

    def index_key(self) -> MasterKey:
        return self.get(self.index_id)


class EnvKeyProvider(KeyRing):
    """One master key given as base64 text, normally from ``GARDIEN_MASTER_KEY``."""

    def __init__(self, value: str, source: str = ENV_VARIABLE) -> None:
        key = MasterKey.from_material(decode_material(value.strip(), where=source))
        super().__init__(keys=(key,), current_id=key.key_id, index_id=key.key_id, source=source)


class KeyFileProvider(KeyRing):
    """The master keys of a key file, read and checked once, at start-up.

    The file is JSON: ``{"format": "gardien-master-keys", "version": 1, "current": ID,
    "blind_index": ID, "keys": [{"id": ID, "created_at": ISO-8601, "material": BASE64}]}``.
    It must be readable by its owner only (mode 0600 or stricter), and each key's id must match
    its material, which catches a damaged or mistyped key before it encrypts anything.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        contents = read_key_file(path, CREATE_KEY_HINT)
        keys = []
        for position, entry in enumerate(contents.entries, start=1):
            key = MasterKey.from_material(entry.material)
            if key.key_id != entry.key_id:
                raise KeyFileError(
                    path,
                    f"key #{position} is declared as {entry.key_id!r} but its material has id "
                    f"{key.key_id!r}: the key was damaged or mistyped",
                )
            keys.append(key)
        self.created_at = {entry.key_id: entry.created_at for entry in contents.entries}
        super().__init__(keys, contents.current_id, contents.index_id, f"key file {path}")


def load_master_keys(key_file: Path | None, env_value: str | None) -> MasterKeyProvider:
    """The configured master keys; fails at start-up rather than halfway through a request.

    A key file and a ``GARDIEN_MASTER_KEY`` may both be set only if the file holds that key;
    otherwise which of the two encrypts is ambiguous and Gardien refuses to guess.
    """
    env_value = env_value.strip() if env_value else None
    if key_file is None:
        if not env_value:
            raise MissingKeyError(f"no master key is configured; {CREATE_KEY_HINT}")
        return EnvKeyProvider(env_value)
    if not key_file.exists():
        raise MissingKeyError(f"the key file {key_file} does not exist; {CREATE_KEY_HINT}")
    from_file = KeyFileProvider(key_file)
    if env_value:
        from_env = EnvKeyProvider(env_value)
        if from_env.current_id not in {key.key_id for key in from_file.keys}:
            raise ConfigurationError(
                f"both the key file {key_file} and {ENV_VARIABLE} are set, and they hold "
                "different keys; unset one of them"
            )
    return from_file


def create_key_file(path: Path) -> MasterKey:
    """Write a new key file with one random key, mode 0600; never overwrites an existing file.

    The first key is also the pinned blind-index key for the life of the file.
    """
    key = MasterKey.generate()
    entry = KeyFileEntry(key.key_id, key.material, now_text())
    write_new_key_file(path, KeyFileContents((entry,), key.key_id, key.key_id))
    return key


def rotate_key_file(path: Path) -> MasterKey:
    """Add a new current key to a key file, keeping every older key and the blind-index key.

    Nothing is re-encrypted: data keys wrapped under older keys still unwrap, and can be
    re-wrapped under the new key one row at a time with :func:`gardien.vault.envelope.rewrap`.
    """
    provider = KeyFileProvider(path)
    new_key = MasterKey.generate()
    entries = [
        KeyFileEntry(key.key_id, key.material, provider.created_at.get(key.key_id, ""))
        for key in provider.keys
    ]
    entries.append(KeyFileEntry(new_key.key_id, new_key.material, now_text()))
    replace_key_file(path, KeyFileContents(tuple(entries), new_key.key_id, provider.index_id))
    return new_key


def derive_subkey(master: MasterKey, label: str) -> bytes:
    """A 32-byte key for one use (``label``) of a master key, by HKDF-SHA256 (RFC 5869).

    Separate uses never share a key: a field cipher key reveals nothing about the blind-index
    key derived from the same master key.
    """
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=_HKDF_SALT,
        info=b"gardien/" + label.encode("utf-8"),
    )
    return hkdf.derive(master.material)


class BlindIndex:
    """Keyed digests of identifiers, to find a person by e-mail without storing the e-mail.

    ``digest(kind, value)`` is HMAC-SHA256 under a per-kind key derived from the pinned index
    key, so equal values of different kinds (an e-mail and a customer number) never collide and
    the digests stay valid across rotations. The caller normalises the value first (lower-case
    e-mail, E.164 phone); without the key, a digest cannot be tested against guesses.
    """

    def __init__(self, provider: MasterKeyProvider) -> None:
        self._index_key = provider.index_key()
        self._keys: dict[str, bytes] = {}

    @property
    def key_id(self) -> str:
        """The id of the master key the digests derive from."""
        return self._index_key.key_id

    def digest(self, kind: str, normalised_value: str) -> bytes:
        """The 32-byte digest of one identifier of one kind."""
        if not kind or "\x00" in kind:
            raise ValueError("an identifier kind is a non-empty name without NUL")
        key = self._keys.get(kind)
        if key is None:
            key = derive_subkey(self._index_key, f"blind-index/{kind}")
            self._keys[kind] = key
        return hmac.new(key, normalised_value.encode("utf-8"), hashlib.sha256).digest()


class FieldCipher:
    """AES-256-GCM for small values (encrypted identifiers), bound to their record by AAD.

    A token is ``version (1) | key id length (1) | key id | nonce (12) | ciphertext+tag``; the
    header is authenticated with the caller's AAD (e.g. ``b"identifier:" + row id``), so a value
    copied onto another row does not decrypt. The key is a subkey of the current master key; a
    token written before a rotation names its key and still decrypts.
    """

    def __init__(self, provider: MasterKeyProvider) -> None:
        self._provider = provider
        self._ciphers: dict[str, AESGCM] = {}

    def _cipher(self, key: MasterKey) -> AESGCM:
        cipher = self._ciphers.get(key.key_id)
        if cipher is None:
            cipher = AESGCM(derive_subkey(key, "field-cipher"))
            self._ciphers[key.key_id] = cipher
        return cipher

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt under the current master key with a fresh random nonce."""
        key = self._provider.current()
        key_id = key.key_id.encode("utf-8")
        header = bytes([_FIELD_TOKEN_VERSION, len(key_id)]) + key_id
        nonce = secrets.token_bytes(NONCE_BYTES)
        return header + nonce + self._cipher(key).encrypt(nonce, plaintext, header + aad)

    def decrypt(self, token: bytes, aad: bytes) -> bytes:
        """Decrypt a token; :class:`WrongKeyError` or :class:`CorruptCiphertextError` if not."""
        key_id = self.key_id_of(token)
        header_length = 2 + token[1]
        if len(token) < header_length + NONCE_BYTES + 16:
            raise CorruptCiphertextError("an encrypted field", "it is too short")
        key = self._provider.get(key_id)
        nonce = token[header_length : header_length + NONCE_BYTES]
        try:
            return self._cipher(key).decrypt(
                nonce, token[header_length + NONCE_BYTES :], token[:header_length] + aad
            )
        except InvalidTag:
            raise CorruptCiphertextError("an encrypted field") from None

    def reencrypt(self, token: bytes, aad: bytes) -> bytes:
        """The token under the current master key (unchanged if already), to retire old keys."""
        if self.key_id_of(token) == self._provider.current().key_id:
            return token
        return self.encrypt(self.decrypt(token, aad), aad)

    def key_id_of(self, token: bytes) -> str:
        """The id of the master key a token was written under (to re-encrypt after rotation)."""
        if len(token) < 2 or token[0] != _FIELD_TOKEN_VERSION:
            raise CorruptCiphertextError("an encrypted field", "it has no valid header")
        end = 2 + token[1]
        try:
            return token[2:end].decode("utf-8")
        except UnicodeDecodeError:
            raise CorruptCiphertextError("an encrypted field", "its key id is damaged") from None


def dataset_hash_key(provider: MasterKeyProvider) -> bytes:
    """The key of the ``hash`` erasure strategy in the organisation's databases.

    Derived from the pinned (blind-index) key so that every process — CLI, service, retention —
    hashes a value the same way, and rotation does not change past hashes.
    """
    return derive_subkey(provider.index_key(), "datasets/hash")
