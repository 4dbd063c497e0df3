"""Running a request: every dataset, then the ledger, then the documents; resumable.

Each unit of work is a *step* recorded in ``gardien_request_steps``. A step already ``done`` is
skipped when the request runs again, so a run that crashed, or that ended ``partial`` because a
database was unreachable, finishes by doing only what is left (Fides: "user not found" in one
system failed the whole request, and "reprocess" started over). A person not found in a
dataset is a step done with nothing to do, never a failure. Every request ends ``completed``,
``partial`` (naming what is left) or ``failed``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gardien.audit.chain import Pending
from gardien.audit.events import JsonValue
from gardien.datasets import DatasetEngine, Subject
from gardien.errors import GardienError
from gardien.ledger import Channel, Identifier, RestrictionGround
from gardien.ledger.ledger import NotApplicableError, as_identifier
from gardien.policy.vocabulary import LegalBasisKind
from gardien.requests import messages
from gardien.requests.errors import InvalidTransitionError
from gardien.requests.events import RequestStepDone
from gardien.requests.holds import kept_by_datasets
from gardien.requests.model import (
    DataSubjectRequest,
    RequestChannel,
    RequestStatus,
)
from gardien.requests.store import (
    SealedDetails,
    Step,
    StepRow,
    load_run_state,
    load_steps,
    save_steps,
    update_request,
)
from gardien.requests.workflow import RequestWorkflow, contact_of
from gardien.storage import read_transaction, write_transaction

DONE, FAILED, PLANNED = "done", "failed", "planned"

_LEDGER_CHANNEL = {
    RequestChannel.PORTAL: Channel.WEB_FORM,
    RequestChannel.EMAIL: Channel.EMAIL,
    RequestChannel.POSTAL: Channel.PAPER,
    RequestChannel.PHONE: Channel.PAPER,  # the ledger has no "phone": a written note of it
    RequestChannel.API: Channel.API,
}


@dataclass(frozen=True)
class StepOutcome:
    step: str
    status: str
    result: dict[str, JsonValue] = field(default_factory=dict)
    error: str | None = None
    skipped: bool = False
    """Already done by an earlier run."""


@dataclass(frozen=True)
class RunResult:
    """What a run did (or, dry, would do), step by step, and the files it wrote."""

    request: DataSubjectRequest
    dry_run: bool
    steps: tuple[StepOutcome, ...]
    files: tuple[Path, ...] = ()

    @property
    def left(self) -> tuple[str, ...]:
        return tuple(s.step for s in self.steps if s.status == FAILED)


@dataclass
class RunContext:
    """Everything a type's handler needs; handlers record steps through :meth:`step`."""

    workflow: RequestWorkflow
    request: DataSubjectRequest
    details: SealedDetails
    names: tuple[Identifier, ...]
    done: dict[str, Step]
    outcomes: list[StepOutcome] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    request_id: int | None = None
    """The request's row id, known from :func:`prepare`: step records need no look-up."""

    @property
    def subject(self) -> Subject:
        """The identity values every dataset is searched with (all the person's identifiers)."""
        values: dict[str, list[object]] = {}
        for name in self.names:
            values.setdefault(name.kind.value, []).append(name.value)
        return Subject({k: tuple(v) for k, v in values.items()})

    @property
    def folder(self) -> Path:
        folder = self.workflow.output_dir / self.request.ref
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def record(
        self, step: str, status: str, result: Mapping[str, Any], error: str | None = None
    ) -> StepOutcome:
        return record_all(
            self.workflow, [(self, StepRow(self.request.ref, step, status, dict(result), error))]
        )[0]

    def step(
        self, step: str, work: Callable[[], Mapping[str, Any]], *, always: bool = False
    ) -> StepOutcome:
        """Run one step unless already done (``always``: reads, redone on every run); a
        Gardien or database error fails only this step."""
        done = self.attempt(step, work, always=always)
        return done if isinstance(done, StepOutcome) else self.record(*_fields(done))

    def attempt(
        self, step: str, work: Callable[[], Mapping[str, Any]], *, always: bool = False
    ) -> StepOutcome | StepRow:
        """Run one step, leaving its record to the caller: a :class:`StepRow` to record, or
        the outcome of a step already done by an earlier run (nothing to record).

        Queued requests record the steps of a whole batch in one transaction
        (:func:`record_all`); :meth:`step` records each at once.
        """
        previous = self.done.get(step)
        if previous is not None and previous.status == DONE and not always:
            outcome = StepOutcome(step, DONE, previous.result, None, skipped=True)
            self.outcomes.append(outcome)
            return outcome
        try:
            result = work()
        except (GardienError, sa.exc.SQLAlchemyError, OSError) as exc:
            # Keep what an earlier phase of the step recorded (an erasure's plan and holds).
            return StepRow(self.request.ref, step, FAILED, self.saved(step), error_line(exc))
        return StepRow(self.request.ref, step, DONE, dict(result))

    def saved(self, step: str) -> dict[str, JsonValue]:
        """The result last recorded for ``step`` (by this run or an earlier one)."""
        with read_transaction(self.workflow.engine) as conn:
            found = load_steps(conn, self.request.ref).get(step)
        return dict(found.result) if found is not None else {}


