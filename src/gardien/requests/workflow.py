"""The request workflow: receive, confirm identity, extend, refuse, run; every step audited.

Every change of a request is written with its audit entry in one transaction, under the audit
chain's lock, so the trail and the request never disagree (GDPR art. 5(2), accountability).
Running is in :mod:`gardien.requests.execution`; this module keeps the states and the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import Connection

from gardien.audit.chain import AuditTrail, Pending
from gardien.audit.events import AuditEvent
from gardien.datasets import DatasetEngine
from gardien.errors import UnknownReferenceError
from gardien.identity import IssuedCode, OneTimeCodes, codes_key
from gardien.ledger import Identifier, IdentifierKind, IdentifierVault, Ledger, RestrictionGround
from gardien.ledger.ledger import as_identifier
from gardien.ledger.store import find_people
from gardien.notify import Mailer, Message
from gardien.policy.references import suggest
from gardien.requests import deadlines, messages
from gardien.requests.errors import IdentityNotConfirmedError, InvalidTransitionError, RequestError
from gardien.requests.events import (
    IdentityCheckFailed,
    IdentityCodeSent,
    RequestExtended,
    RequestReceived,
    RequestStatusChanged,
)
from gardien.requests.holds import kept_by_datasets
from gardien.requests.model import (
    COMPLETED_BY_HAND,
    DataSubjectRequest,
    RefusalReason,
    RequestChannel,
    RequestStatus,
    RequestType,
)
from gardien.requests.store import (
    SealedDetails,
    Step,
    insert_request,
    list_requests,
    load_request,
    load_sealed,
    load_steps,
    new_ref,
    update_request,
)
from gardien.storage import read_transaction, write_transaction
from gardien.vault import FieldCipher, MasterKeyProvider, Vault


def _utcnow() -> datetime:
    return datetime.now(UTC)


_OWN_ERASURE_STEPS = ("ledger:erasure", "vault:shred")
"""An erasure's steps on Gardien's own records, which only a run does."""


@dataclass(frozen=True)
class Opened:
    """A request in a write transaction, with its personal details when still held."""

    conn: Connection
    request: DataSubjectRequest
    details: SealedDetails | None


class RequestWorkflow:
    """Data-subject requests on top of the ledger and the declared datasets."""

    def __init__(
        self,
        ledger: Ledger,
        keys: MasterKeyProvider,
        mailer: Mailer,
        *,
        datasets: Sequence[DatasetEngine] = (),
        output_dir: Path = Path("requests"),
        codes: OneTimeCodes | None = None,
        actor: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
        data_vault: Vault | None = None,
    ) -> None:
        self.ledger = ledger
        # Erasure crypto-shreds the person's vault key (GDPR art. 17; issue 5): without a
        # vault the erasure still runs, and its report says that no vault key was destroyed.
        self.data_vault = data_vault
        self.engine = ledger.engine
        self.policy = ledger.policy
        self.datasets = tuple(datasets)
        self.mailer = mailer
        self.output_dir = output_dir
        self.actor = actor or ledger.actor
        self.clock = clock
        self.vault = IdentifierVault(keys)
        self.cipher = FieldCipher(keys)
        self.trail = AuditTrail(self.vault.audit_key())
        self.codes = codes or OneTimeCodes(self.engine, codes_key(keys), mailer, clock=clock)

    # --- plumbing --------------------------------------------------------------------------

    @contextmanager
    def opened(self, ref: str) -> Iterator[Opened]:
        """The request, locked for change (the audit lock serialises every writer)."""
        with write_transaction(self.engine) as conn:
            self.trail.lock(conn)
            request = load_request(conn, ref, for_update=True)
            yield Opened(conn, request, load_sealed(conn, self.cipher, request.ref))

    def audit(self, conn: Connection, request: DataSubjectRequest, *events: AuditEvent) -> None:
        pending = [Pending(e, request.subject_ref) for e in events]
        self.trail.append(conn, pending, actor=self.actor, at=self.clock())

    def audit_many(
        self, conn: Connection, events: Sequence[tuple[DataSubjectRequest, AuditEvent]]
    ) -> None:
        """One audit entry per (request, event), appended together (a batch of requests)."""
        pending = [Pending(e, r.subject_ref) for r, e in events]
        self.trail.append(conn, pending, actor=self.actor, at=self.clock())

    def transition(
        self,
        opened: Opened,
        to: RequestStatus,
        *,
        reason_code: str | None = None,
        reason: str | None = None,
        **values: object,
    ) -> DataSubjectRequest:
        """Move to ``to``, with its audit entry; closing erases the sealed personal values."""
        request, now = opened.request, self.clock()
        if to.closed:
            values.setdefault("closed_at", now)
            values["sealed"] = None
        update_request(
            opened.conn,
            request.ref,
            now,
            status=to.value,
            reason_code=reason_code,
            reason=reason,
            **values,
        )
        self.audit(
            opened.conn,
            request,
            RequestStatusChanged(request.ref, request.status.value, to.value, reason_code, reason),
        )
        return load_request(opened.conn, request.ref)

    def tell(self, details: SealedDetails | None, message: Callable[[str], Message]) -> bool:
        """Write to the person when an address is known; False when there is none."""
        address = contact_of(details)
        if address is None:
            return False
        self.mailer.send(message(address))
        return True

    # --- receiving -------------------------------------------------------------------------

    def receive(
        self,
        type: RequestType | str,
        subject: Identifier | str,
        channel: RequestChannel | str = RequestChannel.EMAIL,
        *,
        contact: str | None = None,
        lang: str = "fr",
        purposes: Iterable[str] = (),
        changes: Mapping[str, str | None] | None = None,
        ground: RestrictionGround | str | None = None,
        received_at: datetime | None = None,
    ) -> DataSubjectRequest:
        """Record a request as received; its deadline is one month later (art. 12(3))."""
        kind, via = _choice(RequestType, type, "type"), _choice(RequestChannel, channel, "channel")
        name = as_identifier(subject)
        chosen = tuple(dict.fromkeys(purposes))
        for purpose in chosen:
            if purpose not in self.policy.purpose_by_id:
                raise UnknownReferenceError(
                    "purpose", purpose, suggest(purpose, self.policy.purpose_by_id)
                )
        if kind is RequestType.RECTIFICATION and not changes:
            raise RequestError("a rectification says what to change: field=new value")
        params: dict[str, object] = {}
        if chosen:
            params["purposes"] = list(chosen)
        if ground is not None:
            params["ground"] = _choice(RestrictionGround, ground, "restriction ground").value
        if changes:
            params["fields"] = sorted(changes)
        at = received_at or self.clock()
        digest = self.vault.digest(name)
        ref = new_ref()
        with write_transaction(self.engine) as conn:
            self.trail.lock(conn)
            person = find_people(conn, {name: digest}).get(name)
            request = DataSubjectRequest(
                ref=ref,
                type=kind,
                channel=via,
                status=RequestStatus.RECEIVED,
                lang="en" if lang == "en" else "fr",
                subject_kind=name.kind.value,
                subject_ref=person.ref if person else None,
                received_at=at,
                due_at=deadlines.due_at(at),
                params=params,  # type: ignore[arg-type]
            )
            sealed = SealedDetails(str(name), contact, dict(changes or {}))
            insert_request(conn, request, digest, sealed.seal(self.cipher, ref), at)
            self.audit(
                conn,
                request,
                RequestReceived(ref, kind.value, via.value, at, request.due_at),
            )
        return request

    # --- identity (art. 12(6)) -------------------------------------------------------------

    def send_code(self, ref: str) -> IssuedCode:
        """Send a one-time code to the person's address; the request awaits it."""
        with self.opened(ref) as opened:
            request = opened.request
            if request.status not in (RequestStatus.RECEIVED, RequestStatus.IDENTITY_PENDING):
                raise InvalidTransitionError(
                    f"{request.ref} is {request.status.value}: no code is needed any more"
                )
            address = contact_of(opened.details)
            if address is None or opened.details is None:
                raise RequestError(
                    f"{request.ref}: no e-mail address to send a code to; the request was made "
                    "under another identifier and without a contact address"
                )
            issued = self.codes.issue_code(
                opened.details.identifier,
                f"request:{request.ref}",
                send_to=address,
                lang=request.lang,
                conn=opened.conn,
            )
            if request.status is RequestStatus.RECEIVED:
                self.transition(opened, RequestStatus.IDENTITY_PENDING)
            self.audit(opened.conn, request, IdentityCodeSent(request.ref, issued.expires_at))
        return issued

    def verify(self, ref: str, code: str) -> DataSubjectRequest:
        """Check the code typed back; on success the request can run."""
        with self.opened(ref) as opened:
            request = opened.request
            if request.status is not RequestStatus.IDENTITY_PENDING or opened.details is None:
                raise InvalidTransitionError(
                    f"{request.ref} is {request.status.value}; `gardien request send-code` first"
                    if request.status is RequestStatus.RECEIVED
                    else f"{request.ref} is {request.status.value}: nothing to verify"
                )
            outcome = self.codes.check_code(
                opened.details.identifier, f"request:{request.ref}", code, conn=opened.conn
            )
            if outcome.ok:
                return self.transition(opened, RequestStatus.VERIFIED, verified_at=self.clock())
            self.audit(opened.conn, request, IdentityCheckFailed(request.ref, outcome.value))
        raise IdentityNotConfirmedError(
            f"{request.ref}: the code was not accepted ({outcome.value})"
        )

    def confirm_identity(self, ref: str, how: str) -> DataSubjectRequest:
        """Identity confirmed another way (a signed-in portal session, an API client)."""
        with self.opened(ref) as opened:
            if opened.request.status not in (
                RequestStatus.RECEIVED,
                RequestStatus.IDENTITY_PENDING,
            ):
                raise InvalidTransitionError(f"{ref} is {opened.request.status.value}")
            return self.transition(
                opened, RequestStatus.VERIFIED, reason=how, verified_at=self.clock()
            )

    # --- deadline and refusal ----------------------------------------------------------------

    def extend(self, ref: str, reason: str, months: int = 2) -> DataSubjectRequest:
        """Extend the deadline by one or two months, within the first month (art. 12(3))."""
        with self.opened(ref) as opened:
            request = opened.request
            if request.status.closed:
                raise InvalidTransitionError(f"{request.ref} is {request.status.value}")
            deadlines.check_extension(
                request.received_at, request.extended_months, months, reason, self.clock()
            )
            total = request.extended_months + months
            due = deadlines.due_at(request.received_at, total)
            update_request(
                opened.conn,
                request.ref,
                self.clock(),
                due_at=due,
                extended_months=total,
                extension_reason=reason.strip(),
            )
            self.audit(opened.conn, request, RequestExtended(request.ref, months, reason, due))
            self.tell(
                opened.details,
                lambda to: messages.extended(to, request, due, reason.strip(), self.policy),
            )
            return load_request(opened.conn, request.ref)

    def refuse(self, ref: str, reason: RefusalReason | str, note: str = "") -> DataSubjectRequest:
        """Refuse with reasons, telling the person they may complain (art. 12(4))."""
        why = RefusalReason(reason)
        with self.opened(ref) as opened:
            request = opened.request
            if request.status.closed:
                raise InvalidTransitionError(f"{request.ref} is already {request.status.value}")
            self.tell(
                opened.details,
                lambda to: messages.refused(to, request, why, note, self.policy),
            )
            return self.transition(
                opened, RequestStatus.REFUSED, reason_code=why.value, reason=note or None
            )

    def complete(self, ref: str, note: str) -> DataSubjectRequest:
        """Close as completed a run the DPO finished by hand (one left partial or failed, or
        stuck running after a crash), with a note of what was done; the person is told their
        request is now carried out in full (art. 12(3)). The note stays with the request and
        its audit entry; the person's report says it was finished by hand."""
        done = note.strip()
        if not done:
            raise RequestError(f"{ref}: say what was done by hand (the note is empty)")
        with self.opened(ref) as opened:
            request = opened.request
            if request.status not in (
                RequestStatus.PARTIAL,
                RequestStatus.FAILED,
                RequestStatus.RUNNING,
            ):
                raise InvalidTransitionError(
                    f"{request.ref} is {request.status.value}: only a partial, failed or stuck "
                    "run is closed by hand"
                    + ("; run it instead" if request.status is RequestStatus.VERIFIED else "")
                )
            steps = load_steps(opened.conn, request.ref)
            if request.type is RequestType.ERASURE:
                # Gardien's own steps (the person marked erased, the vault key destroyed)
                # cannot be done by hand: closing without them would tell the person they
                # are erased while every decision still allows.
                left = [
                    s for s in _OWN_ERASURE_STEPS if getattr(steps.get(s), "status", "") != "done"
                ]
                if left:
                    raise InvalidTransitionError(
                        f"{request.ref}: {', '.join(left)} not done; Gardien's own steps are not "
                        "done by hand: run it again first (it does only what is left)"
                    )
            closed = self.transition(
                opened, RequestStatus.COMPLETED, reason_code=COMPLETED_BY_HAND, reason=done
            )
            kept = kept_by_datasets(steps.values())
            self.tell(opened.details, lambda to: messages.answered(to, closed, self.policy, kept))
            return closed

    # --- reading ---------------------------------------------------------------------------

    def get(self, ref: str) -> DataSubjectRequest:
        with read_transaction(self.engine) as conn:
            return load_request(conn, ref)

    def list_requests(self, *, include_closed: bool = False) -> list[DataSubjectRequest]:
        """Open requests (all with ``include_closed``), overdue first, then by deadline."""
        now = self.clock()
        with read_transaction(self.engine) as conn:
            found = list_requests(conn, include_closed=include_closed)
        return sorted(found, key=lambda r: (not r.is_overdue(now), r.due_at))

    def steps(self, ref: str) -> list[Step]:
        """What runs of the request did so far, step by step (``done``, ``failed``, …)."""
        with read_transaction(self.engine) as conn:
            return list(load_steps(conn, load_request(conn, ref).ref).values())

    def requests_of(self, subject: Identifier | str) -> list[DataSubjectRequest]:
        """Every request a person made (for their access package)."""
        digest = self.vault.digest(as_identifier(subject))
        with read_transaction(self.engine) as conn:
            return list_requests(conn, include_closed=True, subject_digest=digest)


E = TypeVar("E", bound=StrEnum)


def _choice(enum: type[E], value: str, what: str) -> E:
    """An enum member, or a :class:`RequestError` listing the choices (never a ValueError)."""
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise RequestError(f"unknown {what} {value!r}; choose one of: {choices}") from None


def contact_of(details: SealedDetails | None) -> str | None:
    """Where to write: the contact given, else the identifier when it is an e-mail."""
    if details is None:
        return None
    if details.contact:
        return details.contact
    name = as_identifier(details.identifier)
    return name.value if name.kind is IdentifierKind.EMAIL else None
