"""Scheduled refresh of the report types the seller picks (daily by default).

The pick list, each type's interval and its last and next run live in the encrypted store's
settings table (key ``reports.schedule``). What is due is decided by a pure function over
that state and a clock (``due``), so it is tested with a fake clock. Due requests run one at a
time (``run_due`` never overlaps itself) through the same ReportService a seller uses by hand,
so the rate limits, the regeneration rule (a too-early request reuses the last document) and
the runs list apply unchanged. A requestable type is requested for every marketplace the
seller participates in (the connected account's list), one after the other, each with its own
regeneration limit; the entry is advanced once every marketplace has been tried, and its
message says how each went. A cancel between marketplaces keeps the ones tried and leaves the
type due for the rest. A failure is recorded in the runs list with its message and the type
waits for its next due time: no retry loop.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.progress import (
    Cancelled,
    CancelToken,
    ProgressFn,
    ProgressUpdate,
    no_progress,
)
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.services.report_schedule_markets import (
    MarketRun,
    carried,
    decode_tried,
    encode_tried,
    last_done_everywhere,
    newest_run_id,
    overall,
    record_failure,
    request_market,
    settlements_message,
)
from kinxpro_desktop.spapi.errors import SpApiError
from kinxpro_desktop.store.database import Database

if TYPE_CHECKING:
    from kinxpro_desktop.services.reports import ReportKind, ReportService

log = logging.getLogger(__name__)

SCHEDULE_KEY = "reports.schedule"
DAILY = timedelta(days=1)
#: no type is refreshed more often than this, whatever its regeneration limit
SHORTEST = timedelta(hours=1)
#: the intervals offered in the window (each type shows those its limit allows)
CHOICES = (DAILY, timedelta(hours=12), timedelta(hours=4), timedelta(hours=1))
_HOURS = re.compile(r"(\d{1,2})\s*h(?:ours?)?")


class ScheduleRefused(UserError):
    title = "Schedule not changed"


@dataclass(frozen=True)
class ScheduleEntry:
    """One report type's scheduled refresh: on when ``every`` is set."""

    report_type: str
    every: timedelta | None = None
    last_run: datetime | None = None
    next_due: datetime | None = None
    last_status: str = ""
    last_message: str = ""
    #: the marketplaces a run cancelled between marketplaces already tried in this cycle
    tried: tuple[MarketRun, ...] = ()

    @property
    def enabled(self) -> bool:
        return self.every is not None


@dataclass(frozen=True)
class ScheduledRun:
    """What one due type's run came to."""

    report_type: str
    ok: bool
    status: str
    message: str
    #: the run of the first marketplace that failed, else of the first marketplace
    run_id: int | None
    #: each marketplace's result, in the account's order (empty for settlements and for a
    #: type that failed before any marketplace was asked, e.g. not connected)
    markets: tuple[MarketRun, ...] = ()


# -- pure rules (no store, no clock of their own) -------------------------------------------
def shortest_for(kind: ReportKind) -> timedelta:
    """The shortest interval Amazon's regeneration limit (and ours) allows for this type."""
    return max(SHORTEST, kind.regeneration or SHORTEST)


def choices_for(kind: ReportKind) -> tuple[timedelta, ...]:
    return tuple(c for c in CHOICES if c >= shortest_for(kind))


def describe(every: timedelta | None) -> str:
    if every is None:
        return "off"
    if every == DAILY:
        return "daily"
    hours = every / timedelta(hours=1)
    return f"every {hours:g} hours" if hours != 1 else "every hour"


def spelled(every: timedelta | None) -> str:
    """The ``--every`` spelling of an interval: off, daily, 4h."""
    if every is None:
        return "off"
    if every == DAILY:
        return "daily"
    return f"{every / timedelta(hours=1):g}h"


def parse_every(text: str, kind: ReportKind) -> timedelta | None:
    """``daily``, ``off`` or a whole number of hours (``4h``) not under the type's limit."""
    value = text.strip().lower()
    if value in ("off", "never", "none"):
        return None
    if value in ("daily", "day", "24h"):
        return DAILY
    match = _HOURS.fullmatch(value)
    if match is None:
        raise ScheduleRefused(
            f"{text!r} is not an interval Kinxpro schedules. Write daily, off, or a whole "
            "number of hours such as 4h."
        )
    every = timedelta(hours=int(match.group(1)))
    shortest = shortest_for(kind)
    if every < shortest:
        raise ScheduleRefused(
            f"{kind.label} can be refreshed at most {describe(shortest)}"
            f"{' (Amazon builds it again at most that often)' if kind.regeneration else ''}; "
            f"choose {spelled(shortest)} or longer, or daily."
        )
    if every > DAILY:
        raise ScheduleRefused("The longest interval is daily; write daily or fewer hours.")
    return every


