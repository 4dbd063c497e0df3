"""Commands that generate documents from the policy: notice, register, diff."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Column, Table
from rich.text import Text

from gardien.cli.app import EXIT_FINDINGS, app, err, out, reported_errors
from gardien.documents import Impact, diff_policies, render_notice, render_register
from gardien.policy import load_policy
from gardien.policy.vocabulary import Lang


class NoticeFormatChoice(StrEnum):
    MD = "md"
    HTML = "html"


class RegisterFormatChoice(StrEnum):
    CSV = "csv"
    HTML = "html"


_LANG = typer.Option(Lang.FR, "--lang", "-l", help="Language of the document.")
_OUTPUT = typer.Option(
    None, "--output", "-o", help="Write to this file instead of standard output.", dir_okay=False
)


def _emit(document: str, output: Path | None) -> None:
    """Write a generated document as is (no Rich markup or wrapping: CSV and HTML are data)."""
    if output is None:
        typer.echo(document, nl=not document.endswith("\n"))
        return
    output.write_text(document, encoding="utf-8", newline="")
    err.print(f"wrote {output}", markup=False)


@app.command()
def notice(
    policy: Path = typer.Argument(..., help="The policy file (YAML)."),
    lang: Lang = _LANG,
    fmt: NoticeFormatChoice = typer.Option(
        NoticeFormatChoice.MD, "--format", "-f", help="Markdown, or a standalone HTML page."
    ),
    output: Path | None = _OUTPUT,
) -> None:
    """Generate the privacy notice people read (GDPR arts. 13-14)."""
    with reported_errors():
        loaded = load_policy(policy)
    html = fmt is NoticeFormatChoice.HTML
    document = render_notice(loaded, lang.value, "html" if html else "md")
    _emit(document, output)


@app.command()
def register(
    policy: Path = typer.Argument(..., help="The policy file (YAML)."),
    lang: Lang = _LANG,
    fmt: RegisterFormatChoice = typer.Option(
        RegisterFormatChoice.CSV, "--format", "-f", help="CSV (one row per purpose) or HTML."
    ),
    output: Path | None = _OUTPUT,
) -> None:
    """Generate the record of processing activities (GDPR art. 30(1), CNIL model)."""
    with reported_errors():
        loaded = load_policy(policy)
    html = fmt is RegisterFormatChoice.HTML
    document = render_register(loaded, "html" if html else "csv", lang.value)
    _emit(document, output)


@app.command()
def diff(
    old: Path = typer.Argument(..., help="The policy file as published before."),
    new: Path = typer.Argument(..., help="The new version of the policy file."),
    lang: Lang = typer.Option(Lang.FR, "--lang", "-l", help="Language of the messages."),
) -> None:
    """Compare two versions of a policy and say what each change obliges.

    Impacts: none; inform (people must be told before it applies, GDPR art. 13(3));
    reconsent (consents given under the old version no longer cover the purpose, art. 7(1)).

    Exit status: 0 when no change needs action, 1 when some change needs `inform` or
    `reconsent`, 2 when a file is invalid.
    """
    with reported_errors():
        before, after = load_policy(old), load_policy(new)
    result = diff_policies(before, after)
    language = lang.value
    if not result.changes:
        out.print(f"{old} → {new}: no change", markup=False)
        return
    table = Table(
        Column("impact", no_wrap=True),
        Column("change", no_wrap=True),  # a stable code: never cut
        Column("target", overflow="fold"),
        Column("what", overflow="fold"),
        title=f"{old} → {new}",
    )
    for change in result.changes:
        table.add_row(
            change.impact.value,
            change.kind.value,
            Text(change.target),
            Text(change.message(language)),
        )
    out.print(table)
    summary = f"{len(result.changes)} change(s), impact: {result.impact.value}"
    if lapsed := sorted(result.purposes_needing_new_consent()):
        summary += f"; ask consent again for: {', '.join(lapsed)}"
    if result.needs_new_cookie_consent:
        summary += "; the cookie banner must ask again"
    out.print(summary, markup=False)
    if result.impact is not Impact.NONE:
        raise typer.Exit(EXIT_FINDINGS)
