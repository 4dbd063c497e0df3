"""The standalone SQLite store of banner choices keeps every answer, refusals included."""

from __future__ import annotations

from pathlib import Path

from gardien.policy import CookieCategory
from gardien.service.banner import SqliteChoicesStore

AUDIENCE, ADS = CookieCategory.AUDIENCE_MEASUREMENT, CookieCategory.ADVERTISING


def test_a_choice_is_kept_per_category_under_one_receipt(tmp_path: Path) -> None:
    store = SqliteChoicesStore(tmp_path / "choices.db")
    receipt = store.record_banner_choice(
        "a" * 32, {AUDIENCE: True, ADS: False}, "2.0", "f" * 64, {"button": "customize"}
    )
    history = store.history("a" * 32)
    assert [(c.category, c.granted, c.receipt_id) for c in history] == [
        (AUDIENCE, True, receipt),
        (ADS, False, receipt),
    ]
    assert history[0].evidence == {"button": "customize"}
    assert history[0].policy_version == "2.0"
    assert history[0].recorded_at.tzinfo is not None
    store.close()


def test_the_latest_answer_wins_and_the_history_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "choices.db"
    store = SqliteChoicesStore(path)
    store.record_banner_choice("a" * 32, {AUDIENCE: True, ADS: True}, "2.0", "h", {})
    store.record_banner_choice("b" * 32, {AUDIENCE: False, ADS: False}, "2.0", "h", {})
    store.record_banner_choice("a" * 32, {AUDIENCE: True, ADS: False}, "2.0", "h", {})
    store.close()
    reopened = SqliteChoicesStore(path)  # a real file: the choices survive a restart
    assert reopened.current("a" * 32) == {AUDIENCE: True, ADS: False}
    assert reopened.current("b" * 32) == {AUDIENCE: False, ADS: False}
    assert len(reopened.history("a" * 32)) == 4
    assert reopened.cookie_ids() == ["a" * 32, "b" * 32]
    assert reopened.current("c" * 32) == {}
    reopened.close()
