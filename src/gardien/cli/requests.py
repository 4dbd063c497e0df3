"""`gardien request …`: data-subject requests from the command line (GDPR arts. 12–21).

Thin: parse, call :class:`gardien.requests.RequestWorkflow`, print. The datasets come from
``--datasets DIR`` (or ``GARDIEN_DATASETS``): every ``*.yaml`` declaration in it, each database
URL read from the environment variable its declaration names. Messages go to the outbox folder
unless an SMTP host is configured (``GARDIEN_MAIL_*``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gardien.cli.app import EXIT_FINDINGS, app, err, out, reported_errors
from gardien.cli.ledger import DATABASE, KEY_FILE, POLICY, opened, settings_from
from gardien.datasets import DatasetEngine, load_dataset, url_from_env
from gardien.errors import ConfigurationError
from gardien.ledger import Ledger
from gardien.notify import MailSettings, mailer_from_settings
from gardien.requests import (
    DataSubjectRequest,
    RefusalReason,
    RequestChannel,
    RequestType,
    RequestWorkflow,
    RunResult,
    run,
    write_erasure_report,
)
from gardien.requests.batch import BatchRun, run_pending_batched
from gardien.vault import MasterKeyProvider, dataset_hash_key, vault_for
from gardien.vault.keys import load_master_keys

request_app = typer.Typer(help="Data-subject requests: access, erasure, rectification, …")
app.add_typer(request_app, name="request")

DATASETS = typer.Option(
    None, "--datasets", help="Folder of dataset declarations (default: GARDIEN_DATASETS)"
)
OUTPUT = typer.Option(
    None,
    "--output",
    help="Where packages and reports go (default: GARDIEN_REQUESTS_DIR or ./requests)",
)


def load_datasets(
    folder: Path | None, ledger: Ledger, keys: MasterKeyProvider
) -> list[DatasetEngine]:
    """Every declaration of ``folder``, bound to the URL its ``url_env`` variable holds."""
    if folder is None:
        return []
    if not folder.is_dir():
        raise ConfigurationError(f"--datasets {folder}: no such folder")
    hash_key = dataset_hash_key(keys)
    engines = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        dataset = load_dataset(path, ledger.policy)
        url = url_from_env(dataset, os.environ)
        engines.append(DatasetEngine(dataset, url, policy=ledger.policy, hash_key=hash_key))
    return engines


@contextmanager
def workflow_from(
    policy: Path | None,
    database_url: str | None,
    key_file: Path | None,
    datasets: Path | None = None,
    output: Path | None = None,
    *,
    connect_datasets: bool = True,
) -> Iterator[RequestWorkflow]:
    """The workflow, with the declared datasets bound to their databases unless
    ``connect_datasets`` is false (a command that only reads Gardien's own records)."""
    settings = settings_from(policy, database_url, key_file)
    secret = settings.master_key.get_secret_value() if settings.master_key else None
    keys = load_master_keys(settings.resolved_key_file(), secret)
    folder = datasets or (
        Path(os.environ["GARDIEN_DATASETS"]) if os.environ.get("GARDIEN_DATASETS") else None
    )
    if not connect_datasets:
        folder = None
    target = output or Path(os.environ.get("GARDIEN_REQUESTS_DIR", "requests"))
    with opened(settings) as ledger:
        engines = load_datasets(folder, ledger, keys)
        try:
            yield RequestWorkflow(
                ledger,
                keys,
                mailer_from_settings(MailSettings()),
                datasets=engines,
                output_dir=target,
                data_vault=vault_for(
                    ledger.engine, keys, settings.resolved_key_file(), actor=ledger.actor
                ),
            )
        finally:
            for engine in engines:
                engine.engine.dispose()


def _day(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M}"


def request_json(request: DataSubjectRequest) -> dict[str, object]:
    return {
        "ref": request.ref,
        "type": request.type.value,
        "channel": request.channel.value,
        "status": request.status.value,
        "subject_kind": request.subject_kind,
        "received_at": request.received_at.isoformat(),
        "due_at": request.due_at.isoformat(),
        "extended_months": request.extended_months,
        "extension_reason": request.extension_reason,
        "verified_at": request.verified_at.isoformat() if request.verified_at else None,
        "closed_at": request.closed_at.isoformat() if request.closed_at else None,
        "reason_code": request.reason_code,
        "reason": request.reason,
        "params": request.params,
        "outcome": request.outcome,
    }


def _print_request(request: DataSubjectRequest) -> None:
    overdue = request.is_overdue(datetime.now(UTC))
    out.print(
        f"{request.ref}  {request.type.value} ({request.type.article})  {request.status.value}",
        markup=False,
    )
    out.print(f"  channel      {request.channel.value}", markup=False)
    out.print(f"  received     {_day(request.received_at)} UTC", markup=False)
    due = f"  due          {_day(request.due_at)} UTC" + ("  OVERDUE" if overdue else "")
    out.print(f"[bold red]{due}[/]" if overdue else due, markup=overdue)
    if request.extended_months:
        out.print(
            f"  extended by  {request.extended_months} month(s): {request.extension_reason}",
            markup=False,
        )
    if request.reason_code or request.reason:
        out.print(
            f"  reason       {request.reason_code or ''} {request.reason or ''}".rstrip(),
            markup=False,
        )
    for key, value in (request.params or {}).items():
        out.print(f"  {key:<12} {value}", markup=False)


def _preview_lines(result: Mapping[str, Any]) -> list[str]:
    """An erasure plan as one line per table; anything else as JSON."""
    tables = result.get("tables")
    if not isinstance(tables, dict):
        return [json.dumps(result, ensure_ascii=False, default=str)] if result else []
    lines = []
    for name, entry in tables.items():
        counts = {k: v for k, v in entry.get("counts", {}).items() if v}
        text = f"{name}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing")
        if entry.get("columns"):
            text += f" [{', '.join(entry['columns'])}]"
        for hold in entry.get("holds", []):
            text += f"; kept {hold['rows']} under {hold['law']} until {hold['until']}"
        lines.append(text)
    return lines


