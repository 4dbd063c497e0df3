"""The retention plan: per rule and table, what is past its period, what a hold keeps, what a
hold no longer keeps, and what a sweep would delete or anonymise now. Changes nothing.

Counts come from one aggregate statement per table, with the very predicates the sweep uses,
projected over the run: a parent row whose last referring child the same run deletes is counted
as swept. So ``gardien retention plan`` and ``gardien retention run`` agree, unless the data
changes in between.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.policy.vocabulary import RetentionAction
from gardien.retention.checks import check_masks
from gardien.retention.predicates import expired, held, needs_rewrite, referenced
from gardien.retention.targets import SweepTarget, Unswept, the_table


@dataclass(frozen=True)
class SweepSource:
    """One database and the targets swept in it (a declared dataset, or Gardien's records)."""

    name: str
    engine: Engine
    targets: tuple[SweepTarget, ...]
    unswept: tuple[Unswept, ...] = ()


@dataclass(frozen=True)
class TableCounts:
    """One table under one rule, counted now."""

    store: str
    table: str
    rule: str
    action: RetentionAction
    cutoff: datetime
    expired: int
    """Past the rule's period."""
    held: int
    """Past the period but kept by a legal hold that has not ended (GDPR art. 17(3)(b))."""
    kept_referenced: int
    """Past the period, not held, but still referred to by a row that stays."""
    to_sweep: int
    """What a sweep deletes or anonymises now."""
    released: int
    """Of ``to_sweep``: rows a hold kept until its period ended."""
    done: int
    """Already anonymised by an earlier sweep (anonymise rules only)."""
    undated: int
    """No event date: the period cannot be counted, kept and shown for review."""
    holds: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.store}.{self.table}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "table": self.table,
            "rule": self.rule,
            "action": self.action.value,
            "cutoff": self.cutoff.isoformat(),
            "expired": self.expired,
            "held": self.held,
            "kept_referenced": self.kept_referenced,
            "to_sweep": self.to_sweep,
            "released": self.released,
            "done": self.done,
            "undated": self.undated,
            "holds": list(self.holds),
        }


@dataclass(frozen=True)
class RetentionPlan:
    """What a sweep would do now, per rule and table; plus the tables it cannot sweep."""

    tables: tuple[TableCounts, ...]
    unswept: tuple[Unswept, ...] = ()

    def by_rule(self) -> dict[str, list[TableCounts]]:
        out: dict[str, list[TableCounts]] = {}
        for counts in self.tables:
            out.setdefault(counts.rule, []).append(counts)
        return out

    def table(self, name: str) -> TableCounts:
        """Counts of ``store.table`` (or a bare table name when only one store has it)."""
        return the_table(self.tables, name)

    @property
    def to_sweep(self) -> int:
        return sum(t.to_sweep for t in self.tables)

    def describe(self) -> dict[str, Any]:
        return {
            "tables": [t.as_dict() for t in self.tables],
            "unswept": [u.as_dict() for u in self.unswept],
        }


def _count(clause: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
    return sa.func.coalesce(sa.func.sum(sa.case((clause, 1), else_=0)), 0)


def count_target(conn: Connection, target: SweepTarget) -> TableCounts:
    """Count one target in one statement (a full scan of the table: a dry run, not a hot path).

    Counted as the run will find it: a row referred to only by rows that the same run deletes
    first (children are swept before parents) counts as swept, not as kept.
    """
    past = expired(target, projected=True)
    kept = held(target)
    pinned = referenced(target, projected=True)
    free = sa.and_(past, sa.not_(kept), sa.not_(pinned))
    rewrite = needs_rewrite(target) if target.rewrites else sa.true()
    row = conn.execute(
        sa.select(
            _count(past),
            _count(sa.and_(past, kept)),
            _count(sa.and_(past, sa.not_(kept), pinned)),
            _count(sa.and_(free, rewrite)),
            _count(sa.and_(free, sa.not_(rewrite))) if target.rewrites else sa.literal(0),
            _count(target.col(target.event).is_(None)),
        ).select_from(target.sa_table)
    ).one()
    past_n, held_n, pinned_n, sweep_n, done_n, undated_n = (int(v) for v in row)
    return TableCounts(
        store=target.store,
        table=target.table,
        rule=target.rule,
        action=target.action,
        cutoff=target.cutoff,
        expired=past_n,
        held=held_n,
        kept_referenced=pinned_n,
        to_sweep=sweep_n,
        released=sweep_n if target.holds else 0,
        done=done_n,
        undated=undated_n,
        holds=tuple(dict.fromkeys(h.hold.id for h in target.holds)),
    )


def plan_retention(sources: Iterable[SweepSource]) -> RetentionPlan:
    """Count every target of every source; one read transaction per source.

    Fails like the run would, before counting, when a mask does not fit its column.
    """
    tables: list[TableCounts] = []
    unswept: list[Unswept] = []
    for source in sources:
        check_masks(source.engine, source.targets)
        unswept.extend(source.unswept)
        with source.engine.connect() as conn:
            tables.extend(count_target(conn, t) for t in source.targets)
    return RetentionPlan(tuple(tables), tuple(unswept))


def counts_by_table(plan: RetentionPlan) -> Mapping[str, TableCounts]:
    return {t.name: t for t in plan.tables}


__all__: Sequence[str] = [
    "RetentionPlan",
    "SweepSource",
    "TableCounts",
    "count_target",
    "counts_by_table",
    "plan_retention",
]
