"""Charsets, header languages and failures: a Cp1252 listings document with accented
titles, a Shift_JIS JP one with Japanese headers; FATAL, CANCELLED, corrupt gzip and a wrong
charset each give a clear message and store nothing half-parsed; a missing role is named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.reports import ReportService, RoleMissing
from kinxpro_desktop.services.reports_parse import ReportUnreadable
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database

from .conftest import served_document

US = "ATVPDKIKX0DER"
JP = "A1VC38T7YXB528"
ACCENTED = "Café Crème Brûlée – Señor Piñata Mug™ 12 oz"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"


def accent_one_listing(sim: Simulator) -> str:
    listing = next(li for li in sim.state.world.listings if li.marketplace_id == US)
    listing.title = ACCENTED
    return listing.sku


def assert_nothing_stored(db: Database) -> None:
    runs = db.reports.runs()
    assert runs, "the attempt is recorded"
    for run in runs:
        assert run.status != "DONE"
        assert run.row_count == 0
        assert db.reports.row_count(run.run_id) == 0


def test_cp1252_listings_document_with_accented_titles(
    reports: ReportService, sim: Simulator
) -> None:
    sku = accent_one_listing(sim)
    out = reports.request(LISTINGS)
    assert out.ok
    data, content_type = served_document(sim, out.run.document_id)
    assert content_type.endswith("charset=Cp1252")
    assert ACCENTED.encode("cp1252") in data and ACCENTED.encode("utf-8") not in data
    row = next(r for r in reports.rows(out.run.run_id) if r["seller-sku"] == sku)
    assert row["item-name"] == ACCENTED


def test_shift_jis_japanese_headers(db: Database, gateway: SpApiGateway, sim: Simulator) -> None:
    """Without preferredReportDocumentLocale (as a report cached in another locale may come
    anyway: Amazon does not cache by locale) the headers are Japanese: the alias table."""
    reports = ReportService(db, lambda: gateway, clock=sim.now, header_locale=None)
    out = reports.request(LISTINGS, marketplace_id=JP)
    assert (
        "preferredReportDocumentLocale" not in sim.state.reports[out.run.amazon_report_id].options
    )
    assert out.ok, out.message
    data, content_type = served_document(sim, out.run.document_id)
    assert content_type.endswith("charset=Shift_JIS")
    assert "出品者SKU".encode("cp932") in data.splitlines()[0]
    rows = list(reports.rows(out.run.run_id))
    us = [li for li in sim.state.world.listings if li.marketplace_id == US and not li.deleted]
    assert len(rows) == len(us)
    first = rows[0]
    assert set(first) >= {"item-name", "seller-sku", "price", "asin1", "status"}
    assert first["item-name"].startswith(f"【{first['seller-sku']}】")
    assert any(name.endswith("水筒 500ml") for name in (r["item-name"] for r in rows))
    assert first["status"] in ("出品中", "停止中")


def test_fatal_has_amazons_meaning(reports: ReportService, sim: Simulator, db: Database) -> None:
    sim.set_faults("createReport:fatal")
    out = reports.request(LISTINGS)
    assert out.run.status == "FATAL" and not out.ok
    assert "could not build this report" in out.message
    assert out.run.error == out.message
    assert_nothing_stored(db)


def test_cancelled_means_no_data(reports: ReportService, sim: Simulator, db: Database) -> None:
    end = sim.now() - timedelta(days=400)
    out = reports.request(
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
        start=end - timedelta(days=3),
        end=end,
    )
    assert out.run.status == "CANCELLED"
    assert "no data for this range" in out.message
    assert_nothing_stored(db)


@pytest.mark.parametrize("kind", ["gzip-corrupt", "gzip-truncated"])
def test_damaged_gzip_stores_nothing(
    reports: ReportService, sim: Simulator, db: Database, kind: str
) -> None:
    sim.set_faults(f"getReportDocument:{kind}x*")
    with pytest.raises(UserError, match="could not be downloaded intact") as err:
        reports.request(LISTINGS)
    assert "nothing of it was stored" in err.value.message
    assert_nothing_stored(db)
    assert db.reports.runs()[0].status == "FAILED"


def test_damaged_once_is_fetched_again(reports: ReportService, sim: Simulator) -> None:
    sim.set_faults("getReportDocument:gzip-corrupt")
    out = reports.request(LISTINGS)
    assert out.ok and out.run.row_count > 0


def test_wrong_charset_is_refused_in_words(
    reports: ReportService, sim: Simulator, db: Database
) -> None:
    accent_one_listing(sim)
    sim.set_faults("createReport:wrong-charset")
    with pytest.raises(ReportUnreadable) as err:
        reports.request(LISTINGS)
    message = err.value.message
    assert "says it is UTF-8, but its bytes are not" in message
    assert "nothing of it was stored" in message
    assert_nothing_stored(db)
    assert db.reports.runs()[0].error == message


def test_missing_role_is_named(reports: ReportService, sim: Simulator, db: Database) -> None:
    sim.state.report_roles.discard("Brand Analytics")
    with pytest.raises(RoleMissing) as err:
        reports.request("GET_SALES_AND_TRAFFIC_REPORT")
    assert "Brand Analytics role" in err.value.message
    assert "re-authorise" in err.value.message
    assert_nothing_stored(db)


def test_ledger_without_the_fulfillment_role(reports: ReportService, sim: Simulator) -> None:
    sim.state.report_roles.discard("Amazon Fulfillment")
    with pytest.raises(RoleMissing, match="Amazon Fulfillment role"):
        reports.request("GET_LEDGER_SUMMARY_VIEW_DATA")


def test_unknown_type_lists_the_known_ones(reports: ReportService) -> None:
    with pytest.raises(UserError, match="GET_MERCHANT_LISTINGS_ALL_DATA"):
        reports.request("GET_NOPE")
