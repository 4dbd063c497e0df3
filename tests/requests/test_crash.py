"""A run killed mid-erasure (SIGKILL, in a real subprocess) reruns to the same end state."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.requests import RequestStatus, erasure_report, run
from tests.requests.test_erasure import verified
from tests.requests.world import create_shop, make_world, snapshot
from tests.support.crash import run_self_killing


@pytest.mark.parametrize("when", ["before_commit", "after_commit"])
def test_a_killed_erasure_reruns_to_the_same_end_state_as_an_uninterrupted_one(
    tmp_path: Path, any_shop_url: str, when: str
) -> None:
    # The twin: the same shop erased without interruption.
    twin_dir = tmp_path / "twin"
    twin_dir.mkdir()
    twin_url = f"sqlite:///{twin_dir / 'shop.db'}"
    create_shop(twin_url)
    twin = make_world(twin_dir, twin_url)
    twin_ref = verified(twin.workflow, "erasure", "email:marie@example.fr")
    assert run(twin.workflow, twin_ref).request.status is RequestStatus.COMPLETED

    crash_dir = tmp_path / "crash"
    crash_dir.mkdir()
    world = make_world(crash_dir, any_shop_url)
    ref = verified(world.workflow, "erasure", "email:marie@example.fr")
    world.workflow.ledger.close()
    run_self_killing("tests.requests.crashing_worker", str(crash_dir), any_shop_url, ref, when)
    world = make_world(crash_dir, any_shop_url)
    assert world.workflow.get(ref).status is RequestStatus.RUNNING
    after_crash = snapshot(any_shop_url)
    if when == "before_commit":
        assert [r[0] for r in after_crash["reviews"]] == [1000, 1001]  # rolled back
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.COMPLETED, result.steps
    assert _comparable(snapshot(any_shop_url)) == _comparable(snapshot(twin_url))
    _, report = erasure_report(world.workflow, ref)
    _, twin_report = erasure_report(twin.workflow, twin_ref)
    assert report["kept"] == twin_report["kept"]
    assert report["datasets"] == twin_report["datasets"]  # statuses and counts alike
    assert report["status"] == twin_report["status"] == "completed"
    assert report["kept"][0]["law"] == "Code de commerce L123-22"
    assert not world.ledger.decide("email:marie@example.fr", "marketing", ["contact"]).allowed


def _comparable(state: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[str, ...]]]:
    """Rows as text, so that SQLite, PostgreSQL and MariaDB values compare alike."""

    def text(value: object) -> str:
        if isinstance(value, bool):
            return str(int(value))
        if isinstance(value, Decimal | float):
            return format(Decimal(str(value)).normalize(), "f")
        return str(value)

    return {t: [tuple(text(v) for v in row) for row in rows] for t, rows in state.items()}


def test_the_twin_comparison_sees_a_difference_when_there_is_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    create_shop(url)
    before = _comparable(snapshot(url))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM reviews WHERE id = 1001"))
    engine.dispose()
    assert _comparable(snapshot(url)) != before
