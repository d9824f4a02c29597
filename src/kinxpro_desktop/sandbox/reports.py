"""Reports API 2021-06-30: create, get, list, cancel reports and get their gzip documents.

A report waits IN_QUEUE, then runs IN_PROGRESS (simulated seconds, see ``state``), then ends
DONE with a document, CANCELLED when it has no data, or FATAL when a ``createReport:fatal``
fault was pending. Settlement reports cannot be requested: like Amazon, they appear by
themselves every 14 days and are found with ``getReports``.

Like Amazon: the All Listings report comes in Cp1252 (Shift_JIS with Japanese column names
for Amazon.co.jp) and says so in its Content-Type; its reportOptions
``preferredReportDocumentLocale`` (Amazon's Inventory Reports page: "the preferred locale for
report column headers", POSIX style such as en_US) picks the header language, so a JP report
asked for with en_US has English headers over the same Shift_JIS Japanese values (but, as
Amazon warns, reports are not cached by locale: inside the cache period an identical report
keeps the first one's header language); sales and
traffic needs the Brand Analytics role and the FBA ledger the Amazon Fulfillment role (403
without); a repeated
request inside a report type's regeneration limit (FBA inventory 30 minutes, ledger 4 hours)
ends FATAL (docs#1645).
"""

from __future__ import annotations

import gzip
import uuid

from . import report_data
from .catalog import MARKETS
from .clock import iso, parse_iso
from .data import DAY
from .render import MARKETPLACE_ID
from .state import PROCESS_SECONDS, QUEUE_SECONDS, Document, Report, SimState
from .wire import (
    DENIED_MESSAGE,
    ApiError,
    JsonObj,
    Request,
    Response,
    Route,
    invalid_input,
    json_response,
    not_found,
    require_list,
    require_str,
)

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
REQUESTABLE = frozenset(
    {
        "GET_MERCHANT_LISTINGS_ALL_DATA",
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
        "GET_SALES_AND_TRAFFIC_REPORT",
        "GET_LEDGER_SUMMARY_VIEW_DATA",
    }
)
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
#: report type -> the role a seller's app needs for it
ROLE_OF = {
    "GET_SALES_AND_TRAFFIC_REPORT": "Brand Analytics",
    "GET_LEDGER_SUMMARY_VIEW_DATA": "Amazon Fulfillment",
}
#: report type -> simulated seconds before an identical request is answered again
REGENERATION_SECONDS = {
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA": 30 * 60.0,
    "GET_LEDGER_SUMMARY_VIEW_DATA": 4 * 3600.0,
}
_WRONG_CHARSET = "x-simulator-wrong-charset"
STATUSES = frozenset({"CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"})
SETTLEMENT_PERIOD = 14 * DAY
TSV = "text/tab-separated-values; charset=UTF-8"
#: Amazon's cache period for an identical report ("between one and six hours"): inside it a
#: report comes with the header language of the first one, whatever locale was asked for
LOCALE_CACHE_SECONDS = 3600.0


def _status(state: SimState, report: Report, now: float) -> str:
    if report.outcome is not None:
        return report.outcome
    if now < report.created + QUEUE_SECONDS:
        return "IN_QUEUE"
    if now < report.created + QUEUE_SECONDS + PROCESS_SECONDS:
        return "IN_PROGRESS"
    _finish(state, report, report.created + QUEUE_SECONDS + PROCESS_SECONDS)
    assert report.outcome is not None
    return report.outcome


def _finish(state: SimState, report: Report, at: float) -> None:
    if report.fatal:
        report.outcome = "FATAL"
        return
    world = state.world
    markets = {m for m in report.marketplace_ids if m in MARKETS}
    kind = report.report_type
    japan = report_data.MARKET_JP in report.marketplace_ids
    with world.lock:
        if kind == LISTINGS and japan:
            content, rows = report_data.listings_report_jp(
                world, english_headers=_header_language(_cached_as(state, report)) == "en"
            )
        elif kind == LISTINGS:
            content, rows = report_data.listings_report(world, markets)
        elif kind == "GET_LEDGER_SUMMARY_VIEW_DATA":
            orders = world.created_between(report.data_start, report.data_end)
            content, rows = report_data.ledger_summary_report(
                world, orders, markets, report.data_start, report.data_end, at
            )
        elif kind == "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA":
            content, rows = report_data.inventory_report(world, markets)
        elif kind == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL":
            orders = world.created_between(report.data_start, report.data_end)
            content, rows = report_data.orders_report(world, orders, markets, at)
        elif kind == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL":
            orders = world.updated_between(report.data_start, min(report.data_end, at), at)
            content, rows = report_data.orders_report(world, orders, markets, at)
        elif kind == "GET_SALES_AND_TRAFFIC_REPORT":
            orders = world.created_between(report.data_start, report.data_end)
            market_list = [m for m in report.marketplace_ids if m in MARKETS]
            content, rows = report_data.sales_and_traffic_report(
                orders, market_list, report.data_start, report.data_end, at
            )
        else:  # settlement
            orders = world.created_between(report.data_start - 30 * DAY, report.data_end)
            market = next(
                (m for m in report.marketplace_ids if m in MARKETS), report_data.MARKETS_US
            )
            content, rows = report_data.settlement_report(
                report.report_id, orders, report.data_start, report.data_end, at, market
            )
    if rows == 0:
        report.outcome = "CANCELLED"
        return
    content, content_type = _encode(report, content, japan)
    document_id = f"amzn1.spdoc.1.4.na.{uuid.uuid4()}"
    with state.lock:
        state.documents[document_id] = Document(
            document_id, gzip.compress(content, mtime=0), content_type, True, "getReportDocument"
        )
    report.document_id = document_id
    report.outcome = "DONE"


