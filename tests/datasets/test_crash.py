"""Killing the process in the middle of an erasure, then running it again."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.datasets import DatasetEngine, Subject, load_dataset
from gardien.policy import load_policy
from tests.datasets.shop import FIXTURES, TODAY, build_shop, snapshot
from tests.support.crash import kill_in_the_middle
from tests.support.services import fresh_database

PEOPLE = [Subject.of(email="alice@example.fr"), Subject.of(customer_id="3")]


def erase(url: str) -> None:
    policy = load_policy(FIXTURES / "shop-policy.yaml")
    engine = sa.create_engine(url)
    DatasetEngine(
        load_dataset(FIXTURES / "shop.yaml", policy), engine, policy=policy, today=TODAY
    ).erase(PEOPLE)
    engine.dispose()


def kill_mid_erasure(url: str, tmp_path: Path, *args: str) -> None:
    """Start an erasure in a child process and SIGKILL it in the middle of its transaction."""
    kill_in_the_middle("tests.datasets.crash_child", url, tmp_path, *args)


@pytest.mark.parametrize("engine_name", ["sqlite", "postgres", "mariadb"])
def test_killed_mid_erasure_then_rerun_gives_the_same_end_state(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(f"{engine_name}_url")
    with fresh_database(engine_name, tmp_path, "reference") as reference_url:
        crashed, reference = build_shop(url), build_shop(reference_url)
        before = snapshot(crashed)
        kill_mid_erasure(url, tmp_path)
        assert snapshot(crashed) == before  # one transaction: nothing half done
        erase(url)
        erase(reference_url)
        assert snapshot(crashed) == snapshot(reference)
        assert snapshot(crashed) != before
        crashed.dispose()
        reference.dispose()