def _fields(row: StepRow) -> tuple[str, str, Mapping[str, Any], str | None]:
    return row.step, row.status, row.result, row.error


def record_all(
    workflow: RequestWorkflow, rows: Sequence[tuple[RunContext, StepRow]]
) -> list[StepOutcome]:
    """Record these steps (of one request or of a whole batch) in ONE transaction, under the
    audit lock, with one audit entry per finished step; returns their outcomes in order."""
    if not rows:
        return []
    at = workflow.clock()
    with write_transaction(workflow.engine) as conn:
        workflow.trail.lock(conn)
        known = {c.request.ref: c.request_id for c, _ in rows if c.request_id is not None}
        save_steps(conn, [row for _, row in rows], at, known)
        events = [
            Pending(
                RequestStepDone(
                    row.ref,
                    row.step,
                    row.status,
                    tuple(sorted(_flat_counts(row.result).items())),
                    row.error,
                ),
                context.request.subject_ref,
            )
            for context, row in rows
            if row.status != PLANNED
        ]
        workflow.trail.append(conn, events, actor=workflow.actor, at=at)
    outcomes = []
    for context, row in rows:
        outcome = StepOutcome(row.step, row.status, dict(row.result), row.error)
        if row.status != PLANNED:
            context.outcomes.append(outcome)
        outcomes.append(outcome)
    return outcomes


def error_line(exc: BaseException) -> str:
    if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
        exc = exc.orig
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def _flat_counts(result: Mapping[str, JsonValue]) -> dict[str, int]:
    counts = result.get("counts")
    out: dict[str, int] = {}
    if isinstance(counts, dict):
        for key, value in counts.items():
            if isinstance(value, int):
                out[key] = value
            elif isinstance(value, dict):
                for sub, number in value.items():
                    if isinstance(number, int):
                        out[f"{key}.{sub}"] = number
    return out


def dataset_step(engine: DatasetEngine) -> str:
    return f"dataset:{engine.dataset.name}"


def person_names(workflow: RequestWorkflow, details: SealedDetails) -> tuple[Identifier, ...]:
    """The request's identifier, then every other one the ledger knows for the same person."""
    return names_of(workflow, [details])[0]


def names_of(
    workflow: RequestWorkflow, many: Sequence[SealedDetails]
) -> list[tuple[Identifier, ...]]:
    """:func:`person_names` for many requests, with one read of the ledger."""
    firsts = [as_identifier(d.identifier) for d in many]
    known = workflow.ledger.identifiers_of(firsts)
    return [
        tuple(dict.fromkeys([first, *(as_identifier(o) for o in d.others), *known.get(first, ())]))
        for first, d in zip(firsts, many, strict=True)
    ]


def run(workflow: RequestWorkflow, ref: str, *, dry_run: bool = False) -> RunResult:
    """Carry out a verified request (or, ``dry_run``, show what it would change)."""
    from gardien.requests import handlers  # the handlers import this module's helpers

    context = prepare(workflow, ref, dry_run=dry_run)
    if dry_run:
        return handlers.preview(context)
    handlers.HANDLERS[context.request.type](context)
    return finish(context)


def why_not_runnable(
    request: DataSubjectRequest, details: SealedDetails | None, *, dry_run: bool = False
) -> str | None:
    """Why this request cannot run now (a dry run only needs its details), or None."""
    if details is None:
        return f"{request.ref} is {request.status.value}; nothing to run"
    if dry_run or request.status.runnable:
        return None
    why = (
        "it is closed"
        if request.status.closed
        else "confirm the identity first (send-code, verify)"
    )
    return f"{request.ref} is {request.status.value}: {why}"


def prepare(workflow: RequestWorkflow, ref: str, *, dry_run: bool = False) -> RunContext:
    """The request marked running (unless dry), the person's names, the steps already done;
    raises :class:`InvalidTransitionError` for a request that cannot run."""
    with workflow.opened(ref) as opened:
        request, details = opened.request, opened.details
        refused = why_not_runnable(request, details, dry_run=dry_run)
        if refused is not None:
            raise InvalidTransitionError(refused)
        assert details is not None
        names = person_names(workflow, details)
        if not dry_run:
            if tuple(str(n) for n in names[1:]) != details.others:
                details = replace(details, others=tuple(str(n) for n in names[1:]))
                update_request(
                    opened.conn,
                    request.ref,
                    workflow.clock(),
                    sealed=details.seal(workflow.cipher, request.ref),
                )
            if request.status is not RequestStatus.RUNNING:
                request = workflow.transition(opened, RequestStatus.RUNNING)
    with read_transaction(workflow.engine) as conn:
        rid, done = load_run_state(conn, request.ref)
    return RunContext(workflow, request, details, names, done, request_id=rid)


