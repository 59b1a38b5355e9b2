"""Background jobs; pending documents (numbered in the transition, rendered by a job)

Revision ID: 0007_jobs
Revises: 0006
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_jobs'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('func', sa.String(length=200), nullable=False),
        sa.Column('args', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('selection_id', sa.Integer(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=False),
        sa.Column('error', sa.JSON(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['actor_id'], ['user.id'], name=op.f('fk_job_actor_id_user')
        ),
        sa.ForeignKeyConstraint(
            ['selection_id'], ['selection.id'], name=op.f('fk_job_selection_id_selection'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_selection_id'), ['selection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_status'), ['status'], unique=False)

    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('status', sa.String(length=12), server_default='issued', nullable=False)
        )
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.Text(), server_default='', nullable=False))
        batch_op.alter_column('file_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=True)


def downgrade():
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.alter_column('sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('file_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('last_error')
        batch_op.drop_column('context')
        batch_op.drop_column('status')

    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_status'))
        batch_op.drop_index(batch_op.f('ix_job_selection_id'))

    op.drop_table('job')
