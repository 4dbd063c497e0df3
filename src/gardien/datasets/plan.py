"""What an erasure plan holds: per table, rows deleted, rewritten, unlinked, kept and why.

Plain frozen values, so that a dry run can be shown, stored in a request's record, and compared
with what the execution did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from gardien.datasets.binding import BoundLink, Key
from gardien.datasets.masks import Rewrite


def latest(values: Sequence[date | None]) -> date | None:
    """The last of these days; None (no known end) when any is unknown."""
    known = [v for v in values if v is not None]
    if len(known) < len(values) or not known:
        return None
    return max(known)


@dataclass(frozen=True)
class HeldRows:
    """Rows kept under one legal hold, and the day the last of them may be erased."""

    hold: str
    law: str
    title: str
    rows: int
    until: date | None


@dataclass(frozen=True)
class UpdateGroup:
    """Rows that receive the same rewrites, in one statement."""

    rewrites: tuple[Rewrite, ...]
    keys: frozenset[Key]
    currents: Mapping[str, frozenset[object]] = field(default_factory=dict)


@dataclass(frozen=True)
class Unlink:
    """The person's surviving rows no longer point at a row shared with others."""

    link: BoundLink
    keys: frozenset[Key]


@dataclass(frozen=True)
class TablePlan:
    table: str
    delete: frozenset[Key] = frozenset()
    updates: tuple[UpdateGroup, ...] = ()
    unlinks: tuple[Unlink, ...] = ()
    break_first: tuple[Unlink, ...] = ()
    """Links inside a cycle, nulled on rows about to be deleted so the deletes can proceed."""
    held: Mapping[Key, date | None] = field(default_factory=dict)
    holds: tuple[HeldRows, ...] = ()
    kept_referenced: frozenset[Key] = frozenset()
    kept_shared: frozenset[Key] = frozenset()
    held_under: Mapping[Key, Mapping[str, date | None]] = field(default_factory=dict)
    """For each held row, the end of each hold keeping it: a share of a batch's holds."""

    def only(self, keys: set[Key]) -> TablePlan:
        """This plan for some of its rows (one person's share of a batch): same actions."""
        held = {k: self.held[k] for k in keys if k in self.held}
        holds = []
        for h in self.holds:
            ends = [
                self.held_under[k][h.hold]
                for k in held
                if k in self.held_under and h.hold in self.held_under[k]
            ]
            if ends:
                holds.append(HeldRows(h.hold, h.law, h.title, len(ends), latest(ends)))
        updates = tuple(
            UpdateGroup(g.rewrites, g.keys & keys, g.currents)
            for g in self.updates
            if g.keys & keys
        )
        return TablePlan(
            table=self.table,
            delete=self.delete & keys,
            updates=updates,
            unlinks=tuple(Unlink(u.link, u.keys & keys) for u in self.unlinks if u.keys & keys),
            break_first=tuple(
                Unlink(u.link, u.keys & keys) for u in self.break_first if u.keys & keys
            ),
            held=held,
            holds=tuple(holds),
            kept_referenced=self.kept_referenced & keys,
            kept_shared=self.kept_shared & keys,
            held_under={k: self.held_under[k] for k in held if k in self.held_under},
        )

    @cached_property
    def updated(self) -> frozenset[Key]:
        """Every row some rewrite touches (asked per count and per report: computed once)."""
        return frozenset().union(*(g.keys for g in self.updates))

    def counts(self) -> dict[str, int]:
        return {
            "deleted": len(self.delete),
            "updated": len(self.updated),
            "unlinked": len(frozenset().union(*(u.keys for u in self.unlinks))),
            "held": len(self.held),
            "kept_referenced": len(self.kept_referenced),
            "kept_shared": len(self.kept_shared),
        }

    @property
    def empty(self) -> bool:
        return not (self.delete or self.updates or self.unlinks)


@dataclass(frozen=True)
class ErasurePlan:
    """Everything an erasure will do to one database, table by table, in execution order."""

    dataset: str
    tables: Mapping[str, TablePlan]
    delete_order: tuple[str, ...]

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: plan.counts() for name, plan in self.tables.items()}

    @property
    def nothing_to_do(self) -> bool:
        return all(plan.empty for plan in self.tables.values())

    def only(self, keys: Mapping[str, set[Key]]) -> ErasurePlan:
        """The share of this plan that concerns these rows (a table with none left out)."""
        tables = {n: p.only(keys[n]) for n, p in self.tables.items() if keys.get(n)}
        return ErasurePlan(
            self.dataset, tables, tuple(n for n in self.delete_order if tables.get(n))
        )

    def holds(self) -> list[tuple[str, HeldRows]]:
        return [(name, h) for name, plan in self.tables.items() for h in plan.holds]

    def describe(self, with_keys: bool = False) -> dict[str, Any]:
        """A JSON-ready account of the plan (row keys only when asked: they are personal)."""
        out: dict[str, Any] = {"dataset": self.dataset, "tables": {}}
        for name, plan in self.tables.items():
            entry: dict[str, Any] = {"counts": plan.counts()}
            entry["columns"] = sorted(
                {f"{r.column}: {r.kind.value}" for g in plan.updates for r in g.rewrites}
            )
            entry["holds"] = [
                {
                    "hold": h.hold,
                    "law": h.law,
                    "title": h.title,
                    "rows": h.rows,
                    "until": h.until.isoformat() if h.until else None,
                }
                for h in plan.holds
            ]
            if with_keys:
                entry["keys"] = {
                    "deleted": sorted(map(list, plan.delete), key=repr),
                    "updated": sorted(map(list, plan.updated), key=repr),
                    "held": sorted(map(list, plan.held), key=repr),
                }
            out["tables"][name] = entry
        return out
