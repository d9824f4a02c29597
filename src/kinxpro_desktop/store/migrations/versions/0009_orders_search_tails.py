"""one- and two-character order searches read the search index (issue 10, Benchmarks: a
two-character search over 100,000 orders scanned every order item, 560-730 ms).

The trigram index of 0007 holds every three-character piece of each order's document, so a
shorter needle is found through the index's terms that start with it (an occurrence followed
by at least one more character, two for a single character). What no such term covers is an
occurrence at the document's very end: the end of its last item's text. This table keeps the
last two characters of every item's text per order (unit-separator joined), so those are
found too, with no need to rebuild the index itself (~20 s for 100,000 orders).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: the same expression as store/order_search.TAILS (kept here: a migration does not change)
_TAILS = (
    "(SELECT group_concat(substr(i.sku || ' ' || i.asin || ' ' || i.title, -2), char(31)) "
    "FROM order_items i WHERE i.order_id = o.order_id)"
)


def upgrade() -> None:
    op.create_table(
        "orders_search_tails",
        sa.Column("order_rowid", sa.Integer(), nullable=False),
        sa.Column("tails", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("order_rowid"),
    )
    op.execute(
        "INSERT INTO orders_search_tails (order_rowid, tails) "  # noqa: S608 (constant SQL)
        f"SELECT r, t FROM (SELECT o.rowid AS r, {_TAILS} AS t FROM orders o) "
        "WHERE t IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("orders_search_tails")
