"""Scheduled refresh through the real simulator and a real SQLCipher store: a due type is
requested, downloaded and stored while a not-due one is not asked for (createReport
counted); failures land in the runs list and wait for the next due time; a too-early run
reuses the last document; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kinxpro_desktop.core.errors import UserError
from kinxpro_desktop.core.operators import Access, PermissionDenied, Role
from kinxpro_desktop.core.vocabulary import AuditEvent
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.services.report_schedule import SCHEDULE_KEY, ScheduleRefused
from kinxpro_desktop.services.reports import ReportService
from kinxpro_desktop.spapi.gateway import SpApiGateway
from kinxpro_desktop.store.database import Database

from .conftest import calls

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
MYI = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
H = 3600.0


def test_a_due_type_is_requested_and_stored_a_not_due_one_is_not(
    reports: ReportService, sim: Simulator, db: Database
) -> None:
    # orders ran by hand just now in every marketplace: not due for a day
    manual = [reports.request(ORDERS, marketplace_id=m) for m in reports.marketplaces()]
    assert all(m.ok for m in manual)
    oldest = min(m.run.requested_at for m in manual)
    schedule = reports.schedule
    schedule.set_every(LISTINGS, "daily")
    schedule.set_every(ORDERS, "daily")
    assert schedule.due_now() == [LISTINGS]
    before = calls(sim, "createReport")

    results = schedule.run_due()

    assert [(r.report_type, r.ok, r.status) for r in results] == [(LISTINGS, True, "DONE")]
    assert calls(sim, "createReport") == before + 3  # once per marketplace: US, CA, MX
    run = db.reports.run(results[0].run_id or 0)
    assert run is not None and run.status == "DONE" and run.report_type == LISTINGS
    assert run.row_count > 0 and db.reports.row_count(run.run_id) == run.row_count
    entries = {e.report_type: e for e in schedule.entries()}
    ran = entries[LISTINGS]
    assert ran.last_run is not None and ran.next_due == ran.last_run + timedelta(days=1)
    assert ran.last_status == "DONE" and ran.last_message.startswith("US: ")
    assert " rows; CA: " in ran.last_message
    assert entries[ORDERS].next_due == oldest + timedelta(days=1)
    assert schedule.run_due() == []  # nothing due any more
    assert calls(sim, "createReport") == before + 3

    sim.advance(24 * H + 60)
    assert sorted(schedule.due_now()) == sorted([LISTINGS, ORDERS])


def test_the_schedule_is_kept_in_the_encrypted_store_and_audited(
    reports: ReportService, db: Database
) -> None:
    reports.schedule.set_every(MYI, "4h", actor="owner")
    stored = db.settings.get(SCHEDULE_KEY)
    assert isinstance(stored, dict) and stored[MYI]["every_minutes"] == 240
    again = ReportService(db, _no_gateway)  # a new launch reads the same state
    entry = again.schedule.entry(MYI)
    assert entry.every == timedelta(hours=4) and entry.next_due is not None
    audit = [e for e in db.audit.entries() if e.event == AuditEvent.SETTINGS_CHANGED]
    assert audit and audit[0].detail["type"] == MYI and audit[0].detail["new"] == "4h"


def test_a_failure_is_in_the_runs_list_and_waits_for_the_next_due_time(
    reports: ReportService, sim: Simulator, db: Database
) -> None:
    schedule = reports.schedule
    schedule.set_every(ORDERS, "4h")
    sim.set_faults("createReport:fatal")
    results = schedule.run_due()
    # the fault hits the first marketplace (US); CA and MX still run
    assert len(results) == 1 and not results[0].ok and results[0].status == "PARTIAL"
    run = db.reports.run(results[0].run_id or 0)
    assert run is not None and run.status == "FATAL" and "FATAL" in run.error
    assert run.marketplace_id == "ATVPDKIKX0DER"
    entry = schedule.entry(ORDERS)
    assert entry.last_status == "PARTIAL"
    assert entry.last_message.startswith("US: Amazon could not build it (FATAL); CA: ")
    created = calls(sim, "createReport")
    for _ in range(3):  # the 10-minute timer fires: no retry loop
        sim.advance(600)
        assert schedule.run_due() == []
    assert calls(sim, "createReport") == created
    sim.advance(4 * H)
    retried = schedule.run_due()
    assert [r.ok for r in retried] == [True]
    assert calls(sim, "createReport") == created + 3


def test_not_connected_is_recorded_as_a_failed_run(db: Database, sim: Simulator) -> None:
    reports = ReportService(db, _no_gateway, clock=sim.now)
    reports.schedule.set_every(LISTINGS, "daily")
    results = reports.schedule.run_due()
    assert [r.status for r in results] == ["FAILED"]
    run = db.reports.run(results[0].run_id or 0)
    assert run is not None and run.status == "FAILED" and "Connect" in run.error
    assert reports.schedule.due_now() == []


def test_a_too_early_scheduled_run_reuses_the_last_document(
    reports: ReportService, sim: Simulator
) -> None:
    """FBA inventory every 4 hours; the seller asked by hand (US) 15 minutes before it was
    due: inside Amazon's 30-minute limit, so the scheduled run reuses that document for the
    US and asks again for CA and MX (their last ones are 4 hours old)."""
    schedule = reports.schedule
    schedule.set_every(MYI, "4h")
    assert [r.status for r in schedule.run_due()] == ["DONE"]
    sim.advance(3 * H + 50 * 60)
    manual = reports.request(MYI)
    assert manual.ok and not manual.reused
    sim.advance(15 * 60)
    assert schedule.due_now() == [MYI]
    created = calls(sim, "createReport")
    reused = schedule.run_due()
    assert [(r.ok, r.status) for r in reused] == [(True, "DONE")]
    assert [m.status for m in reused[0].markets] == ["REUSED", "DONE", "DONE"]
    assert reused[0].run_id == manual.run.run_id
    assert calls(sim, "createReport") == created + 2
    assert schedule.due_now() == []  # due again 4 hours later, like any run


def test_settlements_on_a_schedule_are_found_with_get_reports(
    reports: ReportService, sim: Simulator
) -> None:
    reports.schedule.set_every(SETTLEMENT, "daily")
    results = reports.schedule.run_due()
    assert [r.ok for r in results] == [True]
    assert "new settlement reports stored" in results[0].message
    assert calls(sim, "createReport") == 0 and calls(sim, "getReports") >= 1


def test_one_run_at_a_time(reports: ReportService, sim: Simulator) -> None:
    reports.schedule.set_every(LISTINGS, "daily")
    with reports.schedule._running:  # another run_due is under way
        assert reports.schedule.run_due() == []
    assert calls(sim, "createReport") == 0
    assert reports.schedule.due_now() == [LISTINGS]


@pytest.mark.parametrize(
    ("report_type", "every", "match"),
    [
        (ORDERS, "3 minutes", "not an interval"),
        ("GET_NOT_A_REPORT", "daily", "Unknown report type"),
        ("GET_LEDGER_SUMMARY_VIEW_DATA", "2h", "at most every 4 hours"),
    ],
)
def test_bad_input_changes_nothing(
    reports: ReportService, db: Database, report_type: str, every: str, match: str
) -> None:
    reports.schedule.set_every(ORDERS, "daily")
    before = db.settings.get(SCHEDULE_KEY)
    with pytest.raises(ScheduleRefused, match=match):
        reports.schedule.set_every(report_type, every)
    assert db.settings.get(SCHEDULE_KEY) == before


@pytest.mark.parametrize("role", [Role.ANALYST])
def test_an_analyst_may_not_schedule(reports: ReportService, db: Database, role: Role) -> None:
    db.bind_access(Access(role))
    with pytest.raises(PermissionDenied, match="sync with Amazon"):
        reports.schedule.set_every(ORDERS, "daily")
    assert db.settings.get(SCHEDULE_KEY) is None
    db.bind_access(Access(Role.SHIPPER))  # a shipper syncs, so may schedule
    assert reports.schedule.set_every(ORDERS, "daily").enabled


def _no_gateway() -> SpApiGateway:
    raise UserError("No Amazon account connected yet: choose Account ▸ Connect… first.")
