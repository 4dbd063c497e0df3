"""Planning an erasure (GDPR art. 17): what is deleted, rewritten, unlinked, or kept and why.

The plan is computed from the rows found, before anything changes, so that a dry run shows
exactly what the execution will do, and a mask that does not fit stops the request here.

Rules, in order:
1. A row a legal hold keeps (art. 17(3)(b)) is not deleted; its held columns are untouched
   and its other personal columns are rewritten.
2. In a ``delete_row`` table the person's other rows are deleted, except a row still referred
   to by a row that stays (anyone's, in any table, through a foreign key or a declared link):
   deleting it would orphan that row, or let ``ON DELETE SET NULL``/``CASCADE`` rewrite it.
   Such a row is rewritten instead. This is iterated to a fixed point.
3. Rows shared with others are never deleted or rewritten; the person's surviving rows are
   unlinked from them when the link allows NULL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy.engine import Connection

from gardien.datasets.binding import BoundDataset, BoundLink, Key
from gardien.datasets.declaration import Follow, TableErasure
from gardien.datasets.errors import MaskDoesNotFitError
from gardien.datasets.holds import hold_end, is_held
from gardien.datasets.masks import Rewrite, RewriteKind, check_width, rewrite_for
from gardien.datasets.plan import (
    ErasurePlan,
    HeldRows,
    TablePlan,
    Unlink,
    UpdateGroup,
    latest,
)
from gardien.datasets.traversal import Footprint, TableRows, referenced_by_others
from gardien.errors import ConfigurationError
from gardien.policy.model import LegalHold, Policy


def plan_erasure(
    conn: Connection,
    footprint: Footprint,
    policy: Policy | None,
    today: date,
    hash_key: bytes | None = None,
) -> ErasurePlan:
    """Decide, from the rows found, what erasing them does; raises before any change."""
    bound = footprint.bound
    tables = {n: t for n, t in footprint.tables.items() if t.owned or t.shared}
    held = {n: _held_rows(t, policy, today) for n, t in tables.items()}
    _held_with_parents(bound, tables, held)
    delete: dict[str, set[Key]] = {}
    for name, rows in tables.items():
        decl = rows.table.decl
        if decl is not None and decl.erasure is TableErasure.DELETE_ROW:
            delete[name] = rows.owned - set(held[name])
    # Rule 2: fixed point of "a row stays if a row that stays refers to it".
    kept_referenced: dict[str, set[Key]] = {n: set() for n in tables}
    dirty = {n for n, keys in delete.items() if keys}
    while dirty:
        name = dirty.pop()
        blocked = referenced_by_others(conn, bound, tables, name, delete[name], delete)
        if blocked:
            delete[name] -= blocked
            kept_referenced[name] |= blocked
            dirty |= {
                link.parent
                for link in bound.links
                if link.child == name and delete.get(link.parent)
            }
    cyclic = _cyclic_links(bound, delete)
    plans = {}
    for name in tables:
        plans[name] = _table_plan(
            bound, tables, name, delete, held[name], kept_referenced[name], cyclic, hash_key, policy
        )
    broken = [
        link
        for link in cyclic
        if all(bound.tables[link.child].column_info(c).nullable for c in link.child_columns)
    ]
    return ErasurePlan(bound.dataset.name, plans, _delete_order(bound, delete, broken))


Held = dict[Key, dict[str, tuple[str, date | None]]]
"""For each held row: the held columns, each with its hold id and the day the hold ends."""


def _held_rows(rows: TableRows, policy: Policy | None, today: date) -> Held:
    decl = rows.table.decl
    out: Held = {}
    if decl is None:
        return out
    ends: dict[tuple[str, str], dict[Key, date | None]] = {}
    for cname, column in decl.held_columns.items():
        hold = _hold(policy, column.hold or "", rows.table.name, cname)
        event = column.event or cname
        if (hold.id, event) not in ends:  # columns kept under one hold share their event
            dates: dict[object, date | None] = {}  # many rows share an event date
            held: dict[Key, date | None] = {}
            for key in rows.owned:
                value = rows.value(key, event)
                if value not in dates:
                    dates[value] = hold_end(hold, value)
                if is_held(dates[value], today):
                    held[key] = dates[value]
            ends[hold.id, event] = held
        for key, end in ends[hold.id, event].items():
            out.setdefault(key, {})[cname] = (hold.id, end)
    # Whole-row holds declared for the retention sweeps keep rows from erasure too.
    for row_hold in decl.retention.holds if decl.retention else ():
        hold = _hold(policy, row_hold.hold, rows.table.name, row_hold.event_column)
        for key in rows.owned:
            end = hold_end(hold, rows.value(key, row_hold.event_column))
            if is_held(end, today):
                out.setdefault(key, {}).update(
                    dict.fromkeys(rows.table.info.columns, (hold.id, end))
                )
    return out


def _held_with_parents(
    bound: BoundDataset, tables: Mapping[str, TableRows], held: dict[str, Held]
) -> None:
    """Rows of a ``held_with`` table (invoice lines) are held as long as their parent row."""
    pending = [n for n, t in tables.items() if t.table.decl and t.table.decl.held_with]
    for _ in range(len(pending)):
        for name in pending:
            rows = tables[name]
            parent = rows.table.decl.held_with if rows.table.decl else None
            if parent not in tables:
                continue
            for link in bound.links:
                if link.child != name or link.parent != parent:
                    continue
                ends: dict[Key, tuple[str, date | None]] = {}
                for key, columns in held[parent].items():
                    for value in tables[parent].project({key}, link.parent_columns):
                        ends[value] = next(iter(columns.values()))
                for key in rows.owned:
                    for value in rows.project({key}, link.child_columns):
                        if value in ends:
                            held[name][key] = dict.fromkeys(rows.table.info.columns, ends[value])


def _hold(policy: Policy | None, hold_id: str, table: str, column: str) -> LegalHold:
    if policy is None:
        raise ConfigurationError(
            f"{table}.{column} is kept under the legal hold {hold_id!r}: "
            "erasure needs the policy that defines it"
        )
    hold = policy.hold_by_id.get(hold_id)
    if hold is None:
        raise ConfigurationError(f"{table}.{column}: the policy has no legal hold {hold_id!r}")
    return hold


def _table_plan(
    bound: BoundDataset,
    tables: Mapping[str, TableRows],
    name: str,
    deletes: Mapping[str, set[Key]],
    held: Held,
    kept_referenced: set[Key],
    cyclic: Sequence[BoundLink],
    hash_key: bytes | None,
    policy: Policy | None,
) -> TablePlan:
    rows = tables[name]
    table = rows.table
    delete = deletes.get(name, set())
    linked = bound.link_columns(name)
    survivors = rows.owned - delete
    rewrites: dict[str, Rewrite] = {}
    unfit: dict[str, MaskDoesNotFitError] = {}
    if survivors and table.decl is not None:
        for cname in table.decl.columns:
            try:
                rewrite = rewrite_for(table, cname, linked)
                if rewrite is not None:
                    check_width(table, rewrite, survivors, table.column_info(cname).length)
                    rewrites[cname] = rewrite
            except MaskDoesNotFitError as refused:
                unfit[cname] = refused  # raised below if a surviving row needs it
    hashed = [r for r in rewrites.values() if r.kind is RewriteKind.HASH]
    if hashed and hash_key is None:
        raise MaskDoesNotFitError(
            name, hashed[0].column, "a hash needs the hash key, none was given"
        )
    groups: dict[tuple[str, ...], set[Key]] = {}
    for key in survivors:
        kept = held.get(key, {})
        for cname, reason in unfit.items():
            if cname not in kept:
                raise reason
        applicable = tuple(c for c in rewrites if c not in kept)
        if any(rewrites[c].changes(key, rows.value(key, c), hash_key) for c in applicable):
            groups.setdefault(applicable, set()).add(key)
    updates = tuple(
        UpdateGroup(
            tuple(rewrites[c] for c in cols),
            frozenset(keys),
            {
                c: frozenset(rows.value(k, c) for k in keys)
                for c in cols
                if rewrites[c].kind is RewriteKind.HASH
            },
        )
        for cols, keys in sorted(groups.items())
        if cols
    )
    unlinks = []
    for link in bound.links:
        if link.child != name or not link.shared or link.follow is not Follow.TO_PARENT:
            continue
        parent = tables.get(link.parent)
        if parent is None or not parent.shared:
            continue
        shared = parent.project(parent.shared, link.parent_columns)
        if not all(table.column_info(c).nullable for c in link.child_columns):
            continue
        keys = {k for k in survivors - set(held) if rows.project({k}, link.child_columns) & shared}
        if keys:
            unlinks.append(Unlink(link, frozenset(keys)))
    break_first = []
    for link in cyclic:
        if link.child != name:
            continue
        if all(table.column_info(c).nullable for c in link.child_columns):
            keys = {k for k in delete if rows.project({k}, link.child_columns)}
            if keys:
                break_first.append(Unlink(link, frozenset(keys)))
    return TablePlan(
        table=name,
        delete=frozenset(delete),
        updates=updates,
        unlinks=tuple(unlinks),
        break_first=tuple(break_first),
        held={k: latest([end for _, end in v.values()]) for k, v in held.items()},
        holds=_hold_summary(held, policy),
        kept_referenced=frozenset(kept_referenced),
        kept_shared=frozenset(rows.shared),
        held_under={k: _per_hold(v) for k, v in held.items()},
    )


def _cyclic_links(bound: BoundDataset, delete: Mapping[str, set[Key]]) -> list[BoundLink]:
    """Links between tables with deletes that lie on a cycle (a self-reference included)."""
    names = {n for n, keys in delete.items() if keys}
    edges: dict[str, set[str]] = {n: set() for n in names}
    for link in bound.links:
        if link.child in names and link.parent in names:
            edges[link.child].add(link.parent)

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(edges[node])
        return False

    return [
        link
        for link in bound.links
        if link.child in names
        and link.parent in names
        and (link.child == link.parent or reaches(link.parent, link.child))
    ]


def _hold_summary(held: Held, policy: Policy | None) -> tuple[HeldRows, ...]:
    if not held or policy is None:
        return ()
    by_hold: dict[str, list[date | None]] = {}
    for columns in held.values():
        for hold_id, end in _per_hold(columns).items():
            by_hold.setdefault(hold_id, []).append(end)
    out = []
    for hold_id, ends in by_hold.items():
        hold = policy.hold_by_id[hold_id]
        out.append(HeldRows(hold.id, hold.law, hold.title.in_("en"), len(ends), latest(ends)))
    return tuple(out)


def _per_hold(columns: Mapping[str, tuple[str, date | None]]) -> dict[str, date | None]:
    out: dict[str, list[date | None]] = {}
    for hold_id, end in columns.values():
        out.setdefault(hold_id, []).append(end)
    return {h: latest(ends) for h, ends in out.items()}


def _delete_order(
    bound: BoundDataset, delete: Mapping[str, set[Key]], broken: Sequence[BoundLink]
) -> tuple[str, ...]:
    """Tables with deletes, children before parents; links nulled first (``broken``) no longer
    order them, which is how a cycle is broken."""
    names = [n for n, keys in delete.items() if keys]
    edges = {
        n: {
            link.parent
            for link in bound.links
            if link.child == n and link.parent in names and link.parent != n and link not in broken
        }
        for n in names
    }
    order: list[str] = []
    placed: set[str] = set()
    remaining = set(names)
    while remaining:
        # A table goes next when no remaining table refers to it.
        ready = sorted(n for n in remaining if not any(n in edges[m] for m in remaining if m != n))
        if not ready:
            ready = [sorted(remaining)[0]]  # a cycle: its links are nulled first
        for n in ready:
            order.append(n)
            placed.add(n)
            remaining.discard(n)
    return tuple(order)


__all__ = [
    "ErasurePlan",
    "HeldRows",
    "TablePlan",
    "Unlink",
    "UpdateGroup",
    "plan_erasure",
]