def _cached_as(state: SimState, report: Report) -> Report:
    """The identical report whose cached headers this one gets: the first DONE one inside
    the cache period, else itself (Amazon: "Reports are not cached by locale")."""
    with state.lock:
        earlier = [
            r
            for r in state.reports.values()
            if r is not report
            and r.report_type == report.report_type
            and sorted(r.marketplace_ids) == sorted(report.marketplace_ids)
            and r.outcome == "DONE"
            and 0 <= report.created - r.created < LOCALE_CACHE_SECONDS
        ]
    return min(earlier, key=lambda r: r.created) if earlier else report


def _header_language(report: Report) -> str:
    """The language of the preferredReportDocumentLocale asked for ("" when none)."""
    locale = report.options.get("preferredReportDocumentLocale", "")
    return locale.replace("-", "_").split("_")[0].lower()


def _encode(report: Report, content: bytes, japan: bool) -> tuple[bytes, str]:
    """The bytes and Content-Type Amazon sends for this report (and marketplace)."""
    if content.startswith(b"{"):
        return content, "application/json; charset=UTF-8"
    charset, codec = "UTF-8", "utf-8"
    if report.report_type == LISTINGS:
        charset, codec = ("Shift_JIS", "cp932") if japan else ("Cp1252", "cp1252")
    if report.options.get(_WRONG_CHARSET):
        # says UTF-8, is not (a UTF-8 report is sent as Cp1252 then)
        charset, codec = "UTF-8", "cp1252" if codec == "utf-8" else codec
    text = content.decode("utf-8")
    return text.encode(codec, errors="replace"), f"text/tab-separated-values; charset={charset}"


def _render(state: SimState, report: Report, now: float) -> JsonObj:
    status = _status(state, report, now)
    out: JsonObj = {
        "reportId": report.report_id,
        "reportType": report.report_type,
        "marketplaceIds": report.marketplace_ids,
        "dataStartTime": iso(report.data_start),
        "dataEndTime": iso(report.data_end),
        "createdTime": iso(report.created),
        "processingStatus": status,
    }
    if status != "IN_QUEUE":
        out["processingStartTime"] = iso(report.created + QUEUE_SECONDS)
    if status in ("DONE", "FATAL"):
        out["processingEndTime"] = iso(report.created + QUEUE_SECONDS + PROCESS_SECONDS)
    if status == "CANCELLED" and report.cancelled_at is not None:
        out["processingEndTime"] = iso(report.cancelled_at)
    if report.document_id:
        out["reportDocumentId"] = report.document_id
    return out


def _ensure_settlements(state: SimState, now: float) -> None:
    first = state.world.start - state.world.days * DAY
    n = 0
    while first + (n + 1) * SETTLEMENT_PERIOD <= now:
        report_id = f"{2_000_000_000 + n * 7 + state.config.seed % 7}"
        if report_id not in state.reports:
            start = first + n * SETTLEMENT_PERIOD
            end = start + SETTLEMENT_PERIOD
            state.reports[report_id] = Report(
                report_id, SETTLEMENT, ["ATVPDKIKX0DER"], end + 3600, start, end, {}
            )
        n += 1


def create_report(state: SimState, req: Request) -> Response:
    now = state.now()
    body = req.json()
    report_type = require_str(body, "reportType")
    markets = [str(m) for m in require_list(body, "marketplaceIds")]
    if any(not MARKETPLACE_ID.match(m) for m in markets):
        raise invalid_input("Invalid marketplaceIds.")
    if report_type == SETTLEMENT:
        raise invalid_input(f"Report type {SETTLEMENT} cannot be requested.")
    if report_type not in REQUESTABLE:
        raise invalid_input(f"Invalid reportType {report_type!r}.")
    try:
        end = parse_iso(body["dataEndTime"]) if body.get("dataEndTime") else now
        start = parse_iso(body["dataStartTime"]) if body.get("dataStartTime") else end - 30 * DAY
    except (TypeError, ValueError):
        raise invalid_input("dataStartTime and dataEndTime must be ISO 8601 date-times.") from None
    if start > end:
        raise invalid_input("dataStartTime must not be after dataEndTime.")
    options = body.get("reportOptions") or {}
    if not isinstance(options, dict):
        raise invalid_input("reportOptions must be an object.")
    role = ROLE_OF.get(report_type)
    if role is not None and role not in state.report_roles:
        raise ApiError(403, "Unauthorized", DENIED_MESSAGE, f"The {role} role is required.")
    options = {str(k): str(v) for k, v in options.items() if k != _WRONG_CHARSET}
    if state.faults.take("createReport", frozenset({"wrong-charset"})) is not None:
        options[_WRONG_CHARSET] = "1"
    report_id = str(50_000_000_000 + state.next_number())
    fatal = state.faults.take("createReport", frozenset({"fatal"})) is not None
    fatal = fatal or _too_early(state, report_type, markets, now)
    with state.lock:
        state.reports[report_id] = Report(
            report_id, report_type, markets, now, start, min(end, now), options, fatal
        )
    return json_response(202, {"reportId": report_id})


