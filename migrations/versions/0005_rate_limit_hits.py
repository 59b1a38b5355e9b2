"""Rate-limit hits

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_hit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=40), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.Column('hit_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_limit_hit'))
    )
    with op.batch_alter_table('rate_limit_hit', schema=None) as batch_op:
        batch_op.create_index('ix_rate_limit_hit_bucket_addr', ['bucket', 'remote_addr', 'hit_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rate_limit_hit_hit_at'), ['hit_at'], unique=False)


def downgrade():
    with op.batch_alter_table('rate_limit_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_hit_hit_at'))
        batch_op.drop_index('ix_rate_limit_hit_bucket_addr')

    op.drop_table('rate_limit_hit')
