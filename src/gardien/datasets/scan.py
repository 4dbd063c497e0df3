"""Drafting a declaration from a live database, for a person to review.

The scan reflects the schema and guesses, from column names and types, which columns hold
which categories, which identify a person, which table is the customer table, and the links
the database does not declare (``customer_id`` -> ``customer.id``). Every guess that needs a
human decision is marked ``# REVIEW`` in the YAML it writes. :func:`compare` measures a draft
against the reviewed declaration (links found vs needed, columns classified right).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gardien.datasets.accuracy import Accuracy, compare
from gardien.datasets.schema import ColumnInfo, LiveSchema, TableInfo, ValueKind

PERSON_TABLES = re.compile(
    r"(customer|client|user|member|person|people|account|employee|"
    r"staff|contact|subscriber|patient|student|login|visitor)",
    re.I,
)
CUSTOMER_TABLES = re.compile(
    r"^(customers?|clients?|users?|members?|persons?|people|accounts?)$", re.I
)
ROLE_LINKS = re.compile(
    r"(staff|employee|manager|rep|agent|reports_to|created_by|updated_by|"
    r"owner|seller|author|approver)",
    re.I,
)
HELD_TABLES = re.compile(r"(invoice|payment|billing|receipt|transaction)", re.I)

# (pattern on the snake_case column name, category, identity kind)
RULES: list[tuple[re.Pattern[str], str, str | None]] = [
    (re.compile(r"(^|_)(e_?mail|mail)(_address)?$"), "contact.email", "email"),
    (re.compile(r"(^|_)(alt|secondary)_e_?mail$"), "contact.email", None),
    (re.compile(r"(^|_)(phone|mobile|tel|telephone|fax)(_number)?$"), "contact.phone", "phone"),
    (
        re.compile(r"^(first|last|given|family|middle|full|sur|display)_?name$|^surname$"),
        "identity.name",
        None,
    ),
    (
        re.compile(r"(^|_)(birth|dob|birthdate|birth_date|date_of_birth)($|_)"),
        "identity.birth_date",
        None,
    ),
    (re.compile(r"(^|_)(username|user_name|login|nickname)$"), "identity.username", None),
    (re.compile(r"(^|_)(password|passwd|pwd|password_hash)$"), "profile.password", None),
    (
        re.compile(r"(^|_)(ccn|card_?number|pan|card_no|credit_card)$"),
        "financial.payment_card",
        None,
    ),
    (
        re.compile(r"(^|_)(iban|bic|bank_account|account_number|rib)$"),
        "financial.bank_account",
        None,
    ),
    (re.compile(r"(^|_)(ip|ip_address|ip_addr|remote_addr)$"), "technical.ip_address", None),
    (re.compile(r"(^|_)user_agent$"), "technical.user_agent", None),
    (
        re.compile(
            r"(^|_)(address\d?|street|house|address_line\d?|billing_address|"
            r"postal_?code|zip|zip_?code|post_?code|city|billing_city|billing_postal_code|"
            r"district|state|billing_state|country|billing_country)$"
        ),
        "contact.postal_address",
        None,
    ),
    (re.compile(r"(^|_)(latitude|longitude|location|geo)$"), "location", None),
]


def snake(name: str) -> str:
    """``BillingPostalCode`` -> ``billing_postal_code``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


@dataclass
class ColumnGuess:
    categories: list[str] = field(default_factory=list)
    identity: str | None = None
    case_insensitive: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class LinkGuess:
    child: str
    parent: str
    follow: str
    shared: bool
    note: str


@dataclass
class Draft:
    tables: dict[str, dict[str, ColumnGuess]]
    erasure: dict[str, str]
    customer: str | None
    links: list[LinkGuess]
    skipped: list[str]
    held: dict[str, list[str]]


def guess_column(table: TableInfo, column: ColumnInfo, is_person: bool) -> ColumnGuess:
    name = snake(column.name)
    guess = ColumnGuess()
    for pattern, category, identity in RULES:
        if pattern.search(name):
            if category == "contact.postal_address" and (
                column.kind is not ValueKind.TEXT
                or (name == snake(table.name) and name in ("city", "country", "state"))
            ):
                continue  # a number, or reference data (``city.city``, ``country.country``)
            guess.categories.append(category)
            if identity == "email" and column.kind is ValueKind.TEXT:
                guess.identity = "email"
                guess.case_insensitive = True
            break
    if (
        not guess.categories
        and name in ("name", "holder", "cardholder")
        and (is_person or "card" in table.name.lower())
    ):
        guess.categories.append("identity.name")
    if not guess.categories and name in ("company", "job_title", "title") and is_person:
        guess.categories.append("professional")
    return guess


