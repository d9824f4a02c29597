"""Profit from settlements: fees, refunds and net proceeds per SKU and currency, and the
settlement lines behind any of those totals. One rule decides which lines a measure counts
(`counts`), used for the totals and for their breakdowns alike, so a breakdown's lines always
add up to the total it was opened from. Amounts are never summed across currencies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from kinxpro_desktop.core.marketplaces import currency_decimals
from kinxpro_desktop.core.models import Money
from kinxpro_desktop.store.local_days import zone_of
from kinxpro_desktop.store.settlement_lines import Settlement, SettlementLine

#: measure -> label
MEASURES = {
    "sales": "Sales (principal)",
    "fees": "Amazon fees",
    "refunds": "Refunds",
    "net": "Net proceeds",
}
NO_SETTLEMENT = (
    "No settlement covers this period yet — Amazon publishes settlements every two weeks."
)


def money(minor: int, currency: str) -> Money:
    return Money(Decimal(minor).scaleb(-currency_decimals(currency)), currency)


def counts(measure: str, line: SettlementLine) -> bool:
    """Whether `line` is part of `measure`: sales are the principal of item prices, fees the
    item fees (commission, FBA fees), refunds every line of a refund, net proceeds every line."""
    if measure == "sales":
        return line.amount_type == "ItemPrice" and line.amount_description == "Principal"
    if measure == "fees":
        return line.amount_type == "ItemFees"
    if measure == "refunds":
        return line.transaction_type == "Refund"
    if measure == "net":
        return True
    raise ValueError(f"unknown measure {measure!r}")


@dataclass(frozen=True)
class ProfitRow:
    sku: str  # "" for the lines without a SKU, or for the currency's total
    currency: str
    sales: Money
    fees: Money
    refunds: Money
    net: Money
    kind: str = "sku"  # "sku" | "other" (lines without a SKU) | "total" (all lines)

    def value(self, measure: str) -> Money:
        return {"sales": self.sales, "fees": self.fees, "refunds": self.refunds}.get(
            measure, self.net
        )


@dataclass(frozen=True)
class BreakdownLine:
    posted_at: datetime | None  # in the marketplace's own time zone
    day: str  # the marketplace-local day it counts on
    order_id: str
    transaction_type: str
    amount_type: str
    amount_description: str
    sku: str
    amount: Money


@dataclass(frozen=True)
class Breakdown:
    measure: str
    currency: str
    sku: str | None  # None: every line of the currency; "": lines without a SKU
    period_label: str
    lines: tuple[BreakdownLine, ...]
    total: Money
    note: str

    @property
    def title(self) -> str:
        who = "all SKUs" if self.sku is None else (self.sku or "lines without a SKU")
        return f"{MEASURES[self.measure]} · {who} · {self.currency} · {self.period_label}"


def _sums(lines: Iterable[SettlementLine]) -> list[int]:
    acc = [0, 0, 0, 0]
    for ln in lines:
        for n, measure in enumerate(("sales", "fees", "refunds", "net")):
            if counts(measure, ln):
                acc[n] += ln.amount_minor
    return acc


def figures_from_lines(lines: Iterable[SettlementLine]) -> dict[str, dict[str, int]]:
    """currency -> measure -> minor units."""
    by_currency: dict[str, list[SettlementLine]] = defaultdict(list)
    for ln in lines:
        by_currency[ln.currency].append(ln)
    out = {}
    for cur, group in by_currency.items():
        s = _sums(group)
        out[cur] = {"sales": s[0], "fees": s[1], "refunds": s[2], "net": s[3]}
    return out


def _row(sku: str, cur: str, s: list[int], kind: str) -> ProfitRow:
    sales, fees, refunds, net = (money(v, cur) for v in s)
    return ProfitRow(sku, cur, sales, fees, refunds, net, kind)


def profit_rows(lines: Iterable[SettlementLine]) -> tuple[ProfitRow, ...]:
    """Per currency: one row per SKU (by net proceeds, highest first), one for the lines
    without a SKU (subscription fees, reserves, ...) if any, then the currency's total."""
    groups: dict[tuple[str, str], list[SettlementLine]] = defaultdict(list)
    for ln in lines:
        groups[(ln.currency, ln.sku)].append(ln)
    out: list[ProfitRow] = []
    for cur in sorted({c for c, _ in groups}):
        mine = {sku: _sums(g) for (c, sku), g in groups.items() if c == cur}
        out.extend(
            _row(sku, cur, s, "sku")
            for sku, s in sorted(mine.items(), key=lambda kv: (-kv[1][3], kv[0]))
            if sku
        )
        if "" in mine:
            out.append(_row("", cur, mine[""], "other"))
        total = [sum(s[n] for s in mine.values()) for n in range(4)]
        out.append(_row("", cur, total, "total"))
    return tuple(out)


def coverage_note(
    found: list[Settlement], start: datetime, end: datetime, have_lines: bool
) -> tuple[str, bool]:
    """What the settlements say about [start, end): (note, whether any overlaps it)."""
    spans = [
        (s.start, s.end)
        for s in found
        if s.start is not None and s.end is not None and s.start < end and s.end > start
    ]
    if not spans and not have_lines:
        return NO_SETTLEMENT, False
    if not spans:
        return "Settlement lines posted in this period are shown.", True
    first = min(a for a, _ in spans)
    last = max(b for _, b in spans)
    if first <= start and last >= end:
        return "Downloaded settlements cover the whole period.", True
    a, b = max(first, start), min(last, end)
    return (
        f"Downloaded settlements cover {a.astimezone(start.tzinfo):%Y-%m-%d} to "
        f"{b.astimezone(start.tzinfo):%Y-%m-%d} of this period; later lines arrive with the "
        "next settlement (Amazon publishes settlements every two weeks).",
        True,
    )


def _order(ln: SettlementLine) -> tuple[str, str, int, int]:
    return (ln.day, ln.posted_at.isoformat() if ln.posted_at else "", ln.run_id, ln.row_no)


def breakdown_of(
    lines: Iterable[SettlementLine],
    measure: str,
    currency: str,
    sku: str | None,
    period_label: str,
    note: str,
) -> Breakdown:
    """The lines of `currency` (and `sku`, unless None) that `measure` counts."""
    chosen = [
        ln
        for ln in lines
        if ln.currency == currency and (sku is None or ln.sku == sku) and counts(measure, ln)
    ]
    chosen.sort(
        key=lambda ln: (ln.day, ln.posted_at.isoformat() if ln.posted_at else "", ln.row_no)
    )
    out = tuple(
        BreakdownLine(
            ln.posted_at.astimezone(zone_of(ln.marketplace_id)) if ln.posted_at else None,
            ln.day,
            ln.order_id,
            ln.transaction_type,
            ln.amount_type,
            ln.amount_description,
            ln.sku,
            money(ln.amount_minor, currency),
        )
        for ln in chosen
    )
    total = money(sum(ln.amount_minor for ln in chosen), currency)
    return Breakdown(measure, currency, sku, period_label, out, total, note)
