"""What running each type of request does, and the dry run of each.

Access and portability read every dataset into one package (:mod:`.package`); rectification
and erasure change each dataset in one transaction per dataset (the dataset engine's
guarantee), then the ledger; objection and restriction are ledger records, effective for every
decision at once. Art. 19: the recipients to tell of a rectification, erasure or restriction
are listed in a final step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from gardien.datasets import DatasetEngine
from gardien.datasets.errors import DatasetError
from gardien.datasets.rectification import rectify
from gardien.errors import GardienError
from gardien.policy.model import Policy
from gardien.policy.taxonomy import covered_by
from gardien.requests import erasure, package
from gardien.requests.execution import (
    RunContext,
    RunResult,
    StepOutcome,
    dataset_step,
    objectable_purposes,
    record_objections,
    record_restriction,
)
from gardien.requests.model import RequestType

PREVIEW = "preview"


def changes_for(engine: DatasetEngine, changes: Mapping[str, object]) -> dict[str, object]:
    """The changes this dataset can hold: by category, or as ``table.column``."""
    out: dict[str, object] = {}
    for tname, table in engine.dataset.tables.items():
        for cname, column in table.columns.items():
            for change, value in changes.items():
                if change in column.categories or change == f"{tname}.{cname}":
                    out[change] = value
    return out


def changed_categories(context: RunContext) -> set[str]:
    out: set[str] = set()
    for change in context.details.changes:
        if "." in change and any(
            change.split(".", 1)[0] in e.dataset.tables for e in context.workflow.datasets
        ):
            table, column = change.rsplit(".", 1)
            for engine in context.workflow.datasets:
                found = engine.dataset.tables.get(table)
                if found is not None and column in found.columns:
                    out.update(found.columns[column].categories)
        else:
            out.add(change)
    return out


def recipients_to_tell(policy: Policy, categories: set[str] | None) -> list[str]:
    """Art. 19: the recipients of the purposes that use these categories (all: None)."""
    names: dict[str, None] = {}
    for purpose in policy.purposes:
        used = policy.purpose_categories(purpose)
        if categories is not None and not any(covered_by(c, set(used)) for c in categories):
            continue
        for rid in purpose.recipients:
            recipient = policy.recipient_by_id.get(rid)
            if recipient is not None:
                names[f"{recipient.name} ({recipient.country})"] = None
    return list(names)


def tell_recipients(context: RunContext, categories: set[str] | None) -> None:
    recipients = recipients_to_tell(context.workflow.policy, categories)
    context.step("art19:recipients", lambda: {"to_notify": recipients})


def run_rectification(context: RunContext) -> None:
    changes = dict(context.details.changes)
    held: set[str] = set()
    for engine in context.workflow.datasets:
        mine = changes_for(engine, changes)
        held.update(mine)
        if not mine:
            continue

        def work(engine: DatasetEngine = engine, mine: dict[str, object] = mine) -> dict[str, Any]:
            result = engine.rectify(context.subject, mine)
            return {
                "counts": {t: dict(c) for t, c in result.updated.items()},
                "skipped": list(result.skipped),
            }

        context.step(dataset_step(engine), work)
    unmatched = sorted(set(changes) - held)
    if unmatched:

        def nowhere() -> dict[str, Any]:
            raise DatasetError("no declared dataset holds " + ", ".join(unmatched))

        context.step("rectification:unmatched", nowhere)
    tell_recipients(context, changed_categories(context))


def run_erasure(context: RunContext) -> None:
    erasure.erase_everywhere(context)
    tell_recipients(context, None)
    # The person's report is rendered from the recorded steps when asked for
    # (erasure.report, `gardien request report`): nothing more to write here.


def run_objection(context: RunContext) -> None:
    record_objections(context)


def run_restriction(context: RunContext) -> None:
    record_restriction(context)
    tell_recipients(context, None)


HANDLERS: dict[RequestType, Callable[[RunContext], None]] = {
    RequestType.ACCESS: lambda c: package.write_package(c, portability=False),
    RequestType.PORTABILITY: lambda c: package.write_package(c, portability=True),
    RequestType.RECTIFICATION: run_rectification,
    RequestType.ERASURE: run_erasure,
    RequestType.OBJECTION: run_objection,
    RequestType.RESTRICTION: run_restriction,
}


def _preview_rectification(engine: DatasetEngine, context: RunContext) -> dict[str, Any]:
    """The real statements, run in a transaction that is rolled back: exact counts."""
    mine = changes_for(engine, context.details.changes)
    if not mine:
        return {"counts": {}}
    with engine.engine.connect() as conn:
        transaction = conn.begin()
        try:
            result = rectify(conn, engine.find(conn, [context.subject]), mine)
        finally:
            transaction.rollback()
    return {
        "counts": {t: dict(c) for t, c in result.updated.items()},
        "columns": sorted(f"{t}.{c}" for t, cols in result.updated.items() for c in cols),
        "skipped": list(result.skipped),
    }


def preview(context: RunContext) -> RunResult:
    """What the request would do now, changing nothing anywhere."""
    kind = context.request.type
    outcomes: list[StepOutcome] = []
    for engine in context.workflow.datasets:
        if kind in (RequestType.OBJECTION, RequestType.RESTRICTION):
            break
        try:
            if kind is RequestType.ERASURE:
                result: dict[str, Any] = engine.plan([context.subject]).describe()
            elif kind is RequestType.RECTIFICATION:
                result = _preview_rectification(engine, context)
            else:
                result = {"counts": engine.locate(context.subject)}
        except (GardienError, sa.exc.SQLAlchemyError) as exc:
            outcomes.append(StepOutcome(dataset_step(engine), "failed", {}, str(exc)))
            continue
        outcomes.append(StepOutcome(dataset_step(engine), PREVIEW, result))
    if kind is RequestType.OBJECTION:
        outcomes.append(
            StepOutcome(
                "ledger:objection", PREVIEW, {"purposes": list(objectable_purposes(context))}
            )
        )
    if kind in (RequestType.ERASURE, RequestType.RESTRICTION):
        outcomes.append(StepOutcome(f"ledger:{kind.value}", PREVIEW, {}))
    return RunResult(context.request, True, tuple(outcomes))
