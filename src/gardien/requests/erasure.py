"""Erasure (GDPR art. 17) across every dataset, then the ledger, and the person's report.

For each dataset the plan is recorded *before* the erasure runs (what will be deleted,
rewritten, and what a legal hold keeps, with its law and end date), then the dataset engine
erases in one transaction. If the process dies between the two, the rerun finds the plan and
still reports what the holds keep, although the rows it would find now are already rewritten.
The report names each kept table with its hold, its law (e.g. Code de commerce L123-22) and
the day the rows will be erased (art. 17(3)(b), (e)).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gardien.datasets import DatasetEngine, ErasurePlan, ErasureReport
from gardien.requests.execution import DONE, PLANNED, RunContext, dataset_step
from gardien.requests.rendering import render
from gardien.vault import person_owner


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


def report_data(context: RunContext) -> dict[str, Any]:
    """The erasure report as JSON-ready data, from the recorded steps (this run and earlier)."""
    request = context.request
    datasets, kept = [], []
    ledger: dict[str, Any] = {}
    recipients: list[str] = []
    latest = {o.step: o for o in context.outcomes}
    for engine in context.workflow.datasets:
        step = dataset_step(engine)
        outcome = latest.get(step)
        result = dict(outcome.result) if outcome else context.saved(step)
        datasets.append(
            {
                "dataset": engine.dataset.name,
                "status": outcome.status if outcome else PLANNED,
                "error": outcome.error if outcome else None,
                "counts": result.get("counts", {}),
            }
        )
        kept += dicts(result.get("kept"))
    if "ledger:erasure" in latest:
        ledger = {"status": latest["ledger:erasure"].status, **latest["ledger:erasure"].result}
    vault: dict[str, Any] = dict(latest["vault:shred"].result) if "vault:shred" in latest else {}
    if "art19:recipients" in latest:
        recipients = list(latest["art19:recipients"].result.get("to_notify") or [])  # type: ignore[arg-type]
    return {
        "request": request.ref,
        "right": "erasure (GDPR art. 17)",
        "received_at": request.received_at.isoformat(),
        "written_at": context.workflow.clock().isoformat(),
        "datasets": datasets,
        "kept": merge(kept),
        "ledger": ledger,
        "vault": vault,
        "recipients_to_notify": recipients,
    }


def write_report(context: RunContext) -> list[Path]:
    """``erasure-report.json`` and ``erasure-report.html`` in the request's folder."""
    data = report_data(context)
    policy = context.workflow.policy
    kept = [
        {**item, "title": _hold_title(policy, item["hold"], context.request.lang, item["title"])}
        for item in data["kept"]
    ]
    folder = context.folder
    json_path = folder / "erasure-report.json"
    html_path = folder / "erasure-report.html"
    # Compact: json writes it in C (with an indent it falls back to Python, 10x slower), and
    # people read the HTML; `python -m json.tool` shows it indented.
    json_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    html_path.write_text(
        render(
            "erasure_report.html.j2",
            lang=context.request.lang,
            data=data,
            kept=kept,
            policy=policy,
            request=context.request,
        ),
        encoding="utf-8",
    )
    context.files += [json_path, html_path]
    return [json_path, html_path]


def _hold_title(policy: Any, hold_id: str, lang: str, default: str) -> str:
    hold = policy.hold_by_id.get(hold_id)
    return hold.title.in_(lang) if hold is not None else default


__all__ = [
    "DONE",
    "dataset_result",
    "erase_everywhere",
    "forget",
    "report_data",
    "write_report",
]
