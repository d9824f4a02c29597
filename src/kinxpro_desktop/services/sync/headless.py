"""One sync without a GUI, for the ``sync`` CLI command (and schedulers): progress lines on
stderr, an exit code (0 ok, non-zero with the error message on failure, 130 when cancelled
or interrupted with Ctrl-C: no traceback, and the next run resumes from what was committed)."""

from __future__ import annotations

import sys
from typing import TextIO

from kinxpro_desktop.core.credentials import SpApiCredentials
from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressUpdate
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.services.connection import build_gateway
from kinxpro_desktop.services.sync.common import Clock
from kinxpro_desktop.services.sync.service import SyncService
from kinxpro_desktop.store.database import Database

EXIT_FAILED = 1
EXIT_CANCELLED = 130


def format_progress(update: ProgressUpdate) -> str:
    line = f"sync: {update.phase}"
    if update.total:
        line += f" {update.done}/{update.total} ({update.percent}%)"
    elif update.done:
        line += f" ({update.done})"
    return line


def run_headless_sync(
    db: Database,
    creds: SpApiCredentials,
    *,
    endpoint: str | None = None,
    stream: TextIO | None = None,
    cancel: CancelToken | None = None,
    clock: Clock = utcnow,
    backfill_days: int = 90,
    timeout: float = 30.0,
) -> int:
    """Run one sync against Amazon (or the loopback simulator at `endpoint`)."""
    out = stream if stream is not None else sys.stderr
    cancel = cancel or CancelToken()
    last = [""]

    def progress(update: ProgressUpdate) -> None:
        line = format_progress(update)
        if line != last[0]:
            last[0] = line
            print(line, file=out, flush=True)

    try:
        with build_gateway(creds, endpoint=endpoint, timeout=timeout) as gateway:
            service = SyncService(db, gateway, clock=clock, backfill_days=backfill_days)
            report = service.run(cancel, progress)
    except Cancelled:
        print("sync: cancelled; the next run resumes where this one stopped", file=out)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        # Every write is one transaction: an interrupted one rolled back, the rest stays.
        print("sync: interrupted; the next run resumes where this one stopped", file=out)
        return EXIT_CANCELLED
    except UserError as exc:
        print(f"sync: failed: {exc.message}", file=out, flush=True)
        return exc.exit_code if exc.exit_code else EXIT_FAILED
    summary = (
        f"sync: done: {report.orders_upserted} orders ({report.items_upserted} items), "
        f"buyer data for {report.pii_fetched} orders to ship, {report.listings_upserted} "
        f"listings; {report.api_calls} API calls, {report.throttled} throttled"
    )
    if report.watermark is not None:
        summary += f"; up to date as of {report.watermark:%Y-%m-%d %H:%M:%S} UTC"
    print(summary, file=out, flush=True)
    for note in report.notes:
        print(f"sync: note: {note}", file=out, flush=True)
    return 0
