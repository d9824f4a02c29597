"""Scheduled refresh for a seller in several marketplaces (the simulator's demo account
participates in the US, Canada and Mexico), through the real simulator and a real SQLCipher
store: a due type is requested once per marketplace (createReport counted per
marketplaceIds) and stored per marketplace; a run inside the regeneration limit reuses each
marketplace's own document, never another's; a failure injected in one marketplace is
reported for that one while the others succeed; a cancel between marketplaces leaves the
type due, and the resumed run asks only the marketplaces not yet tried."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from kinxpro_desktop.core.marketplaces import label
from kinxpro_desktop.core.progress import Cancelled, CancelToken, ProgressUpdate
from kinxpro_desktop.sandbox import Simulator
from kinxpro_desktop.sandbox.state import Report
from kinxpro_desktop.services.reports import ReportService
from kinxpro_desktop.store.database import Database
from tests.integration.test_cli import cli

from .conftest import calls

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
MYI = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"
H = 3600.0


def created_per_market(sim: Simulator, report_type: str) -> Counter[str]:
    """createReport requests the simulator received for this type, per marketplaceIds."""
    with sim.state.lock:
        return Counter(
            ",".join(r.marketplace_ids)
            for r in sim.state.reports.values()
            if r.report_type == report_type
        )


def listed_skus(sim: Simulator, market: str) -> set[str]:
    with sim.state.world.lock:
        return {
            li.sku
            for li in sim.state.world.listings
            if li.marketplace_id == market and not li.deleted
        }


def when_phase(text: str, then: object) -> object:
    """A progress sink that calls `then()` once when a phase containing `text` is reported."""
    seen: list[str] = []

    def sink(update: ProgressUpdate) -> None:
        seen.append(update.phase)
        if text in update.phase and seen.count(update.phase) == 1:
            then()  # type: ignore[operator]

    return sink


def test_the_seller_participates_in_three_marketplaces(reports: ReportService) -> None:
    assert reports.marketplaces() == [US, CA, MX]


def test_a_due_type_is_requested_once_per_marketplace_and_stored_per_marketplace(
    reports: ReportService, sim: Simulator, db: Database
) -> None:
    schedule = reports.schedule
    schedule.set_every(LISTINGS, "daily")
    before, sim_before, wall = calls(sim, "createReport"), sim.now(), time.monotonic()

    results = schedule.run_due()

    elapsed, simulated = time.monotonic() - wall, (sim.now() - sim_before).total_seconds()
    print(f"3-marketplace scheduled run: {simulated:.0f} simulated s, {elapsed:.2f} s")
    assert calls(sim, "createReport") == before + 3
    assert created_per_market(sim, LISTINGS) == {US: 1, CA: 1, MX: 1}
    assert [(r.report_type, r.ok, r.status) for r in results] == [(LISTINGS, True, "DONE")]
    markets = results[0].markets
    assert [m.marketplace_id for m in markets] == [US, CA, MX]
    for m in markets:
        run = db.reports.run(m.run_id or 0)
        assert run is not None and run.status == "DONE" and run.marketplace_id == m.marketplace_id
        skus = {row["seller-sku"] for row in db.reports.iter_rows(run.run_id)}
        assert skus == listed_skus(sim, m.marketplace_id)  # that marketplace's listings only
        assert m.message == f"{run.row_count:,} rows"
    entry = schedule.entry(LISTINGS)
    assert entry.last_status == "DONE" and entry.tried == ()
    assert (
        entry.last_message
        == "; ".join(f"{label(m.marketplace_id)}: {m.message}" for m in markets) + "."
    )
    assert entry.last_message.startswith("US: ") and "; CA: " in entry.last_message
    assert entry.next_due == (entry.last_run or sim.now()) + timedelta(days=1)


def test_reuse_inside_the_regeneration_limit_is_per_marketplace(
    reports: ReportService, sim: Simulator
) -> None:
    """A US request must not make the CA one reuse the US document."""
    us = reports.request(MYI, marketplace_id=US)
    assert us.ok and not us.reused
    ca = reports.request(MYI, marketplace_id=CA)  # a minute later, inside the 30 minutes
    assert ca.ok and not ca.reused and ca.run.marketplace_id == CA
    again = reports.request(MYI, marketplace_id=US)
    assert again.reused and again.run.run_id == us.run.run_id
    assert created_per_market(sim, MYI) == {US: 1, CA: 1}


def test_a_second_run_inside_the_limit_reuses_each_marketplaces_own_document(
    reports: ReportService, sim: Simulator
) -> None:
    """FBA inventory every 4 hours. Before it is due again the seller asks by hand for CA
    and, later, the US: the scheduled run inside Amazon's 30 minutes reuses each of those
    marketplaces' own document and asks again only for MX."""
    schedule = reports.schedule
    schedule.set_every(MYI, "4h")
    assert [r.status for r in schedule.run_due()] == ["DONE"]
    sim.advance(3 * H + 40 * 60)
    manual_ca = reports.request(MYI, marketplace_id=CA)
    sim.advance(10 * 60)
    manual_us = reports.request(MYI, marketplace_id=US)
    assert manual_ca.ok and manual_us.ok and not manual_us.reused
    sim.advance(12 * 60)
    assert schedule.due_now() == [MYI]
    counted = created_per_market(sim, MYI)
    assert counted == {US: 2, CA: 2, MX: 1}

    second = schedule.run_due()

    assert [(r.ok, r.status) for r in second] == [(True, "DONE")]
    by_market = {m.marketplace_id: m for m in second[0].markets}
    assert by_market[US].status == "REUSED" and by_market[US].run_id == manual_us.run.run_id
    assert by_market[CA].status == "REUSED" and by_market[CA].run_id == manual_ca.run.run_id
    assert by_market[MX].status == "DONE"
    assert created_per_market(sim, MYI) == {US: 2, CA: 2, MX: 2}  # only MX asked again
    us_at = f"{manual_us.run.requested_at:%H:%M}"
    ca_at = f"{manual_ca.run.requested_at:%H:%M}"
    assert schedule.entry(MYI).last_message == (
        f"US: reused the document from {us_at} UTC; CA: reused the document from {ca_at} UTC; "
        f"MX: {by_market[MX].message}."
    )


