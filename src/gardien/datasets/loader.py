"""Loading a dataset declaration: every problem at once, each located, never a traceback.

Structure is checked by pydantic; references (link ends, hold ids, categories) are checked
against the declaration itself and, when given, the policy whose taxonomy and legal holds it uses.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from gardien.datasets.declaration import ColumnErasure, Dataset, split_ref
from gardien.datasets.errors import DatasetFileError
from gardien.errors import PolicyProblem
from gardien.policy.model import Policy
from gardien.policy.references import suggest
from gardien.policy.taxonomy import BUILTIN_BY_ID
from gardien.policy.yaml_source import LocatedDocument, load_located


def load_dataset(path: str | FsPath, policy: Policy | None = None) -> Dataset:
    """Load and validate a declaration file, or raise :class:`DatasetFileError`."""
    file = str(path)
    try:
        text = FsPath(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetFileError(
            [PolicyProblem((), f"cannot read the file: {exc}", file)], file=file
        ) from None
    return parse_dataset(text, file, policy)


def parse_dataset(text: str, file: str = "<dataset>", policy: Policy | None = None) -> Dataset:
    """Validate declaration text; see :func:`load_dataset`."""
    doc = load_located(text, file)
    problems = list(doc.problems)
    dataset: Dataset | None = None
    if doc.data is not None and not isinstance(doc.data, dict):
        problems.append(
            doc.problem(
                (),
                "the top level must be a mapping",
                expected="a mapping that starts with `gardien_dataset: 1`",
            )
        )
    elif doc.data is not None:
        try:
            dataset = Dataset.model_validate(doc.data)
        except ValidationError as exc:
            problems += [_located(error, doc) for error in exc.errors()]
    if dataset is not None:
        problems += check_dataset(dataset, doc, policy)
    if problems or dataset is None:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise DatasetFileError(problems, file=file)
    return dataset


def _located(error: Any, doc: LocatedDocument) -> PolicyProblem:
    path: list[str | int] = []
    current = doc.data
    for part in error["loc"]:
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
        if in_dict or in_list:
            path.append(part)
            current = current[part]
        elif isinstance(part, str) and part.isidentifier() and error["type"] == "missing":
            return doc.problem(tuple(path), f"required field `{part}` is missing")
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = f"unknown field `{path[-1]}`"
        return doc.problem(tuple(path), message, key=True)
    if error["type"] in ("enum", "literal_error"):
        expected = str((error.get("ctx") or {}).get("expected", ""))
        return doc.problem(
            tuple(path),
            f"{error.get('input')!r} is not allowed here",
            expected=f"one of {expected}",
        )
    if error["type"] == "value_error":
        message = str((error.get("ctx") or {}).get("error", message))
    return doc.problem(tuple(path), message)


def check_dataset(
    dataset: Dataset, doc: LocatedDocument | None = None, policy: Policy | None = None
) -> list[PolicyProblem]:
    """Problems that relate one part of the declaration to another, or to the policy."""

    def problem(path: tuple[str | int, ...], message: str, **kw: Any) -> PolicyProblem:
        if doc is not None:
            return doc.problem(path, message, **kw)
        return PolicyProblem(path, message, **kw)

    problems: list[PolicyProblem] = []
    taxonomy = set(policy.taxonomy) if policy else set(BUILTIN_BY_ID)
    holds = policy.hold_by_id if policy else {}
    for tname, table in dataset.tables.items():
        for cname, column in table.columns.items():
            here: tuple[str | int, ...] = ("tables", tname, "columns", cname)
            for i, category in enumerate(column.categories):
                if category not in taxonomy:
                    problems.append(
                        problem(
                            (*here, "categories", i),
                            f"unknown category {category!r}",
                            suggestion=suggest(category, taxonomy),
                        )
                    )
            if column.event is not None and column.event not in table.columns:
                problems.append(
                    problem(
                        (*here, "event"),
                        f"the event column {column.event!r} is not declared in table {tname!r}",
                    )
                )
            if column.hold and policy is not None and column.hold not in holds:
                problems.append(
                    problem(
                        (*here, "hold"),
                        f"unknown legal hold {column.hold!r}",
                        suggestion=suggest(column.hold, holds),
                    )
                )
            if (
                column.erasure is ColumnErasure.HASH
                and column.identity is None
                and not (column.categories)
            ):
                problems.append(
                    problem((*here, "erasure"), "a hashed column should declare its categories")
                )
    for i, link in enumerate(dataset.links):
        for side in ("child", "parent"):
            ref = getattr(link, side)
            table_ref, _ = split_ref(ref)
            if table_ref not in dataset.tables:
                problems.append(
                    problem(
                        ("links", i, side),
                        f"the table {table_ref!r} is not declared",
                        suggestion=suggest(table_ref, dataset.tables),
                    )
                )
    return problems
