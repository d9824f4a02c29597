"""A scheduled run's marketplaces: each requestable type is requested for every marketplace
the seller participates in, one after the other. This module holds the pure parts: one
marketplace's result in plain words, the type's overall status and message from them, and
their stored form (a run cancelled between marketplaces keeps the ones already tried, so only
the unfinished ones are asked for when it resumes)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, ProgressUpdate
from kinxpro_desktop.services.reports import RoleMissing
from kinxpro_desktop.spapi.errors import SpApiError
from kinxpro_desktop.store.database import Database

if TYPE_CHECKING:
    from kinxpro_desktop.services.reports import ReportKind, ReportService

log = logging.getLogger(__name__)

#: a marketplace's result that is not a failure: built, reused inside Amazon's regeneration
#: limit, or no data for the range (Amazon's CANCELLED; nothing to retry)
FINE = frozenset({"DONE", "REUSED", "CANCELLED"})
#: some marketplaces failed, others did not
PARTIAL = "PARTIAL"


@dataclass(frozen=True)
class MarketRun:
    """One marketplace's part of a scheduled run of one type."""

    marketplace_id: str
    status: str  # DONE, REUSED, CANCELLED, FATAL or FAILED
    message: str  # plain words: "1,204 rows", "reused the document from 10:12 UTC"
    run_id: int | None
    at: datetime  # when it was tried

    @property
    def ok(self) -> bool:
        return self.status in FINE

    @property
    def line(self) -> str:
        """``US: 1,204 rows``."""
        return f"{market_label(self.marketplace_id)}: {self.message}"


def phrase(status: str, rows: int, requested_at: datetime, now: datetime, ranged: bool) -> str:
    """A finished request's result in a seller's words (failures with a message of their
    own use that message instead)."""
    if status == "DONE":
        return f"{rows:,} row{'' if rows == 1 else 's'}"
    if status == "REUSED":
        at = requested_at.astimezone(UTC)
        same_day = at.date() == now.astimezone(UTC).date()
        when = f"{at:%H:%M}" if same_day else f"{at:%Y-%m-%d %H:%M}"
        return f"reused the document from {when} UTC"
    if status == "CANCELLED":
        return "no data for this range" if ranged else "no data"
    if status == "FATAL":
        return "Amazon could not build it (FATAL)"
    return status.lower()


def overall(markets: Sequence[MarketRun]) -> tuple[bool, str, str]:
    """(ok, status, message) of a type from its marketplaces' results: ok when none failed;
    the status they share (DONE when fine ones differ, PARTIAL when only some failed); the
    message lists every marketplace (``US: 1,204 rows; CA: reused ...; MX: no data``)."""
    failed = [m for m in markets if not m.ok]
    statuses = {m.status for m in (failed or markets)}
    shared = statuses.pop() if len(statuses) == 1 else ""
    if not failed:
        status = shared or "DONE"
    elif len(failed) < len(markets):
        status = PARTIAL
    else:
        status = shared or "FAILED"
    message = "; ".join(m.line.rstrip(".") for m in markets) + "."
    if failed:
        names = ", ".join(market_label(m.marketplace_id) for m in failed)
        message += f" {names} will be tried again at the next scheduled run."
    return not failed, status, message


def settlements_message(markets: Sequence[str]) -> str:
    """``2 new settlement reports stored (US: 1, CA: 1).``"""
    counts: dict[str, int] = {}
    for m in markets:
        if m:
            counts[m] = counts.get(m, 0) + 1
    shares = ", ".join(f"{market_label(m)}: {n}" for m, n in counts.items())
    return f"{len(markets)} new settlement reports stored" + (f" ({shares})." if shares else ".")


