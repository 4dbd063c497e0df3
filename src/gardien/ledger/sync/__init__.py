"""Decisions stay right across processes and machines (issue 9): the ledger's change feed.

Each process that caches person states follows the ledger's change log and drops what each
committed change names; while it cannot be sure it has heard of every change, decisions read
the database or deny (:mod:`gardien.ledger.sync.fallback`). Library use::

    ledger = Ledger.open(Settings())
    with ledger.subscribe():        # or feed = ledger.subscribe() ... ledger.close()
        ledger.decide(subject, "marketing", ["contact.email"])

PostgreSQL: ``LISTEN``/``NOTIFY`` (a trigger on the audit trail announces each entry). SQLite
and other engines: new audit entries read by a poller (``PRAGMA data_version`` on SQLite).
See ``docs/multi-process.md``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from gardien.ledger.cache import StateCache
from gardien.ledger.sync.change import CHANNEL, Change, ChangeKind, classify, parse_notification
from gardien.ledger.sync.fallback import decide_from_database, unconfirmed
from gardien.ledger.sync.feed import ChangeFeed, FeedStatus
from gardien.ledger.sync.polling import PollingFeed
from gardien.ledger.sync.postgres import PostgresFeed


def open_feed(engine: Engine, cache: StateCache, **options: Any) -> ChangeFeed:
    """The feed suited to ``engine``'s database, not yet started."""
    if engine.dialect.name == "postgresql":
        options.pop("interval", None)
        return PostgresFeed(engine, cache, **options)
    return PollingFeed(engine, cache, **options)


__all__ = [
    "CHANNEL",
    "Change",
    "ChangeFeed",
    "ChangeKind",
    "FeedStatus",
    "PollingFeed",
    "PostgresFeed",
    "classify",
    "decide_from_database",
    "open_feed",
    "parse_notification",
    "unconfirmed",
]
