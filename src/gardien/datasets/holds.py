"""When a legal hold on a row ends: the hold's duration counted from the row's event date."""

from __future__ import annotations

from datetime import date, datetime

from gardien.policy.model import LegalHold
from gardien.policy.vocabulary import RetentionEvent


def as_date(value: object) -> date | None:
    """A date from what drivers return: ``date``, ``datetime`` or ISO text (SQLite)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip().replace("T", " ")
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                return None
    return None


def hold_end(hold: LegalHold, event: object) -> date | None:
    """The day the hold ends for a row whose event column holds ``event``; None: unknown."""
    start = as_date(event)
    if start is None:
        return None
    if hold.from_ is RetentionEvent.END_OF_FINANCIAL_YEAR:
        # Counted from the close of the financial year (a calendar year unless said otherwise).
        start = date(start.year, 12, 31)
    return hold.duration.after_date(start)


def is_held(end: date | None, today: date) -> bool:
    """A row with an unknown event date is held: keeping too long beats destroying evidence."""
    return end is None or end > today
