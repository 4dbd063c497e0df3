"""What a sweep works on: one table under one retention rule, with its holds, masks and guards.

A :class:`SweepTarget` is built once per sweep from a dataset declaration bound to the live
schema (or from Gardien's own tables, see :mod:`gardien.retention.ledger`), with every bound
already computed for "now": the retention cut-off and, per legal hold, the first day it still
keeps. The planner counts with it; the sweeper deletes or anonymises with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any, Protocol, TypeVar, cast

import sqlalchemy as sa

from gardien.datasets.binding import BoundDataset, BoundTable
from gardien.datasets.declaration import Table
from gardien.datasets.errors import MaskDoesNotFitError
from gardien.datasets.masks import Rewrite, RewriteKind, rewrite_for
from gardien.datasets.schema import ValueKind
from gardien.policy.model import LegalHold, Policy, RetentionRule
from gardien.policy.references import suggest
from gardien.policy.vocabulary import RetentionAction
from gardien.retention.errors import RetentionConfigError
from gardien.retention.periods import first_held_day, first_kept_day, retention_cutoff


@dataclass(frozen=True)
class HoldScope:
    """One legal hold on a target's rows: rows whose ``column`` is on/after ``held_from``."""

    hold: LegalHold
    column: str
    held_from: date
    bound: object
    """``held_from`` as the column compares it (a date, a midnight datetime, ISO text)."""


@dataclass(frozen=True)
class Guard:
    """Rows of ``child`` whose ``child_columns`` point at a row keep that row from deletion."""

    child: sa.FromClause
    child_columns: tuple[str, ...]
    parent_columns: tuple[str, ...]
    name: str
    swept: SweepTarget | None = None
    """The child's own delete target, on ``child``, when the same run sweeps it first."""


@dataclass(frozen=True)
class SweepTarget:
    """One table swept under one rule (GDPR art. 5(1)(e): storage limitation)."""

    store: str
    """The dataset's name, or ``gardien`` for Gardien's own records."""
    table: str
    rule: str
    action: RetentionAction
    sa_table: sa.TableClause
    key: tuple[str, ...]
    event: str
    event_type: sa.types.TypeEngine[Any]
    cutoff: datetime
    cutoff_bound: object
    holds: tuple[HoldScope, ...] = ()
    rewrites: tuple[Rewrite, ...] = ()
    guards: tuple[Guard, ...] = ()
    condition: sa.ColumnElement[bool] | None = None
    """An extra predicate for Gardien's own records (e.g. a consent no longer relied on)."""
    planned_condition: sa.ColumnElement[bool] | None = None
    """``condition`` as the plan counts it: what the whole run will find, when an earlier batch
    or pass of the run makes ``condition`` true for more rows (None: the same)."""
    hash_key: bytes | None = field(default=None, repr=False)
    bound_table: BoundTable | None = field(default=None, repr=False)
    """The declared table, for the dataset engine's masks."""

    @property
    def name(self) -> str:
        return f"{self.store}.{self.table}"

    def col(self, name: str) -> sa.ColumnElement[Any]:
        column: sa.ColumnElement[Any] = self.sa_table.c[name]
        return column

    @property
    def uses_hash(self) -> bool:
        return any(r.kind is RewriteKind.HASH for r in self.rewrites)


@dataclass(frozen=True)
class Unswept:
    """A table bound to a rule the sweep cannot apply, and why (shown in plan and report)."""

    store: str
    table: str
    rule: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"store": self.store, "table": self.table, "rule": self.rule, "reason": self.reason}


class _Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def table(self) -> str: ...


NamedT = TypeVar("NamedT", bound=_Named)


def the_table(tables: Iterable[NamedT], name: str) -> NamedT:
    """The one entry for ``store.table`` (or a bare table name when only one store has it)."""
    found = [t for t in tables if name in (t.name, t.table)]
    if len(found) != 1:
        raise KeyError(name)
    return found[0]


def naive_utc(now: datetime) -> datetime:
    """The organisation's columns are compared in naive UTC (``timestamp without time zone``)."""
    return now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now


def bound_for(kind: ValueKind, instant: datetime) -> tuple[object, sa.types.TypeEngine[Any]]:
    """``instant`` as a value comparable with a column of this kind, and its SQL type."""
    if kind is ValueKind.DATE:
        return first_kept_day(instant), sa.Date()
    if kind is ValueKind.TEXT:
        text = instant.isoformat(sep=" ")
        return (text[:10] if instant.time() == time(0) else text), sa.String()
    return instant, sa.DateTime()


