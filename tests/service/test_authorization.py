"""Authorization, for every route of the app's route table (a new route cannot be forgotten).

- Every API route needs a key: none is 401, a key without the route's scope is 403.
- Every portal page or form that is not in the short public list needs a signed-in person,
  and one person's session never reaches another's data.
- Every console page or form but sign-in needs a DPO signed in with an ``admin`` key.
- A route in none of these groups fails the first test: classify it before it ships.
"""

from __future__ import annotations

import re

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient

from gardien.service import Scope
from gardien.service.api.security import Requires
from tests.service.portal_flow import sign_in
from tests.service.world import ROUTE_TABLE, World

PUBLIC = {
    ("GET", "/api/v1/notice"),
    ("GET", "/api/v1/notice/versions"),
    ("GET", "/api/v1/notice/versions/{version_id}"),
    ("GET", "/banner.js"),
    ("POST", "/banner/consent"),
    ("OPTIONS", "/banner/consent"),
    ("GET", "/"),
    ("GET", "/notice"),
}
"""Public by design: the notice (GDPR art. 12(1)), and the banner pasted into other sites."""
PORTAL_PUBLIC = {
    ("GET", "/portal"),
    ("POST", "/portal/signin"),
    ("POST", "/portal/signin/code"),
    ("POST", "/portal/signout"),
    ("GET", "/portal/notice"),
    ("GET", "/portal/notice/versions/{version_id}"),
}
CONSOLE_PUBLIC = {("GET", "/console"), ("POST", "/console/signin"), ("POST", "/console/signout")}
FRAMEWORK = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}

FORM_VALUES = {
    "csrf": "x",
    "purpose": "marketing",
    "action": "withdraw",
    "type": "erasure",
    "details": "",
    "email": "someone@example.fr",
    "code": "123456",
    "api_key": "gdn_x_y",
    "how": "x",
    "reason": "manifestly_excessive",
    "note": "x",
    "months": "1",
    "dry_run": "false",
}
PATH_VALUES = {"ref": "R-NOTHING", "version_id": "1"}


def _scope(dependant: Dependant) -> Scope | None:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Requires):
            return dependency.call.scope
        found = _scope(dependency)
        if found is not None:
            return found
    return None


ROUTES = [(r.method, r.path, r) for r in ROUTE_TABLE]
API = [(m, p, _scope(r.dependant)) for m, p, r in ROUTES if _scope(r.dependant) is not None]
PORTAL_PRIVATE = [
    (m, p) for m, p, _ in ROUTES if p.startswith("/portal") and (m, p) not in PORTAL_PUBLIC
]
CONSOLE_PRIVATE = [
    (m, p) for m, p, _ in ROUTES if p.startswith("/console") and (m, p) not in CONSOLE_PUBLIC
]


def _url(path: str, **values: str) -> str:
    chosen = {**PATH_VALUES, **values}
    return re.sub(r"\{(\w+)\}", lambda m: chosen[m.group(1)], path)


def _call(client: TestClient, method: str, path: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return client.request(method, _url(path), follow_redirects=False, **kwargs)  # type: ignore[arg-type]


def test_every_route_is_classified() -> None:
    unclassified = [
        (m, p)
        for m, p, r in ROUTES
        if _scope(r.dependant) is None
        and (m, p) not in PUBLIC
        and not p.startswith(("/portal", "/console"))
        and p not in FRAMEWORK
    ]
    assert unclassified == []
    assert len(API) >= 15


@pytest.mark.parametrize(("method", "path", "scope"), API, ids=[f"{m} {p}" for m, p, _ in API])
def test_an_api_route_without_a_key_is_401(
    world: World, method: str, path: str, scope: Scope
) -> None:
    response = _call(world.client, method, path, json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(("method", "path", "scope"), API, ids=[f"{m} {p}" for m, p, _ in API])
def test_an_api_route_with_another_scope_is_403(
    world: World, method: str, path: str, scope: Scope
) -> None:
    others = [s for s in Scope if s not in (scope, Scope.ADMIN)]
    response = _call(world.client, method, path, json={}, headers=world.headers(*others))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("method", "path"), PORTAL_PRIVATE, ids=[f"{m} {p}" for m, p in PORTAL_PRIVATE]
)
def test_a_portal_route_without_a_signed_in_person_sends_to_sign_in(
    world: World, method: str, path: str
) -> None:
    data = FORM_VALUES if method == "POST" else None
    response = _call(world.client, method, path, data=data)
    assert response.status_code == 303
    assert response.headers["location"] == "/portal"


@pytest.mark.parametrize(
    ("method", "path"), CONSOLE_PRIVATE, ids=[f"{m} {p}" for m, p in CONSOLE_PRIVATE]
)
def test_a_console_route_without_an_admin_session_sends_to_sign_in(
    world: World, method: str, path: str
) -> None:
    data = FORM_VALUES if method == "POST" else None
    # A signed-in person of the portal is no DPO.
    sign_in(world.client, world.outbox, "marie@example.fr")
    response = _call(world.client, method, path, data=data)
    assert response.status_code == 303
    assert response.headers["location"] == "/console"


PERSONAL_GET = [p for m, p in PORTAL_PRIVATE if m == "GET"] + [
    p for m, p in PORTAL_PUBLIC if m == "GET"
]


def test_another_persons_session_reaches_none_of_marie_s_data(world: World) -> None:
    marie = world.client
    csrf = sign_in(marie, world.outbox, "marie@example.fr")
    marie.post("/portal/requests", data={"csrf": csrf, "type": "access"})
    marie.post("/portal/consents", data={"csrf": csrf, "purpose": "marketing", "action": "give"})
    ref = re.search(r'href="/portal/requests/(R-[^"/]+)"', marie.get("/portal").text)
    assert ref is not None
    paul = TestClient(world.app, raise_server_exceptions=False)
    sign_in(paul, world.outbox, "paul@example.fr")
    for path in PERSONAL_GET:
        response = paul.get(_url(path, ref=ref.group(1)), follow_redirects=False)
        assert "marie@example.fr" not in response.text, path
        if "{ref}" in path:
            assert response.status_code == 404, path
        else:
            assert ref.group(1) not in response.text, path
