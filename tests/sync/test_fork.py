"""A process forked from a subscribed one inherits the cache but not the feed's threads."""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.queues import Queue

from gardien.ledger import IdentifierVault, Ledger
from gardien.policy import load_policy
from gardien.storage import create_engine
from gardien.vault.keys import EnvKeyProvider
from tests.sync.processes import POLICY, World
from tests.sync.test_processes import MARIE


def _child(ledger: Ledger, answers: Queue[list[str]]) -> None:
    ledger.engine.dispose(close=False)  # the parent's connections stay the parent's
    answers.put([c.value for c in ledger.decide(MARIE, "marketing", ["contact"]).codes])
    ledger.subscribe()
    answers.put([c.value for c in ledger.decide(MARIE, "marketing", ["contact"]).codes])
    ledger.close()


def test_a_forked_child_does_not_trust_the_inherited_cache_until_it_subscribes(
    sqlite_world: World,
) -> None:
    vault = IdentifierVault(EnvKeyProvider(sqlite_world.master_key))
    ledger = Ledger(create_engine(sqlite_world.url), load_policy(POLICY), vault)
    try:
        ledger.subscribe()
        ledger.give_consent(MARIE, "marketing")
        assert ledger.decide(MARIE, "marketing", ["contact"]).allowed
        fork = mp.get_context("fork")
        answers: Queue[list[str]] = fork.Queue()
        child = fork.Process(target=_child, args=(ledger, answers))
        child.start()
        assert answers.get(timeout=30) == ["basis_holds", "state_read_from_database"]
        assert answers.get(timeout=30) == ["basis_holds"]
        child.join(30)
        assert child.exitcode == 0
        assert ledger.feed is not None
        assert ledger.feed.current  # the parent's feed goes on
    finally:
        ledger.close()
