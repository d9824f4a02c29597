"""Scheduled refresh of the report types the seller picks (daily by default).

The pick list, each type's interval and its last and next run live in the encrypted store's
settings table (key ``reports.schedule``). What is due is decided by a pure function over
that state and a clock (``due``), so it is tested with a fake clock. Due requests run one at a
time (``run_due`` never overlaps itself) through the same ReportService a seller uses by hand,
so the rate limits, the regeneration rule (a too-early request reuses the last document) and
the runs list apply unchanged. A failure is recorded in the runs list with its message and
the type waits for its next due time: no retry loop.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import Permission
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressFn, no_progress
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
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
    run_id: int | None


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
        return replace(entry, every=None, next_due=None)
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
        last_run = self._db.reports.last_done(report_type, None)
        last = last_run.requested_at if last_run is not None else None
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
        """Request every due type, one after the other. Returns at once (nothing run) when
        another run_due is still going. A cancel stops between types; the unfinished type
        stays due."""
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
                with self._state_lock:
                    entries = self._load()
                    current = entries[report_type]
                    if current.enabled:  # not switched off meanwhile
                        entries[report_type] = after_run(
                            current, started, result.status, result.message
                        )
                        with self._db.transaction() as uow:
                            uow.settings.set(
                                SCHEDULE_KEY, encode_entries(entries.values()), now=self._clock()
                            )
            return results
        finally:
            self._running.release()

    def _run_one(
        self, report_type: str, actor: str, cancel: CancelToken, progress: ProgressFn
    ) -> ScheduledRun:
        kind = self._kind(report_type)
        newest = self._newest_run_id(report_type)
        try:
            if kind.requestable:
                outcome = self._reports.request(
                    report_type, actor=actor, cancel=cancel, progress=progress
                )
                status = "REUSED" if outcome.reused else outcome.run.status
                return ScheduledRun(
                    report_type, outcome.ok, status, outcome.message, outcome.run.run_id
                )
            found = self._reports.find_settlements(actor=actor, cancel=cancel, progress=progress)
            failed = [o for o in found if not o.ok]
            message = f"{len(found)} new settlement reports stored."
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
        run_id = self._newest_run_id(report_type)
        if run_id == newest:  # failed before a run was recorded (e.g. not connected)
            run_id = self._record_failure(report_type, message)
        return ScheduledRun(report_type, False, "FAILED", message, run_id)

    def _record_failure(self, report_type: str, message: str) -> int:
        """A FAILED run for an attempt that failed before one was recorded (e.g. no
        connection), so the runs list shows it with its message."""
        now = self._clock()
        with self._db.transaction() as uow:
            run_id = uow.reports.create_run(report_type, "", now=now, start=None, end=None)
            uow.reports.set_status(run_id, "FAILED", error=message, completed_at=now)
        return run_id

    def _newest_run_id(self, report_type: str) -> int | None:
        runs = self._db.reports.runs(1, report_type)
        return runs[0].run_id if runs else None

    def _kind(self, report_type: str) -> ReportKind:
        kind = self._kinds.get(report_type)
        if kind is None:
            names = ", ".join(self._kinds)
            raise ScheduleRefused(f"Unknown report type {report_type!r}. Choose one of: {names}.")
        return kind

    def _load(self) -> dict[str, ScheduleEntry]:
        return decode_entries(self._db.settings.get(SCHEDULE_KEY, {}), self._kinds)
