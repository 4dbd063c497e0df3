"""A ledger of N people and 20 purposes with a realistic mix of choices, written set-based.

Seeding bypasses the Ledger API on purpose (one executemany per table on SQLite, COPY on
PostgreSQL): the API writes one audit entry per record, which the write benchmark measures
separately. The seeded rows are valid ledger rows (blind index, encrypted identifier).
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gardien.ledger import Identifier, IdentifierKind, IdentifierVault
from gardien.ledger.history import content_hash
from gardien.policy import Policy
from gardien.storage.engine import is_sqlite

CONSENT_PURPOSES = [f"consent_{i}" for i in range(6)]  # direct marketing, consent only
LI_PURPOSES = [f"interest_{i}" for i in range(8)]  # legitimate interests, objectable
CONTRACT_PURPOSES = [f"contract_{i}" for i in range(6)]
PURPOSES = CONSENT_PURPOSES + LI_PURPOSES + CONTRACT_PURPOSES
CATEGORIES = ["identity", "contact", "profile", "usage", "technical", "tracking", "transaction"]
START = datetime(2025, 1, 1, tzinfo=UTC)


def policy() -> Policy:
    def purpose(pid: str, basis: str, dm: bool) -> dict[str, Any]:
        return {
            "id": pid,
            "title": {"fr": pid, "en": pid},
            "categories": random.Random(pid).sample(CATEGORIES, 4),
            "legal_bases": [{"basis": basis}],
            "direct_marketing": dm,
        }

    return Policy.model_validate(
        {
            "gardien": 1,
            "version": "bench-1",
            "effective_date": "2026-01-01",
            "controller": {
                "name": "Bench SAS",
                "address": {"street": "1 rue du Banc", "city": "Paris"},
            },
            "data_subjects": [{"id": "customers", "label": {"fr": "Clients"}}],
            "categories": [{"id": c} for c in CATEGORIES],
            "purposes": [purpose(p, "consent", True) for p in CONSENT_PURPOSES]
            + [purpose(p, "legitimate_interests", False) for p in LI_PURPOSES]
            + [purpose(p, "contract", False) for p in CONTRACT_PURPOSES],
        }
    )


def email(i: int) -> Identifier:
    return Identifier(IdentifierKind.EMAIL, f"person{i}@example.org")


def _consent_rows(people: int, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """Per person and consent purpose: 30% given, 20% refused, 8% given then withdrawn."""
    record = 0
    for person in range(1, people + 1):
        for purpose in CONSENT_PURPOSES:
            roll = rng.random()
            if roll >= 0.58:
                continue
            at = START + timedelta(seconds=rng.randrange(300 * 86400))
            statuses = (
                ["given"] if roll < 0.30 else ["refused"] if roll < 0.50 else ["given", "withdrawn"]
            )
            for n, status in enumerate(statuses):
                record += 1
                yield (
                    record,
                    f"{record:036d}",
                    f"{record:036d}",
                    "gardien-cr-1",
                    person,
                    purpose,
                    1,
                    None,
                    at + timedelta(days=30 * n),
                    "web_form",
                    "explicit_opt_in",
                    status,
                    None,
                    "{}",
                    "bench",
                )


def seed(
    engine: sa.Engine, vault: IdentifierVault, people: int, seed_value: int = 3
) -> dict[str, float]:
    """Fill an empty, migrated database; returns timings in seconds."""
    rng = random.Random(seed_value)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    created = START
    person_rows = [(i, secrets.token_hex(16), created, None) for i in range(1, people + 1)]
    identifier_rows = []
    for i in range(1, people + 1):
        ident = email(i)
        digest = vault.digest(ident)
        identifier_rows.append((i, i, "email", digest, vault.seal(ident, digest), created))
    timings["keys (HMAC + AES-GCM)"] = time.perf_counter() - t
    consent_rows = list(_consent_rows(people, rng))
    objection_rows = [
        (
            n + 1,
            f"{n:036d}",
            person,
            rng.choice(LI_PURPOSES),
            created,
            "raised",
            "web_form",
            "{}",
            "bench",
        )
        for n, person in enumerate(rng.sample(range(1, people + 1), people * 3 // 100))
    ]
    restriction_rows = [
        (n + 1, f"{n:036d}", person, created, "applied", None, "email", "{}", "bench")
        for n, person in enumerate(rng.sample(range(1, people + 1), people // 1000))
    ]
    bench_policy = policy()
    version_row = (
        1,
        bench_policy.version,
        content_hash(bench_policy),
        created,
        "[]",
        bench_policy.model_dump_json(by_alias=True),
    )
    timings["generate rows"] = time.perf_counter() - t
    t = time.perf_counter()
    tables = [
        (
            "gardien_policy_versions",
            "id, version, content_hash, first_seen_at, needs_new_consent, document",
            [version_row],
        ),
        ("gardien_people", "id, ref, created_at, erased_at", person_rows),
        (
            "gardien_identifiers",
            "id, person_id, kind, digest, ciphertext, created_at",
            identifier_rows,
        ),
        (
            "gardien_consents",
            "id, record_id, receipt_id, schema_version, person_id, purpose, policy_version_id, "
            "notice_hash, at, channel, method, status, expires_at, evidence, actor",
            consent_rows,
        ),
        (
            "gardien_objections",
            "id, record_id, person_id, purpose, at, status, channel, evidence, actor",
            objection_rows,
        ),
        (
            "gardien_restrictions",
            "id, record_id, person_id, at, status, ground, channel, evidence, actor",
            restriction_rows,
        ),
    ]
    if is_sqlite(engine):
        _sqlite_load(engine, tables)
    else:
        _postgres_copy(engine, tables)
    timings["load into the database"] = time.perf_counter() - t
    timings["rows"] = float(sum(len(rows) for _, _, rows in tables))
    timings["consent records"] = float(len(consent_rows))
    return timings


def _sqlite_load(engine: sa.Engine, tables: list[tuple[str, str, list[tuple[Any, ...]]]]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Seeding only: a crash here loses a benchmark, not evidence.
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -1000000")
        cursor.execute("BEGIN")
        for name, columns, rows in tables:
            marks = ", ".join("?" * len(columns.split(",")))
            cursor.executemany(
                f"INSERT INTO {name} ({columns}) VALUES ({marks})",
                ([_sqlite_value(v) for v in row] for row in rows),
            )
        cursor.execute("COMMIT")
        cursor.execute("ANALYZE")
    finally:
        raw.close()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return value


def _postgres_copy(engine: sa.Engine, tables: list[tuple[str, str, list[tuple[Any, ...]]]]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name, columns, rows in tables:
            with cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        for name, _, _ in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT max(id) FROM {name}))"
            )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
