"""What one committed change means for a cache of person states.

The change feed does not invent a log of its own: every change to a person's ledger state is
written with an audit entry naming the person's pseudonymous ref, in the same transaction
(:mod:`gardien.audit.chain`). The audit trail is therefore the log, its gapless ``seq`` the
position in it, and each entry's type says what a cache must drop.
"""

from __future__ import annotations

from enum import Enum
from typing import NamedTuple

from gardien.audit.events import IdentifierAdded, PersonRegistered, PolicyVersionSeen

CHANNEL = "gardien_ledger"
"""The PostgreSQL notification channel (see migration ``0008_ledger_change_feed``)."""

NEW_NAMES = frozenset({PersonRegistered.event_type, IdentifierAdded.event_type, "person.erased"})
"""Events after which an identifier that named nobody may name someone.

``person.erased`` is among them: an erasure registers a person the ledger did not know, so that
the erasure survives (``gardien.ledger.Ledger.mark_erased``).
"""


class ChangeKind(Enum):
    """What a cache must drop for one change."""

    PERSON = "person"
    """One person's state changed: drop what is cached under their ref."""
    NEW_NAME = "new_name"
    """As ``PERSON``, and the person's identifiers wherever cached as naming nobody."""
    EVERYONE = "everyone"
    """A new policy version: drop everything."""
    NOTHING = "nothing"
    """An entry about no one (a request step, a retention sweep): no person state changed."""


class Change(NamedTuple):
    """One audit entry, as the change feed sees it.

    A named tuple, not a dataclass: the feed builds one per committed change (a thousand a
    second and more) on a thread that competes with the hot path for the interpreter lock.
    """

    seq: int
    kind: ChangeKind
    ref: str | None = None
    names: tuple[bytes, ...] | None = None
    """For ``NEW_NAME``: the digests of the person's identifiers; None if not known (then
    every identifier cached as naming nobody is dropped)."""


def classify(
    seq: int, event_type: str, subject_ref: str | None, names: str | None = None
) -> Change:
    """The change an audit entry announces.

    An entry that names nobody changes no person's state: the ledger never changes a person
    without naming them in the same transaction. The one exception is a policy version, which
    may change every decision. ``names``: the person's identifier digests, hex, comma-separated.
    """
    if event_type == PolicyVersionSeen.event_type:
        return Change(seq, ChangeKind.EVERYONE)
    if not subject_ref:
        return Change(seq, ChangeKind.NOTHING)
    if event_type in NEW_NAMES:
        return Change(seq, ChangeKind.NEW_NAME, subject_ref, _digests(names))
    return Change(seq, ChangeKind.PERSON, subject_ref)


def _digests(names: str | None) -> tuple[bytes, ...] | None:
    if not names:
        return None
    try:
        return tuple(bytes.fromhex(name) for name in names.split(","))
    except ValueError:
        return None


def parse_notification(payload: str) -> Change | None:
    """``'<seq> <event type> <subject ref> <digests>'`` (the trigger's); None if malformed."""
    parts = payload.split(" ", 3)
    if len(parts) < 3 or not parts[0].isdigit():
        return None
    return classify(int(parts[0]), parts[1], parts[2] or None, parts[3] if len(parts) > 3 else None)
