"""``gardien retention plan|run``: what is past its period, and sweeping it (GDPR art. 5(1)(e)).

Thin: load the policy and the declarations, build the sources, call :mod:`gardien.retention`,
print. ``run`` writes one audit entry per batch and per table to Gardien's trail, so it needs
the ledger database and the master key (``--no-audit`` only for a test database). Gardien's own
records in that database (codes, sessions, closed requests, consent proofs) are swept too, after
the declared datasets, with the periods of ``GARDIEN_RETENTION_*`` (docs/retention.md).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import Engine

from gardien.cli.app import app, err, out, reported_errors
from gardien.datasets import load_dataset
from gardien.datasets.declaration import Dataset
from gardien.errors import ConfigurationError
from gardien.policy import load_policy
from gardien.policy.model import Policy
from gardien.retention import (
    DEFAULT_BATCH,
    DEFAULT_WORKERS,
    RecordsRetention,
    RetentionPlan,
    SweepReport,
    SweepSource,
    SweepTarget,
    dataset_sources,
    gardien_source,
    plan_retention,
    run_sweep,
)
from gardien.retention.recording import AuditRecorder
from gardien.settings import Settings

retention_app = typer.Typer(help="Retention sweeps and legal holds: plan, then run.")
app.add_typer(retention_app, name="retention")

POLICY = typer.Option(None, "--policy", help="The policy file (default: GARDIEN_POLICY)")
DATASETS = typer.Option(
    None, "--datasets", help="Folder of dataset declarations (default: GARDIEN_DATASETS)"
)
JSON = typer.Option(False, "--json", help="Print JSON instead of a table")
RECORDS = typer.Option(
    True,
    "--gardien-records/--no-gardien-records",
    help="Also sweep Gardien's own records in its database (when that database is known)",
)


def _policy(path: Path | None) -> tuple[Policy, Settings]:
    settings = Settings(**({"policy": path} if path else {}))  # type: ignore[arg-type]
    if settings.policy is None:
        raise ConfigurationError("no policy file: pass --policy FILE or set GARDIEN_POLICY")
    return load_policy(settings.policy), settings


def _datasets(folder: Path | None, policy: Policy, optional: bool = False) -> list[Dataset]:
    if folder is None and os.environ.get("GARDIEN_DATASETS"):
        folder = Path(os.environ["GARDIEN_DATASETS"])
    if folder is None and optional:
        return []
    if folder is None:
        raise ConfigurationError("no declarations: pass --datasets DIR or set GARDIEN_DATASETS")
    if not folder.is_dir():
        raise ConfigurationError(f"--datasets {folder}: no such folder")
    paths = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    return [load_dataset(p, policy) for p in paths]


def _sources(
    policy_file: Path | None,
    folder: Path | None,
    now: datetime,
    hash_key: bytes | None = None,
    gardien: Engine | None = None,
) -> tuple[list[SweepSource], Settings]:
    """The declared datasets' sources, then Gardien's own records when its engine is given."""
    policy, settings = _policy(policy_file)
    datasets = _datasets(folder, policy, optional=gardien is not None)
    sources = dataset_sources(datasets, os.environ, policy, now, hash_key=hash_key)
    if gardien is not None:
        sources.append(gardien_source(gardien, now, RecordsRetention(), policy))
    return sources, settings


def _gardien_engine(database_url: str | None) -> Engine | None:
    """Gardien's database when it is named (``--database-url`` or ``GARDIEN_DATABASE_URL``)."""
    from gardien.storage import create_engine, require_current

    settings = Settings(**({"database_url": database_url} if database_url else {}))  # type: ignore[arg-type]
    if "database_url" not in settings.model_fields_set:
        return None
    engine = create_engine(settings.database_url)
    require_current(engine)
    return engine


def _print_plan(plan: RetentionPlan) -> None:
    table = Table(
        "rule",
        "table",
        "action",
        "cut-off",
        "expired",
        "held",
        "referenced",
        "to sweep",
        "released",
        "undated",
        title="Retention plan",
    )
    for rule, rows in plan.by_rule().items():
        for t in rows:
            table.add_row(
                rule,
                t.name,
                t.action.value,
                f"{t.cutoff:%Y-%m-%d %H:%M}",
                str(t.expired),
                str(t.held),
                str(t.kept_referenced),
                str(t.to_sweep),
                str(t.released),
                str(t.undated),
            )
    out.print(table)
    for u in plan.unswept:
        out.print(f"not swept: {u.store}.{u.table} ({u.rule}): {u.reason}", markup=False)


