"""The vault: master keys, per-owner data keys, crypto-shredding and encrypted backups.

``keys`` (master keys, blind index, field cipher), ``envelope`` (data keys per person or hold,
sealed items) and ``backup_format`` (the encrypted backup file) are re-exported here.
"""

from gardien.vault.backup_format import (
    BackupHeader,
    BackupManifest,
    read_encrypted,
    read_header,
    verify_encrypted,
    write_encrypted,
)
from gardien.vault.envelope import WrappedKey, new_data_key, open_sealed, rewrap, seal, unwrap
from gardien.vault.errors import (
    BackupError,
    CorruptBackupError,
    CorruptCiphertextError,
    KeyDestroyedError,
    KeyFileError,
    KeyFilePermissionError,
    MissingKeyError,
    TruncatedBackupError,
    VaultError,
    WrongKeyError,
)
from gardien.vault.keys import (
    BlindIndex,
    EnvKeyProvider,
    FieldCipher,
    KeyFileProvider,
    KeyRing,
    MasterKey,
    MasterKeyProvider,
    create_key_file,
    derive_subkey,
    load_master_keys,
    rotate_key_file,
)

__all__ = [
    "BackupError",
    "BackupHeader",
    "BackupManifest",
    "BlindIndex",
    "CorruptBackupError",
    "CorruptCiphertextError",
    "EnvKeyProvider",
    "FieldCipher",
    "KeyDestroyedError",
    "KeyFileError",
    "KeyFilePermissionError",
    "KeyFileProvider",
    "KeyRing",
    "MasterKey",
    "MasterKeyProvider",
    "MissingKeyError",
    "TruncatedBackupError",
    "VaultError",
    "WrappedKey",
    "WrongKeyError",
    "create_key_file",
    "derive_subkey",
    "load_master_keys",
    "new_data_key",
    "open_sealed",
    "read_encrypted",
    "read_header",
    "rewrap",
    "rotate_key_file",
    "seal",
    "unwrap",
    "verify_encrypted",
    "write_encrypted",
]
