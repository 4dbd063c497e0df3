"""The deciding thread applies the PostgreSQL feed's news itself (``ChangeFeed.assist``).

A process that never leaves the CPU gives the feed's thread the interpreter lock only now and
then; ``Ledger.decide`` therefore calls ``assist`` every few decisions. Here the feed's thread
is not started at all: only ``assist`` can apply what arrives, so what these tests see is its
work alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from gardien.ledger import Ledger
from gardien.ledger.cache import StateCache
from gardien.ledger.identifiers import as_identifier
from gardien.ledger.sync import PostgresFeed
from gardien.settings import Settings
from tests.sync.processes import World
from tests.sync.test_processes import _terminate

MARIE = as_identifier("email:marie@example.fr")

pytestmark = pytest.mark.postgres


@pytest.fixture
def writer(pg_world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    for name, value in pg_world.env().items():
        if name.startswith("GARDIEN_"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("GARDIEN_KEY_FILE", raising=False)
    ledger = Ledger.open(Settings())
    yield ledger
    ledger.close()


@pytest.fixture
def listening(writer: Ledger) -> Iterator[tuple[PostgresFeed, StateCache]]:
    """A feed connected and listening as its thread would be, with no thread running."""
    cache = StateCache()
    feed = PostgresFeed(writer.engine, cache)
    feed._last_seq = feed._connect()
    cache.trusted = True
    yield feed, cache
    feed._disconnect()


def _assist_until(feed: PostgresFeed, done: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:  # type: ignore[operator]
        feed.assist()
        time.sleep(0.005)


def test_a_withdrawal_is_applied_by_the_deciding_thread(
    writer: Ledger, listening: tuple[PostgresFeed, StateCache]
) -> None:
    feed, cache = listening
    start = feed.status().last_seq
    assert start is not None
    writer.give_consent(MARIE, "marketing")
    _assist_until(feed, lambda: feed.status().applied >= 1)
    cache.put(MARIE, writer.state(MARIE))  # what a probe holds, warm
    assert cache.get(MARIE) is not None

    writer.withdraw_consent(MARIE, "marketing")
    _assist_until(feed, lambda: cache.get(MARIE) is None)

    assert cache.get(MARIE) is None
    assert cache.trusted
    status = feed.status()
    assert status.last_seq is not None
    assert status.applied == status.last_seq - start  # every change, in order, no gap


def test_a_lost_connection_seen_while_assisting_stops_trusting_the_cache(
    writer: Ledger, pg_world: World, listening: tuple[PostgresFeed, StateCache]
) -> None:
    feed, cache = listening
    assert feed.backend_pid is not None
    _terminate(pg_world, feed.backend_pid)
    _assist_until(feed, lambda: not cache.trusted)
    assert not cache.trusted  # decisions now read the database until the feed resynchronises


def test_the_hot_path_waits_for_a_feed_thread_that_is_reading_and_counts_it(
    writer: Ledger, listening: tuple[PostgresFeed, StateCache]
) -> None:
    """While the feed's thread holds the reading lock, ``assist`` waits for it (so the thread
    gets the interpreter lock at once) instead of deciding from a cache about to change; the
    waits are counted for the benchmark and for operators."""
    feed, _ = listening
    writer.give_consent(MARIE, "marketing")  # a notification on its way to the socket
    arrived = feed._arrived
    assert arrived is not None
    deadline = time.monotonic() + 5
    while not arrived.poll(0) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert feed.status().assist_waits == 0

    feed._reading.acquire()  # what the feed's thread holds while it reads and applies
    assisting = threading.Thread(target=feed.assist)
    assisting.start()
    assisting.join(0.2)
    assert assisting.is_alive()  # waiting for the reader, not deciding meanwhile
    feed._reading.release()
    assisting.join(5)

    assert not assisting.is_alive()
    status = feed.status()
    assert status.assist_waits == 1
    assert status.assist_waited > 0
    assert status.applied == 0  # it waited for the reader, which applies what it read
