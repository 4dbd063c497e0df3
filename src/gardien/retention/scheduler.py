"""Running the sweep once a day while the service runs, never twice at once across processes.

Retention that nobody runs is the most common real failure (issue 5). :class:`DailySweep` is a
background thread the service starts in its lifespan: it wakes every ``poll`` seconds and, once
the configured hour has passed, claims the day in ``gardien_retention_schedule`` with one
conditional UPDATE (free lease and day not yet done). The claim is a lease: if the process dies
mid-sweep the lease expires and another worker finishes the day (sweeps are idempotent).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.retention.sweep import SweepReport
from gardien.retention.tables import sweep_schedule
from gardien.storage.engine import write_transaction

log = logging.getLogger(__name__)

Sweep = Callable[[threading.Event], SweepReport]
"""Builds the sources for *now* and runs the sweep, honouring the stop event between batches."""


class DailySweep:
    """A daily retention sweep at ``at`` (local time of ``tz``), one process at a time."""

    def __init__(
        self,
        engine: Engine,
        sweep: Sweep,
        *,
        at: time = time(3, 0),
        tz: tzinfo = UTC,
        name: str = "daily",
        lease: timedelta = timedelta(hours=6),
        poll: float = 60.0,
        clock: Callable[[], datetime] | None = None,
        holder: str | None = None,
    ) -> None:
        self.engine = engine
        self.sweep = sweep
        self.at = at
        self.tz = tz
        self.name = name
        self.lease = lease
        self.poll = poll
        self._clock = clock or (lambda: datetime.now(UTC))
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: SweepReport | None = None
        self.last_error: BaseException | None = None

    # --- the service's lifespan ----------------------------------------------------------
    def start(self) -> None:
        """Start the background thread (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="gardien-retention", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the sweep to stop between two batches and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_if_due()
            except Exception as exc:  # a bad night must not kill the service; next poll retries
                self.last_error = exc
                log.exception("retention sweep failed")
            self._stop.wait(self.poll)

    # --- one attempt -------------------------------------------------------------------------
    def today(self, now: datetime) -> date:
        return now.astimezone(self.tz).date()

    def due(self, now: datetime) -> bool:
        local = now.astimezone(self.tz)
        return local.time().replace(tzinfo=None) >= self.at

    def run_if_due(self) -> SweepReport | None:
        """Sweep now if the hour has passed, today is not done and no one else holds it."""
        now = self._clock()
        if not self.due(now) or not self.claim(now):
            return None
        try:
            report = self.sweep(self._stop)
        except BaseException:
            self.release(None, self._clock())
            raise
        self.release(report, self._clock())
        self.last_report = report
        return report

    def claim(self, now: datetime) -> bool:
        """Take today's lease; False when another process holds it or today is done."""
        today = self.today(now)
        with write_transaction(self.engine) as conn:
            exists = conn.execute(
                sa.select(sweep_schedule.c.name).where(sweep_schedule.c.name == self.name)
            ).first()
            if exists is None:
                conn.execute(sweep_schedule.insert().values(name=self.name))
            claimed = conn.execute(
                sweep_schedule.update()
                .where(sweep_schedule.c.name == self.name)
                .where(
                    sa.or_(sweep_schedule.c.last_day.is_(None), sweep_schedule.c.last_day < today)
                )
                .where(
                    sa.or_(
                        sweep_schedule.c.lease_until.is_(None), sweep_schedule.c.lease_until < now
                    )
                )
                .values(holder=self.holder, lease_until=now + self.lease)
            ).rowcount
        return claimed == 1

    def release(self, report: SweepReport | None, now: datetime) -> None:
        """Free the lease; a complete report marks the day done."""
        values: dict[str, object] = {"holder": None, "lease_until": None}
        if report is not None:
            values["last_finished_at"] = now
            values["last_report"] = {"complete": report.complete, "totals": report.totals()}
            if report.complete:
                values["last_day"] = self.today(now)
        with write_transaction(self.engine) as conn:
            conn.execute(
                sweep_schedule.update()
                .where(sweep_schedule.c.name == self.name)
                .where(sweep_schedule.c.holder == self.holder)
                .values(values)
            )
