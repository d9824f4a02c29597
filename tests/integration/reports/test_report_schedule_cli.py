"""`kinxpro-desktop report schedule [TYPE --every daily|4h|off]` and `report run-due` in child
processes against the simulator: the schedule is listed, set and kept; run-due requests
what is due (createReport counted) and nothing else; bad input is one clean line and
changes nothing; a failed run exits non-zero."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kinxpro_desktop.sandbox import Simulator
from tests.integration.test_cli import cli, one_clean_line
from tests.support.simulator import sim_fixture

from .conftest import calls

sim = sim_fixture(orders=200, days=4, listings=20, time_scale=300.0)
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
LEDGER = "GET_LEDGER_SUMMARY_VIEW_DATA"


def run(data: Path, sim: Simulator, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(data, "--key-source", "passphrase", "--demo", "--endpoint", sim.base_url, *args)


def line_of(listing: str, report_type: str) -> str:
    return next(line for line in listing.splitlines() if line.startswith(report_type))


def test_schedule_and_run_due(tmp_path: Path, sim: Simulator) -> None:
    data = tmp_path / "data"
    shown = run(data, sim, "report", "schedule")
    assert shown.returncode == 0, shown.stderr
    assert line_of(shown.stdout, LISTINGS).split()[1:3] == ["off", "-"]
    assert len(shown.stdout.splitlines()) == 6  # every type, settlements included

    nothing = run(data, sim, "report", "run-due")
    assert nothing.returncode == 0 and "Nothing is scheduled" in nothing.stdout
    assert calls(sim, "createReport") == 0

    on = run(data, sim, "report", "schedule", LISTINGS, "--every", "daily")
    assert on.returncode == 0, on.stderr
    assert "refreshed daily" in on.stdout and "next run" in on.stdout
    four = run(data, sim, "report", "schedule", LEDGER, "--every", "4h")
    assert four.returncode == 0, four.stderr

    due = run(data, sim, "report", "run-due")
    assert due.returncode == 0, due.stderr
    assert f"{LISTINGS}: run " in due.stdout and "DONE" in due.stdout
    assert f"{LEDGER}: run " in due.stdout
    assert ORDERS not in due.stdout + due.stderr
    assert calls(sim, "createReport") == 6  # the two due types in US, CA, MX, not the others

    again = run(data, sim, "report", "run-due")
    assert again.returncode == 0 and "Nothing is due now; next:" in again.stdout
    assert calls(sim, "createReport") == 6

    listed = run(data, sim, "report", "schedule")
    line = line_of(listed.stdout, LISTINGS)
    assert line.split()[1:3] == ["on", "daily"] and "(DONE)" in line and "next " in line
    assert line_of(listed.stdout, LEDGER).split()[1:4] == ["on", "every", "4"]
    assert line_of(listed.stdout, ORDERS).split()[1] == "off"
    one = run(data, sim, "report", "schedule", LISTINGS)
    assert one.returncode == 0 and one.stdout.strip() == line

    off = run(data, sim, "report", "schedule", LEDGER, "--every", "off")
    assert off.returncode == 0 and "off" in off.stdout
    assert line_of(run(data, sim, "report", "schedule").stdout, LEDGER).split()[1] == "off"


def test_bad_input_is_one_clean_line_and_changes_nothing(tmp_path: Path, sim: Simulator) -> None:
    data = tmp_path / "data"
    assert run(data, sim, "report", "schedule", ORDERS, "--every", "daily").returncode == 0
    before = run(data, sim, "report", "schedule").stdout
    for args, words in (
        ((ORDERS, "--every", "3 minutes"), "not an interval Kinxpro schedules"),
        (("GET_NOT_A_REPORT", "--every", "daily"), "Unknown report type"),
        (("GET_NOT_A_REPORT",), "Unknown report type"),
        ((LEDGER, "--every", "2h"), "at most every 4 hours"),
        (("--every", "daily"), "Say which report type"),
    ):
        bad = run(data, sim, "report", "schedule", *args)
        assert bad.returncode != 0, args
        assert words in one_clean_line(bad)
    assert run(data, sim, "report", "schedule").stdout == before
    assert calls(sim, "createReport") == 0


def test_a_failed_scheduled_run_exits_non_zero(tmp_path: Path, sim: Simulator) -> None:
    data = tmp_path / "data"
    assert run(data, sim, "report", "schedule", ORDERS, "--every", "daily").returncode == 0
    sim.set_faults("createReport:fatal")
    failed = run(data, sim, "report", "run-due")
    assert failed.returncode == 1
    assert "FATAL" in failed.stderr and "1 of 1 scheduled reports failed" in failed.stderr
    listed = run(data, sim, "report", "list")
    assert "FATAL" in listed.stdout  # the runs list shows it with Amazon's meaning
    assert "Nothing is due now" in run(data, sim, "report", "run-due").stdout  # no loop
