"""Metadata quality: the link checker's results (and whatever else the quality score keeps).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the quality work


def downgrade() -> None:
    pass
