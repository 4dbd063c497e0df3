"""Run an erasure in a child process and stop dead in its middle (for the crash tests).

    python -m tests.datasets.crash_child URL SIGNAL_FILE [DECLARATION POLICY TODAY KIND:VALUE]

After the erasure's first write (DELETE or UPDATE) has run inside its transaction, the child
writes SIGNAL_FILE and sleeps; the test kills it there with SIGKILL. Without the optional
arguments it erases two people of the test shop.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gardien.datasets import DatasetEngine, Subject, load_dataset
from gardien.policy import load_policy
from tests.datasets.shop import FIXTURES, TODAY


def main(url: str, signal_file: str, *rest: str) -> None:
    engine = sa.create_engine(url)
    writes = 0

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _stop(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        nonlocal writes
        if statement.lstrip().upper().startswith(("DELETE", "UPDATE")):
            writes += 1
            if writes == 1:
                Path(signal_file).write_text("mid-erasure")
                time.sleep(60)

    if rest:
        declaration, policy_file, today, identity = rest
        kind, _, value = identity.partition(":")
        policy = load_policy(policy_file)
        subjects = [Subject.of(**{kind: value})]
        day = date.fromisoformat(today)
    else:
        declaration, policy = (
            str(FIXTURES / "shop.yaml"),
            load_policy(FIXTURES / "shop-policy.yaml"),
        )
        subjects = [Subject.of(email="alice@example.fr"), Subject.of(customer_id="3")]
        day = TODAY
    dataset = load_dataset(declaration, policy)
    DatasetEngine(dataset, engine, policy=policy, today=day).erase(subjects)


if __name__ == "__main__":
    main(*sys.argv[1:])
