"""Oversight bodies in openbid: bodies, their reviewers, letter counters, reviews; approvals
say whether they were given in openbid or uploaded on paper

Revision ID: 0009_oversight
Revises: 0008_agency_legal_basis
Create Date: 2026-12-01 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_oversight'
down_revision = '0008_agency_legal_basis'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'oversight_body',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('seat', sa.String(length=120), nullable=False),
        sa.Column('address', sa.String(length=300), nullable=False),
        sa.Column('head_title', sa.String(length=200), nullable=False),
        sa.Column('head_name', sa.String(length=200), nullable=False),
        sa.Column('numbering_pattern', sa.String(length=120), nullable=False),
        sa.Column('provinces', sa.JSON(), nullable=False),
        sa.Column('agency_ids', sa.JSON(), nullable=False),
        sa.Column('service_level_days', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oversight_body')),
        sa.UniqueConstraint('code', name=op.f('uq_oversight_body_code')),
    )
    op.create_table(
        'oversight_counter',
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_seq', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['body_id'], ['oversight_body.id'],
            name=op.f('fk_oversight_counter_body_id_oversight_body'),
        ),
        sa.PrimaryKeyConstraint('body_id', 'year', name=op.f('pk_oversight_counter')),
    )
    op.create_table(
        'oversight_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('selection_id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('gate', sa.String(length=60), nullable=False),
        sa.Column('outcome', sa.String(length=12), nullable=False),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('waited_days', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['body_id'], ['oversight_body.id'],
            name=op.f('fk_oversight_review_body_id_oversight_body'),
        ),
        sa.ForeignKeyConstraint(
            ['document_id'], ['issued_document.id'],
            name=op.f('fk_oversight_review_document_id_issued_document'),
        ),
        sa.ForeignKeyConstraint(
            ['reviewer_id'], ['user.id'], name=op.f('fk_oversight_review_reviewer_id_user')
        ),
        sa.ForeignKeyConstraint(
            ['selection_id'], ['selection.id'],
            name=op.f('fk_oversight_review_selection_id_selection'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_oversight_review')),
    )
    with op.batch_alter_table('oversight_review', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_oversight_review_selection_id'), ['selection_id'], unique=False
        )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oversight_body_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_user_oversight_body_id_oversight_body'),
            'oversight_body', ['oversight_body_id'], ['id'],
        )
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('source', sa.String(length=10), server_default='paper', nullable=False)
        )
        batch_op.add_column(sa.Column('document_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_approval_document_id_issued_document'),
            'issued_document', ['document_id'], ['id'],
        )


def downgrade():
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_approval_document_id_issued_document'), type_='foreignkey'
        )
        batch_op.drop_column('document_id')
        batch_op.drop_column('source')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_user_oversight_body_id_oversight_body'), type_='foreignkey'
        )
        batch_op.drop_column('oversight_body_id')
    with op.batch_alter_table('oversight_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oversight_review_selection_id'))
    op.drop_table('oversight_review')
    op.drop_table('oversight_counter')
    op.drop_table('oversight_body')