def draft(live: LiveSchema) -> Draft:
    """Guess a declaration from the live schema (see the module docstring)."""
    tables: dict[str, dict[str, ColumnGuess]] = {}
    names = set(live.tables)
    customer = next((n for n in sorted(names) if CUSTOMER_TABLES.match(n.split(".")[-1])), None)
    for key, info in live.tables.items():
        is_person = bool(PERSON_TABLES.search(info.name))
        guesses = {c.name: guess_column(info, c, is_person) for c in info.columns.values()}
        if key == customer and len(info.primary_key) == 1:
            guesses[info.primary_key[0]].identity = "customer_id"
        tables[key] = {c: g for c, g in guesses.items() if g.categories or g.identity}
    links = _links(live, customer)
    # Keep tables with personal columns, and the tables that hang from the customer table.
    edges = [(fk.table, fk.parent, "_".join(fk.columns)) for fk in live.foreign_keys]
    edges += [_as_fk(lg) for lg in links if lg.follow == "to_child"]
    overridden = {
        (lg.child.rsplit(".", 1)[0], lg.parent.rsplit(".", 1)[0])
        for lg in links
        if lg.follow != "to_child"
    }
    reached = {customer} if customer else set()
    changed = True
    while changed:
        changed = False
        for child, parent, column in edges:
            if (
                parent in reached
                and child not in reached
                and not ROLE_LINKS.search(column)
                and (child, parent) not in overridden
            ):
                reached.add(child)
                changed = True
    keep = {k for k, cols in tables.items() if cols} | reached
    erasure = {k: "delete_row" for k in keep}
    held = {
        k: _held_columns(live.tables[k]) for k in keep if HELD_TABLES.search(live.tables[k].name)
    }
    return Draft(
        {k: tables[k] for k in sorted(keep)},
        erasure,
        customer,
        [
            lg
            for lg in links
            if lg.child.rsplit(".", 1)[0] in keep and lg.parent.rsplit(".", 1)[0] in keep
        ],
        sorted(set(names) - keep),
        held,
    )


def _as_fk(link: LinkGuess) -> tuple[str, str, str]:
    child, column = link.child.rsplit(".", 1)
    return (child, link.parent.rsplit(".", 1)[0], column)


def _held_columns(info: TableInfo) -> list[str]:
    dates = [
        c.name
        for c in info.columns.values()
        if c.kind in (ValueKind.DATE, ValueKind.DATETIME) and "update" not in c.name.lower()
    ]
    return dates[:1]


def _links(live: LiveSchema, customer: str | None) -> list[LinkGuess]:
    """Overrides for reflected foreign keys, and links guessed where the database has none."""
    out: list[LinkGuess] = []
    reflected = {(fk.table, fk.columns) for fk in live.foreign_keys}
    for fk in live.foreign_keys:
        child = f"{fk.table}.{'+'.join(fk.columns)}"
        parent = f"{fk.parent}.{'+'.join(fk.parent_columns)}"
        fk_column = "_".join(fk.columns)
        if ROLE_LINKS.search(fk_column) or (fk.table == fk.parent):
            out.append(
                LinkGuess(
                    child,
                    parent,
                    "none",
                    False,
                    "REVIEW: leads to another person (staff, manager, rep)",
                )
            )
        elif "address" in fk.parent.lower() and fk.table != fk.parent:
            out.append(
                LinkGuess(
                    child, parent, "to_parent", True, "REVIEW: an address may be shared with others"
                )
            )
    by_name = {info.name.lower(): key for key, info in live.tables.items()}
    for key, info in live.tables.items():
        for column in info.columns.values():
            if (key, (column.name,)) in reflected:
                continue
            target = _implicit_target(snake(column.name), by_name, live, key)
            if target is None:
                continue
            parent_key, parent_col = target
            child = f"{key}.{column.name}"
            parent = f"{parent_key}.{parent_col}"
            if ROLE_LINKS.search(snake(column.name)):
                out.append(
                    LinkGuess(
                        child,
                        parent,
                        "none",
                        False,
                        "REVIEW: guessed from the name; leads to another person",
                    )
                )
            elif "address" in parent_key.lower():
                out.append(
                    LinkGuess(
                        child,
                        parent,
                        "to_parent",
                        True,
                        "REVIEW: guessed from the name; an address may be shared",
                    )
                )
            else:
                out.append(
                    LinkGuess(
                        child,
                        parent,
                        "to_child",
                        False,
                        "REVIEW: no foreign key in the database; guessed from the name",
                    )
                )
    return out


