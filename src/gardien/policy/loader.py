"""Loading a policy file: every problem at once, each located, never a traceback.

The steps are: read the bytes, parse YAML with positions, validate the structure with pydantic,
check references between sections; then report everything found, sorted by line.
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from gardien.errors import PolicyFileError, PolicyProblem
from gardien.policy.model import Policy
from gardien.policy.references import check_references, suggest
from gardien.policy.yaml_source import LocatedDocument, Path, load_located

_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def load_policy(path: str | FsPath) -> Policy:
    """Load and validate a policy file, or raise :class:`PolicyFileError` with all problems."""
    return load_policy_document(path)[0]


def load_policy_document(path: str | FsPath) -> tuple[Policy, LocatedDocument]:
    """Like :func:`load_policy`, also returning where each value sits (for lint findings)."""
    file = str(path)
    try:
        raw = FsPath(path).read_bytes()
    except FileNotFoundError:
        raise PolicyFileError([PolicyProblem((), "no such file", file)], file=file) from None
    except IsADirectoryError:
        raise PolicyFileError(
            [PolicyProblem((), "this is a folder, not a policy file", file)], file=file
        ) from None
    except OSError as exc:
        raise PolicyFileError(
            [PolicyProblem((), f"cannot read the file: {exc.strerror}", file)], file=file
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyFileError(
            [
                PolicyProblem(
                    (),
                    f"not UTF-8 text (byte {exc.start})",
                    file,
                    expected="a UTF-8 encoded YAML file",
                )
            ],
            file=file,
        ) from None
    return parse_policy_document(text, file)


def parse_policy(text: str, file: str = "<policy>") -> Policy:
    """Validate policy text; see :func:`load_policy`."""
    return parse_policy_document(text, file)[0]


def parse_policy_document(text: str, file: str = "<policy>") -> tuple[Policy, LocatedDocument]:
    """Validate policy text, returning the policy and its located source."""
    doc = load_located(text, file)
    problems = list(doc.problems)
    policy: Policy | None = None
    if doc.data is not None:
        if not isinstance(doc.data, dict):
            problems.append(
                doc.problem(
                    (),
                    f"the top level is a {type(doc.data).__name__}",
                    expected="a mapping that starts with `gardien: 1`",
                )
            )
        else:
            yaml_paths = {p.path for p in problems}
            try:
                policy = Policy.model_validate(doc.data)
            except ValidationError as exc:
                problems += [
                    p
                    for p in (_problem_from(error, doc) for error in exc.errors())
                    if p.path not in yaml_paths
                ]
            problems += check_references(doc)
    if problems or policy is None:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise PolicyFileError(_dedupe(problems), file=file)
    return policy, doc


def _dedupe(problems: list[PolicyProblem]) -> list[PolicyProblem]:
    seen: set[tuple[Path, str]] = set()
    out = []
    for p in problems:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            out.append(p)
    return out


def _data_path(loc: tuple[int | str, ...], data: Any) -> tuple[Path, bool]:
    """Keep only the parts of a pydantic ``loc`` that name real places in the data.

    Pydantic adds union and validator tags (``list[...]``, ``function-after[...]``) to locations.
    Returns the path and whether its last part is a key absent from the data.
    """
    path: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and isinstance(part, str):
            if part in current:
                path.append(part)
                current = current[part]
            elif _FIELD_NAME.match(part):
                path.append(part)
                return tuple(path), True
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
    return tuple(path), False


def _problem_from(error: ErrorDetails, doc: LocatedDocument) -> PolicyProblem:
    path, absent = _data_path(error["loc"], doc.data)
    kind = error["type"]
    ctx = error.get("ctx") or {}
    message = error["msg"]
    expected: str | None = None
    suggestion: str | None = None
    if kind == "missing":
        message = f"required field `{path[-1]}` is missing"
        return doc.problem(path[:-1], message) if absent else doc.problem(path, message)
    if kind == "extra_forbidden":
        allowed = _allowed_fields(path[:-1])
        name = path[-1]
        suggestion = suggest(name, allowed)
        return doc.problem(
            path,
            f"unknown field `{name}`",
            expected="one of " + ", ".join(f"`{a}`" for a in sorted(allowed)) if allowed else None,
            suggestion=suggestion,
            key=True,
        )
    if kind in ("enum", "literal_error"):
        expected = f"one of {ctx.get('expected')}"
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        suggestion = suggest(error.get("input"), choices)
        message = f"{error.get('input')!r} is not allowed here"
    elif kind == "string_pattern_mismatch":
        message = f"{error.get('input')!r} has the wrong form"
        expected = _pattern_hint(str(ctx.get("pattern", "")))
    elif kind.endswith("_type") or kind.endswith("_parsing"):
        expected = _TYPE_NAMES.get(kind, kind.replace("_parsing", "").replace("_type", ""))
        message = f"wrong type: {error.get('input')!r}"
    elif kind == "value_error":
        message = str(ctx.get("error", message))
    elif kind == "too_short":
        message = "must not be empty"
    return doc.problem(path, message, expected=expected, suggestion=suggestion)


_TYPE_NAMES = {
    "model_type": "a mapping of fields",
    "dict_type": "a mapping",
    "list_type": "a list",
    "string_type": "text (quote it if it looks like a number or a date)",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "date_type": "a date such as 2025-01-31",
    "date_parsing": "a date such as 2025-01-31",
    "date_from_datetime_parsing": "a date such as 2025-01-31",
}


def _pattern_hint(pattern: str) -> str:
    if pattern.startswith("^[a-z][a-z0-9_-]"):
        return "an id in lower case: letters, digits, '-' or '_', starting with a letter"
    if pattern.startswith("^[a-z][a-z0-9_]*(\\."):
        return "a category id such as `contact.email`"
    if pattern == "^[A-Z]{2}$":
        return "an ISO 3166 country code in capitals, e.g. FR"
    if pattern.startswith("^GDN"):
        return "a lint rule code such as GDN104"
    if pattern.startswith("^P"):
        return "an ISO 8601 duration such as P10Y or P13M"
    return f"text matching {pattern}"


def _allowed_fields(path: Path) -> list[str]:
    """The field names the model accepts at ``path``, for near-miss suggestions."""
    model: type[BaseModel] | None = Policy
    for part in path:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        model = _model_in(field.annotation) if field else None
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found:
                return found
    return None
