"""orders read path (issue 10, Benchmarks): covering indexes for the Orders tab's id list in
each sort order: (purchase_date, order_id) replaces the purchase_date index, plus
(total_minor, order_id) and (ship_by, order_id). The id list over 100,000 orders reads the
index alone: ~80 ms -> ~25 ms in SQL, and a date preset ~5 ms -> ~2 ms.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_orders_purchase_date", table_name="orders")
    op.create_index("ix_orders_purchase_date_id", "orders", ["purchase_date", "order_id"])
    op.create_index("ix_orders_total_id", "orders", ["total_minor", "order_id"])
    op.create_index("ix_orders_ship_by_id", "orders", ["ship_by", "order_id"])


def downgrade() -> None:
    op.drop_index("ix_orders_ship_by_id", table_name="orders")
    op.drop_index("ix_orders_total_id", table_name="orders")
    op.drop_index("ix_orders_purchase_date_id", table_name="orders")
    op.create_index("ix_orders_purchase_date", "orders", ["purchase_date"])
