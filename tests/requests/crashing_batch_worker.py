"""Run queued erasures as a batch in a process that kills itself (SIGKILL) at one phase.

Used by ``test_batch.py``: ``python -m tests.requests.crashing_batch_worker TMP SHOP_URL WHEN
REF...``. ``WHEN`` names what has just committed when the process dies, before the workflow
records it: ``datasets`` (the batch's dataset erasure), ``ledger`` (the people marked erased),
``vault`` (their keys shredded) or ``reports`` (every step recorded, the reports written, the
requests not yet closed).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gardien.datasets import DatasetEngine, Subject
from gardien.datasets.engine import BatchErasure
from gardien.requests import batch
from tests.requests.world import make_world


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class DyingAfterBatchErasure(DatasetEngine):
    def erase_batch(
        self, subjects: Sequence[Subject], before: Callable[..., None] | None = None
    ) -> BatchErasure:
        super().erase_batch(subjects, before)
        _die()
        raise AssertionError("unreachable")


def _then_die(call: Callable[..., Any]) -> Callable[..., Any]:
    def dying(*args: Any, **kwargs: Any) -> Any:
        call(*args, **kwargs)
        _die()

    return dying


def main(argv: list[str]) -> None:
    tmp, shop_url, when, *refs = argv
    factory = DyingAfterBatchErasure if when == "datasets" else DatasetEngine
    world = make_world(Path(tmp), shop_url, engine_factory=factory)
    if when == "ledger":
        world.ledger.mark_erased_many = _then_die(world.ledger.mark_erased_many)  # type: ignore[method-assign]
    elif when == "vault":
        world.vault.shred_many = _then_die(world.vault.shred_many)  # type: ignore[method-assign]
    elif when == "reports":
        batch.finish_many = lambda *_: _die()  # type: ignore[assignment]
    batch.run_erasures(world.workflow, refs)


if __name__ == "__main__":
    main(sys.argv[1:])
