"""A small, meaningful world for request tests: the shop of seed 001 and its ledger.

The shop database (SQLite, PostgreSQL or MariaDB) holds three customers; Marie has two orders,
one invoiced, and a review. The policy is ``examples/001-boutique.yaml`` with the legal hold
the shop needs for its invoices (the seed names none): Code de commerce L123-22, ten years
from the end of the financial year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from gardien.datasets import DatasetEngine, load_dataset
from gardien.ledger import IdentifierVault, Ledger
from gardien.notify import Outbox, OutboxMailer
from gardien.policy import load_policy
from gardien.policy.model import Policy
from gardien.requests import RequestWorkflow
from gardien.storage import create_engine, upgrade
from gardien.vault import KeyRing, MasterKey, ShredJournal, Vault, derive_subkey

REPO = Path(__file__).resolve().parents[2]
SHOP_DECLARATION = REPO / "examples" / "requests" / "datasets" / "shop.yaml"
TODAY = date(2026, 11, 25)

SHOP_DDL = [
    """CREATE TABLE customers (
        id INTEGER PRIMARY KEY, email VARCHAR(120) NOT NULL, name VARCHAR(80) NOT NULL,
        phone VARCHAR(20), newsletter BOOLEAN NOT NULL, last_ip VARCHAR(45))""",
    """CREATE TABLE orders (
        id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
        placed_at DATE NOT NULL, delivery_address VARCHAR(200), total DECIMAL(10, 2) NOT NULL)""",
    """CREATE TABLE invoices (
        id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
        issued_on DATE NOT NULL, billed_name VARCHAR(80) NOT NULL,
        amount DECIMAL(10, 2) NOT NULL)""",
    """CREATE TABLE reviews (
        id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
        body VARCHAR(500) NOT NULL)""",
]

SHOP_ROWS: dict[str, list[dict[str, object]]] = {
    "customers": [
        {
            "id": 1,
            "email": "Marie@Example.fr",
            "name": "Marie Curie",
            "phone": "0612345678",
            "newsletter": True,
            "last_ip": "192.0.2.10",
        },
        {
            "id": 2,
            "email": "paul@example.fr",
            "name": "Paul Dubois",
            "phone": None,
            "newsletter": False,
            "last_ip": None,
        },
        {
            "id": 3,
            "email": "lea@example.fr",
            "name": "Léa Martin",
            "phone": "0698765432",
            "newsletter": True,
            "last_ip": "198.51.100.7",
        },
    ],
    "orders": [
        {
            "id": 10,
            "customer_id": 1,
            "placed_at": date(2025, 3, 2),
            "delivery_address": "1 rue de la Paix, Paris",
            "total": "42.50",
        },
        {
            "id": 11,
            "customer_id": 1,
            "placed_at": date(2026, 10, 1),
            "delivery_address": "1 rue de la Paix, Paris",
            "total": "12.00",
        },
        {
            "id": 20,
            "customer_id": 2,
            "placed_at": date(2025, 6, 1),
            "delivery_address": "5 quai Voltaire, Lyon",
            "total": "99.90",
        },
    ],
    "invoices": [
        {
            "id": 100,
            "order_id": 10,
            "issued_on": date(2025, 3, 2),
            "billed_name": "Marie Curie",
            "amount": "42.50",
        },
        {
            "id": 200,
            "order_id": 20,
            "issued_on": date(2025, 6, 1),
            "billed_name": "Paul Dubois",
            "amount": "99.90",
        },
    ],
    "reviews": [
        {"id": 1000, "customer_id": 1, "body": "Très bien"},
        {"id": 1001, "customer_id": 3, "body": "Parfait"},
    ],
}

INVOICES_HOLD = {
    "id": "invoices",
    "title": {"fr": "Factures", "en": "Invoices"},
    "duration": "P10Y",
    "from": "end_of_financial_year",
    "law": "Code de commerce L123-22",
    "categories": ["transaction.invoice", "identity.name"],
}


def shop_policy() -> Policy:
    """Seed 001 with the invoices hold (and a rights e-mail, which the seed lacks)."""
    base = load_policy(REPO / "examples" / "001-boutique.yaml")
    data = base.model_dump(by_alias=True, mode="json")
    data["legal_holds"] = [*data.get("legal_holds", []), INVOICES_HOLD]
    data["rights"] = {"email": "dpo@boutique.example"}
    return Policy.model_validate(data)


def create_shop(url: str) -> None:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    with engine.begin() as conn:
        for ddl in SHOP_DDL:
            conn.execute(sa.text(ddl))
        metadata.reflect(conn)
        for table in ("customers", "orders", "invoices", "reviews"):
            conn.execute(metadata.tables[table].insert(), SHOP_ROWS[table])
    engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every shop table, ordered: to compare end states."""
    engine = sa.create_engine(url)
    out: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for table in ("customers", "orders", "invoices", "reviews"):
            rows = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).all()
            out[table] = [tuple(r) for r in rows]
    engine.dispose()
    return out


class Clock:
    """Time the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    workflow: RequestWorkflow
    ledger: Ledger
    outbox: Outbox
    shop_url: str
    clock: Clock
    policy: Policy
    keys: KeyRing
    vault: Vault


def make_world(
    tmp_path: Path,
    shop_url: str,
    *,
    ledger_url: str | None = None,
    key: MasterKey | None = None,
    engine_factory: Callable[..., DatasetEngine] = DatasetEngine,
) -> World:
    """The ledger (SQLite in ``tmp_path`` unless given), the workflow, the outbox."""
    policy = shop_policy()
    master = key or MasterKey.from_material(b"m" * 32)
    keys = KeyRing([master], master.key_id, master.key_id, "test key")
    engine = create_engine(ledger_url or f"sqlite:///{tmp_path / 'gardien.db'}")
    upgrade(engine)
    clock = Clock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    ledger = Ledger(engine, policy, IdentifierVault(keys), clock=clock)
    dataset = load_dataset(SHOP_DECLARATION, policy)
    shop = engine_factory(
        dataset,
        shop_url,
        policy=policy,
        hash_key=derive_subkey(master, "datasets/hash"),
        today=TODAY,
    )
    outbox = Outbox(tmp_path / "outbox")
    vault = Vault(engine, keys, ShredJournal(tmp_path / "gardien.key.shreds", keys), clock=clock)
    workflow = RequestWorkflow(
        ledger,
        keys,
        OutboxMailer(outbox.folder),
        datasets=[shop],
        output_dir=tmp_path / "requests",
        clock=clock,
        data_vault=vault,
    )
    return World(workflow, ledger, outbox, shop_url, clock, policy, keys, vault)
