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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gardien.datasets import DatasetEngine, ErasurePlan, ErasureReport
from gardien.requests.errors import RequestError
from gardien.requests.execution import DONE, PLANNED, RunContext, dataset_step
from gardien.requests.model import DataSubjectRequest, RequestType
from gardien.requests.rendering import render
from gardien.requests.store import Step, load_request, load_steps
from gardien.requests.workflow import RequestWorkflow
from gardien.storage import read_transaction
from gardien.vault import person_owner

NOT_RUN = "not run"


def kept_rows(dataset: str, described: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for table, entry in described.get("tables", {}).items():
        for hold in entry.get("holds", []):
            out.append({"dataset": dataset, "table": table, **hold})
    return out


def merge(*lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (dataset, table, hold): the largest row count, the latest end."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for items in lists:
        for item in items:
            key = (item["dataset"], item["table"], item["hold"])
            seen = merged.get(key)
            if seen is None or (item["rows"], item["until"] or "") > (
                seen["rows"],
                seen["until"] or "",
            ):
                merged[key] = item
    return [merged[k] for k in sorted(merged)]


def dicts(value: object) -> list[dict[str, Any]]:
    return [dict(v) for v in value if isinstance(v, dict)] if isinstance(value, list) else []


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
    """The erasure report as JSON-ready data, from the request's recorded steps.

    The steps are what the runs did (each recorded in the transaction that did it), so the
    report is a view of them, rendered whenever it is asked for: the same words after a crash
    and a rerun, in either language, and nothing for a batch of queued erasures to write per
    person while it runs. As of the request's closing (now, while it is still open)."""
    datasets, kept = [], []
    names = [dataset_step(e) for e in workflow.datasets]
    names += [s for s in steps if s.startswith("dataset:") and s not in names]
    for step in names:
        found = steps.get(step)
        result = dict(found.result) if found is not None else {}
        datasets.append(
            {
                "dataset": step.removeprefix("dataset:"),
                "status": found.status if found is not None else NOT_RUN,
                "error": found.error if found is not None else None,
                "counts": result.get("counts", {}),
            }
        )
        kept += dicts(result.get("kept"))
    ledger: dict[str, Any] = {}
    if "ledger:erasure" in steps:
        ledger = {"status": steps["ledger:erasure"].status, **steps["ledger:erasure"].result}
    vault: dict[str, Any] = dict(steps["vault:shred"].result) if "vault:shred" in steps else {}
    recipients: list[str] = []
    if "art19:recipients" in steps:
        listed = steps["art19:recipients"].result.get("to_notify")
        recipients = [str(r) for r in listed] if isinstance(listed, list) else []
    return {
        "request": request.ref,
        "right": "erasure (GDPR art. 17)",
        "received_at": request.received_at.isoformat(),
        "status": request.status.value,
        "as_of": (request.closed_at or workflow.clock()).isoformat(),
        "datasets": datasets,
        "kept": merge(kept),
        "ledger": ledger,
        "vault": vault,
        "recipients_to_notify": recipients,
    }


def report_html(
    workflow: RequestWorkflow,
    request: DataSubjectRequest,
    data: Mapping[str, Any],
    lang: str | None = None,
) -> str:
    """The report a person reads (French unless the request or ``lang`` says English)."""
    policy = workflow.policy
    lang = lang or request.lang
    kept = [
        {**item, "title": _hold_title(policy, item["hold"], lang, item["title"])}
        for item in data["kept"]
    ]
    return render(
        "erasure_report.html.j2", lang=lang, data=data, kept=kept, policy=policy, request=request
    )


def report(workflow: RequestWorkflow, ref: str) -> tuple[DataSubjectRequest, dict[str, Any]]:
    """An erasure request and its report; a clear error for another type, or one not run."""
    with read_transaction(workflow.engine) as conn:
        request = load_request(conn, ref)
        steps = load_steps(conn, request.ref)
    if request.type is not RequestType.ERASURE:
        raise RequestError(
            f"{request.ref} is a request of {request.type.value}: only an erasure has an "
            "erasure report (an access request's package is in its folder)"
        )
    if not steps:
        raise RequestError(
            f"{request.ref} has not run yet ({request.status.value}): "
            f"`gardien request run {request.ref}` carries it out"
        )
    return request, report_data(workflow, request, steps)


def write_report(
    workflow: RequestWorkflow, ref: str, folder: Path | None = None, lang: str | None = None
) -> list[Path]:
    """``erasure-report.json`` and ``erasure-report.html`` in ``folder`` (default: the
    request's folder in the workflow's output directory), each written aside then renamed."""
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
        aside = folder / f".{name}.partial"
        aside.write_text(text, encoding="utf-8")
        os.replace(aside, target)
        written.append(target)
    return written


def _hold_title(policy: Any, hold_id: str, lang: str, default: str) -> str:
    hold = policy.hold_by_id.get(hold_id)
    return hold.title.in_(lang) if hold is not None else default


__all__ = [
    "DONE",
    "dataset_result",
    "erase_everywhere",
    "forget",
    "report",
    "report_data",
    "report_html",
    "write_report",
]
