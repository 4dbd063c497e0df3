"""Gardien's own records past their period (GDPR art. 5(1)(e) applies to Gardien too).

What Gardien keeps about people to do its job must go once that job is done:

* **one-time codes** (``gardien_identity_codes``): deleted once expired plus
  :attr:`RecordsRetention.codes` (a day);
* **sessions** (``gardien_sessions``): deleted once expired plus a day;
* **closed requests** (``gardien_requests``): :attr:`RecordsRetention.requests` (3 years, CNIL
  référentiel) after closing, who asked is removed (blind index, ledger ref, free-text reasons,
  any sealed value left); what was asked, when and how it ended stays, as the trace of how
  rights were handled;
* **consent records** (``gardien_consents``): the proof of a consent is deleted
  :attr:`RecordsRetention.consents` (5 years, Code civil art. 2224) after that consent *ended*:
  superseded by a later record for the same person and purpose, or, for the latest record,
  withdrawn, refused or expired. A person's latest record goes only once it is the last one
  left, so the person's state only ever moves from "ended" to "no record": never back to an
  older consent.

The audit trail is never swept: its entries are append-only and hash-chained, and hold no
identifier in clear. Vault archives under a legal hold are purged by the vault itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.datasets.masks import Rewrite, RewriteKind
from gardien.identity.tables import identity_codes
from gardien.ledger.records import ConsentStatus
from gardien.policy.durations import Duration
from gardien.policy.model import Policy
from gardien.policy.references import suggest
from gardien.policy.vocabulary import RetentionAction
from gardien.requests.tables import requests
from gardien.retention.errors import RetentionConfigError
from gardien.retention.plan import SweepSource
from gardien.retention.settings import RecordsRetention
from gardien.retention.targets import SweepTarget, Unswept
from gardien.storage.tables import UtcDateTime, consents

STORE = "gardien"

# The service's table by name: domain packages never import ``gardien.service``.
sessions = sa.table(
    "gardien_sessions", sa.column("id", sa.BigInteger()), sa.column("expires_at", UtcDateTime())
)


class RecordKind(StrEnum):
    CODES = "codes"
    SESSIONS = "sessions"
    REQUESTS = "requests"
    CONSENTS = "consents"


@dataclass(frozen=True)
class Period:
    """How long one kind of record is kept, and which rule says so."""

    kind: RecordKind
    duration: Duration
    rule: str
    """The policy rule's id, or ``default:<kind>``."""


def periods(settings: RecordsRetention, policy: Policy | None) -> dict[RecordKind, Period]:
    """Each kind's period: the named policy rule's duration, else the setting's default."""
    out = {}
    for kind in RecordKind:
        rule_id: str | None = getattr(settings, f"{kind.value}_rule")
        duration: Duration = getattr(settings, kind.value)
        if rule_id is None:
            out[kind] = Period(kind, duration, f"default:{kind.value}")
            continue
        known = policy.retention_by_id if policy is not None else {}
        rule = known.get(rule_id)
        if rule is None:
            hint = suggest(rule_id, known)
            raise RetentionConfigError(
                f"GARDIEN_RETENTION_{kind.value.upper()}_RULE: the policy has no retention rule "
                f"{rule_id!r}" + (f"; did you mean {hint}?" if hint else "")
            )
        if rule.duration is None:
            raise RetentionConfigError(
                f"GARDIEN_RETENTION_{kind.value.upper()}_RULE: the rule {rule_id!r} states "
                "criteria, not a duration; Gardien needs a duration for its own records"
            )
        out[kind] = Period(kind, rule.duration, rule.id)
    return out


def _target(
    table: sa.TableClause,
    period: Period,
    event: str,
    now: datetime,
    action: RetentionAction = RetentionAction.DELETE,
    **extra: object,
) -> SweepTarget:
    cutoff = period.duration.before(now)
    return SweepTarget(
        store=STORE,
        table=table.name,
        rule=period.rule,
        action=action,
        sa_table=table,
        key=("id",),
        event=event,
        event_type=UtcDateTime(),
        cutoff=cutoff,
        cutoff_bound=cutoff,
        **extra,  # type: ignore[arg-type]
    )


def _consent_conditions(
    cutoff: datetime,
) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    """When a consent record's proof is past its period: (for the run, for the plan)."""
    c = consents.c
    later = consents.alias("later_consent")
    earlier = consents.alias("earlier_consent")
    bound = sa.bindparam(None, cutoff, type_=UtcDateTime())

    def same(other: sa.FromClause) -> sa.ColumnElement[bool]:
        return sa.and_(other.c.person_id == c.person_id, other.c.purpose == c.purpose)

    # The consent ended when the next record replaced it, so a later record before the cut-off.
    superseded = sa.exists().where(same(later), later.c.id > c.id, later.c.at < bound)
    latest = ~sa.exists().where(same(later), later.c.id > c.id)
    # A record that is not a consent (withdrawn, refused, expired) ended it at its own time,
    # already before the cut-off (the event predicate); a consent given ends when it expires.
    ended = sa.or_(
        c.status != ConsentStatus.GIVEN.value,
        sa.and_(c.expires_at.is_not(None), c.expires_at < bound),
    )
    alone = ~sa.exists().where(same(earlier), earlier.c.id < c.id)
    run = sa.or_(superseded, sa.and_(latest, ended, alone))
    # Every earlier record of such a latest one was superseded before the cut-off: the run
    # deletes them first, then the latest one in its next pass.
    plan = sa.or_(superseded, sa.and_(latest, ended))
    return run, plan


def gardien_targets(
    engine: Engine,
    now: datetime,
    settings: RecordsRetention | None = None,
    policy: Policy | None = None,
) -> tuple[list[SweepTarget], list[Unswept]]:
    """The sweep targets over Gardien's own tables (``now`` aware), skipping absent tables."""
    chosen = periods(settings or RecordsRetention(), policy)
    present = set(sa.inspect(engine).get_table_names())
    consent_cutoff = chosen[RecordKind.CONSENTS].duration.before(now)
    run, plan = _consent_conditions(consent_cutoff)
    personal = (
        Rewrite("sealed", RewriteKind.NULL),
        Rewrite("subject_digest", RewriteKind.CONSTANT, value=bytes(32)),
        Rewrite("subject_ref", RewriteKind.NULL),
        Rewrite("reason", RewriteKind.NULL),
        Rewrite("extension_reason", RewriteKind.NULL),
    )
    candidates = [
        _target(identity_codes, chosen[RecordKind.CODES], "expires_at", now),
        _target(sessions, chosen[RecordKind.SESSIONS], "expires_at", now),
        _target(
            requests,
            chosen[RecordKind.REQUESTS],
            "closed_at",
            now,
            RetentionAction.ANONYMISE,
            rewrites=personal,
        ),
        _target(
            consents,
            chosen[RecordKind.CONSENTS],
            "at",
            now,
            condition=run,
            planned_condition=plan,
        ),
    ]
    targets = [t for t in candidates if t.table in present]
    unswept = [
        Unswept(STORE, t.table, t.rule, "the table is not in Gardien's database (upgrade it)")
        for t in candidates
        if t.table not in present
    ]
    return targets, unswept


def gardien_source(
    engine: Engine,
    now: datetime,
    settings: RecordsRetention | None = None,
    policy: Policy | None = None,
) -> SweepSource:
    """Gardien's own database as a sweep source, beside the organisation's datasets."""
    targets, unswept = gardien_targets(engine, now, settings, policy)
    return SweepSource(STORE, engine, tuple(targets), tuple(unswept))