def _print_run(result: RunResult) -> None:
    title = "dry run: nothing was changed" if result.dry_run else result.request.status.value
    out.print(f"{result.request.ref}: {title}", markup=False)
    for step in result.steps:
        mark = " (already done)" if step.skipped else ""
        out.print(
            f"  {step.step}: {step.status}{mark}" + (f" — {step.error}" if step.error else ""),
            markup=False,
        )
        if result.dry_run:
            for line in _preview_lines(step.result):
                out.print("    " + line, markup=False)
    for path in result.files:
        out.print(f"  wrote {path}", markup=False)
    if result.request.type is RequestType.ERASURE and not result.dry_run:
        out.print(
            f"  the person's report: gardien request report {result.request.ref}", markup=False
        )


@request_app.command("new")
def new(
    type_: RequestType = typer.Option(..., "--type", help="The right exercised"),
    subject: str = typer.Option(..., "--subject", "-s", help="email:x@y, customer:42, …"),
    channel: RequestChannel = typer.Option(RequestChannel.EMAIL, "--channel"),
    contact: str = typer.Option(None, "--contact", help="E-mail for the code, if not the subject"),
    lang: str = typer.Option("fr", "--lang", help="Language of messages and reports: fr or en"),
    purpose: list[str] = typer.Option([], "--purpose", "-p", help="Objection: purpose id(s)"),
    set_: list[str] = typer.Option([], "--set", help="Rectification: field=new value"),
    ground: str = typer.Option(None, "--ground", help="Restriction: art. 18(1) ground"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Record a request as received; it is due one month later (art. 12(3))."""
    with reported_errors(), workflow_from(policy, database_url, key_file) as workflow:
        changes: dict[str, str | None] = {}
        for item in set_:
            field, sep, value = item.partition("=")
            if not sep:
                raise ConfigurationError(f"--set {item!r}: write field=new value")
            changes[field.strip()] = value
        request = workflow.receive(
            type_,
            subject,
            channel,
            contact=contact,
            lang=lang,
            purposes=purpose,
            changes=changes or None,
            ground=ground,
        )
    _print_request(request)


@request_app.command("send-code")
def send_code(
    ref: str = typer.Argument(..., help="The request, e.g. R-7KQ2M9XA"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Send a one-time code to the person to confirm their identity (art. 12(6))."""
    with reported_errors(), workflow_from(policy, database_url, key_file) as workflow:
        issued = workflow.send_code(ref)
    out.print(f"{ref.upper()}: code sent, valid until {_day(issued.expires_at)} UTC", markup=False)


@request_app.command("verify")
def verify(
    ref: str = typer.Argument(...),
    code: str = typer.Option(..., "--code", help="The 6-digit code the person received"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Confirm the person's identity with the code they typed back."""
    with reported_errors(), workflow_from(policy, database_url, key_file) as workflow:
        request = workflow.verify(ref, code)
    out.print(f"{request.ref}: identity confirmed", markup=False)


@request_app.command("run")
def run_command(
    ref: str = typer.Argument(None, help="The request; omit with --all"),
    all_: bool = typer.Option(
        False, "--all", help="Every verified request, and resume partial or failed ones"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; change nothing"),
    datasets: Path | None = DATASETS,
    output: Path | None = OUTPUT,
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Carry out a verified request (again: only what is left). Exit 1 if partial or failed."""
    with (
        reported_errors(),
        workflow_from(policy, database_url, key_file, datasets, output) as workflow,
    ):
        if all_ == bool(ref):
            raise ConfigurationError("give one request, or --all")
        if all_ and dry_run:
            raise ConfigurationError("--dry-run shows one request at a time")
        # --all: the queued erasures run in set-based batches (one erasure per dataset each).
        batched = _run_all(workflow) if all_ else None
        results = list(batched.results) if batched else [run(workflow, ref, dry_run=dry_run)]
    for result in results:
        _print_run(result)
    for not_run_ref, why in batched.not_run if batched else ():
        out.print(f"{not_run_ref}: not run ({why})", markup=False)
    if all_ and not results:
        out.print("nothing to run", markup=False)
    if not dry_run and any(result.left for result in results):
        raise typer.Exit(EXIT_FINDINGS)


def _run_all(workflow: RequestWorkflow) -> BatchRun:
    """Every runnable request, the erasures in batches, with a progress bar on stderr."""
    with Progress(
        TextColumn("requests"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("requests", total=None)
        return run_pending_batched(
            workflow, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )


@request_app.command("confirm")
def confirm(
    ref: str = typer.Argument(...),
    how: str = typer.Option(..., "--how", help="How the identity was confirmed, for the record"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Record an identity confirmed another way (postal or phone request; art. 12(6))."""
    with reported_errors(), workflow_from(policy, database_url, key_file) as workflow:
        request = workflow.confirm_identity(ref, how)
    out.print(f"{request.ref}: identity confirmed ({how})", markup=False)


@request_app.command("show")
def show(
    ref: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """One request: status, deadline, reasons, outcome."""
    with reported_errors(), workflow_from(policy, database_url, key_file) as workflow:
        request = workflow.get(ref)
        steps = workflow.steps(ref)
    if as_json:
        shown = request_json(request)
        shown["steps"] = [
            {"step": s.step, "status": s.status, "error": s.error, "result": s.result}
            for s in steps
        ]
        out.print(json.dumps(shown, ensure_ascii=False, indent=2, default=str), markup=False)
        return
    _print_request(request)
    for step in steps:
        out.print(
            f"  step         {step.step}: {step.status}"
            + (f" — {step.error}" if step.error else ""),
            markup=False,
        )
    if request.outcome:
        out.print("  outcome      " + json.dumps(request.outcome, ensure_ascii=False), markup=False)


@request_app.command("report")
def report(
    ref: str = typer.Argument(...),
    folder: Path | None = typer.Option(
        None, "--to", help="Folder to write into (default: the request's folder in --output)"
    ),
    lang: str | None = typer.Option(None, "--lang", help="fr or en (default: the request's)"),
    output: Path | None = OUTPUT,
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """An erasure's report for the person (JSON and HTML: what was erased, what the law
    keeps, under which text and until when), from what its runs recorded."""
    if lang not in (None, "fr", "en"):
        raise typer.BadParameter("fr or en", param_hint="--lang")
    with (
        reported_errors(),
        workflow_from(
            policy, database_url, key_file, output=output, connect_datasets=False
        ) as workflow,
    ):
        written = write_erasure_report(workflow, ref, folder, lang)
    for path in written:
        out.print(f"wrote {path}", markup=False)


@request_app.command("list")
def list_(
    all_: bool = typer.Option(False, "--all", help="Closed requests too"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Requests by deadline, overdue first (highlighted)."""
    with reported_errors(), workflow_from(policy, database_url, key_file) as workflow:
        found = workflow.list_requests(include_closed=all_)
        now = workflow.clock()
    if as_json:
        out.print(
            json.dumps([request_json(r) for r in found], ensure_ascii=False, indent=2), markup=False
        )
        return
    table = Table("ref", "type", "status", "received", "due", "")
    for request in found:
        late = request.is_overdue(now)
        table.add_row(
            request.ref,
            request.type.value,
            request.status.value,
            _day(request.received_at),
            _day(request.due_at),
            "OVERDUE" if late else "",
            style="bold red" if late else None,
        )
    out.print(table)


@request_app.command("extend")
def extend(
    ref: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why, as told to the person"),
    months: int = typer.Option(2, "--months", help="1 or 2"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Extend the deadline by up to two months, within the first month (art. 12(3))."""
    with reported_errors(), workflow_from(policy, database_url, key_file) as workflow:
        request = workflow.extend(ref, reason, months)
    out.print(f"{request.ref}: now due {_day(request.due_at)} UTC", markup=False)


@request_app.command("refuse")
def refuse(
    ref: str = typer.Argument(...),
    reason: RefusalReason = typer.Option(..., "--reason", help="The legal reason"),
    note: str = typer.Option("", "--note", help="The facts, as told to the person"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Refuse with reasons; the person is told they may complain to the CNIL (art. 12(4))."""
    with reported_errors(), workflow_from(policy, database_url, key_file) as workflow:
        request = workflow.refuse(ref, reason, note)
    out.print(f"{request.ref}: refused ({reason.value})", markup=False)


@request_app.command("complete")
def complete(
    ref: str = typer.Argument(...),
    note: str = typer.Option(..., "--note", help="What was done by hand, for the record"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Close as completed a run left partial, failed or stuck, once finished by hand; the
    person is told it is carried out in full (art. 12(3))."""
    with reported_errors(), workflow_from(policy, database_url, key_file) as workflow:
        request = workflow.complete(ref, note)
    out.print(f"{request.ref}: completed by hand ({request.reason})", markup=False)
