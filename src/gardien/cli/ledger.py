"""Commands over the ledger: consent, object, restrict, decide, subject show, db, audit.

Thin: parse, call :class:`gardien.ledger.Ledger`, print. ``gardien decide`` exits 0 when
allowed, 1 when denied, 2 on an error, so scripts can branch on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from gardien.audit import AuditTrail
from gardien.audit.events import JsonValue
from gardien.cli.app import EXIT_FINDINGS, app, err, out, reported_errors
from gardien.cli.ledger_show import print_subject, subject_json
from gardien.errors import GardienError
from gardien.ledger import (
    Channel,
    ConsentStatus,
    Ledger,
    ObjectionStatus,
    RestrictionGround,
    RestrictionStatus,
    notice_hash,
)
from gardien.ledger.protection import IdentifierVault
from gardien.settings import Settings
from gardien.storage import create_engine, read_transaction, require_current, upgrade
from gardien.storage.engine import check_reachable
from gardien.vault.keys import load_master_keys

consent_app = typer.Typer(help="Record consent given, refused or withdrawn (GDPR art. 7).")
db_app = typer.Typer(help="The ledger's database.")
audit_app = typer.Typer(help="The tamper-evident audit trail.")
subject_app = typer.Typer(help="What the ledger holds on one person.")
app.add_typer(consent_app, name="consent")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(subject_app, name="subject")

SUBJECT = typer.Option(
    ..., "--subject", "-s", help="email:x@y, phone:+33…, customer:123, cookie:… or a bare e-mail"
)
POLICY = typer.Option(None, "--policy", help="The policy file (default: GARDIEN_POLICY)")
DATABASE = typer.Option(
    None, "--database-url", help="SQLAlchemy URL (default: GARDIEN_DATABASE_URL or ./gardien.db)"
)
KEY_FILE = typer.Option(
    None, "--key-file", help="Master key file (default: GARDIEN_KEY_FILE or ./gardien.key)"
)
CHANNEL = typer.Option(Channel.API, "--channel", help="Where the person said it")
EVIDENCE = typer.Option(
    None, "--evidence", help='Evidence as JSON, e.g. \'{"ip": "203.0.113.7", "form": "v3"}\''
)


def settings_from(
    policy: Path | None = None, database_url: str | None = None, key_file: Path | None = None
) -> Settings:
    """The settings, from GARDIEN_* variables overridden by the options given."""
    values: dict[str, object] = {}
    if policy is not None:
        values["policy"] = policy
    if database_url:
        values["database_url"] = database_url
    if key_file is not None:
        values["key_file"] = key_file
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def opened(settings: Settings) -> Iterator[Ledger]:
    """The ledger; an embedded SQLite database is created or migrated on first use."""
    sqlite = settings.database_url.startswith("sqlite")
    ledger = Ledger.open(settings, upgrade=sqlite)
    try:
        yield ledger
    finally:
        ledger.close()


def _evidence(text: str | None) -> dict[str, JsonValue]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GardienError(f"--evidence is not JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise GardienError("--evidence must be a JSON object")
    return {str(k): v for k, v in value.items()}


def _consent(
    status: ConsentStatus,
    subject: str,
    purposes: list[str],
    channel: Channel,
    notice: Path | None,
    evidence: str | None,
    settings: Settings,
) -> None:
    with reported_errors(), opened(settings) as ledger:
        shown = notice_hash(notice.read_text(encoding="utf-8")) if notice else None
        details = {"channel": channel, "notice_hash": shown, "evidence": _evidence(evidence)}
        if status is ConsentStatus.GIVEN:
            records = ledger.give_consent(subject, purposes, **details)
        elif status is ConsentStatus.REFUSED:
            records = ledger.refuse_consent(subject, purposes, **details)
        else:
            records = ledger.withdraw_consent(subject, purposes, **details)
    for r in records:
        out.print(
            f"{r.status.value}: {r.purpose} (record {r.record_id}, receipt {r.receipt_id})",
            markup=False,
        )


def _consent_command(status: ConsentStatus, summary: str) -> None:
    def command(
        subject: str = SUBJECT,
        purpose: list[str] = typer.Option(..., "--purpose", "-p", help="Purpose id (repeatable)"),
        channel: Channel = CHANNEL,
        notice: Path | None = typer.Option(
            None, "--notice", exists=True, dir_okay=False, help="The notice text shown"
        ),
        evidence: str | None = EVIDENCE,
        policy: Path | None = POLICY,
        database_url: str | None = DATABASE,
        key_file: Path | None = KEY_FILE,
    ) -> None:
        _consent(
            status,
            subject,
            purpose,
            channel,
            notice,
            evidence,
            settings_from(policy, database_url, key_file),
        )

    command.__doc__ = summary
    consent_app.command(status_verb(status))(command)


def status_verb(status: ConsentStatus) -> str:
    return {
        ConsentStatus.GIVEN: "give",
        ConsentStatus.REFUSED: "refuse",
        ConsentStatus.WITHDRAWN: "withdraw",
    }[status]


_consent_command(ConsentStatus.GIVEN, "Record that the person gave consent.")
_consent_command(ConsentStatus.REFUSED, "Record that the person refused consent.")
_consent_command(ConsentStatus.WITHDRAWN, "Withdraw consent: as easy as giving it (art. 7(3)).")


@app.command("object")
def object_(
    subject: str = SUBJECT,
    purpose: str = typer.Option(..., "--purpose", "-p", help="Purpose id"),
    withdraw: bool = typer.Option(False, "--withdraw", help="Withdraw the objection instead"),
    channel: Channel = CHANNEL,
    evidence: str | None = EVIDENCE,
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Record an objection to a purpose (GDPR art. 21; absolute for direct marketing)."""
    status = ObjectionStatus.WITHDRAWN if withdraw else ObjectionStatus.RAISED
    with reported_errors(), opened(settings_from(policy, database_url, key_file)) as ledger:
        record = ledger.object(
            subject, purpose, status=status, channel=channel, evidence=_evidence(evidence)
        )
    out.print(
        f"objection {record.status.value}: {purpose} (record {record.record_id})", markup=False
    )


