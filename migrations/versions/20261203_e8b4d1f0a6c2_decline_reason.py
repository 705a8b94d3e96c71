"""why a pair was declined: a reason code on its pipeline transition

Revision ID: e8b4d1f0a6c2
Revises: c41d7e2a9f53
Create Date: 2026-12-03 09:10:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = 'e8b4d1f0a6c2'
down_revision: Union[str, Sequence[str], None] = 'c41d7e2a9f53'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('pipeline_transitions') as batch:
        batch.add_column(sa.Column('reason', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pipeline_transitions') as batch:
        batch.drop_column('reason')
