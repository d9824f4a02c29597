"""SQLAlchemy 2 Core schema. Times are ISO-8601 UTC text ("2026-11-26T23:55:07Z"),
which sorts and compares correctly as text. Money is integer minor units plus currency.

Buyer PII lives only in `order_pii` (one row per order) and `label_documents`, each
carrying the order's `placed_at` so the retention wipe is one indexed DELETE per table.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seller_id", Text, nullable=False, unique=True),
    Column("region", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

marketplaces = Table(
    "marketplaces",
    metadata,
    Column("marketplace_id", Text, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE")),
    Column("country_code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("currency", Text, nullable=False),
)

listings = Table(
    "listings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", Text, nullable=False),
    Column("marketplace_id", Text, nullable=False),
    Column("asin", Text, nullable=False, server_default=""),
    Column("title", Text, nullable=False, server_default=""),
    Column("price_minor", Integer),
    Column("currency", Text),
    Column("quantity", Integer),
    Column("status", Text, nullable=False, server_default=""),
    Column("fulfillment_channel", Text, nullable=False, server_default=""),
    Column("issues_json", Text, nullable=False, server_default="[]"),
    Column("updated_at", Text, nullable=False),
    UniqueConstraint("marketplace_id", "sku"),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", Text, primary_key=True),
    Column("marketplace_id", Text, nullable=False),
    Column("purchase_date", Text, nullable=False),
    Column("last_updated", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("fulfillment_channel", Text, nullable=False),
    Column("total_minor", Integer, nullable=False, server_default="0"),
    Column("currency", Text, nullable=False, server_default="USD"),
    Column("ship_city", Text, nullable=False, server_default=""),
    Column("ship_state", Text, nullable=False, server_default=""),
    Column("ship_postal_code", Text, nullable=False, server_default=""),
    Column("ship_country", Text, nullable=False, server_default=""),
    Column("ship_by", Text),
    Column("deliver_by", Text),
    # covering indexes for the Orders tab's id list in each sort order (migration 0006)
    Index("ix_orders_purchase_date_id", "purchase_date", "order_id"),
    Index("ix_orders_total_id", "total_minor", "order_id"),
    Index("ix_orders_ship_by_id", "ship_by", "order_id"),
    Index("ix_orders_last_updated", "last_updated"),
    # the quick-filter counts and "needs shipping" read this index alone (migration 0007)
    Index("ix_orders_status_channel_ship_by", "status", "fulfillment_channel", "ship_by"),
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_id", Text, ForeignKey("orders.order_id", ondelete="CASCADE"), nullable=False),
    Column("order_item_id", Text, nullable=False),
    Column("asin", Text, nullable=False, server_default=""),
    Column("sku", Text, nullable=False, server_default=""),
    Column("title", Text, nullable=False, server_default=""),
    Column("quantity_ordered", Integer, nullable=False, server_default="0"),
    Column("quantity_shipped", Integer, nullable=False, server_default="0"),
    Column("price_minor", Integer, nullable=False, server_default="0"),
    Column("tax_minor", Integer, nullable=False, server_default="0"),
    Column("currency", Text, nullable=False, server_default="USD"),
    UniqueConstraint("order_id", "order_item_id", name="uq_order_items"),
)

order_pii = Table(
    "order_pii",
    metadata,
    Column(
        "order_id",
        Text,
        ForeignKey("orders.order_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("placed_at", Text, nullable=False),
    Column("buyer_name", Text, nullable=False, server_default=""),
    Column("buyer_email", Text, nullable=False, server_default=""),
    Column("buyer_phone", Text, nullable=False, server_default=""),
    Column("recipient_name", Text, nullable=False, server_default=""),
    Column("address_line1", Text, nullable=False, server_default=""),
    Column("address_line2", Text, nullable=False, server_default=""),
    Column("address_line3", Text, nullable=False, server_default=""),
    Column("company", Text, nullable=False, server_default=""),
    Column("gift_message", Text, nullable=False, server_default=""),
    Column("delivery_instructions", Text, nullable=False, server_default=""),
    Column("fetched_at", Text, nullable=False),
    Index("ix_order_pii_placed_at", "placed_at"),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Text, ForeignKey("orders.order_id", ondelete="CASCADE"), nullable=False),
    Column("amazon_shipment_id", Text, unique=True),
    Column("carrier", Text, nullable=False, server_default=""),
    Column("service", Text, nullable=False, server_default=""),
    Column("tracking_id", Text, nullable=False, server_default=""),
    Column("status", Text, nullable=False, server_default=""),
    Column("cost_minor", Integer),
    Column("currency", Text),
    Column("created_at", Text, nullable=False),
    Column("shipped_at", Text),
)

label_documents = Table(
    "label_documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("shipment_id", Integer, ForeignKey("shipments.id", ondelete="CASCADE")),
    Column("order_id", Text, ForeignKey("orders.order_id", ondelete="CASCADE"), nullable=False),
    Column("placed_at", Text, nullable=False),
    Column("kind", Text, nullable=False, server_default="label"),  # label | packing_slip
    Column("format", Text, nullable=False),  # PDF | PNG | ZPL203 | ZPL300
    Column("content", LargeBinary, nullable=False),
    Column("checksum", Text, nullable=False, server_default=""),
    Column("created_at", Text, nullable=False),
    Index("ix_label_documents_placed_at", "placed_at"),
)

report_runs = Table(
    "report_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("report_type", Text, nullable=False),
    Column("amazon_report_id", Text),
    Column("status", Text, nullable=False),
    Column("requested_at", Text, nullable=False),
    Column("completed_at", Text),
    Column("data_start", Text),
    Column("data_end", Text),
    Column("row_count", Integer, nullable=False, server_default="0"),
    Column("error", Text, nullable=False, server_default=""),
    Column("marketplace_id", Text, nullable=False, server_default=""),
    Column("document_id", Text, nullable=False, server_default=""),
    Index("ix_report_runs_type_market", "report_type", "marketplace_id"),
)

report_rows = Table(
    "report_rows",
    metadata,
    Column("run_id", Integer, ForeignKey("report_runs.id", ondelete="CASCADE"), nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("data_json", Text, nullable=False),
    UniqueConstraint("run_id", "row_no", name="uq_report_rows"),
)

staged_listing_changes = Table(
    "staged_listing_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", Text, nullable=False),
    Column("marketplace_id", Text, nullable=False),
    Column("field", Text, nullable=False),  # price | quantity
    Column("old_value", Text),
    Column("new_value", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="staged"),
    Column("issues_json", Text, nullable=False, server_default="[]"),
    Column("created_at", Text, nullable=False),
    Column("submitted_at", Text),
)

# The orders search index (migration 0007): `orders_fts`, an FTS5 trigram table SQLAlchemy
# cannot describe, holds one document per order keyed by the order's rowid; triggers mark
# orders whose document must be rebuilt here (store/order_search.py).
orders_search_dirty = Table(
    "orders_search_dirty", metadata, Column("order_rowid", Integer, primary_key=True)
)
# ... and (migration 0009) the last two characters of each item's text, for one- and
# two-character searches (the index finds them everywhere but at a document's very end).
orders_search_tails = Table(
    "orders_search_tails",
    metadata,
    Column("order_rowid", Integer, primary_key=True),
    Column("tails", Text, nullable=False),
)

# Dashboard aggregates per UTC day (migration 0004): triggers on orders and order_items mark
# a day dirty; the dashboard recomputes dirty days before it reads.
dashboard_dirty = Table("dashboard_dirty", metadata, Column("day", Text, primary_key=True))

dashboard_days = Table(
    "dashboard_days",
    metadata,
    Column("day", Text, primary_key=True),
    Column("currency", Text, primary_key=True),
    Column("marketplace_id", Text, primary_key=True),
    Column("channel", Text, primary_key=True),
    Column("orders", Integer, nullable=False),
    Column("units", Integer, nullable=False),
    Column("sales_minor", Integer, nullable=False),
)

dashboard_skus = Table(
    "dashboard_skus",
    metadata,
    Column("day", Text, primary_key=True),
    Column("marketplace_id", Text, primary_key=True),
    Column("sku", Text, primary_key=True),
    Column("currency", Text, primary_key=True),
    Column("units", Integer, nullable=False),
    Column("sales_minor", Integer, nullable=False),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("key", Text, primary_key=True),
    Column("watermark", Text),
    Column("detail_json", Text, nullable=False, server_default="{}"),
    Column("updated_at", Text, nullable=False),
)

settings = Table(
    "settings",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value_json", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("object_ids", Text, nullable=False, server_default="[]"),
    Column("detail", Text, nullable=False, server_default="{}"),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Index("ix_audit_log_at", "at"),
)

# The chain's starting point after pruning: the last pruned entry's id and hash,
# and the head (last id and hash) so that removing entries at the end is detected too.
audit_anchor = Table(
    "audit_anchor",
    metadata,
    Column("name", Text, primary_key=True),  # "anchor" | "head"
    Column("entry_id", Integer, nullable=False),
    Column("hash", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)

# Secrets kept inside the encrypted database in passphrase mode (SP-API credentials),
# protected by the passphrase-derived key like everything else in the file.
secrets = Table(
    "secrets",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)

# Operator profiles (issue 13 item 4): a scrypt hash with its own salt, never the password;
# failed attempts since the last success and the time a lockout ends.
operators = Table(
    "operators",
    metadata,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Column("pw_salt", Text, nullable=False),
    Column("pw_hash", Text, nullable=False),
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    Column("locked_until", Text),
    Column("created_at", Text, nullable=False),
)