@app.command()
def restrict(
    subject: str = SUBJECT,
    ground: RestrictionGround | None = typer.Option(None, "--ground", help="Art. 18(1) ground"),
    lift: bool = typer.Option(False, "--lift", help="Lift the restriction (tell the person first)"),
    channel: Channel = CHANNEL,
    evidence: str | None = EVIDENCE,
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Restrict processing of a person's data to storage only (GDPR art. 18)."""
    status = RestrictionStatus.LIFTED if lift else RestrictionStatus.APPLIED
    with reported_errors(), opened(settings_from(policy, database_url, key_file)) as ledger:
        record = ledger.restrict(
            subject, ground=ground, status=status, channel=channel, evidence=_evidence(evidence)
        )
    out.print(f"restriction {record.status.value} (record {record.record_id})", markup=False)


@app.command()
def decide(
    subject: str = SUBJECT,
    purpose: str = typer.Option(..., "--purpose", "-p", help="Purpose id"),
    data: str = typer.Option("", "--data", "-d", help="Categories, comma-separated"),
    lang: str = typer.Option("fr", "--lang", help="Language of the reasons: fr or en"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """May PURPOSE use DATA of SUBJECT? Exit 0 allowed, 1 denied, 2 error."""
    categories = [c.strip() for c in data.split(",") if c.strip()]
    with reported_errors(), opened(settings_from(policy, database_url, key_file)) as ledger:
        decision = ledger.decide(subject, purpose, categories)
    verdict = (
        ("allowed" if lang == "en" else "autorisé")
        if decision.allowed
        else ("denied" if lang == "en" else "refusé")
    )
    basis = f" ({decision.basis.value})" if decision.basis else ""
    out.print(f"{verdict}{basis}", markup=False)
    for reason in decision.reasons(lang):
        out.print(f"  - {reason}", markup=False)
    raise typer.Exit(0 if decision.allowed else EXIT_FINDINGS)


@subject_app.command("show")
def subject_show(
    subject: str = typer.Argument(..., help="email:x@y, phone:…, customer:…, cookie:…"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
    policy: Path | None = POLICY,
    database_url: str | None = DATABASE,
    key_file: Path | None = KEY_FILE,
) -> None:
    """Everything the ledger holds on one person (GDPR art. 15)."""
    with reported_errors(), opened(settings_from(policy, database_url, key_file)) as ledger:
        found = ledger.subject(subject)
        state = ledger.state(subject) if found else None
    if found is None:
        err.print(f"the ledger holds nothing on {subject}", markup=False)
        raise typer.Exit(EXIT_FINDINGS)
    if as_json:
        out.print(json.dumps(subject_json(found), ensure_ascii=False, indent=2), markup=False)
        return
    assert state is not None
    print_subject(out, found, state)


@db_app.command("upgrade")
def db_upgrade(database_url: str | None = DATABASE) -> None:
    """Create or migrate the database to the latest schema."""
    with reported_errors():
        settings = settings_from(database_url=database_url)
        engine = create_engine(settings.database_url)
        check_reachable(engine)
        upgrade(engine)
        engine.dispose()
    out.print(f"database up to date: {engine.url.render_as_string()}", markup=False)


@audit_app.command("verify")
def audit_verify(database_url: str | None = DATABASE, key_file: Path | None = KEY_FILE) -> None:
    """Check the whole audit trail; exit 1 and name the first broken entry if tampered with."""
    with reported_errors():
        settings = settings_from(database_url=database_url, key_file=key_file)
        secret = settings.master_key.get_secret_value() if settings.master_key else None
        keys = load_master_keys(settings.resolved_key_file(), secret)
        engine = create_engine(settings.database_url)
        check_reachable(engine)
        require_current(engine)
        with read_transaction(engine) as conn:
            report = AuditTrail(IdentifierVault(keys).audit_key()).verify(conn)
        engine.dispose()
    if report.intact:
        out.print(
            f"audit trail intact: {report.entries} entries, head {report.head_seq} "
            f"{report.head_hash}",
            markup=False,
        )
        return
    err.print(f"audit trail BROKEN at entry {report.first_broken_seq}", markup=False)
    for problem in report.problems:
        err.print(f"  seq {problem.seq}: {problem.message}", markup=False)
    raise typer.Exit(EXIT_FINDINGS)
