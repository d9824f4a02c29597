"""Read-only queries behind the Orders table: filtering, sorting and paging happen in SQL so
that 100,000 rows never pass through Python at once."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlcipher3.dbapi2
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    Select,
    and_,
    func,
    literal_column,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.exc import OperationalError

from kinxpro_desktop.core.models import Money
from kinxpro_desktop.core.progress import Cancelled
from kinxpro_desktop.core.vocabulary import AWAITING_SHIPMENT
from kinxpro_desktop.store import order_search
from kinxpro_desktop.store.pii_crypto import cipher_for
from kinxpro_desktop.store.schema import order_items, order_pii, orders, orders_search_tails
from kinxpro_desktop.store.sql_text import like_pattern
from kinxpro_desktop.store.timefmt import from_db, opt_from_db, to_db

#: how long a buyer-name match is reused by the next query of the same search
_BUYER_MEMO_SECONDS = 5.0
#: SQLite's default limit on bound parameters is well above this; pages are 200 rows.
_IN_CHUNK = 500


@dataclass(frozen=True)
class OrderRow:
    """One line of the Orders table: typed values; formatting is the UI's job."""

    order_id: str
    marketplace_id: str
    purchase_date: datetime  # UTC
    status: str
    fulfillment_channel: str
    total: Money
    item_count: int
    ship_to: str  # city, state, country (not PII here)
    ship_by: datetime | None  # UTC
    has_buyer_data: bool

    @property
    def key(self) -> str:
        return self.order_id


@dataclass(frozen=True)
class OrderFilter:
    text: str = ""  # order id, SKU, ASIN, product title, or the buyer's name while held
    status: str = ""  # "" = any
    channel: str = ""  # "" | "MFN" | "AFN"
    needs_shipping: bool = False
    marketplace: str = ""  # "" = any
    since: datetime | None = None  # placed at or after (UTC)
    until: datetime | None = None  # placed before (UTC)
    #: ship-by risk: merchant-fulfilled, awaiting shipment, ship-by at or before this moment
    #: (the end of the seller's today: late ones and those due today)
    due_by: datetime | None = None


@dataclass(frozen=True)
class QuickCounts:
    """The quick-filter buttons' counts (whole store, like Seller Central's)."""

    needs_shipping: int  # merchant-fulfilled, awaiting shipment
    late: int  # ... whose ship-by has passed
    due_today: int  # ... due from now until the end of the seller's today
    pending: int  # Pending (payment not yet authorised)


ORDER_SORT = {
    "order_id": orders.c.order_id,
    "purchase_date": orders.c.purchase_date,
    "status": orders.c.status,
    "fulfillment_channel": orders.c.fulfillment_channel,
    "total": orders.c.total_minor,
    "ship_by": orders.c.ship_by,
}


