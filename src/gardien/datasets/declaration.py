"""The dataset declaration: what an organisation's database holds about people, as typed values.

A declaration is written once per database (drafted by ``gardien datasets scan``, then reviewed
by a person). It says which columns hold which categories of the policy taxonomy, which columns
identify a person, how links between tables carry "aboutness" from one row to another, and what
an erasure does to each column (GDPR art. 17), including what a legal hold keeps (art. 17(3)(b)).
The database URL itself is never written here: only the name of the variable that holds it.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
CategoryId = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", max_length=128)
]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=128)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ColumnErasure(StrEnum):
    """What an erasure does to one column of a row that survives (held or still referenced)."""

    AUTO = "auto"
    """Personal columns: ``set_null`` when the column allows NULL, else ``mask``."""
    NONE = "none"
    """Leave the value (not personal, or a key that links rows)."""
    SET_NULL = "set_null"
    MASK = "mask"
    HASH = "hash"
    """A keyed hash (HMAC-SHA256): equal values stay equal, the value itself is gone."""
    KEEP = "keep"
    """Kept because a legal hold requires it (GDPR art. 17(3)(b)); needs ``hold``."""


class TableErasure(StrEnum):
    DELETE_ROW = "delete_row"
    """Delete the person's rows, unless held or still needed by a row that stays."""
    UPDATE = "update"
    """Never delete rows of this table; apply the column strategies."""


class Follow(StrEnum):
    """Which way a link carries "this row is about the person"."""

    TO_CHILD = "to_child"
    """The parent identifies the person: rows that reference the person's row are theirs."""
    TO_PARENT = "to_parent"
    """The child identifies the person: the row it references is theirs (an address)."""
    NONE = "none"
    """Never followed (a support rep, a manager, another customer's card); kept for integrity."""


class Column(_Model):
    """One column: its categories, whether it identifies a person, and its erasure strategy."""

    categories: list[CategoryId] = Field(default_factory=list)
    identity: Id | None = Field(
        default=None, description="The kind of identity value this column holds (email, ...)"
    )
    case_insensitive: bool = Field(
        default=False, description="Compare identity values ignoring case (emails)"
    )
    erasure: ColumnErasure = ColumnErasure.AUTO
    mask: str | int | float | bool | None = Field(
        default=None, description="The value a mask writes; when absent, one that fits the type"
    )
    hold: Id | None = Field(default=None, description="The policy's legal hold that keeps it")
    event: Name | None = Field(
        default=None, description="The date column the hold's duration is counted from"
    )
    disclose: bool = Field(
        default=True, description="False for columns about someone else (access leaves them out)"
    )

    @model_validator(mode="after")
    def _keep_needs_hold(self) -> Column:
        if self.erasure is ColumnErasure.KEEP and (self.hold is None or self.event is None):
            raise ValueError("`erasure: keep` needs the legal `hold` and its `event` date column")
        if self.hold is not None and self.erasure is not ColumnErasure.KEEP:
            raise ValueError("`hold` is only meaningful with `erasure: keep`")
        if self.mask is not None and self.erasure is not ColumnErasure.MASK:
            raise ValueError("`mask` is only meaningful with `erasure: mask`")
        return self

    @property
    def personal(self) -> bool:
        return bool(self.categories) or self.identity is not None


class RetentionHold(_Model):
    """A legal hold on whole rows of a table, counted from one of its date columns."""

    hold: Id = Field(description="The policy's legal hold")
    event_column: Name = Field(description="The date column the hold's duration counts from")


class TableRetention(_Model):
    """Which retention rule of the policy applies to a table's rows, and from which date.

    Read by the retention sweeps (``gardien retention plan|run``). Rows are also kept by the
    table's held columns (``erasure: keep``, counted from their ``event``) and by ``holds``.
    """

    rule: Id = Field(description="The policy's retention rule")
    event_column: Name = Field(description="The date column the rule's duration counts from")
    holds: list[RetentionHold] = Field(default_factory=list)


class Table(_Model):
    """One table of the database: its columns and what erasure does to its rows."""

    schema_: Name | None = Field(default=None, alias="schema")
    primary_key: list[Name] | None = Field(
        default=None, description="Columns that identify a row, when the database declares none"
    )
    erasure: TableErasure = TableErasure.UPDATE
    columns: dict[Name, Column] = Field(default_factory=dict)
    held_with: Name | None = Field(
        default=None,
        description="A table whose held rows keep this table's linked rows too (invoice lines "
        "are kept as long as their invoice)",
    )
    retention: TableRetention | None = None
    description: str | None = None

    @cached_property
    def held_columns(self) -> dict[str, Column]:
        return {n: c for n, c in self.columns.items() if c.erasure is ColumnErasure.KEEP}


class Link(_Model):
    """A link between two tables: ``child`` columns hold values of the ``parent`` columns.

    Written ``table.column`` (or ``schema.table.column``; ``table.a+b`` for composite keys).
    A link declared with the same columns as a reflected foreign key overrides how it is followed.
    """

    child: Name
    parent: Name
    follow: Follow = Follow.TO_CHILD
    shared: bool = Field(
        default=False,
        description="Rows reached may be shared with others (an address): never erased for "
        "everyone; the person is unlinked or the row is kept and reported",
    )
    description: str | None = None

    @model_validator(mode="after")
    def _well_formed(self) -> Link:
        for side in (self.child, self.parent):
            if "." not in side:
                raise ValueError(f"{side!r}: a link end is written `table.column`")
        if len(split_ref(self.child)[1]) != len(split_ref(self.parent)[1]):
            raise ValueError("both ends of a link must have the same number of columns")
        return self


def split_ref(ref: str) -> tuple[str, tuple[str, ...]]:
    """``public.orders.customer_id`` -> (``public.orders``, (``customer_id``,))."""
    table, columns = ref.rsplit(".", 1)
    return table, tuple(c.strip() for c in columns.split("+"))


class Dataset(_Model):
    """A whole dataset declaration file (format version 1)."""

    gardien_dataset: Literal[1] = Field(description="Dataset declaration format version")
    name: Id
    description: str | None = None
    url_env: EnvName = Field(description="Environment variable holding the SQLAlchemy URL")
    schema_: Name | None = Field(default=None, alias="schema")
    reflect_links: bool = Field(
        default=True, description="Use the database's foreign keys as links (followed to_child)"
    )
    tables: dict[Name, Table] = Field(min_length=1)
    links: list[Link] = Field(default_factory=list)

    def qualified(self, name: str) -> tuple[str | None, str]:
        """The (schema, table) a table key names: ``backup.customer`` or ``customer``."""
        table = self.tables.get(name)
        if table is not None and table.schema_ is not None:
            return table.schema_, name.rsplit(".", 1)[-1]
        if "." in name:
            schema, bare = name.rsplit(".", 1)
            return schema, bare
        return self.schema_, name

    @cached_property
    def identity_kinds(self) -> frozenset[str]:
        return frozenset(
            c.identity for t in self.tables.values() for c in t.columns.values() if c.identity
        )

    @cached_property
    def hold_ids(self) -> frozenset[str]:
        return frozenset(c.hold for t in self.tables.values() for c in t.columns.values() if c.hold)
