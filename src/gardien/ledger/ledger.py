"""The :class:`Ledger`: the typed library API an application calls, and the CLI wraps.

It holds the compiled policy, the keys and a per-process cache of person states. Every change
(consent, objection, restriction) is written with its audit entry in one transaction, under the
audit chain's lock, and then the person's cached state is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.audit.chain import AuditReport, AuditTrail, Pending, entries_about
from gardien.audit.events import IdentifierAdded, JsonValue, PersonRegistered
from gardien.errors import ConfigurationError
from gardien.ledger.cache import StateCache
from gardien.ledger.changes import (
    ConsentChange,
    NotApplicableError,
    Row,
    check_consent_applies,
    check_objection_applies,
    consent_entries,
    objection_entry,
    restriction_entry,
)
from gardien.ledger.decision import Decision, PolicyIndex, decide
from gardien.ledger.erasure import mark_erased
from gardien.ledger.group import Build, GroupCommit, Job
from gardien.ledger.history import PurposeDiff, default_purpose_diff, register_policy
from gardien.ledger.history import version_names as _version_names
from gardien.ledger.identifiers import Identifier, Subject, as_identifier
from gardien.ledger.protection import IdentifierVault
from gardien.ledger.records import (
    Channel,
    ConsentRecord,
    ConsentStatus,
    ObjectionRecord,
    ObjectionStatus,
    RestrictionGround,
    RestrictionRecord,
    RestrictionStatus,
)
from gardien.ledger.state import PersonState
from gardien.ledger.store import (
    Person,
    SubjectFile,
    add_identifier,
    ensure_people,
    find_people,
    insert_rows,
    known_identifiers,
    load_states,
    read_subject_file,
)
from gardien.ledger.sync import ChangeFeed, decide_from_database, open_feed
from gardien.policy.loader import load_policy
from gardien.policy.model import Policy
from gardien.settings import Settings
from gardien.storage import migrate
from gardien.storage.engine import (
    check_reachable,
    create_engine,
    read_transaction,
    write_transaction,
)
from gardien.storage.tables import consents, objections, restrictions
from gardien.vault.keys import load_master_keys

__all__ = ["ConsentChange", "Ledger", "NotApplicableError", "Subject", "as_identifier"]

R = TypeVar("R")


ASSIST_EVERY = 64
"""Decisions between two calls to the change feed's ``assist`` from the deciding thread; the
feed itself looks at its socket at most once a millisecond (see ``PostgresFeed.assist``)."""


class Ledger:
    """People, their consents, objections and restrictions, and the decision."""

    def __init__(
        self,
        engine: Engine,
        policy: Policy,
        vault: IdentifierVault,
        *,
        actor: str = "gardien",
        diff: PurposeDiff | None = None,
        cache_size: int = 100_000,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.policy = policy
        self.actor = actor
        self._vault = vault
        self._trail = AuditTrail(vault.audit_key())
        self._cache = StateCache(cache_size)
        self._feed: ChangeFeed | None = None
        self._until_assist = ASSIST_EVERY
        self._cached = self._cache.get_function()
        self._group = GroupCommit(self._commit)
        self._clock = clock or (lambda: datetime.now(UTC))
        at = self._clock()
        with write_transaction(engine) as conn:
            self._trail.lock(conn)
            self.history = register_policy(conn, policy, diff or default_purpose_diff(), at)
            if self.history.seen is not None:
                self._trail.append(conn, [Pending(self.history.seen)], actor=actor, at=at)
        self.index = PolicyIndex.build(
            policy, ordinal=self.history.ordinal, reconsent_since=self.history.reconsent_since
        )

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        policy: Policy | None = None,
        upgrade: bool = False,
        **options: Any,
    ) -> Ledger:
        """Start from settings: keys, policy and database, each failing loudly if missing."""
        secret = settings.master_key.get_secret_value() if settings.master_key else None
        provider = load_master_keys(settings.resolved_key_file(), secret)
        if policy is None:
            if settings.policy is None:
                raise ConfigurationError("no policy file: pass --policy FILE or set GARDIEN_POLICY")
            policy = load_policy(settings.policy)
        engine = create_engine(settings.database_url)
        check_reachable(engine)
        if upgrade:
            migrate.upgrade(engine)
        else:
            migrate.require_current(engine)
        options.setdefault("actor", settings.actor)
        return cls(engine, policy, IdentifierVault(provider), **options)

    def close(self) -> None:
        self.unsubscribe()
        self.engine.dispose()

    # --- several processes (issue 9) ------------------------------------------------------

    def subscribe(self, **options: Any) -> ChangeFeed:
        """Follow changes made by other processes; needed whenever more than one writes.

        Returns the running feed (a context manager); raises :class:`ConfigurationError` if it
        cannot start. See :mod:`gardien.ledger.sync` and ``docs/multi-process.md``.
        """
        if self._feed is None or self._feed.stopped:  # stopped: inherited by a forked child
            self._feed = open_feed(self.engine, self._cache, **options).start()
        return self._feed

    def unsubscribe(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            feed.close()

    @property
    def feed(self) -> ChangeFeed | None:
        return self._feed

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- consent (GDPR art. 7) ------------------------------------------------------------

    def give_consent(
        self, subject: Subject, purposes: str | Iterable[str], **details: Any
    ) -> list[ConsentRecord]:
        """Record consent to one or several purposes (one receipt for all of them)."""
        return self._consent(subject, purposes, ConsentStatus.GIVEN, details)

    def refuse_consent(
        self, subject: Subject, purposes: str | Iterable[str], **details: Any
    ) -> list[ConsentRecord]:
        """Record a refusal: it is proof too, and the banner must not ask again at once."""
        return self._consent(subject, purposes, ConsentStatus.REFUSED, details)

    def withdraw_consent(
        self, subject: Subject, purposes: str | Iterable[str], **details: Any
    ) -> list[ConsentRecord]:
        """Withdraw consent: one call, as easy as giving it (art. 7(3))."""
        return self._consent(subject, purposes, ConsentStatus.WITHDRAWN, details)

    def _consent(
        self,
        subject: Subject,
        purposes: str | Iterable[str],
        status: ConsentStatus,
        details: Mapping[str, Any],
    ) -> list[ConsentRecord]:
        wanted = [purposes] if isinstance(purposes, str) else list(purposes)
        receipt = details.get("receipt_id") or str(uuid.uuid4())
        extra = {k: v for k, v in details.items() if k not in ("receipt_id", "actor", "at")}
        changes = [ConsentChange(subject, p, status, receipt_id=receipt, **extra) for p in wanted]
        return self.record_consents(changes, actor=details.get("actor"), at=details.get("at"))

    def record_consents(
        self,
        changes: Sequence[ConsentChange],
        *,
        actor: str | None = None,
        at: datetime | None = None,
    ) -> list[ConsentRecord]:
        """Record a batch of consent events in one transaction (one statement per table)."""
        for change in changes:
            check_consent_applies(self.policy, self.index, change.purpose)

        def build(
            persons: Mapping[Identifier, Person], when: datetime, who: str
        ) -> tuple[list[Row], list[Pending], list[ConsentRecord]]:
            return consent_entries(self.policy, self.history, changes, persons, when, who)

        return self._write([c.subject for c in changes], consents, build, actor=actor, at=at)

    # --- objection (art. 21) and restriction (art. 18) ------------------------------------

    def object(
        self,
        subject: Subject,
        purpose: str,
        *,
        status: ObjectionStatus = ObjectionStatus.RAISED,
        channel: Channel = Channel.API,
        evidence: Mapping[str, JsonValue] | None = None,
        actor: str | None = None,
        at: datetime | None = None,
    ) -> ObjectionRecord:
        """Record an objection (or, with ``status``, its withdrawal or overriding)."""
        check_objection_applies(self.policy, self.index, purpose, status)
        return self._single(
            subject,
            objections,
            lambda person, when, who: objection_entry(
                person, purpose, status, channel, evidence or {}, when, who
            ),
            actor,
            at,
        )

    def withdraw_objection(self, subject: Subject, purpose: str, **details: Any) -> ObjectionRecord:
        return self.object(subject, purpose, status=ObjectionStatus.WITHDRAWN, **details)

    def restrict(
        self,
        subject: Subject,
        *,
        ground: RestrictionGround | None = None,
        status: RestrictionStatus = RestrictionStatus.APPLIED,
        channel: Channel = Channel.API,
        evidence: Mapping[str, JsonValue] | None = None,
        actor: str | None = None,
        at: datetime | None = None,
    ) -> RestrictionRecord:
        """Restrict processing of a person's data to storage (art. 18), or lift it."""
        return self._single(
            subject,
            restrictions,
            lambda person, when, who: restriction_entry(
                person, status, ground, channel, evidence or {}, when, who
            ),
            actor,
            at,
        )

    def lift_restriction(self, subject: Subject, **details: Any) -> RestrictionRecord:
        """Lift a restriction; art. 18(3): the person must be told before it is lifted."""
        return self.restrict(subject, status=RestrictionStatus.LIFTED, **details)

    def _single(
        self,
        subject: Subject,
        table: sa.Table,
        make: Callable[[Person, datetime, str], tuple[Row, Pending, R]],
        actor: str | None,
        at: datetime | None,
    ) -> R:
        def build(
            persons: Mapping[Identifier, Person], when: datetime, who: str
        ) -> tuple[list[Row], list[Pending], list[R]]:
            row, event, record = make(persons[as_identifier(subject)], when, who)
            return [row], [event], [record]

        return self._write([subject], table, build, actor=actor, at=at)[0]

    def _write(
        self,
        subjects: Sequence[Subject],
        table: sa.Table,
        build: Build[R],
        *,
        actor: str | None,
        at: datetime | None,
    ) -> list[R]:
        names = [as_identifier(s) for s in subjects]
        job = Job(names, table, build, actor or self.actor, at or self._clock())
        return self._group.submit(job)

    def _commit(self, jobs: list[Job[Any]]) -> None:
        """Write a batch of jobs in one transaction; called by :class:`GroupCommit`."""
        rows_by_table: dict[sa.Table, list[Row]] = {}
        pending: list[Pending] = []
        with write_transaction(self.engine) as conn:
            self._trail.lock(conn)
            persons = ensure_people(
                conn, self._vault, [n for job in jobs for n in job.subjects], jobs[0].at
            )
            for name, person in persons.items():
                if person.created:
                    event = PersonRegistered((name.kind.value,))
                    pending.append(Pending(event, person.ref, jobs[0].actor, jobs[0].at))
            for job in jobs:
                rows, events, job.records = job.build(persons, job.at, job.actor)
                rows_by_table.setdefault(job.table, []).extend(rows)
                pending.extend(replace(e, actor=job.actor, at=job.at) for e in events)
            for table, rows in rows_by_table.items():
                insert_rows(conn, table, rows)
            self._trail.append(conn, pending, actor=jobs[0].actor, at=jobs[0].at)
        for name, person in persons.items():
            self._cache.invalidate(name)
            self._cache.invalidate_ref(person.ref)

    def add_identifier(
        self,
        subject: Subject,
        other: Subject,
        *,
        actor: str | None = None,
        at: datetime | None = None,
    ) -> None:
        """Let a person be found by one more identifier (a phone, a customer number...)."""
        name, extra = as_identifier(subject), as_identifier(other)
        when = at or self._clock()
        who = actor or self.actor
        with write_transaction(self.engine) as conn:
            self._trail.lock(conn)
            person = ensure_people(conn, self._vault, [name], when)[name]
            owner = find_people(conn, {extra: self._vault.digest(extra)}).get(extra)
            if owner is not None and owner.id != person.id:
                raise NotApplicableError(
                    f"{extra.kind.value} already names another person in the ledger"
                )
            events = (
                [Pending(PersonRegistered((name.kind.value,)), person.ref)]
                if (person.created)
                else []
            )
            if owner is None:
                add_identifier(conn, self._vault, person, extra, when)
                events.append(Pending(IdentifierAdded(extra.kind.value), person.ref))
            self._trail.append(conn, events, actor=who, at=when)
        self._cache.invalidate(extra)
        self._cache.invalidate_ref(person.ref)

    # --- reading and deciding -------------------------------------------------------------

    def state(self, subject: Subject) -> PersonState:
        """The person's state, from the cache (when trusted) or the database."""
        name = as_identifier(subject)
        cached = self._cache.get(name) if self._cache.trusted else None
        if cached is not None:
            return cached
        return self.states([name])[name]

    def states(self, subjects: Iterable[Subject]) -> dict[Identifier, PersonState]:
        """Several states at once; the misses are loaded set-based, in one snapshot."""
        names = [as_identifier(s) for s in subjects]
        cache = self._cache
        if not cache.trusted:  # the feed is not sure of it: read everything, keep nothing
            return self._load(names)
        found: dict[Identifier, PersonState] = {}
        missing = []
        for name in names:
            cached = cache.get(name)
            if cached is None:
                missing.append(name)
            else:
                found[name] = cached
        if missing:
            since = cache.mark()  # before reading: a change after it voids what is read
            for name, state in self._load(missing).items():
                named = state.subject_ref is not None
                cache.put(name, state, since, None if named else self._vault.digest(name))
                found[name] = state
        return found

    def _load(self, names: Sequence[Identifier]) -> dict[Identifier, PersonState]:
        # One statement per chunk of names is its own snapshot: no transaction to open or end
        # (two round trips fewer on a server, for every cache miss).
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return load_states(conn, {n: self._vault.digest(n) for n in names})

    def decide(
        self,
        subject: Subject,
        purpose: str,
        categories: Iterable[str],
        now: float | None = None,
    ) -> Decision:
        """May ``purpose`` use ``categories`` of this person? See :func:`decide`.

        When the cache is not known to be current, the state is read from the database (or,
        if it cannot be, the answer is a denial) and the reasons say so.
        """
        name = as_identifier(subject)
        feed = self._feed
        if feed is not None:
            self._until_assist -= 1
            if self._until_assist <= 0:  # a busy process applies the feed's news itself
                self._until_assist = ASSIST_EVERY
                feed.assist()
        if self._cache.trusted:
            state = self._cached(name)  # the warm path: one dict look-up, no frame
            if state is None:
                try:
                    state = self.states([name])[name]
                except sa.exc.SQLAlchemyError:  # a miss, and the database cannot be read
                    state = None
            if state is not None:
                return decide(self.index, state, purpose, categories, now)
        asked = (name, purpose, frozenset(categories))
        return decide_from_database(self.index, self._load, [asked], now)[0]

    def decide_many(
        self, questions: Iterable[tuple[Subject, str, Iterable[str]]], now: float | None = None
    ) -> list[Decision]:
        """The batch form: states loaded together, then one decision per question."""
        asked = [(as_identifier(s), p, frozenset(c)) for s, p, c in questions]
        at = self._clock().timestamp() if now is None else now
        if self._feed is not None:
            self._feed.assist()
        try:
            if self._cache.trusted:
                states = self.states([s for s, _, _ in asked])
                return [decide(self.index, states[s], p, c, at) for s, p, c in asked]
        except sa.exc.SQLAlchemyError:  # misses, and the database cannot be read
            pass
        return decide_from_database(self.index, self._load, asked, at)

    def mark_erased(
        self,
        subjects: Sequence[Subject],
        *,
        request_ref: str,
        actor: str | None = None,
        at: datetime | None = None,
    ) -> str:
        """Mark a person erased (GDPR art. 17): every decision about them denies from now on.

        ``subjects`` are the person's identifiers; returns their pseudonymous ref. The person
        is registered if unknown, so the erasure survives as a keyed digest.
        """
        return self.mark_erased_many([(subjects, request_ref)], actor=actor, at=at)[0]

    def mark_erased_many(
        self,
        erasures: Sequence[tuple[Sequence[Subject], str]],
        *,
        actor: str | None = None,
        at: datetime | None = None,
    ) -> list[str]:
        """:meth:`mark_erased` for many people in one transaction (queued erasure requests):
        per person, their identifiers and the request's ref; returns their refs in order."""
        named = [([as_identifier(s) for s in subjects], ref) for subjects, ref in erasures]
        refs = mark_erased(
            self.engine,
            self._vault,
            self._trail,
            named,
            actor=actor or self.actor,
            at=at or self._clock(),
        )
        for names, _ in named:
            for name in names:
                self._cache.invalidate(name)
        return refs

    def identifiers_of(
        self, subjects: Iterable[Subject]
    ) -> dict[Identifier, tuple[Identifier, ...]]:
        """Every identifier the ledger can still read for each person named (those it knows):
        what a request searches the datasets with. One read for all of them."""
        names = [as_identifier(s) for s in subjects]
        with read_transaction(self.engine) as conn:
            return known_identifiers(conn, self._vault, names)

    def invalidate(self, subject: Subject | None = None) -> None:
        """Forget cached state: one person's, or everyone's."""
        if subject is None:
            self._cache.clear()
        else:
            self._cache.invalidate(as_identifier(subject))

    def subject(self, subject: Subject) -> SubjectFile | None:
        """Everything the ledger holds on one person, or None if it holds nothing."""
        name = as_identifier(subject)
        with read_transaction(self.engine) as conn:
            person = find_people(conn, {name: self._vault.digest(name)}).get(name)
            if person is None:
                return None
            found = read_subject_file(conn, self._vault, person, _version_names(conn))
            return replace(found, audit=tuple(entries_about(conn, person.ref)))

    def verify_audit(self) -> AuditReport:
        with read_transaction(self.engine) as conn:
            return self._trail.verify(conn)
