"""Deciding when the cache is not known to be current: read the database, or deny.

A cached state may be missing a withdrawal or an objection made through another process while
the change feed was down; answering from it could let marketing go on after the person said no
(GDPR art. 7(3), 21(3)). So the state is read from the database instead, and the decision says
so; if the database cannot be read either, the decision is a denial that says why. Unknown
purposes and categories still raise, as on the normal path: they are bugs in the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import sqlalchemy as sa

from gardien.ledger.decision import Decision, PolicyIndex, decide
from gardien.ledger.identifiers import Identifier
from gardien.ledger.reasons import ReasonCode
from gardien.ledger.state import PersonState

Question = tuple[Identifier, str, frozenset[str]]
LoadStates = Callable[[Sequence[Identifier]], Mapping[Identifier, PersonState]]


def decide_from_database(
    index: PolicyIndex,
    load: LoadStates,
    questions: Sequence[Question],
    now: float | None = None,
) -> list[Decision]:
    """Decide on states read now from the database, or deny if it cannot be read."""
    at = time.time() if now is None else now
    try:
        states = load([subject for subject, _, _ in questions])
    except sa.exc.SQLAlchemyError:
        return [unconfirmed(index, purpose, categories) for _, purpose, categories in questions]
    return [
        _read(decide(index, states[subject], purpose, categories, at))
        for subject, purpose, categories in questions
    ]


def _read(decision: Decision) -> Decision:
    return replace(decision, codes=(*decision.codes, ReasonCode.STATE_READ_FROM_DATABASE))


def unconfirmed(index: PolicyIndex, purpose: str, categories: frozenset[str]) -> Decision:
    """The denial given when the person's current state cannot be confirmed."""
    rule = index.rule(purpose)
    index.check_categories(categories)
    return Decision(
        False,
        purpose,
        rule.bases[0] if rule.bases else None,
        (ReasonCode.STATE_UNCONFIRMED,),
        direct_marketing=rule.direct_marketing,
    )
