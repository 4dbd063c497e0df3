"""The per-process cache of person states: the one place that remembers, and forgets.

Writes made through this process's :class:`~gardien.ledger.Ledger` invalidate it at once;
changes made by other processes are seen after :meth:`StateCache.invalidate` or a restart
(cross-process invalidation is issue 9).
"""

from __future__ import annotations

from gardien.ledger.identifiers import Identifier
from gardien.ledger.state import PersonState


class StateCache:
    """Identifier -> (person id, state), bounded; the oldest entries go first."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._max = max_entries
        self._entries: dict[Identifier, tuple[int | None, PersonState]] = {}
        self._identifiers_of: dict[int, set[Identifier]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, subject: Identifier) -> PersonState | None:
        entry = self._entries.get(subject)
        return None if entry is None else entry[1]

    def put(self, subject: Identifier, person_id: int | None, state: PersonState) -> None:
        if self._max <= 0:
            return
        while len(self._entries) >= self._max:
            oldest = next(iter(self._entries))
            self.invalidate(oldest)
        self._entries[subject] = (person_id, state)
        if person_id is not None:
            self._identifiers_of.setdefault(person_id, set()).add(subject)

    def invalidate(self, subject: Identifier) -> None:
        """Forget this identifier and, if it names a person, every other name of theirs."""
        entry = self._entries.pop(subject, None)
        if entry is not None and entry[0] is not None:
            self.invalidate_person(entry[0])

    def invalidate_person(self, person_id: int) -> None:
        for subject in self._identifiers_of.pop(person_id, ()):
            self._entries.pop(subject, None)

    def clear(self) -> None:
        self._entries.clear()
        self._identifiers_of.clear()
