"""The encrypted backup file: streamed in chunks, authenticated end to end, located on failure.

A backup holds everything Gardien knows about people, so it is encrypted like the vault (GDPR
art. 32(1)(a)) and must be provably whole before anything is restored from it (art. 32(1)(c):
the ability to restore availability). The layout, all integers big-endian::

    magic "GARDBKUP" (8) | version (2) | header length (4) | header (UTF-8 JSON)
    record*:  kind (1: 0 = data, 1 = closing manifest) | length (4) | AES-256-GCM ciphertext

The header names the backup, its creation time, the chunk size, the master key id and the
per-file key wrapped under it (:mod:`gardien.vault.envelope`, owner ``backup:<id>``). Each record
is sealed with the file key; its nonce and authenticated data carry its index and its kind, and
the authenticated data also carries the SHA-256 of the header. So a record moved, dropped,
duplicated, copied from another backup, or a data record passed off as the last one, fails
authentication; and a file that ends before the closing manifest is truncated, never accepted.
The closing manifest repeats the chunk count, the size and the SHA-256 of the plaintext.

Public API::

    write_encrypted(source, dest, provider, *, chunk_size=1 MiB, created_at=None) -> BackupManifest
    read_encrypted(source, dest, provider) -> BackupManifest   # dest gets authenticated data only
    verify_encrypted(source, provider) -> BackupManifest
    read_header(source) -> BackupHeader                        # no key needed

``read_encrypted`` streams: when it raises, ``dest`` holds the chunks that came before the
damage. A restore writes to a temporary file and keeps it only if the call returns.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gardien.vault.envelope import TAG_BYTES, WrappedKey, new_data_key, unwrap
from gardien.vault.errors import (
    CorruptBackupError,
    CorruptCiphertextError,
    TruncatedBackupError,
    WrongKeyError,
)
from gardien.vault.keys import MasterKeyProvider

MAGIC = b"GARDBKUP"
FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 1024 * 1024
MAX_CHUNK_SIZE = 64 * 1024 * 1024
MAX_HEADER_SIZE = 64 * 1024
_PREAMBLE = len(MAGIC) + 2 + 4
_DATA, _FINAL = 0, 1


@dataclasses.dataclass(frozen=True)
class BackupHeader:
    """What a backup says about itself before any key is used."""

    backup_id: str
    created_at: datetime
    chunk_size: int
    master_key_id: str
    wrapped_key: WrappedKey


@dataclasses.dataclass(frozen=True)
class BackupManifest:
    """A verified description of a backup's content."""

    backup_id: str
    created_at: datetime
    master_key_id: str
    chunk_size: int
    chunk_count: int
    plaintext_size: int
    plaintext_sha256: str
    encrypted_size: int


def write_encrypted(
    source: BinaryIO,
    dest: BinaryIO,
    provider: MasterKeyProvider,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    created_at: datetime | None = None,
) -> BackupManifest:
    """Encrypt ``source`` into ``dest`` under a fresh file key wrapped by the current key."""
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk size must be between 1 and {MAX_CHUNK_SIZE} bytes")
    backup_id = str(uuid.uuid4())
    created = (created_at or datetime.now(UTC)).astimezone(UTC)
    file_key, wrapped = new_data_key(provider, f"backup:{backup_id}")
    header_json = json.dumps(
        {
            "backup_id": backup_id,
            "created_at": created.isoformat(),
            "chunk_size": chunk_size,
            "master_key_id": wrapped.master_key_id,
            "wrapped_key": base64.b64encode(wrapped.wrapped).decode("ascii"),
        },
        sort_keys=True,
    ).encode("utf-8")
    preamble = MAGIC + FORMAT_VERSION.to_bytes(2, "big") + len(header_json).to_bytes(4, "big")
    dest.write(preamble + header_json)
    written = _PREAMBLE + len(header_json)
    context = hashlib.sha256(preamble + header_json).digest()
    cipher = AESGCM(file_key)
    digest = hashlib.sha256()
    size = index = 0
    while chunk := _read_up_to(source, chunk_size):
        digest.update(chunk)
        size += len(chunk)
        written += _write_record(dest, cipher, context, index, _DATA, chunk)
        index += 1
    manifest = BackupManifest(
        backup_id=backup_id,
        created_at=created,
        master_key_id=wrapped.master_key_id,
        chunk_size=chunk_size,
        chunk_count=index,
        plaintext_size=size,
        plaintext_sha256=digest.hexdigest(),
        encrypted_size=0,
    )
    written += _write_record(dest, cipher, context, index, _FINAL, _manifest_json(manifest))
    dest.flush()
    return _with_size(manifest, written)


