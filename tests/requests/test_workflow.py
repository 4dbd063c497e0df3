"""The workflow end to end: received, code through the outbox, verified, run, audited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.audit import entries_about
from gardien.requests import (
    IdentityNotConfirmedError,
    InvalidTransitionError,
    RefusalReason,
    RequestError,
    RequestStatus,
    run,
)
from gardien.requests.execution import finish, prepare
from gardien.requests.handlers import HANDLERS
from gardien.storage import read_transaction
from gardien.storage.tables import audit_entries
from tests.requests.world import World


def code_from_outbox(world: World, to: str) -> str:
    message = world.outbox.latest(to)
    assert message is not None
    found = re.search(r"\b(\d{6})\b", message.text)
    assert found is not None
    return found.group(1)


def test_an_erasure_goes_from_received_to_completed_with_the_code_of_the_outbox(
    world: World,
) -> None:
    workflow = world.workflow
    request = workflow.receive("erasure", "email:marie@example.fr", "email")
    assert request.status is RequestStatus.RECEIVED
    workflow.send_code(request.ref)
    assert workflow.get(request.ref).status is RequestStatus.IDENTITY_PENDING
    verified = workflow.verify(request.ref, code_from_outbox(world, "marie@example.fr"))
    assert verified.status is RequestStatus.VERIFIED
    result = run(workflow, request.ref)
    assert result.request.status is RequestStatus.COMPLETED, result.steps
    assert result.request.closed_at is not None
    assert {s.step for s in result.steps} >= {"dataset:shop", "ledger:erasure"}
    answered = world.outbox.latest("marie@example.fr")
    assert answered is not None
    assert request.ref in answered.subject


def test_a_wrong_code_does_not_verify_and_is_audited(world: World) -> None:
    workflow = world.workflow
    request = workflow.receive("access", "email:marie@example.fr", "portal")
    workflow.send_code(request.ref)
    right = code_from_outbox(world, "marie@example.fr")
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with pytest.raises(IdentityNotConfirmedError, match="wrong"):
        workflow.verify(request.ref, wrong)
    assert workflow.get(request.ref).status is RequestStatus.IDENTITY_PENDING
    with read_transaction(world.ledger.engine) as conn:
        from gardien.storage.tables import audit_entries

        types = [r.event_type for r in conn.execute(audit_entries.select())]
    assert "request.identity_check_failed" in types
    assert workflow.verify(request.ref, right).status is RequestStatus.VERIFIED


def test_a_request_cannot_run_before_the_identity_is_confirmed(world: World) -> None:
    request = world.workflow.receive("erasure", "email:marie@example.fr", "email")
    with pytest.raises(InvalidTransitionError, match="confirm the identity"):
        run(world.workflow, request.ref)


def test_a_refusal_gives_reasons_and_the_right_to_complain_and_closes(world: World) -> None:
    workflow = world.workflow
    request = workflow.receive("access", "email:paul@example.fr", "email")
    refused = workflow.refuse(
        request.ref, RefusalReason.MANIFESTLY_EXCESSIVE, "Cinquième demande identique ce mois-ci"
    )
    assert refused.status is RequestStatus.REFUSED
    assert refused.reason_code == "manifestly_excessive"
    assert refused.closed_at is not None
    message = world.outbox.latest("paul@example.fr")
    assert message is not None
    assert "manifestement excessive" in message.text
    assert "CNIL" in message.text
    assert "Cinquième demande" in message.text
    with pytest.raises(InvalidTransitionError):
        workflow.refuse(request.ref, RefusalReason.MANIFESTLY_UNFOUNDED)
    with pytest.raises(InvalidTransitionError):
        run(workflow, request.ref)


def test_every_transition_is_in_the_audit_trail_and_the_chain_is_intact(world: World) -> None:
    workflow = world.workflow
    world.ledger.give_consent("email:marie@example.fr", "marketing")
    request = workflow.receive("erasure", "email:marie@example.fr", "email")
    workflow.send_code(request.ref)
    workflow.verify(request.ref, code_from_outbox(world, "marie@example.fr"))
    run(workflow, request.ref)
    assert request.subject_ref is not None
    with read_transaction(world.ledger.engine) as conn:
        entries = entries_about(conn, request.subject_ref)
    changes = [(e.payload, e.event_type) for e in entries if e.event_type.startswith("request.")]
    statuses = [p for p, t in changes if t == "request.status_changed"]
    assert [re.search(r'"to_status":"(\w+)"', s).group(1) for s in statuses] == [  # type: ignore[union-attr]
        "identity_pending",
        "verified",
        "running",
        "completed",
    ]
    assert any(t == "person.erased" for t in (e.event_type for e in entries))
    assert world.ledger.verify_audit().intact
    assert all("marie" not in e.payload.lower() for e in entries)


def test_an_unknown_type_channel_or_ground_is_a_clear_error(world: World) -> None:
    from gardien.requests import RequestError

    with pytest.raises(RequestError, match="choose one of: access"):
        world.workflow.receive("forget-me", "email:a@example.fr")
    with pytest.raises(RequestError, match="unknown channel 'fax'"):
        world.workflow.receive("access", "email:a@example.fr", "fax")
    with pytest.raises(RequestError, match="restriction ground"):
        world.workflow.receive("restriction", "email:a@example.fr", ground="because")


def test_an_objection_to_an_unknown_purpose_suggests_the_right_one(world: World) -> None:
    from gardien.errors import UnknownReferenceError

    with pytest.raises(UnknownReferenceError, match="marketing"):
        world.workflow.receive("objection", "email:a@example.fr", purposes=["marketting"])


@pytest.mark.parametrize("store", ["postgres", "mariadb"])
def test_the_whole_workflow_with_gardien_itself_on_a_server(
    tmp_path: Path, shop_url: str, store: str
) -> None:
    from tests.requests.world import make_world
    from tests.support.services import fresh_database

    with fresh_database(store, tmp_path, "gardien") as url:
        _whole_workflow(make_world(tmp_path, shop_url, ledger_url=url))


def _whole_workflow(world: World) -> None:
    workflow = world.workflow
    world.ledger.give_consent("email:marie@example.fr", "marketing")
    access = workflow.receive("access", "email:marie@example.fr", "portal")
    workflow.send_code(access.ref)
    workflow.verify(access.ref, code_from_outbox(world, "marie@example.fr"))
    assert run(workflow, access.ref).request.status is RequestStatus.COMPLETED
    erasure = workflow.receive("erasure", "email:marie@example.fr", "email")
    workflow.confirm_identity(erasure.ref, "signed in")
    assert run(workflow, erasure.ref).request.status is RequestStatus.COMPLETED
    assert not world.ledger.decide("email:marie@example.fr", "marketing", ["contact"]).allowed
    assert [r.ref for r in workflow.requests_of("email:marie@example.fr")] == [
        access.ref,
        erasure.ref,
    ]
    assert world.ledger.verify_audit().intact
    world.ledger.close()


def test_the_dpo_closes_by_hand_a_run_left_stuck_and_the_person_is_told(world: World) -> None:
    workflow = world.workflow
    ref = workflow.receive("access", "email:marie@example.fr", "email").ref
    with pytest.raises(InvalidTransitionError, match="only a partial, failed or stuck run"):
        workflow.complete(ref, "done")
    workflow.confirm_identity(ref, "test: identity checked by hand")
    with pytest.raises(InvalidTransitionError, match="run it instead"):
        workflow.complete(ref, "done")
    stuck = prepare(workflow, ref)  # marked running; the DPO believes the process died
    with pytest.raises(RequestError, match="the note is empty"):
        workflow.complete(ref, "   ")
    assert workflow.get(ref).status is RequestStatus.RUNNING  # nothing changed by the errors
    done = workflow.complete(ref, " shop rows erased by hand ")
    assert done.status is RequestStatus.COMPLETED
    assert done.reason_code == "completed_by_hand"
    assert done.reason == "shop rows erased by hand"
    told = world.outbox.latest("marie@example.fr")
    assert told is not None
    assert ref in told.subject
    assert "entièrement" in told.text  # in full, not "in part"
    with pytest.raises(InvalidTransitionError, match="is completed"):
        workflow.complete(ref, "again")
    with read_transaction(world.ledger.engine) as conn:
        last = conn.execute(
            sa.select(audit_entries.c.payload).order_by(audit_entries.c.seq.desc()).limit(1)
        ).scalar_one()
    assert '"to_status":"completed"' in last
    assert "shop rows erased by hand" in last
    # The run was alive after all and ends now: the DPO's closing stands, no second answer.
    HANDLERS[stuck.request.type](stuck)
    late = finish(stuck)
    assert late.request.reason_code == "completed_by_hand"
    assert workflow.get(ref).reason == "shop rows erased by hand"
    answers = [m for m in world.outbox.messages("marie@example.fr") if ref in m.subject]
    assert len(answers) == 1


def test_an_erasure_is_not_closed_by_hand_before_gardien_has_erased_the_person(
    world: World,
) -> None:
    ref = world.workflow.receive("erasure", "email:marie@example.fr", "email").ref
    world.workflow.confirm_identity(ref, "test: identity checked by hand")
    prepare(world.workflow, ref)  # stuck before any step
    with pytest.raises(InvalidTransitionError, match="ledger:erasure, vault:shred not done"):
        world.workflow.complete(ref, "erased by hand")
    assert world.workflow.get(ref).status is RequestStatus.RUNNING
    assert run(world.workflow, ref).request.status is RequestStatus.COMPLETED
