"""The DPO console over real HTTP: admin sign-in, requests by deadline, actions, chart, audit."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from gardien.requests.model import RequestType
from gardien.service import Scope
from tests.service.portal_flow import csrf_of
from tests.service.world import World


def _sign_in(world: World, *scopes: Scope) -> str:
    page = world.client.get("/console")
    signed = world.client.post(
        "/console/signin",
        data={"csrf": csrf_of(page.text), "api_key": world.key(*scopes)},
    )
    return signed.text


def test_the_console_asks_for_an_admin_key(world: World) -> None:
    page = world.client.get("/console")
    assert 'name="api_key"' in page.text
    refused = _sign_in(world, Scope.DECISIONS)
    assert "n'a pas la portée admin" in html.unescape(refused)
    assert 'name="api_key"' in world.client.get("/console").text


def test_requests_are_sorted_by_deadline_with_overdue_ones_highlighted(world: World) -> None:
    workflow = world.app.state.gardien.requests
    now = datetime.now(UTC)
    late = workflow.receive(
        RequestType.ERASURE, "email:late@example.fr", received_at=now - timedelta(days=45)
    )
    soon = workflow.receive(
        RequestType.ACCESS, "email:soon@example.fr", received_at=now - timedelta(days=20)
    )
    fresh = workflow.receive(RequestType.ACCESS, "email:fresh@example.fr", received_at=now)
    page = _sign_in(world, Scope.ADMIN)
    refs = re.findall(r'href="/console/requests/([^"]+)"', page)
    assert refs == [late.ref, soon.ref, fresh.ref]
    overdue_rows = re.findall(
        r'<tr class="overdue">\s*<td><a href="/console/requests/([^"]+)"', page
    )
    assert overdue_rows == [late.ref]
    assert "<svg" in page
    assert 'role="img"' in page


def test_the_dpo_confirms_identity_extends_and_refuses_a_request(world: World) -> None:
    workflow = world.app.state.gardien.requests
    received = workflow.receive(RequestType.ACCESS, "email:marie@example.fr")
    home = _sign_in(world, Scope.ADMIN)
    csrf = csrf_of(home)
    base = f"/console/requests/{received.ref}"
    verified = world.client.post(
        f"{base}/verify", data={"csrf": csrf, "how": "passport seen at the shop"}
    )
    assert verified.status_code == 200
    assert workflow.get(received.ref).status.value == "verified"

    world.client.post(f"{base}/extend", data={"csrf": csrf, "reason": "many datasets", "months": 1})
    extended = workflow.get(received.ref)
    assert extended.extended_months == 1
    assert extended.due_at > received.due_at

    world.client.post(
        f"{base}/refuse", data={"csrf": csrf, "reason": "manifestly_excessive", "note": "tenth"}
    )
    assert workflow.get(received.ref).status.value == "refused"


def test_a_workflow_error_is_shown_on_the_page_not_as_a_crash(world: World) -> None:
    workflow = world.app.state.gardien.requests
    received = workflow.receive(RequestType.ACCESS, "email:marie@example.fr")
    csrf = csrf_of(_sign_in(world, Scope.ADMIN))
    response = world.client.post(
        f"/console/requests/{received.ref}/complete", data={"csrf": csrf, "note": "done"}
    )
    assert response.status_code == 409
    assert 'role="alert"' in response.text
    assert "only a partial, failed or stuck run is closed by hand" in response.text


def test_a_problem_in_the_url_is_not_shown(world: World) -> None:
    workflow = world.app.state.gardien.requests
    received = workflow.receive(RequestType.ACCESS, "email:marie@example.fr")
    _sign_in(world, Scope.ADMIN)
    page = world.client.get(
        f"/console/requests/{received.ref}", params={"problem": "Call +33 1 23 45 67 89 now"}
    )
    assert "Call +33" not in page.text


def test_revoking_the_key_ends_the_console_session(world: World) -> None:
    from gardien.service import revoke_key

    engine = world.app.state.gardien.engine
    page = world.client.get("/console")
    token = world.key(Scope.ADMIN)
    world.client.post("/console/signin", data={"csrf": csrf_of(page.text), "api_key": token})
    assert "console/register" in world.client.get("/console").text
    revoke_key(engine, token.split("_")[1])
    assert 'name="api_key"' in world.client.get("/console").text
    assert world.client.get("/console/audit", follow_redirects=False).status_code == 303


def test_register_notice_and_audit_pages(world: World) -> None:
    _sign_in(world, Scope.ADMIN)
    assert world.client.get("/console/register").status_code == 200
    assert world.client.get("/console/notice").status_code == 200
    audit = world.client.get("/console/audit")
    assert "Intact" in audit.text


def test_the_dpo_opens_the_package_and_the_erasure_report_from_the_console(world: World) -> None:
    workflow = world.app.state.gardien.requests
    access = workflow.receive(RequestType.ACCESS, "email:marie@example.fr")
    erasure = workflow.receive(RequestType.ERASURE, "email:paul@example.fr", lang="en")
    for ref in (access.ref, erasure.ref):
        workflow.confirm_identity(ref, "test: identity checked by hand")
    report_url = f"/console/requests/{erasure.ref}/erasure-report"
    package_url = f"/console/requests/{access.ref}/package"
    for url in (report_url, package_url):  # not without a signed-in admin session
        refused = world.client.get(url, follow_redirects=False)
        assert refused.status_code in (302, 303), refused.status_code
    csrf = csrf_of(_sign_in(world, Scope.ADMIN))
    page = world.client.get(f"/console/requests/{erasure.ref}").text
    assert report_url not in page  # not run yet: no report to open
    for ref in (access.ref, erasure.ref):
        world.client.post(f"/console/requests/{ref}/run", data={"csrf": csrf})
    assert f'href="{package_url}"' in world.client.get(f"/console/requests/{access.ref}").text
    package = world.client.get(package_url)
    assert package.status_code == 200
    assert package.content[:2] == b"PK"
    assert f'href="{report_url}"' in world.client.get(f"/console/requests/{erasure.ref}").text
    report = world.client.get(report_url)
    assert report.status_code == 200
    assert "Erasure of your data" in report.text  # the person's language
    assert "recorded as erased" in report.text
    other = world.client.get(f"/console/requests/{access.ref}/erasure-report")
    assert other.status_code == 404