def read_encrypted(
    source: BinaryIO, dest: BinaryIO | None, provider: MasterKeyProvider
) -> BackupManifest:
    """Decrypt a backup into ``dest`` (or only check it, if ``dest`` is None).

    Raises :class:`TruncatedBackupError`, :class:`CorruptBackupError` (with the byte offset and
    the chunk) or :class:`WrongKeyError`; returns the manifest only if every byte checked out.
    """
    reader = _Reader(source)
    header, context = _read_header(reader)
    cipher = AESGCM(_unwrap_file_key(provider, header))
    digest = hashlib.sha256()
    size = index = 0
    while True:
        start = reader.offset
        record_head = reader.exact(5, "the next chunk or the closing manifest", index)
        kind, length = record_head[0], int.from_bytes(record_head[1:], "big")
        limit = (header.chunk_size if kind == _DATA else MAX_HEADER_SIZE) + TAG_BYTES
        if kind not in (_DATA, _FINAL) or not TAG_BYTES < length <= limit:
            raise CorruptBackupError(
                f"chunk header is impossible (kind {kind}, length {length})",
                offset=start,
                chunk=index,
            )
        body = reader.exact(length, f"{length} bytes of encrypted data", index)
        try:
            plaintext = cipher.decrypt(_nonce(index, kind), body, _aad(context, index, kind))
        except InvalidTag:
            raise CorruptBackupError(
                "chunk fails authentication: it was altered, moved, or comes from another backup",
                offset=start,
                chunk=index,
            ) from None
        if kind == _FINAL:
            break
        digest.update(plaintext)
        size += len(plaintext)
        if dest is not None:
            dest.write(plaintext)
        index += 1
    manifest = _parse_manifest(plaintext, header, offset=start, chunk=index)
    if (manifest.chunk_count, manifest.plaintext_size, manifest.plaintext_sha256) != (
        index,
        size,
        digest.hexdigest(),
    ):
        raise CorruptBackupError(
            "the closing manifest does not match the content", offset=start, chunk=index
        )
    if reader.read_some(1):
        raise CorruptBackupError(
            "unexpected data after the closing manifest", offset=reader.offset - 1, chunk=None
        )
    if dest is not None:
        dest.flush()
    return _with_size(manifest, reader.offset)


def verify_encrypted(source: BinaryIO, provider: MasterKeyProvider) -> BackupManifest:
    """Check a whole backup (every chunk, the order, the end, the checksum) without writing."""
    return read_encrypted(source, None, provider)


def read_header(source: BinaryIO) -> BackupHeader:
    """The header of a backup, e.g. to say which master key it needs; no key is used."""
    header, _ = _read_header(_Reader(source))
    return header


class _Reader:
    """A source that counts its offset and reads exactly, however short the reads it gets."""

    def __init__(self, source: BinaryIO) -> None:
        self.source = source
        self.offset = 0

    def read_some(self, count: int) -> bytes:
        data = _read_up_to(self.source, count)
        self.offset += len(data)
        return data

    def exact(self, count: int, expected: str, chunk: int | None) -> bytes:
        data = self.read_some(count)
        if len(data) < count:
            raise TruncatedBackupError(offset=self.offset, chunk=chunk, expected=expected)
        return data


def _read_header(reader: _Reader) -> tuple[BackupHeader, bytes]:
    magic = reader.read_some(len(MAGIC))
    if magic != MAGIC[: len(magic)]:
        raise CorruptBackupError("this is not a Gardien backup (wrong magic)", offset=0, chunk=None)
    if len(magic) < len(MAGIC):
        raise TruncatedBackupError(offset=reader.offset, chunk=None, expected="the backup header")
    rest = reader.exact(6, "the backup header", None)
    version, length = int.from_bytes(rest[:2], "big"), int.from_bytes(rest[2:], "big")
    if version != FORMAT_VERSION:
        raise CorruptBackupError(
            f"format version {version} is not one this Gardien reads ({FORMAT_VERSION})",
            offset=len(MAGIC),
            chunk=None,
        )
    if not 0 < length <= MAX_HEADER_SIZE:
        raise CorruptBackupError(f"header length {length} is impossible", offset=10, chunk=None)
    header_json = reader.exact(length, f"{length} bytes of backup header", None)
    context = hashlib.sha256(magic + rest + header_json).digest()
    return _parse_header(header_json), context


