"""``gardien serve`` starts the service for real (uvicorn, two workers) and fails loudly."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from typer.testing import CliRunner

from gardien.cli import app as cli
from gardien.storage import create_engine, upgrade
from tests.service.world import SHOP
from tests.support.live_server import free_port

GARDIEN = Path(sys.executable).parent / "gardien"


def test_serve_answers_over_http_with_two_workers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    upgrade(create_engine(url))
    port = free_port()
    env = {
        **os.environ,
        "GARDIEN_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "GARDIEN_KEY_FILE": "",
    }
    process = subprocess.Popen(
        [
            str(GARDIEN),
            "serve",
            "--policy",
            str(SHOP),
            "--database-url",
            url,
            "--port",
            str(port),
            "--workers",
            "2",
            "--outbox",
            str(tmp_path / "outbox"),
        ],
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/notice?format=md", timeout=2
                ) as response:
                    body = response.read().decode()
                    break
            except OSError:
                assert process.poll() is None, "gardien serve exited"
                assert time.monotonic() < deadline, "gardien serve did not start"
                time.sleep(0.2)
        assert "Boutique" in body or "boutique" in body.lower()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_serve_without_a_key_fails_at_start_with_the_fix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    upgrade(create_engine(url))
    result = CliRunner().invoke(
        cli,
        ["serve", "--policy", str(SHOP), "--database-url", url],
        env={"GARDIEN_MASTER_KEY": "", "GARDIEN_KEY_FILE": ""},
    )
    assert result.exit_code == 2
    assert "master key" in result.output


def test_the_cli_starts_without_the_web_stack() -> None:
    """``gardien --help`` and the other commands do not pay for FastAPI and uvicorn."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, gardien.cli; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'fastapi'" not in loaded
    assert "'uvicorn'" not in loaded
    assert "'schemathesis'" not in loaded
