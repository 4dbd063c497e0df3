"""``gardien key``, ``gardien vault rotate``, ``gardien backup`` and ``gardien restore``.

Thin: parse, call :mod:`gardien.vault`, print. Every fault (no key, wrong key, a damaged or cut
backup, a full disk, an unreachable database) is one readable line and exit status 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
import typer

from gardien.cli.app import EXIT_INVALID, app, err, out, reported_errors
from gardien.settings import DEFAULT_KEY_FILE, Settings
from gardien.storage import check_reachable, create_engine
from gardien.vault import (
    MissingKeyError,
    ShredJournal,
    Vault,
    create_key_file,
    journal_path_for,
    load_master_keys,
    rotate_key_file,
)
from gardien.vault.backup import create_backup, restore_backup, verify_backup
from gardien.vault.errors import BackupIOError
from gardien.vault.keys import CREATE_KEY_HINT, MasterKeyProvider

key_app = typer.Typer(help="The master key file (encryption of the vault, identifiers, backups).")
vault_app = typer.Typer(help="The vault: per-person data keys and sealed items.")
backup_app = typer.Typer(
    help="Encrypted backups of Gardien's database (`gardien backup` writes one).",
    invoke_without_command=True,
)
app.add_typer(key_app, name="key")
app.add_typer(vault_app, name="vault")
app.add_typer(backup_app, name="backup")

_DATABASE = typer.Option(
    None, "--database-url", help="SQLAlchemy URL (default: GARDIEN_DATABASE_URL or ./gardien.db)"
)
_KEY_FILE = typer.Option(
    None, "--key-file", help="The master key file (default: GARDIEN_KEY_FILE or ./gardien.key)"
)
_JOURNAL = typer.Option(
    None,
    "--journal",
    envvar="GARDIEN_SHRED_JOURNAL",
    help="The shred journal (default: beside the key file, KEYFILE.shreds)",
)


def _settings(database_url: str | None, key_file: Path | None) -> Settings:
    values: dict[str, object] = {}
    if database_url:
        values["database_url"] = database_url
    if key_file:
        values["key_file"] = key_file
    return Settings(**values)  # type: ignore[arg-type]


def _keys(settings: Settings) -> MasterKeyProvider:
    secret = settings.master_key.get_secret_value() if settings.master_key else None
    return load_master_keys(settings.resolved_key_file(), secret)


@contextmanager
def _faults() -> Iterator[None]:
    """Gardien errors as usual; a database or disk failure as one line too, never a traceback."""
    with reported_errors():
        try:
            yield
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            err.print("[bold red]Error[/] (database_error): ", end="")
            err.print(reason, markup=False)
            raise typer.Exit(EXIT_INVALID) from None
        except OSError as exc:
            err.print("[bold red]Error[/] (io_error): ", end="")
            err.print(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), markup=False)
            raise typer.Exit(EXIT_INVALID) from None


# --- gardien key ---------------------------------------------------------------------------


@key_app.command("create")
def key_create(key_file: Path | None = _KEY_FILE) -> None:
    """Create a new master key file (mode 600); never overwrites an existing one."""
    with _faults():
        path = key_file or Settings().key_file or DEFAULT_KEY_FILE
        key = create_key_file(path)
    out.print(f"Created {path} with master key {key.key_id} (readable by you only).", markup=False)
    out.print(
        "Keep a copy of this file somewhere safe and apart from the database and its backups: "
        "without it nothing encrypted can ever be read again.",
        markup=False,
    )


@key_app.command("rotate")
def key_rotate(key_file: Path | None = _KEY_FILE) -> None:
    """Add a new current master key; older keys stay, so everything still opens."""
    with _faults():
        path = key_file or Settings().resolved_key_file()
        if path is None:
            raise MissingKeyError(f"no key file to rotate; {CREATE_KEY_HINT}")
        key = rotate_key_file(path)
    out.print(f"{path}: master key {key.key_id} is now current.", markup=False)
    out.print(
        "Run `gardien vault rotate` to re-wrap the vault's data keys under it "
        "(nothing is re-encrypted).",
        markup=False,
    )


# --- gardien vault ---------------------------------------------------------------------------


@vault_app.command("rotate")
def vault_rotate(
    batch_size: int = typer.Option(500, "--batch-size", min=1, help="Data keys per transaction"),
    database_url: str | None = _DATABASE,
    key_file: Path | None = _KEY_FILE,
) -> None:
    """Re-wrap every data key under the current master key, in batches."""
    with _faults():
        vault = Vault.open(_settings(database_url, key_file), require_journal=False)
        try:
            report = vault.rotate(batch_size=batch_size)
        finally:
            vault.engine.dispose()
    out.print(
        f"{report.rewrapped} data key(s) re-wrapped under master key {report.master_key_id} "
        f"in {report.batches} batch(es); no item was re-encrypted.",
        markup=False,
    )


# --- gardien backup / restore ------------------------------------------------------------------


@backup_app.callback()
def backup(
    ctx: typer.Context,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="The backup file (default: gardien-backup-<UTC time>.gbk)"
    ),
    database_url: str | None = _DATABASE,
    key_file: Path | None = _KEY_FILE,
) -> None:
    """Write an encrypted, verifiable snapshot of Gardien's database (vault included)."""
    if ctx.invoked_subcommand is not None:
        return
    with _faults():
        settings = _settings(database_url, key_file)
        provider = _keys(settings)
        engine = create_engine(settings.database_url)
        try:
            check_reachable(engine)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            report = create_backup(engine, provider, output or Path(f"gardien-backup-{stamp}.gbk"))
        finally:
            engine.dispose()
    manifest = report.manifest
    out.print(
        f"Backup {manifest.backup_id} written to {report.path}: {report.contents.engine} "
        f"database, {manifest.plaintext_size} bytes encrypted under master key "
        f"{manifest.master_key_id} ({manifest.encrypted_size} bytes).",
        markup=False,
    )