def _print_report(report: SweepReport) -> None:
    table = Table(
        "rule",
        "table",
        "deleted",
        "anonymised",
        "kept under hold",
        "released",
        "referenced",
        "batches",
        "complete",
        title="Retention sweep",
    )
    for t in report.tables:
        table.add_row(
            t.rule,
            t.name,
            str(t.deleted),
            str(t.anonymised),
            str(t.held),
            str(t.released),
            str(t.kept_referenced),
            str(t.batches),
            "yes" if t.complete else "no: rerun",
        )
    out.print(table)
    for u in report.unswept:
        out.print(f"not swept: {u.store}.{u.table} ({u.rule}): {u.reason}", markup=False)


@retention_app.command("plan")
def plan_command(
    policy: Path | None = POLICY,
    datasets: Path | None = DATASETS,
    database_url: str | None = typer.Option(
        None, "--database-url", help="Gardien's database, to plan its own records too"
    ),
    records: bool = RECORDS,
    as_json: bool = JSON,
) -> None:
    """What a sweep would delete or anonymise now, per rule and table; changes nothing."""
    with reported_errors():
        gardien = _gardien_engine(database_url) if records else None
        sources, _ = _sources(policy, datasets, datetime.now(UTC), gardien=gardien)
        plan = plan_retention(sources)
    if as_json:
        typer.echo(json.dumps(plan.describe(), indent=2))
    else:
        _print_plan(plan)


@retention_app.command("run")
def run_command(
    policy: Path | None = POLICY,
    datasets: Path | None = DATASETS,
    batch_size: int = typer.Option(DEFAULT_BATCH, "--batch-size", min=1, help="Rows per batch"),
    workers: int = typer.Option(
        DEFAULT_WORKERS, "--workers", min=1, help="Page windows swept at once (PostgreSQL)"
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="Gardien's database, for the audit trail"
    ),
    no_audit: bool = typer.Option(
        False, "--no-audit", help="Do not write the audit trail (test databases only)"
    ),
    records: bool = RECORDS,
    as_json: bool = JSON,
) -> None:
    """Delete or anonymise what is past its period, in bounded batches, skipping held rows."""
    from gardien.storage import create_engine, require_current, upgrade
    from gardien.vault import dataset_hash_key
    from gardien.vault.keys import load_master_keys
    from gardien.vault.store import audit_trail_for

    with reported_errors():
        now = datetime.now(UTC)
        recorder: AuditRecorder | None = None
        hash_key: bytes | None = None
        gardien: Engine | None = None
        if no_audit and records:
            gardien = _gardien_engine(database_url)
        if not no_audit:
            settings = Settings(**({"database_url": database_url} if database_url else {}))  # type: ignore[arg-type]
            secret = settings.master_key.get_secret_value() if settings.master_key else None
            keys = load_master_keys(settings.resolved_key_file(), secret)
            hash_key = dataset_hash_key(keys)
            engine = create_engine(settings.database_url)
            if settings.database_url.startswith("sqlite"):
                upgrade(engine)
            else:
                require_current(engine)
            recorder = AuditRecorder(engine, audit_trail_for(keys), actor=settings.actor)
            gardien = engine if records else None
        sources, _ = _sources(policy, datasets, now, hash_key, gardien)
        plan = plan_retention(sources)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=as_json,
        ) as bar:
            tasks = {t.name: bar.add_task(t.name, total=t.to_sweep) for t in plan.tables}

            def advance(target: SweepTarget, rows: int) -> None:
                task = tasks[target.name]
                bar.update(task, advance=rows)
                current = bar.tasks[task]
                if current.total is not None and current.completed > current.total:
                    bar.update(task, total=current.completed)

            report = run_sweep(
                sources,
                batch_size=batch_size,
                on_batch=advance,
                record=recorder,
                workers=workers,
            )
    if as_json:
        typer.echo(json.dumps(report.describe(), indent=2))
    else:
        _print_report(report)
    if not report.complete:
        err.print(
            "some rows were locked by other sessions or the sweep was stopped: "
            "run it again to finish",
            markup=False,
        )
