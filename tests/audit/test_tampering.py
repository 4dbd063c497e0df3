"""Tampering with the audit trail in the database is detected, and located by ``seq``."""

from __future__ import annotations

import hashlib
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gardien.audit import AuditTrail, ProblemKind
from gardien.ledger import Channel, IdentifierVault, Ledger
from gardien.policy import load_policy
from gardien.storage import create_engine, upgrade
from gardien.storage.tables import audit_entries, audit_head
from tests.ledger.worlds import BOUTIQUE, LedgerFactory

MARIE = "email:marie@example.fr"


def _fill(ledger: Ledger) -> None:
    """Seven entries: one policy version, then people and their choices."""
    ledger.give_consent(MARIE, "marketing", channel=Channel.WEB_FORM)  # 2 registered, 3 consent
    ledger.object(MARIE, "analytics")  # 4
    ledger.withdraw_consent(MARIE, "marketing")  # 5
    ledger.restrict("customer:42")  # 6 registered, 7 restriction


def _sql(ledger: Ledger, statement: str, **params: object) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def test_an_untouched_trail_verifies(boutique: Ledger) -> None:
    _fill(boutique)
    report = boutique.verify_audit()
    assert report.intact
    assert report.entries == report.head_seq == 7


def test_an_edited_payload_is_detected_at_its_seq(boutique: Ledger) -> None:
    _fill(boutique)
    _sql(
        boutique,
        "UPDATE gardien_audit_entries SET payload = replace(payload, 'withdrawn', 'given') "
        "WHERE seq = 5",
    )
    report = boutique.verify_audit()
    assert not report.intact
    assert report.first_broken_seq == 5
    assert [p.kind for p in report.problems] == [ProblemKind.EDITED]


def test_an_edited_hash_recomputed_without_the_key_is_detected(boutique: Ledger) -> None:
    _fill(boutique)
    forged = hashlib.sha256(b"anything").hexdigest()
    _sql(boutique, "UPDATE gardien_audit_entries SET hash = :h WHERE seq = 3", h=forged)
    _sql(boutique, "UPDATE gardien_audit_entries SET prev_hash = :h WHERE seq = 4", h=forged)
    assert boutique.verify_audit().first_broken_seq == 3


def test_a_deleted_entry_is_detected_at_its_seq(boutique: Ledger) -> None:
    _fill(boutique)
    _sql(boutique, "DELETE FROM gardien_audit_entries WHERE seq = 4")
    report = boutique.verify_audit()
    assert report.first_broken_seq == 4
    assert report.problems[0].kind is ProblemKind.MISSING
    assert "entry 4 was removed" in report.problems[0].message


def test_deleting_the_last_entries_is_detected_by_the_head(boutique: Ledger) -> None:
    _fill(boutique)
    _sql(boutique, "DELETE FROM gardien_audit_entries WHERE seq >= 6")
    report = boutique.verify_audit()
    assert report.first_broken_seq == 6
    assert "entries 6 to 7 were removed" in report.problems[0].message


def test_two_swapped_entries_are_detected(boutique: Ledger) -> None:
    _fill(boutique)
    _sql(boutique, "UPDATE gardien_audit_entries SET seq = 1000 WHERE seq = 3")
    _sql(boutique, "UPDATE gardien_audit_entries SET seq = 3 WHERE seq = 5")
    _sql(boutique, "UPDATE gardien_audit_entries SET seq = 5 WHERE seq = 1000")
    report = boutique.verify_audit()
    assert report.first_broken_seq == 3
    assert {p.seq for p in report.problems} >= {3, 5}


def test_a_wrong_key_fails_every_entry(boutique: Ledger) -> None:
    _fill(boutique)
    with boutique.engine.connect() as conn:
        report = AuditTrail(b"another key, 32 bytes long......").verify(conn)
    assert report.first_broken_seq == 1
    assert len(report.problems) == 7


def test_concurrent_writers_keep_one_unbroken_chain(make_ledger: LedgerFactory) -> None:
    ledgers = [make_ledger() for _ in range(4)]

    def work(n: int) -> None:
        ledger = ledgers[n % 4]
        ledger.give_consent(f"email:person{n}@example.fr", "marketing")
        ledger.object(f"email:person{n}@example.fr", "analytics")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, range(40)))
    report = ledgers[0].verify_audit()
    assert report.intact, report.problems
    assert report.entries == 1 + 40 * 3


COLUMNS = ["at", "actor", "event_type", "subject_ref", "payload", "prev_hash", "hash"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seq=st.integers(min_value=1, max_value=7),
    column=st.sampled_from(COLUMNS),
    junk=st.text(alphabet="0123456789abcdef", min_size=1, max_size=8),
)
def test_any_single_edit_is_detected_at_its_seq(
    vault: IdentifierVault, seq: int, column: str, junk: str
) -> None:
    """Property: whatever one field of one entry becomes, verify names that entry."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'trail.db'}"
        engine = create_engine(url)
        upgrade(engine)
        ledger = Ledger(engine, load_policy(BOUTIQUE), vault)
        _fill(ledger)
        with engine.begin() as conn:
            row = conn.execute(sa.select(audit_entries).where(audit_entries.c.seq == seq)).one()
            old = getattr(row, column)
            if column == "at":
                new: object = old + timedelta(microseconds=int(junk, 16) + 1)
            elif column == "subject_ref" and old is None:
                new = junk
            else:
                new = old + junk
            conn.execute(
                audit_entries.update().where(audit_entries.c.seq == seq).values({column: new})
            )
            head = conn.execute(sa.select(audit_head.c.seq)).scalar_one()
        report = ledger.verify_audit()
        ledger.close()
    assert head == 7
    assert report.first_broken_seq == seq
