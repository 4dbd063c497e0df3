"""Queued erasures run as set-based batches give what running them one by one gives: the same
shop afterwards, the same per-person reports (kept invoices with law and date), on SQLite,
PostgreSQL and MariaDB."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa

from gardien.datasets import DatasetEngine
from gardien.requests import RequestStatus, erasure_report, run
from gardien.requests.batch import run_erasures
from gardien.requests.workflow import RequestWorkflow
from gardien.vault import ItemKind, KeyDestroyedError, person_owner
from tests.requests.test_crash import _comparable
from tests.requests.world import World, create_shop, make_world, snapshot
from tests.support.crash import run_self_killing
from tests.support.services import fresh_database


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def two_shops(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two identical shops on the same engine: one for the batch, one for one by one."""
    with ExitStack() as stack:
        urls = []
        for name in ("batch", "alone"):
            url = stack.enter_context(fresh_database(request.param, tmp_path, name))
            create_shop(url)
            urls.append(url)
        yield urls[0], urls[1]


def verified(workflow: RequestWorkflow, subject: str) -> str:
    ref = workflow.receive("erasure", subject, "email").ref
    workflow.confirm_identity(ref, "test: identity checked by hand")
    return ref


PEOPLE = ["email:marie@example.fr", "email:PAUL@example.fr", "email:nobody@example.fr"]


def report(world: World, ref: str) -> dict[str, Any]:
    _, data = erasure_report(world.workflow, ref)
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
    # The batch does not read its requests back after closing them: what it returns must be
    # what their rows now hold, as a single run's result is.
    assert [r.request for r in done.results] == [batched.workflow.get(r) for r in batch_refs]
    assert [r.request for r in one_by_one] == [alone.workflow.get(r) for r in alone_refs]
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
    # Each person is told once, as one by one; a batch's answers are one outbox file.
    told = [
        sorted(m.to for m in w.outbox.messages() if "traitée" in m.subject)
        for w in (batched, alone)
    ]
    assert len(told[0]) == 3
    assert told[0] == told[1]
    # The same words, what the law keeps included; only the refs differ.
    texts = [
        sorted(
            (m.to, re.sub(r"R-[A-Z0-9]{8}", "REF", m.text))
            for m in w.outbox.messages()
            if "traitée" in m.subject
        )
        for w in (batched, alone)
    ]
    assert texts[0] == texts[1]
    assert sum("Code de commerce L123-22" in text for _, text in texts[0]) == 2
    assert len(list(batched.outbox.folder.glob("*.mbox"))) == 2  # two batches of 2 and 1
    assert not list(alone.outbox.folder.glob("*.mbox"))


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


def test_requests_that_cannot_run_are_listed_and_other_types_run_in_the_given_order(
    world: World,
) -> None:
    erase_marie = verified(world.workflow, "email:marie@example.fr")
    access_paul = world.workflow.receive("access", "email:paul@example.fr", "email").ref
    world.workflow.confirm_identity(access_paul, "test: identity checked by hand")
    waiting = world.workflow.receive("erasure", "email:lea@example.fr", "email").ref

    told: list[tuple[int, int]] = []
    done = run_erasures(
        world.workflow,
        [access_paul, "R-NOSUCH1", waiting, erase_marie],
        batch_size=2,
        progress=lambda handled, total: told.append((handled, total)),
    )

    assert [r.request.ref for r in done.results] == [access_paul, erase_marie]
    assert told == [(2, 4), (4, 4)]  # after each batch (what the CLI's progress bar shows)
    assert [r.request.status for r in done.results] == [RequestStatus.COMPLETED] * 2
    # The access request ran as it would alone: Paul's package, not an erasure.
    assert world.workflow.output_dir / access_paul / "access.zip" in done.results[0].files
    assert paul_row_count(world) == 1
    assert dict(done.not_run) == {
        "R-NOSUCH1": "no request R-NOSUCH1",
        waiting: f"{waiting} is received: confirm the identity first (send-code, verify)",
    }
    again = run_erasures(world.workflow, [erase_marie])
    assert again.results == ()
    assert again.not_run == ((erase_marie, f"{erase_marie} is completed; nothing to run"),)


def paul_row_count(world: World) -> int:
    return sum(1 for row in snapshot(world.shop_url)["customers"] if "Paul" in str(row))


