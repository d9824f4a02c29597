"""Each report type through the simulator: requested, polled, downloaded (gzip), decoded and
parsed by header name into the store with the right row counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.reports import SETTLEMENT, ReportService
from kinxpro_desktop.store.database import Database

from .conftest import calls, served_document

US = "ATVPDKIKX0DER"


def tsv_lines(sim: Simulator, document_id: str) -> int:
    data, _ = served_document(sim, document_id)
    return len([line for line in data.splitlines()[1:] if line.strip()])


def test_all_listings_rows_match_the_world(
    reports: ReportService, sim: Simulator, db: Database
) -> None:
    out = reports.request("GET_MERCHANT_LISTINGS_ALL_DATA")
    assert out.ok, out.message
    world = [li for li in sim.state.world.listings if li.marketplace_id == US and not li.deleted]
    assert out.run.row_count == len(world) > 0
    rows = list(reports.rows(out.run.run_id))
    assert {r["seller-sku"] for r in rows} == {li.sku for li in world}
    by_sku = {li.sku: li for li in world}
    assert all(r["item-name"] == by_sku[r["seller-sku"]].title for r in rows)
    assert db.reports.row_count(out.run.run_id) == len(world)
    _, content_type = served_document(sim, out.run.document_id)
    assert "charset=Cp1252" in content_type


def test_all_orders_by_order_date(reports: ReportService, sim: Simulator) -> None:
    end = sim.now()
    start = end - timedelta(days=20)
    out = reports.request(
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", start=start, end=end
    )
    assert out.ok, out.message
    expected = sum(
        len(o.lines)
        for o in sim.state.world.created_between(start.timestamp(), end.timestamp())
        if o.marketplace_id == US
    )
    assert out.run.row_count == expected == tsv_lines(sim, out.run.document_id) > 0
    row = next(reports.rows(out.run.run_id))
    assert row["amazon-order-id"] and row["currency"] == "USD"
    assert "buyer-email" not in row  # the all-orders report carries no buyer identity


def test_fba_inventory_and_ledger(reports: ReportService, sim: Simulator) -> None:
    inv = reports.request("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA")
    assert inv.ok, inv.message
    afn = [
        li
        for li in sim.state.world.listings
        if li.marketplace_id == US and li.channel == "AFN" and not li.deleted
    ]
    assert inv.run.row_count == len(afn) > 0
    ledger = reports.request(
        "GET_LEDGER_SUMMARY_VIEW_DATA", start=sim.now() - timedelta(days=40), end=sim.now()
    )
    assert ledger.ok, ledger.message
    assert ledger.run.row_count == tsv_lines(sim, ledger.run.document_id)
    assert ledger.run.row_count % len(afn) == 0  # one row per FBA SKU and month
    assert {r["MSKU"] for r in reports.rows(ledger.run.run_id)} == {li.sku for li in afn}


def test_sales_and_traffic_json(reports: ReportService, sim: Simulator) -> None:
    out = reports.request(
        "GET_SALES_AND_TRAFFIC_REPORT", start=sim.now() - timedelta(days=7), end=sim.now()
    )
    assert out.ok, out.message
    rows = list(reports.rows(out.run.run_id))
    days = [r for r in rows if r["kind"] == "date"]
    skus = [r for r in rows if r["kind"] == "asin"]
    assert 6 <= len(days) <= 8 and skus
    assert out.run.row_count == len(days) + len(skus)
    assert all(r["currency"] == "USD" for r in rows)


def test_settlements_are_found_with_get_reports(reports: ReportService, sim: Simulator) -> None:
    found = reports.find_settlements(days=90)
    assert found and all(o.ok for o in found)
    assert calls(sim, "createReport") == 0
    for o in found:
        assert o.run.report_type == SETTLEMENT
        rows = list(reports.rows(o.run.run_id))
        assert rows[0]["settlement-id"] == o.run.amazon_report_id
    # found again: nothing new is downloaded twice
    assert reports.find_settlements(days=90) == []


def test_settlements_cannot_be_requested(reports: ReportService) -> None:
    from kinxpro_desktop.services.reports import ReportNotRequestable

    with pytest.raises(ReportNotRequestable, match="Find settlements"):
        reports.request(SETTLEMENT)


def test_regeneration_limit_reuses_the_last_document(
    reports: ReportService, sim: Simulator
) -> None:
    first = reports.request("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA")
    assert first.ok
    again = reports.request("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA")
    assert again.reused and again.run.run_id == first.run.run_id
    assert "at most every 30 minutes" in again.message
    assert calls(sim, "createReport") == 1
    sim.advance(31 * 60)
    later = reports.request("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA")
    assert later.ok and not later.reused and later.run.run_id != first.run.run_id
    assert calls(sim, "createReport") == 2


def test_the_simulator_answers_fatal_inside_the_regeneration_limit(
    gateway: object, sim: Simulator
) -> None:
    """What the reuse protects against: Amazon's FATAL for a repeated MYI request."""
    from kinxpro_desktop.spapi.gateway import SpApiGateway

    assert isinstance(gateway, SpApiGateway)
    ids = [
        gateway.reports.create("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", [US]) for _ in range(2)
    ]
    sim.advance(60)
    statuses = [gateway.reports.get(i)["processingStatus"] for i in ids]
    assert statuses == ["DONE", "FATAL"]
