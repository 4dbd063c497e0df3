"""When neither the feed nor the database can be reached, decisions deny and say why.

A cached "allowed" may be missing a withdrawal made elsewhere (GDPR art. 7(3)); without the
database to read, the only safe answer is no, with the reason. Once the database is back the
feed resynchronises and the cache serves again.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.errors import ConfigurationError
from gardien.ledger import IdentifierVault, Ledger, ReasonCode
from gardien.policy import load_policy
from gardien.storage import create_engine
from gardien.vault.keys import EnvKeyProvider
from tests.support.services import POSTGRES_ADMIN_URL
from tests.sync.processes import POLICY, World, children
from tests.sync.test_processes import MARIE, MARKETING, WAIT, _until


def _denied_unconfirmed(answer: dict[str, object]) -> bool:
    return answer == {"allowed": False, "codes": ["state_unconfirmed"]}


@pytest.mark.postgres
def test_with_the_database_unreachable_a_process_denies_saying_it_cannot_confirm_consent(
    pg_world: World,
) -> None:
    name = sa.make_url(pg_world.url).database
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with children(pg_world, 1) as (victim,):
        victim.ask("consent", subject=MARIE, purpose="marketing", status="given")
        _until(victim, MARKETING, allowed=True)
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                )
            deadline = time.monotonic() + WAIT
            while not _denied_unconfirmed(answer := victim.ask("decide", **MARKETING)):
                assert answer["codes"] != ["basis_holds"] or time.monotonic() < deadline, answer
                assert time.monotonic() < deadline, answer
                time.sleep(0.01)
            assert victim.ask("status")["current"] is False
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
            admin.dispose()
        assert victim.ask("wait_current", timeout=WAIT)["current"] is True
        assert victim.ask("decide", **MARKETING) == {"allowed": True, "codes": ["basis_holds"]}


def test_on_sqlite_with_the_database_file_gone_decisions_deny_then_recover(
    sqlite_world: World,
) -> None:
    path = Path(str(sa.make_url(sqlite_world.url).database))
    vault = IdentifierVault(EnvKeyProvider(sqlite_world.master_key))
    ledger = Ledger(create_engine(sqlite_world.url), load_policy(POLICY), vault)
    feed = ledger.subscribe(retry=0.2)
    try:
        ledger.give_consent(MARIE, "marketing")
        assert ledger.decide(MARIE, "marketing", ["contact"]).allowed
        feed.interrupt()
        deadline = time.monotonic() + WAIT
        while feed.current:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        ledger.engine.dispose()
        away = path.with_suffix(".away")
        os.replace(path, away)
        path.mkdir()  # the path now names something no SQLite can open
        try:
            denied = ledger.decide(MARIE, "marketing", ["contact"])
            assert not denied.allowed
            assert denied.codes == (ReasonCode.STATE_UNCONFIRMED,)
            assert "cannot confirm current consent state" in denied.reasons("en")[0]
            assert ledger.decide_many([(MARIE, "orders", ["identity"])])[0].codes == (
                ReasonCode.STATE_UNCONFIRMED,
            )
        finally:
            path.rmdir()
            os.replace(away, path)
        assert feed.wait_current(WAIT)
        allowed = ledger.decide(MARIE, "marketing", ["contact"])
        assert allowed.allowed
        assert allowed.codes == (ReasonCode.BASIS_HOLDS,)
    finally:
        ledger.close()


def test_a_new_policy_version_empties_every_subscribed_cache(sqlite_world: World) -> None:
    vault = IdentifierVault(EnvKeyProvider(sqlite_world.master_key))
    policy = load_policy(POLICY)
    ledger = Ledger(create_engine(sqlite_world.url), policy, vault)
    feed = ledger.subscribe()
    try:
        ledger.give_consent(MARIE, "marketing")
        deadline = time.monotonic() + WAIT
        while feed.status().applied < 2:  # the feed has heard of our own change too
            assert time.monotonic() < deadline
            time.sleep(0.005)
        cached = ledger.state(MARIE)
        assert ledger.state(MARIE) is cached
        changed = policy.model_copy(update={"version": policy.version + "-next"})
        Ledger(create_engine(sqlite_world.url), changed, vault).close()
        deadline = time.monotonic() + WAIT
        while ledger.state(MARIE) is cached:  # until read again: the cache was emptied
            assert time.monotonic() < deadline
            time.sleep(0.005)
        assert feed.status().last_error is None
    finally:
        ledger.close()


@pytest.mark.postgres
def test_subscribing_without_the_trigger_fails_at_once_with_the_fix(pg_world: World) -> None:
    engine = create_engine(pg_world.url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER gardien_ledger_notify ON gardien_audit_entries")
    vault = IdentifierVault(EnvKeyProvider(pg_world.master_key))
    ledger = Ledger(engine, load_policy(POLICY), vault)
    try:
        started = time.monotonic()
        with pytest.raises(ConfigurationError, match="gardien db upgrade"):
            ledger.subscribe()
        assert time.monotonic() - started < 5
        assert ledger.decide(MARIE, "marketing", ["contact"]).codes == (ReasonCode.NO_CONSENT,)
    finally:
        ledger.close()
