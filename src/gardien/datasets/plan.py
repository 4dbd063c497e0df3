"""What an erasure plan holds: per table, rows deleted, rewritten, unlinked, kept and why.

Plain frozen values, so that a dry run can be shown, stored in a request's record, and compared
with what the execution did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gardien.datasets.binding import BoundLink, Key
from gardien.datasets.masks import Rewrite


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

    @property
    def updated(self) -> frozenset[Key]:
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
