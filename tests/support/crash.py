"""Crash tests: a child process killed with SIGKILL in the middle of its work, and a second
database of the same engine to run the same work uninterrupted, for comparison."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def kill_in_the_middle(module: str, url: str, tmp_path: Path, *args: str) -> None:
    """Run ``python -m module url signal_file *args`` and SIGKILL it once it has created
    ``signal_file`` (its sign that it stands in the middle of a transaction)."""
    signal_file = tmp_path / "stopped"
    child = subprocess.Popen(
        [sys.executable, "-m", module, url, str(signal_file), *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": f"{REPO}:{REPO / 'src'}"},
    )
    deadline = time.monotonic() + 60
    while not signal_file.exists():
        assert child.poll() is None, "the child ended before reaching the middle"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL


def run_self_killing(module: str, *args: str) -> None:
    """Run ``python -m module *args``, a child that SIGKILLs itself at a chosen point, and check
    that it died that way (its stderr in the message otherwise)."""
    killed = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
