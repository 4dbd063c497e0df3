"""Signing a person in to the portal over HTTP, the way a browser does, for several tests."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from gardien.notify import Outbox

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_CODE = re.compile(r"\b(\d{6})\b")


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def latest_code(outbox: Outbox, email: str) -> str:
    message = outbox.latest(to=email)
    assert message is not None, f"no message to {email} in the outbox"
    found = _CODE.search(message.text)
    assert found, "the message carries no code"
    return found.group(1)


def sign_in(client: TestClient, outbox: Outbox, email: str) -> str:
    """Sign ``email`` in on ``client`` (its cookie jar keeps the session); returns the CSRF."""
    page = client.get("/portal")
    sent = client.post("/portal/signin", data={"csrf": csrf_of(page.text), "email": email})
    assert sent.status_code == 200, sent.text
    signed = client.post(
        "/portal/signin/code",
        data={"csrf": csrf_of(sent.text), "email": email, "code": latest_code(outbox, email)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    home = client.get("/portal")
    assert email in home.text
    return csrf_of(home.text)
