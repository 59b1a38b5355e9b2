"""An oversight body's own administrator (user.body_admin) and the committee-composition
exceptions recorded with their justification (committee_exception)

Revision ID: 0011_bodies_exceptions
Revises: 0010_audit_event_selection_event
Create Date: 2026-12-01 07:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_bodies_exceptions'
down_revision = '0010_audit_event_selection_event'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('body_admin', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        'committee_exception',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('selection_id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=60), nullable=False),
        sa.Column('justification', sa.Text(), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['recorded_by_id'], ['user.id'],
            name=op.f('fk_committee_exception_recorded_by_id_user'),
        ),
        sa.ForeignKeyConstraint(
            ['selection_id'], ['selection.id'],
            name=op.f('fk_committee_exception_selection_id_selection'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_exception')),
        sa.UniqueConstraint('selection_id', 'rule', name=op.f('uq_committee_exception_selection_id_rule')),
    )
    with op.batch_alter_table('committee_exception', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_committee_exception_selection_id'), ['selection_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('committee_exception', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_exception_selection_id'))
    op.drop_table('committee_exception')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('body_admin')
