"""The dataset engine: one declaration, one database, the person's rows found and acted on.

A library for the request workflow: given a declaration, a SQLAlchemy URL (or engine) and a
person's identity values, it finds, discloses, rectifies and erases, set-based, one transaction
per call. The URL is read from the environment by the caller (the edge), never from a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.datasets.access import (
    AccessPackage,
    TableExtract,
    extract,
    portable_categories,
    portable_columns,
)
from gardien.datasets.attribution import attribute
from gardien.datasets.binding import BoundDataset, bind, schemas_of
from gardien.datasets.declaration import Dataset
from gardien.datasets.erasure import ErasurePlan, HeldRows, plan_erasure
from gardien.datasets.execution import ExecutedCounts, apply_plan
from gardien.datasets.rectification import Rectification, rectify
from gardien.datasets.schema import reflect
from gardien.datasets.traversal import Footprint, Subject, find
from gardien.errors import ConfigurationError
from gardien.policy.model import Policy


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did to one database: the plan, the executed counts, what was kept."""

    plan: ErasurePlan
    executed: Mapping[str, ExecutedCounts]

    @property
    def kept(self) -> list[tuple[str, HeldRows]]:
        """(table, hold) for each table whose rows a legal hold keeps: law and end date."""
        return self.plan.holds()

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            n: {"deleted": c.deleted, "updated": c.updated, "unlinked": c.unlinked}
            for n, c in self.executed.items()
        }


@dataclass(frozen=True)
class BatchErasure:
    """A batch erased in one transaction, and each person's share of the plan (same order)."""

    report: ErasureReport
    shares: tuple[ErasurePlan, ...]


def url_from_env(dataset: Dataset, environ: Mapping[str, str]) -> str:
    """The URL held by the dataset's ``url_env`` variable; fails loudly when it is unset."""
    url = environ.get(dataset.url_env)
    if not url:
        raise ConfigurationError(
            f"dataset {dataset.name!r}: the environment variable "
            f"{dataset.url_env} (its database URL) is not set"
        )
    return url


class DatasetEngine:
    """Access, portability, rectification and erasure on one declared database."""

    def __init__(
        self,
        dataset: Dataset,
        db: str | Engine,
        *,
        policy: Policy | None = None,
        hash_key: bytes | None = None,
        today: date | None = None,
    ) -> None:
        self.dataset = dataset
        self.engine = sa.create_engine(db) if isinstance(db, str) else db
        self.policy = policy
        self.hash_key = hash_key
        self.today = today
        self._bound: BoundDataset | None = None

    def bound(self, conn: Connection) -> BoundDataset:
        """The declaration matched to the live schema (reflected once per engine)."""
        if self._bound is None:
            live = reflect(conn, schemas_of(self.dataset))
            self._bound = bind(self.dataset, live)
        return self._bound

    def bound_table_key(self, name: str) -> str:
        """The live key (``schema.table`` or ``table``) of a declared table name."""
        if self._bound is None:
            raise RuntimeError("bind first")
        return self._bound.tables[name].info.key

    def _today(self) -> date:
        return self.today or date.today()

    def find(self, conn: Connection, subjects: Sequence[Subject]) -> Footprint:
        return find(conn, self.bound(conn), subjects)

    def locate(self, *subjects: Subject) -> dict[str, int]:
        """How many rows each table holds about these people (owned and shared)."""
        with self.engine.connect() as conn:
            return self.find(conn, subjects).counts()

    # Access and portability ------------------------------------------------------------------
    def access(
        self,
        subject: Subject,
        target: str | Path | IO[bytes],
        meta: Mapping[str, Any] | None = None,
    ) -> dict[str, int]:
        """Write the person's access package (art. 15); returns rows per table."""
        with self.engine.connect() as conn, AccessPackage(target, meta) as package:
            for table in self.extracts(conn, subject):
                package.add(table)
            return dict(package.counts)

    def extracts(
        self, conn: Connection, subject: Subject, columns: Mapping[str, Sequence[str]] | None = None
    ) -> Iterable[TableExtract]:
        """The person's rows per table, streamed; for callers assembling their own package."""
        return extract(conn, self.find(conn, [subject]), columns)

    def portability(
        self,
        subject: Subject,
        target: str | Path | IO[bytes],
        purposes: Iterable[str] | None = None,
    ) -> dict[str, int]:
        """Write the art. 20 package: only portable columns (provided/observed, consent or
        contract), for the chosen purposes (all by default)."""
        if self.policy is None:
            raise ConfigurationError("portability needs the policy (purposes and bases)")
        categories = portable_categories(self.policy, purposes)
        with (
            self.engine.connect() as conn,
            AccessPackage(
                target, {"right": "portability", "categories": sorted(categories)}
            ) as package,
        ):
            footprint = self.find(conn, [subject])
            for table in extract(conn, footprint, portable_columns(footprint, categories)):
                package.add(table)
            return dict(package.counts)

    # Rectification ---------------------------------------------------------------------------
    def rectify(self, subject: Subject, changes: Mapping[str, object]) -> Rectification:
        """Update the given categories or ``table.column`` values wherever stored (art. 16)."""
        with self.engine.begin() as conn:
            return rectify(conn, self.find(conn, [subject]), changes)

    # Erasure -----------------------------------------------------------------------------------
    def plan(self, subjects: Sequence[Subject]) -> ErasurePlan:
        """The dry run: exactly what :meth:`erase` would do now, changing nothing."""
        with self.engine.connect() as conn:
            footprint = self.find(conn, subjects)
            return plan_erasure(conn, footprint, self.policy, self._today(), self.hash_key)

    def erase(self, subjects: Sequence[Subject]) -> ErasureReport:
        """Erase these people (one or a batch) in ONE transaction; rerunning finds nothing."""
        with self.engine.begin() as conn:
            footprint = self.find(conn, subjects)
            plan = plan_erasure(conn, footprint, self.policy, self._today(), self.hash_key)
            executed = apply_plan(conn, plan, footprint, self.hash_key)
        return ErasureReport(plan, executed)

    def erase_batch(
        self,
        subjects: Sequence[Subject],
        before: Callable[[Sequence[ErasurePlan]], None] | None = None,
    ) -> BatchErasure:
        """Erase a batch in ONE transaction (one statement per table, not per person), and
        tell each person's share: their rows, counts and held rows (for their own report).

        ``before`` receives the shares once planned, before any change (a request records
        its plan then, so a crash still leaves what the holds keep on record).
        """
        with self.engine.begin() as conn:
            footprint = self.find(conn, subjects)
            plan = plan_erasure(conn, footprint, self.policy, self._today(), self.hash_key)
            shares = tuple(plan.only(keys) for keys in attribute(footprint, subjects))
            if before is not None:
                before(shares)
            executed = apply_plan(conn, plan, footprint, self.hash_key)
        return BatchErasure(ErasureReport(plan, executed), shares)
