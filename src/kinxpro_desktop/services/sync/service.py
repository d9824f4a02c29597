"""SyncService: one sync run (orders, buyer data for orders to ship, listings when due).

Qt-free; the SyncController runs it on its own thread, the ``sync`` CLI command through
:func:`kinxpro_desktop.services.sync.headless.run_headless_sync`. Every run leaves one
``sync`` audit entry with counts (no PII), whatever its outcome; refused outbound hosts are
audited as ``egress_refused``. A damaged database file (a page failing its HMAC) is refused
before anything is fetched or written.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.sync import MAX_TRACKED_IDS, SyncReport
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.services.sync.common import Clock, Counts
from kinxpro_desktop.services.sync.listings import ListingsSync
from kinxpro_desktop.services.sync.orders import OrdersSync
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database

log = logging.getLogger(__name__)

DEFAULT_OVERLAP = timedelta(minutes=5)
DEFAULT_LISTINGS_INTERVAL = timedelta(hours=1)
DEFAULT_CATCH_UP_AFTER = timedelta(days=1)


class SyncService:
    def __init__(
        self,
        db: Database,
        gateway: SpApiGateway,
        *,
        clock: Clock = utcnow,
        backfill_days: int = 90,
        overlap: timedelta = DEFAULT_OVERLAP,
        listings_interval: timedelta = DEFAULT_LISTINGS_INTERVAL,
        catch_up_after: timedelta = DEFAULT_CATCH_UP_AFTER,
        actor: str = Actor.SYNC,
    ) -> None:
        self.db = db
        self.gateway = gateway
        self.clock = clock
        self.actor = actor
        self.orders = OrdersSync(
            db,
            gateway,
            clock=clock,
            backfill_days=backfill_days,
            overlap=overlap,
            catch_up_after=catch_up_after,
        )
        self.listings = ListingsSync(db, gateway, clock=clock, interval=listings_interval)

    def run(self, cancel: CancelToken, progress: ProgressFn) -> SyncReport:
        """One sync. Raises UserError (message says what to do) or Cancelled; the state
        committed so far stays, and the next run resumes from it."""
        started = self.clock()
        calls0, throttled0 = self.gateway.call_totals()
        counts = Counts()
        outcome = "failed"
        error = ""
        try:
            self.db.require_intact()
            self.orders.run(cancel, progress, counts)
            if self.listings.due():
                self.listings.run(cancel, progress, counts)
            outcome = "ok"
        except (Cancelled, KeyboardInterrupt):
            outcome = "cancelled"
            raise
        except UserError as exc:
            error = exc.message
            raise
        except Exception as exc:
            error = f"internal error ({type(exc).__name__})"
            raise
        finally:
            calls, throttled = self.gateway.call_totals()
            self._audit(outcome, error, counts, calls - calls0, throttled - throttled0)
        return SyncReport(
            started_at=started,
            finished_at=self.clock(),
            orders_upserted=counts.orders,
            items_upserted=counts.items,
            pii_fetched=counts.pii,
            listings_upserted=counts.listings,
            backfilled=counts.backfilled,
            new_mfn_order_ids=tuple(dict.fromkeys(counts.new_mfn)),
            api_calls=calls - calls0,
            throttled=throttled - throttled0,
            watermark=counts.watermark,
            notes=tuple(counts.notes),
            order_ids=frozenset(counts.order_ids)
            if len(counts.order_ids) <= MAX_TRACKED_IDS
            else None,
        )

    def _audit(self, outcome: str, error: str, counts: Counts, calls: int, throttled: int) -> None:
        try:
            detail: dict[str, object] = {
                "outcome": outcome,
                "orders": counts.orders,
                "items": counts.items,
                "pii_fetched": counts.pii,
                "listings": counts.listings,
                "backfilled": counts.backfilled,
                "api_calls": calls,
                "throttled": throttled,
            }
            if error:
                detail["error"] = error[:500]
            with self.db.transaction() as uow:
                for refused in self.gateway.take_refusals():
                    uow.audit.append(
                        AuditEvent.EGRESS_REFUSED,
                        self.actor,
                        (),
                        {"host": refused.host, "reason": refused.reason},
                    )
                uow.audit.append(AuditEvent.SYNC, self.actor, (), detail)
        except Exception:  # never hide the sync's own error behind an audit failure
            log.exception("could not write the sync audit entry")
