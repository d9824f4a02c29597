"""dashboard days are the marketplace's local days (issue 12: Seller Central's days, Pacific
time for Amazon.com, Tokyo time for Amazon.co.jp, ...): the per-day aggregates built on UTC
days are dropped and every day with orders is marked dirty, so the next dashboard load
rebuilds them on local days (store/reports_dashboard.py). No table changes: the triggers of
0004 still mark the UTC day of a changed order, and a refresh rebuilds the local days that UTC
day touches.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _rebuild_all() -> None:
    op.execute("DELETE FROM dashboard_days")
    op.execute("DELETE FROM dashboard_skus")
    op.execute(
        "INSERT OR IGNORE INTO dashboard_dirty (day) "
        "SELECT DISTINCT substr(purchase_date, 1, 10) FROM orders"
    )


def upgrade() -> None:
    _rebuild_all()


def downgrade() -> None:
    _rebuild_all()  # the code of 0007 rebuilds them on UTC days
