"""The test shop: the same small world built on SQLite, PostgreSQL and MariaDB.

Alice (customer 1) has two orders, a card, two invoices (one recent, held 10 years under Code
de commerce L123-22; one from 2010, past its hold), a support ticket and a newsletter
subscription in upper case. Her address is shared with store 1. Bob (2) paid one order with
Alice's card and was referred by Alice. Carol (3) shares nothing. Employees 1 and 2 (a manager)
answer tickets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 6, 1)

meta = sa.MetaData()
address = sa.Table(
    "address",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("street", sa.String(100), nullable=False),
    sa.Column("city", sa.String(60)),
    sa.Column("postal_code", sa.String(10)),
)
store = sa.Table(
    "store",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("address_id", sa.Integer, sa.ForeignKey("address.id")),
)
employee = sa.Table(
    "employee",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("manager_id", sa.Integer, sa.ForeignKey("employee.id")),
)
customer = sa.Table(
    "customer",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(120), nullable=False, unique=True),
    sa.Column("first_name", sa.String(40)),
    sa.Column("last_name", sa.String(40), nullable=False),
    sa.Column("phone", sa.String(20)),
    sa.Column("birth_date", sa.Date),
    sa.Column("address_id", sa.Integer, sa.ForeignKey("address.id")),
    sa.Column("referred_by", sa.Integer, sa.ForeignKey("customer.id")),
)
card = sa.Table(
    "card",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
    sa.Column("holder", sa.String(60), nullable=False),
    sa.Column("number", sa.BigInteger, nullable=False),
)
orders = sa.Table(
    "orders",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
    sa.Column("shipping_address_id", sa.Integer, sa.ForeignKey("address.id")),
    sa.Column("card_id", sa.Integer, sa.ForeignKey("card.id")),
    sa.Column("placed_at", sa.DateTime, nullable=False),
)
order_line = sa.Table(
    "order_line",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column(
        "order_id", sa.Integer, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("product", sa.String(60), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
)
invoice = sa.Table(
    "invoice",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id", ondelete="SET NULL")),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
    sa.Column("billing_name", sa.String(80), nullable=False),
    sa.Column("billing_address", sa.String(200)),
    sa.Column("total", sa.Numeric(10, 2), nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("email_sent_to", sa.String(120)),
)
ticket = sa.Table(
    "ticket",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
    sa.Column("agent_id", sa.Integer, sa.ForeignKey("employee.id")),
    sa.Column("message", sa.Text),
)
newsletter = sa.Table(
    "newsletter",
    meta,
    sa.Column("email", sa.String(120), primary_key=True),
    sa.Column("subscribed_at", sa.DateTime, nullable=False),
)

ROWS: dict[sa.Table, list[dict[str, object]]] = {
    address: [
        {"id": 10, "street": "1 rue du Commerce", "city": "Paris", "postal_code": "75015"},
        {"id": 11, "street": "2 avenue Bob", "city": "Lyon", "postal_code": "69001"},
        {"id": 12, "street": "3 place Carol", "city": "Lille", "postal_code": "59000"},
        {"id": 13, "street": "4 impasse Alice", "city": "Paris", "postal_code": "75011"},
    ],
    store: [{"id": 1, "name": "Boutique Commerce", "address_id": 10}],
    employee: [
        {"id": 1, "name": "Marie Manager", "manager_id": None},
        {"id": 2, "name": "Sam Support", "manager_id": 1},
    ],
    customer: [
        {
            "id": 1,
            "email": "alice@example.fr",
            "first_name": "Alice",
            "last_name": "Martin",
            "phone": "+33600000001",
            "birth_date": date(1990, 5, 1),
            "address_id": 10,
            "referred_by": None,
        },
        {
            "id": 2,
            "email": "bob@example.fr",
            "first_name": "Bob",
            "last_name": "Durand",
            "phone": None,
            "birth_date": None,
            "address_id": 11,
            "referred_by": 1,
        },
        {
            "id": 3,
            "email": "carol@example.fr",
            "first_name": "Carol",
            "last_name": "Petit",
            "phone": "+33600000003",
            "birth_date": date(1985, 1, 2),
            "address_id": 12,
            "referred_by": None,
        },
    ],
    card: [
        {"id": 100, "customer_id": 1, "holder": "ALICE MARTIN", "number": 4970100000000001},
        {"id": 101, "customer_id": 3, "holder": "CAROL PETIT", "number": 4970100000000003},
    ],
    orders: [
        {
            "id": 1000,
            "customer_id": 1,
            "shipping_address_id": 13,
            "card_id": 100,
            "placed_at": datetime(2025, 3, 1, 10, 0),
        },
        {
            "id": 1001,
            "customer_id": 1,
            "shipping_address_id": 10,
            "card_id": 100,
            "placed_at": datetime(2010, 2, 1, 9, 30),
        },
        {
            "id": 1002,
            "customer_id": 2,
            "shipping_address_id": 11,
            "card_id": 100,
            "placed_at": datetime(2025, 4, 2, 15, 0),
        },
        {
            "id": 1003,
            "customer_id": 3,
            "shipping_address_id": 12,
            "card_id": 101,
            "placed_at": datetime(2025, 5, 3, 8, 0),
        },
    ],
    order_line: [
        {"id": 1, "order_id": 1000, "product": "Théière", "quantity": 1},
        {"id": 2, "order_id": 1000, "product": "Tasses", "quantity": 6},
        {"id": 3, "order_id": 1001, "product": "Nappe", "quantity": 1},
        {"id": 4, "order_id": 1002, "product": "Bol", "quantity": 2},
        {"id": 5, "order_id": 1003, "product": "Vase", "quantity": 1},
    ],
    invoice: [
        {
            "id": 5000,
            "order_id": 1000,
            "customer_id": 1,
            "billing_name": "Alice Martin",
            "billing_address": "4 impasse Alice, 75011 Paris",
            "total": Decimal("89.90"),
            "issued_on": date(2025, 3, 1),
            "email_sent_to": "alice@example.fr",
        },
        {
            "id": 5001,
            "order_id": 1001,
            "customer_id": 1,
            "billing_name": "Alice Martin",
            "billing_address": "1 rue du Commerce, 75015 Paris",
            "total": Decimal("25.00"),
            "issued_on": date(2010, 2, 1),
            "email_sent_to": "alice@example.fr",
        },
        {
            "id": 5002,
            "order_id": 1002,
            "customer_id": 2,
            "billing_name": "Bob Durand",
            "billing_address": "2 avenue Bob, 69001 Lyon",
            "total": Decimal("12.00"),
            "issued_on": date(2025, 4, 2),
            "email_sent_to": "bob@example.fr",
        },
    ],
    ticket: [
        {"id": 1, "customer_id": 1, "agent_id": 2, "message": "Où est ma théière ?"},
        {"id": 2, "customer_id": 3, "agent_id": 2, "message": "Merci !"},
    ],
    newsletter: [
        {"email": "ALICE@EXAMPLE.FR", "subscribed_at": datetime(2024, 1, 1)},
        {"email": "carol@example.fr", "subscribed_at": datetime(2024, 1, 2)},
    ],
}


def build_shop(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    meta.create_all(engine)
    with engine.begin() as conn:
        for table in meta.sorted_tables:
            if ROWS.get(table):
                conn.execute(table.insert(), ROWS[table])
    return engine


def snapshot(engine: sa.Engine) -> dict[str, dict[tuple[object, ...], str]]:
    """Every row of every table, by primary key, as a checksum of its values."""
    out: dict[str, dict[tuple[object, ...], str]] = {}
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        for name in inspector.get_table_names():
            pk = inspector.get_pk_constraint(name)["constrained_columns"]
            table = sa.table(name, *(sa.column(c["name"]) for c in inspector.get_columns(name)))
            rows: dict[tuple[object, ...], str] = {}
            for row in conn.execute(sa.select(table)).mappings():
                key = tuple(str(row[c]) for c in pk) if pk else tuple(map(str, row.values()))
                digest = hashlib.sha256(
                    repr(sorted((k, str(v)) for k, v in row.items())).encode()
                ).hexdigest()
                rows[key] = digest
            out[name] = rows
    return out


Snapshot = Mapping[str, Mapping[tuple[object, ...], str]]


def changed(before: Snapshot, after: Snapshot) -> dict[str, set[tuple[object, ...]]]:
    """Per table, the keys whose row was deleted, added or changed."""
    out: dict[str, set[tuple[object, ...]]] = {}
    for name in set(before) | set(after):
        b, a = before.get(name, {}), after.get(name, {})
        keys = {k for k in set(b) | set(a) if b.get(k) != a.get(k)}
        if keys:
            out[name] = keys
    return out
