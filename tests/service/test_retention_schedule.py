"""The service runs the daily retention sweep (issue 5) while it runs, and stops it with itself."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from gardien.identity.tables import identity_codes
from gardien.service import ServiceOptions, create_app
from gardien.service.context import ServiceOptions as Options
from gardien.storage import create_engine, upgrade
from tests.service.world import settings_for


def test_the_service_sweeps_expired_codes_once_its_hour_has_passed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gardien.db'}"
    engine = create_engine(url)
    upgrade(engine)
    long_ago = datetime.now(UTC) - timedelta(days=30)
    with engine.begin() as conn:
        conn.execute(sa.insert(identity_codes), [_expired_code(long_ago)])
    options = ServiceOptions(outbox=tmp_path / "outbox", retention_at=time(0, 0))
    app = create_app(settings_for(url), options=options)
    with TestClient(app):
        sweeper = app.state.retention
        assert sweeper.running
        deadline = clock.monotonic() + 60
        while sweeper.last_report is None and sweeper.last_error is None:
            assert clock.monotonic() < deadline, "the daily sweep did not run"
            clock.sleep(0.2)
        assert sweeper.last_error is None, sweeper.last_error
    assert not sweeper.running
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(identity_codes)).scalar() == 0
    engine.dispose()


def test_gardien_serve_sweeps_at_three_by_default_and_can_be_turned_off() -> None:
    assert Options.from_environment({}).retention_at == time(3, 0)
    assert Options.from_environment({"GARDIEN_SERVICE_RETENTION_AT": "off"}).retention_at is None
    assert ServiceOptions().retention_at is None  # apps built in code: opt in


def _expired_code(at: datetime) -> dict[str, object]:
    return {
        "subject_digest": b"\x01" * 32,
        "purpose": "signin",
        "code_hash": b"\x02" * 32,
        "issued_at": at,
        "expires_at": at + timedelta(minutes=10),
        "attempts": 0,
        "used_at": None,
    }
