"""Encrypted backup files: round trips, and every kind of damage detected and located."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gardien.vault import (
    BackupError,
    CorruptBackupError,
    KeyFileProvider,
    KeyRing,
    MasterKey,
    TruncatedBackupError,
    VaultError,
    WrongKeyError,
    create_key_file,
    rotate_key_file,
)
from gardien.vault.backup_format import (
    read_encrypted,
    read_header,
    verify_encrypted,
    write_encrypted,
)

KEY = MasterKey.from_material(bytes(range(32)))
PROVIDER = KeyRing((KEY,), KEY.key_id, KEY.key_id, source="test keys")
CHUNK = 64
DUMP = b"".join(
    f"INSERT INTO person VALUES ({n}, 'person{n}@example.org');\n".encode() for n in range(9)
)


def backup(plaintext: bytes, chunk_size: int = CHUNK) -> bytes:
    dest = io.BytesIO()
    write_encrypted(io.BytesIO(plaintext), dest, PROVIDER, chunk_size=chunk_size)
    return dest.getvalue()


def restore(encrypted: bytes) -> bytes:
    dest = io.BytesIO()
    read_encrypted(io.BytesIO(encrypted), dest, PROVIDER)
    return dest.getvalue()


def record_offsets(encrypted: bytes) -> list[tuple[int, int]]:
    """(start, end) of each record, read from the framing (header first)."""
    offset = 14 + int.from_bytes(encrypted[10:14], "big")
    records = [(0, offset)]
    while offset < len(encrypted):
        end = offset + 5 + int.from_bytes(encrypted[offset + 1 : offset + 5], "big")
        records.append((offset, end))
        offset = end
    return records


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, len(DUMP)])
def test_a_backup_restores_to_exactly_its_source(size: int) -> None:
    plaintext = (DUMP * 3)[:size]
    encrypted = backup(plaintext)
    assert restore(encrypted) == plaintext
    if size >= 16:
        assert plaintext[:16] not in encrypted


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(plaintext=st.binary(max_size=2000), chunk_size=st.integers(1, 300))
def test_any_content_round_trips_at_any_chunk_size(plaintext: bytes, chunk_size: int) -> None:
    assert restore(backup(plaintext, chunk_size)) == plaintext


def test_the_manifest_describes_the_content_and_verify_agrees() -> None:
    when = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    dest = io.BytesIO()
    written = write_encrypted(io.BytesIO(DUMP), dest, PROVIDER, chunk_size=CHUNK, created_at=when)
    assert written.plaintext_size == len(DUMP)
    assert written.plaintext_sha256 == hashlib.sha256(DUMP).hexdigest()
    assert written.chunk_count == -(-len(DUMP) // CHUNK)
    assert written.encrypted_size == len(dest.getvalue())
    assert written.created_at == when
    assert written.master_key_id == KEY.key_id
    assert verify_encrypted(io.BytesIO(dest.getvalue()), PROVIDER) == written
    header = read_header(io.BytesIO(dest.getvalue()))
    assert (header.backup_id, header.master_key_id) == (written.backup_id, KEY.key_id)


def test_two_backups_of_the_same_content_share_no_ciphertext() -> None:
    one, two = backup(DUMP), backup(DUMP)
    assert one[100:164] != two[100:164]
    assert restore(one) == restore(two) == DUMP


class Trickle(io.RawIOBase):
    """A pipe-like source that returns at most 7 bytes per read."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self.data.read(min(size if size >= 0 else 7, 7))


def test_short_reads_from_pipes_are_not_mistaken_for_the_end() -> None:
    dest = io.BytesIO()
    write_encrypted(Trickle(DUMP), dest, PROVIDER, chunk_size=CHUNK)  # type: ignore[arg-type]
    restored = io.BytesIO()
    read_encrypted(Trickle(dest.getvalue()), restored, PROVIDER)  # type: ignore[arg-type]
    assert restored.getvalue() == DUMP


def test_a_large_backup_streams_through_files_in_1_mib_chunks(tmp_path: Path) -> None:
    source = tmp_path / "dump.sql"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    with source.open("rb") as plain, (tmp_path / "dump.gbk").open("wb") as out:
        written = write_encrypted(plain, out, PROVIDER)
    assert written.chunk_count == 4
    with (tmp_path / "dump.gbk").open("rb") as enc, (tmp_path / "back.sql").open("wb") as out:
        read = read_encrypted(enc, out, PROVIDER)
    assert read == written
    assert (tmp_path / "back.sql").read_bytes() == source.read_bytes()


def test_a_backup_under_another_master_key_names_the_key_it_needs() -> None:
    other = MasterKey.generate()
    with pytest.raises(
        WrongKeyError, match=f"this backup was encrypted under master key '{KEY.key_id}'"
    ):
        verify_encrypted(io.BytesIO(backup(DUMP)), KeyRing((other,), other.key_id, other.key_id))


def test_a_backup_written_before_a_rotation_restores_after_it(tmp_path: Path) -> None:
    path = tmp_path / "gardien.key"
    create_key_file(path)
    dest = io.BytesIO()
    write_encrypted(io.BytesIO(DUMP), dest, KeyFileProvider(path))
    rotate_key_file(path)
    restored = io.BytesIO()
    read_encrypted(io.BytesIO(dest.getvalue()), restored, KeyFileProvider(path))
    assert restored.getvalue() == DUMP


ENCRYPTED = backup(DUMP)


