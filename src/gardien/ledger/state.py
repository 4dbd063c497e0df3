"""A person's state as the decision needs it: small, immutable, loaded in one step.

The decision is a pure function of the policy and this snapshot; reading it from the database
is :mod:`gardien.ledger.store`'s job. Times are POSIX seconds (floats) so that the hot path
compares numbers, not datetimes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gardien.ledger.records import ConsentStatus

NO_EXPIRY = math.inf


@dataclass(frozen=True, slots=True)
class ConsentState:
    """The latest consent record of one person for one purpose."""

    status: ConsentStatus
    at: float
    expires: float = NO_EXPIRY
    policy_ordinal: int = 0
    """Ordinal of the policy version under which it was recorded (see ``PolicyHistory``)."""


_EMPTY: Mapping[str, ConsentState] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PersonState:
    """What the ledger holds on one person that bears on a decision."""

    subject_ref: str | None
    """Pseudonymous ref; None for someone the ledger has never recorded anything about."""
    consents: Mapping[str, ConsentState] = field(default_factory=lambda: _EMPTY)
    objections: frozenset[str] = frozenset()
    """Purposes with a standing objection (GDPR art. 21)."""
    restricted: bool = False
    """Processing restricted (art. 18): data may only be stored."""
    erased: bool = False
    """Erased (art. 17): nothing may be done with this person's data any more."""


NOBODY = PersonState(subject_ref=None)
"""The state of a person with no record at all: no consent, no objection."""
