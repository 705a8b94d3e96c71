"""indexes for paged lists: a hub's pairs by state and score, a hub's companies by kind and name

Revision ID: c41d7e2a9f53
Revises: 5d2f8b61c0a7
Create Date: 2026-12-02 20:40:00

"""
from typing import Sequence, Union

from alembic import op


revision: str = 'c41d7e2a9f53'
down_revision: Union[str, Sequence[str], None] = '5d2f8b61c0a7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_matches_hub_status_score', 'matches', ['hub_key', 'status', 'score'], unique=False)
    op.create_index('ix_companies_hub_kind_name', 'companies', ['hub_key', 'kind', 'name'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_companies_hub_kind_name', table_name='companies')
    op.drop_index('ix_matches_hub_status_score', table_name='matches')