def switched(
    entry: ScheduleEntry, every: timedelta | None, now: datetime, last_done: datetime | None
) -> ScheduleEntry:
    """The entry after the seller sets its interval (None: off). A type switched on is due
    at once unless it ran within the interval (then when the interval since that run ends)."""
    if every is None:
        return replace(entry, every=None, next_due=None, tried=())
    base = entry.last_run or last_done
    due = now if base is None else max(now, base + every)
    return replace(entry, every=every, next_due=due)


def due(entries: Iterable[ScheduleEntry], now: datetime) -> list[str]:
    """The types due at `now`, the longest-waiting first."""
    ready = [e for e in entries if e.enabled and (e.next_due is None or e.next_due <= now)]
    ready.sort(key=lambda e: (e.next_due or now, e.report_type))
    return [e.report_type for e in ready]


def after_run(entry: ScheduleEntry, now: datetime, status: str, message: str) -> ScheduleEntry:
    """Ran (or failed) at `now`: due again one interval later either way, so a failure is
    retried at the next due time, not in a loop; missed times are not caught up one by one."""
    assert entry.every is not None
    return replace(
        entry,
        last_run=now,
        next_due=now + entry.every,
        last_status=status,
        last_message=message,
        tried=(),
    )


def next_due(entries: Iterable[ScheduleEntry]) -> ScheduleEntry | None:
    waiting = [e for e in entries if e.enabled and e.next_due is not None]
    return min(waiting, key=lambda e: e.next_due or datetime.max) if waiting else None


# -- stored form ----------------------------------------------------------------------------
def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def decode_entries(stored: object, types: Iterable[str]) -> dict[str, ScheduleEntry]:
    """Every type's entry from the stored JSON (missing or damaged parts count as off)."""
    data: Mapping[str, Any] = stored if isinstance(stored, dict) else {}
    out: dict[str, ScheduleEntry] = {}
    for report_type in types:
        raw = data.get(report_type)
        if not isinstance(raw, dict):
            out[report_type] = ScheduleEntry(report_type)
            continue
        minutes = raw.get("every_minutes")
        every = (
            timedelta(minutes=minutes)
            if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0
            else None
        )
        out[report_type] = ScheduleEntry(
            report_type,
            every=every,
            last_run=_time(raw.get("last_run")),
            next_due=_time(raw.get("next_due")) if every is not None else None,
            last_status=str(raw.get("last_status", "")),
            last_message=str(raw.get("last_message", "")),
            tried=decode_tried(raw.get("tried")) if every is not None else (),
        )
    return out


