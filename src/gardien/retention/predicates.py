"""The SQL predicates of a sweep: past its period, kept by a hold, kept by a reference, to rewrite.

Every batch re-evaluates them in the statement that changes rows, so a row changed by someone
else since the plan (a hold's event date moved, a row anonymised by an erasure) is judged on
what it holds now: a crash or a concurrent writer can make a sweep do less, never more.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from gardien.datasets.masks import HASH_PREFIX, Rewrite, RewriteKind
from gardien.retention.errors import RetentionConfigError
from gardien.retention.targets import SweepTarget


def _typed(value: object) -> sa.BindParameter[Any]:
    if isinstance(value, datetime):
        return sa.bindparam(None, value, type_=sa.DateTime())
    if isinstance(value, date):
        return sa.bindparam(None, value, type_=sa.Date())
    return sa.bindparam(None, value, type_=sa.String())


def expired(target: SweepTarget, *, projected: bool = False) -> sa.ColumnElement[bool]:
    """Past the rule's period: ``event_column < cut-off`` (an unknown date is never expired).

    ``projected``: as a whole run will find it, with the target's ``planned_condition`` when
    it has one (a condition that an earlier batch of the same run makes true).
    """
    cutoff = sa.bindparam(None, target.cutoff_bound, type_=target.event_type)
    clause = target.col(target.event) < cutoff
    condition = target.condition
    if projected and target.planned_condition is not None:
        condition = target.planned_condition
    if condition is not None:
        clause = sa.and_(clause, condition)
    return clause


def held(target: SweepTarget) -> sa.ColumnElement[bool]:
    """Kept by a legal hold whose period has not ended (or whose start date is unknown)."""
    if not target.holds:
        return sa.false()
    return sa.or_(
        *(
            sa.or_(target.col(h.column).is_(None), target.col(h.column) >= _typed(h.bound))
            for h in target.holds
        )
    )


def referenced(target: SweepTarget, *, projected: bool = False) -> sa.ColumnElement[bool]:
    """Still referred to by a row that stays: deleting would orphan it or rewrite it.

    ``projected``: by a row that stays once the same run has swept the referring table (swept
    before this one), for the plan. The run itself asks what refers to the row now.
    """
    if not target.guards:
        return sa.false()
    checks = []
    for guard in target.guards:
        match = sa.and_(
            *(
                guard.child.c[c] == target.col(p)
                for c, p in zip(guard.child_columns, guard.parent_columns, strict=True)
            )
        )
        if projected and guard.swept is not None:
            match = sa.and_(match, sa.not_(sweepable(guard.swept, projected=True)))
        checks.append(sa.exists().where(match))
    return sa.or_(*checks)


def needs_rewrite(target: SweepTarget) -> sa.ColumnElement[bool]:
    """At least one personal column still differs from what anonymisation writes."""
    checks: list[sa.ColumnElement[bool]] = []
    for rewrite in target.rewrites:
        column = target.col(rewrite.column)
        present = column.is_not(None)
        if rewrite.kind is RewriteKind.NULL:
            checks.append(present)
        elif rewrite.kind is RewriteKind.CONSTANT:
            checks.append(sa.and_(present, column != sa.literal(rewrite.value)))
        elif rewrite.kind is RewriteKind.HASH:
            checks.append(sa.and_(present, sa.not_(column.like(HASH_PREFIX + "%"))))
        else:
            checks.append(sa.and_(present, column != rewrite_value(target, rewrite, set())))
    return sa.or_(*checks) if checks else sa.false()


def rewrite_value(
    target: SweepTarget, rewrite: Rewrite, currents: set[object]
) -> sa.ColumnElement[Any]:
    """The value anonymisation writes into one column, for every row of a statement."""
    if rewrite.kind is RewriteKind.NULL:
        return sa.null()
    if rewrite.kind is RewriteKind.CONSTANT:
        return sa.literal(rewrite.value)
    if target.bound_table is None:
        raise RetentionConfigError(f"{target.name}: anonymisation needs a declared table")
    return rewrite.expression(target.bound_table, currents, target.hash_key)


def sweepable(target: SweepTarget, *, projected: bool = False) -> sa.ColumnElement[bool]:
    """What the sweep changes now: expired, not held, not referenced, not yet anonymised."""
    clause = sa.and_(expired(target, projected=projected), sa.not_(held(target)))
    if target.guards:
        clause = sa.and_(clause, sa.not_(referenced(target, projected=projected)))
    if target.rewrites:
        clause = sa.and_(clause, needs_rewrite(target))
    return clause
