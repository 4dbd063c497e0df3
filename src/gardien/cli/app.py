"""The Typer application and the error boundary shared by every command."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from rich.console import Console

from gardien.errors import GardienError, PolicyFileError

app = typer.Typer(
    name="gardien",
    help="Gardien: your privacy policy, executable under the GDPR.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_FINDINGS = 1
EXIT_INVALID = 2

F = TypeVar("F", bound=Callable[..., object])


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn Gardien errors into a message on stderr and exit status 2."""
    try:
        yield
    except PolicyFileError as exc:
        err.print(f"[bold red]Invalid policy[/] {exc.message}")
        for problem in exc.problems:
            err.print("  " + problem.render(), markup=False)
        raise typer.Exit(EXIT_INVALID) from None
    except GardienError as exc:
        err.print(f"[bold red]Error[/] ({exc.code}): ", end="")
        err.print(exc.message, markup=False)
        raise typer.Exit(EXIT_INVALID) from None


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
