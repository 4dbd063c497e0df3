"""Erasure (GDPR art. 17) across every dataset, then the ledger, and the person's report.

For each dataset the plan is recorded *before* the erasure runs (what will be deleted,
rewritten, and what a legal hold keeps, with its law and end date), then the dataset engine
erases in one transaction. If the process dies between the two, the rerun finds the plan and
still reports what the holds keep, although the rows it would find now are already rewritten.
The report names each kept table with its hold, its law (e.g. Code de commerce L123-22) and
the day the rows will be erased (art. 17(3)(b), (e)). It is rendered from the recorded steps
when asked for (:func:`report`, :func:`write_report`, ``gardien request report``, the API),
not written while the request runs.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gardien.datasets import DatasetEngine, ErasurePlan, ErasureReport
from gardien.requests.errors import ReportNotFoundError
from gardien.requests.execution import DONE, FAILED, PLANNED, RunContext, dataset_step
from gardien.requests.holds import dicts, hold_title, kept_rows, merge
from gardien.requests.model import (
    COMPLETED_BY_HAND,
    DataSubjectRequest,
    RequestStatus,
    RequestType,
)
from gardien.requests.rendering import render
from gardien.requests.store import Step, load_request, load_steps
from gardien.requests.workflow import RequestWorkflow
from gardien.storage import read_transaction
from gardien.vault import person_owner


def _counts(described: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {t: dict(e.get("counts", {})) for t, e in described.get("tables", {}).items()}


def erase_everywhere(context: RunContext) -> None:
    """Every dataset (skipping those done), then the person is marked erased in the ledger."""
    for engine in context.workflow.datasets:

        def work(engine: DatasetEngine = engine) -> dict[str, Any]:
            return _erase_one(context, engine)

        context.step(dataset_step(engine), work)
    forget(context)


def forget(context: RunContext) -> None:
    """After the datasets: the person marked erased in the ledger, their vault key shredded."""
    workflow = context.workflow

    def ledger_step() -> dict[str, Any]:
        ref = workflow.ledger.mark_erased(
            context.names,
            request_ref=context.request.ref,
            actor=workflow.actor,
            at=workflow.clock(),
        )
        return {"erased": True, "subject_ref": ref}

    erased = context.step("ledger:erasure", ledger_step)
    if erased.status != DONE:
        return
    ref = str(erased.result.get("subject_ref", ""))

    def vault_step() -> dict[str, Any]:
        if workflow.data_vault is None:
            return {"shredded": False, "reason": "no vault configured for this workflow"}
        receipt = workflow.data_vault.shred(
            person_owner(ref), reason=f"erasure request {context.request.ref}"
        )
        return {"shredded": True, "already": receipt.already_destroyed}

    # Crypto-shredding: the person's vault key is destroyed, so their vault items are
    # unreadable everywhere, earlier backups included (the shred journal replays on restore).
    context.step("vault:shred", vault_step)


def _erase_one(context: RunContext, engine: DatasetEngine) -> dict[str, Any]:
    step = dataset_step(engine)
    earlier = context.saved(step)
    plan = engine.plan([context.subject]).describe()
    saved_plan = earlier.get("plan")
    first_plan: dict[str, Any] | None = dict(saved_plan) if isinstance(saved_plan, dict) else None
    kept = merge(dicts(earlier.get("kept")), kept_rows(engine.dataset.name, plan))
    context.record(step, PLANNED, {"plan": first_plan or plan, "kept": kept})
    report = engine.erase([context.subject])
    return dataset_result(engine.dataset.name, first_plan or plan, kept, report.plan, report)


def dataset_result(
    dataset: str,
    first_plan: dict[str, Any],
    kept: list[dict[str, Any]],
    done: ErasurePlan,
    executed: ErasureReport | None = None,
    described: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A dataset step's result: the first plan recorded, its counts, what ran, what is kept
    (``executed`` None: one person's share of a batch, whose counts are the plan's;
    ``described``: ``done.describe()`` when the caller has it already)."""
    counts = executed.counts() if executed is not None else _share_counts(done)
    return {
        "plan": first_plan,
        "counts": _counts(first_plan),
        "executed": counts,
        "kept": merge(kept, kept_rows(dataset, described or done.describe())),
    }


def _share_counts(plan: ErasurePlan) -> dict[str, dict[str, int]]:
    return {
        name: {k: v for k, v in table.counts().items() if k in ("deleted", "updated", "unlinked")}
        for name, table in plan.tables.items()
    }


