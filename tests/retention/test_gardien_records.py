"""Gardien sweeps its own records: expired codes and sessions, who asked in old closed
requests, and the proof of consents that ended long ago; never the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from gardien.audit.chain import AuditTrail, Pending
from gardien.identity.tables import identity_codes
from gardien.policy.durations import Duration
from gardien.requests.tables import requests
from gardien.retention import RetentionBatchSwept, plan_retention, run_sweep
from gardien.retention.errors import RetentionConfigError
from gardien.retention.gardien_records import gardien_source
from gardien.retention.settings import RecordsRetention
from gardien.service.tables import sessions
from gardien.storage import create_engine, upgrade
from gardien.storage.tables import audit_entries, consents, people, policy_versions
from tests.retention import world

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# (id, person, purpose, at, status, expires_at): consent cut-off 2021-06-01 (five years).
CONSENTS = [
    (1, 1, "newsletter", at(2015, 1, 1), "given", None),  # superseded in 2016: goes
    (2, 1, "newsletter", at(2016, 1, 1), "withdrawn", None),  # ended 2016, then alone: goes
    (3, 1, "analytics", at(2015, 3, 1), "given", None),  # superseded in 2024: stays
    (4, 1, "analytics", at(2024, 1, 1), "given", None),  # the consent in force
    (5, 2, "newsletter", at(2010, 1, 1), "given", at(2020, 1, 1)),  # expired 2020: goes
    (6, 2, "analytics", at(2010, 1, 1), "given", None),  # still in force, however old
    (7, 3, "newsletter", at(2019, 1, 1), "given", None),  # superseded in 2022: stays
    (8, 3, "newsletter", at(2022, 1, 1), "withdrawn", None),  # ended 2022: stays
    (9, 3, "analytics", at(2012, 5, 1), "refused", None),  # ended 2012: goes
]
GONE_CONSENTS = {1, 2, 5, 9}


@pytest.fixture(params=["sqlite", "postgres"])
def gardien(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    engine = create_engine(request.getfixturevalue(f"{request.param}_url"))
    upgrade(engine)
    _fill(engine)
    yield engine
    engine.dispose()


def _fill(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            people.insert(),
            [{"id": i, "ref": f"P-{i}", "created_at": at(2009, 1, 1)} for i in (1, 2, 3)],
        )
        conn.execute(
            policy_versions.insert().values(
                id=1,
                version="1",
                content_hash="h",
                first_seen_at=at(2009, 1, 1),
                needs_new_consent=[],
                document="{}",
            )
        )
        conn.execute(
            consents.insert(),
            [
                {
                    "id": i,
                    "record_id": f"rec-{i}",
                    "receipt_id": f"rcpt-{i}",
                    "schema_version": "gardien-cr-1",
                    "person_id": person,
                    "purpose": purpose,
                    "policy_version_id": 1,
                    "at": when,
                    "channel": "web_form",
                    "method": "checkbox",
                    "status": status,
                    "expires_at": expires,
                    "evidence": {},
                    "actor": "test",
                }
                for i, person, purpose, when, status, expires in CONSENTS
            ],
        )
        conn.execute(
            identity_codes.insert(),
            [
                {
                    "id": i,
                    "subject_digest": bytes([i]) * 32,
                    "purpose": "signin",
                    "code_hash": bytes(32),
                    "issued_at": at(2026, 5, 1),
                    "expires_at": expires,
                    "attempts": 0,
                }
                for i, expires in (
                    (1, at(2026, 5, 30)),  # expired more than a day ago: goes
                    (2, at(2026, 5, 31, 12)),  # expired less than a day ago: stays
                    (3, at(2026, 6, 1, 3, 10)),  # still valid
                )
            ],
        )
        conn.execute(
            sessions.insert(),
            [
                {
                    "id": i,
                    "token_hash": f"t{i}",
                    "kind": "portal",
                    "csrf_token": "c",
                    "lang": "fr",
                    "created_at": at(2026, 5, 1),
                    "expires_at": expires,
                }
                for i, expires in ((1, at(2026, 5, 20)), (2, at(2026, 6, 2)))
            ],
        )
        conn.execute(
            requests.insert(),
            [
                {
                    "id": i,
                    "ref": f"R-{i}",
                    "type": "access",
                    "channel": "portal",
                    "status": status,
                    "lang": "fr",
                    "subject_kind": "email",
                    "subject_digest": bytes([i]) * 32,
                    "subject_ref": f"P-{i}",
                    "sealed": None if closed else b"sealed",
                    "params": {"purposes": []},
                    "received_at": at(2020, 1, 1),
                    "due_at": at(2020, 2, 1),
                    "extended_months": 0,
                    "closed_at": closed,
                    "reason_code": "refused" if closed else None,
                    "reason": "Mme X n'a pas prouvé son identité" if closed else None,
                    "updated_at": at(2024, 2, 1),
                }
                for i, status, closed in (
                    (1, "refused", at(2022, 1, 10)),  # closed over three years ago
                    (2, "done", at(2024, 2, 1)),
                    (3, "received", None),  # still open, however old
                )
            ],
        )
        AuditTrail(b"k" * 32).append(
            conn,
            [Pending(RetentionBatchSwept("shop", "t", "r", "delete", 1, 1, "2010-01-01"))],
            actor="test",
            at=at(2010, 1, 1),
        )


def _ids(engine: sa.Engine, table: sa.TableClause) -> set[int]:
    with engine.connect() as conn:
        return {int(i) for i in conn.execute(sa.select(table.c.id)).scalars()}


def _in_force(engine: sa.Engine) -> dict[tuple[int, str], bool]:
    """Per person and purpose: does the latest record give a consent valid now?"""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(consents).order_by(consents.c.id)).mappings().all()
    latest = {(r["person_id"], r["purpose"]): r for r in rows}
    pairs = {(p, purpose) for _, p, purpose, *_ in CONSENTS}
    return {
        pair: pair in latest
        and latest[pair]["status"] == "given"
        and (latest[pair]["expires_at"] is None or latest[pair]["expires_at"] > NOW)
        for pair in pairs
    }


def test_gardien_s_own_records_past_their_period_are_swept(gardien: sa.Engine) -> None:
    in_force = _in_force(gardien)
    with gardien.connect() as conn:
        audit_before = conn.execute(sa.select(audit_entries)).all()
    report = run_sweep([gardien_source(gardien, NOW)], batch_size=2)
    assert report.complete
    assert _ids(gardien, identity_codes) == {2, 3}
    assert _ids(gardien, sessions) == {2}
    assert _ids(gardien, consents) == {i for i, *_ in CONSENTS} - GONE_CONSENTS
    assert report.table("gardien_consents").deleted == len(GONE_CONSENTS)
    # Nobody's consent came back or went: only proofs of ended consents were removed.
    assert _in_force(gardien) == in_force
    with gardien.connect() as conn:
        rows = {r["id"]: r for r in conn.execute(sa.select(requests)).mappings()}
        audit_after = conn.execute(sa.select(audit_entries)).all()
    old = rows[1]
    assert (old["subject_digest"], old["subject_ref"], old["reason"]) == (bytes(32), None, None)
    assert (old["ref"], old["status"], old["reason_code"]) == ("R-1", "refused", "refused")
    assert rows[2]["subject_ref"] == "P-2"
    assert rows[3]["sealed"] == b"sealed"
    assert report.table("gardien_requests").anonymised == 1
    assert audit_after == audit_before


def test_the_plan_of_gardien_s_records_is_what_the_run_does(gardien: sa.Engine) -> None:
    plan = plan_retention([gardien_source(gardien, NOW)])
    assert plan.table("gardien_consents").to_sweep == len(GONE_CONSENTS)
    report = run_sweep([gardien_source(gardien, NOW)])  # one batch: the last record next pass
    for counts in plan.tables:
        done = report.table(counts.name)
        assert done.deleted + done.anonymised == counts.to_sweep, counts.name
    again = plan_retention([gardien_source(gardien, NOW)])
    assert again.to_sweep == 0
    assert again.table("gardien_requests").done == 1


def test_a_policy_rule_replaces_a_default_period(gardien: sa.Engine) -> None:
    settings = RecordsRetention(codes_rule="logs", consents=Duration.parse("P20Y"))
    source = gardien_source(gardien, NOW, settings, world.policy())
    codes = next(t for t in source.targets if t.table == "gardien_identity_codes")
    assert codes.rule == "logs"
    run_sweep([source])
    assert _ids(gardien, identity_codes) == {1, 2, 3}  # the policy keeps them a year
    assert _ids(gardien, consents) == {i for i, *_ in CONSENTS}  # twenty years of proof


def test_an_unknown_policy_rule_is_named_with_a_suggestion(gardien: sa.Engine) -> None:
    with pytest.raises(RetentionConfigError, match=r"'log'.*did you mean.*logs"):
        gardien_source(gardien, NOW, RecordsRetention(codes_rule="log"), world.policy())


def test_periods_come_from_gardien_retention_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GARDIEN_RETENTION_REQUESTS", "P6Y")
    monkeypatch.setenv("GARDIEN_RETENTION_CONSENTS_RULE", "orders")
    settings = RecordsRetention()
    assert settings.requests == Duration.parse("P6Y")
    assert settings.consents_rule == "orders"
    assert settings.codes == Duration.parse("P1D")
