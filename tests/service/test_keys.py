"""API keys: shown once, stored hashed, scoped, revocable (CLI and HTTP)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from gardien.cli import app as cli
from gardien.service import Scope, create_key, revoke_key
from gardien.service.tables import api_keys
from gardien.storage import create_engine, upgrade
from tests.service.world import World


def test_the_database_holds_only_the_hash_of_a_key(world: World) -> None:
    engine = world.app.state.gardien.engine
    created = create_key(engine, "shop", [Scope.DECISIONS])
    secret = created.token.split("_", 2)[2]
    with engine.connect() as conn:
        stored = conn.execute(sa.select(api_keys)).one()
    assert secret not in repr(tuple(stored))
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()


def test_a_revoked_key_is_refused(world: World) -> None:
    engine = world.app.state.gardien.engine
    created = create_key(engine, "shop", [Scope.AUDIT])
    headers = {"Authorization": f"Bearer {created.token}"}
    assert world.client.get("/api/v1/audit/verify", headers=headers).status_code == 200
    revoke_key(engine, created.key.id)
    refused = world.client.get("/api/v1/audit/verify", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"


def test_a_key_with_a_forged_secret_is_refused(world: World) -> None:
    token = world.key(Scope.AUDIT)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = world.client.get(
        "/api/v1/audit/verify", headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401


def test_the_admin_scope_holds_every_scope(world: World) -> None:
    headers = world.headers(Scope.ADMIN)
    assert world.client.get("/api/v1/audit/verify", headers=headers).status_code == 200
    assert world.client.get("/api/v1/register", headers=headers).status_code == 200


def test_cli_creates_lists_and_revokes_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    upgrade(create_engine(url))
    runner = CliRunner()
    created = runner.invoke(
        cli,
        [
            "keys",
            "create",
            "--name",
            "shop",
            "--scope",
            "decisions,consents:write",
            "--database-url",
            url,
        ],
    )
    assert created.exit_code == 0, created.output
    key_id = created.output.split()[1]
    token = next(line for line in created.output.splitlines() if line.startswith("gdn_"))
    assert key_id in token

    listed = runner.invoke(cli, ["keys", "list", "--database-url", url])
    assert key_id in listed.output
    assert token.split("_", 2)[2] not in listed.output

    revoked = runner.invoke(cli, ["keys", "revoke", key_id, "--database-url", url])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in revoked.output

    unknown = runner.invoke(cli, ["keys", "revoke", "nope", "--database-url", url])
    assert unknown.exit_code == 2


def test_cli_rejects_an_unknown_scope_with_the_valid_list(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    upgrade(create_engine(url))
    result = CliRunner().invoke(
        cli, ["keys", "create", "--name", "x", "--scope", "everything", "--database-url", url]
    )
    assert result.exit_code == 2
    assert "decisions" in result.output
