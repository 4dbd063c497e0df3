"""Real processes for the multi-process tests: library children and ``gardien serve``.

Every process gets the database URL, the policy and the master key through ``GARDIEN_*``, as a
deployment would. Nothing here is a thread pretending to be a process.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "examples" / "001-boutique.yaml"
GARDIEN = Path(sys.executable).parent / "gardien"


@dataclass(frozen=True)
class World:
    url: str
    master_key: str
    folder: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            **os.environ,
            "GARDIEN_DATABASE_URL": self.url,
            "GARDIEN_MASTER_KEY": self.master_key,
            "GARDIEN_POLICY": str(POLICY),
            "PYTHONPATH": str(REPO),
            **extra,
        }
        env.pop("GARDIEN_KEY_FILE", None)
        return env


class Child:
    """A library process (``tests/sync/child.py``) that answers one JSON line per command."""

    def __init__(self, world: World, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.child"],
            cwd=REPO,
            env=world.env(**env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        ready = self._read()
        self.pid = int(ready["pid"])

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"child exited with {self.process.wait(10)}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, op: str, **args: Any) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write('{"op": "quit"}\n')
                self.process.stdin.flush()
                self.process.wait(15)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait(5)


@contextmanager
def children(world: World, count: int, **env: str) -> Iterator[list[Child]]:
    with ExitStack() as stack:
        started = []
        for _ in range(count):
            child = Child(world, **env)
            stack.callback(child.close)
            started.append(child)
        yield started


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(world: World, workers: int) -> Iterator[str]:
    """``gardien serve --workers N`` in its own process group; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(GARDIEN),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--outbox",
            str(world.folder / "outbox"),
        ],
        env=world.env(),
        cwd=world.folder,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/api/v1/notice/versions", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gardien serve did not start")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
