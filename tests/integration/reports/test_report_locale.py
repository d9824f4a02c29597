"""preferredReportDocumentLocale: asked for (en_US) where Amazon documents it, the All
Listings report (Inventory Reports page; selling-partner-api-models#5303), and only there;
the simulator then serves English headers over the same Shift_JIS Japanese values, and
Japanese headers when it is not asked (the alias-table path, see test_report_failures)."""

from __future__ import annotations

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.reports import KINDS, ReportService

from .conftest import served_document

US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
LOCALE = "preferredReportDocumentLocale"


def test_jp_listings_asked_in_english_come_with_english_headers(
    reports: ReportService, sim: Simulator
) -> None:
    out = reports.request(LISTINGS, marketplace_id=JP)
    assert out.ok, out.message
    sent = sim.state.reports[out.run.amazon_report_id].options
    assert sent == {"custom": "true", LOCALE: "en_US"}
    data, content_type = served_document(sim, out.run.document_id)
    assert content_type.endswith("charset=Shift_JIS")  # the values are still Japanese
    header = data.splitlines()[0].decode("cp932").split("\t")
    assert header[:3] == ["item-name", "listing-id", "seller-sku"]
    assert not any("出品" in h for h in header)
    rows = list(reports.rows(out.run.run_id))
    us = [li for li in sim.state.world.listings if li.marketplace_id == US and not li.deleted]
    assert len(rows) == len(us)
    first = rows[0]
    assert first["item-name"].startswith(f"【{first['seller-sku']}】")
    assert first["status"] in ("出品中", "停止中")


def test_us_listings_ask_for_english_too(reports: ReportService, sim: Simulator) -> None:
    out = reports.request(LISTINGS)
    assert out.ok
    assert sim.state.reports[out.run.amazon_report_id].options[LOCALE] == "en_US"
    _data, content_type = served_document(sim, out.run.document_id)
    assert content_type.endswith("charset=Cp1252")  # unchanged: the locale is headers only


def test_types_amazon_does_not_document_it_for_are_asked_without_it(
    reports: ReportService, sim: Simulator
) -> None:
    for report_type in (
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    ):
        out = reports.request(report_type)
        assert out.ok, out.message
        assert LOCALE not in sim.state.reports[out.run.amazon_report_id].options
    documented = [k.report_type for k in KINDS.values() if k.header_locale]
    assert documented == [LISTINGS]


def test_a_japanese_locale_keeps_japanese_headers(
    db: object, gateway: object, sim: Simulator
) -> None:
    from kinxpro_desktop.spapi.gateway import SpApiGateway
    from kinxpro_desktop.store.database import Database

    assert isinstance(db, Database) and isinstance(gateway, SpApiGateway)
    reports = ReportService(db, lambda: gateway, clock=sim.now, header_locale="ja_JP")
    out = reports.request(LISTINGS, marketplace_id=JP)
    assert out.ok, out.message
    data, _ = served_document(sim, out.run.document_id)
    assert "出品者SKU".encode("cp932") in data.splitlines()[0]
    assert all("seller-sku" in row for row in reports.rows(out.run.run_id))


def test_inside_amazons_cache_period_the_first_locale_wins_and_aliases_still_parse(
    db: object, gateway: object, sim: Simulator
) -> None:
    """Amazon: "Reports are not cached by locale" - an identical report inside the cache
    period keeps the first one's (Japanese) headers; the alias table still reads it."""
    from kinxpro_desktop.spapi.gateway import SpApiGateway
    from kinxpro_desktop.store.database import Database

    assert isinstance(db, Database) and isinstance(gateway, SpApiGateway)
    japanese = ReportService(db, lambda: gateway, clock=sim.now, header_locale=None)
    english = ReportService(db, lambda: gateway, clock=sim.now)
    first = japanese.request(LISTINGS, marketplace_id=JP)
    assert first.ok, first.message
    sim.advance(20 * 60)
    cached = english.request(LISTINGS, marketplace_id=JP)
    assert cached.ok, cached.message
    assert sim.state.reports[cached.run.amazon_report_id].options[LOCALE] == "en_US"
    data, _ = served_document(sim, cached.run.document_id)
    assert "出品者SKU".encode("cp932") in data.splitlines()[0]  # asked English, got Japanese
    first_rows = list(english.rows(first.run.run_id))
    assert list(english.rows(cached.run.run_id)) == first_rows
    assert first_rows and all("seller-sku" in row for row in first_rows)
    sim.advance(2 * 3600)
    fresh = english.request(LISTINGS, marketplace_id=JP)
    assert fresh.ok, fresh.message
    data, _ = served_document(sim, fresh.run.document_id)
    assert data.splitlines()[0].decode("cp932").startswith("item-name\t")
