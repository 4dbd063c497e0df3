"""Live servers on the loopback: the app in a uvicorn thread, or ``gardien serve`` as a process.

Browser tests use the thread (the test and the server share the app); multi-process tests and the
HTTP benchmark use the process, in its own process group, as a deployment would run it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

GARDIEN = Path(sys.executable).parent / "gardien"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at the time of asking."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served_on_port(app: FastAPI) -> Iterator[int]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a thread; yields the port."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield int(server.servers[0].sockets[0].getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 in a thread; yields its base URL."""
    with served_on_port(app) as port:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def gardien_serve(env: Mapping[str, str], folder: Path, workers: int) -> Iterator[str]:
    """``gardien serve --workers N`` in its own process group, configured by ``env``, working
    in ``folder`` (its outbox there too); yields its base URL once it answers."""
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
            str(folder / "outbox"),
        ],
        env=dict(env),
        cwd=folder,
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
