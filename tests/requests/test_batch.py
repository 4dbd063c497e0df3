"""Queued erasures run as set-based batches give what running them one by one gives: the same
shop afterwards, the same per-person reports (kept invoices with law and date), on SQLite,
PostgreSQL and MariaDB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gardien.requests import RequestStatus, run
from gardien.requests.batch import run_erasures
from gardien.requests.workflow import RequestWorkflow
from tests.requests.world import World, create_shop, make_world, snapshot
from tests.support.services import fresh_mariadb_database, fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def two_shops(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two identical shops on the same engine: one for the batch, one for one by one."""
    with ExitStack() as stack:
        urls = []
        for name in ("batch", "alone"):
            if request.param == "sqlite":
                url = f"sqlite:///{tmp_path / f'{name}.db'}"
            elif request.param == "postgres":
                url = stack.enter_context(fresh_postgres_database())
            else:
                url = stack.enter_context(fresh_mariadb_database())
            create_shop(url)
            urls.append(url)
        yield urls[0], urls[1]


def verified(workflow: RequestWorkflow, subject: str) -> str:
    ref = workflow.receive("erasure", subject, "email").ref
    workflow.confirm_identity(ref, "test: identity checked by hand")
    return ref


PEOPLE = ["email:marie@example.fr", "email:PAUL@example.fr", "email:nobody@example.fr"]


def report(world: World, ref: str) -> dict[str, Any]:
    data = json.loads((world.workflow.output_dir / ref / "erasure-report.json").read_text())
    return {k: data[k] for k in ("datasets", "kept", "recipients_to_notify")} | {
        "ledger": data["ledger"]["status"],
        "vault": data["vault"]["shredded"],
    }


def test_a_batch_ends_like_the_same_requests_one_by_one(
    tmp_path: Path, two_shops: tuple[str, str]
) -> None:
    for name in ("batch", "alone"):
        (tmp_path / name).mkdir()
    batched = make_world(tmp_path / "batch", two_shops[0])
    alone = make_world(tmp_path / "alone", two_shops[1])
    batch_refs = [verified(batched.workflow, p) for p in PEOPLE]
    alone_refs = [verified(alone.workflow, p) for p in PEOPLE]
    # Léa asked too, but her identity is not confirmed: her request must not run.
    waiting = batched.workflow.receive("erasure", "email:lea@example.fr", "email").ref

    done = run_erasures(batched.workflow, [*batch_refs, waiting], batch_size=2)
    one_by_one = [run(alone.workflow, ref) for ref in alone_refs]

    assert [r.request.status for r in done.results] == [RequestStatus.COMPLETED] * 3
    assert [r.request.status for r in one_by_one] == [RequestStatus.COMPLETED] * 3
    assert [ref for ref, _ in done.not_run] == [waiting]
    assert batched.workflow.get(waiting).status is not RequestStatus.COMPLETED
    assert snapshot(two_shops[0]) == snapshot(two_shops[1])
    assert [s.step for s in done.results[0].steps] == [s.step for s in one_by_one[0].steps]
    reports = [report(batched, ref) for ref in batch_refs]
    assert reports == [report(alone, ref) for ref in alone_refs]
    # Each person's report names their own invoice, with its law and its end date.
    assert [
        [(k["table"], k["law"], k["rows"], k["until"]) for k in r["kept"]] for r in reports
    ] == [
        [("invoices", "Code de commerce L123-22", 1, "2035-12-31")],
        [("invoices", "Code de commerce L123-22", 1, "2035-12-31")],
        [],
    ]
    assert reports[0]["datasets"][0]["counts"]["reviews"]["deleted"] == 1
    assert "reviews" not in reports[1]["datasets"][0]["counts"]
    # Léa (not run) is still in the shop, untouched.
    assert any("Léa" in str(row) for row in snapshot(two_shops[0])["customers"])


def test_a_failed_batch_fails_each_dataset_step_and_the_requests_rerun(
    tmp_path: Path, shop_url: str
) -> None:
    world = make_world(tmp_path, shop_url)
    refs = [verified(world.workflow, p) for p in PEOPLE[:2]]
    with sa.create_engine(shop_url).begin() as conn:
        conn.execute(sa.text("ALTER TABLE reviews RENAME TO reviews_gone"))
    failed = run_erasures(world.workflow, refs)
    assert all(r.request.status is RequestStatus.PARTIAL for r in failed.results), failed
    assert all("dataset:shop" in r.left for r in failed.results)
    with sa.create_engine(shop_url).begin() as conn:
        conn.execute(sa.text("ALTER TABLE reviews_gone RENAME TO reviews"))
    world.workflow.datasets[0]._bound = None  # the schema changed back: bind again
    again = run_erasures(world.workflow, refs)
    assert [r.request.status for r in again.results] == [RequestStatus.COMPLETED] * 2
    kept = [report(world, ref)["kept"] for ref in refs]
    assert [[k["until"] for k in k_] for k_ in kept] == [["2035-12-31"], ["2035-12-31"]]
