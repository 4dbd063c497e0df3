"""The per-process cache of person states: the one place that remembers, and forgets.

Writes made through this process's :class:`~gardien.ledger.Ledger` invalidate it at once;
changes made by other processes reach it through the change feed (:mod:`gardien.ledger.sync`,
``Ledger.subscribe()``), which drops what they name and says whether the cache can be trusted.

Two rules keep it from ever serving a state older than a known change:

- **Trust.** ``trusted`` is a plain flag read on the hot path. It is True when nothing is
  subscribed (one process, nothing to learn), and, under a feed, only while the feed knows that
  every change committed so far has reached this cache.
- **No stale fill.** A load marks the cache (:meth:`mark`) before reading the database; if the
  person was invalidated after that mark, what was read may predate the change and is not kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from gardien.ledger.identifiers import Identifier
from gardien.ledger.state import PersonState

_DROPPED_KEPT = 100_000
"""How many recent invalidations are remembered for the stale-fill check (see :meth:`put`)."""


class StateCache:
    """Identifier -> state, bounded (the oldest entries go first), indexed by person ref."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._max = max_entries
        self._entries: dict[Identifier, PersonState] = {}
        self._names_of: dict[str, set[Identifier]] = {}
        self._unknown: dict[Identifier, bytes | None] = {}
        """Identifiers cached as naming nobody, with their digests (blind index)."""
        self._by_digest: dict[bytes, Identifier] = {}
        self._epoch = 0
        self._dropped: dict[str | bytes, int] = {}
        """Ref or digest -> epoch of its last invalidation."""
        self._floor = 0
        self._unknown_floor = 0
        self._lock = threading.Lock()
        self.trusted = True
        """May cached states be served? Cleared by the change feed when it is not sure."""

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, subject: Identifier) -> PersonState | None:
        return self._entries.get(subject)

    def get_function(self) -> Callable[[Identifier], PersonState | None]:
        """:meth:`get` without a Python frame (the entries' dict is never replaced)."""
        return self._entries.get

    def mark(self) -> int:
        """Call before reading states from the database; pass the result to :meth:`put`."""
        return self._epoch

    def put(
        self,
        subject: Identifier,
        state: PersonState,
        since: int | None = None,
        digest: bytes | None = None,
    ) -> None:
        """Keep ``state``, unless it was read before a change to the person (``since``).

        ``digest``: the identifier's blind index, for a state naming nobody, so that the feed
        can drop just this entry when the identifier comes to name someone.
        """
        if self._max <= 0:
            return
        ref = state.subject_ref
        with self._lock:
            if since is not None and self._changed_since(ref or digest, since):
                return
            while len(self._entries) >= self._max:
                self._forget(next(iter(self._entries)))
            self._entries[subject] = state
            if ref is None:
                self._unknown[subject] = digest
                if digest is not None:
                    self._by_digest[digest] = subject
            else:
                self._names_of.setdefault(ref, set()).add(subject)

    def _changed_since(self, key: str | bytes | None, since: int) -> bool:
        if since < self._floor:
            return True
        if isinstance(key, str):
            return self._dropped.get(key, -1) > since
        return since < self._unknown_floor or (
            key is not None and self._dropped.get(key, -1) > since
        )

    def _forget(self, subject: Identifier) -> None:
        state = self._entries.pop(subject, None)
        if state is None:
            return
        if state.subject_ref is None:
            digest = self._unknown.pop(subject, None)
            if digest is not None:
                self._by_digest.pop(digest, None)
        else:
            for name in self._names_of.pop(state.subject_ref, ()):
                self._entries.pop(name, None)

    def invalidate(self, subject: Identifier) -> None:
        """Forget this identifier and, if it names a person, every other name of theirs."""
        with self._lock:
            state = self._entries.get(subject)
            if state is not None and state.subject_ref is not None:
                self._drop_ref(state.subject_ref)
            else:
                # It may have named nobody until now: a load under way must not say otherwise.
                self._epoch += 1
                self._unknown_floor = self._epoch
                self._forget(subject)

    def invalidate_ref(self, ref: str) -> None:
        """Forget the person with this pseudonymous ref, under every name cached for them."""
        with self._lock:
            self._drop_ref(ref)

    def _drop_ref(self, ref: str) -> None:
        self._epoch += 1
        if len(self._dropped) >= _DROPPED_KEPT:
            self._dropped.clear()
            self._floor = self._epoch
        self._dropped[ref] = self._epoch
        for name in self._names_of.pop(ref, ()):
            self._entries.pop(name, None)

    def invalidate_names(self, digests: tuple[bytes, ...]) -> None:
        """Forget these identifiers (by digest) where cached as naming nobody."""
        with self._lock:
            self._epoch += 1
            for digest in digests:
                self._dropped[digest] = self._epoch
                name = self._by_digest.pop(digest, None)
                if name is not None:
                    self._unknown.pop(name, None)
                    self._entries.pop(name, None)

    def invalidate_unknown(self) -> None:
        """Forget every identifier cached as naming nobody (someone may now be behind it)."""
        with self._lock:
            self._epoch += 1
            self._unknown_floor = self._epoch
            for name in self._unknown:
                self._entries.pop(name, None)
            self._unknown.clear()
            self._by_digest.clear()

    def clear(self) -> None:
        """Forget everything, including what loads under way are about to put back."""
        with self._lock:
            self._epoch += 1
            self._floor = self._epoch
            self._entries.clear()
            self._names_of.clear()
            self._unknown.clear()
            self._by_digest.clear()
            self._dropped.clear()