def run_pending(workflow: RequestWorkflow) -> list[RunResult]:
    """Run every verified request, and resume every partial, failed or interrupted one,
    most urgent first (what a scheduled job calls)."""
    pending = [r for r in workflow.list_requests() if r.status.runnable]
    return [run(workflow, r.ref) for r in pending]


@dataclass(frozen=True)
class Closing:
    """How a run ends: the status, why (when not completed) and the summary kept on the row."""

    status: RequestStatus
    reason_code: str | None
    reason: str | None
    outcome: dict[str, JsonValue]


def closing(context: RunContext) -> Closing:
    """Completed, partial (naming what is left) or failed, from the steps' outcomes."""
    outcomes = context.outcomes
    failed = [o for o in outcomes if o.status == FAILED]
    if not failed:
        status, reason = RequestStatus.COMPLETED, None
    elif len(failed) < len(outcomes):
        status = RequestStatus.PARTIAL
        reason = "left to do: " + "; ".join(f"{o.step} ({o.error})" for o in failed)
    else:
        status = RequestStatus.FAILED
        reason = "; ".join(f"{o.step} ({o.error})" for o in failed)
    summary: dict[str, JsonValue] = {
        "steps": {o.step: o.status for o in outcomes},
        "files": [str(p) for p in context.files],
    }
    return Closing(status, None if not failed else status.value, reason, summary)


def finish(context: RunContext) -> RunResult:
    """Close the run: completed, partial (naming what is left) or failed; tell the person."""
    workflow, end = context.workflow, closing(context)
    with workflow.opened(context.request.ref) as opened:
        if opened.request.status is not RequestStatus.RUNNING:
            # Closed meanwhile (the DPO completed it by hand while this run went on): theirs
            # is the last word, and the person was told then.
            return RunResult(opened.request, False, tuple(context.outcomes), tuple(context.files))
        request = workflow.transition(
            opened,
            end.status,
            reason_code=end.reason_code,
            reason=end.reason,
            outcome=end.outcome,
        )
        if end.status is not RequestStatus.FAILED:
            workflow.tell(
                context.details,
                lambda to: messages.answered(
                    to, request, workflow.policy, kept_by_datasets(_all_steps(context))
                ),
            )
    return RunResult(request, False, tuple(context.outcomes), tuple(context.files))


def _all_steps(context: RunContext) -> list[Step | StepOutcome]:
    """The request's steps: those recorded by earlier runs, then this run's outcomes."""
    latest: dict[str, Step | StepOutcome] = dict(context.done)
    latest.update((o.step, o) for o in context.outcomes)
    return list(latest.values())


def ledger_channel(request: DataSubjectRequest) -> Channel:
    return _LEDGER_CHANNEL[request.channel]


def objectable_purposes(context: RunContext) -> tuple[str, ...]:
    """The purposes named, or every purpose the right to object applies to (art. 21)."""
    if context.request.purposes:
        return context.request.purposes
    objectable = {LegalBasisKind.LEGITIMATE_INTERESTS, LegalBasisKind.PUBLIC_TASK}
    return tuple(
        p.id
        for p in context.workflow.policy.purposes
        if p.direct_marketing or objectable & set(p.bases())
    )


def record_objections(context: RunContext) -> None:
    ledger, request = context.workflow.ledger, context.request
    for purpose in objectable_purposes(context):

        def work(purpose: str = purpose) -> dict[str, Any]:
            try:
                record = ledger.object(
                    context.details.identifier,
                    purpose,
                    channel=ledger_channel(request),
                    evidence={"request": request.ref},
                    actor=context.workflow.actor,
                )
            except NotApplicableError as exc:
                return {"not_applicable": exc.message}
            return {"record": record.record_id}

        context.step(f"ledger:objection:{purpose}", work)


def record_restriction(context: RunContext) -> None:
    ledger, request = context.workflow.ledger, context.request
    raw = (request.params or {}).get("ground")
    ground = RestrictionGround(str(raw)) if raw else None

    def work() -> dict[str, Any]:
        record = ledger.restrict(
            context.details.identifier,
            ground=ground,
            channel=ledger_channel(request),
            evidence={"request": request.ref},
            actor=context.workflow.actor,
        )
        return {"record": record.record_id}

    context.step("ledger:restriction", work)


__all__ = [
    "RunContext",
    "RunResult",
    "StepOutcome",
    "closing",
    "contact_of",
    "dataset_step",
    "finish",
    "prepare",
    "record_all",
    "record_objections",
    "record_restriction",
    "run",
    "run_pending",
    "why_not_runnable",
]
