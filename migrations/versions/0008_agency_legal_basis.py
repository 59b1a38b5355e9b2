"""Each agency's own legal basis: its formation law(s) and its local regulations

The workflow definitions cited Kota Tangerang's formation law (UU 2/1993) for every agency;
the agency now carries its own. An existing Kota Tangerang keeps citing UU 2/1993.

Revision ID: 0008_agency_legal_basis
Revises: 0007_jobs
Create Date: 2026-12-01 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_agency_legal_basis'
down_revision = '0007_jobs'
branch_labels = None
depends_on = None

KOTA_TANGERANG = (
    "Undang-Undang Nomor 2 Tahun 1993 tentang Pembentukan Kotamadya Daerah Tingkat II "
    "Tangerang (Lembaran Negara Republik Indonesia Tahun 1993 Nomor 18, Tambahan Lembaran "
    "Negara Republik Indonesia Nomor 3518)"
)


def upgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('formation_laws', sa.JSON(), nullable=False, server_default='[]')
        )
        batch_op.add_column(
            sa.Column('local_legal_basis', sa.JSON(), nullable=False, server_default='[]')
        )
    agency = sa.table(
        'agency', sa.column('region_name', sa.String), sa.column('formation_laws', sa.JSON)
    )
    # What the definitions cited for everyone stays cited by the one agency it belongs to.
    op.execute(
        agency.update()
        .where(agency.c.region_name == 'Kota Tangerang')
        .values(formation_laws=[KOTA_TANGERANG])
    )


def downgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('local_legal_basis')
        batch_op.drop_column('formation_laws')
