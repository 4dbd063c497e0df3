"""The Jinja2 environment shared by every document, and the Markdown escapers.

HTML templates are autoescaped (a purpose title such as "Vous & nous" must not become markup);
Markdown templates are not, but every policy text goes through :func:`md_text` or
:func:`md_cell`, so that a ``*`` cannot turn into emphasis nor a ``|`` break a table.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_MARKDOWN_SPECIAL = ("\\", "*", "_", "`", "<", ">", "#", "[", "]")


def md_text(value: object) -> str:
    """A policy text made safe as Markdown prose, on one line."""
    text = "" if value is None else str(value)
    for char in _MARKDOWN_SPECIAL:
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def md_cell(value: object) -> str:
    """A policy text made safe for one cell of a GitHub-flavoured Markdown table."""
    return md_text(value).replace("|", "\\|")


@cache
def environment() -> Environment:
    """The environment reading ``gardien/documents/templates``; built once."""
    env = Environment(
        loader=PackageLoader("gardien.documents", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = md_cell
    env.filters["md"] = md_text
    return env


def render(template: str, **context: object) -> str:
    """Render one template of ``gardien/documents/templates`` with ``context``."""
    return environment().get_template(template).render(**context)