def dataset_targets(
    bound: BoundDataset,
    policy: Policy,
    now: datetime,
    hash_key: bytes | None = None,
) -> tuple[list[SweepTarget], list[Unswept]]:
    """Every table of a bound dataset that names a retention rule, children before parents."""
    dataset = bound.dataset
    targets: list[SweepTarget] = []
    built: dict[str, SweepTarget] = {}
    unswept: list[Unswept] = []
    naive = naive_utc(now)
    for name in _children_first(bound):
        table = bound.tables[name]
        decl = table.decl
        if decl is None or decl.retention is None:
            continue
        rule = _rule(policy, decl.retention.rule, dataset.name, name)
        if rule.duration is None:
            unswept.append(
                Unswept(
                    dataset.name,
                    name,
                    rule.id,
                    "the rule states criteria, not a duration: review by hand",
                )
            )
            continue
        event = decl.retention.event_column
        kind = _column_kind(table, event, dataset.name, "event_column")
        cutoff = retention_cutoff(rule.duration, rule.from_, naive)
        cutoff_bound, event_type = bound_for(kind, cutoff)
        holds = _holds(policy, table, decl, naive.date(), dataset.name)
        rewrites: tuple[Rewrite, ...] = ()
        if rule.action is RetentionAction.ANONYMISE:
            rewrites = _rewrites(bound, table, decl, {event, *(h.column for h in holds)})
            hashed = [r.column for r in rewrites if r.kind is RewriteKind.HASH]
            if hashed and hash_key is None:
                raise MaskDoesNotFitError(name, hashed[0], "a hash needs the hash key")
            if not rewrites:
                unswept.append(
                    Unswept(
                        dataset.name,
                        name,
                        rule.id,
                        "anonymise: no declared personal column to rewrite",
                    )
                )
                continue
        guards = _guards(bound, name, built) if rule.action is RetentionAction.DELETE else ()
        built[name] = SweepTarget(
            store=dataset.name,
            table=name,
            rule=rule.id,
            action=rule.action,
            sa_table=table.sa,
            key=table.key,
            event=event,
            event_type=event_type,
            cutoff=cutoff,
            cutoff_bound=cutoff_bound,
            holds=holds,
            rewrites=rewrites,
            guards=guards,
            hash_key=hash_key,
            bound_table=table,
        )
        targets.append(built[name])
    return targets, unswept


def _rule(policy: Policy, rule_id: str, store: str, table: str) -> RetentionRule:
    rule = policy.retention_by_id.get(rule_id)
    if rule is None:
        hint = suggest(rule_id, policy.retention_by_id)
        raise RetentionConfigError(
            f"{store}.{table}: the policy has no retention rule "
            f"{rule_id!r}" + (f"; did you mean {hint}?" if hint else "")
        )
    return rule


def _column_kind(table: BoundTable, column: str, store: str, what: str) -> ValueKind:
    info = table.info.columns.get(column)
    if info is None:
        raise RetentionConfigError(
            f"{store}.{table.name}: the {what} {column!r} is not a column of the table "
            f"(it has {', '.join(sorted(table.info.columns))})"
        )
    return info.kind


def _holds(
    policy: Policy, table: BoundTable, decl: Table, today: date, store: str
) -> tuple[HoldScope, ...]:
    pairs: dict[tuple[str, str], None] = {}
    for cname, column in decl.held_columns.items():
        pairs[(column.hold or "", column.event or cname)] = None
    for held in decl.retention.holds if decl.retention else ():
        pairs[(held.hold, held.event_column)] = None
    scopes = []
    for hold_id, event_column in pairs:
        hold = policy.hold_by_id.get(hold_id)
        if hold is None:
            raise RetentionConfigError(
                f"{store}.{table.name}: the policy has no legal hold {hold_id!r}"
                + (f"; did you mean {s}?" if (s := suggest(hold_id, policy.hold_by_id)) else "")
            )
        kind = _column_kind(table, event_column, store, f"event column of hold {hold_id!r}")
        start = first_held_day(hold, today)
        bound, _ = bound_for(kind, datetime(start.year, start.month, start.day))
        scopes.append(HoldScope(hold, event_column, start, bound))
    return tuple(scopes)


def _rewrites(
    bound: BoundDataset, table: BoundTable, decl: Table, dates: set[str]
) -> tuple[Rewrite, ...]:
    """The declaration's masks (the dataset engine's, which always fit their column).

    The event columns stay: they keep the predicate stable, so a rerun finds nothing left, and
    a bare date is not personal once nothing else in the row is.
    """
    linked = bound.link_columns(table.name)
    out = []
    for cname in decl.columns:
        if cname in dates:
            continue
        rewrite = rewrite_for(table, cname, linked)
        if rewrite is not None:
            out.append(rewrite)
    return tuple(out)


def _guards(bound: BoundDataset, name: str, built: dict[str, SweepTarget]) -> tuple[Guard, ...]:
    """Links whose rows keep a parent row: all but cascades into tables without holds.

    ``built``: the targets already made (children come first), so that the plan can tell a
    referring row the run deletes from one that stays.
    """
    out: list[Guard] = []
    for link in bound.links_into(name):
        child = bound.tables[link.child]
        child_held = child.decl is not None and bool(
            child.decl.held_columns or (child.decl.retention and child.decl.retention.holds)
        )
        if (link.ondelete or "").upper() == "CASCADE" and not child_held:
            continue
        alias = child.sa.alias(f"ref_{name}_{len(out)}")
        swept = built.get(link.child)
        rebased = None
        if (
            swept is not None
            and swept.action is RetentionAction.DELETE
            and swept.condition is None
            and link.child != name
        ):
            # Only counted through (SELECT), never changed: the alias stands for the table.
            rebased = replace(swept, sa_table=cast(sa.TableClause, alias))
        out.append(Guard(alias, link.child_columns, link.parent_columns, link.describe(), rebased))
    return tuple(out)


def _children_first(bound: BoundDataset) -> list[str]:
    """Retention tables ordered so that a table referring to another is swept before it."""
    names = [
        n
        for n in bound.declared
        if (d := bound.tables[n].decl) is not None and d.retention is not None
    ]
    parents = {
        n: {
            link.parent
            for link in bound.links
            if link.child == n and link.parent in names and link.parent != n
        }
        for n in names
    }
    order: list[str] = []
    remaining = list(names)
    while remaining:
        ready = [
            n for n in remaining if not any(n in parents[m] for m in remaining if m != n)
        ] or remaining[:1]
        for n in ready:
            order.append(n)
            remaining.remove(n)
    return order
