"""Benchmark of the change feed (issue 9): 4 processes on PostgreSQL under 1,000 writes/s.

    .venv/bin/python -m bench.sync.run                      # defaults below, about 2 minutes
    .venv/bin/python -m bench.sync.run --withdrawals 300 --writes 1000 --probes 4

From the repository root. A fresh PostgreSQL database on ``GARDIEN_BENCH_POSTGRES_URL``'s server
(dropped at the end) holds ``--people`` people (half of them consented to marketing). Then, all
on loopback and bounded in time:

- a **writer** process records ``--writes`` consent changes per second (batches of 10 every
  10 ms, one transaction each, through the ``Ledger``) on people of its own: the background load;
- ``--probes`` **probe** processes, each a subscribed ``Ledger`` with a warm cache, loop on
  ``decide`` over the working set and over the current target person;
- the **coordinator** gives consent to a new person, waits until every probe allows, withdraws
  it and measures, per withdrawal, the time until the *last* probe denies: from the end of the
  ``withdraw_consent`` call (the commit is done) and from its start (an upper bound);
- then the probes measure their decision rate in alternating windows, subscribed
  (invalidation running) and unsubscribed (the cache trusted as is), under the same load, all
  probes in the same mode at the same time.

It prints the figures and a Markdown block for ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import base64
import multiprocessing as mp
import os
import statistics
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench._common import fresh_postgres_database, machine

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "examples" / "001-boutique.yaml"
CATEGORIES = frozenset({"contact"})
TICK = 0.01


def member(i: int) -> str:
    return f"email:member{i}@bench.example"


def open_ledger(url: str, key: str, actor: str) -> Any:
    from gardien.ledger import IdentifierVault, Ledger
    from gardien.policy import load_policy
    from gardien.storage import create_engine
    from gardien.vault.keys import EnvKeyProvider

    vault = IdentifierVault(EnvKeyProvider(key))
    return Ledger(create_engine(url), load_policy(POLICY), vault, actor=actor)


def seed(url: str, key: str, people: int) -> None:
    from gardien.ledger import ConsentChange, ConsentStatus
    from gardien.storage import create_engine, upgrade

    upgrade(create_engine(url))
    ledger = open_ledger(url, key, "seed")
    changes = [
        ConsentChange(member(i), "marketing", ConsentStatus.GIVEN) for i in range(0, people, 2)
    ]
    for start in range(0, len(changes), 2000):
        ledger.record_consents(changes[start : start + 2000])
    ledger.close()


# --- the background writer ----------------------------------------------------------------


def writer(url: str, key: str, per_second: int, stop: Any, report: Connection) -> None:
    """Write what is due at ``per_second`` every ``TICK``: one transaction per tick, its size
    growing when commits are slow (at most one second's worth), never bursting beyond."""
    from gardien.ledger import ConsentChange, ConsentStatus

    ledger = open_ledger(url, key, "writer")
    written = transactions = 0
    started = time.monotonic()
    while not stop.is_set():
        due = min(per_second, int((time.monotonic() - started) * per_second) - written)
        if due <= 0:
            time.sleep(TICK)
            continue
        status = ConsentStatus.GIVEN if (written // 5000) % 2 == 0 else ConsentStatus.WITHDRAWN
        ledger.record_consents(
            [
                ConsentChange(f"email:bg{(written + k) % 5000}@bench.example", "marketing", status)
                for k in range(due)
            ]
        )
        written += due
        transactions += 1
    elapsed = time.monotonic() - started
    report.send({"writes_per_second": written / elapsed, "tx_per_second": transactions / elapsed})
    ledger.close()


# --- a probe ------------------------------------------------------------------------------


def probe(
    url: str, key: str, people: int, pace: float, switch: float, conn: Connection, barrier: Any
) -> None:
    """Loop on decide; answer the coordinator's commands (see the module docstring).

    ``pace`` > 0: sleep that long after every 50 decisions, as a process that is not saturated.
    ``switch`` > 0: the interpreter's thread switch interval (how long the feed's thread may
    wait for the busy main thread to let it run; Python's default is 5 ms).
    """
    if switch:
        sys.setswitchinterval(switch)
    ledger = open_ledger(url, key, "probe")
    ledger.subscribe()
    working = [member(i) for i in range(people)]
    ledger.decide_many([(s, "marketing", CATEGORIES) for s in working])
    conn.send("ready")
    from gardien.ledger import as_identifier

    target: str | None = None
    wanted: bool | None = None
    dropped_at = 0.0
    tag = 0
    i = 0
    while True:
        for _ in range(50):
            ledger.decide(working[i], "marketing", CATEGORIES)
            i = (i + 1) % people
        if target is not None:
            # Diagnostics only (a private look): when the feed dropped the cached state.
            if not dropped_at and ledger._cache.get(as_identifier(target)) is None:
                dropped_at = time.monotonic()
            decision = ledger.decide(target, "marketing", CATEGORIES)
            if decision.allowed is wanted:
                conn.send((tag, wanted, time.monotonic(), dropped_at or time.monotonic()))
                target = None
        if pace:
            time.sleep(pace)
        if conn.poll():
            command = conn.recv()
            if command[0] == "watch":
                _, tag, target, wanted = command
                dropped_at = 0.0
            elif command[0] == "rate":
                conn.send(rates(ledger, working, *command[1:], barrier))
            elif command[0] == "quit":
                break
    ledger.close()


def rates(
    ledger: Any, working: list[str], windows: int, seconds: float, barrier: Any
) -> dict[str, list[float]]:
    """Decisions per second in alternating windows, with and without the feed.

    Every probe starts its k-th window when all probes have switched mode and warmed their
    cache (``barrier``), so that all probes are in the same mode at once: the probes share
    two CPUs, and one probe's feed thread costs the others too.
    """
    measured: dict[str, list[float]] = {"with": [], "without": [], "waits": [], "waited": []}
    questions = [(s, "marketing", CATEGORIES) for s in working]
    for window in range(windows):
        for mode in ("with", "without") if window % 2 == 0 else ("without", "with"):
            if mode == "with":
                ledger.subscribe()
            else:
                ledger.unsubscribe()
            ledger.decide_many(questions)  # warm (not measured)
            barrier.wait(60)
            decide = ledger.decide
            started = time.monotonic()
            count = 0
            deadline = started + seconds
            while True:
                for subject in working[:1000]:
                    decide(subject, "marketing", CATEGORIES)
                count += 1000
                if time.monotonic() >= deadline:
                    break
            elapsed = time.monotonic() - started
            measured[mode].append(count / elapsed)
            if mode == "with":  # the hot path's waits for the feed's thread, per second
                status = ledger.feed.status()
                measured["waits"].append(status.assist_waits / elapsed)
                measured["waited"].append(status.assist_waited / elapsed)
    ledger.subscribe()
    return measured


# --- the coordinator ----------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=4)
    parser.add_argument("--writes", type=int, default=1000, help="background ledger writes/s")
    parser.add_argument("--withdrawals", type=int, default=200)
    parser.add_argument("--people", type=int, default=10_000, help="each probe's working set")
    parser.add_argument("--windows", type=int, default=6, help="rate windows of each kind")
    parser.add_argument(
        "--pace", type=float, default=0.0, help="probes sleep this many ms every 50 decisions"
    )
    parser.add_argument(
        "--switch", type=float, default=0.0, help="probes' thread switch interval, ms"
    )
    parser.add_argument("--window-seconds", type=float, default=2.0)
    args = parser.parse_args()
    key = base64.b64encode(os.urandom(32)).decode()
    ctx = mp.get_context("spawn")
    print(f"load average at the start: {os.getloadavg()}", flush=True)
    with fresh_postgres_database("gardien_bench_sync") as url:
        started = time.monotonic()
        seed(url, key, args.people)
        print(f"seeded {args.people} people in {time.monotonic() - started:.1f}s", flush=True)
        pipes = []
        processes = []
        barrier = ctx.Barrier(args.probes)
        for _ in range(args.probes):
            here, there = ctx.Pipe()
            process = ctx.Process(
                target=probe,
                args=(url, key, args.people, args.pace / 1000, args.switch / 1000, there, barrier),
            )
            process.start()
            pipes.append(here)
            processes.append(process)
        for pipe in pipes:
            if not pipe.poll(120) or pipe.recv() != "ready":
                raise RuntimeError("a probe did not start")
        stop = ctx.Event()
        writer_report, writer_end = ctx.Pipe()
        background = ctx.Process(target=writer, args=(url, key, args.writes, stop, writer_end))
        background.start()
        time.sleep(2.0)  # let the load settle
        coordinator = open_ledger(url, key, "coordinator")
        after_commit: list[float] = []
        from_call: list[float] = []
        dropped: list[float] = []
        for n in range(args.withdrawals):
            target = f"email:target{n}@bench.example"
            coordinator.give_consent(target, "marketing")
            _gather(pipes, ("watch", 2 * n, target, True), 2 * n)
            for pipe in pipes:
                pipe.send(("watch", 2 * n + 1, target, False))
            called = time.monotonic()
            coordinator.withdraw_consent(target, "marketing")
            committed = time.monotonic()
            seen = _collect(pipes, 2 * n + 1)
            last = max(at for at, _ in seen)
            after_commit.append(max(0.0, last - committed) * 1000)
            from_call.append((last - called) * 1000)
            dropped.append(max(0.0, max(drop for _, drop in seen) - committed) * 1000)
        print(f"{args.withdrawals} withdrawals measured", flush=True)
        probe_rates = []
        if args.windows:
            for pipe in pipes:
                pipe.send(("rate", args.windows, args.window_seconds))
            probe_rates = [pipe.recv() for pipe in pipes]
        stop.set()
        load = writer_report.recv()
        background.join(30)
        for pipe in pipes:
            pipe.send(("quit",))
        for process in processes:
            process.join(30)
        coordinator.close()
    report(args, after_commit, from_call, dropped, probe_rates, load)
    return 0


def _gather(
    pipes: list[Connection], command: tuple[Any, ...], tag: int
) -> list[tuple[float, float]]:
    for pipe in pipes:
        pipe.send(command)
    return _collect(pipes, tag)


def _collect(pipes: list[Connection], tag: int) -> list[tuple[float, float]]:
    """Per probe: when it gave the awaited answer, when it saw the cached state dropped."""
    seen = []
    for pipe in pipes:
        if not pipe.poll(30):
            raise RuntimeError(f"a probe did not answer for change {tag} within 30 s")
        got_tag, _, at, dropped_at = pipe.recv()
        assert got_tag == tag, (got_tag, tag)
        seen.append((float(at), float(dropped_at)))
    return seen


def report(
    args: argparse.Namespace,
    after_commit: list[float],
    from_call: list[float],
    dropped: list[float],
    probe_rates: list[dict[str, list[float]]],
    load: dict[str, float],
) -> None:
    print()
    print(f"machine: {machine()}; load average at the end: {os.getloadavg()}")
    print(
        f"background load: {load['writes_per_second']:.0f} ledger writes/s "
        f"in {load['tx_per_second']:.0f} transactions/s; probes paced: {args.pace:g} ms; "
        f"switch interval: {args.switch or 5:g} ms"
    )
    print()
    print(f"| measure ({len(after_commit)} withdrawals, {args.probes} probes) | p50 | p99 | max |")
    print("|---|---:|---:|---:|")
    for name, values in (
        ("withdrawal commit → every probe denies (ms)", after_commit),
        ("withdrawal call start → every probe denies (ms)", from_call),
        ("… of which: commit → every probe's cached state dropped (ms)", dropped),
    ):
        print(
            f"| {name} | {percentile(values, 50):.1f} | {percentile(values, 99):.1f} "
            f"| {max(values):.1f} |"
        )
    if probe_rates:
        rate_table(args, probe_rates)


def rate_table(args: argparse.Namespace, probe_rates: list[dict[str, list[float]]]) -> None:
    # The windows are simultaneous across probes: the machine's rate in a window is the sum.
    with_rate = statistics.median(map(sum, zip(*(r["with"] for r in probe_rates), strict=True)))
    without_rate = statistics.median(
        map(sum, zip(*(r["without"] for r in probe_rates), strict=True))
    )
    ratios = [statistics.median(r["with"]) / statistics.median(r["without"]) for r in probe_rates]
    print()
    print("| decisions/s (sum of probes) | with invalidation | without | ratio |")
    print("|---|---:|---:|---:|")
    print(
        f"| {args.probes} probes, medians of {args.windows} × {args.window_seconds:g} s windows"
        " (all probes at once)"
        f"| {with_rate:,.0f} | {without_rate:,.0f} | {with_rate / without_rate:.2f} |"
    )
    print(f"per-probe ratios: {', '.join(f'{r:.2f}' for r in ratios)}")
    waits = [statistics.median(r["waits"]) for r in probe_rates]
    waited = [statistics.median(r["waited"]) * 1000 for r in probe_rates]
    print(
        "hot path waiting for the feed's thread, per probe (medians, per second of window): "
        + ", ".join(f"{n:.0f} waits {ms:.1f} ms" for n, ms in zip(waits, waited, strict=True))
    )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    threading.current_thread().name = "coordinator"
    sys.exit(main())
