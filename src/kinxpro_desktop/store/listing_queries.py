"""Read-only queries behind the Listings table: filtering, sorting and paging in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Row, and_, case, exists, func, literal, or_, select

from kinxpro_desktop.core.listing_issues import (
    ERROR,
    INFO,
    LEGACY_PREFIXES,
    WARNING,
    ListingIssue,
    decode_issues,
)
from kinxpro_desktop.core.marketplaces import currency_of
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.store.schema import listings
from kinxpro_desktop.store.sql_text import like_pattern
from kinxpro_desktop.store.timefmt import opt_from_db

#: SQLite's default limit on bound parameters is well above this; pages are 200 rows.
_IN_CHUNK = 500


@dataclass(frozen=True)
class ListingRow:
    listing_id: int
    sku: str
    marketplace_id: str
    asin: str
    title: str
    price: Money | None
    quantity: int | None
    status: str
    fulfillment_channel: str
    issues: tuple[ListingIssue, ...]  # errors first; UNREADABLE when the stored list is damaged
    updated_at: datetime | None = None

    @property
    def key(self) -> int:
        return self.listing_id

    @property
    def change_id(self) -> str:
        """How a job names this listing in ``Changes.listings``."""
        return f"{self.marketplace_id}/{self.sku}"


@dataclass(frozen=True)
class ListingFilter:
    text: str = ""  # SKU, ASIN or title
    with_issues: bool = False  # any issue (or a damaged issue list)
    errors_only: bool = False  # with at least one ERROR (or a damaged list); implies with_issues
    status: str = ""  # "" = any (Amazon's status text)
    channel: str = ""  # "" | "MFN" | "AFN"
    marketplace: str = ""
    low_stock: int | None = None  # merchant quantity at or below this


def _listing_where(f: ListingFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if f.text.strip():
        pattern = like_pattern(f.text.strip())
        clauses.append(
            or_(
                listings.c.sku.like(pattern, escape="\\"),
                listings.c.asin.like(pattern, escape="\\"),
                listings.c.title.like(pattern, escape="\\"),
            )
        )
    if f.errors_only:
        clauses.append(_has_error())
    elif f.with_issues:
        clauses.append(_has_issue())
    if f.status:
        clauses.append(func.lower(listings.c.status) == f.status.lower())
    if f.channel == "AFN":
        clauses.append(_listing_is_fba())
    elif f.channel:
        clauses.append(~_listing_is_fba())
    if f.marketplace:
        clauses.append(listings.c.marketplace_id == f.marketplace)
    if f.low_stock is not None:
        clauses.append(
            and_(~_listing_is_fba(), listings.c.quantity.is_not(None)),
        )
        clauses.append(listings.c.quantity <= f.low_stock)
    return clauses


_BLANK = " \t\r\n"


def _issue_list(when_list: ColumnElement[Any]) -> ColumnElement[bool]:
    """``when_list`` for a stored JSON list; nothing stored is no issue, damage is one (an
    error: the seller cannot tell the list holds none). CASE is evaluated lazily in SQLite,
    so no JSON function ever sees a damaged value."""
    stored = listings.c.issues_json
    return and_(
        stored != "[]",
        case(
            (func.trim(stored, _BLANK) == "", literal(False)),
            (func.json_valid(stored) == 0, literal(True)),
            (func.json_type(stored) != "array", literal(True)),
            else_=when_list,
        ).is_(True),
    )


def _has_issue() -> ColumnElement[bool]:
    """What ``decode_issues`` reads as at least one issue."""
    return _issue_list(func.json_array_length(listings.c.issues_json) > 0)


def _has_element(severity: str) -> ColumnElement[bool]:
    """At least one element ``decode_issues`` reads with ``severity`` (ERROR: an Issue object
    whose severity is not WARNING or INFO, an old string whose first word is not one of
    LEGACY_PREFIXES, any other element; or a damaged list)."""
    each = func.json_each(listings.c.issues_json).table_valued("value", "type").alias("issue")
    named = func.upper(func.trim(func.coalesce(func.json_extract(each.c.value, "$.severity"), "")))
    lowered = func.lower(each.c.value)
    legacy = {s: [p for p, sev in LEGACY_PREFIXES.items() if sev == s] for s in (WARNING, INFO)}
    by_object: ColumnElement[bool]
    by_text: ColumnElement[bool]
    if severity == ERROR:
        by_object = named.not_in((WARNING, INFO))
        by_text = ~or_(*(lowered.like(f"{p}%") for p in LEGACY_PREFIXES))
    else:
        by_object = named == severity
        by_text = or_(*(lowered.like(f"{p}%") for p in legacy[severity]))
    match = case(
        (each.c.type == "object", by_object),
        (each.c.type == "text", by_text),
        else_=literal(severity == ERROR),
    ).is_(True)
    return _issue_list(exists(select(literal(1)).select_from(each).where(match)))


def _has_error() -> ColumnElement[bool]:
    return _has_element(ERROR)


def _issue_rank() -> ColumnElement[int]:
    """Sort key of the Issues column: 3 with an error (or damage), 2 with a warning, 1 with
    notes only, 0 without issues (what the chip's colour says)."""
    return case((_has_error(), 3), (_has_element(WARNING), 2), (_has_issue(), 1), else_=0)


LISTING_SORT: dict[str, ColumnElement[Any]] = {
    "sku": listings.c.sku,
    "title": listings.c.title,
    "price": listings.c.price_minor,
    "quantity": listings.c.quantity,
    "status": listings.c.status,
    "asin": listings.c.asin,
    "fulfillment_channel": listings.c.fulfillment_channel,
    "updated_at": listings.c.updated_at,
    "issues": _issue_rank(),
}


def _listing_is_fba() -> ColumnElement[bool]:
    channel = func.upper(listings.c.fulfillment_channel)
    return or_(channel == "AFN", channel.like("AMAZON%"))


class ListingQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def count_listings(self, f: ListingFilter | None = None) -> int:
        stmt = (
            select(func.count()).select_from(listings).where(*_listing_where(f or ListingFilter()))
        )
        with self._engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def listing_keys(self, f: ListingFilter, sort: str, descending: bool) -> list[int]:
        column = LISTING_SORT.get(sort, listings.c.sku)
        tie = listings.c.id.desc() if descending else listings.c.id.asc()
        stmt = (
            select(listings.c.id)
            .where(*_listing_where(f))
            .order_by(column.desc() if descending else column.asc(), tie)
        )
        with self._engine.connect() as conn:
            return [int(i) for i in conn.execute(stmt).scalars()]

    def listings_by_id(self, listing_ids: Sequence[int]) -> dict[int, ListingRow]:
        out: dict[int, ListingRow] = {}
        for start in range(0, len(listing_ids), _IN_CHUNK):
            chunk = list(listing_ids[start : start + _IN_CHUNK])
            with self._engine.connect() as conn:
                rows = conn.execute(select(listings).where(listings.c.id.in_(chunk))).all()
            for r in rows:
                row = _listing_row(r)
                out[row.listing_id] = row
        return out

    def listing_page(
        self, f: ListingFilter, sort: str, descending: bool, offset: int, limit: int
    ) -> list[ListingRow]:
        column = LISTING_SORT.get(sort, listings.c.sku)
        stmt = (
            select(listings)
            .where(*_listing_where(f))
            .order_by(column.desc() if descending else column.asc(), listings.c.id)
            .offset(offset)
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        return [_listing_row(r) for r in rows]

    def listing_statuses(self) -> list[str]:
        with self._engine.connect() as conn:
            return [
                str(s)
                for s in conn.execute(
                    select(listings.c.status).distinct().order_by(listings.c.status)
                ).scalars()
                if s
            ]


def _listing_row(r: Row[tuple[object, ...]]) -> ListingRow:
    m = r._mapping
    marketplace_id = str(m["marketplace_id"])
    price_minor = m["price_minor"]
    quantity = m["quantity"]
    currency = m["currency"] or currency_of(marketplace_id)
    return ListingRow(
        listing_id=int(m["id"]),
        sku=str(m["sku"]),
        marketplace_id=marketplace_id,
        asin=str(m["asin"]),
        title=str(m["title"]),
        price=None if price_minor is None else Money.from_minor(int(price_minor), str(currency)),
        quantity=None if quantity is None else int(quantity),
        status=str(m["status"]),
        fulfillment_channel=str(m["fulfillment_channel"]),
        issues=decode_issues(m["issues_json"]),
        updated_at=opt_from_db(m["updated_at"]),
    )
