"""dashboard aggregates per day (orders, units, sales; per SKU) kept fresh by triggers that
mark a day dirty whenever an order or item of that day changes (issue 12: dashboard refresh
over 100,000 orders within 300 ms)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: trigger name -> definition (constant SQL, no input). No OR IGNORE: inside a trigger the
#: outer statement's conflict policy (the orders upsert) would override it.
TRIGGERS = {
    "trg_dash_orders_insert": (
        "AFTER INSERT ON orders BEGIN INSERT INTO dashboard_dirty (day) SELECT d FROM (SELECT "
        "substr(NEW.purchase_date, 1, 10) AS d) WHERE d IS NOT NULL AND NOT EXISTS (SELECT 1 "
        "FROM dashboard_dirty WHERE day = d); END"
    ),
    "trg_dash_orders_update": (
        "AFTER UPDATE OF purchase_date, status, currency, marketplace_id, fulfillment_channel "
        "ON orders BEGIN INSERT INTO dashboard_dirty (day) SELECT d FROM (SELECT "
        "substr(OLD.purchase_date, 1, 10) AS d) WHERE d IS NOT NULL AND NOT EXISTS (SELECT 1 "
        "FROM dashboard_dirty WHERE day = d); INSERT INTO dashboard_dirty (day) SELECT d FROM "
        "(SELECT substr(NEW.purchase_date, 1, 10) AS d) WHERE d IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM dashboard_dirty WHERE day = d); END"
    ),
    "trg_dash_orders_delete": (
        "AFTER DELETE ON orders BEGIN INSERT INTO dashboard_dirty (day) SELECT d FROM (SELECT "
        "substr(OLD.purchase_date, 1, 10) AS d) WHERE d IS NOT NULL AND NOT EXISTS (SELECT 1 "
        "FROM dashboard_dirty WHERE day = d); END"
    ),
    "trg_dash_items_insert": (
        "AFTER INSERT ON order_items BEGIN INSERT INTO dashboard_dirty (day) SELECT d FROM "
        "(SELECT (SELECT substr(purchase_date, 1, 10) FROM orders WHERE order_id = "
        "NEW.order_id) AS d) WHERE d IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dashboard_dirty "
        "WHERE day = d); END"
    ),
    "trg_dash_items_update": (
        "AFTER UPDATE OF order_id, sku, currency, quantity_ordered, price_minor ON order_items "
        "BEGIN INSERT INTO dashboard_dirty (day) SELECT d FROM (SELECT (SELECT "
        "substr(purchase_date, 1, 10) FROM orders WHERE order_id = OLD.order_id) AS d) WHERE d "
        "IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dashboard_dirty WHERE day = d); INSERT INTO "
        "dashboard_dirty (day) SELECT d FROM (SELECT (SELECT substr(purchase_date, 1, 10) FROM "
        "orders WHERE order_id = NEW.order_id) AS d) WHERE d IS NOT NULL AND NOT EXISTS (SELECT"
        " 1 FROM dashboard_dirty WHERE day = d); END"
    ),
    "trg_dash_items_delete": (
        "AFTER DELETE ON order_items BEGIN INSERT INTO dashboard_dirty (day) SELECT d FROM "
        "(SELECT (SELECT substr(purchase_date, 1, 10) FROM orders WHERE order_id = "
        "OLD.order_id) AS d) WHERE d IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dashboard_dirty "
        "WHERE day = d); END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "dashboard_dirty",
        sa.Column("day", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "dashboard_days",
        sa.Column("day", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("marketplace_id", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("sales_minor", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "currency", "marketplace_id", "channel"),
    )
    op.create_table(
        "dashboard_skus",
        sa.Column("day", sa.Text(), nullable=False),
        sa.Column("marketplace_id", sa.Text(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("sales_minor", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "marketplace_id", "sku", "currency"),
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "INSERT OR IGNORE INTO dashboard_dirty (day) "
        "SELECT DISTINCT substr(purchase_date, 1, 10) FROM orders"
    )


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("dashboard_skus")
    op.drop_table("dashboard_days")
    op.drop_table("dashboard_dirty")
