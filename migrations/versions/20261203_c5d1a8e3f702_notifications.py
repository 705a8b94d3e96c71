"""mail notifications: an outbox row per (event, recipient) and each user's switch per kind

Revision ID: c5d1a8e3f702
Revises: b7e2c9d41f08
Create Date: 2026-12-03 12:40:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = 'c5d1a8e3f702'
down_revision: Union[str, Sequence[str], None] = 'b7e2c9d41f08'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'notification_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_key', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('match_id', sa.Integer(), nullable=True),
        sa.Column('company_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_notification_outbox_user_id_users',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['match_id'], ['matches.id'], name='fk_notification_outbox_match_id_matches',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name='fk_notification_outbox_company_id_companies',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_notification_outbox'),
        sa.UniqueConstraint('event_key', 'user_id', name='uq_notification_outbox_event_user'),
        sa.UniqueConstraint('message_id', name='uq_notification_outbox_message_id'),
    )
    op.create_index('ix_notification_outbox_status', 'notification_outbox', ['status'], unique=False)
    op.create_index('ix_notification_outbox_user_id', 'notification_outbox', ['user_id'], unique=False)
    op.create_table(
        'notification_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_notification_settings_user_id_users',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_notification_settings'),
        sa.UniqueConstraint('user_id', 'kind', name='uq_notification_settings_user_kind'),
    )


def downgrade() -> None:
    op.drop_table('notification_settings')
    op.drop_index('ix_notification_outbox_user_id', table_name='notification_outbox')
    op.drop_index('ix_notification_outbox_status', table_name='notification_outbox')
    op.drop_table('notification_outbox')