def _implicit_target(
    name: str, by_name: dict[str, str], live: LiveSchema, table: str
) -> tuple[str, str] | None:
    if not name.endswith("_id"):
        return None
    stem = name[:-3]
    parts = stem.split("_")
    # Longest suffix first: shipping_address_id -> address, payment_card_id -> payment_card.
    for i in range(len(parts)):
        candidate = "_".join(parts[i:])
        for plural in (candidate, candidate + "s", candidate + "es"):
            parent = by_name.get(plural)
            if parent is None or parent == table:
                continue
            info = live.tables[parent]
            if len(info.primary_key) == 1:
                return parent, info.primary_key[0]
    return None


def render(
    draft: Draft, live: LiveSchema, name: str, url_env: str, schema: str | None = None
) -> str:
    """The draft as a YAML declaration, with ``# REVIEW`` on every guess to check."""
    lines = [
        "# Drafted by `gardien datasets scan`: review every line marked REVIEW, then complete",
        "# what a scan cannot know: implicit links, shared rows, legal holds, masks.",
        f"# Customer table guessed: {draft.customer or 'none found (REVIEW)'}",
    ]
    if draft.skipped:
        lines.append("# Not declared (no personal column found): " + ", ".join(draft.skipped))
    lines += ["gardien_dataset: 1", f"name: {name}", f"url_env: {url_env}"]
    if schema:
        lines.append(f"schema: {schema}")
    lines.append("tables:")
    for key, columns in draft.tables.items():
        info = live.tables[key]
        lines.append(f"  {_quote(key)}:")
        if info.partitions:
            lines.append(f"    # partitions folded in: {', '.join(info.partitions)}")
        if not info.primary_key:
            lines.append("    # REVIEW: no primary key; rows are told apart by all columns")
        lines.append(f"    erasure: {draft.erasure[key]}")
        held = draft.held.get(key)
        if held:
            lines.append(
                f"    # REVIEW: a legal hold may keep these rows (invoices, payments: "
                f"Code de commerce L123-22); e.g. `erasure: keep, hold: invoices, "
                f"event: {held[0]}` on the columns to keep"
            )
        if not columns:
            lines.append("    columns: {}")
            continue
        lines.append("    columns:")
        for cname, guess in columns.items():
            found = info.columns[cname]
            fields = []
            if guess.categories:
                fields.append(f"categories: [{', '.join(guess.categories)}]")
            if guess.identity:
                fields.append(f"identity: {guess.identity}")
            if guess.case_insensitive:
                fields.append("case_insensitive: true")
            if guess.categories and cname not in info.primary_key:
                fields.append(f"erasure: {_default_erasure(found)}")
            note = (
                "  # REVIEW"
                + (f": {found.type_name}" if guess.categories else ": identity")
                + ("" if found.nullable else ", NOT NULL")
            )
            lines.append(f"      {_quote(cname)}: {{{', '.join(fields)}}}{note}")
    if draft.links:
        lines.append("links:")
        for link in draft.links:
            shared = ", shared: true" if link.shared else ""
            lines.append(
                f"  - {{child: {_quote(link.child)}, parent: {_quote(link.parent)}, "
                f"follow: {link.follow}{shared}}}  # {link.note}"
            )
    return "\n".join(lines) + "\n"


def _default_erasure(column: ColumnInfo) -> str:
    if column.nullable:
        return "set_null"
    return "mask"


def _quote(text: str) -> str:
    return text if re.match(r"^[A-Za-z_][A-Za-z0-9_.+]*$", text) else f"'{text}'"


__all__ = ["Accuracy", "Draft", "compare", "draft", "render"]