@pytest.mark.parametrize(
    ("market", "fault", "status", "words"),
    [
        (CA, "createReport:fatal", "FATAL", "CA: Amazon could not build it (FATAL)"),
        (MX, "getReportDocument:gzip-corruptx*", "FAILED", "MX: "),  # the last one
    ],
)
def test_a_failure_in_one_marketplace_is_reported_for_it_and_the_others_succeed(
    reports: ReportService,
    sim: Simulator,
    db: Database,
    market: str,
    fault: str,
    status: str,
    words: str,
) -> None:
    schedule = reports.schedule
    schedule.set_every(LISTINGS, "daily")
    name = label(market)
    # the fault is armed when the schedule reaches that marketplace, so it hits that one
    sink = when_phase(f": {name} (", lambda: sim.add_faults(fault))

    results = schedule.run_due(progress=sink)  # type: ignore[arg-type]

    assert len(results) == 1 and not results[0].ok and results[0].status == "PARTIAL"
    by_market = {m.marketplace_id: m for m in results[0].markets}
    assert by_market[market].status == status and not by_market[market].ok
    failed = db.reports.run(by_market[market].run_id or 0)
    assert failed is not None and failed.marketplace_id == market and failed.status == status
    assert db.reports.row_count(failed.run_id) == 0  # nothing half-stored
    assert results[0].run_id == failed.run_id  # the failure is the run the type points at
    for other in {US, CA, MX} - {market}:
        ok = db.reports.run(by_market[other].run_id or 0)
        assert ok is not None and ok.status == "DONE" and ok.row_count > 0
    assert created_per_market(sim, LISTINGS) == {US: 1, CA: 1, MX: 1}
    entry = schedule.entry(LISTINGS)
    assert entry.last_status == "PARTIAL"
    assert words in entry.last_message
    assert entry.last_message.endswith(f" {name} will be tried again at the next scheduled run.")
    assert entry.last_message.count(" row") == 2  # the two marketplaces that worked
    assert schedule.due_now() == []  # every marketplace was tried: the entry moved on
    assert entry.next_due == (entry.last_run or sim.now()) + timedelta(days=1)


def test_cancel_between_marketplaces_leaves_the_type_due(
    reports: ReportService, sim: Simulator, db: Database
) -> None:
    schedule = reports.schedule
    schedule.set_every(LISTINGS, "daily")
    token = CancelToken()
    with pytest.raises(Cancelled):
        schedule.run_due(cancel=token, progress=when_phase(": CA (2 of 3)", token.cancel))  # type: ignore[arg-type]

    assert created_per_market(sim, LISTINGS) == {US: 1}  # CA and MX not asked
    entry = schedule.entry(LISTINGS)
    assert entry.last_run is None and schedule.due_now() == [LISTINGS]  # still due
    assert [(m.marketplace_id, m.status) for m in entry.tried] == [(US, "DONE")]
    us_run = entry.tried[0].run_id

    resumed = schedule.run_due()

    assert created_per_market(sim, LISTINGS) == {US: 1, CA: 1, MX: 1}  # only the unfinished
    assert [(r.ok, r.status) for r in resumed] == [(True, "DONE")]
    assert [m.marketplace_id for m in resumed[0].markets] == [US, CA, MX]
    assert resumed[0].markets[0].run_id == us_run
    done = schedule.entry(LISTINGS)
    assert done.tried == () and done.last_run is not None and schedule.due_now() == []
    assert [part.split(":")[0] for part in done.last_message.split("; ")] == ["US", "CA", "MX"]
    assert len([r for r in db.reports.runs() if r.report_type == LISTINGS]) == 3


