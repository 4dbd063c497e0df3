"""The ledger's change feed on PostgreSQL: every audit entry is announced on ``gardien_ledger``.

Every change to a person's ledger state is written with its audit entry in one transaction
(see :mod:`gardien.audit.chain`), so a row trigger on the audit entries announces each change,
whoever wrote it, with ``NOTIFY gardien_ledger, '<seq> <event type> <subject ref> <digests>'``
(the digests of the person's identifiers, only for the events after which an identifier may
name someone it did not). PostgreSQL delivers the notification when (and only if) the
transaction commits, in commit order. Other
engines need nothing: their processes read the new audit entries themselves
(:mod:`gardien.ledger.sync.polling`).

Revision ID: 0008_ledger_change_feed
Revises: 0001_ledger_and_audit
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0008_ledger_change_feed"
down_revision = "0001_ledger_and_audit"
branch_labels = ("sync",)
depends_on = None

_FUNCTION = """
CREATE OR REPLACE FUNCTION gardien_ledger_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    names text := '';
BEGIN
    -- After these, an identifier cached as naming nobody may name this person: send the
    -- person's identifier digests too (gardien.ledger.sync.change.NEW_NAMES).
    IF NEW.event_type IN ('person.registered', 'person.identifier_added', 'person.erased') THEN
        SELECT coalesce(string_agg(encode(i.digest, 'hex'), ','), '') INTO names
        FROM gardien_identifiers i JOIN gardien_people p ON p.id = i.person_id
        WHERE p.ref = NEW.subject_ref;
    END IF;
    PERFORM pg_notify(
        'gardien_ledger',
        NEW.seq::text || ' ' || NEW.event_type || ' ' || coalesce(NEW.subject_ref, '')
        || ' ' || names
    );
    RETURN NULL;
END
$$
"""

_TRIGGER = """
CREATE TRIGGER gardien_ledger_notify
AFTER INSERT ON gardien_audit_entries
FOR EACH ROW EXECUTE FUNCTION gardien_ledger_notify()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_FUNCTION)
    op.execute(_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS gardien_ledger_notify ON gardien_audit_entries")
    op.execute("DROP FUNCTION IF EXISTS gardien_ledger_notify()")
