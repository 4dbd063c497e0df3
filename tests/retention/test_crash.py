"""Killing a sweep in the middle of a batch, then running it again: nothing that should stay is
lost, and the end state is exactly an uninterrupted sweep's."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.retention import dataset_source, run_sweep
from tests.retention import world
from tests.retention.crash_child import BATCH
from tests.support.crash import kill_in_the_middle
from tests.support.services import fresh_database


def sweep(engine: sa.Engine) -> None:
    policy = world.policy()
    run_sweep([dataset_source(world.dataset(policy), engine, policy, world.NOW)], batch_size=BATCH)


def kill_mid_sweep(url: str, tmp_path: Path) -> None:
    kill_in_the_middle("tests.retention.crash_child", url, tmp_path)


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres", "mariadb"])
def test_a_sweep_killed_mid_batch_then_rerun_ends_as_an_uninterrupted_one(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(f"{engine_name}_url")
    with fresh_database(engine_name, tmp_path, "reference") as reference_url:
        crashed, reference = world.build(url), world.build(reference_url)
        before = world.snapshot(crashed)
        kill_mid_sweep(url, tmp_path)
        halfway = world.snapshot(crashed)
        # Committed batches are done, the killed one rolled back: only expired logs are gone,
        # and every row that must stay is still there, unchanged.
        gone = set(before["access_log"]) - set(halfway["access_log"])
        assert len(gone) == BATCH  # the invoice batch, one log batch; the second was killed
        assert halfway["invoice"] != before["invoice"]  # invoice 3, released, went first
        sweep(reference)
        final = world.snapshot(reference)
        for table, rows in final.items():
            for key, digest in rows.items():
                if table != "customer":
                    assert halfway[table].get(key) == digest, (table, key)
        sweep(crashed)
        assert world.snapshot(crashed) == final
        assert world.snapshot(crashed) != before
        crashed.dispose()
        reference.dispose()
