"""Many labels at once: buy a list of orders (quotes given), or rate-shop and buy in one go
with the quotes fetched on a second thread while the purchases run, so that the two Amazon
limits (getEligibleShipmentServices 6/s burst 12, createShipment 2/s burst 2) overlap instead
of adding up. Orders are bought in the order given; one failure does not stop the others; a
cancel stops before the next purchase, never in the middle of one."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.core.shipping import BatchResult, BuyResult, Package, RateQuote
from kinxpro_desktop.core.vocabulary import Actor

if TYPE_CHECKING:
    from kinxpro_desktop.services.labels import LabelService

log = logging.getLogger(__name__)


def _buy_one(
    service: LabelService,
    order_id: str,
    *,
    quote: RateQuote | None,
    service_id: str | None,
    label_format: str,
    actor: str,
    reason: str = "",
) -> BuyResult:
    try:
        return service.buy(
            order_id,
            service_id=service_id,
            label_format=label_format,
            quote=quote,
            reason=reason,
            actor=actor,
        )
    except UserError as exc:
        return BuyResult(order_id, False, exc.message)
    except Exception as exc:
        log.exception("label purchase for %s failed", order_id)
        return BuyResult(
            order_id,
            False,
            f"Unexpected {type(exc).__name__}; Kinxpro checks Amazon before buying this "
            "order again. The log file has the details.",
        )


def buy_many(
    service: LabelService,
    order_ids: Sequence[str],
    cancel: CancelToken,
    progress: ProgressFn,
    *,
    quotes: dict[str, RateQuote] | None = None,
    services: dict[str, str] | None = None,
    label_format: str = "",
    actor: str = Actor.OWNER,
    reason: str = "",
) -> BatchResult:
    results: list[BuyResult] = []
    total = len(order_ids)
    for n, order_id in enumerate(order_ids):
        progress(ProgressUpdate("Buying labels", n, total))
        if cancel.cancelled:
            return BatchResult(tuple(results), cancelled=True)
        results.append(
            _buy_one(
                service,
                order_id,
                quote=(quotes or {}).get(order_id),
                service_id=(services or {}).get(order_id),
                label_format=label_format,
                actor=actor,
                reason=reason,
            )
        )
    progress(ProgressUpdate("Buying labels", total, total))
    return BatchResult(tuple(results))


def rate_and_buy(
    service: LabelService,
    order_ids: Sequence[str],
    cancel: CancelToken,
    progress: ProgressFn,
    *,
    label_format: str = "",
    actor: str = Actor.OWNER,
) -> BatchResult:
    """Quote every order (default rule) and buy each as soon as its quote is in."""
    ready: queue.Queue[RateQuote] = queue.Queue()
    stop = threading.Event()

    def quoter() -> None:
        for order_id in order_ids:
            if stop.is_set() or cancel.cancelled:
                return
            try:
                ready.put(service.quote(order_id, None, cancel))
            except Cancelled:
                return
            except Exception as exc:  # the purchase loop reports it for this order
                message = exc.message if isinstance(exc, UserError) else type(exc).__name__
                ready.put(RateQuote(order_id, Package(1, 1, 1, 1), error=message))

    thread = threading.Thread(target=quoter, name="label-quotes", daemon=True)
    thread.start()
    results: list[BuyResult] = []
    total = len(order_ids)
    try:
        for n, order_id in enumerate(order_ids):
            progress(ProgressUpdate("Rating and buying labels", n, total))
            quote: RateQuote | None = None
            while quote is None:
                if cancel.cancelled:
                    return BatchResult(tuple(results), cancelled=True)
                try:
                    quote = ready.get(timeout=0.2)
                except queue.Empty:
                    if not thread.is_alive() and ready.empty():
                        return BatchResult(tuple(results), cancelled=cancel.cancelled)
            if quote.error:
                results.append(BuyResult(order_id, False, quote.error))
                continue
            results.append(
                _buy_one(
                    service,
                    order_id,
                    quote=quote,
                    service_id=None,
                    label_format=label_format,
                    actor=actor,
                )
            )
    finally:
        stop.set()
        thread.join(timeout=30)
    progress(ProgressUpdate("Rating and buying labels", total, total))
    return BatchResult(tuple(results))
