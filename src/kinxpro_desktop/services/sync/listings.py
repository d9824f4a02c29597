"""Listings and inventory refresh: GET_MERCHANT_LISTINGS_ALL_DATA per marketplace (full
refresh), issues from searchListingsItems, FBA quantities from getInventorySummaries.

Runs at the first sync and then once per ``interval`` (default hourly: listings change far
less often than orders, and the report costs a createReport token that refills at one per
minute). Report ids in flight are kept in ``sync_state["listings"]`` so a restarted process
polls the same reports (one that no longer exists is requested again); each marketplace's
listings are replaced in one transaction.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from typing import Any

from kinxpro_desktop.core.marketplaces import currency_of
from kinxpro_desktop.core.models import Listing, ListingIssue
from kinxpro_desktop.core.progress import CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.core.vocabulary import Channel
from kinxpro_desktop.services.sync.common import Clock, Counts, ReportGone, wait_for_report
from kinxpro_desktop.spapi.errors import ReportFailed
from kinxpro_desktop.spapi.flatfile import parse_listings_report
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.spapi.mapping import inventory_quantity, listing_issues
from kinxpro_desktop.store.database import Database

log = logging.getLogger(__name__)

LISTINGS = "listings"
LISTINGS_REPORT = "GET_MERCHANT_LISTINGS_ALL_DATA"
MAX_PAGES = 10_000


class ListingsSync:
    def __init__(
        self, db: Database, gateway: SpApiGateway, *, clock: Clock, interval: timedelta
    ) -> None:
        self.db = db
        self.gateway = gateway
        self.clock = clock
        self.interval = interval
        self.state = db.sync_state
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
            with self.db.transaction() as uow:
                detail = {"reports": reports, "done": done}
                uow.sync_state.set(LISTINGS, st.watermark, detail, self.clock())
        for n, mp in enumerate(self.markets, start=1):
            if mp in done:
                continue
            try:
                listings = self._marketplace(mp, reports[mp], cancel, progress)
            except ReportGone:
                log.info("listings report for %s no longer exists; requesting a new one", mp)
                reports[mp] = self.gateway.create_report(LISTINGS_REPORT, [mp], cancel=cancel)
                with self.db.transaction() as uow:
                    detail = {"reports": reports, "done": done}
                    uow.sync_state.set(LISTINGS, st.watermark, detail, self.clock())
                listings = self._marketplace(mp, reports[mp], cancel, progress)
            done.append(mp)
            del reports[mp]
            last = not reports
            now = self.clock()
            with self.db.transaction() as uow:
                counts.listings += uow.listings.replace_marketplace(mp, listings, now=now)
                if last:
                    uow.sync_state.set(LISTINGS, now, {}, now)
                else:
                    detail = {"reports": reports, "done": done}
                    uow.sync_state.set(LISTINGS, st.watermark, detail, now)
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
            with self.db.transaction() as uow:
                detail = {"reports": reports, "done": st.detail.get("done", [])}
                uow.sync_state.set(LISTINGS, st.watermark, detail, self.clock())
            raise ReportFailed(
                f"Amazon could not build the listings report {report_id} (FATAL). Kinxpro "
                "will request a new one at the next sync."
            )
        listings: list[Listing] = []
        if status == "DONE":
            text = self.gateway.download_report(str(report["reportDocumentId"]), cancel)
            listings = parse_listings_report(text, mp, currency_of(mp))
        issues = self._issues(mp, cancel, progress)
        fba = (
            self._fba(mp, cancel, progress)
            if any(li.fulfillment_channel == Channel.AFN for li in listings)
            else {}
        )
        out: list[Listing] = []
        for li in listings:
            change: dict[str, Any] = {}
            if li.sku in issues:
                change["issues"] = issues[li.sku]
            if li.fulfillment_channel == Channel.AFN and li.sku in fba:
                change["quantity"] = fba[li.sku]
            out.append(dataclasses.replace(li, **change) if change else li)
        return out

    def _issues(
        self, mp: str, cancel: CancelToken, progress: ProgressFn
    ) -> dict[str, tuple[ListingIssue, ...]]:
        if not self.gateway.creds.seller_id:
            return {}
        out: dict[str, tuple[ListingIssue, ...]] = {}
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
