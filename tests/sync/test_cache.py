"""The state cache never keeps what a change has made stale, and the feed's bookkeeping."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from gardien.ledger.cache import StateCache
from gardien.ledger.identifiers import as_identifier
from gardien.ledger.state import NOBODY, PersonState
from gardien.ledger.sync import Change, ChangeFeed, ChangeKind, classify, parse_notification

MARIE = as_identifier("email:marie@example.fr")
PAUL = as_identifier("customer:42")
MARIE_STATE = PersonState("ref-marie")


def test_a_state_read_before_a_change_to_the_person_is_not_kept() -> None:
    cache = StateCache()
    since = cache.mark()  # a load starts ...
    cache.invalidate_ref("ref-marie")  # ... Marie withdraws meanwhile ...
    cache.put(MARIE, MARIE_STATE, since)  # ... and the load, older, comes back
    assert cache.get(MARIE) is None


def test_a_state_read_after_the_change_is_kept_and_others_changes_do_not_matter() -> None:
    cache = StateCache()
    cache.invalidate_ref("ref-marie")
    since = cache.mark()
    cache.invalidate_ref("ref-someone-else")
    cache.put(MARIE, MARIE_STATE, since)
    assert cache.get(MARIE) is MARIE_STATE


def test_only_the_identifier_that_now_names_someone_stops_being_nobody() -> None:
    cache = StateCache()
    cache.put(PAUL, NOBODY, digest=b"paul")
    cache.put(MARIE, NOBODY, digest=b"marie")
    since = cache.mark()
    cache.invalidate_names((b"paul",))
    assert cache.get(PAUL) is None
    assert cache.get(MARIE) is NOBODY
    cache.put(PAUL, NOBODY, since, digest=b"paul")  # read before Paul was registered
    assert cache.get(PAUL) is None


def test_nobody_is_forgotten_when_a_new_name_may_now_lead_to_someone() -> None:
    cache = StateCache()
    cache.put(PAUL, NOBODY)
    cache.put(MARIE, MARIE_STATE)
    since = cache.mark()
    cache.invalidate_unknown()
    assert cache.get(PAUL) is None
    assert cache.get(MARIE) is MARIE_STATE
    cache.put(PAUL, NOBODY, since)  # read before the new name: not kept
    assert cache.get(PAUL) is None


def test_clearing_also_voids_loads_under_way() -> None:
    cache = StateCache()
    since = cache.mark()
    cache.clear()
    cache.put(MARIE, MARIE_STATE, since)
    assert len(cache) == 0


def test_invalidating_one_name_forgets_every_name_of_the_person() -> None:
    cache = StateCache()
    cache.put(MARIE, MARIE_STATE)
    cache.put(PAUL, MARIE_STATE)
    cache.invalidate(PAUL)
    assert cache.get(MARIE) is None


@pytest.mark.parametrize(
    ("event_type", "ref", "kind"),
    [
        ("consent.recorded", "r1", ChangeKind.PERSON),
        ("objection.recorded", "r1", ChangeKind.PERSON),
        ("restriction.recorded", "r1", ChangeKind.PERSON),
        ("person.registered", "r1", ChangeKind.NEW_NAME),
        ("person.identifier_added", "r1", ChangeKind.NEW_NAME),
        ("person.erased", "r1", ChangeKind.NEW_NAME),
        ("policy.version_seen", None, ChangeKind.EVERYONE),
        ("retention.table_swept", None, ChangeKind.NOTHING),
    ],
)
def test_each_audit_entry_says_what_a_cache_must_drop(
    event_type: str, ref: str | None, kind: ChangeKind
) -> None:
    assert classify(7, event_type, ref) == Change(7, kind, ref if ref else None)


def test_the_trigger_payload_is_read_back_and_garbage_ignored() -> None:
    assert parse_notification("12 consent.recorded abc") == Change(12, ChangeKind.PERSON, "abc")
    assert parse_notification("13 policy.version_seen ") == Change(13, ChangeKind.EVERYONE)
    assert parse_notification("14 person.registered abc 0aff,10") == Change(
        14, ChangeKind.NEW_NAME, "abc", (b"\x0a\xff", b"\x10")
    )
    assert parse_notification("15 person.registered abc ") == Change(
        15, ChangeKind.NEW_NAME, "abc", None
    )
    assert parse_notification("hello") is None


class _Scripted(ChangeFeed):
    """A feed over a list of changes; ``hang`` makes it stop answering, like a dead peer."""

    backend = "scripted"

    def __init__(self, cache: StateCache, changes: list[Change], **options: float) -> None:
        super().__init__(cache, **options)
        self.changes = changes
        self.hang = threading.Event()

    def _connect(self) -> int:
        return 0

    def _wait(self) -> Iterator[Change]:
        while self.hang.is_set() and not self._stop.is_set():
            time.sleep(0.01)
        changes, self.changes = self.changes, []
        yield from changes
        time.sleep(self.heartbeat / 5)

    def _disconnect(self) -> None:
        pass


def test_a_gap_in_the_sequence_empties_the_cache_before_it_is_trusted_again() -> None:
    cache = StateCache()
    feed = _Scripted(cache, [], heartbeat=0.05, lease=1.0, retry=0.05).start()
    try:
        cache.put(MARIE, MARIE_STATE)
        feed.changes = [Change(1, ChangeKind.PERSON, "x"), Change(3, ChangeKind.PERSON, "y")]
        deadline = time.monotonic() + 10
        while feed.status().losses == 0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert feed.wait_current(10)
        assert cache.get(MARIE) is None
        assert feed.status().connects == 2
    finally:
        feed.close()


def test_a_feed_that_stops_answering_is_distrusted_by_the_watchdog() -> None:
    cache = StateCache()
    feed = _Scripted(cache, [], heartbeat=0.05, lease=0.3, retry=0.05).start()
    try:
        assert cache.trusted
        feed.hang.set()
        deadline = time.monotonic() + 10
        while cache.trusted:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert "no sign of life" in (feed.status().last_error or "")
        feed.hang.clear()
        assert feed.wait_current(10)
        assert feed.status().connects == 2
    finally:
        feed.close()
    assert cache.trusted  # unsubscribed: back to one process's trust in its own cache
