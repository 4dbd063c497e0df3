"""The key file on disk: its JSON format, its permission check, and safe writes.

Kept apart from :mod:`gardien.vault.keys` so that the format can change without touching the
cryptography. This module deals in raw entries; :class:`~gardien.vault.keys.KeyFileProvider`
checks each entry's id against its material.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from gardien.errors import ConfigurationError
from gardien.vault.errors import KeyFileError, KeyFilePermissionError, MissingKeyError

KEY_BYTES = 32
KEY_FILE_FORMAT = "gardien-master-keys"
KEY_FILE_VERSION = 1


@dataclass(frozen=True)
class KeyFileEntry:
    """One key as written in the file: its declared id, material and creation time."""

    key_id: str
    material: bytes = field(repr=False)
    created_at: str


@dataclass(frozen=True)
class KeyFileContents:
    """Every key of a key file, which one is current, and which one the blind index uses."""

    entries: tuple[KeyFileEntry, ...]
    current_id: str
    index_id: str


def now_text() -> str:
    """The current UTC time to the second, as key files record it."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def decode_material(text: str, *, where: str) -> bytes:
    """The 32 bytes of a base64 key; a clear :class:`ConfigurationError` otherwise."""
    try:
        material = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{where}: the master key is not valid base64") from None
    if len(material) != KEY_BYTES:
        raise ConfigurationError(
            f"{where}: the master key has {len(material)} bytes once decoded; it must have "
            f"{KEY_BYTES} (e.g. the output of `openssl rand -base64 32`)"
        )
    return material


def read_key_file(path: Path, missing_hint: str) -> KeyFileContents:
    """Read and check a key file: owner-only permissions, format, version, every key."""
    document = _load_json(path, missing_hint)
    raw_entries = document.get("keys")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise KeyFileError(path, 'has no "keys" list')
    entries: list[KeyFileEntry] = []
    for position, raw in enumerate(raw_entries, start=1):
        if not isinstance(raw, dict):
            raise KeyFileError(path, f"key #{position} is not an object")
        key_id, text, created_at = raw.get("id"), raw.get("material"), raw.get("created_at", "")
        if not isinstance(key_id, str) or not isinstance(text, str):
            raise KeyFileError(path, f'key #{position} needs an "id" and a "material"')
        if key_id in {entry.key_id for entry in entries}:
            raise KeyFileError(path, f"key {key_id!r} appears twice")
        material = decode_material(text, where=f"key file {path}, key #{position}")
        entries.append(KeyFileEntry(key_id, material, str(created_at)))
    ids = {entry.key_id for entry in entries}
    return KeyFileContents(
        entries=tuple(entries),
        current_id=_named_key(path, document, "current", ids),
        index_id=_named_key(path, document, "blind_index", ids),
    )


def write_new_key_file(path: Path, contents: KeyFileContents) -> None:
    """Create the file with mode 0600; never overwrite one (that would lose its keys)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(
            path,
            "already exists; refusing to overwrite it, as that would make everything encrypted "
            "under it unreadable (rotate it to add a new key)",
        ) from None
    except OSError as exc:
        raise KeyFileError(path, f"cannot be created: {exc.strerror}") from None
    _write_descriptor(descriptor, _render(contents))


def replace_key_file(path: Path, contents: KeyFileContents) -> None:
    """Replace the file atomically: a crash leaves the old or the new file, never half."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise KeyFileError(path, f"cannot be rewritten: {exc.strerror}") from None
    try:
        _write_descriptor(descriptor, _render(contents))
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_descriptor(descriptor: int, text: str) -> None:
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _render(contents: KeyFileContents) -> str:
    document = {
        "format": KEY_FILE_FORMAT,
        "version": KEY_FILE_VERSION,
        "current": contents.current_id,
        "blind_index": contents.index_id,
        "keys": [
            {
                "id": entry.key_id,
                "created_at": entry.created_at,
                "material": base64.b64encode(entry.material).decode("ascii"),
            }
            for entry in contents.entries
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _check_permissions(path: Path) -> None:
    # GDPR art. 32(1)(b): the key is the confidentiality of everything; only its owner reads it.
    if os.name != "posix":
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFilePermissionError(path, mode)


def _load_json(path: Path, missing_hint: str) -> dict[str, object]:
    try:
        _check_permissions(path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissingKeyError(f"the key file {path} does not exist; {missing_hint}") from None
    except IsADirectoryError:
        raise KeyFileError(path, "is a directory, not a key file") from None
    except OSError as exc:
        raise KeyFileError(path, f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise KeyFileError(path, "is not a text file") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeyFileError(path, f"is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise KeyFileError(path, "is not a Gardien key file (nested too deeply)") from None
    if not isinstance(document, dict) or document.get("format") != KEY_FILE_FORMAT:
        raise KeyFileError(path, f'is not a Gardien key file (no "format": {KEY_FILE_FORMAT!r})')
    if document.get("version") != KEY_FILE_VERSION:
        raise KeyFileError(
            path,
            f"has version {document.get('version')!r}; this Gardien reads {KEY_FILE_VERSION}",
        )
    return document


def _named_key(path: Path, document: dict[str, object], name: str, ids: set[str]) -> str:
    value = document.get(name)
    if not isinstance(value, str) or value not in ids:
        raise KeyFileError(path, f'"{name}" must name one of its keys, not {value!r}')
    return value