def request_market(
    reports: ReportService,
    db: Database,
    kind: ReportKind,
    market: str,
    actor: str,
    cancel: CancelToken,
    progress: ProgressFn,
    clock: Callable[[], datetime],
) -> tuple[MarketRun, bool]:
    """Request `kind` for one marketplace (its own regeneration limit applies): the result
    in plain words, and whether it failed for a role the app lacks. A failure that happened
    before a run was recorded gets a FAILED run, so the runs list shows it."""
    report_type = kind.report_type
    name = market_label(market)
    newest = newest_run_id(db, report_type)
    now = clock()

    def tagged(update: ProgressUpdate) -> None:
        progress(replace(update, phase=f"{name}: {update.phase}"))

    role_missing = False
    try:
        outcome = reports.request(
            report_type, marketplace_id=market, actor=actor, cancel=cancel, progress=tagged
        )
        run = outcome.run
        status = "REUSED" if outcome.reused else run.status
        if status == "FAILED":
            words = outcome.message
        else:
            words = phrase(status, run.row_count, run.requested_at, now, kind.ranged)
        return MarketRun(market, status, words, run.run_id, now), False
    except Cancelled:
        raise
    except RoleMissing as exc:
        message, role_missing = exc.message, True
    except (UserError, SpApiError) as exc:
        message = exc.message
    except Exception as exc:  # a bug: logged, recorded, and the other marketplaces still run
        log.exception("scheduled %s request for %s failed", report_type, name)
        message = f"Failed ({type(exc).__name__}); see the log."
    run_id = newest_run_id(db, report_type)
    if run_id == newest:
        run_id = record_failure(db, report_type, message, market, clock())
    return MarketRun(market, "FAILED", message, run_id, now), role_missing


def record_failure(db: Database, report_type: str, message: str, market: str, now: datetime) -> int:
    """A FAILED run for an attempt that failed before one was recorded (e.g. no
    connection), so the runs list shows it with its message."""
    with db.transaction() as uow:
        run_id = uow.reports.create_run(report_type, market, now=now, start=None, end=None)
        uow.reports.set_status(run_id, "FAILED", error=message, completed_at=now)
    return run_id


def newest_run_id(db: Database, report_type: str) -> int | None:
    runs = db.reports.runs(1, report_type)
    return runs[0].run_id if runs else None


def last_done_everywhere(db: Database, reports: ReportService, kind: ReportKind) -> datetime | None:
    """When the type last ran in every one of the seller's marketplaces: the oldest of each
    marketplace's newest run, None when one never ran (a schedule switched on is then due at
    once). Without a connection, or for settlements, the newest run in any marketplace."""
    markets: list[str] = []
    if kind.requestable:
        try:
            markets = reports.marketplaces()
        except UserError:  # not connected: the account's marketplaces are not known
            markets = []
    if not markets:
        run = db.reports.last_done(kind.report_type, None)
        return run.requested_at if run is not None else None
    newest = [db.reports.last_done(kind.report_type, m) for m in markets]
    if any(run is None for run in newest):
        return None
    return min(run.requested_at for run in newest if run is not None)


def carried(
    tried: Iterable[MarketRun], markets: Sequence[str], now: datetime, every: timedelta | None
) -> dict[str, MarketRun]:
    """The marketplaces a cancelled run of this cycle already tried (still listed, and tried
    less than one interval ago: a cycle resumed days later asks every marketplace again)."""
    if every is None:
        return {}
    return {
        m.marketplace_id: m
        for m in tried
        if m.marketplace_id in markets and timedelta(0) <= now - m.at < every
    }


def encode_tried(tried: Iterable[MarketRun]) -> list[dict[str, Any]]:
    return [
        {
            "market": m.marketplace_id,
            "status": m.status,
            "message": m.message,
            "run_id": m.run_id,
            "at": m.at.isoformat(),
        }
        for m in tried
    ]


def decode_tried(stored: object) -> tuple[MarketRun, ...]:
    """The stored list (damaged items are dropped: that marketplace is simply asked again)."""
    if not isinstance(stored, list):
        return ()
    out: list[MarketRun] = []
    for raw in stored:
        if not isinstance(raw, dict):
            continue
        market, status, at = raw.get("market"), raw.get("status"), raw.get("at")
        run_id = raw.get("run_id")
        if not (isinstance(market, str) and market and isinstance(status, str)):
            continue
        try:
            moment = datetime.fromisoformat(at) if isinstance(at, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            continue
        out.append(
            MarketRun(
                market,
                status,
                str(raw.get("message", "")),
                run_id if isinstance(run_id, int) and not isinstance(run_id, bool) else None,
                moment,
            )
        )
    return tuple(out)