@pytest.mark.parametrize("when", ["datasets", "ledger", "vault", "reports"])
def test_a_batch_killed_at_any_phase_reruns_to_the_end_state_of_an_uninterrupted_one(
    tmp_path: Path, any_shop_url: str, when: str
) -> None:
    twin_dir, crash_dir = tmp_path / "twin", tmp_path / "crash"
    twin_dir.mkdir()
    crash_dir.mkdir()
    twin_url = f"sqlite:///{twin_dir / 'shop.db'}"
    create_shop(twin_url)
    twin = make_world(twin_dir, twin_url)
    twin_refs = [verified(twin.workflow, p) for p in PEOPLE]
    assert all(
        r.request.status is RequestStatus.COMPLETED
        for r in run_erasures(twin.workflow, twin_refs).results
    )

    world = make_world(crash_dir, any_shop_url)
    world.ledger.give_consent("email:marie@example.fr", "marketing")
    marie_ref = world.ledger.state("email:marie@example.fr").subject_ref
    assert marie_ref is not None
    item = world.vault.put(person_owner(marie_ref), ItemKind.SUPPORT_MESSAGE, b"Bonjour")
    allowed_before = world.ledger.decide("email:marie@example.fr", "marketing", ["contact"])
    refs = [verified(world.workflow, p) for p in PEOPLE]
    world.workflow.ledger.close()
    run_self_killing(
        "tests.requests.crashing_batch_worker", str(crash_dir), any_shop_url, when, *refs
    )

    world = make_world(crash_dir, any_shop_url)
    assert {world.workflow.get(r).status for r in refs} == {RequestStatus.RUNNING}
    again = run_erasures(world.workflow, refs)
    assert [r.request.status for r in again.results] == [RequestStatus.COMPLETED] * 3, again
    assert _comparable(snapshot(any_shop_url)) == _comparable(snapshot(twin_url))
    assert [report(world, r)["kept"] for r in refs] == [report(twin, r)["kept"] for r in twin_refs]
    assert [report(world, r)["ledger"] for r in refs] == ["done"] * 3
    assert [report(world, r)["vault"] for r in refs] == [True] * 3
    for person in PEOPLE:
        assert not world.ledger.decide(person, "marketing", ["contact"]).allowed
    with pytest.raises(KeyDestroyedError):
        world.vault.get(item, decision=allowed_before)  # unreadable even with a yes
    # Each person is answered once, however many times the batch ran.
    assert len(world.outbox.messages("marie@example.fr")) == 1
    assert world.ledger.verify_audit().intact


def add_customers(url: str, ids: range) -> None:
    """More shop customers like Marie: an order, an invoice under the hold, a review."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table, rows in {
            "customers": [
                {"id": i, "email": f"c{i}@example.fr", "name": f"N{i}", "newsletter": True}
                for i in ids
            ],
            "orders": [
                {"id": i, "customer_id": i, "placed_at": "2025-03-02", "total": 10} for i in ids
            ],
            "invoices": [
                {
                    "id": i,
                    "order_id": i,
                    "issued_on": "2025-03-02",
                    "billed_name": f"N{i}",
                    "amount": 10,
                }
                for i in ids
            ],
            "reviews": [{"id": i, "customer_id": i, "body": "ok"} for i in ids],
        }.items():
            columns = ", ".join(rows[0])
            values = ", ".join(f":{c}" for c in rows[0])
            conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), rows)
    engine.dispose()


def test_a_batch_costs_the_same_number_of_statements_for_4_people_as_for_40(
    world: World,
) -> None:
    """Set-based: the statements a batch sends to each database do not grow with its size
    (one per table per phase; many rows are one executemany)."""
    add_customers(world.shop_url, range(2000, 2046))
    engines = {
        id(e): e
        for e in (
            world.workflow.engine,
            world.ledger.engine,
            world.vault.engine,
            *(d.engine for d in world.workflow.datasets),
        )
    }
    counted = [0]  # the last entry counts; the others are what came before

    def count(*_: object) -> None:
        counted[-1] += 1

    for engine in engines.values():
        sa.event.listen(engine, "before_cursor_execute", count)
    sizes = {}
    start = 2000
    for size in (2, 4, 40):  # the first one warms up (the shop's schema is read once)
        counted.append(0)  # receiving the requests is not the batch's
        refs = [
            verified(world.workflow, f"email:c{i}@example.fr") for i in range(start, start + size)
        ]
        start += size
        counted.append(0)
        done = run_erasures(world.workflow, refs)
        assert [r.request.status for r in done.results] == [RequestStatus.COMPLETED] * size
        sizes[size] = counted[-1]
    assert sizes[40] == sizes[4], sizes
    kept = [k for r in refs for k in report(world, r)["kept"]]
    assert len(kept) == 40  # and each of the 40 reports names its own invoice


class _WatchingCollector(DatasetEngine):
    """The real dataset engine, noting whether the cyclic collector runs while it erases."""

    collecting: ClassVar[list[bool]] = []

    def erase_batch(self, *args: Any, **kwargs: Any) -> Any:
        self.collecting.append(gc.isenabled())
        return super().erase_batch(*args, **kwargs)


def test_the_cyclic_collector_is_paused_during_a_batch_and_resumed_after(
    tmp_path: Path, shop_url: str
) -> None:
    """A batch keeps many objects alive; the collector would walk them again and again
    (bench/RESULTS.md). It is paused per batch and resumed as the application had it."""
    world = make_world(tmp_path, shop_url, engine_factory=_WatchingCollector)
    refs = [verified(world.workflow, p) for p in PEOPLE]
    _WatchingCollector.collecting.clear()
    assert gc.isenabled()

    run_erasures(world.workflow, refs, batch_size=2)

    assert _WatchingCollector.collecting == [False, False]  # two batches, both paused
    assert gc.isenabled()


def test_an_application_that_manages_the_collector_itself_keeps_it_as_it_set_it(
    tmp_path: Path, shop_url: str
) -> None:
    world = make_world(tmp_path, shop_url)
    refs = [verified(world.workflow, p) for p in PEOPLE]
    gc.disable()
    try:
        run_erasures(world.workflow, refs, batch_size=2)
        assert not gc.isenabled()  # not turned on behind the application's back
    finally:
        gc.enable()
