"""Errors of the request workflow, each saying what to do next."""

from __future__ import annotations

from gardien.errors import GardienError


class RequestError(GardienError):
    """A request cannot do what was asked in its current state."""

    code = "request_error"


class UnknownRequestError(RequestError):
    code = "unknown_request"

    def __init__(self, ref: str) -> None:
        super().__init__(f"no request {ref!r}; `gardien request list` shows them")
        self.ref = ref


class ReportNotFoundError(RequestError):
    """The request has no erasure report: another type, or it never ran (HTTP 404)."""

    code = "not_found"


class InvalidTransitionError(RequestError):
    """The status does not allow the action (e.g. running a request whose identity is pending)."""

    code = "invalid_transition"


class ExtensionNotAllowedError(RequestError):
    """An extension the law does not allow (GDPR art. 12(3))."""

    code = "extension_not_allowed"


class IdentityNotConfirmedError(RequestError):
    """The code typed back does not confirm the identity (GDPR art. 12(6))."""

    code = "identity_not_confirmed"