def _too_early(state: SimState, report_type: str, markets: list[str], now: float) -> bool:
    """An identical request inside the type's regeneration limit (it then ends FATAL)."""
    limit = REGENERATION_SECONDS.get(report_type)
    if limit is None:
        return False
    with state.lock:
        return any(
            r.report_type == report_type
            and sorted(r.marketplace_ids) == sorted(markets)
            and not r.fatal
            and now - r.created < limit
            for r in state.reports.values()
        )


def _report(state: SimState, report_id: str) -> Report:
    if not report_id.isdigit():
        raise invalid_input(f"Invalid reportId {report_id!r}.")
    report = state.reports.get(report_id)
    if report is None:
        raise not_found(f"Report {report_id} was not found.")
    return report


def get_report(state: SimState, req: Request) -> Response:
    now = state.now()
    with state.lock:
        _ensure_settlements(state, now)
        report = _report(state, req.params["reportId"])
        return json_response(200, _render(state, report, now))


def get_reports(state: SimState, req: Request) -> Response:
    now = state.now()
    size = req.integer("pageSize", 10, 1, 100)
    token = req.first("nextToken")
    if token:
        ids, next_token, _ = state.pager.resume(token, None, size)
    else:
        types = set(req.values("reportTypes"))
        if not types or len(types) > 10:
            raise invalid_input("reportTypes is required (1 to 10 values) without nextToken.")
        statuses = set(req.values("processingStatuses"))
        if statuses - STATUSES:
            raise invalid_input(f"Invalid processingStatuses: {sorted(statuses - STATUSES)}.")
        wanted_markets = set(req.values("marketplaceIds"))
        try:
            since = parse_iso(req.first("createdSince") or iso(now - 90 * DAY))
            until = parse_iso(req.first("createdUntil") or iso(now))
        except ValueError:
            raise invalid_input("createdSince and createdUntil must be ISO 8601.") from None
        with state.lock:
            _ensure_settlements(state, now)
            found = [
                r
                for r in state.reports.values()
                if r.report_type in types
                and since <= r.created <= until
                and r.created <= now
                and (not statuses or _status(state, r, now) in statuses)
                and (not wanted_markets or wanted_markets & set(r.marketplace_ids))
            ]
        found.sort(key=lambda r: (-r.created, r.report_id))
        ids, next_token, _ = state.pager.page("reports", [r.report_id for r in found], size)
    with state.lock:
        reports = [_render(state, state.reports[i], now) for i in ids]
    body: JsonObj = {"reports": reports}
    if next_token:
        body["nextToken"] = next_token
    return json_response(200, body)


def cancel_report(state: SimState, req: Request) -> Response:
    now = state.now()
    with state.lock:
        report = _report(state, req.params["reportId"])
        if _status(state, report, now) != "IN_QUEUE":
            raise invalid_input("Only reports that are IN_QUEUE can be cancelled.")
        report.outcome = "CANCELLED"
        report.cancelled_at = now
    return Response(200, b"")


def get_report_document(state: SimState, req: Request) -> Response:
    document_id = req.params["reportDocumentId"]
    if not document_id.startswith("amzn1.spdoc."):
        raise invalid_input(f"Invalid reportDocumentId {document_id!r}.")
    with state.lock:
        doc = state.documents.get(document_id)
    if doc is None:
        raise not_found(f"Report document {document_id} was not found.")
    return json_response(
        200,
        {
            "reportDocumentId": document_id,
            "url": state.document_url("reports", document_id),
            "compressionAlgorithm": "GZIP",
        },
    )


ROUTES = [
    Route("POST", "/reports/2021-06-30/reports", "createReport", create_report),
    Route("GET", "/reports/2021-06-30/reports", "getReports", get_reports),
    Route("GET", "/reports/2021-06-30/reports/{reportId}", "getReport", get_report),
    Route("DELETE", "/reports/2021-06-30/reports/{reportId}", "cancelReport", cancel_report),
    Route(
        "GET",
        "/reports/2021-06-30/documents/{reportDocumentId}",
        "getReportDocument",
        get_report_document,
    ),
]
