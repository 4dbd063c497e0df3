"""``gardien key``, ``vault rotate``, ``backup`` and ``restore`` run as a user would.

Every fault is one readable line and exit status 2: never a traceback, never a silent skip.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from typer.testing import CliRunner

from gardien.cli import app
from gardien.storage import create_engine
from gardien.vault import ItemKind, KeyFileProvider, Vault, person_owner
from gardien.vault.tables import vault_keys

REPO = Path(__file__).resolve().parents[2]


class Gardien:
    """The command line with this test's database and key file."""

    def __init__(self, db_url: str, key_file: Path) -> None:
        self.db_url = db_url
        self.key_file = key_file
        self.runner = CliRunner(
            env={
                "GARDIEN_DATABASE_URL": db_url,
                "GARDIEN_KEY_FILE": str(key_file),
                "GARDIEN_MASTER_KEY": "",
            }
        )

    def __call__(self, *args: str | Path) -> Result:
        return self.runner.invoke(app, [str(a) for a in args])

    def fails(self, *args: str | Path, code: str, says: str) -> str:
        result = self(*args)
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        assert f"({code})" in result.output
        assert says in result.output
        return result.output


@pytest.fixture
def gardien(db_url: str, tmp_path: Path) -> Gardien:
    cli = Gardien(db_url, tmp_path / "secrets" / "gardien.key")
    cli.key_file.parent.mkdir()
    created = cli("key", "create", "--key-file", cli.key_file)
    assert created.exit_code == 0, created.output
    assert "Keep a copy" in created.output
    assert cli("db", "upgrade").exit_code == 0
    return cli


def store_one_item(cli: Gardien) -> str:
    engine = create_engine(cli.db_url)
    try:
        vault = Vault(engine, KeyFileProvider(cli.key_file), None)
        return vault.put(person_owner("ab" * 16), ItemKind.SUPPORT_MESSAGE, b"hello")
    finally:
        engine.dispose()


def test_backup_verify_rotate_and_restore_from_the_command_line(
    gardien: Gardien, tmp_path: Path
) -> None:
    store_one_item(gardien)
    backup = tmp_path / "nightly.gbk"

    written = gardien("backup", "--output", backup)
    assert written.exit_code == 0, written.output
    assert "written to" in written.output
    verified = gardien("backup", "verify", backup)
    assert verified.exit_code == 0, verified.output
    assert "is intact" in verified.output

    rotated = gardien("key", "rotate")
    assert rotated.exit_code == 0, rotated.output
    assert "gardien vault rotate" in rotated.output
    rewrapped = gardien("vault", "rotate")
    assert rewrapped.exit_code == 0, rewrapped.output
    assert "1 data key(s) re-wrapped" in rewrapped.output

    gardien.fails("restore", backup, code="restore_refused", says="--force")
    restored = gardien("restore", backup, "--force")
    assert restored.exit_code == 0, restored.output
    assert "shred journal applied" in restored.output


def test_a_truncated_backup_is_named_as_such_with_its_byte(
    gardien: Gardien, tmp_path: Path
) -> None:
    backup = tmp_path / "b.gbk"
    assert gardien("backup", "-o", backup).exit_code == 0
    cut = tmp_path / "cut.gbk"
    cut.write_bytes(backup.read_bytes()[:1000])
    gardien.fails("backup", "verify", cut, code="truncated_backup", says="truncated at byte")
    gardien.fails("restore", cut, "--force", code="truncated_backup", says="truncated at byte")


def test_a_corrupted_backup_is_named_as_such_with_its_chunk(
    gardien: Gardien, tmp_path: Path
) -> None:
    backup = tmp_path / "b.gbk"
    assert gardien("backup", "-o", backup).exit_code == 0
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup.write_bytes(bytes(data))
    gardien.fails("backup", "verify", backup, code="corrupt_backup", says="(chunk 0)")
    gardien.fails("restore", backup, "--force", code="corrupt_backup", says="fails authentication")
    gardien.fails(
        "backup", "verify", tmp_path / "absent.gbk", code="backup_io_error", says="absent"
    )


def test_a_missing_or_wrong_master_key_says_how_to_fix_it(gardien: Gardien, tmp_path: Path) -> None:
    backup = tmp_path / "b.gbk"
    assert gardien("backup", "-o", backup).exit_code == 0
    gardien.fails(
        "backup",
        "verify",
        backup,
        "--key-file",
        tmp_path / "nowhere.key",
        code="missing_master_key",
        says="gardien key create --key-file PATH",
    )
    other = tmp_path / "other.key"
    assert gardien("key", "create", "--key-file", other).exit_code == 0
    gardien.fails(
        "backup",
        "verify",
        backup,
        "--key-file",
        other,
        code="wrong_master_key",
        says="this backup was encrypted under master key",
    )
    gardien.fails(
        "key",
        "create",
        "--key-file",
        gardien.key_file,
        code="invalid_key_file",
        says="refusing to overwrite",
    )


def test_a_corrupted_data_key_stops_the_rotation_with_its_owner(gardien: Gardien) -> None:
    store_one_item(gardien)
    engine = create_engine(gardien.db_url)
    with engine.begin() as conn:
        wrapped = conn.execute(sa.select(vault_keys.c.wrapped)).scalar_one()
        damaged = bytes([wrapped[0] ^ 1]) + bytes(wrapped[1:])
        conn.execute(vault_keys.update().values(wrapped=damaged))
    engine.dispose()
    assert gardien("key", "rotate").exit_code == 0
    gardien.fails("vault", "rotate", code="corrupt_ciphertext", says="person:abab")


def test_a_full_disk_while_writing_a_backup_is_a_message_and_leaves_no_file(
    db_url: str, gardien: Gardien, tmp_path: Path
) -> None:
    store_one_item(gardien)
    backup = tmp_path / "out" / "b.gbk"
    backup.parent.mkdir()

    # Below the size of what is written (SQLite: the snapshot; PostgreSQL: the backup itself),
    # above what merely opening the database writes.
    limit = 100_000 if db_url.startswith("sqlite") else 1000

    def limit_file_size() -> None:
        # The write fails as on a full disk (EFBIG instead of ENOSPC: the same code path).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "GARDIEN_DATABASE_URL": db_url, "GARDIEN_KEY_FILE": str(gardien.key_file)}
    env.pop("GARDIEN_MASTER_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", "from gardien.cli import main; main()", "backup", "-o", str(backup)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "(backup_io_error)" in done.stderr
    reasons = ("File too large", "disk is full", "disk I/O error")  # errno, SQLite's words
    assert any(reason in done.stderr for reason in reasons)
    assert list(backup.parent.iterdir()) == []
    assert list(tmp_path.glob(".gardien-*")) == []
