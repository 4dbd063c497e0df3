"""ISO 8601 durations as the law writes them: "10 years", "13 months", "3 years".

``datetime.timedelta`` cannot hold a year or a month, yet retention periods are counted in
both (Code de commerce L123-22: ten years; CNIL: thirteen months for a cookie). A
:class:`Duration` keeps calendar units and adds them to a date the way a lawyer would count.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_PATTERN = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
ISO_8601_DURATION_REGEX = _PATTERN.pattern


@dataclass(frozen=True, order=True)
class Duration:
    """A calendar duration (years, months, days and a time part)."""

    years: int = 0
    months: int = 0
    days: int = 0
    seconds: int = 0

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.match(text.strip().upper())
        if not match:
            raise ValueError(
                f"{text!r} is not an ISO 8601 duration such as P10Y, P13M, P3Y6M or P30D"
            )
        part = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
        return cls(
            years=part["years"],
            months=part["months"],
            days=part["weeks"] * 7 + part["days"],
            seconds=part["hours"] * 3600 + part["minutes"] * 60 + part["seconds"],
        )

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    def approx_days(self) -> float:
        """Length in days, a month counted as 30.44 days; for comparisons only."""
        return self.total_months * 30.436875 + self.days + self.seconds / 86400

    def exceeds(self, other: Duration) -> bool:
        """True if this duration is longer than ``other`` whatever the start date."""
        return self.approx_days() > other.approx_days() + 1e-9

    def after(self, start: datetime) -> datetime:
        """The instant this duration after ``start``; 31 Jan + 1 month is 28/29 Feb."""
        month_index = start.month - 1 + self.total_months
        year = start.year + month_index // 12
        month = month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        moved = start.replace(year=year, month=month, day=day)
        return moved + timedelta(days=self.days, seconds=self.seconds)

    def after_date(self, start: date) -> date:
        return self.after(datetime(start.year, start.month, start.day)).date()

    def before(self, end: datetime) -> datetime:
        """The instant this duration before ``end`` (the cut-off of a retention sweep)."""
        month_index = end.month - 1 - self.total_months
        year = end.year + month_index // 12
        month = month_index % 12 + 1
        day = min(end.day, calendar.monthrange(year, month)[1])
        moved = end.replace(year=year, month=month, day=day)
        return moved - timedelta(days=self.days, seconds=self.seconds)

    def iso(self) -> str:
        out = "P"
        if self.years:
            out += f"{self.years}Y"
        if self.months:
            out += f"{self.months}M"
        if self.days:
            out += f"{self.days}D"
        if self.seconds:
            hours, rest = divmod(self.seconds, 3600)
            minutes, seconds = divmod(rest, 60)
            out += "T"
            out += f"{hours}H" if hours else ""
            out += f"{minutes}M" if minutes else ""
            out += f"{seconds}S" if seconds else ""
        return out if out != "P" else "P0D"

    def __str__(self) -> str:
        return self.iso()


def _coerce(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, str):
        return Duration.parse(value)
    raise ValueError("expected an ISO 8601 duration string such as P10Y or P13M")


IsoDuration = Annotated[
    Duration,
    BeforeValidator(_coerce),
    PlainSerializer(lambda d: d.iso(), return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": ISO_8601_DURATION_REGEX,
            "description": "ISO 8601 duration, e.g. P10Y (10 years), P13M, P3Y6M, P30D",
        }
    ),
]