@backup_app.command("verify")
def backup_verify(
    file: Path = typer.Argument(..., help="The backup file"),
    key_file: Path | None = _KEY_FILE,
) -> None:
    """Check every byte of a backup: authentic, complete, in order, and a Gardien database."""
    with _faults():
        if not file.is_file():
            raise BackupIOError(file, "read the backup", FileNotFoundError(2, "no such file"))
        report = verify_backup(file, _keys(_settings(None, key_file)))
    manifest = report.manifest
    out.print(
        f"{file}: backup {manifest.backup_id} of {manifest.created_at:%Y-%m-%d %H:%M:%S} UTC is "
        f"intact ({manifest.chunk_count} chunk(s), {manifest.plaintext_size} bytes, "
        f"{report.contents.engine} database, SHA-256 {manifest.plaintext_sha256}).",
        markup=False,
    )


@app.command()
def restore(
    file: Path = typer.Argument(..., help="The backup file"),
    force: bool = typer.Option(
        False, "--force", help="Replace a database that already holds Gardien data"
    ),
    database_url: str | None = _DATABASE,
    key_file: Path | None = _KEY_FILE,
    journal: Path | None = _JOURNAL,
) -> None:
    """Restore a backup; every erasure made since (the shred journal) is applied first."""
    with _faults():
        settings = _settings(database_url, key_file)
        provider = _keys(settings)
        shreds = ShredJournal(journal_path_for(settings.resolved_key_file(), journal), provider)
        if not file.is_file():
            raise BackupIOError(file, "read the backup", FileNotFoundError(2, "no such file"))
        engine = create_engine(settings.database_url)
        try:
            if engine.dialect.name != "sqlite":
                check_reachable(engine)
            report = restore_backup(
                file, engine, provider, shreds, force=force, actor=settings.actor
            )
        finally:
            engine.dispose()
    out.print(
        f"Restored backup {report.manifest.backup_id} of "
        f"{report.manifest.created_at:%Y-%m-%d %H:%M:%S} UTC; shred journal applied: "
        f"{report.owners_shredded_again} data key(s) destroyed again, "
        f"{report.people_erased_again} person(s) erased again.",
        markup=False,
    )
