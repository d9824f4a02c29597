"""Shared pieces of the sync streams: counters and report polling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.spapi.errors import ReportFailed, RequestRejected
from kinxpro_desktop.spapi.gateway import SpApiGateway

Clock = Callable[[], datetime]
#: how long one run waits for Amazon to build a report before leaving it for the next run
REPORT_WAIT_SECONDS = 20 * 60
#: the first wait between polls, in Amazon's seconds; it grows 1.5x per poll up to the cap
FIRST_POLL_INTERVAL = 0.2
MAX_POLL_INTERVAL = 15.0


@dataclass
class Counts:
    orders: int = 0
    items: int = 0
    pii: int = 0
    listings: int = 0
    backfilled: bool = False
    new_mfn: list[str] = field(default_factory=list)
    watermark: datetime | None = None
    notes: list[str] = field(default_factory=list)
    order_ids: set[str] = field(default_factory=set)  # stored or changed (SyncReport.order_ids)


def time_scale(gateway: SpApiGateway) -> float:
    """How many times faster than Amazon the server runs (1 for Amazon; the simulator says
    so in its rate headers, and the gateway's limiter learns it in simulator mode)."""
    limiter = getattr(gateway, "limiter", None)
    if limiter is None:  # the gateway facade keeps it on its call core
        limiter = getattr(getattr(gateway, "core", None), "limiter", None)
    scale: object = getattr(limiter, "scale", None)
    if scale is None:
        scale = getattr(limiter, "_scale", 1.0)
    try:
        value = float(scale)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0
    return value if value >= 1.0 else 1.0


class ReportGone(Exception):
    """getReport answered 404: the report expired at Amazon, or the server forgot it
    (a restarted simulator). The step that asked for it starts again."""


def wait_for_report(
    gateway: SpApiGateway,
    report_id: str,
    cancel: CancelToken,
    progress: ProgressFn,
    phase: str,
) -> dict[str, object]:
    """Poll getReport until DONE/CANCELLED/FATAL: the first poll at once, then waits that grow
    from 0.2 s to 15 s of Amazon's time (scaled down for a time-scaled simulator)."""
    scale = time_scale(gateway)
    waited = 0.0
    interval = FIRST_POLL_INTERVAL
    while True:
        try:
            report = gateway.get_report(report_id, cancel)
        except RequestRejected as exc:
            if exc.status == 404:
                raise ReportGone(report_id) from exc
            raise
        status = report["processingStatus"]
        if status in ("DONE", "CANCELLED", "FATAL"):
            return report
        progress(ProgressUpdate(phase))
        if waited >= REPORT_WAIT_SECONDS:
            raise ReportFailed(
                f"Amazon is still preparing report {report_id} ({status}); Kinxpro will pick "
                "it up at the next sync."
            )
        if cancel.wait(interval / scale):
            raise Cancelled()
        waited += interval
        interval = min(MAX_POLL_INTERVAL, interval * 1.5)
