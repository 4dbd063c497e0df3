"""The tables of data-subject requests, on the shared :data:`gardien.storage.tables.metadata`.

A request row says what was asked, by whom (a pseudonymous ref and a keyed digest; the
identifier itself only encrypted, and erased once the request is closed), where it stands and
by when it must be answered (GDPR art. 12(3)). A step row records each unit of work done for
it (one per dataset, one for the ledger), so that a rerun after a crash does only what is left.
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.storage.tables import Id, UtcDateTime, metadata

requests = sa.Table(
    "gardien_requests",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("ref", sa.String(32), nullable=False, unique=True, doc="Shown to people: R-…"),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("lang", sa.String(2), nullable=False),
    sa.Column("subject_kind", sa.String(16), nullable=False),
    sa.Column(
        "subject_digest",
        sa.LargeBinary(32),
        nullable=False,
        doc="Blind index of the identifier: finds a person's requests without the value",
    ),
    sa.Column("subject_ref", sa.String(32), nullable=True, doc="The ledger's ref, when known"),
    sa.Column(
        "sealed",
        sa.LargeBinary(),
        nullable=True,
        doc="Encrypted JSON: identifier, contact, new values; NULL once the request is closed",
    ),
    sa.Column("params", sa.JSON(), nullable=False, doc="What is not personal: purposes, ground"),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("extended_months", sa.Integer(), nullable=False, default=0),
    sa.Column("extension_reason", sa.Text(), nullable=True),
    sa.Column("verified_at", UtcDateTime(), nullable=True),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    sa.Column("reason_code", sa.String(32), nullable=True),
    sa.Column("reason", sa.Text(), nullable=True, doc="Why refused, partial or failed"),
    sa.Column("outcome", sa.JSON(), nullable=True, doc="Summary of the last run"),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Index("ix_gardien_requests_due", "status", "due_at"),
    sa.Index("ix_gardien_requests_subject", "subject_digest"),
)

request_steps = sa.Table(
    "gardien_request_steps",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column(
        "request_id",
        Id,
        sa.ForeignKey("gardien_requests.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("step", sa.String(128), nullable=False, doc="dataset:<name>, ledger, package"),
    sa.Column("status", sa.String(16), nullable=False, doc="planned, done or failed"),
    sa.Column("result", sa.JSON(), nullable=True, doc="Counts and what a hold kept"),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("request_id", "step", name="uq_gardien_request_steps_request_id"),
)
