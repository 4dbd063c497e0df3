"""Commands over the organisation's databases: scan, check, plan (dry run), erase, access.

Thin: parse, call :mod:`gardien.datasets`, print. The request workflow (deadlines, identity
verification, reports) lives in ``gardien request``; these commands act on one database for an
operator who wants to see or test what a request would do.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import sqlalchemy as sa
import typer
from rich.progress import Progress

from gardien.cli.app import app, err, out, reported_errors
from gardien.datasets import DatasetEngine, Subject, load_dataset, url_from_env
from gardien.datasets.declaration import Dataset
from gardien.datasets.scan import draft, render
from gardien.datasets.schema import reflect
from gardien.errors import ConfigurationError
from gardien.policy import load_policy
from gardien.policy.model import Policy
from gardien.settings import Settings
from gardien.vault import MissingKeyError, dataset_hash_key, load_master_keys

datasets_app = typer.Typer(help="The organisation's databases: declarations and requests.")
app.add_typer(datasets_app, name="datasets")

POLICY = typer.Option(None, "--policy", help="The policy file (legal holds, taxonomy)")
IDENTITY = typer.Option(
    ..., "--identity", "-i", help="kind:value, e.g. email:a@b.fr or customer_id:42 (repeatable)"
)


@datasets_app.command()
def scan(
    url: str = typer.Argument(None, help="SQLAlchemy URL of the database to scan"),
    url_env: str = typer.Option(None, "--url-env", help="Read the URL from this variable"),
    schema: str = typer.Option(None, "--schema", help="Schema to scan (default: the default)"),
    name: str = typer.Option("main", "--name", help="The dataset's name"),
    output: Path = typer.Option(None, "--output", "-o", help="Write the YAML here"),
) -> None:
    """Draft a declaration from a live database; every guess to check is marked REVIEW."""
    with reported_errors():
        if url_env:
            url = os.environ.get(url_env, "")
            if not url:
                raise ConfigurationError(f"the environment variable {url_env} is not set")
        if not url:
            raise ConfigurationError("give the database URL or --url-env VAR")
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn, Progress(console=err, transient=True) as bar:
                task = bar.add_task("reflecting tables", total=None)
                live = reflect(
                    conn,
                    [schema],
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        except sa.exc.SQLAlchemyError as exc:
            raise ConfigurationError(f"cannot read the database: {exc.__cause__ or exc}") from None
        finally:
            engine.dispose()
        text = render(draft(live), live, name, url_env or f"{name.upper()}_DATABASE_URL", schema)
    if output:
        output.write_text(text, encoding="utf-8")
        out.print(f"{output}: {len(live.tables)} tables scanned; review the lines marked REVIEW")
    else:
        out.print(text, markup=False, end="")


def _engine(declaration: Path, policy_file: Path | None) -> tuple[Dataset, DatasetEngine]:
    policy: Policy | None = load_policy(policy_file) if policy_file else None
    dataset = load_dataset(declaration, policy)
    url = url_from_env(dataset, os.environ)
    engine = DatasetEngine(dataset, url, policy=policy, hash_key=_hash_key())
    try:
        with engine.engine.connect() as conn:
            engine.bound(conn)
    except sa.exc.SQLAlchemyError as exc:
        raise ConfigurationError(
            f"dataset {dataset.name!r}: cannot read its database ({dataset.url_env}): "
            f"{str(exc.__cause__ or exc).splitlines()[0]}"
        ) from None
    return dataset, engine


def _hash_key() -> bytes | None:
    """The same key for the `hash` strategy as requests, retention and the service use.

    Derived from the master key (GARDIEN_KEY_FILE or GARDIEN_MASTER_KEY); without one, a
    declaration that hashes a column is refused by the engine with a message saying so.
    """
    settings = Settings()
    secret = settings.master_key.get_secret_value() if settings.master_key else None
    try:
        return dataset_hash_key(load_master_keys(settings.resolved_key_file(), secret))
    except MissingKeyError:
        return None


def _subject(identities: list[str]) -> Subject:
    values: dict[str, list[str]] = {}
    for item in identities:
        kind, sep, value = item.partition(":")
        if not sep or not value:
            raise ConfigurationError(f"{item!r}: write kind:value, e.g. email:a@b.fr")
        values.setdefault(kind, []).append(value)
    return Subject({k: tuple(v) for k, v in values.items()})


@datasets_app.command()
def check(
    declaration: Path = typer.Argument(..., help="The dataset declaration (YAML)"),
    policy: Path = POLICY,
) -> None:
    """Validate a declaration and match it to its live database (URL from its url_env)."""
    with reported_errors():
        dataset, engine = _engine(declaration, policy)
        with engine.engine.connect() as conn:
            bound = engine.bound(conn)
    followed = sum(1 for link in bound.links if link.follow.value != "none")
    out.print(
        f"{declaration}: {len(dataset.tables)} tables match the database; "
        f"{len(bound.links)} links ({followed} followed)"
    )


@datasets_app.command()
def plan(
    declaration: Path = typer.Argument(...),
    identity: list[str] = IDENTITY,
    policy: Path = POLICY,
    keys: bool = typer.Option(False, "--keys", help="List the row keys too"),
) -> None:
    """Dry run of an erasure: per table, rows deleted, rewritten, unlinked, kept and why."""
    with reported_errors():
        _, engine = _engine(declaration, policy)
        result = engine.plan([_subject(identity)])
    out.print(
        json.dumps(result.describe(with_keys=keys), indent=2, ensure_ascii=False, default=str),
        markup=False,
    )


@datasets_app.command()
def erase(
    declaration: Path = typer.Argument(...), identity: list[str] = IDENTITY, policy: Path = POLICY
) -> None:
    """Erase one person from this database, in one transaction (GDPR art. 17)."""
    with reported_errors():
        _, engine = _engine(declaration, policy)
        report = engine.erase([_subject(identity)])
    out.print(
        json.dumps(
            {
                "executed": report.counts(),
                "kept": [
                    {
                        "table": t,
                        "hold": h.hold,
                        "law": h.law,
                        "rows": h.rows,
                        "until": str(h.until),
                    }
                    for t, h in report.kept
                ],
            },
            indent=2,
            ensure_ascii=False,
        ),
        markup=False,
    )


@datasets_app.command()
def access(
    declaration: Path = typer.Argument(...),
    identity: list[str] = IDENTITY,
    output: Path = typer.Option(..., "--output", "-o", help="The zip to write"),
    policy: Path = POLICY,
) -> None:
    """Write one person's access package (JSON and one CSV per table, zipped)."""
    with reported_errors():
        _, engine = _engine(declaration, policy)
        counts = engine.access(_subject(identity), output)
    out.print(f"{output}: {sum(counts.values())} rows from {len(counts)} tables")
