"""Run a sweep in a child process and stop dead inside its third batch (for test_crash).

Usage: python -m tests.retention.crash_child URL SIGNAL_FILE. After the third DELETE has run
inside its batch's transaction, and before that transaction commits, the child writes
SIGNAL_FILE and sleeps; the test kills it there with SIGKILL.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gardien.retention import dataset_source, run_sweep
from tests.retention import world

BATCH = 10


def main(url: str, signal_file: str) -> None:
    engine = sa.create_engine(url)
    deletes = 0

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _stop(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        nonlocal deletes
        if statement.lstrip().upper().startswith("DELETE"):
            deletes += 1
            if deletes == 3:
                Path(signal_file).write_text("mid-batch")
                time.sleep(60)

    policy = world.policy()
    source = dataset_source(world.dataset(policy), engine, policy, world.NOW)
    # One worker: the third DELETE is then the second batch of the logs, whatever the engine.
    run_sweep([source], batch_size=BATCH, workers=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
