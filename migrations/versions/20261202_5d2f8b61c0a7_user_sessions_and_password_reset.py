"""users: session_version (sign-out and password changes end older sessions) and the password-reset link

Revision ID: 5d2f8b61c0a7
Revises: 7a1c2e9d4b10
Create Date: 2026-12-02 20:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '5d2f8b61c0a7'
down_revision: Union[str, Sequence[str], None] = '7a1c2e9d4b10'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('password_reset_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('password_reset_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_password_reset_hash'), ['password_reset_hash'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_password_reset_hash'))
        batch_op.drop_column('password_reset_expires_at')
        batch_op.drop_column('password_reset_hash')
        batch_op.drop_column('session_version')
