"""What erasure writes into a column that stays: NULL, a mask that fits, or a keyed hash.

A mask must fit the column it is written to: its type, its length, NOT NULL, UNIQUE and keys.
Fides masked every field with a string and failed on NULLs and numbers; here each column gets a
rewrite chosen from its type, and when none fits the erasure stops *before* changing anything
and names the column and the reason (:class:`MaskDoesNotFitError`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from gardien.datasets.binding import BoundTable, Key
from gardien.datasets.declaration import Column, ColumnErasure
from gardien.datasets.errors import MaskDoesNotFitError
from gardien.datasets.schema import ColumnInfo, ValueKind

HASH_PREFIX = "h$"
_DEFAULTS: dict[ValueKind, object] = {
    ValueKind.INTEGER: 0,
    ValueKind.DECIMAL: Decimal(0),
    ValueKind.FLOAT: 0.0,
    ValueKind.DATE: date(1970, 1, 1),
    ValueKind.DATETIME: datetime(1970, 1, 1),
    ValueKind.BOOLEAN: False,
    ValueKind.BINARY: b"",
}


class RewriteKind(StrEnum):
    NULL = "set_null"
    CONSTANT = "mask"
    PER_ROW = "mask_per_row"
    HASH = "hash"


@dataclass(frozen=True)
class Rewrite:
    """The new value of one column for the rows of a plan; ``target`` says it for one row."""

    column: str
    kind: RewriteKind
    value: object = None
    prefix: str = ""
    suffix: str = ""
    width: int = 64

    def target(self, key: Key, current: object, hash_key: bytes | None) -> object:
        if self.kind is RewriteKind.NULL:
            return None
        if self.kind is RewriteKind.CONSTANT:
            return self.value
        if self.kind is RewriteKind.PER_ROW:
            return self.prefix + "-".join(str(k) for k in key) + self.suffix
        return keyed_hash(current, hash_key, self.width)

    def changes(self, key: Key, current: object, hash_key: bytes | None) -> bool:
        if self.kind is RewriteKind.HASH and (
            current is None or str(current).startswith(HASH_PREFIX)
        ):
            return False
        target = self.target(key, current, hash_key)
        if current is None or target is None:
            return current is not target
        # SQLite hands dates back as text: compare the written forms too.
        return bool(current != target) and str(current) != str(target)

    def expression(
        self, table: BoundTable, currents: set[object], hash_key: bytes | None
    ) -> sa.ColumnElement[Any]:
        """The SQL value written, for every row of one statement at once."""
        if self.kind is RewriteKind.NULL:
            return sa.null()
        if self.kind is RewriteKind.CONSTANT:
            return sa.literal(self.value)
        if self.kind is RewriteKind.PER_ROW:
            parts: list[sa.ColumnElement[Any]] = [sa.literal(self.prefix, sa.String)]
            for i, name in enumerate(table.key):
                if i:
                    parts.append(sa.literal("-", sa.String))
                parts.append(sa.cast(table.col(name), sa.String))
            parts.append(sa.literal(self.suffix, sa.String))
            # ``+`` on strings renders ``||`` on PostgreSQL and SQLite, CONCAT() on MariaDB.
            joined: sa.ColumnElement[Any] = functools.reduce(operator.add, parts)
            return joined
        mapping = {
            v: keyed_hash(v, hash_key, self.width)
            for v in currents
            if v is not None and not str(v).startswith(HASH_PREFIX)
        }
        column = table.col(self.column)
        if not mapping:
            return column
        hashed: sa.ColumnElement[Any] = sa.case(mapping, value=column, else_=column)
        return hashed


def keyed_hash(value: object, key: bytes | None, width: int) -> str | None:
    """HMAC-SHA256 of the value, marked so that a rerun does not hash the hash."""
    if value is None:
        return None
    if key is None:
        raise MaskDoesNotFitError("?", "?", "a hash needs the hash key (GARDIEN hash key setting)")
    digest = hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()
    return (HASH_PREFIX + digest)[:width]


def rewrite_for(table: BoundTable, name: str, linked: set[str]) -> Rewrite | None:
    """The rewrite erasure applies to one column of a surviving row, or None to leave it.

    Raises :class:`MaskDoesNotFitError` naming the column when the declared strategy cannot work.
    """
    decl: Column = table.column_decl(name)
    info = table.column_info(name)
    strategy = decl.erasure
    is_key = name in table.key or name in linked

    def refuse(reason: str) -> MaskDoesNotFitError:
        return MaskDoesNotFitError(table.name, name, reason)

    if strategy is ColumnErasure.NONE:
        return None
    if strategy in (ColumnErasure.AUTO, ColumnErasure.KEEP):
        if not decl.personal:
            return None
        if is_key:
            if info.kind in (ValueKind.INTEGER, ValueKind.DECIMAL) and not decl.categories:
                return None  # a surrogate number that links rows; kept so holds stay resolvable
            raise refuse(
                "holds personal data yet is part of a key or link, so no mask can "
                "replace it; declare the table `erasure: delete_row`"
            )
        strategy = ColumnErasure.SET_NULL if info.nullable else ColumnErasure.MASK
    if is_key:
        raise refuse(f"`{strategy.value}` would break the key or link it belongs to")
    if strategy is ColumnErasure.SET_NULL:
        if not info.nullable:
            raise refuse("is NOT NULL, so `set_null` cannot apply; use `mask`")
        return Rewrite(name, RewriteKind.NULL)
    if strategy is ColumnErasure.HASH:
        if info.kind is not ValueKind.TEXT:
            raise refuse(f"a hash is text and the column is {info.type_name}")
        width = min(len(HASH_PREFIX) + 64, info.length or 66)
        if width < 18:
            raise refuse(f"{info.type_name} is too short for a hash (18 characters at least)")
        return Rewrite(name, RewriteKind.HASH, width=width)
    return _mask(table, info, decl, refuse)


def _mask(
    table: BoundTable, info: ColumnInfo, decl: Column, refuse: Callable[[str], MaskDoesNotFitError]
) -> Rewrite:
    value = decl.mask
    if info.kind is ValueKind.TEXT:
        if "ENUM" in info.type_name.upper():
            raise refuse(f"{info.type_name} accepts only its listed values; use `set_null`")
        email = "contact.email" in decl.categories or decl.identity == "email"
        base = str(value) if value is not None else "erased"
        if info.unique:
            suffix = "@invalid" if email and value is None else ""
            return Rewrite(
                info.name,
                RewriteKind.PER_ROW,
                prefix=base + "-",
                suffix=suffix,
                width=info.length or 0,
            )
        if value is None and email and (info.length or 99) >= len("erased@invalid"):
            base = "erased@invalid"
        if info.length is not None and len(base) > info.length:
            if value is not None:
                raise refuse(f"the mask {base!r} is longer than {info.type_name}")
            base = base[: info.length]
        return Rewrite(info.name, RewriteKind.CONSTANT, value=base)
    if info.unique:
        raise refuse(f"is UNIQUE and {info.type_name}: one constant cannot fill several rows")
    if info.kind not in _DEFAULTS:
        raise refuse(f"no mask is known for {info.type_name}; use `set_null` or `delete_row`")
    default = _DEFAULTS[info.kind]
    if value is None:
        return Rewrite(info.name, RewriteKind.CONSTANT, value=default)
    try:
        typed = _typed(value, info.kind)
    except (TypeError, ValueError) as exc:
        raise refuse(f"the mask {value!r} is not a {info.type_name}: {exc}") from None
    return Rewrite(info.name, RewriteKind.CONSTANT, value=typed)


def _typed(value: object, kind: ValueKind) -> object:
    if kind is ValueKind.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError("expected a whole number")
        return int(value)
    if kind in (ValueKind.DECIMAL, ValueKind.FLOAT):
        if isinstance(value, bool):
            raise TypeError("expected a number")
        return Decimal(str(value)) if kind is ValueKind.DECIMAL else float(str(value))
    if kind is ValueKind.DATE:
        return date.fromisoformat(str(value))
    if kind is ValueKind.DATETIME:
        return datetime.fromisoformat(str(value))
    if kind is ValueKind.BOOLEAN:
        if not isinstance(value, bool):
            raise TypeError("expected true or false")
        return value
    return value


def check_width(table: BoundTable, rewrite: Rewrite, keys: set[Key], length: int | None) -> None:
    """A per-row mask must fit the longest key it will be built from."""
    if rewrite.kind is not RewriteKind.PER_ROW or length is None or not keys:
        return
    longest = max(len(str(rewrite.target(k, None, None))) for k in keys)
    if longest > length:
        raise MaskDoesNotFitError(
            table.name,
            rewrite.column,
            f"the per-row mask needs {longest} characters and the column holds {length}",
        )