def test_a_cancelled_cycle_resumed_a_day_later_asks_every_marketplace_again(
    reports: ReportService, sim: Simulator
) -> None:
    schedule = reports.schedule
    schedule.set_every(LISTINGS, "daily")
    token = CancelToken()
    with pytest.raises(Cancelled):
        schedule.run_due(cancel=token, progress=when_phase(": MX (3 of 3)", token.cancel))  # type: ignore[arg-type]
    assert created_per_market(sim, LISTINGS) == {US: 1, CA: 1}
    sim.advance(25 * H)  # the window was closed for a day
    assert [r.ok for r in schedule.run_due()] == [True]
    assert created_per_market(sim, LISTINGS) == {US: 2, CA: 2, MX: 1}


def test_a_missing_role_is_said_once_not_asked_of_every_marketplace(
    reports: ReportService, sim: Simulator
) -> None:
    sim.state.report_roles.discard("Brand Analytics")
    schedule = reports.schedule
    schedule.set_every("GET_SALES_AND_TRAFFIC_REPORT", "daily")
    before = calls(sim, "createReport")
    results = schedule.run_due()
    assert [(r.ok, r.status) for r in results] == [(False, "FAILED")]
    # asked for the US only (a 403 is sent again once after a token refresh), then stopped
    assert calls(sim, "createReport") == before + 2
    message = results[0].message
    assert message.startswith("US: Sales and traffic needs the Brand Analytics role")
    assert "CA: same role missing; MX: same role missing." in message


def test_scheduled_settlements_are_found_in_every_marketplace(
    reports: ReportService, sim: Simulator
) -> None:
    """Settlements cannot be requested; getReports (no marketplace filter) finds those of
    every marketplace. The simulator makes US ones; a Canadian one is added to its world."""
    now = sim.state.now()
    with sim.state.lock:
        sim.state.reports["2099000001"] = Report(
            "2099000001", SETTLEMENT, [CA], now - 2 * H, now - 16 * 24 * H, now - 2 * 24 * H, {}
        )
    reports.schedule.set_every(SETTLEMENT, "daily")
    results = reports.schedule.run_due()
    assert [r.ok for r in results] == [True]
    found = {r.marketplace_id for r in reports.runs() if r.report_type == SETTLEMENT}
    assert found == {US, CA}
    assert "new settlement reports stored (US: " in results[0].message
    assert ", CA: 1)." in results[0].message
    assert calls(sim, "createReport") == 0


def test_run_due_prints_one_line_per_marketplace(tmp_path: Path, sim: Simulator) -> None:
    data = tmp_path / "data"

    def run(*args: str) -> str:
        done = cli(data, "--key-source", "passphrase", "--demo", "--endpoint", sim.base_url, *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("report", "schedule", LISTINGS, "--every", "daily")
    lines = [line for line in run("report", "run-due").splitlines() if line.startswith(LISTINGS)]
    assert len(lines) == 3
    for line, name in zip(lines, ("US", "CA", "MX"), strict=True):
        assert f": DONE. {name}: " in line and line.endswith(" rows")
    assert created_per_market(sim, LISTINGS) == {US: 1, CA: 1, MX: 1}


def test_a_type_run_by_hand_in_one_marketplace_is_due_at_once_for_the_others(
    reports: ReportService, sim: Simulator
) -> None:
    """Switched on after a US run by hand, the schedule does not wait a day for Canada and
    Mexico, which never ran: due at once, the US reuses its document, the others are asked."""
    us = reports.request(MYI, marketplace_id=US)
    assert us.ok
    entry = reports.schedule.set_every(MYI, "daily")
    assert entry.next_due is not None and entry.next_due <= sim.now()
    assert reports.schedule.due_now() == [MYI]  # not a day after the US run
    (result,) = reports.schedule.run_due()
    assert [(m.marketplace_id, m.status) for m in result.markets] == [
        (US, "REUSED"),
        (CA, "DONE"),
        (MX, "DONE"),
    ]
    assert created_per_market(sim, MYI) == {US: 1, CA: 1, MX: 1}
