"""The ledger's change feed on PostgreSQL: every audit entry is announced on ``gardien_ledger``.

Every change to a person's ledger state is written with its audit entry in one transaction
(see :mod:`gardien.audit.chain`), so a row trigger on the audit entries announces each change,
whoever wrote it, with ``NOTIFY gardien_ledger, '<seq> <event type> <subject ref>'``. PostgreSQL
delivers the notification when (and only if) the transaction commits, in commit order. Other
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
BEGIN
    PERFORM pg_notify(
        'gardien_ledger',
        NEW.seq::text || ' ' || NEW.event_type || ' ' || coalesce(NEW.subject_ref, '')
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
