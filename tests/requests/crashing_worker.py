"""Run one request in a process that kills itself in the middle of the erasure (SIGKILL).

Used by ``test_crash.py``: ``python -m tests.requests.crashing_worker TMP SHOP_URL REF WHEN``.
``WHEN`` is ``before_commit`` (the dataset transaction is open, its statements executed) or
``after_commit`` (the dataset is erased, the workflow has not yet recorded it).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from gardien.datasets import DatasetEngine, ErasureReport, Subject
from gardien.datasets.erasure import plan_erasure
from gardien.datasets.execution import apply_plan
from gardien.requests import run
from tests.requests.world import make_world


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class DyingBeforeCommit(DatasetEngine):
    def erase(self, subjects: Sequence[Subject]) -> ErasureReport:
        with self.engine.begin() as conn:
            footprint = self.find(conn, subjects)
            plan = plan_erasure(conn, footprint, self.policy, self._today(), self.hash_key)
            apply_plan(conn, plan, footprint, self.hash_key)
            _die()
        raise AssertionError("unreachable")


class DyingAfterCommit(DatasetEngine):
    def erase(self, subjects: Sequence[Subject]) -> ErasureReport:
        super().erase(subjects)
        _die()
        raise AssertionError("unreachable")


def main(argv: list[str]) -> None:
    tmp, shop_url, ref, when = argv
    factory = DyingBeforeCommit if when == "before_commit" else DyingAfterCommit
    world = make_world(Path(tmp), shop_url, engine_factory=factory)
    run(world.workflow, ref)


if __name__ == "__main__":
    main(sys.argv[1:])
