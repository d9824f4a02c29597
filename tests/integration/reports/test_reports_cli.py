"""`kinxpro-desktop report request|list|settlements` and `export` in child processes against
the simulator: rows stored and listed, exports written with totals, buyer data only with
--include-buyer-data (then a warning on stderr), clean one-line errors."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

from kinxpro_desktop.sandbox import Simulator
from tests.integration.test_cli import cli, one_clean_line
from tests.support.simulator import sim_fixture

sim = sim_fixture(orders=400, days=4, listings=20, time_scale=300.0)


def run(data: Path, sim: Simulator, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(data, "--key-source", "passphrase", "--demo", "--endpoint", sim.base_url, *args)


def test_report_and_export_commands(tmp_path: Path, sim: Simulator) -> None:
    data = tmp_path / "data"
    listed = run(data, sim, "report", "list")
    assert listed.returncode == 0 and "No report runs yet" in listed.stdout
    got = run(data, sim, "report", "request", "GET_MERCHANT_LISTINGS_ALL_DATA")
    assert got.returncode == 0, got.stderr
    assert "rows saved" in got.stdout
    again = run(data, sim, "report", "list")
    assert "DONE" in again.stdout and "All listings" in again.stdout
    bad = run(data, sim, "report", "request", "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
              "--from", "2026-13-01")  # fmt: skip
    assert bad.returncode != 0 and "YYYY-MM-DD" in one_clean_line(bad)
    synced = run(data, sim, "sync")
    assert synced.returncode == 0, synced.stderr
    out = tmp_path / "orders.csv"
    exported = run(data, sim, "export", "orders", "--format", "csv", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "Exported" in exported.stdout and "orders" in exported.stdout
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert any(r[0].startswith("TOTAL") for r in rows)
    world = sim.state.world
    names = {world.buyer(o).name for o in world.by_id.values() if o.channel == "MFN"}
    assert not any(n and n in out.read_text("utf-8-sig") for n in names)
    with_pii = tmp_path / "pii.csv"
    chosen = run(data, sim, "export", "orders", "--format", "csv", "--out", str(with_pii),
                 "--include-buyer-data")  # fmt: skip
    assert chosen.returncode == 0, chosen.stderr
    assert "outside Kinxpro's retention" in chosen.stderr
    text = "\n".join(r.stdout + r.stderr for r in (listed, got, again, exported, chosen))
    assert not any(n and n in text for n in names)
    pdf = tmp_path / "sales.pdf"
    sales = run(data, sim, "export", "sales", "--format", "pdf", "--out", str(pdf))
    assert sales.returncode == 0, sales.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    missing = run(data, sim, "export", "report-rows", "--format", "csv", "--out", str(out))
    assert missing.returncode != 0 and "--run N" in one_clean_line(missing)
