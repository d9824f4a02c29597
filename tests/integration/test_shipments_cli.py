"""`kinxpro-desktop orders confirm-shipment|packing-slip|pick-list` in child processes against
the simulator: confirmation reaches it and the order follows; bad tracking numbers send
nothing; saving a packing slip warns that the file is outside retention; no buyer data on
stdout or stderr."""

from __future__ import annotations

import subprocess
from pathlib import Path

from kinxpro_desktop.sandbox import Simulator
from tests.integration.test_cli import cli, one_clean_line
from tests.support.simulator import sim_fixture

sim = sim_fixture(orders=600, days=4, listings=20, time_scale=300.0)


def run(data: Path, sim: Simulator, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(data, "--key-source", "passphrase", "--demo", "--endpoint", sim.base_url, *args)


def test_orders_commands_end_to_end(tmp_path: Path, sim: Simulator) -> None:
    data = tmp_path / "data"
    synced = run(data, sim, "sync")
    assert synced.returncode == 0, synced.stderr
    now = sim.state.now()
    open_ids = [
        o.order_id
        for o in sorted(sim.state.world.orders, key=lambda o: -o.created)
        if o.channel == "MFN" and o.created <= now and o.status_at(now) == "Unshipped"
    ]
    assert len(open_ids) >= 2
    order_id = open_ids[0]
    calls: list[str] = []
    sim.state.recorder = lambda op, _req, _res: calls.append(op)
    bad = run(data, sim, "orders", "confirm-shipment", order_id, "--carrier", "UPS",
              "--tracking", "12345")  # fmt: skip
    assert bad.returncode == 2 and "does not look like a UPS" in one_clean_line(bad)
    assert "confirmShipment" not in calls
    done = run(data, sim, "orders", "confirm-shipment", order_id, "--carrier", "UPS",
               "--tracking", "1Z999AA10123456784")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"Order {order_id} confirmed shipped with UPS 1Z999AA10123456784" in done.stdout
    assert "status Shipped" in done.stdout
    assert calls.count("confirmShipment") == 1
    slip = tmp_path / "slips.pdf"
    saved = run(data, sim, "orders", "packing-slip", *open_ids[:2], "--out", str(slip),
                "--size", "4x6")  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    assert slip.read_bytes()[:5] == b"%PDF-"
    assert "outside Kinxpro's retention" in saved.stderr
    picks = tmp_path / "picks.pdf"
    listed = run(data, sim, "orders", "pick-list", *open_ids[:2], "--out", str(picks))
    assert listed.returncode == 0 and "Warning" not in listed.stderr
    missing = run(data, sim, "orders", "pick-list", "111-0000000-0000000", "--out", str(picks))
    assert missing.returncode == 2 and "sync first" in one_clean_line(missing)
    text = "\n".join(r.stdout + r.stderr for r in (bad, done, saved, listed, missing))
    world = sim.state.world
    leaked = [
        x
        for o in world.by_id.values()
        if o.channel == "MFN"
        for x in (world.buyer(o).name, world.buyer(o).line1)
        if x and x in text
    ]
    assert leaked == []
