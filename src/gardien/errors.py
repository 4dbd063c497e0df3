"""The one error hierarchy of Gardien.

Every error a person can cause (a bad policy file, an unknown purpose, a missing key) is a
subclass of :class:`GardienError`. Each carries a stable ``code`` that the CLI turns into an exit
status and the HTTP API into a JSON body, and a message written for a DPO, not for a debugger.
Only bugs produce tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class GardienError(Exception):
    """Base of every error Gardien reports to a person."""

    code: str = "gardien_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class PolicyProblem:
    """One thing wrong in a policy file, located as precisely as the file allows."""

    path: tuple[str | int, ...]
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    expected: str | None = None
    suggestion: str | None = None

    @property
    def field_path(self) -> str:
        """The dotted path of the field, e.g. ``purposes[2].legal_bases[0].basis``."""
        out = ""
        for part in self.path:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += f".{part}" if out else part
        return out or "(document)"

    @property
    def location(self) -> str:
        where = self.file or "<policy>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def render(self) -> str:
        text = f"{self.location}: {self.field_path}: {self.message}"
        if self.expected:
            text += f" (expected {self.expected})"
        if self.suggestion:
            text += f"; did you mean {self.suggestion}?"
        return text


@dataclass
class PolicyFileError(GardienError):
    """A policy file that cannot be used: every problem found, not only the first."""

    problems: list[PolicyProblem] = field(default_factory=list)
    file: str | None = None
    code = "invalid_policy"

    def __post_init__(self) -> None:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{self.file or 'policy'}: {count} {noun}")

    def __str__(self) -> str:
        lines = [self.message, *("  " + p.render() for p in self.problems)]
        return "\n".join(lines)


class ConfigurationError(GardienError):
    """Gardien cannot start: a setting, a key or a database is missing or wrong."""

    code = "configuration_error"


class UnknownReferenceError(GardienError):
    """A purpose, category or subject named at run time is not in the policy."""

    code = "unknown_reference"

    def __init__(self, kind: str, value: str, suggestion: str | None = None) -> None:
        message = f"unknown {kind} {value!r}"
        if suggestion:
            message += f"; did you mean {suggestion!r}?"
        super().__init__(message)
        self.kind = kind
        self.value = value
        self.suggestion = suggestion
