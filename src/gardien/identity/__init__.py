"""Confirming who a person is before acting for them (GDPR art. 12(6)): one-time codes."""

from gardien.identity.codes import (
    CODE_LIFETIME,
    ISSUE_LIMIT,
    ISSUE_WINDOW,
    MAX_ATTEMPTS,
    CodeOutcome,
    IssuedCode,
    OneTimeCodes,
    TooManyCodesError,
    codes_key,
)
from gardien.identity.tables import identity_codes

__all__ = [
    "CODE_LIFETIME",
    "ISSUE_LIMIT",
    "ISSUE_WINDOW",
    "MAX_ATTEMPTS",
    "CodeOutcome",
    "IssuedCode",
    "OneTimeCodes",
    "TooManyCodesError",
    "codes_key",
    "identity_codes",
]
