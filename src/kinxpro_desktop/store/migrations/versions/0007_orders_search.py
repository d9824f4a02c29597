"""orders search index (issue 10, Benchmarks): an FTS5 trigram index with one document per
order (its order id, and each item's SKU, ASIN and title), keyed by the order's rowid, so that
a substring search of three characters or more reads the index instead of scanning every
order item (a title search over 100,000 orders: ~370 ms -> see bench/bench_tabs.py).
Also (status, fulfillment_channel, ship_by) replaces the status index: "needs shipping" and
the quick-filter counts then read the index alone (a count of 22,000 awaiting orders:
13 ms -> 0.5 ms).

Triggers only mark an order dirty (cheap, in the writer's transaction); `store.order_search`
rebuilds the dirty documents at the end of each orders write and before a search reads. A
later migration that rebuilds the `orders` table (batch mode) must call
`order_search.rebuild(conn)`, since rowids may change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_MARK_ORDER = (
    "INSERT INTO orders_search_dirty (order_rowid) SELECT r FROM (SELECT {row} AS r) "
    "WHERE r IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orders_search_dirty WHERE order_rowid = r);"
)
_ITEM_ROW = "(SELECT rowid FROM orders WHERE order_id = {side}.order_id)"

#: trigger name -> definition (constant SQL, no input). No OR IGNORE: inside a trigger the
#: outer statement's conflict policy (the orders upsert) would override it.
TRIGGERS = {
    "orders_search_order_insert": (
        "AFTER INSERT ON orders BEGIN " + _MARK_ORDER.format(row="NEW.rowid") + " END"
    ),
    "orders_search_order_delete": (
        "AFTER DELETE ON orders BEGIN " + _MARK_ORDER.format(row="OLD.rowid") + " END"
    ),
    "orders_search_item_insert": (
        "AFTER INSERT ON order_items BEGIN "
        + _MARK_ORDER.format(row=_ITEM_ROW.format(side="NEW"))
        + " END"
    ),
    "orders_search_item_update": (
        "AFTER UPDATE OF sku, asin, title, order_id ON order_items BEGIN "
        + _MARK_ORDER.format(row=_ITEM_ROW.format(side="NEW"))
        + _MARK_ORDER.format(row=_ITEM_ROW.format(side="OLD"))
        + " END"
    ),
    "orders_search_item_delete": (
        "AFTER DELETE ON order_items BEGIN "
        + _MARK_ORDER.format(row=_ITEM_ROW.format(side="OLD"))
        + " END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "orders_search_dirty",
        sa.Column("order_rowid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_rowid"),
    )
    op.execute(
        "CREATE VIRTUAL TABLE orders_fts USING fts5("
        "doc, content='', contentless_delete=1, tokenize='trigram')"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute("INSERT INTO orders_search_dirty (order_rowid) SELECT rowid FROM orders")
    op.drop_index("ix_orders_status", table_name="orders")
    op.create_index(
        "ix_orders_status_channel_ship_by", "orders", ["status", "fulfillment_channel", "ship_by"]
    )


def downgrade() -> None:
    op.drop_index("ix_orders_status_channel_ship_by", table_name="orders")
    op.create_index("ix_orders_status", "orders", ["status"])
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS orders_fts")
    op.drop_table("orders_search_dirty")
