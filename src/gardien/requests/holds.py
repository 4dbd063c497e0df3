"""What legal holds keep of an erased person (GDPR art. 17(3)(b), (e)), as recorded by runs.

A dataset step's result lists, per table, the rows a hold keeps, with the hold, its law and
the day they will be erased. The person's report and the answer they receive both say it
(art. 12(4): when a request is not acted on in full, the person is told why), so both read it
from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from gardien.policy.model import Policy


def kept_rows(dataset: str, described: dict[str, Any]) -> list[dict[str, Any]]:
    """The holds of an erasure plan (as ``ErasurePlan.describe`` gives it), one per table."""
    out = []
    for table, entry in described.get("tables", {}).items():
        for hold in entry.get("holds", []):
            out.append({"dataset": dataset, "table": table, **hold})
    return out


def merge(*lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (dataset, table, hold): the largest row count and the latest end, each
    taken on its own (no end, ``None``, is later than any date: the end is not known yet)."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for items in lists:
        for item in items:
            key = (item["dataset"], item["table"], item["hold"])
            seen = merged.get(key)
            if seen is None:
                merged[key] = dict(item)
                continue
            seen["rows"] = max(seen["rows"], item["rows"])
            if seen["until"] is not None and (
                item["until"] is None or item["until"] > seen["until"]
            ):
                seen["until"] = item["until"]
    return [merged[k] for k in sorted(merged)]


def dicts(value: object) -> list[dict[str, Any]]:
    """The dicts of a JSON list (anything else: none)."""
    return [dict(v) for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def kept_in(results: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Everything the holds keep, from dataset steps' results."""
    return merge(*(dicts(result.get("kept")) for result in results))


class RecordedStep(Protocol):
    """A step as recorded (``Step``) or as a run's outcome (``StepOutcome``)."""

    @property
    def step(self) -> str: ...

    @property
    def result(self) -> Mapping[str, Any]: ...


def kept_by_datasets(steps: Iterable[RecordedStep]) -> list[dict[str, Any]]:
    """What the holds keep, from a request's ``dataset:*`` steps."""
    return kept_in(s.result for s in steps if s.step.startswith("dataset:"))


def hold_title(policy: Policy, hold_id: str, lang: str, default: str) -> str:
    """The hold's title in the language, from the policy (``default`` if it is gone)."""
    hold = policy.hold_by_id.get(hold_id)
    return hold.title.in_(lang) if hold is not None else default
