"""When a period ends, as a bound a SQL predicate can use: the retention cut-off and the hold's
first held day.

A sweep works set-based, so "is this row past its period?" must be one comparison on the event
column, not a Python call per row. Calendar durations (P10Y, P13M) make that subtle: adding a
month clamps to the end of the month, so ``after`` cannot simply be inverted. The bounds here are
computed so that the SQL comparison agrees exactly with the per-row rule of the dataset engine
(:func:`gardien.datasets.holds.hold_end` and :func:`~gardien.datasets.holds.is_held`): a row the
erasure engine would keep under a hold is never swept.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from gardien.datasets.holds import hold_end, is_held
from gardien.policy.durations import Duration
from gardien.policy.model import LegalHold
from gardien.policy.vocabulary import RetentionEvent

_DAY = timedelta(days=1)


def retention_cutoff(duration: Duration, event: RetentionEvent, now: datetime) -> datetime:
    """Rows whose event column is before this instant are past their retention period.

    ``event_column < duration.before(now)``; a period counted from the end of the financial
    year (Code de commerce L123-22) starts on 31 December of the event's year, so the bound moves
    to the first of January of the first year not yet expired.
    """
    cutoff = duration.before(now)
    if event is not RetentionEvent.END_OF_FINANCIAL_YEAR:
        return cutoff
    year_end = datetime(cutoff.year, 12, 31, tzinfo=cutoff.tzinfo)
    first_kept_year = cutoff.year + 1 if year_end < cutoff else cutoff.year
    return datetime(first_kept_year, 1, 1, tzinfo=cutoff.tzinfo)


def first_kept_day(cutoff: datetime) -> date:
    """For a DATE column: the first day that is not before ``cutoff`` (``d < cutoff`` exactly)."""
    day = cutoff.date()
    return day if cutoff.time() == time(0) else day + _DAY


def first_held_day(hold: LegalHold, today: date) -> date:
    """The earliest event date whose hold has not ended on ``today`` (GDPR art. 17(3)(b)).

    Rows whose hold event is on or after this day, or unknown, are kept; the rule is exactly
    :func:`~gardien.datasets.holds.is_held` of :func:`~gardien.datasets.holds.hold_end`, which
    is monotonic in the event date, so the held rows are those at or after one bound.
    """

    def held(day: date) -> bool:
        return is_held(hold_end(hold, day), today)

    start = datetime(today.year, today.month, today.day)
    guess = hold.duration.before(start).date()
    if hold.from_ is RetentionEvent.END_OF_FINANCIAL_YEAR:
        guess = date(guess.year, 1, 1)
    while held(guess - _DAY):
        guess -= _DAY
    while not held(guess):
        guess += _DAY
    return guess
