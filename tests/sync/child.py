"""A plain library process for the multi-process tests: a subscribed ledger, driven by lines.

Run as ``python -m tests.sync.child`` with ``GARDIEN_*`` set. Each line on stdin is a JSON
command, each answer one JSON line on stdout. ``until`` loops on ``decide`` inside this
process (the warm path, from the cache) until the answer is the one wanted, as an application
that keeps deciding would.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from gardien.ledger import Ledger
from gardien.settings import Settings


def main() -> None:
    ledger = Ledger.open(Settings())
    feed = ledger.subscribe(retry=float(os.environ.get("GARDIEN_TEST_FEED_RETRY", "0.5")))
    reply({"ready": True, "pid": os.getpid()})
    for line in sys.stdin:
        command = json.loads(line)
        op = command.pop("op")
        if op == "quit":
            break
        reply(run(ledger, op, command))
    feed.close()
    ledger.close()


def run(ledger: Ledger, op: str, args: dict[str, Any]) -> dict[str, Any]:
    feed = ledger.feed
    assert feed is not None
    if op == "status":
        status = feed.status()
        return {**status.__dict__, "backend_pid": getattr(feed, "backend_pid", None)}
    if op == "decide":
        decision = ledger.decide(args["subject"], args["purpose"], args["categories"])
        return {"allowed": decision.allowed, "codes": [c.value for c in decision.codes]}
    if op == "until":
        start = time.monotonic()
        deadline = start + args["timeout"]
        iterations = 0
        while True:
            decision = ledger.decide(args["subject"], args["purpose"], args["categories"])
            iterations += 1
            if decision.allowed is args["allowed"] or time.monotonic() > deadline:
                break
        return {
            "ok": decision.allowed is args["allowed"],
            "at": time.monotonic(),
            "elapsed": time.monotonic() - start,
            "iterations": iterations,
            "codes": [c.value for c in decision.codes],
        }
    if op == "consent":
        change = {"given": ledger.give_consent, "withdrawn": ledger.withdraw_consent}
        change[args["status"]](args["subject"], args["purpose"])
        return {"done": True, "at": time.monotonic()}
    if op == "object":
        ledger.object(args["subject"], args["purpose"])
        return {"done": True, "at": time.monotonic()}
    if op == "restrict":
        ledger.restrict(args["subject"])
        return {"done": True}
    if op == "erase":
        ledger.mark_erased([args["subject"]], request_ref="r1", actor="t")
        return {"done": True}
    if op == "interrupt":
        feed.interrupt()
        return {"done": True}
    if op == "wait_current":
        return {"current": feed.wait_current(args["timeout"])}
    raise ValueError(f"unknown command {op!r}")


def reply(answer: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