def report_data(
    workflow: RequestWorkflow, request: DataSubjectRequest, steps: Mapping[str, Step]
) -> dict[str, Any]:
    """The erasure report as JSON-ready data, from the request's recorded steps only.

    The steps are what the runs did (each recorded in the transaction that did it), so the
    report is a view of them, rendered whenever it is asked for: the same data from the CLI,
    the API or the console, after a crash and a rerun, whatever datasets are configured
    today, and nothing for a batch of queued erasures to write per person while it runs. A
    dataset the runs never reached has no step: such a request is not closed, and the
    report's status says so. As of the request's closing (now, while it is still open)."""
    datasets, kept = [], []
    for step, found in steps.items():
        if not step.startswith("dataset:"):
            continue
        datasets.append(
            {
                "dataset": step.removeprefix("dataset:"),
                "status": found.status,
                "error": found.error,
                "counts": found.result.get("counts", {}),
            }
        )
        kept += dicts(found.result.get("kept"))
    recipients: list[str] = []
    listed = (
        steps["art19:recipients"].result.get("to_notify") if "art19:recipients" in steps else None
    )
    if isinstance(listed, list):
        recipients = [str(r) for r in listed]
    return {
        "request": request.ref,
        "right": "erasure (GDPR art. 17)",
        "received_at": request.received_at.isoformat(),
        "status": request.status.value,
        "completed_by_hand": request.reason_code == COMPLETED_BY_HAND,
        "as_of": (request.closed_at or workflow.clock()).isoformat(),
        "datasets": datasets,
        "kept": merge(kept),
        "ledger": _step_state(steps.get("ledger:erasure")),
        "vault": _step_state(steps.get("vault:shred")),
        "recipients": _step_state(steps.get("art19:recipients")),
        "recipients_to_notify": recipients,
    }


def _step_state(step: Step | None) -> dict[str, Any]:
    """A step's status and error with its result (empty when no run reached it)."""
    if step is None:
        return {}
    return {**step.result, "status": step.status, "error": step.error}


def report_html(
    workflow: RequestWorkflow,
    request: DataSubjectRequest,
    data: Mapping[str, Any],
    lang: str | None = None,
) -> str:
    """The report a person reads (French unless the request or ``lang`` says English).

    The words around the data (hold titles, the controller, the authority) are the current
    policy's: a report rendered after the policy changed uses its new wording; the data
    (rows, laws, end dates) are those the runs recorded."""
    policy = workflow.policy
    lang = lang or request.lang
    kept = [
        {**item, "title": hold_title(policy, item["hold"], lang, item["title"])}
        for item in data["kept"]
    ]
    return render(
        "erasure_report.html.j2",
        lang=lang,
        data=data,
        kept=kept,
        policy=policy,
        request=request,
        status_label=RequestStatus(data["status"]).label(lang),
        steps_left=[
            k for k in ("ledger", "vault", "recipients") if data[k].get("status") == FAILED
        ],
    )


def report(workflow: RequestWorkflow, ref: str) -> tuple[DataSubjectRequest, dict[str, Any]]:
    """An erasure request and its report; a clear error for another type, or one not run."""
    with read_transaction(workflow.engine) as conn:
        request = load_request(conn, ref)
        steps = load_steps(conn, request.ref)
    if request.type is not RequestType.ERASURE:
        raise ReportNotFoundError(
            f"{request.ref} is a request of {request.type.value}: only an erasure has an "
            "erasure report (an access request's package is in its folder)"
        )
    if not steps:
        raise ReportNotFoundError(f"{request.ref} has no erasure report: {_why_no_run(request)}")
    return request, report_data(workflow, request, steps)


def _why_no_run(request: DataSubjectRequest) -> str:
    status = request.status
    if status is RequestStatus.VERIFIED:
        return "it has not run yet; run it first"
    if status in (RequestStatus.RECEIVED, RequestStatus.IDENTITY_PENDING):
        return "it has not run yet; the person's identity must be confirmed first"
    return f"it was {status.value} without running"


def write_report(
    workflow: RequestWorkflow, ref: str, folder: Path | None = None, lang: str | None = None
) -> list[Path]:
    """``erasure-report.json`` and ``erasure-report.html`` in ``folder`` (default: the
    request's folder in the workflow's output directory), each written aside then renamed,
    so a reader never sees half a report, even with two writers at once."""
    request, data = report(workflow, ref)
    folder = folder or workflow.output_dir / request.ref
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    # Compact: json writes it in C (with an indent it falls back to Python, 10x slower), and
    # people read the HTML; `python -m json.tool` shows it indented.
    for name, text in (
        ("erasure-report.json", json.dumps(data, ensure_ascii=False)),
        ("erasure-report.html", report_html(workflow, request, data, lang)),
    ):
        target = folder / name
        aside = folder / f".{name}.{uuid.uuid4().hex[:8]}.partial"
        try:
            aside.write_text(text, encoding="utf-8")
            os.replace(aside, target)
        finally:
            aside.unlink(missing_ok=True)
        written.append(target)
    return written


__all__ = [
    "DONE",
    "dataset_result",
    "dicts",
    "erase_everywhere",
    "forget",
    "kept_rows",
    "merge",
    "report",
    "report_data",
    "report_html",
    "write_report",
]
