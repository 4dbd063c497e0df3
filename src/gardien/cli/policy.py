"""Commands on the policy file: check, schema, notice, register, diff."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from gardien.cli.app import app, out, reported_errors
from gardien.policy import load_policy
from gardien.policy.model import Policy


@app.command()
def schema() -> None:
    """Print the JSON Schema of the policy file, for editors to validate against."""
    out.print(json.dumps(Policy.model_json_schema(by_alias=True), indent=2, ensure_ascii=False),
              markup=False)


@app.command()
def validate(policy: Path = typer.Argument(..., help="The policy file (YAML).")) -> None:
    """Validate a policy file's structure and references (no compliance lint)."""
    with reported_errors():
        loaded = load_policy(policy)
    out.print(f"{policy}: valid (policy version {loaded.version})")
