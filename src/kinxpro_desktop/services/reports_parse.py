"""Report documents to rows: strict decoding with the charset of the document's Content-Type,
header names through a per-locale alias table, tab-separated or JSON, parsed by header name.

Amazon says its reports are UTF-8 but sends the All Listings report in Cp1252 and Japanese
ones in Shift_JIS with Japanese column names (SPAPI-NOTES 5.1); a document whose bytes do
not match the charset it declares is refused with a message, never read with replacement
characters, so nothing half-right reaches the store.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.marketplaces import by_id


class ReportUnreadable(UserError):
    title = "Report could not be read"


#: what Amazon writes in Content-Type -> the Python codec that reads it. Shift_JIS as Amazon
#: (and Windows) writes it is really Windows-31J (cp932): a superset with NEC/IBM extensions.
_CODECS = {
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "utf-8": "utf-8-sig",
    "utf8": "utf-8-sig",
}

#: Japanese column names of Amazon.co.jp's reports -> the English names the parser uses
_JA_ALIASES = {
    # All Listings (出品詳細レポート)
    "商品名": "item-name",
    "出品ID": "listing-id",
    "出品者SKU": "seller-sku",
    "価格": "price",
    "数量": "quantity",
    "出品日": "open-date",
    "商品IDタイプ": "product-id-type",
    "コンディション説明": "item-note",
    "コンディション": "item-condition",
    "ASIN 1": "asin1",
    "ASIN1": "asin1",
    "国外へ配送可": "will-ship-internationally",
    "迅速な配送": "expedited-shipping",
    "商品ID": "product-id",
    "在庫数": "pending-quantity",
    "フルフィルメント・チャンネル": "fulfillment-channel",
    "ステータス": "status",
    # All Orders
    "注文番号": "amazon-order-id",
    "購入日": "purchase-date",
    "注文ステータス": "order-status",
    "数量（注文）": "quantity",
    "通貨": "currency",
    "商品価格": "item-price",
}
#: locale language -> {alias: canonical header}
HEADER_ALIASES: dict[str, dict[str, str]] = {"ja": _JA_ALIASES}


def codec_for(charset: str | None) -> str:
    """The codec for a Content-Type charset (UTF-8 when it names none)."""
    name = (charset or "utf-8").strip().strip('"').lower()
    if name in _CODECS:
        return _CODECS[name]
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ReportUnreadable(
            f"The report document is in a character set Kinxpro does not know ({charset}); "
            "nothing of it was stored. Request it again; if this keeps happening, set Seller "
            "Central's 'Language for feed processing report' to English."
        ) from None


def decode(data: bytes, charset: str | None, report_label: str) -> str:
    codec = codec_for(charset)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        said = (charset or "utf-8").upper()
        raise ReportUnreadable(
            f"Amazon's {report_label} document says it is {said}, but its bytes are not "
            f"(byte {exc.start}); nothing of it was stored. Request the report again; if "
            "this keeps happening, set Seller Central's 'Language for feed processing "
            "report' to English."
        ) from None


def aliases_for(marketplace_id: str) -> dict[str, str]:
    market = by_id(marketplace_id)
    language = market.locale.split("-")[0] if market is not None else "en"
    return HEADER_ALIASES.get(language, {})


def parse_tsv(
    text: str, marketplace_id: str, required: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """Tab-separated rows keyed by (canonical) header name; blank lines skipped."""
    return list(iter_tsv(text, marketplace_id, required))


def iter_tsv(
    text: str, marketplace_id: str, required: tuple[str, ...] = ()
) -> Iterator[dict[str, str]]:
    aliases = aliases_for(marketplace_id)
    reader = csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE, strict=False)
    header = next(reader, None)
    if header is None:
        return
    names = [aliases.get(h.strip(), h.strip()) for h in header]
    missing = [r for r in required if r not in names]
    if missing:
        raise ReportUnreadable(
            f"The report has no column {', '.join(missing)} (columns: "
            f"{', '.join(names[:8])}…); nothing of it was stored. If Seller Central's report "
            "language is not English or Japanese, set 'Language for feed processing report' "
            "to English and request it again."
        )
    width = len(names)
    for line_no, cells in enumerate(reader, start=2):
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue
        if len(cells) > width:
            raise ReportUnreadable(
                f"Line {line_no} of the report has {len(cells)} fields where the header has "
                f"{width}; nothing of it was stored. Request the report again."
            )
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        yield dict(zip(names, cells, strict=True))


def parse_sales_and_traffic(text: str) -> list[dict[str, Any]]:
    """GET_SALES_AND_TRAFFIC_REPORT (JSON): one row per day, then one per SKU/ASIN."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportUnreadable(
            f"The sales and traffic report is not valid JSON (line {exc.lineno}); nothing "
            "of it was stored. Request it again."
        ) from None
    if not isinstance(doc, dict) or "salesAndTrafficByDate" not in doc:
        raise ReportUnreadable(
            "The sales and traffic report has no salesAndTrafficByDate section; nothing of it "
            "was stored. Request it again."
        )
    rows: list[dict[str, Any]] = []
    for day in doc.get("salesAndTrafficByDate") or []:
        sales = day.get("salesByDate") or {}
        traffic = day.get("trafficByDate") or {}
        money = sales.get("orderedProductSales") or {}
        rows.append(
            {
                "kind": "date",
                "date": day.get("date", ""),
                "ordered-product-sales": str(money.get("amount", "")),
                "currency": money.get("currencyCode", ""),
                "units-ordered": sales.get("unitsOrdered", 0),
                "total-order-items": sales.get("totalOrderItems", 0),
                "page-views": traffic.get("pageViews", 0),
                "sessions": traffic.get("sessions", 0),
                "buy-box-percentage": traffic.get("buyBoxPercentage", 0),
                "unit-session-percentage": traffic.get("unitSessionPercentage", 0),
            }
        )
    for item in doc.get("salesAndTrafficByAsin") or []:
        sales = item.get("salesByAsin") or {}
        traffic = item.get("trafficByAsin") or {}
        money = sales.get("orderedProductSales") or {}
        rows.append(
            {
                "kind": "asin",
                "parent-asin": item.get("parentAsin", ""),
                "child-asin": item.get("childAsin", ""),
                "sku": item.get("sku", ""),
                "ordered-product-sales": str(money.get("amount", "")),
                "currency": money.get("currencyCode", ""),
                "units-ordered": sales.get("unitsOrdered", 0),
                "total-order-items": sales.get("totalOrderItems", 0),
                "page-views": traffic.get("pageViews", 0),
                "sessions": traffic.get("sessions", 0),
            }
        )
    return rows
