"""The orders search index (migration 0007): one FTS5 trigram document per order, made of
its order id and each item's SKU, ASIN and title, keyed by the order's rowid.

Writers never touch the index directly: triggers mark changed orders in
`orders_search_dirty`, and `flush` rebuilds those documents, at the end of each orders write
(`store.orders`) and before a search reads (any other writer is caught up then).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

#: a trigram index answers substrings of three characters or more; shorter text is scanned
MIN_INDEXED = 3

_DOC = (
    "o.order_id || ' ' || coalesce((SELECT group_concat(i.sku || ' ' || i.asin || ' ' || "
    "i.title, ' ') FROM order_items i WHERE i.order_id = o.order_id), '')"
)
FLUSH_SQL = (
    "DELETE FROM orders_fts WHERE rowid IN (SELECT order_rowid FROM orders_search_dirty)",
    "INSERT INTO orders_fts (rowid, doc) SELECT o.rowid, "  # noqa: S608 (constant SQL)
    + _DOC
    + " FROM orders o WHERE o.rowid IN (SELECT order_rowid FROM orders_search_dirty)",
    "DELETE FROM orders_search_dirty",
)
_REBUILD = (
    "DELETE FROM orders_fts",
    "INSERT INTO orders_fts (rowid, doc) SELECT o.rowid, " + _DOC + " FROM orders o",  # noqa: S608
    "DELETE FROM orders_search_dirty",
)


def is_dirty(conn: Connection) -> bool:
    return conn.execute(text("SELECT 1 FROM orders_search_dirty LIMIT 1")).first() is not None


def flush(conn: Connection) -> None:
    """Rebuild the documents of the orders marked dirty (inside the caller's transaction)."""
    if is_dirty(conn):
        for sql in FLUSH_SQL:
            conn.execute(text(sql))


def rebuild(conn: Connection) -> None:
    """Rebuild every document (after anything that may have renumbered order rowids)."""
    for sql in _REBUILD:
        conn.execute(text(sql))


def indexed(needle: str) -> bool:
    """Whether the index can answer this search text (else the caller scans with LIKE)."""
    return len(needle) >= MIN_INDEXED


def match_phrase(needle: str) -> str:
    """The FTS5 query for a substring: one quoted phrase (quotes doubled), so operators and
    punctuation the seller types ("AND", "*", "-", quotes) are matched as text."""
    return '"' + needle.replace('"', '""') + '"'
