"""The PostgreSQL feed under a burst: one transaction of thousands of changes reaches a process
in many socket reads; the feed follows it in full and in order (a gap would distrust the cache).
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from gardien.ledger import ConsentChange, ConsentStatus, IdentifierVault, Ledger, ReasonCode
from gardien.policy import load_policy
from gardien.storage import create_engine
from gardien.vault.keys import EnvKeyProvider
from tests.sync.processes import POLICY, World
from tests.sync.test_processes import MARIE, WAIT


@pytest.mark.postgres
def test_a_burst_bigger_than_one_socket_read_is_followed_in_full_and_in_order(
    pg_world: World,
) -> None:
    vault = IdentifierVault(EnvKeyProvider(pg_world.master_key))
    policy = load_policy(POLICY)
    writer = Ledger(create_engine(pg_world.url), policy, vault, actor="writer")
    reader = Ledger(create_engine(pg_world.url), policy, vault, actor="reader")
    feed = reader.subscribe()
    try:
        assert reader.decide(MARIE, "marketing", ["contact"]).codes == (ReasonCode.NO_CONSENT,)
        given = ConsentStatus.GIVEN
        writer.record_consents(
            [ConsentChange(f"email:p{i}@example.fr", "marketing", given) for i in range(2000)]
            + [ConsentChange(MARIE, "marketing", given)]
        )
        with writer.engine.connect() as conn:
            head = conn.execute(sa.text("SELECT seq FROM gardien_audit_head WHERE id = 1")).one()
        deadline = time.monotonic() + WAIT
        while feed.status().last_seq != head.seq:  # 4,000 notifications, about 300 kB
            assert time.monotonic() < deadline, feed.status()
            time.sleep(0.01)
        status = feed.status()
        assert status.current
        assert status.losses == 0
        assert status.connects == 1
        assert reader.decide(MARIE, "marketing", ["contact"]).allowed
    finally:
        reader.close()
        writer.close()
