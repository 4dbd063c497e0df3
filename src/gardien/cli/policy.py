"""Commands on the policy file: check, schema, notice, register, diff."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from gardien.cli.app import EXIT_FINDINGS, app, out, reported_errors
from gardien.policy import load_policy, load_policy_document
from gardien.policy.lint import RULES, Finding, active, lint
from gardien.policy.model import Policy


@app.command()
def schema() -> None:
    """Print the JSON Schema of the policy file, for editors to validate against."""
    out.print(
        json.dumps(Policy.model_json_schema(by_alias=True), indent=2, ensure_ascii=False),
        markup=False,
    )


@app.command()
def validate(policy: Path = typer.Argument(..., help="The policy file (YAML).")) -> None:
    """Validate a policy file's structure and references (no compliance lint)."""
    with reported_errors():
        loaded = load_policy(policy)
    out.print(f"{policy}: valid (policy version {loaded.version})")


@app.command()
def check(
    policy: Path = typer.Argument(..., help="The policy file (YAML)."),
    show_silenced: bool = typer.Option(False, "--show-silenced", help="List silenced findings."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable findings."),
) -> None:
    """Validate a policy and lint it for GDPR compliance.

    Exit status: 0 clean, 1 findings, 2 invalid file.
    """
    with reported_errors():
        loaded, doc = load_policy_document(policy)
    findings = lint(loaded, doc)
    open_findings = active(findings)
    if as_json:
        out.print(
            json.dumps([_finding_json(f) for f in findings], indent=2, ensure_ascii=False),
            markup=False,
        )
    else:
        for f in findings:
            if f.silenced and not show_silenced:
                continue
            where = f"{policy}:{f.line}:{f.column}" if f.line else str(policy)
            status = "silenced " if f.silenced else ""
            out.print(f"{where}: {status}{f.rule.code} {f.message} [{f.rule.source}]", markup=False)
            if f.silenced_by:
                out.print(f"    justification: {f.silenced_by.justification}", markup=False)
        silenced = len(findings) - len(open_findings)
        summary = f"{policy}: {len(open_findings)} finding(s)"
        summary += f", {silenced} silenced" if silenced else ""
        out.print(
            summary
            if open_findings
            else f"{policy}: clean" + (f" ({silenced} silenced)" if silenced else ""),
            markup=False,
        )
    if open_findings:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("lint-rules")
def lint_rules() -> None:
    """List the compliance rules `gardien check` applies, with their sources."""
    table = Table("code", "rule", "what it finds", "source")
    for rule in RULES.values():
        table.add_row(rule.code, rule.slug, rule.summary, rule.source)
    out.print(table)


def _finding_json(f: Finding) -> dict[str, object]:
    return {
        "code": f.rule.code,
        "rule": f.rule.slug,
        "message": f.message,
        "source": f.rule.source,
        "line": f.line,
        "column": f.column,
        "silenced": f.silenced,
        "justification": f.silenced_by.justification if f.silenced_by else None,
    }
