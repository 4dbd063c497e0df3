"""The shred journal: a keyed chain outside the database that no edit gets past."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gardien.vault import (
    KeyFileProvider,
    ShredJournal,
    ShredJournalError,
    create_key_file,
    journal_path_for,
    rotate_key_file,
)

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def owners_of(journal: ShredJournal) -> list[str]:
    return [entry.owner for entry in journal.entries()]


def test_entries_read_back_in_order_and_the_file_is_private(journal: ShredJournal) -> None:
    journal.append(["person:aa"], AT)
    journal.append(["hold:billing", "person:bb"], AT)
    assert owners_of(journal) == ["person:aa", "hold:billing", "person:bb"]
    assert [entry.seq for entry in journal.entries()] == [1, 2, 3]
    assert journal.path.stat().st_mode & 0o777 == 0o600
    assert journal.path.name == "gardien.key.shreds"


def test_an_edited_line_is_found_with_its_number(journal: ShredJournal) -> None:
    journal.append(["person:aa", "person:bb", "person:cc"], AT)
    lines = journal.path.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("person:bb", "person:zz")
    journal.path.write_text("".join(lines))
    with pytest.raises(ShredJournalError, match="line 3 was edited"):
        journal.entries()


def test_a_removed_line_breaks_the_chain(journal: ShredJournal) -> None:
    journal.append(["person:aa", "person:bb", "person:cc"], AT)
    lines = journal.path.read_text().splitlines(keepends=True)
    del lines[2]
    journal.path.write_text("".join(lines))
    with pytest.raises(ShredJournalError, match="line 3"):
        journal.entries()


def test_a_line_torn_by_a_crash_is_ignored_then_replaced_by_the_next_append(
    journal: ShredJournal,
) -> None:
    journal.append(["person:aa"], AT)
    with journal.path.open("a") as handle:
        handle.write('{"at":"2026-03-01T09:30:00+00:00","mac":"12')
    assert owners_of(journal) == ["person:aa"]
    journal.append(["person:bb"], AT)
    assert owners_of(journal) == ["person:aa", "person:bb"]


def test_a_journal_from_another_installation_is_refused(
    journal: ShredJournal, tmp_path: Path
) -> None:
    journal.append(["person:aa"], AT)
    create_key_file(tmp_path / "other.key")
    stranger = ShredJournal(journal.path, KeyFileProvider(tmp_path / "other.key"))
    with pytest.raises(ShredJournalError, match="another installation"):
        stranger.entries()


def test_rotation_keeps_the_journal_verifiable(journal: ShredJournal, key_file: Path) -> None:
    journal.append(["person:aa"], AT)
    rotate_key_file(key_file)
    after = ShredJournal(journal.path, KeyFileProvider(key_file))
    after.append(["person:bb"], AT)
    assert owners_of(after) == ["person:aa", "person:bb"]


def test_without_a_key_file_the_journal_must_be_configured(tmp_path: Path) -> None:
    with pytest.raises(ShredJournalError, match="GARDIEN_SHRED_JOURNAL"):
        journal_path_for(None, None)
    assert journal_path_for(None, tmp_path / "j") == tmp_path / "j"
    assert journal_path_for(tmp_path / "k.key", None) == tmp_path / "k.key.shreds"


def test_a_missing_journal_has_no_entries(journal: ShredJournal) -> None:
    assert journal.entries() == ()
