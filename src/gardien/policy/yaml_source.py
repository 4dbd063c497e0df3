"""Reading YAML while remembering where every value came from.

PyYAML's ``safe_load`` forgets line numbers and silently keeps the last of two duplicate keys.
Validation must say "line 42, column 7" and must not let a duplicated ``purposes:`` erase half a
policy, so we compose the node tree ourselves and keep a map from each value's path to its mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from gardien.errors import PolicyProblem

Path = tuple[str | int, ...]


@dataclass
class LocatedDocument:
    """A YAML document as plain Python data, with the position of each value and key."""

    data: Any
    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    problems: list[PolicyProblem] = field(default_factory=list)

    def locate(self, path: Path, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of a path, falling back to its nearest located parent."""
        table = self.keys if key else self.values
        probe = path
        while True:
            if probe in table:
                return table[probe]
            if key and probe in self.values:
                return self.values[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]

    def problem(
        self,
        path: Path,
        message: str,
        *,
        expected: str | None = None,
        suggestion: str | None = None,
        key: bool = False,
    ) -> PolicyProblem:
        line, column = self.locate(path, key=key)
        return PolicyProblem(
            path=path,
            message=message,
            file=self.file,
            line=line,
            column=column,
            expected=expected,
            suggestion=suggestion,
        )


_SCALARS = yaml.SafeLoader("")


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: yaml.Node, path: Path, doc: LocatedDocument) -> Any:
    doc.values[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        _SCALARS.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, (*path, "<key>"), doc)
            doc.values.pop((*path, "<key>"), None)
            if not isinstance(key, str | int | bool) or key is None:
                doc.problems.append(
                    PolicyProblem(
                        path, "a mapping key must be a plain word", doc.file, *_mark(key_node)
                    )
                )
                continue
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            if key in out:
                line, column = _mark(key_node)
                first = doc.keys.get(child, (None, None))[0]
                doc.problems.append(
                    PolicyProblem(
                        child,
                        f"duplicate key {key!r} (first at line {first}); "
                        "the second would silently replace the first",
                        doc.file,
                        line,
                        column,
                    )
                )
                continue
            doc.keys[child] = _mark(key_node)
            out[key] = _build(value_node, child, doc)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc) for i, item in enumerate(node.value)]
    try:
        return _SCALARS.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError) as exc:
        # A scalar YAML recognises but cannot build, such as the date 2025-13-01.
        doc.problems.append(
            PolicyProblem(path, f"invalid value {node.value!r}: {exc}", doc.file, *_mark(node))
        )
        return node.value


def load_located(text: str, file: str) -> LocatedDocument:
    """Parse YAML text; syntax errors and duplicate keys become problems, not exceptions."""
    doc = LocatedDocument(data=None, file=file)
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "invalid YAML"
        doc.problems.append(
            PolicyProblem(
                (),
                f"YAML syntax error: {reason}",
                file,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
            )
        )
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(PolicyProblem((), f"YAML error: {exc}", file))
        return doc
    if len(nodes) > 1:
        doc.problems.append(
            PolicyProblem(
                (), "the file holds several YAML documents; a policy is one", file, *_mark(nodes[1])
            )
        )
        return doc
    if not nodes or nodes[0] is None:
        doc.problems.append(
            PolicyProblem(
                (),
                "the file is empty",
                file,
                1,
                1,
                expected="a mapping that starts with `gardien: 1`",
            )
        )
        return doc
    try:
        doc.data = _build(nodes[0], (), doc)
    except yaml.YAMLError as exc:
        doc.problems.append(PolicyProblem((), f"YAML error: {exc}", file))
    return doc
