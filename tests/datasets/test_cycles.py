"""Rows of one person that refer to each other in a cycle are deleted, on every engine.

MariaDB checks foreign keys row by row inside one DELETE, so two rows pointing at each other
cannot be deleted by any order; the engine nulls the links inside the cycle first.
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.datasets import DatasetEngine, Subject, parse_dataset
from tests.datasets.shop import TODAY, changed, snapshot

DECLARATION = """
gardien_dataset: 1
name: accounts
url_env: ACCOUNTS_URL
tables:
  account:
    erasure: delete_row
    columns:
      email: {categories: [contact.email], identity: email}
  device:
    erasure: delete_row
    columns:
      label: {categories: [technical.device_id]}
"""


def build(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE account (id INTEGER PRIMARY KEY, email VARCHAR(60) "
                "NOT NULL, merged_into INTEGER REFERENCES account(id), "
                "main_device INTEGER)"
            )
        )
        conn.execute(
            sa.text(
                "CREATE TABLE device (id INTEGER PRIMARY KEY, label VARCHAR(30), "
                "account_id INTEGER NOT NULL REFERENCES account(id))"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO account (id, email, merged_into) VALUES "
                "(1, 'a@x.fr', NULL), (2, 'a@x.fr', NULL), (3, 'b@x.fr', NULL)"
            )
        )
        conn.execute(sa.text("UPDATE account SET merged_into = 2 WHERE id = 1"))
        conn.execute(sa.text("UPDATE account SET merged_into = 1 WHERE id = 2"))
        conn.execute(
            sa.text(
                "INSERT INTO device VALUES (10, 'phone', 1), (11, 'laptop', 2), (12, 'tablet', 3)"
            )
        )
        # A second cycle across tables: an account's main device belongs to that account.
        conn.execute(sa.text("UPDATE account SET main_device = 10 WHERE id = 1"))
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "ALTER TABLE account ADD CONSTRAINT account_main_device "
                    "FOREIGN KEY (main_device) REFERENCES device(id)"
                )
            )
    return engine


def test_a_persons_rows_in_a_cycle_are_deleted_and_no_one_elses(db_url: str) -> None:
    engine = build(db_url)
    gardien = DatasetEngine(parse_dataset(DECLARATION), engine, today=TODAY)
    before = snapshot(engine)
    plan = gardien.plan([Subject.of(email="a@x.fr")])
    assert plan.counts()["account"]["deleted"] == 2
    report = gardien.erase([Subject.of(email="a@x.fr")])
    assert report.counts()["account"]["deleted"] == 2
    assert report.counts()["device"]["deleted"] == 2
    diff = changed(before, snapshot(engine))
    assert diff == {"account": {("1",), ("2",)}, "device": {("10",), ("11",)}}
    engine.dispose()
