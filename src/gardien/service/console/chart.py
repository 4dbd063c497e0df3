"""The console's small chart: requests received per month, and the average days to close them.

Inline SVG built here (no JavaScript library): bars for the count, a number above each bar for
the average time to close, a text table beside it for screen readers (the SVG is decorative
for them, the table says the same).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape

from gardien.requests.model import DataSubjectRequest


@dataclass(frozen=True)
class Month:
    label: str
    """``2026-11``."""
    received: int
    closed: int
    average_days_to_close: float | None


def months(requests: Iterable[DataSubjectRequest], now: datetime, count: int = 12) -> list[Month]:
    """The last ``count`` months, oldest first, counted by month of receipt."""
    keys: list[tuple[int, int]] = []
    year, month = now.year, now.month
    for _ in range(count):
        keys.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    received = dict.fromkeys(keys, 0)
    durations: dict[tuple[int, int], list[float]] = {k: [] for k in keys}
    for request in requests:
        key = (request.received_at.year, request.received_at.month)
        if key not in received:
            continue
        received[key] += 1
        if request.closed_at is not None:
            days = (request.closed_at - request.received_at).total_seconds() / 86400
            durations[key].append(days)
    return [
        Month(
            f"{y:04d}-{m:02d}",
            received[(y, m)],
            len(durations[(y, m)]),
            sum(durations[(y, m)]) / len(durations[(y, m)]) if durations[(y, m)] else None,
        )
        for y, m in keys
    ]


def svg(data: list[Month], title: str, days_label: str, unit: str = "j") -> str:
    """Bars of requests per month, each topped by its average days to close."""
    width, height, left, bottom, top = 640, 220, 30, 30, 30
    slot = (width - left) / max(len(data), 1)
    peak = max((m.received for m in data), default=0) or 1
    scale = (height - bottom - top) / peak
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#1a1a1a"/>',
    ]
    for i, m in enumerate(data):
        x = left + i * slot + slot * 0.15
        bar = m.received * scale
        y = height - bottom - bar
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" '
            f'fill="#0b4f8a"><title>{m.label}: {m.received}</title></rect>'
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{height - 10}" text-anchor="middle">'
            f"{m.label[2:]}</text>"
        )
        if m.received:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
                f"{m.received}</text>"
            )
        if m.average_days_to_close is not None:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{top - 10}" text-anchor="middle" '
                f'fill="#8a1c0b">{m.average_days_to_close:.0f} {unit}</text>'
            )
    parts.append(f'<text x="{left}" y="12" fill="#8a1c0b">{escape(days_label)}</text></svg>')
    return "".join(parts)
