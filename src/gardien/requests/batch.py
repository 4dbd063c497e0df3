"""Queued erasure requests run as set-based batches (GDPR art. 17, art. 12(3): without undue
delay, even when thousands arrive at once, e.g. after a service closes).

A batch does, for all its requests together, what :func:`~gardien.requests.run` does for one,
phase by phase, each phase ONE transaction (one statement per table, not per person):

1. the requests are marked running (and each person's other identifiers read from the ledger);
2. each dataset is planned (every plan recorded first, so a crash still reports what the holds
   keep) and erased once for all its people;
3. the people are marked erased in the ledger, then their vault keys shredded;
4. each request gets the same steps as when it runs alone (``dataset:<name>``,
   ``ledger:erasure``, ``vault:shred``, ``art19:recipients``): the batch's plan is split into
   each person's share, so each request's erasure report (rendered from its steps,
   :func:`gardien.requests.erasure.report`) names the rows a legal hold keeps for *that*
   person (table, law, end date), never the batch's;
5. the requests are closed, then the people told in one delivery (one SMTP session or one
   outbox file for the batch).

Every step is recorded after what it did, as when one request runs: a crash between two
phases leaves steps to redo, and the rerun redoes only those (each is idempotent). A phase
that fails fails that step of each request of the batch, which stay rerunnable (the plan each
recorded before the erasure is kept). A request that cannot run (identity not confirmed,
closed) is not run and is listed as such.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import sqlalchemy as sa

from gardien.datasets import DatasetEngine, ErasurePlan
from gardien.errors import GardienError
from gardien.notify import send_all
from gardien.requests import erasure, messages
from gardien.requests.events import RequestStatusChanged
from gardien.requests.execution import (
    DONE,
    FAILED,
    PLANNED,
    RunContext,
    RunResult,
    StepOutcome,
    closing,
    dataset_step,
    error_line,
    finish,
    names_of,
    record_all,
    why_not_runnable,
)
from gardien.requests.handlers import HANDLERS, recipients_to_tell
from gardien.requests.holds import kept_by_datasets
from gardien.requests.model import DataSubjectRequest, RequestStatus, RequestType
from gardien.requests.store import (
    SealedDetails,
    StepRow,
    load_requests,
    load_sealed_many,
    load_steps_many,
    request_ids,
    update_requests,
)
from gardien.requests.workflow import RequestWorkflow, contact_of
from gardien.storage import read_transaction, write_transaction
from gardien.vault import person_owner

log = logging.getLogger("gardien.requests")


@dataclass(frozen=True)
class BatchRun:
    """What a batched run did: each request run, and those that could not run, with why."""

    results: tuple[RunResult, ...]
    not_run: tuple[tuple[str, str], ...] = ()


Progress = Callable[[int, int], None]
"""Told after each batch: requests handled so far, requests in all."""


def run_erasures(
    workflow: RequestWorkflow,
    refs: Iterable[str],
    *,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> BatchRun:
    """Run these erasure requests ``batch_size`` at a time, each phase once per batch.

    Requests of another type among ``refs`` run one by one, as :func:`run` would."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    wanted = list(refs)
    results: list[RunResult] = []
    not_run: list[tuple[str, str]] = []
    handled = 0
    # Each batch's answers (one delivery for the batch: one SMTP session, one outbox file)
    # leave from a thread while the next batch works on the databases. Only a request
    # already closed is answered, so a crash never tells a person more than was done.
    with ThreadPoolExecutor(1, thread_name_prefix="gardien-mail") as mail:
        sent: list[Future[None]] = []

        def later(answer: Callable[[], None]) -> None:
            sent.append(mail.submit(answer))

        for start in range(0, len(wanted), batch_size):
            chunk = wanted[start : start + batch_size]
            with _cyclic_gc_paused():
                contexts, refused = prepare_many(workflow, chunk)
                not_run += refused
                erasures = [c for c in contexts if c.request.type is RequestType.ERASURE]
                for context in contexts:
                    if context.request.type is not RequestType.ERASURE:
                        HANDLERS[context.request.type](context)  # already marked running
                        results.append(finish(context))
                if erasures:
                    _erase_all(erasures)
                    results += finish_many(erasures, later)
            handled += len(chunk)
            if progress is not None:
                progress(handled, len(wanted))
        for answer in sent:
            answer.result()  # an answer that failed otherwise than undeliverable: raised here
    order = {r.strip().upper(): i for i, r in enumerate(wanted)}
    results.sort(key=lambda r: order.get(r.request.ref, len(order)))
    return BatchRun(tuple(results), tuple(not_run))


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for one batch (then resumed as it was).

    A batch keeps tens of thousands of objects alive until it closes (each person's rows,
    plan share, step records, outcomes), and the results of earlier batches stay alive until
    the run returns. Every time enough new objects have piled up, the collector walks the
    whole heap again: about ten full collections of 85 ms for 3,000 requests, 15-20 % of a
    batch's time (bench/RESULTS.md). What a batch drops is still freed at once by reference
    counting; only reference cycles wait until the batch ends. The pause is process-wide, so
    other threads' cycles wait too, for the length of one batch.
    """
    if not gc.isenabled():  # the application manages the collector itself
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def run_pending_batched(
    workflow: RequestWorkflow, *, batch_size: int = 1000, progress: Progress | None = None
) -> BatchRun:
    """:func:`run_pending` with the erasures batched: every runnable request, most urgent
    first; the other types run one by one."""
    pending = [r.ref for r in workflow.list_requests() if r.status.runnable]
    return run_erasures(workflow, pending, batch_size=batch_size, progress=progress)


# --- phase 1: the requests marked running ----------------------------------------------------


def prepare_many(
    workflow: RequestWorkflow, refs: Sequence[str]
) -> tuple[list[RunContext], list[tuple[str, str]]]:
    """:func:`~gardien.requests.execution.prepare` for many requests in one transaction:
    their contexts, and the refs that cannot run with why."""
    wanted = [r.strip().upper() for r in refs]
    refused: list[tuple[str, str]] = []
    with write_transaction(workflow.engine) as conn:
        workflow.trail.lock(conn)
        found = load_requests(conn, wanted, for_update=True)
        sealed = load_sealed_many(conn, workflow.cipher, list(found))
        runnable: list[tuple[DataSubjectRequest, SealedDetails]] = []
        for ref in dict.fromkeys(wanted):
            request = found.get(ref)
            details = sealed.get(ref)
            why = f"no request {ref}" if request is None else why_not_runnable(request, details)
            if why is not None:
                refused.append((ref, why))
            else:
                assert request is not None
                assert details is not None
                runnable.append((request, details))
        names = names_of(workflow, [d for _, d in runnable])
        now = workflow.clock()
        resealed = []
        for index, ((request, details), person) in enumerate(zip(runnable, names, strict=True)):
            others = tuple(str(n) for n in person[1:])
            if others != details.others:
                details = replace(details, others=others)
                runnable[index] = (request, details)
                resealed.append(
                    {"ref": request.ref, "sealed": details.seal(workflow.cipher, request.ref)}
                )
        update_requests(conn, now, resealed)
        starting = [r for r, _ in runnable if r.status is not RequestStatus.RUNNING]
        update_requests(
            conn,
            now,
            [
                {
                    "ref": r.ref,
                    "status": RequestStatus.RUNNING.value,
                    "reason_code": None,
                    "reason": None,
                }
                for r in starting
            ],
        )
        workflow.audit_many(
            conn,
            [
                (
                    r,
                    RequestStatusChanged(
                        r.ref, r.status.value, RequestStatus.RUNNING.value, None, None
                    ),
                )
                for r in starting
            ],
        )
    # What the rows now hold, without reading them back.
    running = {r.ref for r in starting}
    fresh = {
        r.ref: replace(r, status=RequestStatus.RUNNING, reason_code=None, reason=None)
        if r.ref in running
        else r
        for r, _ in runnable
    }
    with read_transaction(workflow.engine) as conn:
        ids = request_ids(conn, [r.ref for r, _ in runnable])
        steps = load_steps_many(conn, [r.ref for r, _ in runnable], ids)
    contexts = [
        RunContext(workflow, fresh[r.ref], d, person, steps[r.ref], request_id=ids[r.ref])
        for (r, d), person in zip(runnable, names, strict=True)
    ]
    return contexts, refused


# --- phase 2: the datasets ---------------------------------------------------------------------


def _erase_all(contexts: Sequence[RunContext]) -> None:
    """Every database phase of a batch: the datasets, the ledger, the vault, art. 19."""
    for engine in contexts[0].workflow.datasets:
        _erase_dataset(engine, contexts)
    _forget_all(contexts)
    recipients = recipients_to_tell(contexts[0].workflow.policy, None)
    _step_all(contexts, "art19:recipients", lambda _: {"to_notify": recipients})


def _erase_dataset(engine: DatasetEngine, contexts: Sequence[RunContext]) -> None:
    step = dataset_step(engine)
    todo = []
    for context in contexts:
        if step in context.done and context.done[step].status == DONE:
            context.attempt(step, dict)  # skipped: done by an earlier run
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
    planned: dict[str, dict[str, Any]] = {}
    described: dict[str, dict[str, Any]] = {}  # each share described once

    def record_plans(shares: Sequence[ErasurePlan]) -> None:
        rows = []
        for context, share, first, kept in zip(todo, shares, firsts, earlier_kept, strict=True):
            plan = described[context.request.ref] = share.describe()
            result = {
                "plan": first or plan,
                "kept": erasure.merge(kept, erasure.kept_rows(name, plan)),
            }
            planned[context.request.ref] = result
            rows.append((context, StepRow(context.request.ref, step, PLANNED, result)))
        record_all(todo[0].workflow, rows)

    failure: Exception | None = None
    shares: Sequence[ErasurePlan] = ()
    try:
        shares = engine.erase_batch([c.subject for c in todo], record_plans).shares
    except (GardienError, sa.exc.SQLAlchemyError, OSError) as exc:
        failure = exc
    rows = []
    for index, context in enumerate(todo):
        if failure is not None:
            # Keep what the plan phase recorded (this run's, else an earlier run's).
            saved = planned.get(context.request.ref)
            if saved is None:
                saved = dict(context.done[step].result) if step in context.done else {}
            rows.append(
                (context, StepRow(context.request.ref, step, FAILED, saved, error_line(failure)))
            )
            continue
        share, first = shares[index], firsts[index]
        now = described.get(context.request.ref) or share.describe()
        plan = first if isinstance(first, dict) else now
        kept = erasure.dicts(earlier_kept[index])
        result = erasure.dataset_result(name, plan, kept, share, described=now)
        rows.append((context, StepRow(context.request.ref, step, DONE, result)))
    record_all(todo[0].workflow, rows)


# --- phase 3: the ledger and the vault ----------------------------------------------------------


def _forget_all(contexts: Sequence[RunContext]) -> None:
    """:func:`erasure.forget` for the batch: one ledger transaction, one vault transaction."""
    workflow = contexts[0].workflow
    refs: dict[str, str] = {}

    def ledger_phase(todo: Sequence[RunContext]) -> list[dict[str, Any]]:
        subjects = workflow.ledger.mark_erased_many(
            [(c.names, c.request.ref) for c in todo], actor=workflow.actor, at=workflow.clock()
        )
        return [{"erased": True, "subject_ref": s} for s in subjects]

    erased = _phase(contexts, "ledger:erasure", ledger_phase)
    for context, outcome in zip(contexts, erased, strict=True):
        if outcome.status == DONE:
            refs[context.request.ref] = str(outcome.result.get("subject_ref", ""))
    shredding = [c for c in contexts if c.request.ref in refs]
    if not shredding:
        return

    def vault_phase(todo: Sequence[RunContext]) -> list[dict[str, Any]]:
        if workflow.data_vault is None:
            return [{"shredded": False, "reason": "no vault configured for this workflow"}] * len(
                todo
            )
        receipts = workflow.data_vault.shred_many(
            [(person_owner(refs[c.request.ref]), f"erasure request {c.request.ref}") for c in todo]
        )
        return [{"shredded": True, "already": r.already_destroyed} for r in receipts]

    # Crypto-shredding: see erasure.forget.
    _phase(shredding, "vault:shred", vault_phase)


def _phase(
    contexts: Sequence[RunContext],
    step: str,
    work: Callable[[Sequence[RunContext]], Sequence[Mapping[str, Any]]],
) -> list[StepOutcome]:
    """One step for the whole batch: the requests that have not done it yet do it together;
    a failure fails that step of each of them. Outcomes in the order of ``contexts``."""
    todo = [c for c in contexts if not _done(c, step)]
    results: Sequence[Mapping[str, Any]] = ()
    error: str | None = None
    if todo:
        try:
            results = work(todo)
        except (GardienError, sa.exc.SQLAlchemyError, OSError) as exc:
            error = error_line(exc)
    by_ref = {c.request.ref: i for i, c in enumerate(todo)}
    rows = []
    outcomes: dict[str, StepOutcome] = {}
    for context in contexts:
        if context.request.ref not in by_ref:
            done = context.attempt(step, dict)
            assert isinstance(done, StepOutcome)
            outcomes[context.request.ref] = done
        elif error is not None:
            rows.append((context, StepRow(context.request.ref, step, FAILED, {}, error)))
        else:
            result = dict(results[by_ref[context.request.ref]])
            rows.append((context, StepRow(context.request.ref, step, DONE, result)))
    for (context, _), outcome in zip(rows, record_all(contexts[0].workflow, rows), strict=True):
        outcomes[context.request.ref] = outcome
    return [outcomes[c.request.ref] for c in contexts]


def _done(context: RunContext, step: str) -> bool:
    previous = context.done.get(step)
    return previous is not None and previous.status == DONE


def _step_all(
    contexts: Sequence[RunContext], step: str, work: Callable[[RunContext], Mapping[str, Any]]
) -> None:
    _phase(contexts, step, lambda todo: [work(c) for c in todo])


# --- phase 5: closing ------------------------------------------------------------------------


def finish_many(
    contexts: Sequence[RunContext], later: Callable[[Callable[[], None]], None] | None = None
) -> list[RunResult]:
    """:func:`~gardien.requests.execution.finish` for the batch: every request closed in one
    transaction, then each person told, in one delivery (:func:`_tell_all`). With ``later``,
    the delivery is handed to it and done while the caller goes on; else before this
    returns."""
    workflow = contexts[0].workflow
    now = workflow.clock()
    with write_transaction(workflow.engine) as conn:
        workflow.trail.lock(conn)
        # A request the DPO closed by hand while the batch ran keeps that closing, and its
        # person is not told twice (as :func:`finish` does for one request).
        current = load_requests(conn, [c.request.ref for c in contexts], for_update=True)
        meanwhile = [
            c for c in contexts if current[c.request.ref].status is not RequestStatus.RUNNING
        ]
        contexts = [c for c in contexts if current[c.request.ref].status is RequestStatus.RUNNING]
        ends = [closing(c) for c in contexts]
        for closed in (True, False):
            rows = []
            for context, end in zip(contexts, ends, strict=True):
                if end.status.closed is not closed:
                    continue
                row: dict[str, object] = {
                    "ref": context.request.ref,
                    "status": end.status.value,
                    "reason_code": end.reason_code,
                    "reason": end.reason,
                    "outcome": end.outcome,
                }
                if closed:
                    row |= {"closed_at": now, "sealed": None}
                rows.append(row)
            update_requests(conn, now, rows)
        workflow.audit_many(
            conn,
            [
                (
                    c.request,
                    RequestStatusChanged(
                        c.request.ref,
                        c.request.status.value,
                        e.status.value,
                        e.reason_code,
                        e.reason,
                    ),
                )
                for c, e in zip(contexts, ends, strict=True)
            ],
        )
    fresh = {  # what the rows now hold, without reading them back
        c.request.ref: replace(
            c.request,
            status=e.status,
            reason_code=e.reason_code,
            reason=e.reason,
            outcome=e.outcome,
            closed_at=now if e.status.closed else c.request.closed_at,
        )
        for c, e in zip(contexts, ends, strict=True)
    }

    results = [
        RunResult(current[c.request.ref], False, tuple(c.outcomes), tuple(c.files))
        for c in meanwhile
    ]
    told = []
    for context, end in zip(contexts, ends, strict=True):
        request = fresh[context.request.ref]
        if end.status is not RequestStatus.FAILED:
            told.append((context, request))
        results.append(RunResult(request, False, tuple(context.outcomes), tuple(context.files)))
    answer = partial(_tell_all, workflow, told)
    if later is None:
        answer()
    else:
        later(answer)
    return results


def _tell_all(
    workflow: RequestWorkflow, told: Sequence[tuple[RunContext, DataSubjectRequest]]
) -> None:
    """Each person told their request was carried out, in one delivery for the batch; a
    message that cannot be delivered is logged by request ref and stops none of the others."""
    addressed = [(c, r, contact_of(c.details)) for c, r in told]
    refs = [r.ref for _, r, to in addressed if to is not None]
    messages_ = [
        messages.answered(to, r, workflow.policy, kept_by_datasets(c.outcomes))
        for c, r, to in addressed
        if to is not None
    ]
    for ref, failure in zip(refs, send_all(workflow.mailer, messages_), strict=True):
        if failure is not None:
            log.warning("request %s: the answer could not be delivered: %s", ref, failure)


__all__ = ["BatchRun", "finish_many", "prepare_many", "run_erasures", "run_pending_batched"]
