"""Erasure of a shop customer on SQLite, PostgreSQL and MariaDB: what goes, what a hold keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.requests import (
    RefusalReason,
    RequestError,
    RequestStatus,
    UnknownRequestError,
    erasure_report,
    run,
    write_erasure_report,
)
from gardien.requests.erasure import report_html
from gardien.requests.holds import merge
from gardien.requests.workflow import RequestWorkflow
from gardien.vault import ItemKind, KeyDestroyedError, person_owner
from tests.requests.world import World, make_world, snapshot


def verified(workflow: RequestWorkflow, kind: str, subject: str, **kw: object) -> str:
    request = workflow.receive(kind, subject, "email", **kw)  # type: ignore[arg-type]
    workflow.confirm_identity(request.ref, "test: identity checked by hand")
    return request.ref


def test_the_erasure_report_lists_the_invoices_kept_ten_years_under_l123_22(
    tmp_path: Path, any_shop_url: str
) -> None:
    world = make_world(tmp_path, any_shop_url)
    ref = verified(world.workflow, "erasure", "email:marie@example.fr")
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.COMPLETED, result.steps
    closed_at = world.clock()
    world.clock.advance(days=3)  # asked for later: the report is as of the closing
    written = write_erasure_report(world.workflow, ref)
    assert [p.name for p in written] == ["erasure-report.json", "erasure-report.html"]
    assert written[0].parent == tmp_path / "requests" / ref
    report = json.loads(written[0].read_text())
    assert report["status"] == "completed"
    assert report["as_of"] == closed_at.isoformat()
    assert not list(written[0].parent.glob("*.partial"))
    kept = report["kept"]
    assert [(k["table"], k["law"], k["rows"]) for k in kept] == [
        ("invoices", "Code de commerce L123-22", 1)
    ]
    # Issued in 2025: the financial year ends on 31 December 2025, plus ten years.
    assert kept[0]["until"] == "2035-12-31"
    html = written[1].read_text()
    assert "Code de commerce L123-22" in html
    assert "Factures" in html
    assert "31 décembre 2035" in html
    assert "État de votre demande : Traitée</strong>" in html
    # The answer says it too (art. 12(4): what is not erased, and why), with no personal data.
    answer = world.outbox.latest("marie@example.fr")
    assert answer is not None
    assert (
        "Ce que la loi nous oblige à conserver, et que nous ne conservons que pour cette"
        in answer.text
    )
    assert (
        "- Factures (Code de commerce L123-22) : 1 ligne, effacée au plus tard le 31/12/2035"
        in answer.text
    )
    assert "Marie" not in answer.text
    assert "former un recours juridictionnel (articles 12(4), 77 et 79 du RGPD)" in answer.text
    assert "(au 25 novembre 2026)" in html  # the day it closed, not the day it was asked for
    # Art. 19: the recipients are named as those the controller tells, not claimed as told
    # (seed 001 names none; a policy with a payment processor would).
    request, data = erasure_report(world.workflow, ref)
    told = report_html(world.workflow, request, data | {"recipients_to_notify": ["Stripe (US)"]})
    assert "Destinataires à qui nous communiquons votre effacement (article 19)" in told
    assert "<li>Stripe (US)</li>" in told
    request, data = erasure_report(world.workflow, ref)
    assert data == report  # the same report each time it is asked for
    english = report_html(world.workflow, request, data, "en")
    assert "December 31, 2035" in english
    assert "What the law requires us to keep" in english


def test_erasure_removes_the_person_keeps_the_invoice_and_touches_no_one_else(
    tmp_path: Path, any_shop_url: str
) -> None:
    world = make_world(tmp_path, any_shop_url)
    before = snapshot(any_shop_url)
    ref = verified(world.workflow, "erasure", "email:MARIE@example.fr")
    run(world.workflow, ref)
    after = snapshot(any_shop_url)
    assert [r[0] for r in after["customers"]] in ([2, 3], [1, 2, 3])
    assert [r for r in after["customers"] if r[0] != 1] == [
        r for r in before["customers"] if r[0] != 1
    ]
    marie = [r for r in after["customers"] if r[0] == 1]
    assert all("Marie" not in str(v) and "marie" not in str(v).lower() for r in marie for v in r)
    assert [r[0] for r in after["reviews"]] == [1001]
    assert [r[0] for r in after["invoices"]] == [100, 200]
    assert after["invoices"] == before["invoices"]  # held columns untouched
    assert [r for r in after["orders"] if r[1] != 1] == [r for r in before["orders"] if r[1] != 1]
    assert 11 not in [r[0] for r in after["orders"]]  # the order without invoice is gone


def test_decisions_deny_after_erasure(world: World) -> None:
    world.ledger.give_consent("email:marie@example.fr", "marketing")
    assert world.ledger.decide("email:marie@example.fr", "marketing", ["contact"]).allowed
    ref = verified(world.workflow, "erasure", "email:marie@example.fr")
    run(world.workflow, ref)
    decision = world.ledger.decide("email:marie@example.fr", "marketing", ["contact"])
    assert not decision.allowed
    assert not world.ledger.decide("email:marie@example.fr", "orders", ["identity"]).allowed


def test_an_unknown_person_is_erased_everywhere_with_nothing_to_do(world: World) -> None:
    before = snapshot(world.shop_url)
    ref = verified(world.workflow, "erasure", "email:nobody@example.fr")
    result = run(world.workflow, ref)
    assert result.request.status is RequestStatus.COMPLETED
    assert snapshot(world.shop_url) == before
    assert not world.ledger.decide("email:nobody@example.fr", "marketing", ["contact"]).allowed


def test_the_dry_run_shows_rows_and_columns_and_changes_nothing(world: World) -> None:
    before = snapshot(world.shop_url)
    ref = verified(world.workflow, "erasure", "email:marie@example.fr")
    preview = run(world.workflow, ref, dry_run=True)
    assert preview.dry_run
    assert snapshot(world.shop_url) == before
    assert world.workflow.get(ref).status is RequestStatus.VERIFIED
    (shop,) = [s for s in preview.steps if s.step == "dataset:shop"]
    tables = shop.result["tables"]
    assert isinstance(tables, dict)
    # Marie's customer row stays (her invoice's order refers to it) but is masked.
    assert tables["customers"]["counts"]["updated"] == 1  # type: ignore[index]
    assert "email: mask" in tables["customers"]["columns"]  # type: ignore[index]
    assert tables["orders"]["counts"]["deleted"] == 1  # type: ignore[index]
    assert tables["reviews"]["counts"]["deleted"] == 1  # type: ignore[index]
    assert tables["invoices"]["counts"]["held"] == 1  # type: ignore[index]
    result = run(world.workflow, ref)
    (done,) = [s for s in result.steps if s.step == "dataset:shop"]
    planned = {t: e["counts"] for t, e in tables.items()}  # type: ignore[union-attr]
    assert done.result["counts"] == planned


def test_running_a_completed_erasure_again_is_refused_and_a_second_request_changes_nothing(
    world: World,
) -> None:
    first = verified(world.workflow, "erasure", "email:marie@example.fr")
    run(world.workflow, first)
    after_first = snapshot(world.shop_url)
    second = verified(world.workflow, "erasure", "email:marie@example.fr")
    result = run(world.workflow, second)
    assert result.request.status is RequestStatus.COMPLETED
    assert snapshot(world.shop_url) == after_first


def test_a_request_under_a_customer_number_reaches_the_same_rows(world: World) -> None:
    request = world.workflow.receive("erasure", "customer:2", "postal", contact="paul@example.fr")
    world.workflow.confirm_identity(request.ref, "signed letter, customer number checked")
    before = snapshot(world.shop_url)
    result = run(world.workflow, request.ref)
    assert result.request.status is RequestStatus.COMPLETED, result.steps
    after = snapshot(world.shop_url)
    paul = [r for r in after["customers"] if r[0] == 2]
    assert all("Paul" not in str(v) and "paul@" not in str(v) for r in paul for v in r)
    assert [r for r in after["customers"] if r[0] != 2] == [
        r for r in before["customers"] if r[0] != 2
    ]
    answered = world.outbox.latest("paul@example.fr")
    assert answered is not None
    assert request.ref in answered.subject


def test_erasure_crypto_shreds_the_persons_vault_items_and_says_so(world: World) -> None:
    world.ledger.give_consent("email:marie@example.fr", "marketing")
    ref = world.ledger.state("email:marie@example.fr").subject_ref
    assert ref is not None
    item = world.vault.put(person_owner(ref), ItemKind.SUPPORT_MESSAGE, b"Bonjour, c'est Marie")
    allowed_before = world.ledger.decide("email:marie@example.fr", "marketing", ["contact"])
    assert allowed_before.allowed
    assert world.vault.get(item, decision=allowed_before).content == b"Bonjour, c'est Marie"
    request = verified(world.workflow, "erasure", "email:marie@example.fr")
    result = run(world.workflow, request)
    assert result.request.status is RequestStatus.COMPLETED, result.steps
    with pytest.raises(KeyDestroyedError):
        world.vault.get(item, decision=allowed_before)
    shown, report = erasure_report(world.workflow, request)
    assert report["vault"] == {"shredded": True, "already": False, "status": "done", "error": None}
    html = report_html(world.workflow, shown, report)
    assert "illisibles partout, y compris dans les sauvegardes" in html


def test_only_an_erasure_that_ran_has_a_report(world: World) -> None:
    access = verified(world.workflow, "access", "email:marie@example.fr")
    with pytest.raises(RequestError, match="only an erasure has an erasure report"):
        erasure_report(world.workflow, access)
    waiting = verified(world.workflow, "erasure", "email:paul@example.fr")
    with pytest.raises(RequestError, match="has not run yet"):
        write_erasure_report(world.workflow, waiting)
    assert not (world.workflow.output_dir / waiting).exists()  # nothing half written
    with pytest.raises(UnknownRequestError):
        erasure_report(world.workflow, "R-NOSUCH00")
    pending = world.workflow.receive("erasure", "email:lea@example.fr", "email").ref
    with pytest.raises(RequestError, match="identity must be confirmed first"):
        erasure_report(world.workflow, pending)
    world.workflow.refuse(pending, RefusalReason.MANIFESTLY_UNFOUNDED, "")
    with pytest.raises(RequestError, match="it was refused without running"):
        erasure_report(world.workflow, pending)


def test_the_answer_in_english_says_what_the_law_keeps_and_a_person_without_any_gets_none(
    world: World,
) -> None:
    ref = verified(world.workflow, "erasure", "email:marie@example.fr", lang="en")
    run(world.workflow, ref)
    answer = world.outbox.latest("marie@example.fr")
    assert answer is not None
    assert "What the law requires us to keep, which we keep for that purpose only" in (answer.text)
    assert "- Invoices (Code de commerce L123-22): 1 row, erased by 31/12/2035 at the latest" in (
        answer.text
    )
    nobody = verified(world.workflow, "erasure", "email:nobody@example.fr")
    run(world.workflow, nobody)
    plain = world.outbox.latest("nobody@example.fr")
    assert plain is not None
    assert "a été traitée entièrement" in plain.text
    assert "conserver" not in plain.text
    assert "réclamation" not in plain.text  # nothing withheld: nothing to complain of


def test_a_dataset_finished_by_hand_closes_the_erasure_and_its_report_says_so(
    world: World,
) -> None:
    with sa.create_engine(world.shop_url).begin() as conn:
        conn.execute(sa.text("ALTER TABLE reviews RENAME TO reviews_gone"))
    ref = verified(world.workflow, "erasure", "email:marie@example.fr")
    assert run(world.workflow, ref).request.status is RequestStatus.PARTIAL
    done = world.workflow.complete(ref, "shop rows erased by hand")
    assert done.status is RequestStatus.COMPLETED
    request, data = erasure_report(world.workflow, ref)
    assert data["completed_by_hand"] is True
    html = report_html(world.workflow, request, data)
    assert "terminé à la main" in html
    assert "a été terminé à la main par notre délégué à la protection des données" in html
    assert "pas encore entièrement traitée" not in html
    answers = [m for m in world.outbox.messages("marie@example.fr") if ref in m.subject]
    assert "traitée en partie" in answers[-2].text
    assert "traitée entièrement" in answers[-1].text


def test_holds_merged_keep_the_most_rows_and_the_latest_end_and_an_unknown_end_wins() -> None:
    first = {"dataset": "shop", "table": "invoices", "hold": "invoices", "rows": 2}
    assert merge(
        [{**first, "until": "2035-12-31"}], [{**first, "rows": 1, "until": "2036-12-31"}]
    ) == [{**first, "until": "2036-12-31"}]
    assert merge([{**first, "until": None}], [{**first, "until": "2036-12-31"}]) == [
        {**first, "until": None}
    ]
