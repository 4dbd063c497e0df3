"""Concurrent writers through one Ledger share transactions and lose nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.ledger import ConsentStatus, Ledger
from gardien.ledger.group import GroupCommit, Job
from gardien.storage.tables import consents


def test_concurrent_consents_are_all_recorded_with_an_intact_chain(boutique: Ledger) -> None:
    commits = 0

    @sa.event.listens_for(boutique.engine, "commit")
    def count(_conn: object) -> None:
        nonlocal commits
        commits += 1

    def write(n: int) -> None:
        boutique.give_consent(f"email:p{n % 50}@example.fr", "marketing")
        boutique.withdraw_consent(f"email:p{n % 50}@example.fr", "marketing")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(200)))

    with boutique.engine.connect() as conn:
        statuses = conn.execute(sa.select(consents.c.status)).scalars().all()
    assert len(statuses) == 400
    assert statuses.count(ConsentStatus.GIVEN.value) == 200
    report = boutique.verify_audit()
    assert report.intact
    assert report.entries == 1 + 50 + 400  # policy, people, records
    assert commits <= 400


def test_a_failed_shared_transaction_fails_every_change_in_it() -> None:
    started = threading.Event()
    release = threading.Event()
    batches: list[list[str]] = []

    def run(jobs: list[Job[Any]]) -> None:
        names = [job.actor for job in jobs]
        batches.append(names)
        if names == ["first"]:
            started.set()
            release.wait(5)
            for job in jobs:
                job.records = ["ok"]
            return
        if "poison" in names:
            raise RuntimeError("database went away")
        for job in jobs:
            job.records = ["ok"]

    group = GroupCommit(run)
    now = datetime.now(UTC)

    def submit(actor: str) -> list[Any]:
        return group.submit(Job([], consents, lambda *_: ([], [], []), actor, now))

    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(submit, "first")
        assert started.wait(5)
        poisoned = pool.submit(submit, "poison")
        innocent = pool.submit(submit, "innocent")
        while sum(len(b) for b in batches) < 1 or len(group._queue) < 2:
            threading.Event().wait(0.01)
        release.set()
        assert first.result() == ["ok"]
        with pytest.raises(RuntimeError, match="went away"):
            poisoned.result()
        with pytest.raises(RuntimeError, match="went away"):
            innocent.result()
    assert sorted(batches[1]) == ["innocent", "poison"]
