"""The retention shop: the same small world on SQLite, PostgreSQL and MariaDB, swept on 1 June 2026.

Rules: ``prospects`` anonymises customers 3 years after their last order; ``orders`` deletes
orders and invoices 5 years after the transaction; ``logs`` deletes access logs after a year.
The ``invoices`` hold keeps an invoice 10 years from its issue (Code de commerce L123-22).

Invoice 2 (2019) is past ``orders`` but held until 2029; invoice 3 (2012) was held until 2022:
released now. Order 11 (2019) is past its period but invoice 2, held, still refers to it.
Order 12 (2012) goes once its invoice 3 has gone. Customer 3 has no last order date: undated.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from gardien.datasets import Dataset, load_dataset
from gardien.policy import load_policy
from gardien.policy.model import Policy

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
LOG_ROWS = 250
"""Access logs, one every 3 days back from NOW: those older than a year (cut-off) go."""

meta = sa.MetaData()
customer = sa.Table(
    "customer",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(120), nullable=False, unique=True),
    sa.Column("name", sa.String(60)),
    sa.Column("city", sa.String(40), nullable=False),
    sa.Column("last_order_at", sa.DateTime),
)
orders = sa.Table(
    "orders",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
    sa.Column("placed_at", sa.DateTime, nullable=False),
)
invoice = sa.Table(
    "invoice",
    meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id", ondelete="SET NULL")),
    sa.Column("billing_name", sa.String(80), nullable=False),
    sa.Column("total", sa.Numeric(10, 2), nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
)
access_log = sa.Table(
    "access_log",
    meta,
    sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("ip", sa.String(45), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
)

ROWS: dict[sa.Table, list[dict[str, object]]] = {
    customer: [
        {
            "id": 1,
            "email": "alice@example.fr",
            "name": "Alice",
            "city": "Paris",
            "last_order_at": datetime(2025, 3, 1),
        },
        {
            "id": 2,
            "email": "bob@example.fr",
            "name": "Bob",
            "city": "Lyon",
            "last_order_at": datetime(2020, 1, 5),
        },
        {
            "id": 3,
            "email": "carol@example.fr",
            "name": "Carol",
            "city": "Lille",
            "last_order_at": None,
        },
        {
            "id": 4,
            "email": "dan@example.fr",
            "name": None,
            "city": "Nice",
            "last_order_at": datetime(2012, 2, 1),
        },
    ],
    orders: [
        {"id": 10, "customer_id": 1, "placed_at": datetime(2025, 3, 1)},
        {"id": 11, "customer_id": 2, "placed_at": datetime(2019, 5, 1)},
        {"id": 12, "customer_id": 4, "placed_at": datetime(2012, 2, 1)},
        {"id": 13, "customer_id": 2, "placed_at": datetime(2015, 7, 1)},
    ],
    invoice: [
        {
            "id": 1,
            "order_id": 10,
            "billing_name": "Alice",
            "total": Decimal("10.00"),
            "issued_on": date(2025, 3, 1),
        },
        {
            "id": 2,
            "order_id": 11,
            "billing_name": "Bob",
            "total": Decimal("20.00"),
            "issued_on": date(2019, 5, 1),
        },
        {
            "id": 3,
            "order_id": 12,
            "billing_name": "Dan",
            "total": Decimal("30.00"),
            "issued_on": date(2012, 2, 1),
        },
    ],
    access_log: [
        {
            "id": i,
            "ip": f"10.0.{i // 256}.{i % 256}",
            "at": NOW.replace(tzinfo=None) - timedelta(days=3 * i, hours=1),
        }
        for i in range(1, LOG_ROWS + 1)
    ],
}
EXPIRED_LOGS = sum(1 for r in ROWS[access_log] if r["at"] < datetime(2025, 6, 1, 3, 0))  # type: ignore[operator]


def policy() -> Policy:
    return load_policy(FIXTURES / "policy.yaml")


def dataset(pol: Policy | None = None) -> Dataset:
    return load_dataset(FIXTURES / "shop.yaml", pol or policy())


def build(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    meta.create_all(engine)
    with engine.begin() as conn:
        for table in meta.sorted_tables:
            conn.execute(table.insert(), ROWS[table])
    return engine


def snapshot(engine: sa.Engine) -> dict[str, dict[str, str]]:
    """Every row of every table by primary key, as a digest of its values."""
    out: dict[str, dict[str, str]] = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            rows: dict[str, str] = {}
            for row in conn.execute(sa.select(table)).mappings():
                values = repr(sorted((k, str(v)) for k, v in row.items()))
                rows[str(row["id"])] = hashlib.sha256(values.encode()).hexdigest()
            out[table.name] = rows
    return out


def rows_of(engine: sa.Engine, table: sa.Table) -> dict[int, dict[str, object]]:
    with engine.connect() as conn:
        return {int(r["id"]): dict(r) for r in conn.execute(sa.select(table)).mappings()}
