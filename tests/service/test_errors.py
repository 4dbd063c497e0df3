"""Every error leaves the service as ``{"error": {"code", "message", "details"}}``."""

from __future__ import annotations

from tests.service.world import World


def _error(response_json: object) -> dict[str, object]:
    assert isinstance(response_json, dict)
    error = response_json["error"]
    assert isinstance(error, dict)
    assert set(error) == {"code", "message", "details"}
    return error


def test_an_unknown_path_is_a_json_404(world: World) -> None:
    response = world.client.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert _error(response.json())["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(world: World) -> None:
    response = world.client.delete("/api/v1/notice")
    assert response.status_code == 405
    assert _error(response.json())["code"] == "method_not_allowed"


def test_invalid_query_values_are_a_422_naming_the_field(world: World) -> None:
    response = world.client.get("/api/v1/notice", params={"lang": "de"})
    assert response.status_code == 422
    error = _error(response.json())
    assert error["code"] == "invalid_request"
    details = error["details"]
    assert isinstance(details, list)
    assert details[0]["field"] == "query.lang"


def test_a_missing_key_is_a_401_with_a_bearer_challenge(world: World) -> None:
    response = world.client.get("/api/v1/audit/verify")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert _error(response.json())["code"] == "unauthenticated"
