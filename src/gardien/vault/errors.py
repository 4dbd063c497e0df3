"""What can go wrong with keys, ciphertexts and backups, said so that a DPO can act on it.

Key problems (no key, a key file that is unreadable or too widely readable, data sealed under a
key this installation does not hold) are :class:`~gardien.errors.ConfigurationError` subclasses:
Gardien must refuse to start, or refuse the one operation, rather than work halfway. Damaged data
(a flipped byte, a cut file, reordered chunks) is a :class:`VaultError`: it is never skipped
silently, because integrity is part of the security of processing (GDPR art. 32(1)(b)).
"""

from __future__ import annotations

from pathlib import Path

from gardien.errors import ConfigurationError, GardienError


class VaultError(GardienError):
    """Base of every error about encrypted data and its keys."""

    code = "vault_error"


class MissingKeyError(VaultError, ConfigurationError):
    """No master key is configured, so nothing encrypted can be read or written."""

    code = "missing_master_key"


class KeyFileError(VaultError, ConfigurationError):
    """A key file exists but cannot be used: unreadable, malformed, or already there."""

    code = "invalid_key_file"

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"key file {path}: {problem}")
        self.path = path
        self.problem = problem


class KeyFilePermissionError(KeyFileError):
    """The key file can be read by other users of the machine (art. 32: access control)."""

    code = "key_file_too_open"

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(
            path,
            f"is readable or writable by other users (mode {mode & 0o777:o}); "
            f"only its owner may access it: run `chmod 600 {path}`",
        )
        self.mode = mode


class WrongKeyError(VaultError, ConfigurationError):
    """Data was encrypted under a master key that the configured keys do not include."""

    code = "wrong_master_key"

    def __init__(self, key_id: str, source: str, what: str = "this data") -> None:
        super().__init__(
            f"{what} was encrypted under master key {key_id!r}, which {source} does not hold; "
            "configure the key file that was in use when it was written "
            "(a rotated key file keeps every earlier key)"
        )
        self.key_id = key_id
        self.source = source


class CorruptCiphertextError(VaultError):
    """A ciphertext failed authentication: altered, cut, or opened in the wrong context."""

    code = "corrupt_ciphertext"

    def __init__(self, what: str, detail: str = "") -> None:
        message = (
            f"{what} cannot be decrypted: it was altered or damaged, "
            "or it belongs to another record than the one it was read for"
        )
        if detail:
            message += f" ({detail})"
        super().__init__(message)
        self.what = what
        self.detail = detail


class KeyDestroyedError(VaultError):
    """The owner's data key was destroyed (crypto-shredding): their data is gone for good."""

    code = "data_key_destroyed"

    def __init__(self, owner: str) -> None:
        super().__init__(
            f"the data key of {owner!r} was destroyed on erasure; "
            "their encrypted data can no longer be read by anyone"
        )
        self.owner = owner


class BackupError(VaultError):
    """A backup file that cannot be restored or verified, located to the byte."""

    code = "backup_error"

    def __init__(self, state: str, problem: str, *, offset: int, chunk: int | None) -> None:
        where = f"at byte {offset}"
        if chunk is not None:
            where += f" (chunk {chunk})"
        super().__init__(f"backup is {state} {where}: {problem}")
        self.offset = offset
        self.chunk = chunk
        self.problem = problem


class TruncatedBackupError(BackupError):
    """The backup file ends early: it was cut during copy or upload."""

    code = "truncated_backup"

    def __init__(self, *, offset: int, chunk: int | None, expected: str) -> None:
        super().__init__(
            "truncated",
            f"expected {expected}, found the end of the file",
            offset=offset,
            chunk=chunk,
        )
        self.expected = expected


class CorruptBackupError(BackupError):
    """The backup file was altered, damaged, or is not a Gardien backup at all."""

    code = "corrupt_backup"

    def __init__(self, problem: str, *, offset: int, chunk: int | None) -> None:
        super().__init__("corrupt", problem, offset=offset, chunk=chunk)


class ItemNotFoundError(VaultError):
    """No vault item has this id (never stored, or purged at the end of its period)."""

    code = "vault_item_not_found"

    def __init__(self, item_id: str) -> None:
        super().__init__(f"no vault item {item_id!r}: it was never stored or has been purged")
        self.item_id = item_id


class AccessDeniedError(VaultError):
    """Reading an item was refused by the purpose decision (GDPR art. 5(1)(b))."""

    code = "vault_access_denied"

    def __init__(self, item_id: str, purpose: str, reasons: tuple[str, ...]) -> None:
        why = "; ".join(reasons) or "the decision did not allow it"
        super().__init__(f"reading vault item {item_id!r} for purpose {purpose!r} is denied: {why}")
        self.item_id = item_id
        self.purpose = purpose
        self.reasons = reasons


class ShredJournalError(VaultError, ConfigurationError):
    """The shred journal is missing, damaged or incomplete: a restore could revive the erased."""

    code = "shred_journal_error"

    def __init__(self, path: Path | None, problem: str) -> None:
        where = f"shred journal {path}" if path is not None else "shred journal"
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.problem = problem


class RestoreRefusedError(VaultError):
    """A restore that would destroy data or cannot apply to this database."""

    code = "restore_refused"


class BackupIOError(VaultError):
    """The operating system refused a read or write (disk full, no permission, missing file)."""

    code = "backup_io_error"

    def __init__(self, path: Path, action: str, error: OSError | str) -> None:
        reason = error if isinstance(error, str) else error.strerror or str(error)
        super().__init__(f"cannot {action} {path}: {reason}")
        self.path = path
        self.action = action
        self.reason = reason
