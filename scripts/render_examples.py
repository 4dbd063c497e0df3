"""Part 1 of the demo: lint each example policy, write its notices and register to out/.

One process for all of them (the same library calls as `gardien check|notice|register`).
Exit status 2 if a policy is invalid; lint findings are reported, not fatal.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gardien.documents import render_notice, render_register
from gardien.errors import PolicyFileError
from gardien.policy import load_policy_document
from gardien.policy.lint import active, lint

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    status = 0
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        try:
            policy, doc = load_policy_document(path)
        except PolicyFileError as exc:
            print(exc, file=sys.stderr)
            status = 2
            continue
        findings = active(lint(policy, doc))
        print(
            f"   {path.name}: {len(findings)} lint finding(s)"
            f" (gardien check {path.relative_to(ROOT)})"
        )
        for lang in ("fr", "en"):
            for fmt in ("html", "md"):
                text = render_notice(policy, lang=lang, fmt=fmt)  # type: ignore[arg-type]
                (out / f"{path.stem}.notice.{lang}.{fmt}").write_text(text, encoding="utf-8")
        for fmt in ("csv", "html"):
            text = render_register(policy, fmt=fmt)  # type: ignore[arg-type]
            (out / f"{path.stem}.register.{fmt}").write_text(text, encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
