"""The access package (GDPR art. 15) and the portability package (art. 20).

One zip per request: ``data.json`` and one CSV per table, streamed from every dataset by the
dataset engine, plus what Gardien itself holds on the person (identifiers, consents with their
history, objections, restrictions, requests). The access package also carries ``report.html``,
which says what art. 15(1)(a)-(h) requires, taken from the policy. Portability carries only
the columns of categories the person provided or that were observed, processed on consent or
contract (art. 20(1)), and nothing of Gardien's own records.

Reading is redone on each run (it changes nothing), so a rerun after a partial run rebuilds a
complete package; the zip appears atomically once written.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from gardien.datasets import AccessPackage, DatasetEngine, TableExtract
from gardien.datasets.access import extract, portable_categories, portable_columns
from gardien.documents.language import Language, period_words
from gardien.documents.notice import retention_words
from gardien.policy.model import LegalHold, Policy
from gardien.policy.vocabulary import SourceKind
from gardien.requests.execution import DONE, RunContext, dataset_step
from gardien.requests.rendering import render

GARDIEN = "gardien"


@dataclass(frozen=True)
class _Found:
    counts: dict[str, int]
    categories: set[str]


def _read_dataset(
    context: RunContext, engine: DatasetEngine, package: AccessPackage, portable: set[str] | None
) -> _Found:
    counts: dict[str, int] = {}
    categories: set[str] = set()
    with engine.engine.connect() as conn:
        footprint = engine.find(conn, [context.subject])
        columns = portable_columns(footprint, portable) if portable is not None else None
        for table in extract(conn, footprint, columns):
            counts[table.table] = package.add(table)
            decl = footprint.tables[table.table].table.decl
            if decl is not None:
                for name in table.columns:
                    column = decl.columns.get(name)
                    if column is not None:
                        categories.update(column.categories)
    return _Found(counts, categories)


def _rows(items: Iterable[Sequence[object]]) -> list[Sequence[object]]:
    return list(items)


def gardien_tables(context: RunContext) -> list[TableExtract]:
    """What Gardien holds on the person, as tables of the package."""
    workflow = context.workflow
    found = workflow.ledger.subject(context.names[0])
    tables = []
    if found is not None:
        tables += [
            TableExtract(
                GARDIEN,
                "identifiers",
                ("kind", "value"),
                _rows((i.kind.value, i.value) for i in found.identifiers if i is not None),
            ),
            TableExtract(
                GARDIEN,
                "consents",
                ("purpose", "status", "at", "channel", "method", "policy_version", "expires_at"),
                _rows(
                    (
                        c.purpose,
                        c.status.value,
                        c.at,
                        c.channel.value,
                        c.method.value,
                        c.policy_version,
                        c.expires_at,
                    )
                    for c in found.consents
                ),
            ),
            TableExtract(
                GARDIEN,
                "objections",
                ("purpose", "status", "at", "channel"),
                _rows((o.purpose, o.status.value, o.at, o.channel.value) for o in found.objections),
            ),
            TableExtract(
                GARDIEN,
                "restrictions",
                ("status", "ground", "at", "channel"),
                _rows(
                    (r.status.value, r.ground.value if r.ground else None, r.at, r.channel.value)
                    for r in found.restrictions
                ),
            ),
        ]
    requests = workflow.requests_of(context.names[0])
    tables.append(
        TableExtract(
            GARDIEN,
            "requests",
            ("ref", "type", "channel", "status", "received_at", "due_at"),
            _rows(
                (r.ref, r.type.value, r.channel.value, r.status.value, r.received_at, r.due_at)
                for r in requests
            ),
        )
    )
    return tables


def write_package(context: RunContext, *, portability: bool) -> None:
    """Write ``access.zip`` (with ``report.html``) or ``portability.zip`` for the request."""
    workflow, request = context.workflow, context.request
    name = "portability.zip" if portability else "access.zip"
    target = context.folder / name
    partial = context.folder / f".{name}.partial"
    portable = portable_categories(workflow.policy) if portability else None
    meta = {
        "request": request.ref,
        "right": "portability (GDPR art. 20)" if portability else "access (GDPR art. 15)",
        "controller": workflow.policy.controller.name,
        "generated_at": workflow.clock().isoformat(),
    }
    tables: list[dict[str, Any]] = []
    categories: set[str] = set()
    with AccessPackage(partial, meta) as package:
        for engine in workflow.datasets:

            def work(engine: DatasetEngine = engine) -> dict[str, Any]:
                found = _read_dataset(context, engine, package, portable)
                categories.update(found.categories)
                return {"counts": found.counts}

            outcome = context.step(dataset_step(engine), work, always=True)
            counts = outcome.result.get("counts") if outcome.status == DONE else None
            for table, rows in (counts or {}).items():  # type: ignore[union-attr]
                tables.append({"dataset": engine.dataset.name, "table": table, "rows": rows})
        if not portability:

            def ledger_work() -> dict[str, Any]:
                counts = {t.table: package.add(t) for t in gardien_tables(context)}
                return {"counts": counts}

            outcome = context.step("ledger:records", ledger_work, always=True)
            for table, rows in (outcome.result.get("counts") or {}).items():  # type: ignore[union-attr]
                tables.append({"dataset": GARDIEN, "table": table, "rows": rows})
    if not portability:
        missing = [o.step for o in context.outcomes if o.status != DONE]
        found_any = any(t["rows"] for t in tables if t["table"] != "requests")
        html = render(
            "access_report.html.j2",
            lang=request.lang,
            request=request,
            policy=workflow.policy,
            tables=tables,
            missing=missing,
            found_any=found_any,
            **report_view(workflow.policy, categories, request.lang),
        )
        with zipfile.ZipFile(partial, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("report.html", html)
        report = context.folder / "report.html"
        report.write_text(html, encoding="utf-8")
        context.files.append(report)
    os.replace(partial, target)
    context.files.insert(0, target)


def report_view(policy: Policy, found: set[str], lang: str) -> dict[str, Any]:
    """Art. 15(1)(a)-(h) from the policy, in the reader's language."""
    language: Language = "en" if lang == "en" else "fr"
    purposes = []
    automated = []
    for purpose in policy.purposes:
        bases = []
        for basis in purpose.legal_bases:
            words = basis.basis.label(language)
            if basis.interest is not None:
                words += f" ({basis.interest.in_(language)})"
            bases.append(words)
        rule = policy.retention_by_id.get(purpose.retention) if purpose.retention else None
        purposes.append(
            {
                "title": purpose.title.in_(language),
                "bases": bases,
                "retention": retention_words(rule, language),
            }
        )
        if purpose.automated_decision is not None:
            automated.append(
                {
                    "title": purpose.title.in_(language),
                    "logic": purpose.automated_decision.logic.in_(language),
                    "significance": purpose.automated_decision.significance.in_(language),
                }
            )
    declared = [c.id for c in policy.categories]
    shown = sorted(found) if found else declared
    recipients = [
        {
            "name": r.name,
            "kind": r.kind.label(language),
            "country": r.country,
            "safeguard": r.safeguard.label(language) if r.outside_eea and r.safeguard else "—",
        }
        for r in policy.recipients
    ]
    holds = [
        {
            "title": h.title.in_(language),
            "law": h.law,
            "period": retention_words_for_hold(h, language),
        }
        for h in policy.legal_holds
    ]
    sources = [
        s.label.in_(language) + (f" ({s.third_party})" if s.third_party else "")
        for s in policy.sources
        if s.kind is not SourceKind.DATA_SUBJECT
    ]
    return {
        "purposes": purposes,
        "categories": [policy.category_label(c, language) for c in shown],
        "recipients": recipients,
        "holds": holds,
        "sources": sources,
        "automated": automated,
    }


def retention_words_for_hold(hold: LegalHold, lang: Language) -> str:
    return period_words(hold.duration, hold.from_, lang)
