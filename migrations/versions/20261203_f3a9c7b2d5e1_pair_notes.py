"""internal notes of hub staff on a pair

Revision ID: f3a9c7b2d5e1
Revises: e8b4d1f0a6c2
Create Date: 2026-12-03 09:30:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = 'f3a9c7b2d5e1'
down_revision: Union[str, Sequence[str], None] = 'e8b4d1f0a6c2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'pair_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_pair_notes_match_id', 'pair_notes', ['match_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pair_notes_match_id', table_name='pair_notes')
    op.drop_table('pair_notes')
