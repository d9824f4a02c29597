"""Settlement lines (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 rows stored by the report
pipeline), each with its marketplace, currency and marketplace-local day, for the dashboard's
fees, refunds and net proceeds and the lines behind each of those totals.

A settlement report's first row is its summary (settlement id, period, currency); the lines
after it carry the transactions. A settlement downloaded twice (two runs with the same
settlement id) counts once: the latest run's lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import Engine, text

from kinxpro_desktop.core.marketplaces import by_domain, currency_decimals
from kinxpro_desktop.store.local_days import local_date, shift

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


@dataclass(frozen=True)
class Settlement:
    run_id: int
    settlement_id: str
    marketplace_id: str
    currency: str
    start: datetime | None  # the settlement period, UTC
    end: datetime | None


@dataclass(frozen=True)
class SettlementLine:
    run_id: int
    row_no: int
    marketplace_id: str
    currency: str
    day: str  # the marketplace-local day it was posted on
    posted_at: datetime | None  # UTC; None when the report gives only a date
    transaction_type: str
    order_id: str
    amount_type: str
    amount_description: str
    sku: str
    amount_minor: int


_RUNS = text(
    """
    SELECT run.id, run.marketplace_id, run.data_start, run.data_end, r.data_json
    FROM report_runs AS run
    LEFT JOIN report_rows AS r ON r.run_id = run.id AND r.row_no = 1
    WHERE run.report_type = :type AND run.status = 'DONE'
    ORDER BY run.id
    """
)
# Lines posted near [lo, hi) (the posted date is widened by two days either side: the local
# day is decided in Python, from the posted time and the marketplace's zone).
_LINES = text(
    """
    SELECT r.run_id, r.row_no, r.data_json
    FROM report_rows AS r JOIN report_runs AS run ON run.id = r.run_id
    WHERE run.report_type = :type AND run.status = 'DONE' AND r.row_no > 1
      AND json_extract(r.data_json, '$."transaction-type"') != ''
      AND (json_extract(r.data_json, '$."posted-date"') NOT LIKE '____-__-__%'
           OR json_extract(r.data_json, '$."posted-date"') >= :lo
              AND json_extract(r.data_json, '$."posted-date"') < :hi)
    ORDER BY r.run_id, r.row_no
    """
)


def amount_minor(value: object, currency: str) -> int:
    """A settlement amount ("-12.34", "1.234,56", "1500" in JPY) in the currency's minor
    units; anything unreadable is 0."""
    s = str(value or "0").strip().replace(" ", "")
    if "," in s:  # the last separator is the decimal one
        s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s
        s = s.replace(",", "")
    try:
        return int(Decimal(s).scaleb(currency_decimals(currency)).to_integral_value())
    except InvalidOperation:
        return 0


def _moment(value: object) -> datetime | None:
    """A settlement time: ISO 8601 with an offset, "2026-11-24 10:11:12 UTC" or
    "24.11.2026 10:11:12 UTC" (EU files); a bare date gives None."""
    s = str(value or "").strip()
    if len(s) <= 10:
        return None
    if s.endswith(" UTC"):
        s = s[:-4] + "+00:00"
    if len(s) > 2 and s[2] == "." and s[5] == ".":
        s = f"{s[6:10]}-{s[3:5]}-{s[0:2]}{s[10:]}"
    try:
        moment = datetime.fromisoformat(s.replace(" ", "T", 1).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _date(value: object) -> str:
    s = str(value or "").strip()
    if len(s) >= 10 and s[2] == "." and s[5] == ".":
        return f"{s[6:10]}-{s[3:5]}-{s[0:2]}"
    return s[:10]


def _market(data: dict[str, object], default: str) -> str:
    m = by_domain(str(data.get("marketplace-name") or ""))
    return m.marketplace_id if m is not None else default


class SettlementQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def settlements(self) -> list[Settlement]:
        """Every downloaded settlement once (the latest run of a settlement id)."""
        latest: dict[str, Settlement] = {}
        with self._engine.connect() as conn:
            rows = conn.execute(_RUNS, {"type": SETTLEMENT}).all()
        for run_id, market, data_start, data_end, raw in rows:
            data = json.loads(raw) if raw else {}
            sid = str(data.get("settlement-id") or f"run-{run_id}")
            start = _moment(data.get("settlement-start-date")) or _iso(data_start)
            end = _moment(data.get("settlement-end-date")) or _iso(data_end)
            latest[sid] = Settlement(
                run_id, sid, market or "", str(data.get("currency") or ""), start, end
            )
        return sorted(latest.values(), key=lambda s: s.run_id)

    def lines(self, first: str, end: str, settlements: list[Settlement]) -> list[SettlementLine]:
        """The lines of `settlements` posted on local days in [first, end)."""
        runs = {s.run_id: s for s in settlements}
        params = {"type": SETTLEMENT, "lo": shift(first, -2), "hi": shift(end, 2)}
        with self._engine.connect() as conn:
            rows = conn.execute(_LINES, params).all()
        out = []
        for run_id, row_no, raw in rows:
            run = runs.get(run_id)
            if run is None:
                continue
            data = json.loads(raw)
            market = _market(data, run.marketplace_id)
            posted = _moment(data.get("posted-date-time"))
            day = local_date(posted, market) if posted else _date(data.get("posted-date"))
            if not first <= day < end:
                continue
            out.append(
                SettlementLine(
                    run_id,
                    row_no,
                    market,
                    run.currency,
                    day,
                    posted,
                    str(data.get("transaction-type") or ""),
                    str(data.get("order-id") or ""),
                    str(data.get("amount-type") or ""),
                    str(data.get("amount-description") or ""),
                    str(data.get("sku") or ""),
                    amount_minor(data.get("amount"), run.currency),
                )
            )
        return out


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return _moment(value.replace("Z", "+00:00")) if len(value) > 10 else None
