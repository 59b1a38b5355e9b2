"""An index on audit_event (selection_id, event, occurred_at): when a selection's event of a
kind last happened is read from it (the oversight gates' waits on the auditor's and the
oversight body's pages), not from every event of the selection.

Revision ID: 0010_audit_event_selection_event
Revises: 0009_oversight
Create Date: 2026-12-01 06:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010_audit_event_selection_event'
down_revision = '0009_oversight'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_audit_event_selection_event",
        "audit_event",
        ["selection_id", "event", "occurred_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_audit_event_selection_event", table_name="audit_event")
