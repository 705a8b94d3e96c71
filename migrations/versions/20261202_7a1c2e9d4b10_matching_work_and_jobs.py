"""matching_work (durable pending matching) and background_jobs (job state and progress for pages)

Revision ID: 7a1c2e9d4b10
Revises: 3ec8a5eb3943
Create Date: 2026-12-02 20:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '7a1c2e9d4b10'
down_revision: Union[str, Sequence[str], None] = '3ec8a5eb3943'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'matching_work',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_external_id', sa.String(length=64), nullable=True),
        sa.Column('reason', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_work')),
    )
    op.create_index(op.f('ix_matching_work_done_at'), 'matching_work', ['done_at'], unique=False)
    op.create_table(
        'background_jobs',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('hub_key', sa.String(length=32), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_background_jobs')),
    )
    op.create_index(op.f('ix_background_jobs_hub_key'), 'background_jobs', ['hub_key'], unique=False)
    op.create_index(op.f('ix_background_jobs_created_at'), 'background_jobs', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_background_jobs_created_at'), table_name='background_jobs')
    op.drop_index(op.f('ix_background_jobs_hub_key'), table_name='background_jobs')
    op.drop_table('background_jobs')
    op.drop_index(op.f('ix_matching_work_done_at'), table_name='matching_work')
    op.drop_table('matching_work')
