"""Checks made before the first batch: a sweep fails at start-up, never halfway.

A per-row mask (``erased-<key>@invalid`` for a UNIQUE column) is as long as the key it is built
from. Batches commit one after another, so a mask too long for its column would otherwise fail
in the middle of a run, after earlier batches committed. The dataset engine checks the same
thing before an erasure (:func:`gardien.datasets.masks.check_width`); here the longest key among
the rows the sweep will rewrite is found with one statement per table and given to that check.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import add
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.datasets.masks import RewriteKind, check_width
from gardien.retention.predicates import sweepable
from gardien.retention.targets import SweepTarget


def check_masks(engine: Engine, targets: Iterable[SweepTarget]) -> None:
    """Raise :class:`~gardien.datasets.errors.MaskDoesNotFitError` naming the table and column
    when a per-row mask will not fit a row the sweep rewrites; changes nothing."""
    with engine.connect() as conn:
        for target in targets:
            table = target.bound_table
            per_row = [r for r in target.rewrites if r.kind is RewriteKind.PER_ROW]
            if table is None or not per_row:
                continue
            widths: list[sa.ColumnElement[Any]] = [
                sa.func.coalesce(sa.func.length(sa.cast(target.col(k), sa.String)), 0)
                for k in target.key
            ]
            width = reduce(add, widths)
            longest = conn.execute(
                sa.select(*(target.col(k) for k in target.key))
                .select_from(target.sa_table)
                .where(sweepable(target))
                .order_by(width.desc())
                .limit(1)
            ).first()
            if longest is None:
                continue
            for rewrite in per_row:
                length = table.column_info(rewrite.column).length
                check_width(table, rewrite, {tuple(longest)}, length)
