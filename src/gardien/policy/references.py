"""Checks that relate one part of a policy file to another: ids and references.

These run on the raw YAML data, not on the typed model, so that a file with both a type error
and a dangling reference gets both reported at once. Every check tolerates wrong shapes (those
are reported by the structural validation) and never raises.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any

from gardien.errors import PolicyProblem
from gardien.policy.taxonomy import BUILTIN_BY_ID
from gardien.policy.yaml_source import LocatedDocument, Path


def suggest(value: object, known: Iterable[str]) -> str | None:
    """The closest known word to a near-miss, formatted for a message."""
    if not isinstance(value, str):
        return None
    matches = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f"`{matches[0]}`" if matches else None


def _items(data: Any, section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    items = data.get(section) if isinstance(data, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _ids(data: Any, section: str, key: str = "id") -> list[str]:
    return [item[key] for _, item in _items(data, section) if isinstance(item.get(key), str)]


def _strings(value: Any) -> Iterator[tuple[int | None, str]]:
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, str):
                yield i, v


def check_references(doc: LocatedDocument) -> list[PolicyProblem]:
    """All duplicate-id and unknown-reference problems of a policy document."""
    data = doc.data
    if not isinstance(data, dict):
        return []
    problems: list[PolicyProblem] = []
    problems += _duplicates(doc)

    declared_categories = _ids(data, "categories")
    taxonomy = set(BUILTIN_BY_ID) | set(declared_categories)
    known: dict[str, tuple[str, set[str]]] = {
        "subjects": ("data subject group", set(_ids(data, "data_subjects"))),
        "sources": ("source", set(_ids(data, "sources"))),
        "recipients": ("recipient", set(_ids(data, "recipients"))),
        "retention": ("retention rule", set(_ids(data, "retention"))),
        "legal_holds": ("legal hold", set(_ids(data, "legal_holds"))),
    }

    def unknown(path: Path, kind: str, value: str, pool: set[str], hint: str) -> None:
        problems.append(
            doc.problem(
                path,
                f"unknown {kind} {value!r}",
                expected=hint,
                suggestion=suggest(value, pool),
            )
        )

    for index, category in _items(data, "categories"):
        cid = category.get("id")
        if isinstance(cid, str) and cid not in BUILTIN_BY_ID and category.get("label") is None:
            problems.append(
                doc.problem(
                    ("categories", index, "id"),
                    f"{cid!r} is not a built-in category, so it needs a `label` (fr, en)",
                    suggestion=suggest(cid, BUILTIN_BY_ID),
                )
            )
        for i, source in _strings(category.get("sources")):
            if source not in known["sources"][1]:
                unknown(
                    ("categories", index, "sources", i or 0),
                    "source",
                    source,
                    known["sources"][1],
                    "an id from `sources`",
                )

    for index, purpose in _items(data, "purposes"):
        base: Path = ("purposes", index)
        categories = purpose.get("categories")
        if categories != "all":
            for i, cid in _strings(categories):
                if cid not in taxonomy:
                    unknown(
                        (*base, "categories", i if i is not None else 0),
                        "data category",
                        cid,
                        taxonomy,
                        "a built-in category id or one under `categories`",
                    )
        for section, (kind, pool) in known.items():
            for i, ref in _strings(purpose.get(section)):
                path = (*base, section) if i is None else (*base, section, i)
                if ref not in pool:
                    unknown(path, kind, ref, pool, f"an id from `{_section_name(section)}`")

    for index, hold in _items(data, "legal_holds"):
        for i, cid in _strings(hold.get("categories")):
            if cid not in taxonomy:
                unknown(
                    ("legal_holds", index, "categories", i or 0),
                    "data category",
                    cid,
                    taxonomy,
                    "a built-in category id or one under `categories`",
                )

    purposes = set(_ids(data, "purposes"))
    for index, cookie in _items(data, "cookies"):
        cookie_purpose = cookie.get("purpose")
        if isinstance(cookie_purpose, str) and cookie_purpose not in purposes:
            unknown(
                ("cookies", index, "purpose"),
                "purpose",
                cookie_purpose,
                purposes,
                "an id from `purposes`",
            )
    return problems


def _section_name(section: str) -> str:
    return {"subjects": "data_subjects"}.get(section, section)


def _duplicates(doc: LocatedDocument) -> list[PolicyProblem]:
    problems: list[PolicyProblem] = []
    sections = (
        "data_subjects",
        "sources",
        "categories",
        "recipients",
        "retention",
        "legal_holds",
        "purposes",
    )
    for section in sections:
        seen: dict[str, int] = {}
        for index, item in _items(doc.data, section):
            value = item.get("id")
            if not isinstance(value, str):
                continue
            if value in seen:
                first_line = doc.locate((section, seen[value], "id"))[0]
                problems.append(
                    doc.problem(
                        (section, index, "id"),
                        f"duplicate id {value!r} (first declared at line {first_line})",
                    )
                )
            else:
                seen[value] = index
    seen_cookies: dict[tuple[str, str], int] = {}
    for index, cookie in _items(doc.data, "cookies"):
        name, provider = cookie.get("name"), cookie.get("provider")
        if not isinstance(name, str) or not isinstance(provider, str):
            continue
        if (name, provider) in seen_cookies:
            first_line = doc.locate(("cookies", seen_cookies[(name, provider)], "name"))[0]
            problems.append(
                doc.problem(
                    ("cookies", index, "name"),
                    f"cookie {name!r} of {provider!r} is declared twice "
                    f"(first at line {first_line})",
                )
            )
        else:
            seen_cookies[(name, provider)] = index
    return problems
