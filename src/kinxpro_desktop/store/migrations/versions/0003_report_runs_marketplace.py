"""report_runs: the marketplace a run was for and Amazon's document id (reports, issue 12)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_runs") as batch:
        batch.add_column(sa.Column("marketplace_id", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("document_id", sa.Text(), nullable=False, server_default=""))
    op.create_index("ix_report_runs_type_market", "report_runs", ["report_type", "marketplace_id"])


def downgrade() -> None:
    op.drop_index("ix_report_runs_type_market", table_name="report_runs")
    with op.batch_alter_table("report_runs") as batch:
        batch.drop_column("document_id")
        batch.drop_column("marketplace_id")
