"""The legal deadline of a request, counted in calendar months (GDPR art. 12(3)).

One month after receipt, extendable "by two further months where necessary, taking into account
the complexity and number of the requests", telling the person *within the first month*, with
the reasons. Months are calendar months: received on 31 January, due on 28 (or 29) February.
Fides defaults to 45 days; that is not what the law says.
"""

from __future__ import annotations

from datetime import datetime

from gardien.policy.durations import Duration
from gardien.requests.errors import ExtensionNotAllowedError

ANSWER_WITHIN = Duration(months=1)
MAX_EXTENSION_MONTHS = 2


def due_at(received_at: datetime, extended_months: int = 0) -> datetime:
    """The deadline: one month after receipt, plus any extension, counted from receipt.

    Counting from receipt (not from the first deadline) keeps the end of month: received on
    31 January and extended by two months, due on 30 April, not 28 April.
    """
    return Duration(months=ANSWER_WITHIN.months + extended_months).after(received_at)


def check_extension(
    received_at: datetime, already: int, months: int, reason: str, now: datetime
) -> None:
    """Raise :class:`ExtensionNotAllowedError` unless the extension is lawful (art. 12(3))."""
    if not reason.strip():
        raise ExtensionNotAllowedError("an extension needs its reasons, told to the person")
    if months < 1:
        raise ExtensionNotAllowedError("an extension is of one or two months")
    if already + months > MAX_EXTENSION_MONTHS:
        raise ExtensionNotAllowedError(
            f"the deadline can be extended by two further months at most "
            f"(already extended by {already})"
        )
    first_month_ends = due_at(received_at)
    if now > first_month_ends:
        raise ExtensionNotAllowedError(
            f"an extension must be decided and told within the first month, which ended on "
            f"{first_month_ends:%Y-%m-%d %H:%M} UTC"
        )