def encode_entries(entries: Iterable[ScheduleEntry]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for e in entries:
        if e.every is None and e.last_run is None:
            continue
        out[e.report_type] = {
            "every_minutes": int(e.every / timedelta(minutes=1)) if e.every else 0,
            "last_run": e.last_run.isoformat() if e.last_run else "",
            "next_due": e.next_due.isoformat() if e.next_due else "",
            "last_status": e.last_status,
            "last_message": e.last_message,
        }
        if e.tried:
            out[e.report_type]["tried"] = encode_tried(e.tried)
    return out


# -- the service ----------------------------------------------------------------------------
class ReportSchedule:
    """``ReportService.schedule``: read and change the schedule, run what is due."""

    def __init__(
        self,
        db: Database,
        reports: ReportService,
        kinds: Mapping[str, ReportKind],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._reports = reports
        self._kinds = kinds
        self._clock = clock
        self._state_lock = threading.Lock()  # read-modify-write of the stored entries
        self._running = threading.Lock()  # one run_due at a time

    def entries(self) -> list[ScheduleEntry]:
        """Every report type's entry, in the order of KINDS (off ones included)."""
        return list(self._load().values())

    def entry(self, report_type: str) -> ScheduleEntry:
        self._kind(report_type)
        return self._load()[report_type]

    def due_now(self) -> list[str]:
        return due(self._load().values(), self._clock())

    def set_every(self, report_type: str, every: str, actor: str = Actor.OWNER) -> ScheduleEntry:
        """Parse ``daily``/``4h``/``off`` for this type and store it (audited)."""
        kind = self._kind(report_type)
        return self.set_interval(report_type, parse_every(every, kind), actor)

    def set_interval(
        self, report_type: str, every: timedelta | None, actor: str = Actor.OWNER
    ) -> ScheduleEntry:
        kind = self._kind(report_type)
        if every is not None:
            parse_every(spelled(every), kind)  # the same limits as typed input
        # a standing order to call Amazon: who may sync may schedule (not the analyst role)
        self._db.access.require(Permission.SYNC)
        now = self._clock()
        last = last_done_everywhere(self._db, self._reports, kind)
        with self._state_lock:
            entries = self._load()
            old = entries[report_type]
            new = switched(old, every, now, last)
            entries[report_type] = new
            with self._db.transaction() as uow:
                uow.settings.set(SCHEDULE_KEY, encode_entries(entries.values()), now=now)
                uow.audit.append(
                    AuditEvent.SETTINGS_CHANGED,
                    actor,
                    (),
                    {
                        "key": SCHEDULE_KEY,
                        "type": report_type,
                        "old": spelled(old.every),
                        "new": spelled(every),
                    },
                    at=now,
                )
        return new

    def run_due(
        self,
        *,
        actor: str = Actor.SYSTEM,
        cancel: CancelToken | None = None,
        progress: ProgressFn = no_progress,
    ) -> list[ScheduledRun]:
        """Request every due type, one after the other (a requestable one for each of the
        seller's marketplaces in turn). Returns at once (nothing run) when another run_due is
        still going. A cancel stops between types or between a type's marketplaces: the
        marketplaces tried are kept, the type stays due for the others."""
        if not self._running.acquire(blocking=False):
            return []
        try:
            cancel = cancel or CancelToken()
            results: list[ScheduledRun] = []
            for report_type in self.due_now():
                cancel.check()
                started = self._clock()  # the next run counts from here: no daily drift
                result = self._run_one(report_type, actor, cancel, progress)
                results.append(result)
                self._save(
                    report_type,
                    partial(after_run, now=started, status=result.status, message=result.message),
                )
            return results
        finally:
            self._running.release()

    def _save(self, report_type: str, change: Callable[[ScheduleEntry], ScheduleEntry]) -> None:
        """Apply `change` to the stored entry, unless it was switched off meanwhile."""
        with self._state_lock:
            entries = self._load()
            current = entries[report_type]
            if not current.enabled:
                return
            entries[report_type] = change(current)
            with self._db.transaction() as uow:
                uow.settings.set(SCHEDULE_KEY, encode_entries(entries.values()), now=self._clock())

    def _run_one(
        self, report_type: str, actor: str, cancel: CancelToken, progress: ProgressFn
    ) -> ScheduledRun:
        kind = self._kind(report_type)
        newest = newest_run_id(self._db, report_type)
        try:
            if kind.requestable:
                markets = self._reports.marketplaces()
                return self._run_markets(kind, markets, actor, cancel, progress)
            found = self._reports.find_settlements(actor=actor, cancel=cancel, progress=progress)
            failed = [o for o in found if not o.ok]
            message = settlements_message([o.run.marketplace_id for o in found])
            if failed:
                message = f"{message} {len(failed)} failed: {failed[0].message}"
            run_id = found[-1].run.run_id if found else None
            return ScheduledRun(
                report_type, not failed, "FAILED" if failed else "DONE", message, run_id
            )
        except Cancelled:
            raise
        except (UserError, SpApiError) as exc:
            message = exc.message
        except Exception as exc:  # a bug: logged, recorded, and the other types still run
            log.exception("scheduled %s request failed", report_type)
            message = f"Failed ({type(exc).__name__}); see the log."
        run_id = newest_run_id(self._db, report_type)
        if run_id == newest:  # failed before a run was recorded (e.g. not connected)
            run_id = record_failure(self._db, report_type, message, "", self._clock())
        return ScheduledRun(report_type, False, "FAILED", message, run_id)

    def _run_markets(
        self,
        kind: ReportKind,
        markets: list[str],
        actor: str,
        cancel: CancelToken,
        progress: ProgressFn,
    ) -> ScheduledRun:
        """Each marketplace in turn (those a cancelled run of this cycle tried are kept)."""
        entry = self._load()[kind.report_type]
        kept = carried(entry.tried, markets, self._clock(), entry.every)
        tried: list[MarketRun] = []
        try:
            for n, market in enumerate(markets, start=1):
                if market in kept:
                    tried.append(kept[market])
                    continue
                name = market_label(market)
                phase = f"{kind.label}: {name} ({n} of {len(markets)})"
                progress(ProgressUpdate(phase, n - 1, len(markets)))
                cancel.check()  # between marketplaces
                one, role_missing = request_market(
                    self._reports, self._db, kind, market, actor, cancel, progress, self._clock
                )
                tried.append(one)
                if role_missing:  # roles belong to the app, not to a marketplace
                    at = self._clock()
                    tried += [
                        MarketRun(m, "FAILED", "same role missing", None, at) for m in markets[n:]
                    ]
                    break
        except Cancelled:
            done = tuple(tried)
            self._save(kind.report_type, lambda e: replace(e, tried=done))
            raise
        ok, status, message = overall(tried)
        first = next((m for m in tried if not m.ok), tried[0])
        return ScheduledRun(kind.report_type, ok, status, message, first.run_id, tuple(tried))

    def _kind(self, report_type: str) -> ReportKind:
        kind = self._kinds.get(report_type)
        if kind is None:
            names = ", ".join(self._kinds)
            raise ScheduleRefused(f"Unknown report type {report_type!r}. Choose one of: {names}.")
        return kind

    def _load(self) -> dict[str, ScheduleEntry]:
        return decode_entries(self._db.settings.get(SCHEDULE_KEY, {}), self._kinds)
