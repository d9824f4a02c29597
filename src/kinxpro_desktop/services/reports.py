"""Amazon reports: request in the background (create, poll, download, decompress, decode,
parse by header name) into the store, all or nothing per run; settlements found with
getReports; Amazon's regeneration limits respected by reusing the last document.

A run is recorded (REQUESTED) before createReport is sent, so a lost answer is reconciled
with getReports instead of asking twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.marketplaces import label as market_label
from kinxpro_desktop.core.progress import CancelToken, ProgressFn, ProgressUpdate, no_progress
from kinxpro_desktop.core.retention import utcnow
from kinxpro_desktop.core.vocabulary import Actor, AuditEvent
from kinxpro_desktop.services.reports_parse import (
    ReportUnreadable,
    decode,
    parse_sales_and_traffic,
    parse_tsv,
)
from kinxpro_desktop.services.sync.common import ReportGone, wait_for_report
from kinxpro_desktop.spapi.errors import AccessDenied, OutcomeUnknown, SpApiError
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database
from kinxpro_desktop.store.reports import ReportRun

__all__ = ["KINDS", "ReportKind", "ReportOutcome", "ReportRun", "ReportService", "RoleMissing"]

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


class RoleMissing(UserError):
    title = "Role missing"


class ReportNotRequestable(UserError):
    title = "Report not requestable"


@dataclass(frozen=True)
class ReportKind:
    report_type: str
    label: str
    fmt: str = "tsv"  # tsv | json
    requestable: bool = True
    #: Amazon builds this type again at most this often (None: no limit)
    regeneration: timedelta | None = None
    role: str | None = None
    ranged: bool = True  # takes a date range
    required: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    #: Amazon documents reportOptions.preferredReportDocumentLocale (the column headers'
    #: language) for this type: Inventory Reports page, selling-partner-api-models#5303
    header_locale: bool = False


KINDS: dict[str, ReportKind] = {
    k.report_type: k
    for k in (
        ReportKind(
            "GET_MERCHANT_LISTINGS_ALL_DATA",
            "All listings",
            ranged=False,
            required=("seller-sku",),
            options={"custom": "true"},
            header_locale=True,
        ),
        ReportKind(
            "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            "All orders (by order date)",
            required=("amazon-order-id", "sku"),
        ),
        ReportKind(
            "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
            "FBA inventory",
            regeneration=timedelta(minutes=30),
            ranged=False,
            required=("sku",),
        ),
        ReportKind(
            "GET_LEDGER_SUMMARY_VIEW_DATA",
            "FBA inventory ledger (summary)",
            regeneration=timedelta(hours=4),
            role="Amazon Fulfillment",
            required=("MSKU",),
            options={"aggregateByLocation": "COUNTRY", "aggregatedByTimePeriod": "MONTHLY"},
        ),
        ReportKind(
            "GET_SALES_AND_TRAFFIC_REPORT",
            "Sales and traffic",
            fmt="json",
            role="Brand Analytics",
            options={"dateGranularity": "DAY", "asinGranularity": "SKU"},
        ),
        ReportKind(
            SETTLEMENT,
            "Settlements (payouts)",
            requestable=False,
            required=("settlement-id",),
        ),
    )
}

#: Amazon's processingStatus in a seller's words
MEANING = {
    "CANCELLED": "Amazon cancelled the report: there is no data for this range. Choose another "
    "range, or request it again later.",
    "FATAL": "Amazon could not build this report (FATAL). Request it again; if it keeps "
    "failing, Amazon's regeneration limit for this type may not have passed yet.",
}


@dataclass(frozen=True)
class ReportOutcome:
    run: ReportRun
    reused: bool = False
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.run.status == "DONE"


def kind_of(report_type: str) -> ReportKind:
    kind = KINDS.get(report_type)
    if kind is None:
        names = ", ".join(KINDS)
        raise UserError(f"Unknown report type {report_type!r}. Choose one of: {names}.")
    return kind


class ReportService:
    def __init__(
        self,
        db: Database,
        gateway: Callable[[], SpApiGateway],
        *,
        clock: Callable[[], datetime] = utcnow,
        header_locale: str | None = "en_US",
    ) -> None:
        """`header_locale`: the preferredReportDocumentLocale asked for where Amazon takes
        it (English headers; None asks for nothing, so JP sends Japanese ones)."""
        from kinxpro_desktop.services.report_schedule import ReportSchedule

        self._db = db
        self._gateway = gateway
        self._clock = clock
        self._header_locale = header_locale
        self.schedule = ReportSchedule(db, self, KINDS, clock=clock)

    # -- reads (any thread) -------------------------------------------------------------
    def runs(self, limit: int = 200) -> list[ReportRun]:
        return self._db.reports.runs(limit)

    def run(self, run_id: int) -> ReportRun | None:
        return self._db.reports.run(run_id)

    def rows(self, run_id: int) -> Iterator[dict[str, Any]]:
        return self._db.reports.iter_rows(run_id)

    def options_for(self, kind: ReportKind) -> dict[str, str]:
        """The reportOptions sent with createReport for this type."""
        options = dict(kind.options)
        if kind.header_locale and self._header_locale:
            options["preferredReportDocumentLocale"] = self._header_locale
        return options

    def marketplaces(self) -> list[str]:
        """The marketplaces the connected seller participates in (the account's list, whose
        first one a request without a marketplace takes); scheduled runs ask for each."""
        return _markets(self._gateway())

    # -- request ------------------------------------------------------------------------
    def request(
        self,
        report_type: str,
        *,
        marketplace_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        actor: str = Actor.OWNER,
        cancel: CancelToken | None = None,
        progress: ProgressFn = no_progress,
    ) -> ReportOutcome:
        """Request one report and store its rows. A request inside the type's regeneration
        limit reuses the last document. FATAL/CANCELLED come back as an outcome with
        Amazon's meaning; a missing role raises RoleMissing naming the role."""
        kind = kind_of(report_type)
        if not kind.requestable:
            raise ReportNotRequestable(
                f"Amazon does not let apps request {kind.label}: they appear by themselves "
                "every two weeks. Use Find settlements (`report request "
                f"{SETTLEMENT}` finds them too)."
            )
        cancel = cancel or CancelToken()
        gateway = self._gateway()
        market = marketplace_id or _first_market(gateway)
        now = self._clock()
        if kind.ranged:
            end = end or now
            start = start or end - timedelta(days=30)
            if start > end:
                raise UserError("The report's start date is after its end date; swap them.")
        else:
            start = end = None
        reused = self._reusable(kind, market, now)
        if reused is not None:
            assert kind.regeneration is not None
            wait = reused.requested_at + kind.regeneration - now
            return ReportOutcome(
                reused,
                reused=True,
                message=f"Amazon builds {kind.label} at most every "
                f"{_span(kind.regeneration)}; showing the report from "
                f"{reused.requested_at:%Y-%m-%d %H:%M} UTC instead of asking again (a new one "
                f"can be requested in {_span(wait)}).",
            )
        with self._db.transaction() as uow:
            run_id = uow.reports.create_run(report_type, market, now=now, start=start, end=end)
        progress(ProgressUpdate(f"Requesting {kind.label}"))
        try:
            amazon_id = self._create(gateway, kind, market, start, end, now, cancel)
        except AccessDenied as exc:
            message = _role_message(kind) if kind.role else exc.message
            self._fail(run_id, "FAILED", message)
            if kind.role:
                raise RoleMissing(message) from exc
            raise
        except SpApiError as exc:
            self._fail(run_id, "FAILED", exc.message)
            raise
        with self._db.transaction() as uow:
            uow.reports.set_status(run_id, "IN_QUEUE", amazon_report_id=amazon_id)
        return self._complete(gateway, kind, run_id, amazon_id, market, actor, cancel, progress)

    def _reusable(self, kind: ReportKind, market: str, now: datetime) -> ReportRun | None:
        if kind.regeneration is None:
            return None
        last = self._db.reports.last_done(kind.report_type, market)
        if last is not None and now - last.requested_at < kind.regeneration:
            return last
        return None

    def _create(
        self,
        gateway: SpApiGateway,
        kind: ReportKind,
        market: str,
        start: datetime | None,
        end: datetime | None,
        now: datetime,
        cancel: CancelToken,
    ) -> str:
        try:
            return gateway.reports.create(
                kind.report_type,
                [market],
                start=start,
                end=end,
                options=self.options_for(kind) or None,
                cancel=cancel,
            )
        except OutcomeUnknown:
            # the request may have reached Amazon: look for it before anyone asks again
            since = now - timedelta(minutes=5)
            # the marketplace named: without one the client library filters on the first
            reports = gateway.reports.list(
                [kind.report_type], since=since, marketplaces=[market], cancel=cancel
            )
            for report in reports:
                if market in report.get("marketplaceIds", []):
                    return str(report["reportId"])
            raise

    def _complete(
        self,
        gateway: SpApiGateway,
        kind: ReportKind,
        run_id: int,
        amazon_id: str,
        market: str,
        actor: str,
        cancel: CancelToken,
        progress: ProgressFn,
    ) -> ReportOutcome:
        try:
            report = wait_for_report(
                gateway, amazon_id, cancel, progress, f"Waiting for {kind.label}"
            )
        except ReportGone:
            message = f"Amazon no longer has report {amazon_id}; request it again."
            return ReportOutcome(self._fail(run_id, "FAILED", message), message=message)
        status = str(report["processingStatus"])
        if status != "DONE":
            return ReportOutcome(
                self._fail(run_id, status, MEANING[status]), message=MEANING[status]
            )
        document_id = str(report.get("reportDocumentId", ""))
        progress(ProgressUpdate(f"Downloading {kind.label}"))
        try:
            data, charset = gateway.reports.download_raw(document_id, cancel)
            rows = self._parse(kind, data, charset, market)
        except (SpApiError, ReportUnreadable) as exc:
            self._fail(run_id, "FAILED", exc.message)
            raise
        progress(ProgressUpdate(f"Saving {kind.label}", 0, len(rows)))
        cancel.check()
        with self._db.transaction() as uow:
            count = uow.reports.store_rows(
                run_id, rows, document_id=document_id, completed_at=self._clock()
            )
            uow.audit.append(
                AuditEvent.REPORT,
                actor,
                (),
                {"type": kind.report_type, "marketplace": market, "rows": count},
            )
        run = self._db.reports.run(run_id)
        assert run is not None
        return ReportOutcome(
            run, message=f"{kind.label} ({market_label(market)}): {count} rows saved."
        )

    def _parse(
        self, kind: ReportKind, data: bytes, charset: str | None, market: str
    ) -> Sequence[dict[str, Any]]:
        text = decode(data, charset, kind.label)
        if kind.fmt == "json":
            return parse_sales_and_traffic(text)
        return parse_tsv(text, market, kind.required)

    def _fail(self, run_id: int, status: str, message: str) -> ReportRun:
        with self._db.transaction() as uow:
            uow.reports.set_status(run_id, status, error=message, completed_at=self._clock())
        run = self._db.reports.run(run_id)
        assert run is not None
        return run

    # -- settlements --------------------------------------------------------------------
    def find_settlements(
        self,
        *,
        days: int = 90,
        actor: str = Actor.OWNER,
        cancel: CancelToken | None = None,
        progress: ProgressFn = no_progress,
    ) -> list[ReportOutcome]:
        """getReports for settlement reports of the last `days`; each new one is downloaded
        and stored (Amazon does not let apps request them)."""
        cancel = cancel or CancelToken()
        gateway = self._gateway()
        kind = KINDS[SETTLEMENT]
        known = self._db.reports.known_amazon_ids(SETTLEMENT)
        since = self._clock() - timedelta(days=days)
        progress(ProgressUpdate("Looking for settlement reports"))
        # every marketplace of the account: without marketplaceIds python-amazon-sp-api
        # sends the first one only, and the others' settlements would never be found
        found = list(
            gateway.reports.list(
                [SETTLEMENT],
                since=since,
                statuses=["DONE"],
                marketplaces=_markets(gateway),
                cancel=cancel,
            )
        )
        outcomes: list[ReportOutcome] = []
        for i, report in enumerate(sorted(found, key=lambda r: str(r.get("createdTime", "")))):
            amazon_id = str(report["reportId"])
            if amazon_id in known:
                continue
            progress(ProgressUpdate("Downloading settlements", i, len(found)))
            market = (report.get("marketplaceIds") or [""])[0]
            with self._db.transaction() as uow:
                run_id = uow.reports.create_run(
                    SETTLEMENT,
                    market,
                    now=self._clock(),
                    start=_parse_time(report.get("dataStartTime")),
                    end=_parse_time(report.get("dataEndTime")),
                    status="IN_PROGRESS",
                    amazon_report_id=amazon_id,
                )
            outcomes.append(
                self._complete(gateway, kind, run_id, amazon_id, market, actor, cancel, progress)
            )
        return outcomes


def _markets(gateway: SpApiGateway) -> list[str]:
    markets = list(dict.fromkeys(gateway.creds.marketplaces))
    if not markets:
        raise UserError(
            "The connected account has no marketplace; reconnect it (Account ▸ Connect) and "
            "pick at least one."
        )
    return markets


def _first_market(gateway: SpApiGateway) -> str:
    return _markets(gateway)[0]


def _role_message(kind: ReportKind) -> str:
    return (
        f"{kind.label} needs the {kind.role} role, which your SP-API app does not have. Add "
        f"the {kind.role} role to the app in Seller Central (Apps and Services ▸ Develop Apps "
        "▸ Edit App), then re-authorise Kinxpro (Account ▸ Connect) so the new role applies."
    )


def _span(delta: timedelta) -> str:
    minutes = max(1, int(delta.total_seconds() // 60))
    if minutes >= 120:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
