"""The daily retention sweep of a running service (issue 5: "a scheduler runs sweeps daily").

Every worker starts a :class:`~gardien.retention.scheduler.DailySweep`; its lease row lets one
process sweep per day, so several workers or machines never sweep at once. The sweep covers the
organisation's declared datasets and Gardien's own records, each batch in the audit trail.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from gardien.datasets import Dataset
from gardien.policy import Policy
from gardien.retention import (
    RecordsRetention,
    SweepReport,
    dataset_sources,
    gardien_source,
    run_sweep,
)
from gardien.retention.recording import AuditRecorder
from gardien.retention.scheduler import DailySweep
from gardien.vault import MasterKeyProvider, dataset_hash_key
from gardien.vault.store import audit_trail_for


def daily_sweep(
    engine: Engine,
    policy: Policy,
    datasets: Sequence[Dataset],
    keys: MasterKeyProvider,
    at: time,
    timezone: str = "Europe/Paris",
) -> DailySweep:
    """A scheduler that sweeps, once a day after ``at``, what is past its retention period."""
    recorder = AuditRecorder(engine, audit_trail_for(keys), actor="gardien:retention")

    def sweep(stop: threading.Event) -> SweepReport:
        now = datetime.now(UTC)
        sources = dataset_sources(
            list(datasets), os.environ, policy, now, hash_key=dataset_hash_key(keys)
        )
        sources.append(gardien_source(engine, now, RecordsRetention(), policy))
        return run_sweep(sources, record=recorder, stop=stop)

    return DailySweep(engine, sweep, at=at, tz=ZoneInfo(timezone))
