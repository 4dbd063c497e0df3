"""A small SQLite store of banner choices, used until the ledger records them.

It implements :class:`~gardien.service.banner.choice.ConsentSink` for real (a file, one row
per category per choice, refusals included, append-only as the ledger's consents are) so the
banner can be run and tested end to end on its own. The ledger's implementation replaces it in
the service.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from gardien.audit.events import JsonValue
from gardien.policy.vocabulary import CookieCategory

_metadata = sa.MetaData()

banner_choices = sa.Table(
    "gardien_banner_choices",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("receipt_id", sa.String(36), nullable=False, index=True),
    sa.Column("cookie_id", sa.String(32), nullable=False, index=True),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("granted", sa.Boolean, nullable=False),
    sa.Column("policy_version", sa.String(64), nullable=False),
    sa.Column("notice_hash", sa.String(64), nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("recorded_at", sa.String(32), nullable=False, doc="ISO 8601, UTC"),
)


@dataclass(frozen=True)
class StoredChoice:
    """One category of one recorded choice."""

    receipt_id: str
    cookie_id: str
    category: CookieCategory
    granted: bool
    policy_version: str
    notice_hash: str
    evidence: dict[str, JsonValue]
    recorded_at: datetime


class SqliteChoicesStore:
    """Banner choices in a SQLite file (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.engine = sa.create_engine(f"sqlite:///{path}")
        _metadata.create_all(self.engine)

    def record_banner_choice(
        self,
        cookie_id: str,
        choices: dict[CookieCategory, bool],
        policy_version: str,
        notice_hash: str,
        evidence: dict[str, JsonValue],
    ) -> str:
        """Write every category of the choice in one statement; return the receipt id."""
        receipt_id = str(uuid.uuid4())
        now = datetime.now(UTC).isoformat()
        rows = [
            {
                "receipt_id": receipt_id,
                "cookie_id": cookie_id,
                "category": category.value,
                "granted": granted,
                "policy_version": policy_version,
                "notice_hash": notice_hash,
                "evidence": evidence,
                "recorded_at": now,
            }
            for category, granted in choices.items()
        ]
        with self.engine.begin() as conn:
            conn.execute(banner_choices.insert(), rows)
        return receipt_id

    def history(self, cookie_id: str) -> list[StoredChoice]:
        """Every category of every choice made under ``cookie_id``, oldest first."""
        query = (
            sa.select(banner_choices)
            .where(banner_choices.c.cookie_id == cookie_id)
            .order_by(banner_choices.c.id)
        )
        with self.engine.connect() as conn:
            return [
                StoredChoice(
                    receipt_id=row.receipt_id,
                    cookie_id=row.cookie_id,
                    category=CookieCategory(row.category),
                    granted=bool(row.granted),
                    policy_version=row.policy_version,
                    notice_hash=row.notice_hash,
                    evidence=dict(row.evidence),
                    recorded_at=datetime.fromisoformat(row.recorded_at),
                )
                for row in conn.execute(query)
            ]

    def current(self, cookie_id: str) -> dict[CookieCategory, bool]:
        """The latest answer per category: what the site may do for this browser now."""
        return {c.category: c.granted for c in self.history(cookie_id)}

    def cookie_ids(self) -> list[str]:
        """Every browser id that made a choice, in the order of their first choice."""
        query = (
            sa.select(banner_choices.c.cookie_id)
            .group_by(banner_choices.c.cookie_id)
            .order_by(sa.func.min(banner_choices.c.id))
        )
        with self.engine.connect() as conn:
            return [row.cookie_id for row in conn.execute(query)]

    def close(self) -> None:
        self.engine.dispose()
