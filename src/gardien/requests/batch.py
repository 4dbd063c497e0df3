"""Queued erasure requests run as set-based batches (GDPR art. 17, art. 12(3): without undue
delay, even when thousands arrive at once, e.g. after a service closes).

For each batch, each dataset is planned and erased ONCE for all its people, in one transaction
(one statement per table per batch, not per person). Each request then gets the same steps as
when it runs alone (``dataset:<name>``, ``ledger:erasure``, ``vault:shred``, ``art19:recipients``)
and its own erasure report: the batch's plan is split into each person's share, so a report
names the rows a legal hold keeps for *that* person (table, law, end date), never the batch's.

A failed batch fails the dataset step of each of its requests, which stay rerunnable (the
plan each recorded before the erasure is kept). A request that cannot run (identity not
confirmed, closed) is not run and is listed as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from gardien.datasets import DatasetEngine, ErasurePlan
from gardien.errors import GardienError
from gardien.requests import erasure
from gardien.requests.errors import InvalidTransitionError
from gardien.requests.execution import (
    DONE,
    PLANNED,
    RunContext,
    RunResult,
    dataset_step,
    finish,
    prepare,
    run,
)
from gardien.requests.handlers import tell_recipients
from gardien.requests.model import RequestType
from gardien.requests.workflow import RequestWorkflow


@dataclass(frozen=True)
class BatchRun:
    """What a batched run did: each request run, and those that could not run, with why."""

    results: tuple[RunResult, ...]
    not_run: tuple[tuple[str, str], ...] = ()


def run_erasures(
    workflow: RequestWorkflow, refs: Iterable[str], *, batch_size: int = 1000
) -> BatchRun:
    """Run these erasure requests ``batch_size`` at a time, one erasure per dataset per batch."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    results: list[RunResult] = []
    not_run: list[tuple[str, str]] = []
    batch: list[RunContext] = []
    for ref in refs:
        try:
            context = prepare(workflow, ref)
        except InvalidTransitionError as refused:
            not_run.append((ref, refused.message))
            continue
        if context.request.type is not RequestType.ERASURE:
            results.append(run(workflow, ref))  # already marked running: carried on alone
            continue
        batch.append(context)
        if len(batch) == batch_size:
            results += _run_batch(batch)
            batch = []
    if batch:
        results += _run_batch(batch)
    return BatchRun(tuple(results), tuple(not_run))


def run_pending_batched(workflow: RequestWorkflow, *, batch_size: int = 1000) -> BatchRun:
    """:func:`run_pending` with the erasures batched: every runnable request, most urgent
    first; the other types run one by one."""
    pending = [r.ref for r in workflow.list_requests() if r.status.runnable]
    return run_erasures(workflow, pending, batch_size=batch_size)


def _run_batch(contexts: Sequence[RunContext]) -> list[RunResult]:
    for engine in contexts[0].workflow.datasets:
        _erase_dataset(engine, contexts)
    out = []
    for context in contexts:
        erasure.forget(context)
        tell_recipients(context, None)
        erasure.write_report(context)
        out.append(finish(context))
    return out


def _erase_dataset(engine: DatasetEngine, contexts: Sequence[RunContext]) -> None:
    step = dataset_step(engine)
    todo = []
    for context in contexts:
        if step in context.done and context.done[step].status == DONE:
            context.step(step, dict)  # skipped: done by an earlier run
        else:
            todo.append(context)
    if not todo:
        return
    firsts: list[dict[str, object] | None] = []
    earlier_kept = []
    for context in todo:
        earlier = dict(context.done[step].result) if step in context.done else {}
        saved = earlier.get("plan")
        firsts.append(dict(saved) if isinstance(saved, dict) else None)
        earlier_kept.append(erasure.dicts(earlier.get("kept")))
    name = engine.dataset.name

    def record_plans(shares: Sequence[ErasurePlan]) -> None:
        for context, share, first, kept in zip(todo, shares, firsts, earlier_kept, strict=True):
            plan = share.describe()
            context.record(
                step,
                PLANNED,
                {"plan": first or plan, "kept": erasure.merge(kept, erasure.kept_rows(name, plan))},
            )

    failure: Exception | None = None
    shares: Sequence[ErasurePlan] = ()
    try:
        shares = engine.erase_batch([c.subject for c in todo], record_plans).shares
    except (GardienError, sa.exc.SQLAlchemyError, OSError) as exc:
        failure = exc
    for index, context in enumerate(todo):
        first, kept = firsts[index], earlier_kept[index]

        def work(
            index: int = index, first: object = first, kept: object = kept
        ) -> dict[str, object]:
            if failure is not None:
                raise failure
            share = shares[index]
            plan = first if isinstance(first, dict) else share.describe()
            return erasure.dataset_result(name, plan, erasure.dicts(kept), share)

        context.step(step, work)


__all__ = ["BatchRun", "run_erasures", "run_pending_batched"]
