"""Run an erasure in a child process and stop dead after its first DELETE (for test_crash).

Usage: python -m tests.datasets.crash_child URL SIGNAL_FILE. After the first DELETE has been
executed inside the erasure's transaction, the child writes SIGNAL_FILE and sleeps; the test
kills it with SIGKILL there, mid-transaction.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gardien.datasets import DatasetEngine, Subject, load_dataset
from gardien.policy import load_policy
from tests.datasets.shop import FIXTURES, TODAY


def main(url: str, signal_file: str) -> None:
    engine = sa.create_engine(url)
    deletes = 0

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _stop(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        nonlocal deletes
        if statement.lstrip().upper().startswith("DELETE"):
            deletes += 1
            if deletes == 2:
                Path(signal_file).write_text("mid-erasure")
                time.sleep(60)

    policy = load_policy(FIXTURES / "shop-policy.yaml")
    dataset = load_dataset(FIXTURES / "shop.yaml", policy)
    DatasetEngine(dataset, engine, policy=policy, today=TODAY).erase(
        [Subject.of(email="alice@example.fr"), Subject.of(customer_id="3")]
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
