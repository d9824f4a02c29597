"""Listings and inventory refresh: GET_MERCHANT_LISTINGS_ALL_DATA per marketplace (full
refresh), issues from searchListingsItems, FBA quantities from getInventorySummaries.

Runs at the first sync and then once per ``interval`` (default hourly: listings change far
less often than orders, and the report costs a createReport token that refills at one per
minute). Report ids in flight are kept in ``sync_state["listings"]`` so a restarted process
polls the same reports; each marketplace's listings are replaced in one transaction.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from typing import Any

from kinxpro_desktop.core.models import Listing
from kinxpro_desktop.core.progress import CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.services.sync.common import Clock, Counts, wait_for_report
from kinxpro_desktop.spapi.errors import ReportFailed
from kinxpro_desktop.spapi.flatfile import parse_listings_report
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.spapi.mapping import inventory_quantity, listing_issues
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.listings import ListingRepository
from kinxpro_desktop.store.sync_state import SyncStateRepository

log = logging.getLogger(__name__)

LISTINGS = "listings"
LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
CURRENCIES = {
    "ATVPDKIKX0DER": "USD",
    "A2EUQ1WTGCTBG2": "CAD",
    "A1AM78C64UM0Y8": "MXN",
    "A2Q3Y263D00KWC": "BRL",
    "A1F83G8C2ARO7P": "GBP",
    "A1PA6795UKMFR9": "EUR",
    "A13V1IB3VIYZZH": "EUR",
    "APJ6JRA9NG5V4": "EUR",
    "A1RKKUPIHCS9HS": "EUR",
    "A1805IZSGTT6HS": "EUR",
    "AMEN7PMS3EDWL": "EUR",
    "A2NODRKZP88ZB9": "SEK",
    "A1C3SOZRARQ6R3": "PLN",
    "A1VC38T7YXB528": "JPY",
    "A39IBJ37TRP1C6": "AUD",
    "A19VAU5U5O7RUS": "SGD",
    "A21TJRUUN4KGV": "INR",
}
MAX_PAGES = 10_000


class ListingsSync:
    def __init__(
        self, db: Database, gateway: SpApiGateway, *, clock: Clock, interval: timedelta
    ) -> None:
        self.db = db
        self.gateway = gateway
        self.clock = clock
        self.interval = interval
        self.state = SyncStateRepository(db.engine)
        self.repo = ListingRepository(db.engine)
        self.markets = list(gateway.creds.marketplaces)

    def due(self) -> bool:
        st = self.state.get(LISTINGS)
        if st.watermark is None or st.detail.get("reports"):
            return True
        return self.clock() - st.watermark >= self.interval

    def run(self, cancel: CancelToken, progress: ProgressFn, counts: Counts) -> None:
        st = self.state.get(LISTINGS)
        reports: dict[str, str] = dict(st.detail.get("reports", {}))
        done: list[str] = list(st.detail.get("done", []))
        missing = [m for m in self.markets if m not in reports and m not in done]
        if missing:
            progress(ProgressUpdate("Requesting the listings reports"))
            for mp in missing:
                reports[mp] = self.gateway.create_report(LISTINGS_REPORT, [mp], cancel=cancel)
            with self.db.engine.begin() as conn:
                detail = {"reports": reports, "done": done}
                self.state.set(conn, LISTINGS, st.watermark, detail, self.clock())
        for n, mp in enumerate(self.markets, start=1):
            if mp in done:
                continue
            listings = self._marketplace(mp, reports[mp], cancel, progress)
            done.append(mp)
            del reports[mp]
            last = not reports
            now = self.clock()
            with self.db.engine.begin() as conn:
                counts.listings += self.repo.replace_marketplace(mp, listings, now=now, conn=conn)
                if last:
                    self.state.set(conn, LISTINGS, now, {}, now)
                else:
                    detail = {"reports": reports, "done": done}
                    self.state.set(conn, LISTINGS, st.watermark, detail, now)
            progress(ProgressUpdate("Refreshing listings", n, len(self.markets)))

    def _marketplace(
        self, mp: str, report_id: str, cancel: CancelToken, progress: ProgressFn
    ) -> list[Listing]:
        report = wait_for_report(
            self.gateway, report_id, cancel, progress, "Waiting for Amazon's listings report"
        )
        status = report["processingStatus"]
        if status == "FATAL":
            st = self.state.get(LISTINGS)
            reports = dict(st.detail.get("reports", {}))
            reports.pop(mp, None)
            with self.db.engine.begin() as conn:
                detail = {"reports": reports, "done": st.detail.get("done", [])}
                self.state.set(conn, LISTINGS, st.watermark, detail, self.clock())
            raise ReportFailed(
                f"Amazon could not build the listings report {report_id} (FATAL). Kinxpro "
                "will request a new one at the next sync."
            )
        listings: list[Listing] = []
        if status == "DONE":
            text = self.gateway.download_report(str(report["reportDocumentId"]), cancel)
            listings = parse_listings_report(text, mp, CURRENCIES.get(mp, "USD"))
        issues = self._issues(mp, cancel, progress)
        fba = (
            self._fba(mp, cancel, progress)
            if any(li.fulfillment_channel == "AFN" for li in listings)
            else {}
        )
        out: list[Listing] = []
        for li in listings:
            change: dict[str, Any] = {}
            if li.sku in issues:
                change["issues"] = issues[li.sku]
            if li.fulfillment_channel == "AFN" and li.sku in fba:
                change["quantity"] = fba[li.sku]
            out.append(dataclasses.replace(li, **change) if change else li)
        return out

    def _issues(
        self, mp: str, cancel: CancelToken, progress: ProgressFn
    ) -> dict[str, tuple[str, ...]]:
        if not self.gateway.creds.seller_id:
            return {}
        out: dict[str, tuple[str, ...]] = {}
        token: str | None = None
        for page in range(1, MAX_PAGES):
            body = self.gateway.search_listings(mp, token, cancel)
            for item in body["items"]:
                sku, texts = listing_issues(item)
                if texts:
                    out[sku] = texts
            progress(ProgressUpdate("Reading listing issues", page))
            pagination = body.get("pagination")
            token = pagination.get("nextToken") if isinstance(pagination, dict) else None
            if not token:
                break
        return out

    def _fba(self, mp: str, cancel: CancelToken, progress: ProgressFn) -> dict[str, int]:
        out: dict[str, int] = {}
        token: str | None = None
        for page in range(1, MAX_PAGES):
            body = self.gateway.inventory_summaries(mp, token, cancel)
            for row in body["payload"]["inventorySummaries"]:
                sku, quantity = inventory_quantity(row)
                out[sku] = quantity
            progress(ProgressUpdate("Reading FBA inventory", page))
            pagination = body.get("pagination")
            token = pagination.get("nextToken") if isinstance(pagination, dict) else None
            if not token:
                break
        return out