def buyers_matching(engine: Engine, text: str) -> list[str]:
    """Orders whose buyer or recipient name contains `text` (case-insensitive).

    The names are sealed under day keys, so SQL cannot match them: the few rows that hold
    buyer data (open MFN orders of the last <= 30 days) are opened and matched here."""
    needle = text.strip().casefold()
    if not needle:
        return []
    cipher = cipher_for(engine)
    names = ("buyer_name", "recipient_name")
    stmt = select(
        order_pii.c.order_id,
        order_pii.c.placed_at,
        order_pii.c.buyer_name,
        order_pii.c.recipient_name,
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    found = []
    for order_id, placed_at, buyer, recipient in rows:
        opened = cipher.open_fields(order_id, placed_at, names, (buyer, recipient))
        if opened and any(needle in v.casefold() for v in opened):
            found.append(order_id)
    return found


def _order_where(
    f: OrderFilter,
    buyers: Sequence[str] = (),
    *,
    ordered: bool = True,
    short_match: str | None = None,
) -> list[ColumnElement[bool]]:
    """`buyers`: ids whose buyer data matched `f.text` (`buyers_matching`); `short_match`:
    the index query for a one- or two-character text (`order_search.short_match`)."""
    clauses: list[ColumnElement[bool]] = []
    needle = f.text.strip()
    if needle:
        matches = _text_matches(needle, ordered, short_match)
        clauses.append(or_(matches, orders.c.order_id.in_(list(buyers))) if buyers else matches)
    if f.marketplace:
        clauses.append(orders.c.marketplace_id == f.marketplace)
    if f.since is not None:
        clauses.append(orders.c.purchase_date >= to_db(f.since))
    if f.until is not None:
        clauses.append(orders.c.purchase_date < to_db(f.until))
    if f.due_by is not None:
        clauses.append(and_(_needs_shipping(), orders.c.ship_by <= to_db(f.due_by)))
    if f.status:
        clauses.append(orders.c.status == f.status)
    if f.channel:
        clauses.append(orders.c.fulfillment_channel == f.channel)
    if f.needs_shipping:
        clauses.append(_needs_shipping())
    return clauses


def _in_index(query: str) -> Select[tuple[object]]:
    return (
        select(literal_column("rowid"))
        .select_from(text("orders_fts"))
        .where(text("orders_fts MATCH :fts_query").bindparams(fts_query=query))
    )


def _text_matches(needle: str, ordered: bool, short_match: str | None) -> ColumnElement[bool]:
    """Order id, or an item's SKU, ASIN or title, contains `needle` (case-insensitive).
    `ordered`: for a query in display order (see below); a count looks each match up."""
    # "+": test membership while walking the sort order's index, rather than look up each
    # match and sort them all (a first page for a common word: 43 ms -> 13 ms)
    rowid: ColumnElement[int] = literal_column("+orders.rowid" if ordered else "orders.rowid")
    if order_search.indexed(needle):
        return rowid.in_(_in_index(order_search.match_phrase(needle)))
    pattern = like_pattern(needle)
    if short_match is not None:
        # one or two characters: the index's terms starting with them, and the items' last
        # two characters (an occurrence at a document's very end starts no term)
        at_end = select(orders_search_tails.c.order_rowid).where(
            orders_search_tails.c.tails.like(pattern, escape="\\")
        )
        found = rowid.in_(at_end)
        return or_(rowid.in_(_in_index(short_match)), found) if short_match else found
    # without the index's terms (a caller with no connection at hand): scan the items
    in_items = (
        select(order_items.c.order_id)
        .where(
            or_(
                order_items.c.sku.like(pattern, escape="\\"),
                order_items.c.asin.like(pattern, escape="\\"),
                order_items.c.title.like(pattern, escape="\\"),
            )
        )
        .scalar_subquery()
    )
    return or_(orders.c.order_id.like(pattern, escape="\\"), orders.c.order_id.in_(in_items))


@contextmanager
def _interruptible(conn: Connection, should_stop: Callable[[], bool] | None) -> Iterator[None]:
    """Abort the statement running on `conn` (raising Cancelled) once `should_stop()` is
    true: a superseded id list over 100,000 orders must not hold the database thread."""
    if should_stop is None:
        yield
        return
    raw = conn.connection.driver_connection
    raw.set_progress_handler(lambda: 1 if should_stop() else 0, 2000)  # type: ignore[union-attr]
    try:
        yield
    except (OperationalError, sqlcipher3.dbapi2.OperationalError) as exc:
        if should_stop():
            raise Cancelled() from exc
        raise
    finally:
        raw.set_progress_handler(None, 0)  # type: ignore[union-attr]


def _needs_shipping() -> ColumnElement[bool]:
    return and_(
        orders.c.fulfillment_channel == "MFN",
        orders.c.status.in_(sorted(AWAITING_SHIPMENT)),
    )


class OrderQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._buyer_memo: tuple[str, float, list[str]] | None = None

    def quick_counts(self, now: datetime, end_of_today: datetime) -> QuickCounts:
        """One pass over the orders awaiting shipment or payment (the status index)."""
        awaiting = orders.c.status.in_(sorted(AWAITING_SHIPMENT))
        mfn = orders.c.fulfillment_channel == "MFN"
        ship_by = orders.c.ship_by
        stmt = select(
            func.count().filter(and_(mfn, awaiting)),
            func.count().filter(and_(mfn, awaiting, ship_by <= to_db(now))),
            func.count().filter(
                and_(mfn, awaiting, ship_by > to_db(now), ship_by <= to_db(end_of_today))
            ),
            func.count().filter(orders.c.status == "Pending"),
        ).where(or_(awaiting, orders.c.status == "Pending"))
        with self._engine.connect() as conn:
            n, late, due, pending = conn.execute(stmt).one()
        return QuickCounts(int(n), int(late), int(due), int(pending))

    def order_marketplaces(self) -> list[str]:
        with self._engine.connect() as conn:
            return list(
                conn.execute(
                    select(orders.c.marketplace_id).distinct().order_by(orders.c.marketplace_id)
                ).scalars()
            )

    def _where(
        self, f: OrderFilter, ordered: bool = True, short: str | None = None
    ) -> list[ColumnElement[bool]]:
        """`short`: `_short_match(f)` when the caller has it already."""
        needle = f.text.strip()
        if not needle:
            return _order_where(f)
        self._catch_up_search()
        if short is None:
            short = self._short_match(f)
        return _order_where(f, self._buyers(f.text), ordered=ordered, short_match=short)

    def _short_match(self, f: OrderFilter) -> str | None:
        """The index query of a one- or two-character search text (None for other text)."""
        needle = f.text.strip()
        if not needle or order_search.indexed(needle):
            return None
        self._catch_up_search()
        with self._engine.connect() as conn:
            return order_search.short_match(conn, needle)

    def _buyers(self, needle: str) -> list[str]:
        """Buyer-name matches, remembered for a few seconds: a new search reads a count,
        a first page and the id list, and each would open every held name again."""
        now = time.monotonic()
        memo = self._buyer_memo
        if memo is not None and memo[0] == needle and now - memo[1] < _BUYER_MEMO_SECONDS:
            return memo[2]
        found = buyers_matching(self._engine, needle)
        self._buyer_memo = (needle, now, found)
        return found

    def _catch_up_search(self) -> None:
        """Rebuild search documents a writer other than the orders store left dirty."""
        with self._engine.connect() as conn:
            dirty = order_search.is_dirty(conn)
        if dirty:
            with self._engine.begin() as conn:
                order_search.flush(conn)

    def count_orders(self, f: OrderFilter) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(self._count(f)).scalar_one())

    def _count(self, f: OrderFilter, short: str | None = None) -> Select[Any]:
        """The match count. Search text alone is counted from the index (every order has
        one document there, flushed before a search) without reading the orders: 62,000
        matches in ~9 ms, not ~25 ms; with its tails for one or two characters, and with
        the orders whose held buyer name matched."""
        needle = f.text.strip()
        if not needle or f != OrderFilter(text=f.text):
            where = self._where(f, ordered=False, short=short)
            return select(func.count()).select_from(orders).where(*where)
        self._catch_up_search()
        main: Select[Any] | None = None  # each order once: its one document
        extras: list[Select[Any]] = []  # a few more, which may overlap it
        if order_search.indexed(needle):
            main = _in_index(order_search.match_phrase(needle))
        else:
            short = self._short_match(f) if short is None else short
            main = _in_index(short) if short else None
            extras.append(
                select(orders_search_tails.c.order_rowid).where(
                    orders_search_tails.c.tails.like(like_pattern(needle), escape="\\")
                )
            )
        buyers = self._buyers(needle)
        if buyers:
            held: Select[Any] = select(literal_column("orders.rowid").label("order_rowid"))
            held = held.select_from(orders)
            extras.append(held.where(orders.c.order_id.in_(buyers)))
        # added, not a UNION: deduplicating 87,000 index matches cost ~40 ms of a ~55 ms count
        counted = [] if main is None else [select(func.count()).select_from(main.subquery())]
        if extras:
            extra = (extras[0] if len(extras) == 1 else union(*extras)).subquery()
            more = select(func.count()).select_from(extra)
            if main is not None:
                more = more.where(next(iter(extra.c)).not_in(main))
            counted.append(more)
        if len(counted) == 1:
            return counted[0]
        return select(counted[0].scalar_subquery() + counted[1].scalar_subquery())

    def order_keys(
        self,
        f: OrderFilter,
        sort: str,
        descending: bool,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[str]:
        """Every matching order id, in display order (ids only: 100k rows are ~4 MB).
        Fetched through the driver: SQLAlchemy's per-row result handling cost ~30 %."""
        column = ORDER_SORT.get(sort, orders.c.purchase_date)
        tie = orders.c.order_id.desc() if descending else orders.c.order_id.asc()
        stmt = (
            select(orders.c.order_id)
            .where(*self._where(f))
            .order_by(column.desc() if descending else column.asc(), tie)
        )
        with self._engine.connect() as conn, _interruptible(conn, should_stop):
            compiled = stmt.compile(conn, compile_kwargs={"render_postcompile": True})
            params = tuple(compiled.params[name] for name in compiled.positiontup or ())
            cursor = conn.connection.driver_connection.execute(  # type: ignore[union-attr]
                str(compiled), params
            )
            return [r[0] for r in cursor.fetchall()]

    def order_head(
        self, f: OrderFilter, sort: str, descending: bool, limit: int
    ) -> tuple[int, list[OrderRow]]:
        """How many orders match, and the first `limit` of them in display order: what a
        new filter or sort paints first, before the whole id list is read."""
        short = self._short_match(f)
        where = self._where(f, short=short)
        column = ORDER_SORT.get(sort, orders.c.purchase_date)
        count = self._count(f, short)
        tie = orders.c.order_id.desc() if descending else orders.c.order_id.asc()
        # ids first, rows after: sorting whole rows would compute each match's item count
        # (62,000 for a common word) before LIMIT applies
        first = (
            select(orders.c.order_id)
            .where(*where)
            .order_by(column.desc() if descending else column.asc(), tie)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            total = int(conn.execute(count).scalar_one())
            ids = list(conn.execute(first).scalars())
        found = self.orders_by_id(ids)
        rows = [found[i] for i in ids if i in found]
        return total, rows

    def orders_by_id(self, order_ids: Sequence[str]) -> dict[str, OrderRow]:
        out: dict[str, OrderRow] = {}
        for start in range(0, len(order_ids), _IN_CHUNK):
            chunk = list(order_ids[start : start + _IN_CHUNK])
            stmt = self._order_select().where(orders.c.order_id.in_(chunk))
            with self._engine.connect() as conn:
                for r in conn.execute(stmt).all():
                    row = _order_row(r)
                    out[row.order_id] = row
        return out

    def order_page(
        self, f: OrderFilter, sort: str, descending: bool, offset: int, limit: int
    ) -> list[OrderRow]:
        column = ORDER_SORT.get(sort, orders.c.purchase_date)
        tie = orders.c.order_id.desc() if descending else orders.c.order_id.asc()
        stmt = (
            self._order_select()
            .where(*self._where(f))
            .order_by(column.desc() if descending else column.asc(), tie)
            .offset(offset)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [_order_row(r) for r in conn.execute(stmt).all()]

    @staticmethod
    def _order_select() -> Select[tuple[object, ...]]:
        # per row, through the (order_id, order_item_id) index: a GROUP BY over every
        # order_items row on each page took ~0.6 s at 100k orders
        n = (
            select(func.sum(order_items.c.quantity_ordered))
            .where(order_items.c.order_id == orders.c.order_id)
            .correlate(orders)
            .scalar_subquery()
            .label("n")
        )
        return select(orders, n, order_pii.c.order_id.label("pii")).outerjoin(
            order_pii, order_pii.c.order_id == orders.c.order_id
        )

    def count_pii_placed_by(self, moment: datetime) -> int:
        """Orders holding buyer data placed at or before ``moment`` (what a wipe would delete)."""
        stmt = (
            select(func.count())
            .select_from(order_pii)
            .where(order_pii.c.placed_at <= to_db(moment))
        )
        with self._engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def order_statuses(self) -> list[str]:
        with self._engine.connect() as conn:
            return list(
                conn.execute(select(orders.c.status).distinct().order_by(orders.c.status)).scalars()
            )


def _order_row(r: Row[tuple[object, ...]]) -> OrderRow:
    m = r._mapping
    return OrderRow(
        order_id=str(m["order_id"]),
        marketplace_id=str(m["marketplace_id"]),
        purchase_date=from_db(str(m["purchase_date"])),
        status=str(m["status"]),
        fulfillment_channel=str(m["fulfillment_channel"]),
        total=Money.from_minor(int(m["total_minor"] or 0), str(m["currency"])),
        item_count=int(m["n"] or 0),
        ship_to=", ".join(
            str(p) for p in (m["ship_city"], m["ship_state"], m["ship_country"]) if p
        ),
        ship_by=opt_from_db(m["ship_by"]),
        has_buyer_data=m["pii"] is not None,
    )
