"""The change feed's cost on the hot path alone: one process, no writes (issue 9).

    .venv/bin/python -m bench.sync.hot_path [--people 2000] [--rounds 5]

A subscribed ``Ledger`` (PostgreSQL feed running, nothing arriving) against the same ledger
unsubscribed, alternating one-second windows of warm ``decide`` calls in one process. What is
left between the two is what the hot path pays for being subscribed (the look at the feed's
socket, the counter before it), with no other process competing for the CPUs; ``bench.sync.run``
measures the same under load, with four processes.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import time

from bench._common import fresh_postgres_database, machine
from bench.sync.run import CATEGORIES, member, open_ledger, seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    key = base64.b64encode(os.urandom(32)).decode()
    rates: dict[str, list[float]] = {"with": [], "without": []}
    with fresh_postgres_database("gardien_bench_hot") as url:
        seed(url, key, args.people)
        ledger = open_ledger(url, key, "probe")
        working = [member(i) for i in range(args.people)]
        questions = [(s, "marketing", CATEGORIES) for s in working]
        for _ in range(args.rounds):
            for mode in ("with", "without"):
                if mode == "with":
                    ledger.subscribe()
                else:
                    ledger.unsubscribe()
                ledger.decide_many(questions)  # warm (not measured)
                decide, count = ledger.decide, 0
                started = time.perf_counter()
                while time.perf_counter() - started < 1.0:
                    for subject in working[:1000]:
                        decide(subject, "marketing", CATEGORIES)
                    count += 1000
                rates[mode].append(count / (time.perf_counter() - started))
        ledger.close()
    with_rate, without_rate = statistics.median(rates["with"]), statistics.median(rates["without"])
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print(
        f"decisions/s, medians of {args.rounds} one-second windows: subscribed {with_rate:,.0f}, "
        f"unsubscribed {without_rate:,.0f}, ratio {with_rate / without_rate:.3f}"
    )


if __name__ == "__main__":
    main()
