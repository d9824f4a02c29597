"""Listings written by sync: a full refresh replaces one marketplace's rows at once.

Issues are written as a JSON list of Amazon's Issue objects and read through
``core.listing_issues.decode_issues``, which also reads the flattened strings older stores
hold (no migration) and never raises on a damaged value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kinxpro_desktop.core.listing_issues import ListingIssue, decode_issues, encode_issues
from kinxpro_desktop.core.models import Listing, Money
from kinxpro_desktop.store.schema import listings
from kinxpro_desktop.store.timefmt import to_db

_UPDATE = (
    "asin",
    "title",
    "price_minor",
    "currency",
    "quantity",
    "status",
    "fulfillment_channel",
    "issues_json",
    "updated_at",
)


def _row(li: Listing, now: str) -> dict[str, object]:
    return {
        "sku": li.sku,
        "marketplace_id": li.marketplace_id,
        "asin": li.asin,
        "title": li.title,
        "price_minor": li.price.minor_units if li.price else None,
        "currency": li.price.currency if li.price else None,
        "quantity": li.quantity,
        "status": li.status,
        "fulfillment_channel": li.fulfillment_channel,
        "issues_json": encode_issues(li.issues),
        "updated_at": now,
    }


class ListingRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def replace_marketplace(
        self,
        marketplace_id: str,
        batch: Sequence[Listing],
        *,
        now: datetime,
        conn: Connection | None = None,
    ) -> int:
        """Make `marketplace_id`'s listings exactly `batch` (upsert, delete the rest)."""
        if conn is None:
            with self._engine.begin() as own:
                return self.replace_marketplace(marketplace_id, batch, now=now, conn=own)
        stamp = to_db(now)
        rows = [_row(li, stamp) for li in batch if li.marketplace_id == marketplace_id]
        if rows:
            stmt = sqlite_insert(listings)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[listings.c.marketplace_id, listings.c.sku],
                    set_={c: stmt.excluded[c] for c in _UPDATE},
                ),
                rows,
            )
        keep = [str(r["sku"]) for r in rows]
        conn.execute(
            delete(listings).where(
                listings.c.marketplace_id == marketplace_id,
                listings.c.sku.not_in(bindparam("keep", expanding=True)),
            ),
            {"keep": keep or [""]},
        )
        return len(rows)

    def set_issues(
        self,
        marketplace_id: str,
        issues: Mapping[str, Iterable[ListingIssue]],
        *,
        conn: Connection | None = None,
    ) -> int:
        """Set the issue list of each SKU given; SKUs not given get no issues."""
        if conn is None:
            with self._engine.begin() as own:
                return self.set_issues(marketplace_id, issues, conn=own)
        conn.execute(
            update(listings)
            .where(listings.c.marketplace_id == marketplace_id)
            .values(issues_json="[]")
        )
        encoded = {sku: encode_issues(found) for sku, found in issues.items()}
        params = [
            {"m": marketplace_id, "s": sku, "j": text}
            for sku, text in encoded.items()
            if text != "[]"
        ]
        if params:
            conn.execute(
                update(listings)
                .where(
                    listings.c.marketplace_id == bindparam("m"),
                    listings.c.sku == bindparam("s"),
                )
                .values(issues_json=bindparam("j")),
                params,
            )
        return len(params)

    def get(self, marketplace_id: str, sku: str) -> Listing | None:
        with self._engine.connect() as conn:
            r = conn.execute(
                select(listings).where(
                    listings.c.marketplace_id == marketplace_id, listings.c.sku == sku
                )
            ).first()
        if r is None:
            return None
        return Listing(
            sku=r.sku,
            marketplace_id=r.marketplace_id,
            asin=r.asin,
            title=r.title,
            price=Money.from_minor(r.price_minor, r.currency) if r.currency else None,
            quantity=r.quantity,
            status=r.status,
            fulfillment_channel=r.fulfillment_channel,
            issues=decode_issues(r.issues_json),
        )

    def count(self, marketplace_id: str | None = None) -> int:
        query = select(func.count()).select_from(listings)
        if marketplace_id is not None:
            query = query.where(listings.c.marketplace_id == marketplace_id)
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())
