"""The daily sweep: once a day after its hour, one process at a time, stoppable."""

from __future__ import annotations

import threading
import time as clock_time
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

import gardien.retention.tables  # noqa: F401  (puts the schedule table on the shared metadata)
from gardien.retention import SweepReport, dataset_source, run_sweep
from gardien.retention.scheduler import DailySweep
from gardien.storage import create_engine, upgrade
from tests.retention import world


@pytest.fixture(params=["sqlite", "postgres"])
def gardien_db(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    engine = create_engine(request.getfixturevalue(f"{request.param}_url"))
    upgrade(engine)
    yield engine
    engine.dispose()


def _report() -> SweepReport:
    now = datetime.now(UTC)
    return SweepReport((), (), now, now)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def test_the_sweep_runs_once_a_day_after_its_hour(gardien_db: sa.Engine) -> None:
    calls: list[datetime] = []
    clock = Clock(datetime(2026, 6, 1, 2, 59, tzinfo=UTC))
    daily = DailySweep(
        gardien_db, lambda stop: calls.append(clock()) or _report(), at=time(3, 0), clock=clock
    )
    assert daily.run_if_due() is None  # before 03:00
    clock.at = datetime(2026, 6, 1, 3, 1, tzinfo=UTC)
    assert daily.run_if_due() is not None
    clock.at = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
    assert daily.run_if_due() is None  # today is done
    clock.at = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)
    assert daily.run_if_due() is not None
    assert len(calls) == 2


def test_two_processes_never_sweep_at_once(gardien_db: sa.Engine) -> None:
    clock = Clock(datetime(2026, 6, 1, 4, 0, tzinfo=UTC))
    inside = threading.Event()
    release = threading.Event()
    runs: list[str] = []

    def slow(name: str):  # type: ignore[no-untyped-def]
        def sweep(stop: threading.Event) -> SweepReport:
            runs.append(name)
            inside.set()
            release.wait(10)
            return _report()

        return sweep

    first = DailySweep(gardien_db, slow("first"), clock=clock, holder="worker-1")
    second = DailySweep(gardien_db, slow("second"), clock=clock, holder="worker-2")
    thread = threading.Thread(target=first.run_if_due)
    thread.start()
    assert inside.wait(10)
    assert second.run_if_due() is None  # the lease is held
    release.set()
    thread.join(10)
    assert second.run_if_due() is None  # and the day is done
    assert runs == ["first"]


def test_a_dead_holder_s_lease_expires_and_another_worker_finishes_the_day(
    gardien_db: sa.Engine,
) -> None:
    clock = Clock(datetime(2026, 6, 1, 4, 0, tzinfo=UTC))
    crashed = DailySweep(
        gardien_db, lambda stop: _report(), clock=clock, holder="dead", lease=timedelta(hours=1)
    )
    assert crashed.claim(clock())  # claimed, then the process died without releasing
    other = DailySweep(gardien_db, lambda stop: _report(), clock=clock, holder="alive")
    assert other.run_if_due() is None
    clock.at += timedelta(hours=1, minutes=1)
    assert other.run_if_due() is not None


def test_started_in_the_background_it_sweeps_and_stops(tmp_path, sqlite_url: str) -> None:  # type: ignore[no-untyped-def]
    shop = world.build(f"sqlite:///{tmp_path / 'shop.db'}")
    gardien = create_engine(sqlite_url)
    upgrade(gardien)
    policy = world.policy()

    def sweep(stop: threading.Event) -> SweepReport:
        source = dataset_source(world.dataset(policy), shop, policy, world.NOW)
        return run_sweep([source], batch_size=20, stop=stop)

    daily = DailySweep(gardien, sweep, at=time(0, 0), poll=0.05)
    daily.start()
    deadline = clock_time.monotonic() + 20
    while daily.last_report is None and clock_time.monotonic() < deadline:
        clock_time.sleep(0.05)
    daily.stop()
    assert not daily.running
    assert daily.last_report is not None
    assert daily.last_report.table("access_log").deleted == world.EXPIRED_LOGS
    shop.dispose()
    gardien.dispose()
