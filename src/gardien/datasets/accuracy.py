"""How close a scan's draft came to the reviewed declaration: links found, columns right.

Both declarations are bound to the same live schema, so a link counts as found only when the
draft has the same ends, the same direction and the same sharing as the reviewed one.
"""

from __future__ import annotations

from dataclasses import dataclass

from gardien.datasets.binding import BoundDataset


@dataclass(frozen=True)
class Accuracy:
    """How close a scan's draft came to the reviewed declaration."""

    links_needed: int
    links_found: int
    columns_personal: int
    columns_right: int
    columns_missed: tuple[str, ...]
    columns_wrong: tuple[str, ...]
    links_missed: tuple[str, ...]


def compare(draft_bound: BoundDataset, final_bound: BoundDataset) -> Accuracy:
    """Compare two declarations bound to the same database (see :mod:`binding`)."""

    def link_set(bound: BoundDataset) -> set[tuple[str, ...]]:
        out = set()
        for link in bound.links:
            if link.child in bound.declared and link.parent in bound.declared:
                out.add(
                    (
                        bound.tables[link.child].info.key,
                        *link.child_columns,
                        "->",
                        bound.tables[link.parent].info.key,
                        *link.parent_columns,
                        link.follow.value,
                        str(link.shared),
                    )
                )
        return out

    needed, found = link_set(final_bound), link_set(draft_bound)
    right, missed, wrong, personal = 0, [], [], 0
    draft_tables = {t.info.key: t for t in draft_bound.tables.values() if t.decl is not None}
    for table in final_bound.tables.values():
        if table.decl is None:
            continue
        for cname, column in table.decl.columns.items():
            if not column.categories:
                continue
            personal += 1
            guessed = draft_tables.get(table.info.key)
            got = set(guessed.column_decl(cname).categories) if guessed else set()
            if got == set(column.categories):
                right += 1
            elif not got:
                missed.append(f"{table.name}.{cname}")
            else:
                wrong.append(f"{table.name}.{cname}")
    return Accuracy(
        len(needed),
        len(needed & found),
        personal,
        right,
        tuple(missed),
        tuple(wrong),
        tuple(sorted(" ".join(x) for x in needed - found)),
    )
