"""a supplier's stated capacity: new introductions it can take per month

Revision ID: b7e2c9d41f08
Revises: f3a9c7b2d5e1
Create Date: 2026-12-03 12:20:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = 'b7e2c9d41f08'
down_revision: Union[str, Sequence[str], None] = 'f3a9c7b2d5e1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column('companies', sa.Column('monthly_capacity', sa.Integer(), nullable=True))
    op.create_index('ix_companies_monthly_capacity', 'companies', ['monthly_capacity'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_companies_monthly_capacity', table_name='companies')
    op.drop_column('companies', 'monthly_capacity')
