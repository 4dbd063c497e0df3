"""Real processes for the multi-process tests: library children and ``gardien serve``.

Every process gets the database URL, the policy and the master key through ``GARDIEN_*``, as a
deployment would. Nothing here is a thread pretending to be a process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.live_server import gardien_serve

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "examples" / "001-boutique.yaml"


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


@contextmanager
def served(world: World, workers: int) -> Iterator[str]:
    """``gardien serve --workers N`` in its own process group; yields its base URL."""
    with gardien_serve(world.env(), world.folder, workers) as base:
        yield base