def _parse_header(header_json: bytes) -> BackupHeader:
    try:
        fields = json.loads(header_json)
        backup_id = str(fields["backup_id"])
        master_key_id = str(fields["master_key_id"])
        chunk_size = fields["chunk_size"]
        if not isinstance(chunk_size, int) or not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk size {chunk_size!r}")
        header = BackupHeader(
            backup_id=backup_id,
            created_at=datetime.fromisoformat(fields["created_at"]),
            chunk_size=chunk_size,
            master_key_id=master_key_id,
            wrapped_key=WrappedKey(
                owner=f"backup:{backup_id}",
                master_key_id=master_key_id,
                wrapped=base64.b64decode(fields["wrapped_key"], validate=True),
            ),
        )
    except (ValueError, KeyError, TypeError, RecursionError, binascii.Error) as exc:
        raise CorruptBackupError(
            f"the header is unreadable ({type(exc).__name__}: {exc})", offset=_PREAMBLE, chunk=None
        ) from None
    return header


def _unwrap_file_key(provider: MasterKeyProvider, header: BackupHeader) -> bytes:
    try:
        return unwrap(provider, header.wrapped_key)
    except WrongKeyError as exc:
        raise WrongKeyError(header.master_key_id, exc.source, what="this backup") from None
    except CorruptCiphertextError:
        raise CorruptBackupError(
            "the file key in the header does not unwrap: the header was altered",
            offset=_PREAMBLE,
            chunk=None,
        ) from None


def _parse_manifest(
    plaintext: bytes, header: BackupHeader, *, offset: int, chunk: int
) -> BackupManifest:
    try:
        fields = json.loads(plaintext)
        manifest = BackupManifest(
            backup_id=str(fields["backup_id"]),
            created_at=header.created_at,
            master_key_id=header.master_key_id,
            chunk_size=header.chunk_size,
            chunk_count=int(fields["chunk_count"]),
            plaintext_size=int(fields["plaintext_size"]),
            plaintext_sha256=str(fields["plaintext_sha256"]),
            encrypted_size=0,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptBackupError(
            f"the closing manifest is unreadable ({exc})", offset=offset, chunk=chunk
        ) from None
    if manifest.backup_id != header.backup_id:
        raise CorruptBackupError(
            "the closing manifest belongs to another backup", offset=offset, chunk=chunk
        )
    return manifest


def _manifest_json(manifest: BackupManifest) -> bytes:
    fields = {
        "backup_id": manifest.backup_id,
        "chunk_count": manifest.chunk_count,
        "plaintext_size": manifest.plaintext_size,
        "plaintext_sha256": manifest.plaintext_sha256,
    }
    return json.dumps(fields, sort_keys=True).encode("utf-8")


def _with_size(manifest: BackupManifest, encrypted_size: int) -> BackupManifest:
    return dataclasses.replace(manifest, encrypted_size=encrypted_size)


def _write_record(
    dest: BinaryIO, cipher: AESGCM, context: bytes, index: int, kind: int, plaintext: bytes
) -> int:
    body = cipher.encrypt(_nonce(index, kind), plaintext, _aad(context, index, kind))
    dest.write(bytes([kind]) + len(body).to_bytes(4, "big"))
    dest.write(body)
    return 5 + len(body)


def _nonce(index: int, kind: int) -> bytes:
    # The file key is new for every backup, so a counter nonce never repeats under one key
    # (the STREAM construction: index, then a last-chunk flag).
    return index.to_bytes(11, "big") + bytes([kind])


def _aad(context: bytes, index: int, kind: int) -> bytes:
    return context + index.to_bytes(8, "big") + bytes([kind])


def _read_up_to(source: BinaryIO, count: int) -> bytes:
    parts: list[bytes] = []
    missing = count
    while missing:
        part = source.read(missing)
        if not part:
            break
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)
