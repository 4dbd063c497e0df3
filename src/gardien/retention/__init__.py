"""Retention sweeps and legal holds (GDPR art. 5(1)(e), 17(3)(b)).

Library use::

    source = dataset_source(load_dataset("shop.yaml", policy), url, policy, now)
    plan = plan_retention([source])            # what would go, per rule and table
    report = run_sweep([source], record=...)   # bounded batches; a rerun finishes the work

Gardien's own records (codes, sessions, closed requests, consent proofs) are one more source::

    own = gardien_source(gardien_engine, now, RecordsRetention(), policy)
"""

from gardien.retention.checks import check_masks
from gardien.retention.errors import RetentionConfigError, RetentionError, SweepAlreadyRunningError
from gardien.retention.events import RetentionBatchSwept, RetentionTableSwept
from gardien.retention.gardien_records import gardien_source
from gardien.retention.periods import first_held_day, retention_cutoff
from gardien.retention.plan import RetentionPlan, SweepSource, TableCounts, plan_retention
from gardien.retention.settings import RecordsRetention
from gardien.retention.sources import dataset_source, dataset_sources
from gardien.retention.sweep import (
    DEFAULT_BATCH,
    DEFAULT_WORKERS,
    SweepReport,
    TableSweep,
    run_sweep,
    sweep_target,
)
from gardien.retention.targets import SweepTarget, Unswept

__all__ = [
    "DEFAULT_BATCH",
    "DEFAULT_WORKERS",
    "RecordsRetention",
    "RetentionBatchSwept",
    "RetentionConfigError",
    "RetentionError",
    "RetentionPlan",
    "RetentionTableSwept",
    "SweepAlreadyRunningError",
    "SweepReport",
    "SweepSource",
    "SweepTarget",
    "TableCounts",
    "TableSweep",
    "Unswept",
    "check_masks",
    "dataset_source",
    "dataset_sources",
    "first_held_day",
    "gardien_source",
    "plan_retention",
    "retention_cutoff",
    "run_sweep",
    "sweep_target",
]