@settings(max_examples=200)
@given(cut=st.integers(0, len(ENCRYPTED) - 1))
def test_a_backup_cut_anywhere_is_reported_truncated_where_it_ends(cut: int) -> None:
    with pytest.raises(TruncatedBackupError) as raised:
        verify_encrypted(io.BytesIO(ENCRYPTED[:cut]), PROVIDER)
    assert raised.value.offset == cut
    assert f"at byte {cut}" in str(raised.value)
    assert raised.value.code == "truncated_backup"


@pytest.mark.parametrize("record", range(1, len(record_offsets(ENCRYPTED))))
def test_a_backup_cut_at_a_record_boundary_is_truncated(record: int) -> None:
    start, _ = record_offsets(ENCRYPTED)[record]
    with pytest.raises(TruncatedBackupError, match=f"chunk {record - 1}"):
        verify_encrypted(io.BytesIO(ENCRYPTED[:start]), PROVIDER)


def test_every_flipped_byte_is_detected() -> None:
    for position in range(len(ENCRYPTED)):
        damaged = bytearray(ENCRYPTED)
        damaged[position] ^= 0x04
        with pytest.raises(VaultError):
            verify_encrypted(io.BytesIO(bytes(damaged)), PROVIDER)


def test_a_flipped_byte_in_a_chunk_names_that_chunk_and_its_offset() -> None:
    records = record_offsets(ENCRYPTED)
    start, end = records[3]
    damaged = bytearray(ENCRYPTED)
    damaged[(start + end) // 2] ^= 0xFF
    restored = io.BytesIO()
    with pytest.raises(CorruptBackupError) as raised:
        read_encrypted(io.BytesIO(bytes(damaged)), restored, PROVIDER)
    assert raised.value.chunk == 2
    assert raised.value.offset == start
    assert str(raised.value).startswith(f"backup is corrupt at byte {start} (chunk 2): ")
    assert restored.getvalue() == DUMP[: 2 * CHUNK]


def swapped(data: bytes, first: int, second: int) -> bytes:
    records = [data[a:b] for a, b in record_offsets(data)]
    records[first], records[second] = records[second], records[first]
    return b"".join(records)


def test_reordered_chunks_are_detected() -> None:
    with pytest.raises(CorruptBackupError, match="chunk 0"):
        verify_encrypted(io.BytesIO(swapped(ENCRYPTED, 1, 2)), PROVIDER)


def test_a_dropped_or_duplicated_chunk_is_detected() -> None:
    records = [ENCRYPTED[a:b] for a, b in record_offsets(ENCRYPTED)]
    dropped = b"".join(records[:2] + records[3:])
    duplicated = b"".join(records[:3] + records[2:])
    for damaged, chunk in ((dropped, 1), (duplicated, 2)):
        with pytest.raises(CorruptBackupError, match=f"chunk {chunk}"):
            verify_encrypted(io.BytesIO(damaged), PROVIDER)


def test_the_closing_manifest_cannot_be_moved_earlier() -> None:
    records = [ENCRYPTED[a:b] for a, b in record_offsets(ENCRYPTED)]
    with pytest.raises(CorruptBackupError, match="chunk 2"):
        verify_encrypted(io.BytesIO(b"".join([*records[:3], records[-1]])), PROVIDER)


def test_a_data_chunk_relabelled_as_the_last_one_is_detected() -> None:
    records = [ENCRYPTED[a:b] for a, b in record_offsets(ENCRYPTED)]
    relabelled = b"\x01" + records[2][1:]
    with pytest.raises(CorruptBackupError, match="chunk 1"):
        verify_encrypted(io.BytesIO(b"".join([*records[:2], relabelled])), PROVIDER)


def test_chunks_spliced_from_another_backup_are_detected() -> None:
    other = backup(DUMP)
    mine = [ENCRYPTED[a:b] for a, b in record_offsets(ENCRYPTED)]
    theirs = [other[a:b] for a, b in record_offsets(other)]
    with pytest.raises(CorruptBackupError, match="chunk 1"):
        verify_encrypted(io.BytesIO(b"".join([*mine[:2], *theirs[2:]])), PROVIDER)


def test_data_after_the_end_is_not_ignored() -> None:
    with pytest.raises(
        CorruptBackupError, match=f"corrupt at byte {len(ENCRYPTED)}: unexpected data after"
    ):
        verify_encrypted(io.BytesIO(ENCRYPTED + b"\n"), PROVIDER)


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        (b"", TruncatedBackupError, "expected the backup header"),
        (b"GARD", TruncatedBackupError, "at byte 4"),
        (b"-- PostgreSQL database dump\n", CorruptBackupError, "not a Gardien backup"),
        (b"GARDBKUP\x00\x07\x00\x00\x00\x02{}", CorruptBackupError, "format version 7"),
        (b"GARDBKUP\x00\x01\xff\xff\xff\xff", CorruptBackupError, "header length"),
        (b"GARDBKUP\x00\x01\x00\x00\x00\x02{}", CorruptBackupError, "header is unreadable"),
        (
            b"GARDBKUP\x00\x01\x00\x00\xea\x60" + b"[" * 60000,
            CorruptBackupError,
            "header is unreadable",
        ),
    ],
)
def test_files_that_are_not_backups_are_named_as_such(
    content: bytes, error: type[BackupError], message: str
) -> None:
    with pytest.raises(error, match=message):
        verify_encrypted(io.BytesIO(content), PROVIDER)
