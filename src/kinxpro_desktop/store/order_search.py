"""The orders search index (migration 0007): one FTS5 trigram document per order, made of
its order id and each item's SKU, ASIN and title, keyed by the order's rowid; and (migration
0009) the last two characters of each item's text, `orders_search_tails`.

A needle of three characters or more is one phrase query. A shorter one is the OR of the
index's terms (trigrams) that start with it, read from the index's vocabulary by prefix
range (milliseconds): every occurrence followed by enough characters to start a trigram;
the tails add the occurrences at the very end of a document (the end of its last item).

Writers never touch the index directly: triggers mark changed orders in
`orders_search_dirty`, and `flush` rebuilds those documents, at the end of each orders write
(`store.orders`) and before a search reads (any other writer is caught up then).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

#: a trigram index answers substrings of three characters or more as one phrase
MIN_INDEXED = 3

_DOC = (
    "o.order_id || ' ' || coalesce((SELECT group_concat(i.sku || ' ' || i.asin || ' ' || "
    "i.title, ' ') FROM order_items i WHERE i.order_id = o.order_id), '')"
)
#: the last two characters of each item's text, joined by U+001F (typed by no one)
TAILS = (
    "(SELECT group_concat(substr(i.sku || ' ' || i.asin || ' ' || i.title, -2), char(31)) "
    "FROM order_items i WHERE i.order_id = o.order_id)"
)
_DIRTY = "o.rowid IN (SELECT order_rowid FROM orders_search_dirty)"
FLUSH_SQL = (
    "DELETE FROM orders_fts WHERE rowid IN (SELECT order_rowid FROM orders_search_dirty)",
    f"INSERT INTO orders_fts (rowid, doc) SELECT o.rowid, {_DOC} FROM orders o WHERE {_DIRTY}",  # noqa: S608
    "DELETE FROM orders_search_tails "
    "WHERE order_rowid IN (SELECT order_rowid FROM orders_search_dirty)",
    "INSERT INTO orders_search_tails (order_rowid, tails) "  # noqa: S608 (constant SQL)
    f"SELECT r, t FROM (SELECT o.rowid AS r, {TAILS} AS t FROM orders o WHERE {_DIRTY}) "
    "WHERE t IS NOT NULL",
    "DELETE FROM orders_search_dirty",
)
#: every document and tail again (a restore, or anything that renumbered order rowids)
REBUILD_SQL = (
    "DELETE FROM orders_fts",
    "INSERT INTO orders_fts (rowid, doc) SELECT o.rowid, " + _DOC + " FROM orders o",  # noqa: S608
    "DELETE FROM orders_search_tails",
    "INSERT INTO orders_search_tails (order_rowid, tails) "  # noqa: S608 (constant SQL)
    f"SELECT r, t FROM (SELECT o.rowid AS r, {TAILS} AS t FROM orders o) WHERE t IS NOT NULL",
    "DELETE FROM orders_search_dirty",
)
#: the index's vocabulary, one row per term (per connection; read by prefix range only)
_VOCAB = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.orders_fts_terms "
    "USING fts5vocab(main, orders_fts, row)"
)
_TERMS = text("SELECT term FROM temp.orders_fts_terms WHERE term >= :lo AND term < :hi")


def is_search_table(name: str) -> bool:
    """The index's own tables (the FTS5 table, its shadow tables, the tails and the dirty
    marks): keyed by order rowids, so built from the orders, never copied between stores."""
    return name.startswith("orders_fts") or name in ("orders_search_tails", "orders_search_dirty")


def is_dirty(conn: Connection) -> bool:
    return conn.execute(text("SELECT 1 FROM orders_search_dirty LIMIT 1")).first() is not None


def flush(conn: Connection) -> None:
    """Rebuild the documents of the orders marked dirty (inside the caller's transaction)."""
    if is_dirty(conn):
        for sql in FLUSH_SQL:
            conn.execute(text(sql))


def rebuild(conn: Connection) -> None:
    """Rebuild every document (after anything that may have renumbered order rowids)."""
    for sql in REBUILD_SQL:
        conn.execute(text(sql))


def indexed(needle: str) -> bool:
    """Whether the index answers this search text with one phrase (else: `short_match`)."""
    return len(needle) >= MIN_INDEXED


def short_match(conn: Connection, needle: str) -> str:
    """The FTS5 query for a one- or two-character needle: the OR of the index's terms that
    start with it, folded as the trigram tokenizer folds; "" when no term does."""
    low = needle.lower()
    high = low[:-1] + chr(min(ord(low[-1]) + 1, 0x10FFFF))  # terms sort by code point
    conn.execute(text(_VOCAB))
    terms = conn.execute(_TERMS, {"lo": low, "hi": high}).scalars()
    return " OR ".join(match_phrase(str(term)) for term in terms)


def match_phrase(needle: str) -> str:
    """The FTS5 query for a substring: one quoted phrase (quotes doubled), so operators and
    punctuation the seller types ("AND", "*", "-", quotes) are matched as text."""
    return '"' + needle.replace('"', '""') + '"'
