"""Orders sync: report backfill (and catch-up), incremental searchOrders, PII for orders to ship.

State lives in ``sync_state["orders"]``: the watermark (Amazon's time up to which every
order update is stored) and a ``detail`` saying what is in flight: a report being built
(``{"phase": "report", ...}``) or a searchOrders window being paged
(``{"phase": "search", "params": ..., "token": ...}``). Each page of orders commits with the
state that follows it, so a process killed anywhere resumes where the last commit left off;
upserts are idempotent, so a repeated page changes nothing. A report that no longer
exists (expired at Amazon, or a restarted simulator) is requested again.

A watermark ahead of the server's clock (a restarted simulator, a skewed clock, a restored
backup) is clamped: the search starts a little before the server's "now" and the watermark
is reset to the server's own ``lastUpdatedBefore``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from kinxpro_desktop.core.models import Order
from kinxpro_desktop.core.progress import CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.core.retention import cutoff
from kinxpro_desktop.core.vocabulary import AWAITING_SHIPMENT, Actor, AuditEvent, Channel
from kinxpro_desktop.services.privacy import PrivacyService
from kinxpro_desktop.services.sync.common import Clock, Counts, ReportGone, wait_for_report
from kinxpro_desktop.spapi.errors import ReportFailed, RequestRejected, SpApiError
from kinxpro_desktop.spapi.flatfile import parse_orders_report
from kinxpro_desktop.spapi.gateway import SpApiGateway, amazon_time
from kinxpro_desktop.spapi.mapping import order_from_2026, parse_time, pii_from_2026
from kinxpro_desktop.store.database import Database

log = logging.getLogger(__name__)

ORDERS = "orders"
PII = "pii"
ORDERS_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
#: Amazon's order reports may lag up to 30 minutes; searchOrders re-reads that stretch
REPORT_LAG = timedelta(minutes=30)
SEARCH_INCLUDED = ("FULFILLMENT", "PROCEEDS")
PII_INCLUDED = ("BUYER", "RECIPIENT", "FULFILLMENT", "PROCEEDS")
CHUNK = 500
MAX_BACKFILL_DAYS = 730
#: how far before the server's "now" a clamped search starts (Amazon wants after < before)
SERVER_MARGIN = timedelta(minutes=2)
#: how far back the probe for the server's clock looks
PROBE_BACK = timedelta(days=1)


class OrdersSync:
    def __init__(
        self,
        db: Database,
        gateway: SpApiGateway,
        *,
        clock: Clock,
        backfill_days: int,
        overlap: timedelta,
        catch_up_after: timedelta,
    ) -> None:
        if not 1 <= backfill_days <= MAX_BACKFILL_DAYS:
            raise ValueError("backfill_days must be 1 to 730 (Amazon keeps orders 2 years)")
        self.db = db
        self.gateway = gateway
        self.clock = clock
        self.backfill_days = backfill_days
        self.overlap = overlap
        self.catch_up_after = catch_up_after
        self.state = db.sync_state
        self.markets = list(gateway.creds.marketplaces)

    def run(self, cancel: CancelToken, progress: ProgressFn, counts: Counts) -> None:
        st = self.state.get(ORDERS)
        phase = st.detail.get("phase")
        now = self.clock()
        stale = st.watermark is not None and now - st.watermark > self.catch_up_after
        if phase == "report" or (phase != "search" and (st.watermark is None or stale)):
            self._report(cancel, progress, counts)
        self._search(cancel, progress, counts)
        self._pii(cancel, progress, counts)

    # ------------------------------------------------------------------ report path
    def _report(self, cancel: CancelToken, progress: ProgressFn, counts: Counts) -> None:
        try:
            self._report_once(cancel, progress, counts)
        except ReportGone as gone:
            # Amazon forgot the report (expired, or a restarted simulator): start this step
            # again with a new one, from the same watermark.
            log.info("orders report %s no longer exists; requesting a new one", gone)
            st = self.state.get(ORDERS)
            with self.db.transaction() as uow:
                uow.sync_state.set(ORDERS, st.watermark, {}, self.clock())
            self._report_once(cancel, progress, counts)

    def _report_once(self, cancel: CancelToken, progress: ProgressFn, counts: Counts) -> None:
        st = self.state.get(ORDERS)
        detail = st.detail
        if detail.get("phase") != "report":
            if st.watermark is None:
                start = self.clock() - timedelta(days=self.backfill_days)
            else:
                start = st.watermark - self.overlap
            progress(ProgressUpdate("Requesting the orders report"))
            report_id = self.gateway.create_report(
                ORDERS_REPORT, self.markets, start=start, cancel=cancel
            )
            detail = {"phase": "report", "report_id": report_id, "start": amazon_time(start)}
            with self.db.transaction() as uow:
                uow.sync_state.set(ORDERS, st.watermark, detail, self.clock())
            log.info("orders report %s requested", report_id)
        report_id = str(detail["report_id"])
        report = wait_for_report(
            self.gateway, report_id, cancel, progress, "Waiting for Amazon's orders report"
        )
        status = report["processingStatus"]
        if status == "FATAL":
            with self.db.transaction() as uow:
                uow.sync_state.set(ORDERS, st.watermark, {}, self.clock())
            raise ReportFailed(
                f"Amazon could not build the orders report {report_id} (FATAL). Kinxpro will "
                "request a new one at the next sync."
            )
        end = parse_time(report.get("dataEndTime"), f"report {report_id}: dataEndTime")
        batch: list[Order] = []
        if status == "DONE":
            progress(ProgressUpdate("Downloading the orders report"))
            text = self.gateway.download_report(str(report["reportDocumentId"]), cancel)
            batch = parse_orders_report(text)
        retention = PrivacyService(self.db).retention_days()
        watermark = max(end - REPORT_LAG, st.watermark) if st.watermark else end - REPORT_LAG
        total = len(batch)
        for offset in range(0, max(total, 1), CHUNK):
            cancel.check()
            chunk = batch[offset : offset + CHUNK]
            last = offset + CHUNK >= total
            now = self.clock()
            with self.db.transaction() as uow:
                new = uow.orders.merge_page(
                    chunk, replace_items=False, now=now, retention_days=retention
                )
                if last:  # the watermark moves with the last chunk it covers
                    uow.sync_state.set(ORDERS, watermark, {}, now)
            self._count(chunk, new, counts)
            progress(ProgressUpdate("Saving orders from the report", offset + len(chunk), total))
        counts.backfilled = True
        counts.watermark = watermark
        log.info("orders report %s: %d orders stored", report_id, total)

    # ------------------------------------------------------------------ searchOrders path
    def _search(self, cancel: CancelToken, progress: ProgressFn, counts: Counts) -> None:
        st = self.state.get(ORDERS)
        if st.watermark is None:  # pragma: no cover - the report path always sets one
            return
        detail = st.detail
        token: str | None
        clamped = False
        if detail.get("phase") == "search":
            params: dict[str, Any] = dict(detail["params"])
            token = detail.get("token")
            clamped = bool(detail.get("clamped"))
        else:
            after = st.watermark - self.overlap
            latest = self.clock() - SERVER_MARGIN
            if after > latest:  # a watermark ahead of the clock: never ask for the future
                log.warning("orders watermark is ahead of the clock; searching from %s", latest)
                after, clamped = latest, True
            params = self._search_params(after)
            token = None
        retention = PrivacyService(self.db).retention_days()
        pages = 0
        while True:
            cancel.check()
            call = dict(params)
            if token:
                call["paginationToken"] = token
            try:
                body = self.gateway.search_orders(call, cancel)
            except RequestRejected as exc:
                if token and exc.status == 400:
                    log.info("searchOrders page token refused; re-reading the window")
                    token = None
                    continue
                if exc.status == 400 and not clamped:
                    server_now = self._server_now(cancel)
                    if server_now is None:
                        raise
                    log.warning(
                        "searchOrders refused the window (the server's clock is behind the "
                        "watermark); searching from %s",
                        server_now - SERVER_MARGIN,
                    )
                    params = self._search_params(server_now - SERVER_MARGIN)
                    clamped = True
                    continue
                raise
            batch = [order_from_2026(o) for o in body["orders"]]
            pagination = body.get("pagination")
            next_token = pagination.get("nextToken") if isinstance(pagination, dict) else None
            before_text = body.get("lastUpdatedBefore")
            if before_text:
                before = parse_time(before_text, "searchOrders: lastUpdatedBefore")
            else:
                before = max((o.last_updated for o in batch), default=st.watermark)
            now = self.clock()
            with self.db.transaction() as uow:
                new = uow.orders.merge_page(
                    batch, replace_items=True, now=now, retention_days=retention
                )
                if next_token:
                    state = {"phase": "search", "params": params, "token": next_token}
                    if clamped:
                        state["clamped"] = True
                    uow.sync_state.set(ORDERS, st.watermark, state, now)
                else:
                    # A clamped window resets a watermark that was ahead of the server.
                    counts.watermark = before if clamped else max(st.watermark, before)
                    uow.sync_state.set(ORDERS, counts.watermark, {}, now)
            self._count(batch, new, counts)
            pages += 1
            progress(ProgressUpdate("Fetching new and changed orders", pages))
            if not next_token:
                return
            token = str(next_token)

    def _search_params(self, after: datetime) -> dict[str, Any]:
        return {
            "lastUpdatedAfter": amazon_time(after),
            "marketplaceIds": self.markets,
            "includedData": list(SEARCH_INCLUDED),
            "maxResultsPerPage": 100,
        }

    def _server_now(self, cancel: CancelToken) -> datetime | None:
        """The server's clock, from a one-order search's ``lastUpdatedBefore`` (None if the
        server does not say, or refuses that too)."""
        probe = self._search_params(self.clock() - PROBE_BACK)
        probe["maxResultsPerPage"] = 1
        try:
            body = self.gateway.search_orders(probe, cancel)
        except RequestRejected:
            return None
        before = body.get("lastUpdatedBefore")
        return parse_time(before, "searchOrders: lastUpdatedBefore") if before else None

    @staticmethod
    def _count(batch: list[Order], new: set[str], counts: Counts) -> None:
        counts.orders += len(batch)
        counts.order_ids.update(o.order_id for o in batch)
        counts.items += sum(len(o.items) for o in batch)
        counts.new_mfn.extend(
            o.order_id
            for o in batch
            if o.order_id in new
            and o.fulfillment_channel == Channel.MFN
            and o.status in (*AWAITING_SHIPMENT, "Pending")
        )

    # ------------------------------------------------------------------ buyer data
    def _pii(self, cancel: CancelToken, progress: ProgressFn, counts: Counts) -> None:
        """getOrder with BUYER and RECIPIENT for merchant-fulfilled orders awaiting shipment,
        placed inside the retention window, whose buyer data is not held yet."""
        retention = PrivacyService(self.db).retention_days()
        now = self.clock()
        limit = cutoff(now, retention)
        skipped: dict[str, str] = dict(self.state.get(PII).detail.get("no_pii", {}))
        skipped = {k: v for k, v in skipped.items() if _still_inside(v, limit)}
        wanted = [
            order_id
            for order_id in self.db.orders.awaiting_pii(
                placed_after=limit, statuses=AWAITING_SHIPMENT, channel=Channel.MFN
            )
            if order_id not in skipped
        ]
        refused = 0
        for n, order_id in enumerate(wanted, start=1):
            cancel.check()
            try:
                raw = self.gateway.get_order(order_id, PII_INCLUDED, cancel)
            except RequestRejected as exc:
                if exc.status != 404:
                    raise
                counts.notes.append(f"Order {order_id} was not found at Amazon.")
                continue
            order = order_from_2026(raw)
            pii = pii_from_2026(raw)
            keep = (
                pii is not None
                and order.fulfillment_channel == Channel.MFN
                and order.status in AWAITING_SHIPMENT
            )
            now = self.clock()
            with self.db.transaction() as uow:
                uow.orders.merge_page(
                    [order],
                    replace_items=True,
                    now=now,
                    retention_days=retention,
                    pii=[pii] if keep and pii is not None else [],
                )
                uow.audit.append(
                    AuditEvent.PII_FETCH,
                    Actor.SYNC,
                    [order_id],
                    {"included": list(PII_INCLUDED), "stored": keep},
                )
                if pii is None:
                    refused += 1
                    skipped[order_id] = amazon_time(order.purchase_date)
                    uow.sync_state.set(PII, None, {"no_pii": skipped}, now)
            if keep:
                counts.pii += 1
                counts.order_ids.add(order_id)
            progress(ProgressUpdate("Fetching buyer data for orders to ship", n, len(wanted)))
        if refused:
            counts.notes.append(
                f"Amazon sent no buyer data for {refused} order(s) to ship: the app may lack "
                "the Direct-to-Consumer Shipping role (Seller Central ▸ Develop Apps)."
            )


def _still_inside(placed: object, limit: datetime) -> bool:
    """A remembered no-PII order still inside the window (unreadable entries are dropped)."""
    try:
        return parse_time(placed, "pii state") > limit
    except SpApiError:  # BadResponse: an unreadable entry
        return False
