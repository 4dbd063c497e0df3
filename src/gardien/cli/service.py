"""``gardien serve`` and ``gardien keys``: the HTTP service and the API keys that open it.

``gardien.service`` (FastAPI, uvicorn) is imported inside the commands, so that the rest of the
CLI, and ``gardien --help``, start without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from gardien.cli.app import app, out, reported_errors
from gardien.settings import Settings
from gardien.storage import create_engine, require_current

keys_app = typer.Typer(help="API keys of the HTTP service (stored hashed; shown once).")
app.add_typer(keys_app, name="keys")

_DATABASE = typer.Option(
    None, "--database-url", help="SQLAlchemy URL (default: GARDIEN_DATABASE_URL or ./gardien.db)"
)


def _settings(database_url: str | None = None, policy: Path | None = None) -> Settings:
    values: dict[str, object] = {}
    if database_url:
        values["database_url"] = database_url
    if policy:
        values["policy"] = policy
    return Settings(**values)  # type: ignore[arg-type]


@keys_app.command("create")
def keys_create(
    name: str = typer.Option(..., "--name", help="Who or what uses the key, e.g. 'shop-backend'"),
    scope: list[str] = typer.Option(
        ..., "--scope", help="Scopes, comma-separated or repeated: decisions,consents:write,…"
    ),
    database_url: str | None = _DATABASE,
) -> None:
    """Create a key; its token is printed once and never stored."""
    from gardien.service.auth import create_key, parse_scopes

    with reported_errors():
        scopes = parse_scopes(scope)
        engine = create_engine(_settings(database_url).database_url)
        require_current(engine)
        created = create_key(engine, name, scopes)
    out.print(f"key {created.key.id} ({', '.join(sorted(scopes))})", markup=False)
    out.print(created.token, markup=False)
    out.print("Keep this token now: Gardien stores only its hash.", markup=False)


@keys_app.command("revoke")
def keys_revoke(
    key_id: str = typer.Argument(..., help="The key id (see `gardien keys list`)"),
    database_url: str | None = _DATABASE,
) -> None:
    """Revoke a key for good."""
    from gardien.service.auth import revoke_key

    with reported_errors():
        engine = create_engine(_settings(database_url).database_url)
        require_current(engine)
        key = revoke_key(engine, key_id)
    out.print(f"key {key.id} ({key.name}) revoked at {key.revoked_at:%Y-%m-%d %H:%M} UTC")


@keys_app.command("list")
def keys_list(database_url: str | None = _DATABASE) -> None:
    """Every key, with its scopes and state (never a secret)."""
    from gardien.service.auth import list_keys

    with reported_errors():
        engine = create_engine(_settings(database_url).database_url)
        require_current(engine)
        keys = list_keys(engine)
    table = Table("id", "name", "scopes", "created", "revoked")
    for key in keys:
        table.add_row(
            key.id,
            key.name,
            " ".join(sorted(key.scopes)),
            f"{key.created_at:%Y-%m-%d %H:%M}",
            f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "",
        )
    out.print(table)


@app.command()
def serve(
    policy: Path | None = typer.Option(None, "--policy", help="The policy file (GARDIEN_POLICY)"),
    database_url: str | None = _DATABASE,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on"),
    port: int = typer.Option(8000, "--port", help="Port to listen on"),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes"),
    outbox: Path | None = typer.Option(
        None, "--outbox", help="Write mail (sign-in codes) to this folder instead of sending it"
    ),
    secure_cookies: bool = typer.Option(
        False, "--secure-cookies", help="Mark session cookies Secure (behind HTTPS)"
    ),
) -> None:
    """Run the HTTP API, the privacy portal and the DPO console (FastAPI on uvicorn)."""
    import uvicorn

    from gardien.service.app import create_app
    from gardien.service.context import ServiceOptions

    # The edge: workers are separate processes and read their settings from the environment.
    if policy is not None:
        os.environ["GARDIEN_POLICY"] = str(policy.resolve())
    if database_url:
        os.environ["GARDIEN_DATABASE_URL"] = database_url
    if outbox is not None:
        os.environ["GARDIEN_SERVICE_OUTBOX"] = str(outbox.resolve())
    if secure_cookies:
        os.environ["GARDIEN_SERVICE_SECURE_COOKIES"] = "1"
    with reported_errors():
        # Fail here, once, with a readable message, rather than in each worker.
        create_app(Settings(), options=ServiceOptions.from_environment(os.environ))
    uvicorn.run(
        "gardien.service.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
